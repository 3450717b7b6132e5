// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Modelplane.Apis.InferenceClusters;
using Modelplane.Sdk;

namespace Modelplane.Functions.InferenceClusters;

/// <summary>One reason a node pool is not applied as written.</summary>
internal sealed record PoolProblem(string Pool, string Message, string Reason);

/// <summary>The pools a provisioned cluster XR gets this pass, what the scheduler is told about them, and why any is not as written.</summary>
/// <remarks>
/// Every pool that can be built is applied. One that cannot (its class is missing or lacks this
/// cloud's block, or the cloud would reject it) is reported and, if the cluster XR already has it,
/// kept exactly as it runs: upstream dropped the whole cluster XR, which deletes every pool. A pool
/// whose new size is below what its replicas claim keeps its running size, and a pool removed from
/// the spec while replicas still claim it stays (<see cref="PoolGuard"/>); each says which
/// deployments hold it. Until the replicas are fetched, every running pool counts as held.
/// </remarks>
internal sealed record PoolPlan(IReadOnlyList<JsonObject> ClusterPools, IReadOnlyList<GpuPool> Published, IReadOnlyList<PoolProblem> Problems, IReadOnlyList<string> Applied)
{
    public static PoolPlan Of(FunctionRequest req, InferenceCluster ic, ClusterSpec cluster, CloudSource cloud)
    {
        var name = req.Name;
        var pools = ic.Spec?.NodePools ?? [];
        var classes = InferenceClusterComposer.Classes(req, pools.Select(p => p.ClassName).OfType<string>().Distinct(StringComparer.Ordinal));
        var running = RunningPools(req, cloud.Key);
        var previous = (ic.Status?.GpuPools ?? []).Where(p => p.Name is not null).GroupBy(p => p.Name!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var resolved = req.Required.IsResolved(InferenceClusterComposer.ReplicasKey);
        var replicas = req.Required.Get(InferenceClusterComposer.ReplicasKey);
        var holders = PoolGuard.Holders(name, replicas);
        var names = pools.Select(p => p.Name ?? "").Concat(running.Select(r => r.Name)).Distinct(StringComparer.Ordinal).ToArray();
        var allocation = Allocation.Of(name, names.Select(n => new NodePool { Name = n }).ToArray(), replicas);

        var clusterPools = new List<JsonObject>();
        var published = new List<GpuPool>();
        var problems = new List<PoolProblem>();
        var applied = new List<string>();
        var runningByName = running.ToDictionary(r => r.Name, r => r.Pool, StringComparer.Ordinal);
        foreach (var pool in pools)
        {
            var poolName = pool.Name ?? "";
            var cls = pool.ClassName is { } cn ? classes.GetValueOrDefault(cn) : null;
            var (mapped, problem) = cls is null
                ? (null, $"pool {poolName} waits for InferenceClass {pool.ClassName}; it is applied once the class exists")
                : cloud.Pool(pool, cls, cluster);
            var reason = cls is null ? InferenceClusterComposer.ReasonWaitingForClasses : InferenceClusterComposer.ReasonInvalidNodePool;
            if (mapped is not null)
            {
                var nodes = Nodes(mapped, cloud);
                var floor = PoolGuard.Floor(allocation.GetValueOrDefault(poolName), cls);
                if (nodes >= floor || !runningByName.ContainsKey(poolName))
                {
                    clusterPools.Add(mapped);
                    published.Add(new GpuPool { Name = poolName, ClassName = pool.ClassName, Nodes = nodes });
                    applied.Add(poolName);
                    continue;
                }
                problem = $"pool {poolName} would hold {nodes} node(s), but {Held(holders, poolName)} claim {floor}; it keeps its running size until they move or scale down";
                reason = InferenceClusterComposer.ReasonHeldByReplicas;
            }
            problems.Add(new PoolProblem(poolName, problem!, reason));
            if (runningByName.TryGetValue(poolName, out var kept))
            {
                clusterPools.Add(kept);
                published.Add(previous.GetValueOrDefault(poolName) ?? new GpuPool { Name = poolName, ClassName = pool.ClassName, Nodes = Nodes(kept, cloud) });
            }
        }

        var specNames = pools.Select(p => p.Name ?? "").ToHashSet(StringComparer.Ordinal);
        foreach (var (poolName, kept) in running)
        {
            if (specNames.Contains(poolName) || (resolved && !holders.ContainsKey(poolName)))
            {
                continue;
            }
            clusterPools.Add(kept);
            published.Add(previous.GetValueOrDefault(poolName) ?? new GpuPool { Name = poolName, Nodes = Nodes(kept, cloud) });
            problems.Add(new PoolProblem(poolName, resolved
                ? $"pool {poolName} was removed from spec.nodePools, but {Held(holders, poolName)} still run there; it is kept until they move"
                : $"pool {poolName} was removed from spec.nodePools; it is kept until the ModelReplicas on this cluster are known",
                InferenceClusterComposer.ReasonHeldByReplicas));
        }
        return new PoolPlan(clusterPools, published, problems, applied);
    }

    private static string Held(Dictionary<string, SortedSet<string>> holders, string pool) =>
        holders.TryGetValue(pool, out var set) ? $"ModelDeployments {string.Join(", ", set)}" : "its ModelReplicas";

    // What a cluster XR pool can grow to: its maximum, the cloud's default maximum, else its fixed size.
    private static int Nodes(JsonObject pool, CloudSource cloud) =>
        (int?)pool.IntegerAt("maxNodeCount") ?? cloud.DefaultMaxNodes ?? (int?)pool.IntegerAt("nodeCount") ?? NodePool.DefaultNodeCount;

    // The pools of the cluster XR as it runs, in its order.
    private static List<(string Name, JsonObject Pool)> RunningPools(FunctionRequest req, string key) =>
        req.Observed.TryGetValue(key, out var observed)
            ? (observed.Resource.ArrayAt("spec.nodePools", $"observed[{key}]") ?? [])
                .OfType<JsonObject>()
                .Select(p => (Name: p.StringAt("name") ?? "", Pool: (JsonObject)p.DeepClone()))
                .Where(p => p.Name.Length > 0)
                .ToList()
            : [];
}
