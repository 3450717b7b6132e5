// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json;
using System.Text.Json.Nodes;
using Modelplane.Apis.ModelDeployments;
using Modelplane.Apis.ModelReplicas;
using Modelplane.Sdk;

namespace Modelplane.Functions.ModelDeployments;

/// <summary>Composes one ModelReplica per placement the fleet scheduler makes, and one ModelEndpoint per Ready replica.</summary>
/// <remarks>
/// <para>
/// A ModelDeployment never names a cluster. We require the candidate InferenceClusters (the
/// deployment's cluster selector merged with its ModelCache's footprint) when something must be
/// placed, the clusters its replicas run on, every InferenceClass (the pools' devices, shared by name
/// instead of copied into every cluster) and the ModelCache; this deployment's own replicas come from
/// its observed composed resources. The scheduler (<see cref="Scheduler"/>) keeps what runs, sheds surplus, and fills the shortfall on the least
/// loaded cluster whose pools match the engines' DRA CEL selectors and have room
/// (<see cref="PoolLedger"/>). Replica names and keys are upstream's, so placements survive a switch
/// between implementations.
/// </para>
/// <para>
/// Fleet scale: the fleet's ModelReplicas are never fetched. Each cluster publishes what its pools
/// have allocated (a replica of another deployment costs the request one counted name, not its
/// object), so placing on 1,000 clusters running 5,000 other replicas sends the clusters and a
/// handful of classes (see <see cref="Ledger"/> for what stale allocation can and cannot do). And the fleet is fetched only to place: while every replica stays
/// as it is, the requirements name just the clusters they run on (<c>cluster-&lt;name&gt;</c>), so the
/// steady state costs a few clusters per call.
/// </para>
/// <para>
/// Beyond upstream, a bad edit never tears down what runs: an invalid selector, a selector no
/// cluster matches, or a template nothing can host keeps the running replicas as they are, with a
/// condition saying why nothing new was placed. A partial shortfall reports
/// <c>ReplicasScheduled=False</c>, and the scheduler explains itself per reason in the condition and
/// in <c>status.scheduling</c>.
/// </para>
/// </remarks>
public static class ModelDeploymentComposer
{
    public static Composer Composer { get; } = new("model-deployment", Compose, "ModelDeployment.modelplane.ai");

    // Conditions this function owns on the ModelDeployment, upstream's names.
    public const string ReplicasScheduled = "ReplicasScheduled";
    public const string ReplicasReady = "ReplicasReady";
    public const string ModelCacheResolved = "ModelCacheResolved";
    public const string ReasonReplicasCreated = "ReplicasCreated";
    public const string ReasonScheduling = "Scheduling";
    public const string ReasonInsufficientCapacity = "InsufficientCapacity";
    public const string ReasonWaitingForModelCache = "WaitingForModelCache";
    public const string ReasonNoClusters = "NoClusters";
    public const string ReasonInvalidNodeSelector = "InvalidNodeSelector";
    public const string ReasonResolvingFleet = "ResolvingFleet";
    public const string ReasonAllReplicasReady = "AllReplicasReady";
    public const string ReasonModelStarting = "ModelStarting";
    public const string ReasonNoReplicasScheduled = "NoReplicasScheduled";
    public const string ReasonModelCacheResolved = "ModelCacheResolved";
    public const string ReasonModelCacheUnresolved = "ModelCacheUnresolved";
    public const string ReasonModelCacheNotFound = "ModelCacheNotFound";

    // Requirement names: the render CLI and Crossplane key fetched resources by them.
    public const string ClustersKey = "clusters";
    public const string ClassesKey = "classes";
    public const string CacheKey = "cache";

    private const string ApiVersion = "modelplane.ai/v1alpha1";

