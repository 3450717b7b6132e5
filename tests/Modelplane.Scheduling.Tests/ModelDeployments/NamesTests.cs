// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using Modelplane.Apis.InferenceClusters;
using Modelplane.Apis.ModelDeployments;
using Modelplane.Functions.ModelDeployments;
using Modelplane.Sdk;

namespace Modelplane.Scheduling.Tests.ModelDeployments;

/// <summary>Replica names, taint matching and the scheduler's explanation: small pure helpers.</summary>
public sealed class NamesTests
{
    [Theory]
    [InlineData("my-model", "cluster-a", "0", "my-model-5ab63")]
    [InlineData("my-model", "cluster-a", "1", "my-model-609c5")]
    [InlineData("my-model", "cluster-b", "0", "my-model-f0b76")]
    public void ChildNameOpaque_UpstreamExamples_Match(string deployment, string cluster, string index, string want) =>
        Assert.Equal(want, ChildName.Opaque(deployment, cluster, index));

    [Fact]
    public void ChildNameOpaque_LongName_CutTo57AndTrailingDashDropped()
    {
        var visible = new string('a', 56) + "-bcdef";
        var name = ChildName.Opaque(visible, "c", "0");
        Assert.Equal(new string('a', 56) + "-" + name[^5..], name);
        Assert.True(name.Length <= 63);
    }

    [Fact]
    public void ChildNameOpaque_DiscriminatorsAreHashedNotShown() =>
        Assert.DoesNotContain("cluster-a", ChildName.Opaque("my-model", "cluster-a", "0"), StringComparison.Ordinal);

    private static TaintToleration Tol(string? key, TolerationOperator? op = null, string? value = null, TaintEffect? effect = null) =>
        new() { Key = key, Operator = op, Value = value, Effect = effect };

    private static readonly Taint Maintenance = new() { Key = "maintenance", Value = "on", Effect = TaintEffect.NoSchedule };

    public static TheoryData<string, TaintToleration, bool> TolerationRows => new()
    {
        { "Exists on the key", Tol("maintenance", TolerationOperator.Exists), true },
        { "Exists on another key", Tol("other", TolerationOperator.Exists), false },
        { "keyless Exists", Tol(null, TolerationOperator.Exists), true },
        { "Equal with the value", Tol("maintenance", TolerationOperator.Equal, "on"), true },
        { "Equal by default", Tol("maintenance", value: "on"), true },
        { "Equal with another value", Tol("maintenance", TolerationOperator.Equal, "off"), false },
        { "Equal without a value against a valued taint", Tol("maintenance", TolerationOperator.Equal), false },
        { "matching effect", Tol("maintenance", TolerationOperator.Exists, effect: TaintEffect.NoSchedule), true },
        { "other effect", Tol("maintenance", TolerationOperator.Exists, effect: TaintEffect.NoExecute), false },
    };

    [Theory]
    [MemberData(nameof(TolerationRows))]
    public void Tolerates_Rows(string row, TaintToleration toleration, bool want) =>
        Assert.True(want == Tolerations.Tolerates(toleration, Maintenance), row);

    [Fact]
    public void Describe_TaintWithAndWithoutValue()
    {
        Assert.Equal("maintenance=on:NoSchedule", Tolerations.Describe(Maintenance));
        Assert.Equal("drain:NoExecute", Tolerations.Describe(new Taint { Key = "drain", Effect = TaintEffect.NoExecute }));
    }

    [Fact]
    public void Summary_GroupsByReason_MostCommonFirst()
    {
        Rejection[] rejections =
        [
            new("e", "untolerated taint drain:NoSchedule"),
            new("a", "no pool matches device gpu (selector 1)"),
            new("d", "not enough room in pool h100 (needs 2 pods, room for 1)"),
            new("c", "no pool matches device gpu (selector 1)"),
            new("b", "no pool matches device gpu (selector 1)"),
        ];
        Assert.Equal(
            "5 clusters: 3 no pool matches device gpu (selector 1); 1 not enough room in pool h100 (needs 2 pods, room for 1); 1 untolerated taint drain:NoSchedule",
            Explanation.Summary(rejections));
        var first = Explanation.Status(rejections)[0];
        Assert.Equal(3, first.Clusters);
        Assert.Equal(["a", "b", "c"], first.Examples!);
    }

    [Fact]
    public void Status_ListsAtMostThreeExamples()
    {
        var rejections = Enumerable.Range(0, 5).Select(i => new Rejection($"c{i}", "not Ready")).ToArray();
        Assert.Equal(["c0", "c1", "c2"], Explanation.Status(rejections)[0].Examples!);
    }
}
