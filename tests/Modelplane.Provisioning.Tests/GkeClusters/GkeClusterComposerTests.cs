// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Apiextensions.Fn.Proto.V1;
using Modelplane.Functions.GkeClusters;
using Modelplane.Testing;

namespace Modelplane.Provisioning.Tests.GkeClusters;

/// <summary>The GKECluster composer end to end: whole responses against goldens.</summary>
public sealed class GkeClusterComposerTests
{
    private const string Ns = "modelplane-system";

    public const string Xr = """
        apiVersion: infrastructure.modelplane.ai/v1alpha1
        kind: GKECluster
        metadata:
          name: test-cluster
          namespace: modelplane-system
        spec:
          region: us-central1
          kubernetesVersion: "1.35"
          nodePools:
          - name: a100
            role: GPU
            machineType: a2-highgpu-8g
            diskSizeGb: 100
            nodeCount: 1
            minNodeCount: 0
            maxNodeCount: 8
            gpu: {acceleratorType: nvidia-tesla-a100, acceleratorCount: 8}
            zones: [us-central1-a, us-central1-c]
        """;

    public static JsonObject ProviderConfig(string kind = "ClusterProviderConfig", string name = "default") => FunctionHost.Yaml($$"""
        apiVersion: gcp.m.upbound.io/v1beta1
        kind: {{kind}}
        metadata: {name: {{name}}}
        spec:
          projectID: my-gcp-project
          credentials: {source: Secret}
        """);

    public static RunFunctionRequest Request(JsonObject? xr = null, bool config = true, Dictionary<string, JsonObject>? observed = null) =>
        FunctionHost.Request(GkeClusterComposer.Name, xr ?? FunctionHost.Yaml(Xr),
            new Dictionary<string, IReadOnlyList<JsonObject>> { [GkeClusterComposer.ProviderConfigRequirement] = config ? [ProviderConfig()] : [] },
            observed);

    private static JsonObject With(Action<JsonObject> edit)
    {
        var xr = FunctionHost.Yaml(Xr);
        edit(xr["spec"]!.AsObject());
        return xr;
    }

    private static JsonObject ObservedCluster() => Fixtures.Observed("container.gcp.m.upbound.io/v1beta1", "Cluster", "test-cluster-8vq2x", Ns, ready: true,
        spec: new JsonObject { ["forProvider"] = new JsonObject { ["location"] = "us-central1", ["workloadIdentityConfig"] = new JsonObject { ["workloadPool"] = "my-gcp-project.svc.id.goog" } } },
        externalName: "test-cluster-8vq2x");

    /// <summary>Everything upstream's compose-gke-cluster composed for test-cluster, as Crossplane observes it after a day of running.</summary>
    public static Dictionary<string, JsonObject> UpstreamObserved()
    {
        JsonObject Mr(string group, string kind, string name, JsonObject? status = null, JsonObject? spec = null) =>
            Fixtures.Observed($"{group}/v1beta1", kind, name, Ns, ready: true, status: status, externalName: name, spec: spec);
        return new Dictionary<string, JsonObject>(StringComparer.Ordinal)
        {
            ["network"] = Mr("compute.gcp.m.upbound.io", "Network", "test-cluster-k2j9d"),
            ["projectservice-filestore"] = Mr("cloudplatform.gcp.m.upbound.io", "ProjectService", "test-cluster-r7t1m"),
            ["subnet"] = Mr("compute.gcp.m.upbound.io", "Subnetwork", "test-cluster-w3n8c"),
            ["cluster"] = ObservedCluster(),
            ["nodepool-system"] = Mr("container.gcp.m.upbound.io", "NodePool", "test-cluster-p5x2z"),
            ["nodepool-a100"] = Mr("container.gcp.m.upbound.io", "NodePool", "test-cluster-h4v6q"),
            ["service-account"] = Mr("cloudplatform.gcp.m.upbound.io", "ServiceAccount", "test-cluster-b8c3f",
                status: new JsonObject { ["atProvider"] = new JsonObject { ["email"] = "test-cluster-b8c3f@my-gcp-project.iam.gserviceaccount.com" } }),
            ["service-account-key"] = Mr("cloudplatform.gcp.m.upbound.io", "ServiceAccountKey", "test-cluster-m1d7s"),
            ["iam-binding"] = Mr("cloudplatform.gcp.m.upbound.io", "ProjectIAMMember", "test-cluster-y9g4l"),
            ["provider-config-kubernetes"] = Fixtures.Observed("kubernetes.m.crossplane.io/v1alpha1", "ProviderConfig", "test-cluster-kubeconfig-55b57", Ns),
            ["provider-config-helm"] = Fixtures.Observed("helm.m.crossplane.io/v1beta1", "ProviderConfig", "test-cluster-kubeconfig-55b57", Ns),
            ["storage-class-rwx"] = Fixtures.Observed("kubernetes.m.crossplane.io/v1alpha1", "Object", "test-cluster-q2e5r", Ns, ready: true),
        };
    }

