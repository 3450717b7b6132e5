// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using Modelplane.Apis.ModelDeployments;
using Modelplane.Apis.ModelReplicas;
using Modelplane.Domain;

namespace Modelplane.Functions.ModelDeployments;

/// <summary>One of this deployment's ModelReplicas as Crossplane observed it, under its composition resource
/// name <c>Key</c>; <c>Index</c> is its label <c>modelplane.ai/replica-index</c> (0 when missing or not a number).</summary>
internal sealed record OwnReplica(
    string Key,
    string Name,
    string Namespace,
    string ClusterName,
    int Index,
    long? Generation,
    ModelReplicaSpec Spec,
    bool Ready);

internal sealed record MemberPlacement(MemberRole Role, string Pool, IReadOnlyList<ResolvedRequest> Requests);

internal sealed record EnginePlacement(string Name, IReadOnlyList<MemberPlacement> Members);

/// <summary>A replica the deployment should have: where it runs and, unless held, what each member claims.</summary>
/// <remarks><c>Existing</c> is the observed replica this keeps (null for a new one). A <c>Held</c> one is kept exactly
/// as observed because it runs a previous template (or must yield) and its replacement is not serving yet;
/// an <c>Updated</c> one is an existing replica re-placed in place on the current template after its shape changed.</remarks>
internal sealed record Placement(
    string Cluster,
    int Index,
    string Gateway,
    IReadOnlyList<EnginePlacement> Engines,
    OwnReplica? Existing = null,
    bool Held = false,
    bool Updated = false);

internal enum DropReason
{
    /// <summary>Its cluster is gone, no longer matches the selectors, or cannot be read.</summary>
    ClusterGone,

    /// <summary>Another observed replica has the same (cluster, index).</summary>
    Duplicate,

    /// <summary>Its cluster has a NoExecute taint the deployment does not tolerate.</summary>
    Drained,

    /// <summary>It runs a previous template (or yields) and enough replicas of the current one serve.</summary>
    TemplateChanged,

    /// <summary>More replicas run than <c>spec.replicas</c> asks for.</summary>
    ScaledDown,
}

internal sealed record DroppedReplica(OwnReplica Replica, DropReason Reason);

/// <summary>Why one cluster could not take another replica.</summary>
internal sealed record Rejection(string Cluster, string Reason);

/// <summary>Why a running replica cannot simply be kept as the current template.</summary>
internal enum ChangeKind
{
    /// <summary>Its engines, member roles or pinned pools no longer match the template.</summary>
    Template,

    /// <summary>It still matches, but the template now claims devices it does not hold (copies, nodes, counts).</summary>
    Resized,

    /// <summary>Its cluster counts its pool over size and names it the later placement: it moves, make-before-break.</summary>
    Yield,
}

/// <summary>A held replica of ours: it runs something other than the current template, and why it was not updated in place.</summary>
internal sealed record OutdatedReplica(OwnReplica Replica, ChangeKind Kind, string Why);

/// <summary>A pool one of our replicas runs on whose cluster counts more than it holds.</summary>
internal sealed record Overcommit(string Cluster, string Pool, string Demand, string Size, string Replica, bool Yields);

internal sealed record ScheduleInput(
    DeploymentPlan Plan,
    int Desired,
    IReadOnlyList<FleetCluster> Clusters,
    IReadOnlyList<OwnReplica> Own,
    IReadOnlyList<TaintToleration> Tolerations,
    bool Fill = true,
    bool Update = true,
    IReadOnlySet<string>? Serving = null,
    IReadOnlySet<string>? Preferred = null)
{
    /// <summary>Whether a replica on this cluster can serve: Ready with a gateway (a cluster that left the selection included, when known).</summary>
    public bool Serves(string cluster, Dictionary<string, FleetCluster> candidates) =>
        Serving?.Contains(cluster) ?? candidates.GetValueOrDefault(cluster) is { Schedulable: true, Problem: null };
}

