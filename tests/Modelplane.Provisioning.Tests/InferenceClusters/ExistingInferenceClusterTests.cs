// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Apiextensions.Fn.Proto.V1;
using Modelplane.Functions.InferenceClusters;
using Modelplane.Sdk;
using Modelplane.Testing;

namespace Modelplane.Provisioning.Tests.InferenceClusters;

/// <summary>The InferenceCluster composer end to end: whole responses against goldens.</summary>
public sealed class ExistingInferenceClusterTests
{
    public sealed record Case(string Name, string Reason, Func<RunFunctionRequest> Request)
    {
        public override string ToString() => Name;
    }

    private const string Existing = """
        apiVersion: modelplane.ai/v1alpha1
        kind: InferenceCluster
        metadata:
          name: test-cluster
        spec:
          cluster:
            source: Existing
            existing:
              secretRef:
                name: my-kubeconfig
                key: kubeconfig
          nodePools:
          - name: l4-pool
            className: gpu-l4
            nodeCount: 2
            maxNodeCount: 4
        """;

    private const string Class = """
        apiVersion: modelplane.ai/v1alpha1
        kind: InferenceClass
        metadata:
          name: gpu-l4
        spec:
          devices:
          - name: gpu
            claim: DRA
            driver: gpu.nvidia.com
            deviceClassName: gpu.nvidia.com
            count: 1
            capacity:
              memory:
                value: 23034Mi
        """;

    private static JsonObject Cluster(string yaml = Existing) => FunctionHost.Yaml(yaml);

    private static JsonObject WithSpec(string path, JsonNode value, string yaml = Existing)
    {
        var cluster = Cluster(yaml);
        var node = cluster["spec"]!.AsObject();
        var parts = path.Split('.');
        foreach (var part in parts[..^1])
        {
            node = (node[part] ??= new JsonObject()).AsObject();
        }
        node[parts[^1]] = value;
        return cluster;
    }

    private static Dictionary<string, IReadOnlyList<JsonObject>> Required(IReadOnlyList<JsonObject>? replicas = null, bool classResolved = true, params string[] classNames)
    {
        var required = new Dictionary<string, IReadOnlyList<JsonObject>>(StringComparer.Ordinal);
        if (replicas is not null)
        {
            required[InferenceClusterComposer.ReplicasKey] = replicas;
        }
        if (classResolved)
        {
            foreach (var name in classNames.Length == 0 ? ["gpu-l4"] : classNames)
            {
                required[InferenceClusterComposer.ClassKey(name)] = [FunctionHost.Yaml(Class.Replace("gpu-l4", name, StringComparison.Ordinal))];
            }
        }
        return required;
    }

    private static RunFunctionRequest Request(JsonObject cluster, Dictionary<string, IReadOnlyList<JsonObject>> required, Dictionary<string, JsonObject>? observed = null) =>
        FunctionHost.Request("inference-cluster", cluster, required, observed);

    /// <summary>A ModelReplica pinned to test-cluster, as the ModelDeployment composer writes it.</summary>
    private static JsonObject Replica(string ns, string name, string engines, string cluster = "test-cluster", long generation = 1) => FunctionHost.Yaml($"""
        apiVersion: modelplane.ai/v1alpha1
        kind: ModelReplica
        metadata:
          name: {name}
          namespace: {ns}
          generation: {generation}
          labels:
            modelplane.ai/cluster: test-cluster
        spec:
          clusterName: {cluster}
          engines:
        {engines}
        """);

    private const string Standalone = """
          - name: main
            copies: 2
            members:
            - role: Standalone
              nodePoolName: l4-pool
              deviceRequests:
              - {name: gpu, deviceClassName: gpu.nvidia.com, count: 1, selectors: [{cel: "true"}]}
              template: {spec: {containers: [{name: engine, image: vllm}]}}
        """;

    private const string GangWithClaimlessLeader = """
          - name: main
            members:
            - role: Leader
              nodePoolName: l4-pool
              template: {spec: {containers: [{name: engine, image: vllm}]}}
            - role: Worker
              nodePoolName: l4-pool
              worker: {nodes: 3}
              deviceRequests:
              - {name: gpu, deviceClassName: gpu.nvidia.com, count: 1, selectors: [{cel: "true"}]}
              template: {spec: {containers: [{name: engine, image: vllm}]}}
        """;

    private const string OnMissingPool = """
          - name: main
            members:
            - role: Standalone
              nodePoolName: gone
              deviceRequests:
              - {name: gpu, deviceClassName: gpu.nvidia.com, count: 1, selectors: [{cel: "true"}]}
              template: {spec: {containers: [{name: engine, image: vllm}]}}
        """;

