// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using Modelplane.Functions.InferenceClasses;
using Modelplane.Testing;

namespace Modelplane.Scheduling.Tests.InferenceClasses;

/// <summary>The InferenceClass composer: accepted, or rejected for devices selectors cannot read.</summary>
public sealed class InferenceClassComposerTests
{
    public sealed record Case(string Name, string Reason, string Devices)
    {
        public override string ToString() => Name;
    }

    public static TheoryData<Case> Cases => new()
    {
        new("accepted-with-empty-status", "A valid class is Accepted, ready, with an empty status.", """
            - name: gpu
              claim: DRA
              driver: gpu.nvidia.com
              deviceClassName: gpu.nvidia.com
              count: 1
              capacity: {memory: {value: 24Gi}}
              attributes: {cudaComputeCapability: {version: 8.9.0}}
            """),
        new("bad-capacity-is-not-accepted", "A capacity that is not a quantity makes the class not Accepted, naming the device.", """
            - name: gpu
              driver: gpu.nvidia.com
              deviceClassName: gpu.nvidia.com
              capacity: {memory: {value: 24Go}}
            """),
        new("bad-version-is-not-accepted", "A version attribute that is not a semantic version makes the class not Accepted.", """
            - name: gpu
              driver: gpu.nvidia.com
              deviceClassName: gpu.nvidia.com
            - name: nic
              claim: Synthetic
              driver: nic.nvidia.com
              attributes: {firmware: {version: "9.0"}}
            """),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Compose(Case c)
    {
        var indented = string.Join("\n", c.Devices.Split('\n').Select(l => l.Length == 0 ? l : "    " + l));
        var xr = FunctionHost.Yaml($"""
            apiVersion: modelplane.ai/v1alpha1
            kind: InferenceClass
            metadata:
              name: gpu-l4
            spec:
              devices:
            {indented}
            """);
        Golden.Match(c.Name, c.Reason, FunctionHost.Run(FunctionHost.Request("inference-class", xr), InferenceClassComposer.Composer));
    }
}
