// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Modelplane.Apis.InferenceClasses;
using Modelplane.Apis.InferenceClusters;
using Modelplane.Apis.ModelReplicas;
using Modelplane.Domain;
using Modelplane.Sdk;

namespace Modelplane.Functions.InferenceClusters;

/// <summary>What the ModelReplicas running on a pool hold of it: who they belong to, and the nodes their claims need.</summary>
/// <remarks>
/// A provisioned pool that still runs replicas is never removed, and never shrunk below the nodes
/// their device claims need: the cloud would drain the nodes under them. The floor is, per device
/// class, the claimed devices over what one node of the pool's class offers, rounded up (a pod's
/// devices come from one node); with the class unknown, one node per claiming pod.
/// </remarks>
internal static class PoolGuard
{
    /// <summary>Pool name to the deployments (<c>namespace/name</c>, else the replica) whose replicas claim it, sorted.</summary>
    public static Dictionary<string, SortedSet<string>> Holders(string cluster, IReadOnlyList<JsonObject> replicas)
    {
        var holders = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        for (var i = 0; i < replicas.Count; i++)
        {
            var replica = FunctionRequest.Read(replicas[i], ModelReplicaJsonContext.Default.ModelReplica, $"required[model-replicas][{i}]");
            if (replica.Spec is not { } spec || spec.ClusterName != cluster || replica.Metadata?.Name is not { } name)
            {
                continue;
            }
            var owner = replica.Metadata.Labels?.GetValueOrDefault(ReplicaClaims.DeploymentLabel) ?? name;
            foreach (var claim in ReplicaClaims.Of(spec))
            {
                if (!holders.TryGetValue(claim.Pool, out var set))
                {
                    holders[claim.Pool] = set = new SortedSet<string>(StringComparer.Ordinal);
                }
                set.Add($"{replica.Metadata.Namespace}/{owner}");
            }
        }
        return holders;
    }

    /// <summary>The fewest nodes that hold what <paramref name="allocated"/> claims, on nodes of <paramref name="cls"/>.</summary>
    public static int Floor(PoolAllocation? allocated, InferenceClass? cls)
    {
        if (allocated?.Pods is not { Count: > 0 } pods)
        {
            return 0;
        }
        var perNode = (cls?.Spec?.Devices ?? [])
            .Where(d => d.DeviceClassName is { Length: > 0 })
            .GroupBy(d => d.DeviceClassName!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Sum(d => d.Count ?? Device.DefaultCount), StringComparer.Ordinal);
        var floor = 0;
        var claimed = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var group in pods)
        {
            foreach (var (deviceClass, count) in group.Devices ?? new Dictionary<string, int>())
            {
                claimed[deviceClass] = claimed.GetValueOrDefault(deviceClass) + (long)count * (group.Count ?? 0);
            }
        }
        foreach (var (deviceClass, total) in claimed)
        {
            floor = Math.Max(floor, perNode.TryGetValue(deviceClass, out var onNode) && onNode > 0
                ? (int)Math.Min(int.MaxValue, (total + onNode - 1) / onNode)
                : pods.Sum(p => p.Count ?? 0));
        }
        return floor;
    }
}
