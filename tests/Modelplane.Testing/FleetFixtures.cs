// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Apiextensions.Fn.Proto.V1;
using Modelplane.Sdk;

namespace Modelplane.Testing;

/// <summary>A realistic fleet for the scale test and the benchmark: N clusters of four pools running other deployments.</summary>
/// <remarks>
/// <para>
/// Objects look as Crossplane fetches them (uid, resourceVersion, generation, timestamps, finalizers,
/// <c>spec.crossplane</c> with composition refs and resource refs, Synced/Ready and our own conditions
/// with transition times), minus <c>managedFields</c>, which Crossplane's cache strips. Every cluster
/// has four pools of four classes (L40S, A100, H100, H200 with an InfiniBand NIC); the other
/// replicas (five per cluster for 5,000 over 1,000) are published by each cluster as its pools'
/// allocation, the way the InferenceCluster composer writes it. Nothing is random: cluster
/// <c>i</c>'s state is a function of <c>i</c>, so sizes and timings repeat.
/// </para>
/// <para>
/// The deployment asks for replicas of one Leader/Worker engine, both members selecting 8 GPUs of
/// compute capability above 8.9 with at least 75Gi each, so only the H100 and H200 pools qualify;
/// most of those are full, a few clusters are tainted or not Ready, and the scheduler has to look
/// past them.
/// </para>
/// </remarks>
public static class FleetFixtures
{
    public const string DeploymentName = "fleet-model";
    public const string DeploymentNamespace = "ml-team";

    private const string Timestamp = "2026-01-01T00:00:00Z";

    private static readonly (string Pool, string Class, int Nodes)[] Pools =
    [
        ("l40s", "l40s-48g", 4),
        ("a100", "a100-80g", 4),
        ("h100", "h100-80g", 2),
        ("h200", "h200-141g", 4),
    ];

    /// <summary>The RunFunctionRequest Crossplane sends to schedule <paramref name="replicas"/> replicas over the fleet.</summary>
    public static RunFunctionRequest ScheduleRequest(int clusters = 1000, int otherReplicas = 5000, int replicas = 10) =>
        FunctionHost.Request(
            "model-deployment",
            Deployment(replicas),
            new Dictionary<string, IReadOnlyList<JsonObject>>
            {
                ["clusters"] = Clusters(clusters, otherReplicas),
                ["classes"] = Classes(),
            });

    /// <summary>The deployment: CEL selectors on every member.</summary>
    public static JsonObject Deployment(int replicas) => FunctionHost.Yaml($"""
        apiVersion: modelplane.ai/v1alpha1
        kind: ModelDeployment
        metadata:
          name: {DeploymentName}
          namespace: {DeploymentNamespace}
          uid: 6a1f8c3e-0b6d-4f57-9d59-2f0b0c1c5e11
          generation: 1
        spec:
          replicas: {replicas}
          template:
            spec:
              engines:
              - name: main
                members:
                - role: Leader
                  nodeSelector:
                    devices:
                    - name: gpu
                      count: 8
                      selectors:
                      - cel: device.driver == "gpu.nvidia.com"
                      - cel: device.capacity["gpu.nvidia.com"].memory.compareTo(quantity("75Gi")) >= 0
                      - cel: device.attributes["gpu.nvidia.com"].cudaComputeCapability.isGreaterThan(semver("8.9.0"))
                  template:
                    spec:
                      containers:
                      - name: engine
                        image: vllm/vllm-openai:v0.23.0
                        command: [vllm, serve, deepseek-ai/DeepSeek-V3, --tensor-parallel-size=8, --pipeline-parallel-size=2]
                - role: Worker
                  worker:
                    nodes: 1
                  nodeSelector:
                    devices:
                    - name: gpu
                      count: 8
                      selectors:
                      - cel: device.driver == "gpu.nvidia.com"
                      - cel: device.capacity["gpu.nvidia.com"].memory.compareTo(quantity("75Gi")) >= 0
                      - cel: device.attributes["gpu.nvidia.com"].cudaComputeCapability.isGreaterThan(semver("8.9.0"))
                  template:
                    spec:
                      containers:
                      - name: engine
                        image: vllm/vllm-openai:v0.23.0
                        command: [vllm, serve, deepseek-ai/DeepSeek-V3, --headless]
        """);

