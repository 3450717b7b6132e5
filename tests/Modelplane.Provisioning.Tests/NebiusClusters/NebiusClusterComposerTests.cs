// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Apiextensions.Fn.Proto.V1;
using Modelplane.Functions.NebiusClusters;
using Modelplane.Testing;

namespace Modelplane.Provisioning.Tests.NebiusClusters;

/// <summary>The NebiusCluster composer end to end: whole responses against goldens.</summary>
public sealed class NebiusClusterComposerTests
{
    private const string Ns = "modelplane-system";

    public const string Xr = """
        apiVersion: infrastructure.modelplane.ai/v1alpha1
        kind: NebiusCluster
        metadata:
          name: test-cluster
          namespace: modelplane-system
        spec:
          kubernetesVersion: "1.34"
          nodePools:
          - name: h100
            role: GPU
            platform: gpu-h100-sxm
            preset: 8gpu-128vcpu-1600gb
            diskSizeGb: 200
            nodeCount: 1
            maxNodeCount: 4
            gpu: {acceleratorType: nvidia-h100, driversPreset: cuda13.0}
        """;

    public static JsonObject ProviderConfig(string kind = "ClusterProviderConfig", string name = "default", string? ns = null) => FunctionHost.Yaml($$"""
        apiVersion: nebius.m.upbound.io/v1beta1
        kind: {{kind}}
        metadata: {name: {{name}}{{(ns is null ? "" : $", namespace: {ns}")}}}
        spec:
          projectID: project-e00abc
          credentials:
            source: Secret
            secretRef: {{(ns is null ? "{namespace: crossplane-system, name: nebius-creds, key: credentials.json}" : "{name: nebius-creds, key: credentials.json}")}}
        """);

    public static RunFunctionRequest Request(JsonObject? xr = null, JsonObject? config = null, bool noConfig = false, Dictionary<string, JsonObject>? observed = null) =>
        FunctionHost.Request(NebiusClusterComposer.Name, xr ?? FunctionHost.Yaml(Xr),
            new Dictionary<string, IReadOnlyList<JsonObject>> { [NebiusClusterComposer.ProviderConfigRequirement] = noConfig ? [] : [config ?? ProviderConfig()] },
            observed);

    private static JsonObject With(Action<JsonObject> edit)
    {
        var xr = FunctionHost.Yaml(Xr);
        edit(xr["spec"]!.AsObject());
        return xr;
    }

    private static JsonObject Mr(string group, string kind, string name, bool ready = true, JsonObject? spec = null) =>
        Fixtures.Observed($"{group}/v1beta1", kind, name, Ns, ready: ready, externalName: name, spec: spec);

    private static JsonObject ObservedProviderConfig() => FunctionHost.Yaml("""
        apiVersion: kubernetes.m.crossplane.io/v1alpha1
        kind: ProviderConfig
        metadata: {name: test-cluster-kubeconfig-55b57, namespace: modelplane-system}
        spec:
          credentials:
            source: Secret
            secretRef: {name: test-cluster-kubeconfig-55b57, namespace: modelplane-system, key: kubeconfig}
          identity:
            type: NebiusServiceAccountCredentials
            source: Secret
            secretRef: {name: nebius-creds, namespace: crossplane-system, key: credentials.json}
        """);

    /// <summary>The GPU node group as it runs: what the first pass composed, with what Crossplane adds.</summary>
    private static JsonObject RunningGpuPool()
    {
        var spec = Fixtures.Desired(FunctionHost.Run(Request(), NebiusClusterComposer.Composer))["nodegroup-h100"]["spec"]!.DeepClone().AsObject();
        spec["crossplane"] = new JsonObject { ["compositeRef"] = "x" };
        return Mr("mk8s.nebius.m.upbound.io", "NodeGroup", "test-cluster-n4g7h", spec: spec);
    }

    /// <summary>Everything upstream's compose-nebius-cluster composed for test-cluster (one InfiniBand GPU pool), as Crossplane observes it after a day of running.</summary>
    public static Dictionary<string, JsonObject> UpstreamObserved() => new(StringComparer.Ordinal)
    {
        ["network"] = Mr("vpc.nebius.m.upbound.io", "Network", "test-cluster-w2k8d"),
        ["subnet"] = Mr("vpc.nebius.m.upbound.io", "Subnet", "test-cluster-s5p1q"),
        ["cluster"] = Mr("mk8s.nebius.m.upbound.io", "Cluster", "test-cluster-c9m3x"),
        ["filesystem"] = Mr("compute.nebius.m.upbound.io", "Filesystem", "test-cluster-f6v2b"),
        ["cloud-init"] = Fixtures.Observed("v1", "Secret", "test-cluster-cloud-init-fd2f2", Ns),
        ["gpu-cluster-fabric-2"] = Mr("compute.nebius.m.upbound.io", "GpuCluster", "test-cluster-g1r8z"),
        ["nodegroup-system"] = Mr("mk8s.nebius.m.upbound.io", "NodeGroup", "test-cluster-y3t6n"),
        ["nodegroup-h100"] = Mr("mk8s.nebius.m.upbound.io", "NodeGroup", "test-cluster-n4g7h"),
        ["release-csi-mounted-fs-path"] = Fixtures.Observed("helm.m.crossplane.io/v1beta1", "Release", "test-cluster-r2c5s", Ns, ready: true),
        ["storage-class-rwx-fs"] = Fixtures.Observed("kubernetes.m.crossplane.io/v1alpha1", "Object", "test-cluster-o7k4w", Ns, ready: true),
        ["provider-config-kubernetes"] = ObservedProviderConfig(),
        ["provider-config-helm"] = Fixtures.Observed("helm.m.crossplane.io/v1beta1", "ProviderConfig", "test-cluster-kubeconfig-55b57", Ns),
    };

