// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Modelplane.Apis.InferenceClusters;
using Modelplane.Apis.ModelReplicas;
using Modelplane.Domain;
using Modelplane.Sdk;

namespace Modelplane.Functions.InferenceClusters;

/// <summary>What the ModelReplicas pinned to a cluster claim from each of its pools: the allocation the cluster publishes.</summary>
/// <remarks>
/// The fleet scheduler reads this instead of listing every ModelReplica in the fleet, so a
/// deployment's request does not grow with the fleet's replicas. Per pool it lists the counted
/// replicas (<c>namespace/name@generation</c>, so a deployment can tell which of its own are already
/// counted) and the claiming pods grouped by what one pod claims (so the size does not grow with the
/// replicas' specs). A replica counts on the pools its members are pinned to, the way
/// <see cref="ReplicaClaims"/> defines; one pinned to a pool this cluster does not have counts
/// nowhere (its pods would stay Pending and hold nothing), as does one labelled for this cluster
/// but pinned to another.
/// </remarks>
internal static class Allocation
{
    public static Dictionary<string, PoolAllocation> Of(string cluster, IReadOnlyList<NodePool> pools, IReadOnlyList<JsonObject> replicas)
    {
        var names = pools.Select(p => p.Name ?? "").ToHashSet(StringComparer.Ordinal);
        var counted = names.ToDictionary(n => n, _ => new SortedSet<string>(StringComparer.Ordinal), StringComparer.Ordinal);
        var pods = names.ToDictionary(n => n, _ => new Dictionary<PodClaim, int>(), StringComparer.Ordinal);
        for (var i = 0; i < replicas.Count; i++)
        {
            var replica = FunctionRequest.Read(replicas[i], ModelReplicaJsonContext.Default.ModelReplica, $"required[model-replicas][{i}]");
            if (replica.Spec is not { } spec || spec.ClusterName != cluster || replica.Metadata?.Name is not { } name)
            {
                continue;
            }
            var countedAs = ReplicaClaims.CountedAs(replica.Metadata.Namespace, name, replica.Metadata.Generation);
            foreach (var claim in ReplicaClaims.Of(spec))
            {
                if (!pods.TryGetValue(claim.Pool, out var poolPods))
                {
                    continue;
                }
                poolPods[claim.Claim] = poolPods.GetValueOrDefault(claim.Claim) + claim.Pods;
                counted[claim.Pool].Add(countedAs);
            }
        }
        return names.ToDictionary(
            n => n,
            n => new PoolAllocation
            {
                Replicas = counted[n].Count == 0 ? null : counted[n].ToArray(),
                Pods = pods[n].Count == 0
                    ? null
                    : pods[n]
                        .OrderBy(p => p.Key.ToString(), StringComparer.Ordinal)
                        .Select(p => new PodGroup { Devices = new SortedDictionary<string, int>(p.Key.Devices.ToDictionary(d => d.Key, d => d.Value), StringComparer.Ordinal), Count = p.Value })
                        .ToArray(),
            },
            StringComparer.Ordinal);
    }
}