    /// <summary>The four InferenceClasses every pool names.</summary>
    public static IReadOnlyList<JsonObject> Classes() =>
    [
        Class("l40s-48g", "NVIDIA L40S", "Ada", "8.9.0", "46068Mi", nic: false),
        Class("a100-80g", "NVIDIA A100-SXM4-80GB", "Ampere", "8.0.0", "81920Mi", nic: true),
        Class("h100-80g", "NVIDIA H100 80GB HBM3", "Hopper", "9.0.0", "81559Mi", nic: true),
        Class("h200-141g", "NVIDIA H200", "Hopper", "9.0.0", "143771Mi", nic: true),
    ];

    private static JsonObject Class(string name, string product, string architecture, string capability, string memory, bool nic)
    {
        var devices = new JsonArray(new JsonObject
        {
            ["name"] = "gpu",
            ["claim"] = "DRA",
            ["driver"] = "gpu.nvidia.com",
            ["deviceClassName"] = "gpu.nvidia.com",
            ["count"] = 8,
            ["attributes"] = new JsonObject
            {
                ["productName"] = new JsonObject { ["string"] = product },
                ["architecture"] = new JsonObject { ["string"] = architecture },
                ["cudaComputeCapability"] = new JsonObject { ["version"] = capability },
                ["driverVersion"] = new JsonObject { ["version"] = "570.124.6" },
            },
            ["capacity"] = new JsonObject { ["memory"] = new JsonObject { ["value"] = memory } },
        });
        if (nic)
        {
            devices.Add((JsonNode)new JsonObject
            {
                ["name"] = "ib",
                ["claim"] = "Synthetic",
                ["driver"] = "nic.nvidia.com",
                ["count"] = 8,
                ["attributes"] = new JsonObject { ["linkType"] = new JsonObject { ["string"] = "infiniband" } },
            });
        }
        return new JsonObject
        {
            ["apiVersion"] = "modelplane.ai/v1alpha1",
            ["kind"] = "InferenceClass",
            ["metadata"] = Metadata(name, null, null),
            ["spec"] = new JsonObject { ["description"] = $"{product} nodes, 8 GPUs each", ["devices"] = devices },
            ["status"] = new JsonObject { ["conditions"] = new JsonArray(Condition("Synced", "ReconcileSuccess"), Condition("Ready", "Available"), Condition("Accepted", "Available")) },
        };
    }

    /// <summary>The clusters, with <paramref name="otherReplicas"/> replicas of other deployments spread over them and published as allocation.</summary>
    public static IReadOnlyList<JsonObject> Clusters(int clusters, int otherReplicas)
    {
        var list = new List<JsonObject>(clusters);
        for (var i = 0; i < clusters; i++)
        {
            list.Add(Cluster(i, clusters, otherReplicas));
        }
        return list;
    }

