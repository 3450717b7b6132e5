// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

namespace Modelplane.Functions.ModelServices;

/// <summary>Upstream's weight arithmetic: entry weights spread over endpoints, then reduced and capped per rule.</summary>
/// <remarks>
/// <see cref="Split"/> gives every ready endpoint an integer weight so that each entry's endpoints
/// add up to exactly <c>entry weight × scale</c> (so the entries' shares are exact) and no endpoint
/// gets 0, which Gateway API reads as "no traffic": <c>scale = max(1, max ⌈n / W⌉)</c>, then
/// <c>W × scale</c> is divided among the entry's n endpoints with the remainder going one each to
/// the first ones. <see cref="Reduce"/> is what one rule's backendRefs get: divided by their GCD
/// and, if the largest still exceeds Gateway API's 1,000,000, rescaled so it is exactly 1,000,000
/// (each at least 1, halves to even as Python's <c>round</c>). Both steps are upstream's, to the
/// number; they are split so a tree of rules (see <see cref="RouteTree"/>) can reduce each rule on
/// its own.
/// <para>
/// Upstream's scale only guarantees each endpoint one unit, so within an entry endpoints may differ
/// by one unit out of very few (weight 3 over 2 endpoints is 2:1). That is kept, number for number,
/// up to 16 endpoints; past 16 the tree of rules splits entries exactly instead (see <see cref="RouteTree"/>).
/// </para>
/// </remarks>
internal static class WeightDistribution
{
    /// <summary>Gateway API's largest backendRef weight.</summary>
    public const int MaxWeight = 1_000_000;

    /// <summary>Per-endpoint weights for entries of (weight, ready endpoint count), in order; an empty entry gets none.</summary>
    public static long[][] Split(IReadOnlyList<(long Weight, int Count)> entries)
    {
        long scale = 1;
        foreach (var (weight, count) in entries)
        {
            if (count > 0)
            {
                scale = Math.Max(scale, (count + weight - 1) / weight);
            }
        }
        var result = new long[entries.Count][];
        for (var e = 0; e < entries.Count; e++)
        {
            var (weight, count) = entries[e];
            var total = weight * scale;
            var each = count == 0 ? 0 : total / count;
            var remainder = count == 0 ? 0 : total % count;
            result[e] = Enumerable.Range(0, count).Select(i => i < remainder ? each + 1 : each).ToArray();
        }
        return result;
    }

    /// <summary>One rule's weights: GCD-reduced, then capped at <see cref="MaxWeight"/> keeping the ratios as far as integers allow.</summary>
    public static int[] Reduce(IReadOnlyList<long> weights)
    {
        if (weights.Count == 0)
        {
            return [];
        }
        var gcd = weights.Aggregate(0L, Gcd);
        var reduced = weights.Select(w => w / gcd).ToArray();
        var largest = reduced.Max();
        if (largest <= MaxWeight)
        {
            return reduced.Select(w => (int)w).ToArray();
        }
        return reduced
            .Select(w => (int)Math.Max(1, Math.Round((double)w / largest * MaxWeight, MidpointRounding.ToEven)))
            .ToArray();
    }

    private static long Gcd(long a, long b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }
        return a;
    }
}