    private const string OneGpu = """
          - name: main
            members:
            - role: Standalone
              nodePoolName: l4-pool
              deviceRequests:
              - {name: gpu, deviceClassName: gpu.nvidia.com, count: 1, selectors: [{cel: "true"}]}
              template: {spec: {containers: [{name: engine, image: vllm}]}}
        """;

    // A one-node pool of one GPU, optionally with the allocation this cluster published last.
    private static JsonObject OneNodeCluster(params string[] countedBefore)
    {
        var cluster = WithSpec("nodePools", new JsonArray(new JsonObject { ["name"] = "l4-pool", ["className"] = "gpu-l4", ["nodeCount"] = 1 }));
        if (countedBefore.Length > 0)
        {
            cluster["status"] = new JsonObject
            {
                ["gpuPools"] = new JsonArray(new JsonObject
                {
                    ["name"] = "l4-pool",
                    ["allocated"] = new JsonObject { ["replicas"] = new JsonArray([.. countedBefore.Select(c => (JsonNode)JsonValue.Create(c))]) },
                }),
            };
        }
        return cluster;
    }

    private static JsonObject Created(JsonObject replica, string timestamp)
    {
        replica["metadata"]!["creationTimestamp"] = timestamp;
        return replica;
    }

    private static JsonObject ServingStack(bool ready, string? address) => FunctionHost.Yaml($$"""
        apiVersion: infrastructure.modelplane.ai/v1alpha1
        kind: ServingStack
        metadata: {name: test-cluster-serving-stack-fd00b, namespace: modelplane-system}
        spec:
          secrets:
          - type: Kubeconfig
            name: my-kubeconfig
            key: kubeconfig
          crossplane:
            compositionRef:
              name: servingstacks.infrastructure.modelplane.ai
        status:
          conditions: [{type: Ready, status: "{{(ready ? "True" : "False")}}", reason: Available, lastTransitionTime: "2026-01-01T00:00:00Z"}]
        {{(address is null ? "" : $"  gateway: {{address: {address}}}")}}
        """);

