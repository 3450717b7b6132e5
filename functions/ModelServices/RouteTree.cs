// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Globalization;

namespace Modelplane.Functions.ModelServices;

/// <summary>One child of a rule: an endpoint (by leaf index) or another rule reached through the hop (by hop id).</summary>
internal sealed record RouteChild(int? Leaf, string? Hop, int Weight);

/// <summary>One HTTPRoute rule: the root (no hop id) or the rule a hop header value selects.</summary>
internal sealed record RouteRule(string? Hop, IReadOnlyList<RouteChild> Children);

/// <summary>Lays the endpoints of weighted entries out as HTTPRoute rules of at most 16 weighted children.</summary>
/// <remarks>
/// <para>
/// Gateway API allows 16 backendRefs per rule and weights split only within one rule. Up to 16
/// endpoints this is upstream's single rule with <see cref="WeightDistribution"/>'s weights.
/// </para>
/// <para>
/// Past 16 the rules form a tree, and the tree follows the entries, which is what keeps the shares
/// exact: the root rule splits between the entries by their declared weights (at most 1,000,000
/// each, so no rounding), and below each entry its endpoints are cut, in order, into balanced
/// buckets of at most 16, buckets into groups of at most 16, and so on, each weighted by how many
/// endpoints it holds. Every endpoint of an entry therefore gets exactly its even part of the
/// entry's exact share, however extreme the ratio between entries (upstream's single rule rounds
/// there). An entry with one endpoint sits in the root rule itself; a service with one entry
/// starts at that entry's buckets; more than 16 entries are grouped the same way (the only case
/// where a rule may have to round, once its weights pass 1,000,000). Hop ids are numbered
/// breadth-first from "1", so the same endpoints always give the same rules.
/// </para>
/// </remarks>
internal static class RouteTree
{
    /// <summary>Gateway API's backendRefs per rule.</summary>
    public const int FanOut = 16;

    /// <summary>The rules for entries of (weight, ready endpoint count) whose endpoints are numbered consecutively in entry order; root first, then breadth-first.</summary>
    public static IReadOnlyList<RouteRule> Build(IReadOnlyList<(long Weight, int Count)> entries)
    {
        var total = entries.Sum(e => e.Count);
        if (total <= FanOut)
        {
            var weights = WeightDistribution.Reduce(WeightDistribution.Split(entries).SelectMany(w => w).ToArray());
            return [new RouteRule(null, weights.Select((w, i) => new RouteChild(i, null, w)).ToArray())];
        }
        return Emit(Root(entries));
    }

    private static List<(Node Node, long Weight)> Root(IReadOnlyList<(long Weight, int Count)> entries)
    {
        var perEntry = new List<(List<(Node Node, long Weight)> Buckets, long Weight)>();
        var next = 0;
        foreach (var (weight, count) in entries)
        {
            if (count > 0)
            {
                perEntry.Add((Fit(Enumerable.Range(next, count).Select(i => ((Node)new Leaf(i), 1L)).ToList()), weight));
            }
            next += count;
        }
        var root = perEntry.Count == 1
            ? perEntry[0].Buckets
            : perEntry.Select(e => (e.Buckets.Count == 1 ? e.Buckets[0].Node : new Inner(e.Buckets), e.Weight)).ToList();
        return Fit(root);
    }

    // Groups children, in order, into the fewest balanced groups of at most FanOut, as often as it
    // takes; a group weighs what its members weigh together.
    private static List<(Node Node, long Weight)> Fit(List<(Node Node, long Weight)> children)
    {
        while (children.Count > FanOut)
        {
            var groups = (children.Count + FanOut - 1) / FanOut;
            var fitted = new List<(Node Node, long Weight)>(groups);
            var start = 0;
            for (var g = 0; g < groups; g++)
            {
                var size = children.Count / groups + (g < children.Count % groups ? 1 : 0);
                var members = children.GetRange(start, size);
                fitted.Add((new Inner(members), members.Sum(m => m.Weight)));
                start += size;
            }
            children = fitted;
        }
        return children;
    }

    private static List<RouteRule> Emit(List<(Node Node, long Weight)> root)
    {
        var rules = new List<RouteRule>();
        var queue = new Queue<(string? Hop, IReadOnlyList<(Node Node, long Weight)> Children)>();
        queue.Enqueue((null, root));
        var next = 1;
        while (queue.Count > 0)
        {
            var (hop, members) = queue.Dequeue();
            var weights = WeightDistribution.Reduce(members.Select(m => m.Weight).ToArray());
            var children = new List<RouteChild>(members.Count);
            for (var i = 0; i < members.Count; i++)
            {
                switch (members[i].Node)
                {
                    case Leaf leaf:
                        children.Add(new RouteChild(leaf.Index, null, weights[i]));
                        break;
                    case Inner inner:
                        var id = (next++).ToString(CultureInfo.InvariantCulture);
                        children.Add(new RouteChild(null, id, weights[i]));
                        queue.Enqueue((id, inner.Children));
                        break;
                }
            }
            rules.Add(new RouteRule(hop, children));
        }
        return rules;
    }

    private abstract record Node;

    private sealed record Leaf(int Index) : Node;

    private sealed record Inner(IReadOnlyList<(Node Node, long Weight)> Children) : Node;
}
