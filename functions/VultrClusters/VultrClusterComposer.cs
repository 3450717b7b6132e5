// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json;
using System.Text.Json.Nodes;
using Modelplane.Apis.CloudClusters;
using Modelplane.Apis.VultrClusters;
using Modelplane.Provisioning;
using Modelplane.Sdk;
using static Modelplane.Provisioning.ManagedResources;

namespace Modelplane.Functions.VultrClusters;

/// <summary>Composes a Vultr Kubernetes Engine cluster for inference from Upbound's Vultr provider.</summary>
/// <remarks>
/// <para>
/// The cluster (labelled with the XR's name, highly available control planes) carries its system
/// pool inline; its connection Secret is a kubeconfig with static client certificates. Node pools,
/// the provider-kubernetes ProviderConfig and a GPU-stack observer follow once the cluster is Ready,
/// or once any of them is observed, so a cluster that briefly stops being Ready never loses them.
/// </para>
/// <para>
/// Each pool is labelled <c>modelplane.ai/pool=&lt;name&gt;</c>; GPU pools also carry
/// <c>modelplane.ai/gpu</c> and the <c>nvidia.com/gpu=true:NoSchedule</c> taint. A pool is fixed at
/// nodeCount, or autoscaled when it has a maximum. The observer watches the GPU operator's validator
/// DaemonSet and is Ready only when it runs on every node it should, so the VultrCluster is not Ready
/// before GPUs can be scheduled. Vultr offers no ReadWriteMany storage usable from GPU nodes, so no
/// cache class is published. A pool we cannot build as written keeps what runs.
/// </para>
/// </remarks>
public static class VultrClusterComposer
{
    public const string Name = "vultr-cluster";

    public static Composer Composer { get; } = new(Name, Compose, "VultrCluster.infrastructure.modelplane.ai");

    public const string NodePoolsValid = "NodePoolsValid";
    private const string ReasonInvalidNodePool = "InvalidNodePool";
    private const string ReasonValid = "Valid";

    // Desired-resource keys, upstream's literals.
    public const string ClusterKey = "cluster";
    public const string KubernetesProviderConfigKey = "provider-config-kubernetes";
    public const string GpuObserverKey = "gpu-observer";

    public static string PoolKey(string pool) => $"node-pool-{pool}";

    private const string VkeApiVersion = "vke.vultr.m.upbound.io/v1beta1";
    private const string PoolLabel = "modelplane.ai/pool";
    private const string GpuLabel = "modelplane.ai/gpu";

    // Ready once the validator runs on every node it is scheduled to, and on at least one.
    private const string ValidatorReady = "has(object.status.numberReady) && object.status.desiredNumberScheduled >= 1 && object.status.numberReady == object.status.desiredNumberScheduled";

