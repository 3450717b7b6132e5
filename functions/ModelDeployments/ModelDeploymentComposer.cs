// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

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
/// in <c>status.scheduling</c>. A template edit rolls out even on a full pool (in place, else
/// make-before-break, else <c>RolloutBlocked</c> naming cause and fix); a pool its cluster counts
/// over size is <c>Overcommitted</c>; clusters still on upstream's status are counted by label
/// (<see cref="SlowPath"/>).
/// </para>
/// <para>
/// Whatever keeps a replica (a bad edit, a shortfall, a rollout), its endpoint follows one rule: no
/// endpoint unless the replica is Ready and its cluster is Ready with a gateway, built from that
/// gateway's current address. <c>status.replicas.ready</c> counts only replicas that serve: that
/// rule, and the endpoint observed Ready.
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
    public const string ReasonRolloutBlocked = "RolloutBlocked";
    public const string ReasonRollingOut = "RollingOut";
    public const string ReasonOvercommitted = "Overcommitted";
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
        if (desired < 0)
        {
            // The XRD's minimum keeps this out of a real cluster; a Fatal result applies nothing, where
            // scheduling for a negative count would fail, or scale what runs down to nothing.
            throw new InvalidInputException("spec.replicas", $"must be at least {ModelDeploymentSpec.MinReplicas}, got {desired}");
        }
        var pinned = own.Select(r => r.ClusterName).Where(n => n.Length > 0).Distinct().Order(StringComparer.Ordinal).ToArray();
        var fleetFetched = req.Required.IsResolved(ClustersKey);
        // Fewer replicas than asked for means a placement: ask for the fleet from the first call.
        var requirements = Requirements(req.Namespace, spec, clusterLabels, pinned, fleet: fleetFetched || own.Count < desired, slow: []);
        var gateways = ServingGateways(req, pinned);

        if (!req.Required.IsResolved(ClassesKey) || pinned.Any(p => !req.Required.IsResolved(PinnedKey(p))))
        {
            return Hold(req, own, gateways, requirements, cache, ReasonResolvingFleet, "waiting for Crossplane to fetch InferenceClusters and InferenceClasses");
        }
        var plan = DeploymentPlan.Of(spec, req.CancellationToken);
        if (plan.Errors is [var error, ..])
        {
            var more = plan.Errors.Count > 1 ? $" (and {plan.Errors.Count - 1} more)" : "";
            return Hold(req, own, gateways, requirements, cache, ReasonInvalidNodeSelector,
                $"invalid nodeSelector: {error.Field}: {error.Error}{more}; correct the CEL expression");
        }
        // The fetched fleet is read straight from its text; any cluster that does not read cleanly sends
        // every cluster through the careful read, whose problems name the field.
        var texts = fleetFetched ? FetchedClusters(req) : null;
        if (fleetFetched && (texts?.Count ?? req.Required.Get(ClustersKey).Count) == 0)
        {
            return Hold(req, own, gateways, requirements, cache, ReasonNoClusters, $"cannot schedule: {NoClustersMessage(clusterLabels)}");
        }

        var classes = req.Required.Get(ClassesKey);
        Dictionary<string, bool>? storage = null;
        var fast = texts is null ? null : Fleet.TryRead(texts, classes, out storage);
        var candidates = fast is null ? Candidates(req, pinned, clusterLabels, fleetFetched) : null;
        var fleet = fast ?? Fleet.Read(candidates!, classes);
        // Clusters still on upstream's status (no published allocation) have their replicas counted here.
        var slow = SlowPath.Unpublished(fleet);
        if (slow.Any(c => !req.Required.IsResolved(SlowPath.ReplicasKey(c))))
        {
            return Hold(req, own, gateways, Requirements(req.Namespace, spec, clusterLabels, pinned, fleet: fleetFetched || own.Count < desired, slow), cache, ReasonResolvingFleet,
                $"waiting for Crossplane to fetch the ModelReplicas of clusters that publish no allocation: {string.Join(", ", slow)}");
        }
        fleet = [.. fleet.Select(c => slow.Contains(c.Name) ? SlowPath.Counted(c, req.Required.Get(SlowPath.ReplicasKey(c.Name))) : c)];

        foreach (var cluster in fleet.Where(c => c.Schedulable && c.Problem is null))
        {
            gateways[cluster.Name] = cluster.Gateway;
        }
        // The cache narrows where new replicas may go; whether a cluster serves does not depend on it.
        fleet = cached?.Restrict(fleet, candidates is null ? storage! : CachePlacement.Storage(candidates)) ?? fleet;
        var result = Scheduler.Schedule(new ScheduleInput(
            plan, desired, fleet, own, spec.Tolerations ?? [], cache.Fill && fleetFetched, cache.Fill, gateways.Keys.ToHashSet(StringComparer.Ordinal), cached?.Warm));
        var needsFleet = NeedsFleet(result, desired, cache);
        if (needsFleet && !fleetFetched)
        {
            // Something must be placed: ask for the fleet and keep what runs until it arrives.
            return Hold(req, own, gateways, Requirements(req.Namespace, spec, clusterLabels, pinned, fleet: true, slow), cache, ReasonResolvingFleet,
                "waiting for Crossplane to fetch the candidate InferenceClusters");
        }

        var resources = Resources(req, xr, spec, plan, result, gateways, out var serving);
        var current = result.Placements.Where(p => !p.Held).ToArray();
        var observedKeys = current.Count(p => req.Observed.ContainsKey(KeyOf(p)));
        var results = new List<Result>(cache.Results);
        if (current.Length > 0 && observedKeys == 0)
        {
            var names = current.Select(p => p.Cluster).Distinct().Order(StringComparer.Ordinal).ToArray();
            results.Add(Result.Normal($"Scheduled {current.Length} replicas across {names.Length} clusters: {string.Join(", ", names)}"));
        }
        var scheduled = Scheduled(result, desired, observedKeys, cache, slow);
        if (scheduled.Status == ConditionStatus.False && scheduled.Reason is ReasonOvercommitted or ReasonRolloutBlocked)
        {
            // Stuck until someone acts: say so where people look, not only in the condition.
            results.Add(Result.Warning(scheduled.Message ?? ""));
        }
        return new Composition
        {
            Requirements = Requirements(req.Namespace, spec, clusterLabels, pinned, fleet: needsFleet, slow),
            Resources = resources,
            Status = Status(result.Placements.Count, serving, result.CurrentCount < desired || result.HeldCount > 0 ? result.Rejections : null, fleet.Count),
            CompositeReady = result.Placements.Count == 0 ? Readiness.NotReady : Readiness.Unspecified,
            Conditions = [.. cache.Conditions, .. cached is null ? [] : new[] { cached.Condition(result) }, scheduled, Ready(result.Placements.Count, serving, result.HeldCount)],
            Results = results,
        };
    }

    /// <summary>The requirement name of a cluster this deployment already runs on.</summary>
    public static string PinnedKey(string cluster) => $"cluster-{cluster}";

    // The fleet is needed only to place something: while every replica is kept as it is, the
    // clusters they run on (fetched by name) are all the scheduler reads. So the steady state costs
    // a few clusters per call, and only a placement (or a rollout that needs room elsewhere) pays for the whole candidate fleet.
    private static bool NeedsFleet(ScheduleResult result, int desired, CacheState cache) =>
        cache.Fill
        && (result.Placements.Count(p => p.Existing is not null && !p.Held) < desired
            || result.HeldCount > 0
            || result.Dropped.Any(d => d.Reason != DropReason.ScaledDown));

    // Clusters a replica may serve from: Ready, with a gateway address, readable. Read from the
    // clusters fetched by name, so a replica kept for any reason (a bad edit, a shortfall, a cluster
    // that left the selection) follows the same rule as a fresh one: no endpoint without a ready
    // cluster with a gateway.
    private static Dictionary<string, string> ServingGateways(FunctionRequest req, string[] pinned)
    {
        var clusters = pinned.Select(p => req.Required.Single(PinnedKey(p))).OfType<JsonObject>().ToArray();
        return Fleet.Read(clusters, [])
            .Where(c => c.Schedulable && c.Problem is null)
            .ToDictionary(c => c.Name, c => c.Gateway, StringComparer.Ordinal);
    }

    // The fetched clusters as text, or null when one of them does not read as one (a name that is not a string, a spec that is not an object).
    private static IReadOnlyList<ClusterText>? FetchedClusters(FunctionRequest req)
    {
        try
        {
            return req.Required.Read(ClustersKey, FleetJsonContext.Default.ClusterText);
        }
        catch (InvalidInputException)
        {
            return null;
        }
    }

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
        string? ns, DeploymentTemplateSpec spec, IReadOnlyDictionary<string, string> clusterLabels, string[] pinned, bool fleet, string[] slow)
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
        foreach (var cluster in slow)
        {
            requirements[SlowPath.ReplicasKey(cluster)] = SlowPath.Requirement(cluster);
        }
        if (spec.ModelCacheRef?.Name is { Length: > 0 } cacheName)
        {
            requirements[CacheKey] = Requirement.Named(ApiVersion, "ModelCache", cacheName, ns);
        }
        return requirements;
    }

    private static Dictionary<string, DesiredResource> Resources(
        FunctionRequest req, ModelDeployment xr, DeploymentTemplateSpec spec, DeploymentPlan plan, ScheduleResult result,
        IReadOnlyDictionary<string, string> gateways, out int serving)
    {
        var deployment = req.Name;
        var ns = req.Namespace ?? "";
        var resources = new Dictionary<string, DesiredResource>(StringComparer.Ordinal);
        serving = 0;
        foreach (var placement in result.Placements)
        {
            if (placement.Held)
            {
                serving += Keep(req, placement.Existing!, gateways, resources) ? 1 : 0;
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
            serving += Route(req, placement.Cluster, placement.Index, name, ns, labels, replicaReady, gateways, resources) ? 1 : 0;
        }
        return resources;
    }

    // A replica serves only once it is Ready and its cluster is Ready with a gateway; until then (or
    // when it stops being either) its endpoint is withdrawn from rotation. It counts as serving once
    // its endpoint is observed Ready too, which is when a ModelService routes to it.
    private static bool Route(
        FunctionRequest req, string cluster, int index, string name, string ns, IReadOnlyDictionary<string, string> labels, bool replicaReady,
        IReadOnlyDictionary<string, string> gateways, Dictionary<string, DesiredResource> resources)
    {
        if (!replicaReady || !gateways.TryGetValue(cluster, out var gateway))
        {
            return false;
        }
        var endpointKey = Replicas.EndpointKey(cluster, index);
        var endpointReady = req.Observed.TryGetValue(endpointKey, out var endpoint) && endpoint.IsReady;
        resources[endpointKey] = DesiredResource.Of(Replicas.Endpoint(name, ns, labels, gateway), endpointReady ? true : null);
        return endpointReady;
    }

    // An observed replica re-emitted exactly as it runs; its endpoint follows the same rule as a
    // fresh replica's, rebuilt from the replica and the cluster's current gateway. True when it serves.
    private static bool Keep(FunctionRequest req, OwnReplica replica, IReadOnlyDictionary<string, string> gateways, Dictionary<string, DesiredResource> resources)
    {
        var observed = req.Observed[replica.Key];
        resources[replica.Key] = DesiredResource.Of(Replicas.Kept(observed.Resource), replica.Ready ? true : null);
        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in observed.Resource.StringMapAt("metadata.labels") ?? new Dictionary<string, string>())
        {
            if (!key.StartsWith("crossplane.io/", StringComparison.Ordinal))
            {
                labels[key] = value;
            }
        }
        return Route(req, replica.ClusterName, replica.Index, replica.Name, replica.Namespace, labels, replica.Ready, gateways, resources);
    }

    private static string KeyOf(Placement p) => p.Held ? p.Existing!.Key : Replicas.ReplicaKey(p.Cluster, p.Index);

    // Waiting or bad input: keep every running replica as it is and say why nothing new is placed.
    private static Composition Hold(
        FunctionRequest req, IReadOnlyList<OwnReplica> own, IReadOnlyDictionary<string, string> gateways,
        Dictionary<string, Requirement> requirements, CacheState cache, string reason, string message)
    {
        var resources = new Dictionary<string, DesiredResource>(StringComparer.Ordinal);
        var serving = 0;
        foreach (var replica in own)
        {
            serving += Keep(req, replica, gateways, resources) ? 1 : 0;
        }
        var kept = own.Count == 0 ? "" : $" ({EnginePlacer.Plural(own.Count, "running replica")} kept as {(own.Count == 1 ? "it is" : "they are")})";
        return new Composition
        {
            Requirements = requirements,
            Resources = resources,
            Status = Status(own.Count, serving, null, null),
            CompositeReady = own.Count == 0 ? Readiness.NotReady : Readiness.Unspecified,
            Conditions = [.. cache.Conditions, Condition.False(ReplicasScheduled, reason, message + kept), Ready(own.Count, serving, 0)],
            Results = [.. cache.Results, Result.Warning(message + kept)],
        };
    }

    private static string NoClustersMessage(IReadOnlyDictionary<string, string> labels) =>
        labels.Count == 0
            ? "no InferenceClusters exist"
            : $"no InferenceCluster has the labels {string.Join(", ", labels.Select(l => $"{l.Key}={l.Value}"))}";

    private static Condition Scheduled(ScheduleResult result, int desired, int observedKeys, CacheState cache, string[] slow)
    {
        var condition = ScheduledCondition(result, desired, observedKeys, cache);
        if (slow.Length == 0)
        {
            return condition;
        }
        var note = $"clusters that publish no allocation yet (upstream status) have their ModelReplicas counted by label, one request each: {string.Join(", ", slow)}";
        var message = string.IsNullOrEmpty(condition.Message) ? note : $"{condition.Message}; {note}";
        return condition with { Message = message };
    }

    private static Condition ScheduledCondition(ScheduleResult result, int desired, int observedKeys, CacheState cache)
    {
        var current = result.CurrentCount;
        var why = result.Rejections.Count > 0 ? $"; elsewhere: {Explanation.Summary(result.Rejections)}" : "";
        if (result.Overcommits.Count > 0)
        {
            return Condition.False(ReplicasScheduled, ReasonOvercommitted, Overcommitted(result, desired, why));
        }
        if (result.HeldCount > 0 && current < desired)
        {
            if (!cache.Fill)
            {
                return Condition.False(ReplicasScheduled, ReasonWaitingForModelCache,
                    $"{current} of {desired} replicas run the current template; the rollout waits for ModelCache {cache.Name}; {Held(result)}");
            }
            return Condition.False(ReplicasScheduled, ReasonRolloutBlocked,
                $"rollout blocked: {current} of {desired} replicas run the current template; {Held(result)}{why}; "
                + "to unblock, free or add capacity in a pool that matches the template (or a cluster it may use), or revert the edit");
        }
        if (current < desired)
        {
            if (!cache.Fill && result.Rejections.Count == 0)
            {
                return Condition.False(ReplicasScheduled, ReasonWaitingForModelCache, $"{current} of {desired} replicas scheduled; new placements wait for ModelCache {cache.Name}");
            }
            var explained = result.Rejections.Count > 0 ? $"; {Explanation.Summary(result.Rejections)}" : "";
            return Condition.False(ReplicasScheduled, ReasonInsufficientCapacity, $"{current} of {desired} replicas scheduled{explained}");
        }
        var rolling = result.HeldCount == 0 ? "" : $"rolling out: {Held(result)} until its replacement serves";
        if (observedKeys == 0)
        {
            return Condition.False(ReplicasScheduled, ReasonScheduling, rolling.Length == 0 ? null : rolling);
        }
        return Condition.True(ReplicasScheduled, ReasonReplicasCreated, $"Scheduled {current} of {desired} replicas{(rolling.Length == 0 ? "" : "; " + rolling)}");
    }

    // Each held replica and why it still runs as it was.
    private static string Held(ScheduleResult result)
    {
        var why = result.Outdated.ToDictionary(o => o.Replica.Key, o => o.Why, StringComparer.Ordinal);
        var held = result.Placements.Where(p => p.Held).Select(p => p.Existing!).OrderBy(r => r.Name, StringComparer.Ordinal)
            .Select(r => $"replica {r.Name} on {r.ClusterName} kept as it was ({why.GetValueOrDefault(r.Key) ?? $"its cluster {r.ClusterName} is no longer a candidate"})");
        return string.Join("; ", held);
    }

    private static string Overcommitted(ScheduleResult result, int desired, string why)
    {
        var parts = new List<string>();
        foreach (var pool in result.Overcommits.GroupBy(o => (o.Cluster, o.Pool)).OrderBy(g => g.Key.Cluster, StringComparer.Ordinal).ThenBy(g => g.Key.Pool, StringComparer.Ordinal))
        {
            var first = pool.First();
            var ours = string.Join(", ", pool.Select(o => o.Replica));
            var yielding = pool.Where(o => o.Yields).Select(o => o.Replica).ToArray();
            var what = yielding.Length == 0
                ? $"replica {ours} was placed first or cannot be told apart from the later placement, so it stays"
                : result.CurrentCount >= desired
                    ? $"replica {string.Join(", ", yielding)} is the later placement and moves: re-placed elsewhere, kept until the replacement serves"
                    : $"replica {string.Join(", ", yielding)} is the later placement but has no room elsewhere yet{why}";
            parts.Add($"pool {first.Pool} of cluster {first.Cluster} is over its size: its ModelReplicas claim {first.Demand} on {first.Size}; {what}");
        }
        return string.Join("; ", parts) + "; to fix, raise the pool's size (nodeCount or maxNodeCount), free capacity there, or add a cluster with room for the later placement";
    }

    private static Condition Ready(int total, int serving, int held) =>
        total == 0 ? Condition.False(ReplicasReady, ReasonNoReplicasScheduled)
        : held > 0 ? Condition.False(ReplicasReady, ReasonRollingOut, $"{serving} of {total} serving; {EnginePlacer.Plural(held, "replica")} on a previous template or being replaced")
        : serving == total ? Condition.True(ReplicasReady, ReasonAllReplicasReady, $"{serving} of {total} ready")
        : Condition.False(ReplicasReady, ReasonModelStarting, $"{serving} of {total} ready");

    private static JsonObject Status(int total, int ready, IReadOnlyList<Rejection>? rejections, int? clusters)
    {
        var status = new ModelDeploymentStatus
        {
            Replicas = new ReplicaCounts { Total = total, Ready = ready },
            Scheduling = rejections is { Count: > 0 }
                ? new SchedulingStatus { Clusters = clusters, Unschedulable = Explanation.Status(rejections) }
                : null,
        };
        return Composition.StatusOf(status, ModelDeploymentJsonContext.Default.ModelDeploymentStatus);
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
