// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Modelplane.Apis.ModelCaches;
using Modelplane.Apis.ModelDeployments;
using Modelplane.Sdk;

namespace Modelplane.Functions.ModelDeployments;

/// <summary>What the scheduler needs to know about the deployment's ModelCache: where a copy can exist, where one is hydrated, where hydration failed.</summary>
/// <remarks>
/// <para>
/// Placement follows the cache (upstream #186, where a replica could land on a cluster its cache
/// never reaches and fail to mount at runtime): a cluster with no cache storage class
/// (<c>status.cache.storageClassName</c>) can hold no copy, so it is no candidate, and neither is one
/// where the cache reports its hydration Failed (replicas there would wait for weights that are not
/// coming; they are moved once the scheduler can place them elsewhere). Both are told to the user
/// as the cluster's rejection reason. Among the clusters that fit, one where the weights are already
/// hydrated wins a tie on load: a cold start costs minutes, but spreading replicas for availability
/// still comes first.
/// </para>
/// <para>
/// The other direction, staging follows placement, needs one thing from here: every ModelReplica
/// that mounts the cache carries <see cref="ModelCache.ConsumerLabel"/>, and the cache requires
/// replicas by that label. The deployment reads the cache's status and the cache reads the replicas,
/// so neither waits on the other.
/// </para>
/// </remarks>
internal sealed class CachePlacement
{
    public const string ModelCacheReady = "ModelCacheReady";
    public const string ReasonHydrated = "Hydrated";
    public const string ReasonHydrating = "Hydrating";
    public const string ReasonHydrationFailed = "HydrationFailed";
    public const string ReasonNoReplicasScheduled = "NoReplicasScheduled";

    private readonly Dictionary<string, CacheClusterStatus> _clusters;

    private CachePlacement(string name, Dictionary<string, CacheClusterStatus> clusters)
    {
        Name = name;
        _clusters = clusters;
        Warm = clusters.Values.Where(c => c.Phase == CachePhase.Ready).Select(c => c.Name!).ToHashSet(StringComparer.Ordinal);
    }

    public string Name { get; }

    /// <summary>Clusters where the weights are hydrated: preferred on a tie.</summary>
    public IReadOnlySet<string> Warm { get; }

    /// <summary>The cache when the deployment names one and it was found; null otherwise (ModelCacheResolved covers those).</summary>
    public static CachePlacement? Read(FunctionRequest req, DeploymentTemplateSpec spec, string cacheKey)
    {
        if (spec.ModelCacheRef?.Name is not { Length: > 0 } name || req.Required.Single(cacheKey) is not { } json)
        {
            return null;
        }
        ModelCacheStatus? status;
        try
        {
            status = json["status"] is { } node ? FunctionRequest.Read(node, ModelCacheJsonContext.Default.ModelCacheStatus, $"required[{cacheKey}][0].status") : null;
        }
        catch (InvalidInputException)
        {
            // A status we cannot read says nothing about hydration; storage still decides.
            status = null;
        }
        var clusters = new Dictionary<string, CacheClusterStatus>(StringComparer.Ordinal);
        foreach (var cluster in status?.Clusters ?? [])
        {
            if (cluster.Name is { Length: > 0 } n)
            {
                clusters.TryAdd(n, cluster);
            }
        }
        return new CachePlacement(name, clusters);
    }

    /// <summary>The fleet with clusters that cannot hold a usable copy marked with why.</summary>
    /// <remarks><paramref name="storage"/> says, by cluster name, whether the cluster has a cache storage class.</remarks>
    public IReadOnlyList<FleetCluster> Restrict(IReadOnlyList<FleetCluster> fleet, IReadOnlyDictionary<string, bool> storage)
    {
        return fleet.Select(c => c.Problem is not null ? c
            : !storage.GetValueOrDefault(c.Name) ? c with { Problem = $"no cache storage for ModelCache {Name} (status.cache.storageClassName is empty)" }
            : _clusters.GetValueOrDefault(c.Name) is { Phase: CachePhase.Failed } failed ? c with { Problem = $"ModelCache {Name} failed to hydrate here: {failed.Message}" }
            : c).ToArray();
    }

    /// <summary>Whether each fetched cluster has a cache storage class (<c>status.cache.storageClassName</c>), by name; the first of a name wins.</summary>
    public static Dictionary<string, bool> Storage(IReadOnlyList<JsonObject> clusters)
    {
        var storage = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var json in clusters)
        {
            if (json["metadata"]?["name"] is JsonValue n && n.TryGetValue<string>(out var name))
            {
                storage.TryAdd(name, json["status"]?["cache"]?["storageClassName"] is JsonValue s && s.TryGetValue<string>(out var sc) && sc.Length > 0);
            }
        }
        return storage;
    }

    /// <summary>Whether the weights are there for every replica placed, and if hydration failed somewhere, why.</summary>
    public Condition Condition(ScheduleResult result)
    {
        var placed = result.Placements.Select(p => p.Cluster).Distinct().Order(StringComparer.Ordinal).ToArray();
        var failed = _clusters.Values.Where(c => c.Phase == CachePhase.Failed).OrderBy(c => c.Name, StringComparer.Ordinal).ToArray();
        var waiting = placed.Where(c => _clusters.GetValueOrDefault(c)?.Phase != CachePhase.Ready)
            .Select(c => $"{c} ({_clusters.GetValueOrDefault(c)?.Phase?.ToString() ?? "not staged yet"})").ToArray();
        if (failed.Length > 0)
        {
            var each = string.Join("; ", failed.Select(c => $"{c.Name}: {c.Message}"));
            var rest = waiting.Length > 0 ? $"; waiting on {string.Join(", ", waiting)}" : "";
            return Sdk.Condition.False(ModelCacheReady, ReasonHydrationFailed, $"ModelCache {Name} failed to hydrate on {each}; no new replica is placed there{rest}");
        }
        if (placed.Length == 0)
        {
            return Sdk.Condition.False(ModelCacheReady, ReasonNoReplicasScheduled);
        }
        return waiting.Length > 0
            ? Sdk.Condition.False(ModelCacheReady, ReasonHydrating, $"waiting for ModelCache {Name} on {string.Join(", ", waiting)}; replicas there start once the weights are in")
            : Sdk.Condition.True(ModelCacheReady, ReasonHydrated, $"weights hydrated on every cluster with a replica: {string.Join(", ", placed)}");
    }

    /// <summary>A replica's labels with the cache's consumer label, which the cache selects its consumers by.</summary>
    public static IReadOnlyDictionary<string, string> ReplicaLabels(SortedDictionary<string, string> labels, DeploymentTemplateSpec spec)
    {
        if (spec.ModelCacheRef?.Name is not { Length: > 0 } name)
        {
            return labels;
        }
        return new SortedDictionary<string, string>(labels, StringComparer.Ordinal) { [ModelCache.ConsumerLabel] = name };
    }
}
