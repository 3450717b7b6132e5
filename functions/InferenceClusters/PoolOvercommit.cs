// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Modelplane.Apis.InferenceClasses;
using Modelplane.Apis.InferenceClusters;
using Modelplane.Apis.ModelReplicas;
using Modelplane.Domain;
using Modelplane.Sdk;

namespace Modelplane.Functions.InferenceClusters;

/// <summary>Checks every pool's counted allocation against its size, and names the later placements that overflow it.</summary>
/// <remarks>
/// <para>
/// Deployments place against the allocation a cluster last published, so two of them placing in
/// the same window (or a replica re-stamped bigger elsewhere) can count more onto a pool than it
/// holds. The workload cluster's DRA allocation keeps the extra pods Pending, but nothing said so:
/// every preview and status read Ready. We check the pods we count with the same rule the scheduler
/// admits by (<see cref="PoolCapacity"/>) and report a pool over its size in a False condition
/// naming the pool, the demand and the size.
/// </para>
/// <para>
/// Which placement yields: a replica this cluster counted before (in the allocation it published
/// last) came earlier than one it did not; then an older <c>creationTimestamp</c> came earlier.
/// Replicas are admitted in that order, a group that cannot be told apart all at once; the first
/// group that does not fit and every group after it are published as <c>overcommitted</c>, and each
/// deployment moves its own there make-before-break. When even the earliest group does not fit, its
/// replicas cannot be told apart, so none of them is named (the condition still reports the pool).
/// </para>
/// </remarks>
internal static class PoolOvercommit
{
    public const string PoolsWithinSize = "PoolsWithinSize";
    public const string ReasonWithinSize = "WithinSize";
    public const string ReasonOvercommitted = "Overcommitted";

    /// <summary>A pool over its size: what it holds and which counted replicas are the later placements.</summary>
    public sealed record Finding(string Pool, string Demand, string Size, IReadOnlyList<string> Later);

    /// <summary>Every pool whose counted replicas exceed it, in pool order. Pools whose class is unknown are not checked.</summary>
    public static List<Finding> Check(FunctionRequest req, string cluster, IReadOnlyList<NodePool> pools, IReadOnlyList<JsonObject> replicas)
    {
        var previous = Previous(req.Composite);
        var findings = new List<Finding>();
        foreach (var pool in pools)
        {
            if (pool.Name is not { Length: > 0 } poolName || pool.ClassName is not { Length: > 0 } className
                || ClassDevices(req, className) is not { } devices)
            {
                continue;
            }
            var perNode = PoolCapacity.PerNode(devices);
            var nodes = pool.MaxNodeCount is > 0 ? pool.MaxNodeCount.Value : pool.NodeCount ?? NodePool.DefaultNodeCount;
            var counted = Counted(cluster, poolName, replicas, previous.TryGetValue(poolName, out var before) ? before : ([], []));
            var all = Sum(counted.Select(c => c.Pods));
            if (PoolCapacity.Admissible(all, nodes, perNode))
            {
                continue;
            }
            findings.Add(new Finding(poolName, PoolCapacity.Describe(all), PoolCapacity.DescribeSize(nodes, perNode), Later(counted, nodes, perNode)));
        }
        return findings;
    }

    /// <summary>The condition: True while every pool fits what it counts, else False naming each pool, its demand and size.</summary>
    public static Condition Condition(IReadOnlyList<Finding> findings) =>
        findings.Count == 0
            ? Modelplane.Sdk.Condition.True(PoolsWithinSize, ReasonWithinSize)
            : Modelplane.Sdk.Condition.False(PoolsWithinSize, ReasonOvercommitted, Message(findings));

    public static string Message(IReadOnlyList<Finding> findings) =>
        string.Join("; ", findings.Select(f =>
            $"pool {f.Pool} is over its size: its ModelReplicas claim {f.Demand} on {f.Size}"
            + (f.Later.Count == 0 ? " (the placements cannot be told apart, so none is asked to move)" : $"; the later placements move elsewhere: {string.Join(", ", f.Later)}")))
        + "; to fix, raise the pool's nodeCount or maxNodeCount, or free capacity on it";

    private sealed record CountedReplica(string Name, int Seen, string Created, Dictionary<PodClaim, int> Pods);