    public static TheoryData<Case> Cases => new()
    {
        new("existing-composes-provider-config-and-serving-stack",
            "An Existing cluster composes its ClusterProviderConfig and ServingStack and publishes its pools at their maximum size.",
            () => Request(Cluster(), Required([]))),
        new("existing-threads-identity-type",
            "An identity Secret adds a typed identity to the provider config and a second Secret to the ServingStack.",
            () => Request(WithSpec("cluster.existing.identitySecretRef", new JsonObject { ["name"] = "nebius-creds", ["key"] = "credentials.json", ["type"] = "NebiusServiceAccountCredentials" }), Required([]))),
        new("existing-identity-defaults",
            "An identity Secret without type or key is a Google service account key under private_key.",
            () => Request(WithSpec("cluster.existing.identitySecretRef", new JsonObject { ["name"] = "gcp-sa" }), Required([]))),
        new("backend-ready-publishes-gateway",
            "Once the ServingStack is Ready with a gateway, the address is published and the backend is healthy.",
            () => Request(Cluster(), Required([]), new Dictionary<string, JsonObject> { ["serving-stack"] = ServingStack(true, "34.55.100.10") })),
        new("existing-cache-class-published",
            "The admin's RWX StorageClass for model caches is published.",
            () => Request(WithSpec("cluster.existing.cache", new JsonObject { ["storageClassName"] = "nfs-rwx" }), Required([]))),
        new("replicas-compose-deletion-guard-and-allocation",
            "Replicas pinned here compose the ClusterUsage guard, and each pool publishes the pods they claim and which replicas it counted.",
            () => Request(Cluster(), Required([
                Replica("team-a", "qwen-5ab63", Standalone),
                Replica("team-b", "kimi-0c1d2", GangWithClaimlessLeader, generation: 3),
            ]))),
        new("no-replicas-leaves-cluster-deletable",
            "With no replicas pinned here there is no guard and the pools publish an empty allocation.",
            () => Request(Cluster(), Required([]))),
        new("replicas-not-fetched-leave-allocation-unknown",
            "Until the replicas are fetched the pools publish no allocation, so no deployment places on them.",
            () => Request(Cluster(), Required(null))),
        new("replicas-elsewhere-count-nowhere",
            "A replica pinned to a pool this cluster lacks, or to another cluster, is not counted.",
            () => Request(Cluster(), Required([
                Replica("team-a", "lost-11111", OnMissingPool),
                Replica("team-a", "moved-22222", Standalone, cluster: "other-cluster"),
            ]))),
        new("missing-class-still-connects-cluster",
            "A class that is not there yet is reported, while the connection, guard and status are still composed.",
            () => Request(Cluster(), Required([Replica("team-a", "qwen-5ab63", Standalone)], classResolved: false))),
        new("cloud-source-without-class-block",
            "A Nebius cluster whose class has no Nebius block: the pool says what to add, ClusterReady is False with the same fix, nothing is provisioned and the cluster is never Ready.",
            () => Request(WithSpec("cluster", new JsonObject { ["source"] = "Nebius", ["nebius"] = new JsonObject() }),
                Required([Replica("team-a", "qwen-5ab63", Standalone)]))),
        new("source-switch-keeps-running-connection",
            "Switching a connected cluster to EKS, whose class has no EKS block yet, keeps its provider config and ServingStack running.",
            () => Request(WithSpec("cluster", new JsonObject { ["source"] = "EKS", ["eks"] = new JsonObject { ["region"] = "us-west-2" } }),
                Required([Replica("team-a", "qwen-5ab63", Standalone)]),
                new Dictionary<string, JsonObject>
                {
                    ["serving-stack"] = ServingStack(true, "34.55.100.10"),
                    ["cluster-provider-config-kubernetes"] = FunctionHost.Yaml("""
                        apiVersion: kubernetes.m.crossplane.io/v1alpha1
                        kind: ClusterProviderConfig
                        metadata: {name: test-cluster-cluster-kubeconfig-d0f89, uid: 0d7f, resourceVersion: "42"}
                        spec:
                          credentials:
                            source: Secret
                            secretRef: {namespace: modelplane-system, name: my-kubeconfig, key: kubeconfig}
                        status: {users: 3}
                        """),
                })),
        new("existing-without-secret-is-invalid",
            "An Existing source without a kubeconfig Secret names the missing field.",
            () => Request(WithSpec("cluster", new JsonObject { ["source"] = "Existing" }), Required([]))),
        new("overcommitted-pool-names-later-placement",
            "Two replicas counted onto a one-node pool: False PoolsWithinSize names pool, demand and size, and the one not counted before is published as the later placement.",
            () => Request(OneNodeCluster("team-a/qwen-5ab63@1"), Required([
                Replica("team-a", "qwen-5ab63", OneGpu),
                Replica("team-b", "kimi-0c1d2", OneGpu),
            ]))),
        new("overcommit-later-placement-by-creation-time",
            "Neither replica was counted before: the one created later is the later placement.",
            () => Request(OneNodeCluster(), Required([
                Created(Replica("team-a", "qwen-5ab63", OneGpu), "2026-01-01T00:00:00Z"),
                Created(Replica("team-b", "kimi-0c1d2", OneGpu), "2026-01-01T00:05:00Z"),
            ]))),
        new("overcommit-stays-named-after-recount",
            "A replica named as the later placement stays the later one once counted, until it moves.",
            () =>
            {
                var cluster = OneNodeCluster("team-a/qwen-5ab63@1", "team-b/kimi-0c1d2@1");
                cluster["status"]!["gpuPools"]![0]!["allocated"]!["overcommitted"] = new JsonArray("team-b/kimi-0c1d2@1");
                return Request(cluster, Required([Replica("team-a", "qwen-5ab63", OneGpu), Replica("team-b", "kimi-0c1d2", OneGpu)]));
            }),
        new("fixed-pool-publishes-node-count",
            "A fixed pool publishes its node count; an unset count is one node.",
            () => Request(WithSpec("nodePools", new JsonArray(
                new JsonObject { ["name"] = "fixed", ["className"] = "gpu-l4", ["nodeCount"] = 3 },
                new JsonObject { ["name"] = "unset", ["className"] = "gpu-l4" })), Required([]))),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Compose(Case c) => Golden.Match(c.Name, c.Reason, FunctionHost.Run(c.Request(), InferenceClusterComposer.Composer));

    [Theory]
    [InlineData(new[] { "test-cluster", "cluster-kubeconfig" }, "test-cluster-cluster-kubeconfig-d0f89")]
    [InlineData(new[] { "test-cluster", "serving-stack" }, "test-cluster-serving-stack-fd00b")]
    [InlineData(new[] { "test-cluster", "kubeconfig" }, "test-cluster-kubeconfig-55b57")]
    [InlineData(new[] { "modelplane-system", "test-cluster", "eks" }, "modelplane-system-test-cluster-eks-0865f")]
    [InlineData(new[] { "test-cluster", "private-subnet-us-west-2a" }, "test-cluster-private-subnet-us-west-2a-6a89f")]
    public void ChildName_UpstreamExamples_Match(string[] parts, string want) => Assert.Equal(want, ChildName.Of(parts));

    [Fact]
    public void ChildName_LongParts_StayADnsLabel()
    {
        var name = ChildName.Of(new string('x', 70), "serving-stack");
        Assert.Equal(63, name.Length);
        Assert.Equal(new string('x', 57), name[..57]);
    }
}
