// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using Modelplane.Functions.ModelServices;

namespace Modelplane.Routing.Tests.ModelServices;

public sealed class WeightDistributionTests
{
    // Upstream's worked examples (routing.md §3.3), each split and then reduced as one rule.
    public static TheoryData<string, (long, int)[], int[]> Rows => new()
    {
        { "one endpoint", [(1, 1)], [1] },
        { "two endpoints, same entry", [(1, 2)], [1, 1] },
        { "80 over three, 20 over one", [(80, 3), (20, 1)], [27, 27, 26, 20] },
        { "scale so none rounds to zero", [(1, 2), (3, 1)], [1, 1, 6] },
        { "equal weights reduce by GCD", [(2, 1), (2, 1)], [1, 1] },
        { "capped at 1,000,000", [(1_000_000, 1), (1, 2)], [1_000_000, 1, 1] },
        { "95 over three, 5 over one", [(95, 3), (5, 1)], [32, 32, 31, 5] },
        { "one entry over five", [(1, 5)], [1, 1, 1, 1, 1] },
        { "50/50 per entry, not per endpoint", [(1, 3), (1, 1)], [1, 1, 1, 3] },
        { "an entry without ready endpoints takes nothing", [(50, 2), (50, 0)], [1, 1] },
        { "weight 3 over two is upstream's 2:1", [(3, 2)], [2, 1] },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void SplitThenReduce_UpstreamExamples_UpstreamWeights(string name, (long, int)[] entries, int[] expected)
    {
        Assert.NotEmpty(name);
        Assert.Equal(expected, WeightDistribution.Reduce(WeightDistribution.Split(entries).SelectMany(w => w).ToArray()));
    }

    [Fact]
    public void Split_EntryTotals_AreWeightTimesScale()
    {
        var split = WeightDistribution.Split([(7, 3), (11, 5), (2, 0)]);
        Assert.Equal([7, 11, 0], split.Select(s => s.Sum()));
        Assert.Equal([3, 5, 0], split.Select(s => s.Length));
    }

    [Theory]
    [InlineData(new long[] { 2_000_000, 1, 1 }, new[] { 1_000_000, 1, 1 })]
    [InlineData(new long[] { 3_000_000, 1_500_000 }, new[] { 2, 1 })]
    [InlineData(new long[] { 4_000_001, 2_000_000 }, new[] { 1_000_000, 500_000 })]
    [InlineData(new long[] { 2_000_001, 1 }, new[] { 1_000_000, 1 })]
    [InlineData(new long[] { 3_000_000, 1_000_001, 1_500_000 }, new[] { 2_000_000 / 2, 333_334, 500_000 })]
    [InlineData(new long[] { }, new int[] { })]
    public void Reduce_LargeWeights_CappedAtGatewayApiMaximum(long[] weights, int[] expected) =>
        Assert.Equal(expected, WeightDistribution.Reduce(weights));

    [Fact]
    public void Reduce_ExactHalf_RoundsToEvenAsPython()
    {
        // 2.5 and 3.5 units after scaling: Python's round gives 2 and 4.
        Assert.Equal([1_000_000, 2, 4], WeightDistribution.Reduce([4_000_000, 10, 14]));
    }
}