    private static JsonObject Cluster(int i, int clusters, int otherReplicas)
    {
        var name = $"gpu-{Region(i)}-{i:D4}";
        // Replica r of the others runs on cluster r % clusters; on each cluster they fill the H200
        // pool and H100 pool first (whole-node 8-GPU pods in pairs), then the A100 and L40S pools.
        var here = Enumerable.Range(0, otherReplicas).Where(r => r % clusters == i).ToArray();
        var allocations = Pools.ToDictionary(p => p.Pool, _ => (Replicas: new List<string>(), Pods: 0), StringComparer.Ordinal);
        var spare = i % 25 == 7; // One cluster in 25 keeps its Hopper pools free.
        foreach (var (r, k) in here.Select((r, k) => (r, k)))
        {
            var pool = spare ? (k % 2 == 0 ? "a100" : "l40s") : Pools[3 - (k % 4)].Pool;
            var (counted, pods) = allocations[pool];
            counted.Add($"team-{r % 97:D2}/model-{r % 331:D3}-{Hash($"{r}")}@{1 + (r % 3)}");
            allocations[pool] = (counted, pods + 2);
        }
        var gpuPools = new JsonArray();
        foreach (var (pool, cls, nodes) in Pools)
        {
            var (counted, pods) = allocations[pool];
            var allocated = new JsonObject();
            if (counted.Count > 0)
            {
                allocated["replicas"] = new JsonArray([.. counted.Order(StringComparer.Ordinal).Select(c => (JsonNode)JsonValue.Create(c))]);
                allocated["pods"] = new JsonArray(new JsonObject { ["devices"] = new JsonObject { ["gpu.nvidia.com"] = 8 }, ["count"] = pods });
            }
            gpuPools.Add((JsonNode)new JsonObject { ["name"] = pool, ["className"] = cls, ["nodes"] = nodes, ["allocated"] = allocated });
        }

        var ready = i % 97 != 13;
        var spec = new JsonObject
        {
            ["cluster"] = new JsonObject
            {
                ["source"] = "Existing",
                ["existing"] = new JsonObject { ["secretRef"] = new JsonObject { ["name"] = $"{name}-kubeconfig", ["key"] = "kubeconfig" } },
            },
            ["nodePools"] = new JsonArray([.. Pools.Select(p => (JsonNode)new JsonObject { ["name"] = p.Pool, ["className"] = p.Class, ["nodeCount"] = p.Nodes })]),
            ["crossplane"] = new JsonObject
            {
                ["compositionRef"] = new JsonObject { ["name"] = "inferenceclusters.modelplane.ai" },
                ["compositionRevisionRef"] = new JsonObject { ["name"] = "inferenceclusters.modelplane.ai-4f1c2d9" },
                ["compositionUpdatePolicy"] = "Automatic",
                ["resourceRefs"] = new JsonArray(
                    new JsonObject { ["apiVersion"] = "kubernetes.m.crossplane.io/v1alpha1", ["kind"] = "ClusterProviderConfig", ["name"] = $"{name}-cluster-kubeconfig-{Hash(name + "k")}" },
                    new JsonObject { ["apiVersion"] = "infrastructure.modelplane.ai/v1alpha1", ["kind"] = "ServingStack", ["name"] = $"{name}-serving-stack-{Hash(name + "s")}", ["namespace"] = "modelplane-system" },
                    new JsonObject { ["apiVersion"] = "protection.crossplane.io/v1beta1", ["kind"] = "ClusterUsage", ["name"] = $"{name}-{Hash(name + "u")}" }),
            },
        };
        if (i % 50 == 21)
        {
            spec["taints"] = new JsonArray(new JsonObject { ["key"] = "modelplane.ai/maintenance", ["value"] = "on", ["effect"] = "NoSchedule" });
        }
        var status = new JsonObject
        {
            ["conditions"] = new JsonArray(
                Condition("Synced", "ReconcileSuccess"),
                ready ? Condition("Ready", "Available") : Condition("Ready", "Creating", "False"),
                Condition("ClusterReady", "ClusterRunning"),
                ready ? Condition("BackendReady", "BackendHealthy") : Condition("BackendReady", "Installing", "False")),
            ["providerConfigRef"] = new JsonObject { ["name"] = $"{name}-cluster-kubeconfig-{Hash(name + "k")}" },
            ["namespace"] = "modelplane-system",
            ["gpuPools"] = gpuPools,
        };
        if (ready)
        {
            status["gateway"] = new JsonObject { ["address"] = $"10.{i / 250}.{i % 250}.10" };
        }
        return new JsonObject
        {
            ["apiVersion"] = "modelplane.ai/v1alpha1",
            ["kind"] = "InferenceCluster",
            ["metadata"] = Metadata(name, new Dictionary<string, string> { ["modelplane.ai/region"] = Region(i), ["tier"] = "prod" }, ["composite.apiextensions.crossplane.io"]),
            ["spec"] = spec,
            ["status"] = status,
        };
    }

