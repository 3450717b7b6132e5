// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using Modelplane.Functions.ModelServices;

namespace Modelplane.Routing.Tests.ModelServices;

public sealed class RouteTreeTests
{
    [Fact]
    public void Build_SixteenEndpoints_OneRuleAsUpstream()
    {
        var rule = Assert.Single(RouteTree.Build([(80, 12), (20, 4)]));
        Assert.Null(rule.Hop);
        Assert.Equal(Enumerable.Range(0, 16).Select(i => (int?)i), rule.Children.Select(c => c.Leaf));
    }

    [Fact]
    public void Build_SeventeenEndpointsOneEntry_RootSplitsNineToEight()
    {
        var rules = RouteTree.Build([(1, 17)]);
        Assert.Equal([null, "1", "2"], rules.Select(r => r.Hop));
        Assert.Equal([("1", 9), ("2", 8)], rules[0].Children.Select(c => (c.Hop!, c.Weight)));
        Assert.Equal(9, rules[1].Children.Count);
        Assert.All(rules[1].Children.Concat(rules[2].Children), c => Assert.Equal(1, c.Weight));
    }

    [Fact]
    public void Build_TwoEntries_RootSplitsByDeclaredWeights()
    {
        var rules = RouteTree.Build([(80, 16), (20, 1)]);
        // 80:20 reduced by GCD; the single-endpoint entry sits in the root, the other is one hop away.
        Assert.Equal(["hop 1 weight 4", "leaf 16 weight 1"], rules[0].Children.Select(c => c.Leaf is { } l ? $"leaf {l} weight {c.Weight}" : $"hop {c.Hop} weight {c.Weight}"));
        Assert.Equal(16, rules[1].Children.Count);
    }

    [Fact]
    public void Build_ExtremeEntryRatio_RootKeepsExactWeights()
    {
        var rules = RouteTree.Build([(1_000_000, 20), (3, 20)]);
        Assert.Equal([1_000_000, 3], rules[0].Children.Select(c => c.Weight));
    }

    [Theory]
    [InlineData(240, 16)]
    [InlineData(241, 17)]
    [InlineData(256, 17)]
    [InlineData(257, 20)]
    [InlineData(1000, 68)]
    [InlineData(4096, 273)]
    public void Build_OneEntry_RuleCountOfBalancedTree(int endpoints, int rules)
    {
        var built = RouteTree.Build([(1, endpoints)]);
        Assert.Equal(rules, built.Count);
        Assert.All(built, r => Assert.InRange(r.Children.Count, 1, RouteTree.FanOut));
        Assert.Equal(Enumerable.Range(0, endpoints).Select(i => (int?)i), built.SelectMany(r => r.Children).Where(c => c.Leaf is not null).Select(c => c.Leaf).Order());
        Assert.Equal(built.Count - 1, built.SelectMany(r => r.Children).Count(c => c.Hop is not null));
    }
}
