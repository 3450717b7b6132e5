// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Apiextensions.Fn.Proto.V1;
using Modelplane.Functions.AksClusters;
using Modelplane.Testing;

namespace Modelplane.Provisioning.Tests.AksClusters;

/// <summary>The AKSCluster composer end to end: whole responses against goldens.</summary>
public sealed class AksClusterComposerTests
{
    private const string Ns = "modelplane-system";

    public const string Xr = """
        apiVersion: infrastructure.modelplane.ai/v1alpha1
        kind: AKSCluster
        metadata:
          name: test-cluster
          namespace: modelplane-system
        spec:
          location: westeurope
          kubernetesVersion: "1.34"
          nodePools:
          - name: h100pool
            role: GPU
            vmSize: Standard_ND96isr_H100_v5
            diskSizeGb: 200
            nodeCount: 1
            minNodeCount: 1
            maxNodeCount: 4
            gpu: {acceleratorType: nvidia-h100}
            fabric: None
        """;

    public static RunFunctionRequest Request(JsonObject? xr = null, Dictionary<string, JsonObject>? observed = null) =>
        FunctionHost.Request(AksClusterComposer.Name, xr ?? FunctionHost.Yaml(Xr), new Dictionary<string, IReadOnlyList<JsonObject>>(), observed);

    private static JsonObject With(Action<JsonObject> edit)
    {
        var xr = FunctionHost.Yaml(Xr);
        edit(xr["spec"]!.AsObject());
        return xr;
    }

    private static JsonObject Mr(string group, string kind, string name, bool ready = true, JsonObject? spec = null, string? externalName = null) =>
        Fixtures.Observed($"{group}/v1beta1", kind, name, Ns, ready: ready, externalName: externalName ?? name, spec: spec);

    private static JsonObject ObservedCluster() => Mr("containerservice.azure.m.upbound.io", "KubernetesCluster", "modelplane-system-test-cluster-aks-1173e");

    /// <summary>The GPU pool as it runs: what the first pass composed, with what Crossplane adds.</summary>
    private static JsonObject RunningGpuPool()
    {
        var spec = Fixtures.Desired(FunctionHost.Run(Request(), AksClusterComposer.Composer))["nodepool-h100pool"]["spec"]!.DeepClone().AsObject();
        spec["crossplane"] = new JsonObject { ["compositeRef"] = "x" };
        return Mr("containerservice.azure.m.upbound.io", "KubernetesClusterNodePool", "test-cluster-k8v2p", spec: spec, externalName: "h100pool");
    }

    /// <summary>Everything upstream's compose-aks-cluster composed for test-cluster (one InfiniBand GPU pool), as Crossplane observes it after a day of running.</summary>
    public static Dictionary<string, JsonObject> UpstreamObserved() => new(StringComparer.Ordinal)
    {
        ["resource-group"] = Mr("azure.m.upbound.io", "ResourceGroup", "modelplane-system-test-cluster-aks-1173e"),
        ["virtual-network"] = Mr("network.azure.m.upbound.io", "VirtualNetwork", "test-cluster-v4n8q"),
        ["subnet"] = Mr("network.azure.m.upbound.io", "Subnet", "test-cluster-s2b6w"),
        ["cluster"] = ObservedCluster(),
        ["nodepool-h100pool"] = Mr("containerservice.azure.m.upbound.io", "KubernetesClusterNodePool", "test-cluster-k8v2p", externalName: "h100pool"),
        ["release-network-operator"] = Fixtures.Observed("helm.m.crossplane.io/v1beta1", "Release", "test-cluster-r1n5t", Ns, ready: true),
        ["storage-class-rwx-fs"] = Fixtures.Observed("kubernetes.m.crossplane.io/v1alpha1", "Object", "test-cluster-p7f3z", Ns, ready: true),
        ["provider-config-kubernetes"] = Fixtures.Observed("kubernetes.m.crossplane.io/v1alpha1", "ProviderConfig", "test-cluster-kubeconfig-55b57", Ns),
        ["provider-config-helm"] = Fixtures.Observed("helm.m.crossplane.io/v1beta1", "ProviderConfig", "test-cluster-kubeconfig-55b57", Ns),
    };