    public static Composition Compose(FunctionRequest req)
    {
        var xr = req.ReadComposite(VultrClusterJsonContext.Default.VultrCluster);
        var spec = xr.Spec ?? new VultrClusterSpec();
        var name = req.Name;
        var ns = req.Namespace ?? "";
        var credentials = spec.Credentials;
        var kubeconfig = ChildName.Of(name, "kubeconfig");
        var resources = new Dictionary<string, DesiredResource>(StringComparer.Ordinal);
        void Add(string key, JsonObject resource) => resources[key] = ReadyWhenObserved(req, key, resource);

        Add(ClusterKey, Cloud(VkeApiVersion, "Kubernetes", credentials, new JsonObject
        {
            ["label"] = name,
            ["region"] = spec.Region,
            ["version"] = spec.KubernetesVersion ?? VultrClusterSpec.DefaultKubernetesVersion,
            ["haControlplanes"] = true,
            ["nodePools"] = new JsonObject
            {
                ["label"] = "system",
                ["plan"] = "vc2-6c-16gb",
                ["nodeQuantity"] = 1,
                ["autoScaler"] = true,
                ["minNodes"] = 1,
                ["maxNodes"] = 2,
                ["labels"] = new JsonArray(Label(PoolLabel, "system")),
            },
        }, spec: new JsonObject { ["writeConnectionSecretToRef"] = new JsonObject { ["name"] = kubeconfig } }));

        // Dependents wait for the cluster, but once any exists a Ready flap never removes them.
        var clusterReady = req.Observed.TryGetValue(ClusterKey, out var cluster) && cluster.IsReady;
        var dependents = clusterReady || req.Observed.ContainsKey(KubernetesProviderConfigKey)
            || req.Observed.Keys.Any(k => k.StartsWith("node-pool-", StringComparison.Ordinal));
        var problems = new List<string>();
        if (dependents)
        {
            var specPools = new HashSet<string>(StringComparer.Ordinal);
            foreach (var pool in spec.NodePools ?? [])
            {
                var key = PoolKey(pool.Name ?? "");
                specPools.Add(key);
                if (PoolProblem(pool) is { } problem)
                {
                    problems.Add(problem);
                    if (Kept.Observed(req, key) is { } kept)
                    {
                        resources[key] = kept;
                    }
                    continue;
                }
                Add(key, NodePool(pool, credentials));
            }
            resources[KubernetesProviderConfigKey] = DesiredResource.Of(WorkloadCluster.ProviderConfig(WorkloadCluster.KubernetesApiVersion, kubeconfig, ns), ready: true);
            Add(GpuObserverKey, new JsonObject
            {
                ["apiVersion"] = WorkloadCluster.KubernetesApiVersion,
                ["kind"] = "Object",
                ["metadata"] = new JsonObject { ["namespace"] = ns },
                ["spec"] = new JsonObject
                {
                    ["managementPolicies"] = new JsonArray("Observe"),
                    ["providerConfigRef"] = new JsonObject { ["kind"] = "ProviderConfig", ["name"] = kubeconfig },
                    ["readiness"] = new JsonObject { ["policy"] = "DeriveFromCelQuery", ["celQuery"] = ValidatorReady },
                    ["forProvider"] = new JsonObject
                    {
                        ["manifest"] = new JsonObject
                        {
                            ["apiVersion"] = "apps/v1",
                            ["kind"] = "DaemonSet",
                            ["metadata"] = new JsonObject { ["name"] = "nvidia-operator-validator", ["namespace"] = "gpu-operator" },
                        },
                    },
                },
            });
        }
        else
        {
            foreach (var pool in spec.NodePools ?? [])
            {
                if (PoolProblem(pool) is { } problem)
                {
                    problems.Add(problem);
                }
            }
        }

        var conditions = new List<Condition>();
        var results = new List<Result>();
        if (problems.Count > 0)
        {
            var message = string.Join("; ", problems);
            conditions.Add(Condition.False(NodePoolsValid, ReasonInvalidNodePool, message));
            results.Add(Result.Warning(message));
        }
        else
        {
            conditions.Add(Condition.True(NodePoolsValid, ReasonValid));
        }

        return new Composition
        {
            Resources = resources,
            Status = (JsonObject)JsonSerializer.SerializeToNode(new VultrClusterStatus
            {
                Secrets = [new ClusterSecret { Type = ClusterSecret.Kubeconfig, Name = kubeconfig, Key = WorkloadCluster.KubeconfigKey }],
            }, VultrClusterJsonContext.Default.VultrClusterStatus)!,
            Conditions = conditions,
            Results = results,
        };
    }

    /// <summary>Why a pool cannot be composed as written (input the XRD rejects when it is applied), or null.</summary>
    internal static string? PoolProblem(VultrNodePool pool)
    {
        var at = $"spec.nodePools[{pool.Name}]";
        if (pool.Role == PoolRole.GPU && pool.Gpu?.AcceleratorType is not { Length: > 0 })
        {
            return $"{at}.gpu is required when role is GPU; set gpu.acceleratorType";
        }
        if (pool.MinNodeCount is not null && pool.MaxNodeCount is null)
        {
            return $"{at}.minNodeCount needs maxNodeCount; set maxNodeCount to autoscale, or drop minNodeCount for a fixed pool";
        }
        if (pool.MaxNodeCount is { } max && (pool.MinNodeCount ?? pool.NodeCount ?? VultrNodePool.DefaultNodeCount) is var min && min > max)
        {
            return $"{at}: the lower bound {min} is above maxNodeCount {max}; lower minNodeCount (or nodeCount) or raise maxNodeCount";
        }
        return null;
    }

    private static JsonObject NodePool(VultrNodePool pool, ClusterCredentials? credentials)
    {
        var gpu = pool.Role == PoolRole.GPU && pool.Gpu is not null;
        var nodeCount = pool.NodeCount ?? VultrNodePool.DefaultNodeCount;
        var labels = new JsonArray(Label(PoolLabel, pool.Name ?? ""));
        if (gpu)
        {
            labels.Add((JsonNode)Label(GpuLabel, pool.Gpu!.AcceleratorType ?? ""));
        }
        var forProvider = new JsonObject
        {
            ["label"] = pool.Name,
            ["plan"] = pool.Plan,
            ["nodeQuantity"] = nodeCount,
            ["labels"] = labels,
            ["clusterIdSelector"] = ControllerSelector(),
        };
        if (gpu)
        {
            forProvider["taints"] = new JsonArray(new JsonObject { ["key"] = "nvidia.com/gpu", ["value"] = "true", ["effect"] = "NoSchedule" });
        }
        if (pool.MaxNodeCount is { } max)
        {
            forProvider["autoScaler"] = true;
            forProvider["minNodes"] = pool.MinNodeCount ?? nodeCount;
            forProvider["maxNodes"] = max;
        }
        return Cloud(VkeApiVersion, "KubernetesNodePool", credentials, forProvider);
    }

    private static JsonObject Label(string key, string value) => new() { ["key"] = key, ["value"] = value };
}