    public static Composition Compose(FunctionRequest req)
    {
        var xr = req.ReadComposite(ModelDeploymentJsonContext.Default.ModelDeployment);
        var spec = xr.Spec?.Template?.Spec ?? new DeploymentTemplateSpec();
        var cache = CacheState.Resolve(req, spec, out var clusterLabels);
        var cached = CachePlacement.Read(req, spec, CacheKey);
        var own = Replicas.Observed(req);
        var desired = xr.Spec?.Replicas ?? ModelDeploymentSpec.MinReplicas;
        var pinned = own.Select(r => r.ClusterName).Where(n => n.Length > 0).Distinct().Order(StringComparer.Ordinal).ToArray();
        var fleetFetched = req.Required.IsResolved(ClustersKey);
        // Fewer replicas than asked for means a placement: ask for the fleet from the first call.
        var requirements = Requirements(req.Namespace, spec, clusterLabels, pinned, fleet: fleetFetched || own.Count < desired);

        if (!req.Required.IsResolved(ClassesKey) || pinned.Any(p => !req.Required.IsResolved(PinnedKey(p))))
        {
            return Hold(req, own, requirements, cache, ReasonResolvingFleet, "waiting for Crossplane to fetch InferenceClusters and InferenceClasses");
        }
        var plan = DeploymentPlan.Of(spec);
        if (plan.Errors is [var error, ..])
        {
            var more = plan.Errors.Count > 1 ? $" (and {plan.Errors.Count - 1} more)" : "";
            return Hold(req, own, requirements, cache, ReasonInvalidNodeSelector,
                $"invalid nodeSelector: {error.Field}: {error.Error}{more}; correct the CEL expression");
        }
        if (fleetFetched && req.Required.Get(ClustersKey).Count == 0)
        {
            return Hold(req, own, requirements, cache, ReasonNoClusters, $"cannot schedule: {NoClustersMessage(clusterLabels)}");
        }

        var candidates = Candidates(req, pinned, clusterLabels, fleetFetched);
        var fleet = Fleet.Read(candidates, req.Required.Get(ClassesKey));
        fleet = cached?.Restrict(fleet, candidates) ?? fleet;
        var result = Scheduler.Schedule(new ScheduleInput(plan, desired, fleet, own, spec.Tolerations ?? [], cache.Fill && fleetFetched, cached?.Warm));
        var needsFleet = NeedsFleet(result, desired, cache);
        if (needsFleet && !fleetFetched)
        {
            // Something must be placed: ask for the fleet and keep what runs until it arrives.
            return Hold(req, own, Requirements(req.Namespace, spec, clusterLabels, pinned, fleet: true), cache, ReasonResolvingFleet,
                "waiting for Crossplane to fetch the candidate InferenceClusters");
        }

        var resources = Resources(req, xr, spec, plan, result);
        var observedKeys = result.Placements.Count(p => req.Observed.ContainsKey(KeyOf(p)));
        var ready = result.Placements.Count(p => req.Observed.TryGetValue(KeyOf(p), out var o) && o.IsReady);
        var results = new List<Result>(cache.Results);
        if (result.Placements.Count > 0 && observedKeys == 0)
        {
            var names = result.Placements.Select(p => p.Cluster).Distinct().Order(StringComparer.Ordinal).ToArray();
            results.Add(Result.Normal($"Scheduled {result.Placements.Count} replicas across {names.Length} clusters: {string.Join(", ", names)}"));
        }
        return new Composition
        {
            Requirements = Requirements(req.Namespace, spec, clusterLabels, pinned, fleet: needsFleet),
            Resources = resources,
            Status = Status(result.Placements.Count, ready, result.Placements.Count < desired || result.HeldCount > 0 ? result.Rejections : null, fleet.Count),
            CompositeReady = result.Placements.Count == 0 ? Readiness.NotReady : Readiness.Unspecified,
            Conditions = [.. cache.Conditions, .. cached is null ? [] : new[] { cached.Condition(result) }, Scheduled(result, desired, observedKeys, cache), Ready(result.Placements.Count, ready)],
            Results = results,
        };
    }

    /// <summary>The requirement name of a cluster this deployment already runs on.</summary>
    public static string PinnedKey(string cluster) => $"cluster-{cluster}";

    // The fleet is needed only to place something: while every replica is kept as it is, the
    // clusters they run on (fetched by name) are all the scheduler reads. So the steady state costs
    // a few clusters per call, and only a placement pays for the whole candidate fleet.
    private static bool NeedsFleet(ScheduleResult result, int desired, CacheState cache) =>
        cache.Fill
        && (result.Placements.Count(p => p.Existing is not null && !p.Held) < desired
            || result.HeldCount > 0
            || result.Dropped.Any(d => d.Reason != DropReason.ScaledDown));

    // The fleet when fetched (its requirement applied the selector); else the pinned clusters that
    // still carry the selector's labels.
    private static List<JsonObject> Candidates(FunctionRequest req, string[] pinned, IReadOnlyDictionary<string, string> labels, bool fleetFetched)
    {
        if (fleetFetched)
        {
            return [.. req.Required.Get(ClustersKey)];
        }
        var candidates = new List<JsonObject>(pinned.Length);
        foreach (var name in pinned)
        {
            if (req.Required.Single(PinnedKey(name)) is { } cluster && HasLabels(cluster, labels, PinnedKey(name)))
            {
                candidates.Add(cluster);
            }
        }
        return candidates;
    }