/// <summary>What the scheduler decided.</summary>
/// <remarks><c>Placements</c> are sorted by (cluster, index): up to <c>Desired</c> on the current template plus the held
/// ones; <c>Rejections</c> say, when fill stopped short, why each candidate cluster could not take the next replica
/// (else empty); <c>Outdated</c> explains each held replica that runs a previous template.</remarks>
internal sealed record ScheduleResult(
    IReadOnlyList<Placement> Placements,
    IReadOnlyList<DroppedReplica> Dropped,
    IReadOnlyList<Rejection> Rejections,
    IReadOnlyList<OutdatedReplica> Outdated,
    IReadOnlyList<Overcommit> Overcommits)
{
    public int HeldCount => Placements.Count(p => p.Held);

    /// <summary>Placements on the current template (everything not held).</summary>
    public int CurrentCount => Placements.Count - HeldCount;
}

/// <summary>The fleet scheduler: keep what runs, roll out template edits, then fill the shortfall or shed the surplus.</summary>
/// <remarks>
/// <para>
/// A pure function of the deployment, the candidate clusters (already filtered by label), this
/// deployment's observed replicas and what each pool has allocated. A replica's identity is
/// (cluster, index) and it never moves: moving is placing a new one and, once that serves, dropping the old.
/// </para>
/// <para>
/// Retain: a replica stays while its cluster is a candidate without an untolerated NoExecute taint,
/// its engines and member roles still match the template, each member's pinned pool still satisfies
/// the member's current selectors, and the re-stamped shape claims nothing it does not hold already.
/// Scale down removes the replica on the most loaded cluster, then the greatest cluster name, then
/// the highest index. Fill adds one replica at a time to the Ready cluster with a gateway whose pools
/// take every engine (each engine whole on one pool, first fit in published order), choosing the
/// fewest replicas of this deployment first and the name second, at the lowest free index; it stops
/// when nothing fits and records why each cluster said no.
/// </para>
/// <para>
/// Rollout (beyond upstream, which drops a changed replica and refills against a ledger that still
/// counts it, so on a full pool the edit never lands, and which re-stamps a grown copies or count
/// unchecked, past its pool): a replica whose shape changed is first updated in place (same identity,
/// so Crossplane updates the same object) on its own cluster, with its own devices counted free.
/// Where that does not fit, fill places a replacement elsewhere and the old replica is held, exactly
/// as it runs, until enough replicas of the current template serve: make-before-break. Where the
/// replacement fits nowhere the old replica stays held and the result says why
/// (<see cref="ScheduleResult.Outdated"/>), so a bad edit never tears down what runs. A replica whose
/// cluster left the selection is held the same way. Drains (NoExecute) and scale-downs are
/// intentional and never held.
/// </para>
/// <para>
/// Overcommit: a replica its cluster names as the later placement on a pool counted over its size
/// yields the same way, make-before-break; every replica of ours on such a pool is reported.
/// </para>
/// </remarks>
internal static class Scheduler
{
    private sealed record Change(OwnReplica Replica, ChangeKind Kind, Placement? Pinned);