    public static TheoryData<Case> Cases => new()
    {
        new("first-pass-composes-infrastructure",
            "The first pass composes the resource group, VNet, subnet, cluster with its system pool, the GPU pool and the workload ProviderConfigs; the StorageClass waits for the cluster.",
            Request()),
        new("zones-pass-through",
            "A pool's zones are set on its node pool.",
            Request(With(s => s["nodePools"]![0]!["zones"] = new JsonArray("1")))),
        new("infiniband-pool-with-cluster-composes-network-operator",
            "An InfiniBand pool on an observed cluster gets the NVIDIA network operator; the Azure Files StorageClass follows the cluster; observed Ready resources are marked ready.",
            Request(With(s => s["nodePools"]![0]!["fabric"] = "InfiniBand"), new Dictionary<string, JsonObject> { ["cluster"] = ObservedCluster() })),
        new("infiniband-pool-before-cluster-waits",
            "Before the cluster is observed neither the network operator nor the StorageClass is composed.",
            Request(With(s => s["nodePools"]![0]!["fabric"] = "InfiniBand"))),
        new("custom-credentials-on-every-cloud-resource",
            "A namespaced ProviderConfig is named on every Azure resource, never on the workload ProviderConfigs.",
            Request(With(s => s["credentials"] = new JsonObject { ["type"] = "ProviderConfig", ["name"] = "my-azure-account" }))),
        new("pool-name-aks-refuses-keeps-running-pool",
            "A pool with a name AKS refuses (over 12 characters, a dash) is a Warning and a False NodePoolsValid condition naming the rule and a name that works; the running pool still applies.",
            Request(With(s => s["nodePools"]!.AsArray().Add(FunctionHost.Yaml("{name: h100-pool-west, role: GPU, vmSize: Standard_ND96isr_H100_v5, gpu: {acceleratorType: nvidia-h100}}"))),
                new Dictionary<string, JsonObject> { ["nodepool-h100pool"] = RunningGpuPool() })),
        new("min-above-max-keeps-running-pool",
            "A minimum above the maximum is refused before Azure would; the running node pool is kept.",
            Request(With(s => s["nodePools"]![0]!["minNodeCount"] = 6), new Dictionary<string, JsonObject> { ["nodepool-h100pool"] = RunningGpuPool() })),
        new("switch-over-from-upstream-adopts-everything",
            "With every resource upstream composed observed (same keys, names and external names), every one is composed again: nothing is deleted or recreated.",
            Request(With(s => s["nodePools"]![0]!["fabric"] = "InfiniBand"), UpstreamObserved())),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Compose(Case c) => Golden.Match(c.Name, c.Reason, FunctionHost.Run(c.Request, AksClusterComposer.Composer));

    [Fact]
    public void SwitchOver_UpstreamObserved_EveryKeyStaysWithItsNames()
    {
        var observed = UpstreamObserved();
        var desired = Fixtures.Desired(FunctionHost.Run(Request(With(s => s["nodePools"]![0]!["fabric"] = "InfiniBand"), observed), AksClusterComposer.Composer));
        Assert.Empty(observed.Keys.Except(desired.Keys));
        foreach (var (key, resource) in desired)
        {
            if (resource["metadata"]?["name"] is JsonValue name && observed.TryGetValue(key, out var was))
            {
                Assert.Equal(was["metadata"]!["name"]!.GetValue<string>(), name.GetValue<string>());
            }
            if (resource["metadata"]?["annotations"]?["crossplane.io/external-name"] is JsonValue external && observed.TryGetValue(key, out var before))
            {
                Assert.Equal(before["metadata"]!["annotations"]!["crossplane.io/external-name"]!.GetValue<string>(), external.GetValue<string>());
            }
        }
    }

    [Theory]
    [InlineData("h100pool", true)]
    [InlineData("a", true)]
    [InlineData("gpu12345678x", true)]
    [InlineData("gpu123456789x", false)]
    [InlineData("h100-pool", false)]
    [InlineData("H100", false)]
    [InlineData("1gpu", false)]
    [InlineData("", false)]
    public void IsPoolName_AksRule(string name, bool want) => Assert.Equal(want, AksClusterComposer.IsPoolName(name));

    [Theory]
    [InlineData("h100-pool-west", "h100poolwest")]
    [InlineData("H100_Pool", "h100pool")]
    [InlineData("8x-h100", "xh100")]
    [InlineData("---", "gpupool")]
    public void Suggest_InvalidName_ANameAksTakes(string name, string want)
    {
        Assert.Equal(want, AksClusterComposer.Suggest(name));
        Assert.True(AksClusterComposer.IsPoolName(want));
    }

    [Fact]
    public void ClusterName_FoldsNamespaceIn_UpstreamsName() =>
        Assert.Equal("modelplane-system-test-cluster-aks-1173e", AksClusterComposer.ClusterName("modelplane-system", "test-cluster"));
}