    private static bool HasLabels(JsonObject cluster, IReadOnlyDictionary<string, string> labels, string requirement)
    {
        if (labels.Count == 0)
        {
            return true;
        }
        // A cluster whose labels cannot be read is no candidate here; the fleet requirement decides then.
        IReadOnlyDictionary<string, string>? has;
        try
        {
            has = cluster.StringMapAt("metadata.labels", $"required[{requirement}][0]");
        }
        catch (InvalidInputException)
        {
            return false;
        }
        return labels.All(l => has?.GetValueOrDefault(l.Key) == l.Value);
    }

    private static Dictionary<string, Requirement> Requirements(
        string? ns, DeploymentTemplateSpec spec, IReadOnlyDictionary<string, string> clusterLabels, string[] pinned, bool fleet)
    {
        var requirements = new Dictionary<string, Requirement>(StringComparer.Ordinal)
        {
            [ClassesKey] = Requirement.All(ApiVersion, "InferenceClass"),
        };
        if (fleet)
        {
            requirements[ClustersKey] = clusterLabels.Count > 0
                ? Requirement.Labelled(ApiVersion, "InferenceCluster", clusterLabels)
                : Requirement.All(ApiVersion, "InferenceCluster");
        }
        foreach (var cluster in pinned)
        {
            requirements[PinnedKey(cluster)] = Requirement.Named(ApiVersion, "InferenceCluster", cluster);
        }
        if (spec.ModelCacheRef?.Name is { Length: > 0 } cacheName)
        {
            requirements[CacheKey] = Requirement.Named(ApiVersion, "ModelCache", cacheName, ns);
        }
        return requirements;
    }