    public static ScheduleResult Schedule(ScheduleInput input)
    {
        var matcher = new DeviceMatcher();
        var candidates = input.Clusters.ToDictionary(c => c.Name, StringComparer.Ordinal);
        var dropped = new List<DroppedReplica>();
        var kept = new List<Placement>();
        var changes = new List<Change>();
        var gone = new List<OwnReplica>();
        var used = new HashSet<(string, int)>();

        foreach (var own in input.Own.OrderBy(r => r.Name, StringComparer.Ordinal))
        {
            var reason = Retain(own, candidates, used, input, matcher, out var placement, out var change);
            if (reason is { } drop)
            {
                if (drop == DropReason.ClusterGone)
                {
                    gone.Add(own);
                }
                else
                {
                    dropped.Add(new DroppedReplica(own, drop));
                }
                continue;
            }
            used.Add((own.ClusterName, own.Index));
            if (change is { } kind)
            {
                changes.Add(new Change(own, kind, placement));
            }
            else
            {
                kept.Add(placement!);
            }
        }

        ScaleDown(kept, input.Desired, dropped);

        // Everything of ours that runs is charged, the changing replicas too: until one is updated
        // or removed, it holds its devices.
        var ledger = Ledger.Build(input.Clusters, kept.Select(p => p.Existing!).Concat(changes.Select(c => c.Replica)));
        var placer = new EnginePlacer(input.Plan, matcher, ledger);
        var current = new List<Placement>(kept);
        var outdated = new List<OutdatedReplica>();
        foreach (var change in changes)
        {
            if (current.Count >= input.Desired)
            {
                outdated.Add(new OutdatedReplica(change.Replica, change.Kind, "enough replicas run the current template"));
                continue;
            }
            string? why = "new placements wait for the ModelCache";
            var updated = input.Update ? UpdateInPlace(change, candidates, placer, ledger, input, out why) : null;
            if (updated is not null)
            {
                current.Add(updated);
            }
            else
            {
                outdated.Add(new OutdatedReplica(change.Replica, change.Kind, why!));
            }
        }

        IReadOnlyList<Rejection> rejections = [];
        var placed = new List<Placement>(current);
        if (input.Fill && current.Count < input.Desired)
        {
            rejections = Fill(input, candidates, current, placed, used, placer);
        }

        Hold(input, candidates, current, outdated, gone, placed, used, dropped);
        placed.Sort((a, b) =>
        {
            var byCluster = string.CompareOrdinal(a.Cluster, b.Cluster);
            return byCluster != 0 ? byCluster : a.Index.CompareTo(b.Index);
        });
        var heldKeys = placed.Where(p => p.Held).Select(p => p.Existing!.Key).ToHashSet(StringComparer.Ordinal);
        return new ScheduleResult(
            placed,
            dropped,
            rejections,
            outdated.Where(o => heldKeys.Contains(o.Replica.Key)).ToArray(),
            Overcommits(candidates, placed));
    }

    // Old replicas stay, exactly as they run, while replicas of the current template fall short, and
    // a Ready one also until enough replicas of the current template serve (make-before-break):
    // Ready ones first, then by name. The rest are dropped.
    private static void Hold(
        ScheduleInput input,
        Dictionary<string, FleetCluster> candidates,
        List<Placement> current,
        List<OutdatedReplica> outdated,
        List<OwnReplica> gone,
        List<Placement> placed,
        HashSet<(string, int)> used,
        List<DroppedReplica> dropped)
    {
        var serving = current.Count(p => !p.Updated && p.Existing is { Ready: true } && input.Serves(p.Cluster, candidates));
        var room = Math.Max(0, input.Desired - serving);
        // Beyond the shortfall only a replica that serves is worth keeping, until its replacement does.
        var shortfall = input.Desired - placed.Count;
        var old = outdated.Select(o => (o.Replica, Reason: DropReason.TemplateChanged))
            .Concat(gone.Select(g => (Replica: g, Reason: DropReason.ClusterGone)))
            .OrderByDescending(o => o.Replica.Ready)
            .ThenBy(o => o.Replica.Name, StringComparer.Ordinal)
            .ToArray();
        foreach (var (replica, reason) in old)
        {
            // A replica whose cluster left the selection has no identity reserved yet; a duplicate of one stays dropped.
            if (room > 0 && ((replica.Ready && input.Serves(replica.ClusterName, candidates)) || shortfall > 0) && (reason != DropReason.ClusterGone || used.Add((replica.ClusterName, replica.Index))))
            {
                room--;
                shortfall--;
                var gateway = candidates.GetValueOrDefault(replica.ClusterName)?.Gateway ?? "";
                placed.Add(new Placement(replica.ClusterName, replica.Index, gateway, [], replica, Held: true));
                continue;
            }
            dropped.Add(new DroppedReplica(replica, reason));
        }
    }