    public static TheoryData<Case> Cases => new()
    {
        new("first-pass-composes-infrastructure",
            "The first pass composes network, cluster, system and GPU pools, service account and key, and the workload ProviderConfigs; the IAM binding and StorageClass wait.",
            Request()),
        new("observed-account-and-network-compose-binding-and-storage-class",
            "Once GCP reports the service account's email and the VPC's name, the IAM binding and the Filestore StorageClass follow, and observed Ready resources are marked ready.",
            Request(observed: new Dictionary<string, JsonObject>
            {
                ["service-account"] = Fixtures.Observed("cloudplatform.gcp.m.upbound.io/v1beta1", "ServiceAccount", "test-cluster-b8c3f", Ns, ready: true,
                    status: new JsonObject { ["atProvider"] = new JsonObject { ["email"] = "test-cluster-b8c3f@my-gcp-project.iam.gserviceaccount.com" } }),
                ["network"] = Fixtures.Observed("compute.gcp.m.upbound.io/v1beta1", "Network", "test-cluster-abc12", Ns, ready: true, externalName: "test-cluster-abc12"),
            })),
        new("custom-credentials-on-every-cloud-resource",
            "A namespaced ProviderConfig is required from the XR's namespace and named on every GCP resource, never on the workload ProviderConfigs.",
            FunctionHost.Request(GkeClusterComposer.Name,
                With(s => s["credentials"] = new JsonObject { ["type"] = "ProviderConfig", ["name"] = "my-gcp-account" }),
                new Dictionary<string, IReadOnlyList<JsonObject>> { [GkeClusterComposer.ProviderConfigRequirement] = [ProviderConfig("ProviderConfig", "my-gcp-account")] })),
        new("system-pool-and-unbounded-defaults",
            "A System pool gets only the pool label; sizes left out take the XRD's defaults (start 1, scale 0 to 8).",
            Request(With(s => s["nodePools"] = new JsonArray(new JsonObject { ["name"] = "cpu", ["role"] = "System", ["machineType"] = "n2-standard-8" })))),
        new("provider-config-gone-keeps-project",
            "Without the GCP config the project of the running cluster is kept, so nothing is replaced.",
            Request(config: false, observed: new Dictionary<string, JsonObject> { ["cluster"] = ObservedCluster() })),
        new("provider-config-never-found-waits",
            "Without a config and without a cluster there is no project: nothing new is composed, what runs is kept.",
            Request(config: false, observed: new Dictionary<string, JsonObject>
            {
                ["network"] = Fixtures.Observed("compute.gcp.m.upbound.io/v1beta1", "Network", "test-cluster-abc12", Ns, ready: true, externalName: "test-cluster-abc12",
                    spec: new JsonObject { ["forProvider"] = new JsonObject { ["autoCreateSubnetworks"] = false }, ["crossplane"] = new JsonObject { ["compositeRef"] = "x" } }),
            })),
        new("zone-outside-region-keeps-running-pool",
            "A pool zone outside the region is a Warning and a False NodePoolsValid condition; the pool already running is kept as it is.",
            Request(With(s => s["nodePools"]![0]!["zones"] = new JsonArray("us-east1-b")), observed: new Dictionary<string, JsonObject>
            {
                ["nodepool-a100"] = Fixtures.Observed("container.gcp.m.upbound.io/v1beta1", "NodePool", "test-cluster-h4v6q", Ns, ready: true, externalName: "test-cluster-h4v6q",
                    spec: new JsonObject { ["forProvider"] = new JsonObject { ["nodeLocations"] = new JsonArray("us-central1-a") } }),
            })),
        new("accelerator-count-the-machine-lacks",
            "An a2-highgpu-8g pool asking for 4 accelerators is rejected before GCP would, naming the count the machine has.",
            Request(With(s => s["nodePools"]![0]!["gpu"]!["acceleratorCount"] = 4))),
        new("switch-over-from-upstream-adopts-everything",
            "With every resource upstream composed observed (same keys, generated and external names), every one is composed again: nothing is deleted or recreated.",
            Request(observed: UpstreamObserved())),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Compose(Case c) => Golden.Match(c.Name, c.Reason, FunctionHost.Run(c.Request, GkeClusterComposer.Composer));

    [Fact]
    public void SwitchOver_UpstreamObserved_EveryKeyStaysDesired()
    {
        var observed = UpstreamObserved();
        var desired = Fixtures.Desired(FunctionHost.Run(Request(observed: observed), GkeClusterComposer.Composer));
        Assert.Empty(observed.Keys.Except(desired.Keys));
        // A name we set must be the one upstream set, or Crossplane would create a second resource.
        foreach (var (key, resource) in desired)
        {
            if (resource["metadata"]?["name"] is JsonValue name)
            {
                Assert.Equal(observed[key]["metadata"]!["name"]!.GetValue<string>(), name.GetValue<string>());
            }
        }
    }

    [Theory]
    [InlineData("a3-highgpu-8g", 8)]
    [InlineData("a2-megagpu-16g", 16)]
    [InlineData("a2-highgpu-1g", 1)]
    [InlineData("g2-standard-48", 4)]
    [InlineData("g2-standard-24", 2)]
    [InlineData("n1-standard-8", null)]
    [InlineData("g2-standard-6", null)]
    public void GceAcceleratorCount_MachineType_FixedCountOrNone(string machine, int? want) =>
        Assert.Equal(want, AcceleratorShapes.GceAcceleratorCount(machine));
}
