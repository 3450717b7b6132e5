// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Apiextensions.Fn.Proto.V1;
using Modelplane.Functions.VultrClusters;
using Modelplane.Testing;

namespace Modelplane.Provisioning.Tests.VultrClusters;

/// <summary>The VultrCluster composer end to end: whole responses against goldens.</summary>
public sealed class VultrClusterComposerTests
{
    private const string Ns = "modelplane-system";

    public const string Xr = """
        apiVersion: infrastructure.modelplane.ai/v1alpha1
        kind: VultrCluster
        metadata:
          name: test-cluster
          namespace: modelplane-system
        spec:
          region: ewr
          kubernetesVersion: "v1.36.1+3"
          nodePools:
          - name: l40s
            role: GPU
            plan: vcg-l40s-16c-180g-48vram
            nodeCount: 1
            maxNodeCount: 4
            gpu: {acceleratorType: nvidia-l40s}
        """;

    public static RunFunctionRequest Request(JsonObject? xr = null, Dictionary<string, JsonObject>? observed = null) =>
        FunctionHost.Request(VultrClusterComposer.Name, xr ?? FunctionHost.Yaml(Xr), new Dictionary<string, IReadOnlyList<JsonObject>>(), observed);

    private static JsonObject With(Action<JsonObject> edit)
    {
        var xr = FunctionHost.Yaml(Xr);
        edit(xr["spec"]!.AsObject());
        return xr;
    }

    private static JsonObject ObservedCluster(bool ready) =>
        Fixtures.Observed("vke.vultr.m.upbound.io/v1beta1", "Kubernetes", "test-cluster-v8k2c", Ns, ready: ready, externalName: "0c1b7a52-8f1e-4d7e-9b5c-2f6d1e3a4b5c");

    private static JsonObject ObservedPool(string name = "test-cluster-p3n9m") =>
        Fixtures.Observed("vke.vultr.m.upbound.io/v1beta1", "KubernetesNodePool", name, Ns, ready: true, externalName: "7d2e9f10-1a2b-4c3d-8e9f-0a1b2c3d4e5f");

    /// <summary>The GPU pool as it runs: what a Ready pass composed, with what Crossplane adds.</summary>
    private static JsonObject RunningGpuPool()
    {
        var spec = Fixtures.Desired(FunctionHost.Run(Request(observed: new Dictionary<string, JsonObject> { ["cluster"] = ObservedCluster(true) }), VultrClusterComposer.Composer))["node-pool-l40s"]["spec"]!.DeepClone().AsObject();
        spec["crossplane"] = new JsonObject { ["compositeRef"] = "x" };
        var pool = ObservedPool();
        pool["spec"] = spec;
        return pool;
    }

    /// <summary>Everything upstream's compose-vultr-cluster composed for test-cluster, as Crossplane observes it after a day of running.</summary>
    public static Dictionary<string, JsonObject> UpstreamObserved() => new(StringComparer.Ordinal)
    {
        ["cluster"] = ObservedCluster(true),
        ["node-pool-l40s"] = ObservedPool(),
        ["provider-config-kubernetes"] = Fixtures.Observed("kubernetes.m.crossplane.io/v1alpha1", "ProviderConfig", "test-cluster-kubeconfig-55b57", Ns),
        ["gpu-observer"] = Fixtures.Observed("kubernetes.m.crossplane.io/v1alpha1", "Object", "test-cluster-g5o2b", Ns, ready: true),
    };

    public static TheoryData<Case> Cases => new()
    {
        new("cluster-only-before-ready",
            "Before the cluster is Ready only the cluster (with its inline system pool) is composed.",
            Request()),
        new("ready-composes-pools-provider-config-and-observer",
            "Once the cluster is Ready the GPU pool (autoscaled 1 to 4, labelled and tainted), the ProviderConfig and the GPU-stack observer follow.",
            Request(observed: new Dictionary<string, JsonObject> { ["cluster"] = ObservedCluster(true) })),
        new("ready-flap-keeps-dependents",
            "A cluster that stops being Ready keeps its pools, ProviderConfig and observer, since they were already observed.",
            Request(observed: new Dictionary<string, JsonObject>
            {
                ["cluster"] = ObservedCluster(false),
                ["provider-config-kubernetes"] = Fixtures.Observed("kubernetes.m.crossplane.io/v1alpha1", "ProviderConfig", "test-cluster-kubeconfig-55b57", Ns),
            })),
        new("fixed-gpu-pool-and-system-pool",
            "A fixed GPU pool has nodeQuantity and no autoscaler; a System pool with bounds autoscales and has no taint or GPU label.",
            Request(With(s => s["nodePools"] = new JsonArray(
                FunctionHost.Yaml("{name: l40s, role: GPU, plan: vcg-l40s-16c-180g-48vram, nodeCount: 2, gpu: {acceleratorType: nvidia-l40s}}"),
                FunctionHost.Yaml("{name: cpu, role: System, plan: vc2-8c-32gb, nodeCount: 2, minNodeCount: 2, maxNodeCount: 5}"))),
                new Dictionary<string, JsonObject> { ["cluster"] = ObservedCluster(true) })),
        new("custom-credentials-on-every-cloud-resource",
            "A namespaced ProviderConfig is named on every Vultr resource, never on the workload ProviderConfig or the observer.",
            Request(With(s => s["credentials"] = new JsonObject { ["type"] = "ProviderConfig", ["name"] = "my-vultr-account" }),
                new Dictionary<string, JsonObject> { ["cluster"] = ObservedCluster(true) })),
        new("min-without-max-keeps-running-pool",
            "A minimum without a maximum is refused before Vultr would, saying how to fix it; the running pool is kept.",
            Request(With(s =>
            {
                s["nodePools"]![0]!.AsObject().Remove("maxNodeCount");
                s["nodePools"]![0]!["minNodeCount"] = 2;
            }), new Dictionary<string, JsonObject> { ["cluster"] = ObservedCluster(true), ["node-pool-l40s"] = RunningGpuPool() })),
        new("switch-over-from-upstream-adopts-everything",
            "With every resource upstream composed observed (same keys), every one is composed again and the observer's readiness is relayed.",
            Request(observed: UpstreamObserved())),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Compose(Case c) => Golden.Match(c.Name, c.Reason, FunctionHost.Run(c.Request, VultrClusterComposer.Composer));

    [Fact]
    public void SwitchOver_UpstreamObserved_EveryKeyStaysDesired()
    {
        var observed = UpstreamObserved();
        var desired = Fixtures.Desired(FunctionHost.Run(Request(observed: observed), VultrClusterComposer.Composer));
        Assert.Empty(observed.Keys.Except(desired.Keys));
    }
}
