// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

namespace Modelplane.Cel;

/// <summary>An upper bound on what evaluating a node costs and on how large its value can be.</summary>
/// <param name="Cost">Worst-case cost units, as evaluation charges them (saturating at <see cref="long.MaxValue"/>).</param>
/// <param name="Size">
/// Worst-case size of the value and of everything inside it: code points of a string, elements of a
/// list, entries of a map. One number for the value and its contents keeps the estimate a few lines
/// per node at the price of some slack (the elements of <c>[1, 2, 3]</c> count as size 3).
/// </param>
internal readonly record struct Estimate(long Cost, long Size)
{
    public static Estimate operator +(Estimate a, long cost) => a with { Cost = Saturating.Add(a.Cost, cost) };
}

/// <summary>The static worst-case cost of an expression, as Kubernetes estimates a DRA selector before storing it.</summary>
/// <remarks>
/// <para>
/// There is no type checker, so sizes come from the expression itself: a literal's length, the
/// number of items of a list literal, the sum of a concatenation, and for anything read from a
/// variable the bound the caller gives (<see cref="VariableSize"/>; for DRA devices the API's own
/// limits: attribute strings and versions of at most 64 characters, at most 32 attributes and
/// capacities per device). A comprehension costs its range's size times its body, so nesting
/// multiplies, as it does when it runs. The result is the cost evaluation would charge if every
/// branch were taken and every value were as large as allowed; rejecting expressions whose estimate
/// is over <see cref="EvalContext.CostLimit"/> is what lets evaluation's own limit be a backstop
/// rather than the scheduler's everyday experience.
/// </para>
/// </remarks>
internal sealed class CostEstimator(long variableSize)
{
    /// <summary>The bound on the size of any value read from a variable.</summary>
    public long VariableSize { get; } = variableSize;

    /// <summary>The estimate of a call with the given argument estimates, before the call node's own unit.</summary>
    public static Estimate Call(string function, Estimate[] args)
    {
        var cost = 0L;
        foreach (var arg in args)
        {
            cost = Saturating.Add(cost, arg.Cost);
        }
        var first = args.Length > 0 ? args[0].Size : 0;
        var second = args.Length > 1 ? args[1].Size : 0;
        var third = args.Length > 2 ? args[2].Size : 0;
        var (extra, size) = function switch
        {
            "matches" => (CostModel.Matches(first, second), 1L),
            "split" => (first, Saturating.Add(first, 1)),
            "join" => Join(first, second),
            "replace" => Replace(first, third),
            "indexOf" or "lastIndexOf" => (Saturating.Multiply(first, Math.Max(1, second)), 1L),
            "substring" => (first, first),
            "lowerAscii" or "upperAscii" or "trim" or "dyn" => (0L, first),
            // The longest int, uint, double, quantity or version text is far below this.
            "string" => (0L, Math.Max(first, 64)),
            _ => (0L, Math.Max(1, first)),
        };
        return new Estimate(Saturating.Add(cost, extra), size);
    }

    // A list of at most n strings of at most n code points, joined by a separator: n·n + (n−1)·sep.
    private static (long, long) Join(long list, long separator)
    {
        var length = Saturating.Add(Saturating.Multiply(list, list), Saturating.Multiply(list, separator));
        return (length, length);
    }

    // An empty needle inserts the replacement around every code point: the worst case.
    private static (long, long) Replace(long text, long replacement)
    {
        var length = Saturating.Add(text, Saturating.Multiply(Saturating.Add(text, 1), replacement));
        return (Saturating.Add(text, length), length);
    }
}

/// <summary>The estimated sizes of comprehension variables in scope.</summary>
internal sealed class EstimateScope(EstimateScope? parent, string name, long size)
{
    public bool TryGet(string identifier, out long bound)
    {
        for (var scope = this; scope is not null; scope = scope.Parent)
        {
            if (scope.Name == identifier)
            {
                bound = scope.Size;
                return true;
            }
        }
        bound = 0;
        return false;
    }

    private EstimateScope? Parent { get; } = parent;

    private string Name { get; } = name;

    private long Size { get; } = size;
}