    private static List<CountedReplica> Counted(string cluster, string pool, IReadOnlyList<JsonObject> replicas, (HashSet<string> Counted, HashSet<string> Over) before)
    {
        var counted = new List<CountedReplica>();
        for (var i = 0; i < replicas.Count; i++)
        {
            var replica = FunctionRequest.Read(replicas[i], ModelReplicaJsonContext.Default.ModelReplica, $"required[model-replicas][{i}]");
            if (replica.Spec is not { } spec || spec.ClusterName != cluster || replica.Metadata?.Name is not { } name)
            {
                continue;
            }
            var pods = Sum(ReplicaClaims.Of(spec).Where(c => c.Pool == pool).Select(c => new Dictionary<PodClaim, int> { [c.Claim] = c.Pods }));
            if (pods.Count == 0)
            {
                continue;
            }
            var id = $"{replica.Metadata.Namespace ?? ""}/{name}";
            counted.Add(new CountedReplica(
                ReplicaClaims.CountedAs(replica.Metadata.Namespace, name, replica.Metadata.Generation),
                // Counted and fitting before, then counted but over before (it stays later), then new.
                before.Over.Contains(id) ? 1 : before.Counted.Contains(id) ? 0 : 2,
                replicas[i].StringAt("metadata.creationTimestamp") ?? "",
                pods));
        }
        return counted;
    }

    // Admit groups that cannot be told apart in order; the first that does not fit, and every later
    // one, overflow. The earliest group is never named: nothing says which of it came later.
    private static List<string> Later(List<CountedReplica> counted, int nodes, IReadOnlyDictionary<string, int> perNode)
    {
        var groups = counted
            .GroupBy(c => (c.Seen, c.Created))
            .OrderBy(g => g.Key.Seen)
            .ThenBy(g => g.Key.Created, StringComparer.Ordinal)
            .ToArray();
        var admitted = new Dictionary<PodClaim, int>();
        for (var g = 0; g < groups.Length; g++)
        {
            var with = Sum([admitted, .. groups[g].Select(c => c.Pods)]);
            if (PoolCapacity.Admissible(with, nodes, perNode))
            {
                admitted = with;
                continue;
            }
            return groups.Skip(g == 0 ? 1 : g).SelectMany(x => x).Select(c => c.Name).Order(StringComparer.Ordinal).ToList();
        }
        return [];
    }

    private static Dictionary<PodClaim, int> Sum(IEnumerable<Dictionary<PodClaim, int>> sets)
    {
        var sum = new Dictionary<PodClaim, int>();
        foreach (var set in sets)
        {
            foreach (var (claim, pods) in set)
            {
                sum[claim] = sum.GetValueOrDefault(claim) + pods;
            }
        }
        return sum;
    }

    // What the cluster published last, per pool: the replicas it counted and those it named over, without generation.
    private static Dictionary<string, (HashSet<string> Counted, HashSet<string> Over)> Previous(JsonObject composite)
    {
        var previous = new Dictionary<string, (HashSet<string>, HashSet<string>)>(StringComparer.Ordinal);
        if (composite.At("status.gpuPools") is not JsonArray pools)
        {
            return previous;
        }
        foreach (var pool in pools.OfType<JsonObject>())
        {
            if (pool["name"] is JsonValue name && name.TryGetValue<string>(out var poolName))
            {
                previous[poolName] = (Ids(pool.At("allocated.replicas")), Ids(pool.At("allocated.overcommitted")));
            }
        }
        return previous;
    }

    private static HashSet<string> Ids(JsonNode? list) =>
        (list as JsonArray ?? []).OfType<JsonValue>()
            .Select(v => v.TryGetValue<string>(out var s) ? s : "")
            .Select(s => s.LastIndexOf('@') is var at and > 0 ? s[..at] : s)
            .ToHashSet(StringComparer.Ordinal);

    private static IReadOnlyList<Device>? ClassDevices(FunctionRequest req, string className)
    {
        if (req.Required.Single(InferenceClusterComposer.ClassKey(className)) is not { } cls)
        {
            return null;
        }
        try
        {
            return FunctionRequest.Read(cls, InferenceClassJsonContext.Default.InferenceClass, $"required[{InferenceClusterComposer.ClassKey(className)}][0]").Spec?.Devices ?? [];
        }
        catch (InvalidInputException)
        {
            return null;
        }
    }
}
