// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Modelplane.Apis.InferenceClusters;
using Modelplane.Apis.ModelReplicas;
using Modelplane.Domain;
using Modelplane.Sdk;

namespace Modelplane.Functions.ModelDeployments;

/// <summary>Switch-over from upstream: a cluster that publishes no allocation has its ModelReplicas counted here, by label.</summary>
/// <remarks>
/// Upstream's InferenceCluster status has no <c>allocated</c>, and upstream's scheduler lists every
/// ModelReplica instead. A fleet upgraded in place keeps that status until each cluster is reconciled
/// by our InferenceCluster function, which could take a while (or never happen, if a team keeps
/// upstream's composition for its clusters). Rather than place nothing there, we ask for that
/// cluster's ModelReplicas by its <c>modelplane.ai/cluster</c> label (as our InferenceCluster function
/// does) and count them the way the cluster would (<see cref="ReplicaClaims"/>). It costs a request
/// per such cluster, so the deployment names those clusters in its condition; once a cluster
/// publishes, it leaves the slow path by itself.
/// </remarks>
internal static class SlowPath
{
    /// <summary>The requirement name of one slow-path cluster's ModelReplicas.</summary>
    public static string ReplicasKey(string cluster) => $"replicas-{cluster}";

    /// <summary>Clusters with a pool that has published no allocation, by name.</summary>
    public static string[] Unpublished(IReadOnlyList<FleetCluster> clusters) =>
        clusters.Where(c => c.Problem is null && c.Pools.Any(p => p.Allocated is null)).Select(c => c.Name).ToArray();

    public static Requirement Requirement(string cluster) =>
        Modelplane.Sdk.Requirement.Labelled(Replicas.ApiVersion, ModelReplica.KindValue, new Dictionary<string, string> { [ReplicaClaims.ClusterLabel] = cluster });

    /// <summary>The cluster with every unpublished pool's allocation counted from its ModelReplicas.</summary>
    public static FleetCluster Counted(FleetCluster cluster, IReadOnlyList<JsonObject> replicas)
    {
        var pods = cluster.Pools.ToDictionary(p => p.Name, _ => new Dictionary<PodClaim, int>(), StringComparer.Ordinal);
        var counted = cluster.Pools.ToDictionary(p => p.Name, _ => new SortedSet<string>(StringComparer.Ordinal), StringComparer.Ordinal);
        for (var i = 0; i < replicas.Count; i++)
        {
            ModelReplica replica;
            try
            {
                replica = FunctionRequest.Read(replicas[i], ModelReplicaJsonContext.Default.ModelReplica, $"required[{ReplicasKey(cluster.Name)}][{i}]");
            }
            catch (InvalidInputException)
            {
                // One unreadable replica must not stop the fleet; it counts nowhere, as a cluster would not count it either.
                continue;
            }
            if (replica.Spec is not { } spec || spec.ClusterName != cluster.Name || replica.Metadata?.Name is not { } name)
            {
                continue;
            }
            foreach (var claim in ReplicaClaims.Of(spec))
            {
                if (pods.TryGetValue(claim.Pool, out var poolPods))
                {
                    poolPods[claim.Claim] = poolPods.GetValueOrDefault(claim.Claim) + claim.Pods;
                    counted[claim.Pool].Add(ReplicaClaims.CountedAs(replica.Metadata.Namespace, name, replica.Metadata.Generation));
                }
            }
        }
        return cluster with
        {
            Pools = cluster.Pools.Select(p => p.Allocated is not null ? p : p with
            {
                Allocated = new PoolAllocation
                {
                    Replicas = [.. counted[p.Name]],
                    Pods = pods[p.Name].Select(g => new PodGroup { Devices = g.Key.Devices.ToDictionary(d => d.Key, d => d.Value, StringComparer.Ordinal), Count = g.Value }).ToArray(),
                },
            }).ToArray(),
        };
    }
}