    private static Dictionary<string, DesiredResource> Resources(FunctionRequest req, ModelDeployment xr, DeploymentTemplateSpec spec, DeploymentPlan plan, ScheduleResult result)
    {
        var deployment = req.Name;
        var ns = req.Namespace ?? "";
        var resources = new Dictionary<string, DesiredResource>(StringComparer.Ordinal);
        foreach (var placement in result.Placements)
        {
            if (placement.Held)
            {
                Keep(req, placement.Existing!, resources);
                continue;
            }
            var key = Replicas.ReplicaKey(placement.Cluster, placement.Index);
            var name = ChildName.Opaque(deployment, placement.Cluster, placement.Index.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var labels = Replicas.Labels(xr.Spec?.Template, deployment, placement.Cluster, placement.Index);
            var replicaReady = req.Observed.TryGetValue(key, out var observed) && observed.IsReady;
            resources[key] = DesiredResource.From(
                Replicas.Replica(name, ns, CachePlacement.ReplicaLabels(labels, spec), spec, plan, placement),
                ModelReplicaJsonContext.Default.ModelReplica,
                replicaReady ? true : null);
            // A replica serves only once it is Ready and its cluster has a gateway; until then (or
            // when it stops being either) its endpoint is withdrawn from rotation.
            if (replicaReady && placement.Gateway.Length > 0)
            {
                var endpointKey = Replicas.EndpointKey(placement.Cluster, placement.Index);
                var endpointReady = req.Observed.TryGetValue(endpointKey, out var endpoint) && endpoint.IsReady;
                resources[endpointKey] = DesiredResource.Of(Replicas.Endpoint(name, ns, labels, placement.Gateway), endpointReady ? true : null);
            }
        }
        return resources;
    }

    // An observed replica (and, while it is Ready, its endpoint) re-emitted exactly as it runs.
    private static void Keep(FunctionRequest req, OwnReplica replica, Dictionary<string, DesiredResource> resources)
    {
        var observed = req.Observed[replica.Key];
        resources[replica.Key] = DesiredResource.Of(Replicas.Kept(observed.Resource), replica.Ready ? true : null);
        var endpointKey = Replicas.EndpointKey(replica.ClusterName, replica.Index);
        if (replica.Ready && req.Observed.TryGetValue(endpointKey, out var endpoint))
        {
            resources[endpointKey] = DesiredResource.Of(Replicas.Kept(endpoint.Resource), endpoint.IsReady ? true : null);
        }
    }

    private static string KeyOf(Placement p) => p.Held ? p.Existing!.Key : Replicas.ReplicaKey(p.Cluster, p.Index);

    // Waiting or bad input: keep every running replica as it is and say why nothing new is placed.
    private static Composition Hold(FunctionRequest req, IReadOnlyList<OwnReplica> own, Dictionary<string, Requirement> requirements, CacheState cache, string reason, string message)
    {
        var resources = new Dictionary<string, DesiredResource>(StringComparer.Ordinal);
        foreach (var replica in own)
        {
            Keep(req, replica, resources);
        }
        var ready = own.Count(r => r.Ready);
        var kept = own.Count == 0 ? "" : $" ({EnginePlacer.Plural(own.Count, "running replica")} kept as {(own.Count == 1 ? "it is" : "they are")})";
        return new Composition
        {
            Requirements = requirements,
            Resources = resources,
            Status = Status(own.Count, ready, null, null),
            CompositeReady = own.Count == 0 ? Readiness.NotReady : Readiness.Unspecified,
            Conditions = [.. cache.Conditions, Condition.False(ReplicasScheduled, reason, message + kept), Ready(own.Count, ready)],
            Results = [.. cache.Results, Result.Warning(message + kept)],
        };
    }

    private static string NoClustersMessage(IReadOnlyDictionary<string, string> labels) =>
        labels.Count == 0
            ? "no InferenceClusters exist"
            : $"no InferenceCluster has the labels {string.Join(", ", labels.Select(l => $"{l.Key}={l.Value}"))}";

    private static Condition Scheduled(ScheduleResult result, int desired, int observedKeys, CacheState cache)
    {
        var placed = result.Placements.Count;
        if (placed < desired || result.HeldCount > 0)
        {
            var current = placed - result.HeldCount;
            var held = result.HeldCount == 0
                ? ""
                : $"; {EnginePlacer.Plural(result.HeldCount, "replica")} kept as {(result.HeldCount == 1 ? "it was" : "they were")} until the current template can be placed";
            var why = result.Rejections.Count > 0 ? $"; {Explanation.Summary(result.Rejections)}" : "";
            if (!cache.Fill && result.Rejections.Count == 0)
            {
                return Condition.False(ReplicasScheduled, ReasonWaitingForModelCache, $"{current} of {desired} replicas scheduled; new placements wait for ModelCache {cache.Name}{held}");
            }
            return Condition.False(ReplicasScheduled, ReasonInsufficientCapacity, $"{current} of {desired} replicas scheduled{held}{why}");
        }
        return observedKeys == 0
            ? Condition.False(ReplicasScheduled, ReasonScheduling)
            : Condition.True(ReplicasScheduled, ReasonReplicasCreated, $"Scheduled {placed} of {desired} replicas");
    }

    private static Condition Ready(int total, int ready) =>
        total == 0 ? Condition.False(ReplicasReady, ReasonNoReplicasScheduled)
        : ready == total ? Condition.True(ReplicasReady, ReasonAllReplicasReady, $"{ready} of {total} ready")
        : Condition.False(ReplicasReady, ReasonModelStarting, $"{ready} of {total} ready");

    private static JsonObject Status(int total, int ready, IReadOnlyList<Rejection>? rejections, int? clusters)
    {
        var status = new ModelDeploymentStatus
        {
            Replicas = new ReplicaCounts { Total = total, Ready = ready },
            Scheduling = rejections is { Count: > 0 }
                ? new SchedulingStatus { Clusters = clusters, Unschedulable = Explanation.Status(rejections) }
                : null,
        };
        return (JsonObject)JsonSerializer.SerializeToNode(status, ModelDeploymentJsonContext.Default.ModelDeploymentStatus)!;
    }

    /// <summary>The ModelCache reference: its condition, whether new replicas may be placed, and its footprint.</summary>
    private sealed record CacheState(string? Name, bool Fill, IReadOnlyList<Condition> Conditions, IReadOnlyList<Result> Results)
    {
        // Until the cache can be read, existing replicas stay and nothing new is placed; the selector
        // then lacks the cache's labels (a superset), so a missing cache never evicts a replica.
        public static CacheState Resolve(FunctionRequest req, DeploymentTemplateSpec spec, out IReadOnlyDictionary<string, string> clusterLabels)
        {
            var labels = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var (key, value) in spec.ClusterSelector?.MatchLabels ?? new Dictionary<string, string>())
            {
                labels[key] = value;
            }
            clusterLabels = labels;
            if (spec.ModelCacheRef?.Name is not { Length: > 0 } name)
            {
                return new CacheState(null, true, [], []);
            }
            if (!req.Required.IsResolved(CacheKey))
            {
                return new CacheState(name, false, [Condition.False(ModelCacheResolved, ReasonModelCacheUnresolved, $"Waiting for ModelCache {name}")], []);
            }
            if (req.Required.Single(CacheKey) is not { } modelCache)
            {
                var message = $"ModelCache {name} not found; holding replica placement";
                return new CacheState(name, false, [Condition.False(ModelCacheResolved, ReasonModelCacheNotFound, message)], [Result.Warning(message)]);
            }
            // The cache's footprint narrows new placements; on a shared key the cache's value wins (upstream's merge).
            foreach (var (key, value) in modelCache.StringMapAt("spec.clusterSelector.matchLabels", $"required[{CacheKey}][0]") ?? new Dictionary<string, string>())
            {
                labels[key] = value;
            }
            return new CacheState(name, true, [Condition.True(ModelCacheResolved, ReasonModelCacheResolved)], []);
        }
    }
}