    private static JsonObject InfiniBand(JsonObject spec)
    {
        spec["nodePools"]![0]!["fabric"] = new JsonObject { ["type"] = "InfiniBand", ["infiniband"] = new JsonObject { ["fabric"] = "fabric-2" } };
        return spec;
    }

    public static TheoryData<Case> Cases => new()
    {
        new("first-pass-autoscales-from-max",
            "The first pass composes network, subnet, cluster, cache filesystem, cloud-init, system and GPU node groups and the workload ProviderConfigs with the config's credentials; an autoscaled group's minimum defaults to nodeCount.",
            Request()),
        new("provider-config-not-fetched-gates-credentials-not-infrastructure",
            "Before the Nebius config is fetched the infrastructure is composed, but not the ProviderConfigs, nor the credentials entry of the status.",
            Request(noConfig: true)),
        new("provider-config-gone-keeps-credentials",
            "When the config disappears, the credentials the composed ProviderConfig carries are kept and said so.",
            Request(noConfig: true, observed: new Dictionary<string, JsonObject> { ["provider-config-kubernetes"] = ObservedProviderConfig() })),
        new("fixed-infiniband-pool-composes-gpu-cluster",
            "A fixed group on an InfiniBand fabric gets fixedNodeCount and the fabric's GPU cluster, selected by label.",
            Request(With(s =>
            {
                InfiniBand(s);
                s["nodePools"]![0]!.AsObject().Remove("maxNodeCount");
                s["nodePools"]![0]!["nodeCount"] = 2;
            }))),
        new("observed-cluster-composes-csi-and-storage-class",
            "Once the cluster is observed the mounted-filesystem CSI driver and the StorageClass follow; observed Ready resources are marked ready.",
            Request(observed: new Dictionary<string, JsonObject> { ["cluster"] = Mr("mk8s.nebius.m.upbound.io", "Cluster", "test-cluster-c9m3x") })),
        new("custom-credentials-on-every-cloud-resource",
            "A namespaced ProviderConfig is required from the XR's namespace and named on every Nebius resource; its Secret is in its own namespace, so the status entry carries no other.",
            Request(With(s => s["credentials"] = new JsonObject { ["type"] = "ProviderConfig", ["name"] = "my-nebius-account" }),
                ProviderConfig("ProviderConfig", "my-nebius-account", Ns))),
        new("min-without-max-keeps-running-pool",
            "A minimum without a maximum is refused before Nebius would, saying how to fix it; the running group is kept.",
            Request(With(s =>
            {
                s["nodePools"]![0]!.AsObject().Remove("maxNodeCount");
                s["nodePools"]![0]!["minNodeCount"] = 1;
            }), observed: new Dictionary<string, JsonObject> { ["nodegroup-h100"] = RunningGpuPool() })),
        new("switch-over-from-upstream-adopts-everything",
            "With every resource upstream composed observed (same keys and names), every one is composed again: nothing is deleted or recreated.",
            Request(With(s => InfiniBand(s)), observed: UpstreamObserved())),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Compose(Case c) => Golden.Match(c.Name, c.Reason, FunctionHost.Run(c.Request, NebiusClusterComposer.Composer));

    [Fact]
    public void SwitchOver_UpstreamObserved_EveryKeyStaysWithItsName()
    {
        var observed = UpstreamObserved();
        var desired = Fixtures.Desired(FunctionHost.Run(Request(With(s => InfiniBand(s)), observed: observed), NebiusClusterComposer.Composer));
        Assert.Empty(observed.Keys.Except(desired.Keys));
        foreach (var (key, resource) in desired)
        {
            if (resource["metadata"]?["name"] is JsonValue name && observed.TryGetValue(key, out var was))
            {
                Assert.Equal(was["metadata"]!["name"]!.GetValue<string>(), name.GetValue<string>());
            }
        }
    }
}