    /// <summary>What upstream would ask for instead: every ModelReplica in the fleet, each as the ModelDeployment composer writes it.</summary>
    public static IReadOnlyList<JsonObject> AllReplicasUpstreamWouldFetch(int clusters, int otherReplicas) =>
        Enumerable.Range(0, otherReplicas).Select(r =>
        {
            var cluster = $"gpu-{Region(r % clusters)}-{r % clusters:D4}";
            var deployment = $"model-{r % 331:D3}";
            return FunctionHost.Yaml($"""
                apiVersion: modelplane.ai/v1alpha1
                kind: ModelReplica
                metadata:
                  name: {deployment}-{Hash($"{r}")}
                  namespace: team-{r % 97:D2}
                  uid: {Guidish(r)}
                  resourceVersion: "{100000 + r}"
                  generation: {1 + (r % 3)}
                  creationTimestamp: "{Timestamp}"
                  labels:
                    crossplane.io/composite: {deployment}
                    modelplane.ai/deployment: {deployment}
                    modelplane.ai/cluster: {cluster}
                    modelplane.ai/replica-index: "0"
                  ownerReferences:
                  - apiVersion: modelplane.ai/v1alpha1
                    kind: ModelDeployment
                    name: {deployment}
                    uid: {Guidish(r + 1)}
                    controller: true
                    blockOwnerDeletion: true
                spec:
                  clusterName: {cluster}
                  engines:
                  - name: main
                    copies: 1
                    members:
                    - role: Leader
                      nodePoolName: h200
                      deviceRequests:
                      - name: gpu
                        deviceClassName: gpu.nvidia.com
                        count: 8
                        selectors:
                        - cel: device.capacity["gpu.nvidia.com"].memory.compareTo(quantity("75Gi")) >= 0
                      template:
                        spec:
                          containers:
                          - name: engine
                            image: vllm/vllm-openai:v0.23.0
                            command: [vllm, serve, meta-llama/Llama-3.1-405B-Instruct, --tensor-parallel-size=8, --pipeline-parallel-size=2]
                    - role: Worker
                      nodePoolName: h200
                      worker:
                        nodes: 1
                      deviceRequests:
                      - name: gpu
                        deviceClassName: gpu.nvidia.com
                        count: 8
                        selectors:
                        - cel: device.capacity["gpu.nvidia.com"].memory.compareTo(quantity("75Gi")) >= 0
                      template:
                        spec:
                          containers:
                          - name: engine
                            image: vllm/vllm-openai:v0.23.0
                            command: [vllm, serve, meta-llama/Llama-3.1-405B-Instruct, --headless]
                  crossplane:
                    compositionRef:
                      name: modelreplicas.modelplane.ai
                    resourceRefs:
                    - apiVersion: kubernetes.m.crossplane.io/v1alpha2
                      kind: Object
                      name: {deployment}-{Hash($"{r}w")}
                status:
                  conditions:
                  - type: Synced
                    status: "True"
                    reason: ReconcileSuccess
                    lastTransitionTime: "{Timestamp}"
                  - type: Ready
                    status: "True"
                    reason: Available
                    lastTransitionTime: "{Timestamp}"
                """);
        }).ToArray();

    /// <summary>Serialised size of a message, as it travels on the wire.</summary>
    public static int Bytes(Google.Protobuf.IMessage message) => message.CalculateSize();

    private static string Region(int i) => (i % 4) switch
    {
        0 => "us-east",
        1 => "us-west",
        2 => "eu-west",
        _ => "ap-south",
    };

    private static JsonObject Metadata(string name, Dictionary<string, string>? labels, string[]? finalizers)
    {
        var metadata = new JsonObject
        {
            ["name"] = name,
            ["uid"] = Guidish(name.GetHashCode(StringComparison.Ordinal) & 0x7fffffff),
            ["resourceVersion"] = (1_000_000 + (Hash(name).GetHashCode(StringComparison.Ordinal) & 0xfffff)).ToString(CultureInfo.InvariantCulture),
            ["generation"] = 2,
            ["creationTimestamp"] = Timestamp,
        };
        if (labels is not null)
        {
            metadata["labels"] = new JsonObject([.. labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => KeyValuePair.Create(l.Key, (JsonNode?)JsonValue.Create(l.Value)))]);
        }
        if (finalizers is not null)
        {
            metadata["finalizers"] = new JsonArray([.. finalizers.Select(f => (JsonNode)JsonValue.Create(f))]);
        }
        return metadata;
    }

    private static JsonObject Condition(string type, string reason, string status = "True") => new()
    {
        ["type"] = type,
        ["status"] = status,
        ["reason"] = reason,
        ["lastTransitionTime"] = Timestamp,
        ["observedGeneration"] = 2,
    };

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..5];

    private static string Guidish(int seed)
    {
        var hex = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(seed.ToString(CultureInfo.InvariantCulture))));
        return $"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..32]}";
    }

    /// <summary>The same request, sized: every required object as the composer would receive it.</summary>
    public static (int Request, int Response, RunFunctionResponse Answer) Measure(RunFunctionRequest request, Composer composer)
    {
        var response = FunctionHost.Run(request, composer);
        return (Bytes(request), Bytes(response), response);
    }
}