    // The replica re-placed on its own cluster under its own identity, with its own devices counted
    // free; null (and why) when that does not fit.
    private static Placement? UpdateInPlace(
        Change change,
        Dictionary<string, FleetCluster> candidates,
        EnginePlacer placer,
        Ledger ledger,
        ScheduleInput input,
        out string? why)
    {
        var replica = change.Replica;
        var cluster = candidates[replica.ClusterName];
        why = change.Kind == ChangeKind.Yield ? $"it is the later placement on an overcommitted pool of {cluster.Name}, so it moves instead"
            : !cluster.Ready ? $"its cluster {cluster.Name} is not Ready"
            : cluster.Gateway.Length == 0 ? $"its cluster {cluster.Name} has no gateway address"
            : Tolerations.Repelling(cluster.Taints, input.Tolerations) is { } taint ? $"its cluster {cluster.Name} has the untolerated taint {Tolerations.Describe(taint)}"
            : null;
        if (why is not null)
        {
            return null;
        }
        ledger.Release(replica);
        var attempt = change.Pinned is { } pinned ? placer.Pinned(cluster, pinned.Engines) : null;
        if (attempt?.Failure is not null)
        {
            // A resize that no longer fits its pins may still fit another pool of the cluster.
            var elsewhere = placer.Place(cluster);
            attempt = elsewhere.Failure is null ? elsewhere : attempt;
        }
        attempt ??= placer.Place(cluster);
        if (attempt.Failure is { } failure)
        {
            ledger.Charge(replica);
            why = $"in place on {cluster.Name}, with its own devices counted free: {failure}";
            return null;
        }
        placer.Commit(cluster, attempt);
        return new Placement(cluster.Name, replica.Index, cluster.Gateway, attempt.Engines, replica, Updated: true);
    }

    // Null when the replica is kept as it is, or changes (with its re-stamped pins when they still
    // match); else why it is dropped.
    private static DropReason? Retain(
        OwnReplica own,
        Dictionary<string, FleetCluster> candidates,
        HashSet<(string, int)> used,
        ScheduleInput input,
        DeviceMatcher matcher,
        out Placement? placement,
        out ChangeKind? change)
    {
        placement = null;
        change = null;
        if (own.ClusterName.Length == 0 || !candidates.TryGetValue(own.ClusterName, out var cluster) || cluster.Problem is not null)
        {
            return DropReason.ClusterGone;
        }
        if (used.Contains((own.ClusterName, own.Index)))
        {
            return DropReason.Duplicate;
        }
        if (Tolerations.Evicting(cluster.Taints, input.Tolerations) is not null)
        {
            return DropReason.Drained;
        }
        var engines = PinnedEngines(own, cluster, input.Plan, matcher);
        placement = engines is null ? null : new Placement(cluster.Name, own.Index, cluster.Gateway, engines, own);
        change = Yields(own, cluster) ? ChangeKind.Yield
            : engines is null ? ChangeKind.Template
            : Grows(own, input.Plan, engines) ? ChangeKind.Resized
            : null;
        return null;
    }

    // Whether its cluster names this replica among the later placements of a pool counted over its size.
    private static bool Yields(OwnReplica own, FleetCluster cluster)
    {
        var prefix = $"{own.Namespace}/{own.Name}@";
        return ReplicaClaims.Of(own.Spec).Any(c =>
            cluster.Pool(c.Pool)?.Allocated?.Overcommitted?.Any(o => o.StartsWith(prefix, StringComparison.Ordinal)) == true);
    }

