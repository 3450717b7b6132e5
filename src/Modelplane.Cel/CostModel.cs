// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

namespace Modelplane.Cel;

/// <summary>The cost formulas that evaluation charges and the static estimate adds up, in one place.</summary>
/// <remarks>
/// Regular expressions are charged as cel-go charges them, and so as Kubernetes' DRA limit counts
/// them: a tenth of the text's length times a quarter of the pattern's, both in code points,
/// because matching is linear in the text for each state of an automaton that grows with the
/// pattern. Charging text plus pattern, as we used to, let a 9 KB selector of counted repetitions
/// pass the limit and then run for seconds.
/// </remarks>
internal static class CostModel
{
    /// <summary>cel-go's <c>StringTraversalCostFactor</c>.</summary>
    private const double StringTraversalFactor = 0.1;

    /// <summary>cel-go's <c>RegexStringLengthCostFactor</c>: a regex term is typically at least four characters.</summary>
    private const double RegexLengthFactor = 0.25;

    /// <summary>The cost of <c>text.matches(pattern)</c> for a text and pattern of these lengths in code points.</summary>
    public static long Matches(long textLength, long patternLength) =>
        Saturating.Multiply(
            (long)Math.Ceiling((1.0 + textLength) * StringTraversalFactor),
            (long)Math.Ceiling(patternLength * RegexLengthFactor));
}

/// <summary>Arithmetic that stops at <see cref="long.MaxValue"/> instead of wrapping: estimates only grow.</summary>
internal static class Saturating
{
    public static long Add(long a, long b) => a > long.MaxValue - b ? long.MaxValue : a + b;

    public static long Multiply(long a, long b) =>
        a == 0 || b == 0 ? 0 : a > long.MaxValue / b ? long.MaxValue : a * b;
}
