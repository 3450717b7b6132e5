// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using Modelplane.Apis.ModelDeployments;
using Modelplane.Functions.ModelDeployments;

namespace Modelplane.Scheduling.Tests.ModelDeployments;

/// <summary>Compiling a deployment's engines: pods per member, and selectors that do not compile.</summary>
public sealed class DeploymentPlanTests
{
    private static DeploymentTemplateSpec Spec(params Member[] members) =>
        new() { Engines = [new Engine { Name = "main", Copies = 3, Members = members }] };

    private static Member WithSelectors(MemberRole role, params string[] cels) => new()
    {
        Role = role,
        NodeSelector = new NodeSelector { Devices = [new DeviceSelection { Name = "gpu", Selectors = cels.Select(c => new CelSelector { Cel = c }).ToArray() }] },
    };

    [Fact]
    public void Of_InvalidSecondSelector_NamesItsFieldAndPosition()
    {
        var plan = DeploymentPlan.Of(Spec(WithSelectors(MemberRole.Standalone, "true", "this is ) not valid (")));
        var error = Assert.Single(plan.Errors);
        Assert.Equal("spec.template.spec.engines[0].members[0].nodeSelector.devices[0].selectors[1].cel", error.Field);
        Assert.Equal((1, 6), (error.Error.Line, error.Error.Column));
    }

    [Fact]
    public void Of_EveryInvalidSelector_IsReported()
    {
        var plan = DeploymentPlan.Of(Spec(WithSelectors(MemberRole.Leader, "("), WithSelectors(MemberRole.Worker, "device.driver ==")));
        Assert.Equal(2, plan.Errors.Count);
    }

    [Theory]
    [InlineData(MemberRole.Standalone, null, 1)]
    [InlineData(MemberRole.Leader, null, 1)]
    [InlineData(MemberRole.Worker, 3, 3)]
    [InlineData(MemberRole.Worker, null, 1)] // A Worker without a worker block is one pod per copy, as upstream counts it.
    public void Of_PodsPerCopy_FollowRoleAndWorkerNodes(MemberRole role, int? nodes, int want)
    {
        var member = WithSelectors(role, "true") with { Worker = nodes is null ? null : new WorkerSpec { Nodes = nodes } };
        var planned = Assert.Single(Assert.Single(DeploymentPlan.Of(Spec(member)).Engines).Members);
        Assert.Equal(want, planned.PodsPerCopy);
    }

    [Fact]
    public void Of_SameExpressionTwice_SharesOneCompiledProgram()
    {
        var first = DeploymentPlan.Of(Spec(WithSelectors(MemberRole.Standalone, "device.driver == \"cache.test\"")));
        var second = DeploymentPlan.Of(Spec(WithSelectors(MemberRole.Standalone, "device.driver == \"cache.test\"")));
        Assert.Same(first.Engines[0].Members[0].Requests[0].Programs[0], second.Engines[0].Members[0].Requests[0].Programs[0]);
    }
}