    // Whether the re-stamped shape claims, on some pool, pods the replica does not hold now.
    private static bool Grows(OwnReplica own, DeploymentPlan plan, IReadOnlyList<EnginePlacement> engines)
    {
        var holds = new Dictionary<(string, PodClaim), int>();
        foreach (var claim in ReplicaClaims.Of(own.Spec))
        {
            holds[(claim.Pool, claim.Claim)] = holds.GetValueOrDefault((claim.Pool, claim.Claim)) + claim.Pods;
        }
        foreach (var (pool, claim, pods) in Claims(plan, engines))
        {
            if ((holds[(pool, claim)] = holds.GetValueOrDefault((pool, claim)) - pods) < 0)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>What a placement of the current template claims: (pool, what one pod claims, pods), in template order.</summary>
    internal static IEnumerable<(string Pool, PodClaim Claim, int Pods)> Claims(DeploymentPlan plan, IReadOnlyList<EnginePlacement> engines)
    {
        foreach (var (engine, placed) in plan.Engines.Zip(engines))
        {
            for (var m = 0; m < engine.Members.Count && m < placed.Members.Count; m++)
            {
                var member = placed.Members[m];
                var claim = new PodClaim(member.Requests.Select(r => new KeyValuePair<string, int>(r.DeviceClassName, r.Count)));
                if (!claim.IsEmpty)
                {
                    yield return (member.Pool, claim, engine.Members[m].PodsPerCopy * engine.Copies);
                }
            }
        }
    }

    // Every pool one of our placements runs on that its cluster counts over its size.
    private static List<Overcommit> Overcommits(Dictionary<string, FleetCluster> candidates, List<Placement> placed)
    {
        var found = new List<Overcommit>();
        foreach (var replica in placed.Select(p => p.Existing).OfType<OwnReplica>().OrderBy(r => r.Name, StringComparer.Ordinal))
        {
            if (!candidates.TryGetValue(replica.ClusterName, out var cluster))
            {
                continue;
            }
            foreach (var poolName in ReplicaClaims.Of(replica.Spec).Select(c => c.Pool).Distinct(StringComparer.Ordinal))
            {
                if (cluster.Pool(poolName) is not { Allocated: { } allocated } pool)
                {
                    continue;
                }
                var pods = new Dictionary<PodClaim, int>();
                foreach (var group in allocated.Pods ?? [])
                {
                    var claim = new PodClaim(group.Devices ?? new Dictionary<string, int>());
                    pods[claim] = pods.GetValueOrDefault(claim) + Math.Max(0, group.Count ?? 0);
                }
                if (PoolCapacity.Admissible(pods, pool.Nodes, pool.Devices.PerNode))
                {
                    continue;
                }
                var prefix = $"{replica.Namespace}/{replica.Name}@";
                found.Add(new Overcommit(
                    cluster.Name,
                    poolName,
                    PoolCapacity.Describe(pods),
                    PoolCapacity.DescribeSize(pool.Nodes, pool.Devices.PerNode),
                    replica.Name,
                    allocated.Overcommitted?.Any(o => o.StartsWith(prefix, StringComparison.Ordinal)) == true));
            }
        }
        return found;
    }

    // The replica's pins re-resolved against the current template, or null when they no longer hold.
    private static List<EnginePlacement>? PinnedEngines(OwnReplica own, FleetCluster cluster, DeploymentPlan plan, DeviceMatcher matcher)
    {
        var observed = own.Spec.Engines ?? [];
        if (observed.Count != plan.Engines.Count || observed.Any(o => !plan.Engines.Any(e => e.Name == o.Name)))
        {
            return null;
        }
        var engines = new List<EnginePlacement>(plan.Engines.Count);
        foreach (var engine in plan.Engines)
        {
            var observedMembers = observed.First(o => o.Name == engine.Name).Members ?? [];
            if (observedMembers.Count != engine.Members.Count)
            {
                return null;
            }
            var members = new List<MemberPlacement>(engine.Members.Count);
            var claims = false;
            for (var m = 0; m < engine.Members.Count; m++)
            {
                var member = engine.Members[m];
                var pinned = observedMembers[m];
                if ((pinned.Role ?? MemberRole.Standalone) != member.Role
                    || pinned.NodePoolName is not { Length: > 0 } poolName
                    || cluster.Pool(poolName) is not { } pool)
                {
                    return null;
                }
                var match = matcher.Match(member, pool.Devices);
                if (!match.Fits)
                {
                    return null;
                }
                claims |= match.Claims;
                members.Add(new MemberPlacement(member.Role, pool.Name, match.Requests!));
            }
            if (!claims)
            {
                return null;
            }
            engines.Add(new EnginePlacement(engine.Name, members));
        }
        return engines;
    }

    private static void ScaleDown(List<Placement> kept, int desired, List<DroppedReplica> dropped)
    {
        while (kept.Count > desired)
        {
            var load = kept.GroupBy(p => p.Cluster, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
            var victim = kept
                .OrderByDescending(p => load[p.Cluster])
                .ThenByDescending(p => p.Cluster, StringComparer.Ordinal)
                .ThenByDescending(p => p.Index)
                .First();
            kept.Remove(victim);
            dropped.Add(new DroppedReplica(victim.Existing!, DropReason.ScaledDown));
        }
    }

    private static List<Rejection> Fill(
        ScheduleInput input,
        Dictionary<string, FleetCluster> candidates,
        List<Placement> kept,
        List<Placement> placed,
        HashSet<(string, int)> used,
        EnginePlacer placer)
    {
        var load = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var p in kept)
        {
            load[p.Cluster] = load.GetValueOrDefault(p.Cluster) + 1;
        }
        var eligible = input.Clusters
            .Where(c => c.Problem is null && c.Schedulable && Tolerations.Repelling(c.Taints, input.Tolerations) is null)
            .ToList();
        // A cluster that cannot take a replica keeps failing until something is placed on it, and
        // fill only places on clusters that can: remember failures instead of retrying them.
        var failed = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var n = input.Desired - kept.Count; n > 0; n--)
        {
            FleetCluster? chosen = null;
            PlaceAttempt? attempt = null;
            // Preferred (the model cache is hydrated there) breaks ties on load; see CachePlacement.
            foreach (var cluster in eligible.OrderBy(c => load.GetValueOrDefault(c.Name)).ThenBy(c => input.Preferred?.Contains(c.Name) == true ? 0 : 1).ThenBy(c => c.Name, StringComparer.Ordinal))
            {
                if (failed.ContainsKey(cluster.Name))
                {
                    continue;
                }
                var tried = placer.Place(cluster);
                if (tried.Failure is null)
                {
                    chosen = cluster;
                    attempt = tried;
                    break;
                }
                failed[cluster.Name] = tried.Failure;
            }
            if (chosen is null || attempt is null)
            {
                return Explain(input, candidates, failed);
            }
            var index = 0;
            while (used.Contains((chosen.Name, index)))
            {
                index++;
            }
            used.Add((chosen.Name, index));
            load[chosen.Name] = load.GetValueOrDefault(chosen.Name) + 1;
            placer.Commit(chosen, attempt);
            placed.Add(new Placement(chosen.Name, index, chosen.Gateway, attempt.Engines));
        }
        return [];
    }

    // Why every candidate cluster said no, in the order kube-scheduler's filters would.
    private static List<Rejection> Explain(ScheduleInput input, Dictionary<string, FleetCluster> candidates, Dictionary<string, string> failed)
    {
        var rejections = new List<Rejection>(candidates.Count);
        foreach (var cluster in input.Clusters)
        {
            string reason;
            if (cluster.Problem is { } problem)
            {
                reason = problem;
            }
            else if (Tolerations.Repelling(cluster.Taints, input.Tolerations) is { } taint)
            {
                reason = $"untolerated taint {Tolerations.Describe(taint)}";
            }
            else if (!cluster.Ready)
            {
                reason = "not Ready";
            }
            else if (cluster.Gateway.Length == 0)
            {
                reason = "no gateway address";
            }
            else
            {
                reason = failed.GetValueOrDefault(cluster.Name) ?? "not tried";
            }
            rejections.Add(new Rejection(cluster.Name, reason));
        }
        return rejections;
    }
}
