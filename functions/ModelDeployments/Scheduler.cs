// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using Modelplane.Apis.ModelDeployments;
using Modelplane.Apis.ModelReplicas;

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
/// <remarks><c>Existing</c> is the observed replica this keeps (null for a new one); a <c>Held</c> one is kept exactly
/// as observed because the current template cannot be placed.</remarks>
internal sealed record Placement(
    string Cluster,
    int Index,
    string Gateway,
    IReadOnlyList<EnginePlacement> Engines,
    OwnReplica? Existing = null,
    bool Held = false);

internal enum DropReason
{
    /// <summary>Its cluster is gone, no longer matches the selectors, or cannot be read.</summary>
    ClusterGone,

    /// <summary>Another observed replica has the same (cluster, index).</summary>
    Duplicate,

    /// <summary>Its cluster has a NoExecute taint the deployment does not tolerate.</summary>
    Drained,

    /// <summary>Its engines or pinned pools no longer satisfy the current template.</summary>
    TemplateChanged,

    /// <summary>More replicas run than <c>spec.replicas</c> asks for.</summary>
    ScaledDown,
}

internal sealed record DroppedReplica(OwnReplica Replica, DropReason Reason);

/// <summary>Why one cluster could not take another replica.</summary>
internal sealed record Rejection(string Cluster, string Reason);

internal sealed record ScheduleInput(
    DeploymentPlan Plan,
    int Desired,
    IReadOnlyList<FleetCluster> Clusters,
    IReadOnlyList<OwnReplica> Own,
    IReadOnlyList<Toleration> Tolerations,
    bool Fill = true,
    IReadOnlySet<string>? Preferred = null);

/// <summary>What the scheduler decided.</summary>
/// <remarks><c>Placements</c> are sorted by (cluster, index), at most <c>Desired</c>; <c>Rejections</c> say, when fill
/// stopped short, why each candidate cluster could not take the next replica (else empty).</remarks>
internal sealed record ScheduleResult(
    IReadOnlyList<Placement> Placements,
    IReadOnlyList<DroppedReplica> Dropped,
    IReadOnlyList<Rejection> Rejections)
{
    public int HeldCount => Placements.Count(p => p.Held);
}

/// <summary>The fleet scheduler: keep what runs, then fill the shortfall or shed the surplus.</summary>
/// <remarks>
/// <para>
/// A pure function of the deployment, the candidate clusters (already filtered by label), this
/// deployment's observed replicas and what each pool has allocated. A replica's identity is
/// (cluster, index) and it never moves: moving is dropping it and placing a new one.
/// </para>
/// <para>
/// Retain: a replica stays while its cluster is a candidate without an untolerated NoExecute taint,
/// its engines and member roles still match the template, and each member's pinned pool still
/// satisfies the member's current selectors. Scale down removes the replica on the most loaded
/// cluster, then the greatest cluster name, then the highest index. Fill adds one replica at a time
/// to the Ready cluster with a gateway whose pools take every engine (each engine whole on one pool,
/// first fit in published order), choosing the fewest replicas of this deployment first and the
/// name second, at the lowest free index; it stops when nothing fits and records why each cluster
/// said no.
/// </para>
/// <para>
/// Hold (beyond upstream): an edit must not tear down what runs. When the result falls short and
/// some replicas were dropped only because of the edit (their cluster left the selection, or their
/// pins no longer satisfy the template), the scheduler runs again keeping up to the shortfall of them
/// exactly as they are, so they keep serving until the new template can be placed. Drains (NoExecute)
/// and scale-downs are intentional and never held.
/// </para>
/// </remarks>
internal static class Scheduler
{
    public static ScheduleResult Schedule(ScheduleInput input)
    {
        var matcher = new DeviceMatcher();
        var first = Run(input, [], matcher);
        var shortfall = input.Desired - first.Placements.Count;
        var holdable = first.Dropped
            .Where(d => d.Reason is DropReason.ClusterGone or DropReason.TemplateChanged)
            .Select(d => d.Replica)
            .OrderBy(r => r.Name, StringComparer.Ordinal)
            .Take(Math.Max(0, shortfall))
            .ToArray();
        if (holdable.Length == 0)
        {
            return first;
        }
        // Keep the first pass's explanation: it says why the current template could not be placed.
        var second = Run(input, holdable, matcher);
        return second.Rejections.Count > 0 ? second : second with { Rejections = first.Rejections };
    }

    private static ScheduleResult Run(ScheduleInput input, IReadOnlyList<OwnReplica> held, DeviceMatcher matcher)
    {
        var candidates = input.Clusters.ToDictionary(c => c.Name, StringComparer.Ordinal);
        var dropped = new List<DroppedReplica>();
        var kept = new List<Placement>();
        var used = new HashSet<(string, int)>();

        foreach (var own in input.Own.OrderBy(r => r.Name, StringComparer.Ordinal))
        {
            if (held.Contains(own))
            {
                continue;
            }
            var reason = Retain(own, candidates, used, input, matcher, out var placement);
            if (reason is { } drop)
            {
                dropped.Add(new DroppedReplica(own, drop));
                continue;
            }
            used.Add((own.ClusterName, own.Index));
            kept.Add(placement!);
        }

        ScaleDown(kept, input.Desired, dropped);

        foreach (var own in held)
        {
            if (used.Add((own.ClusterName, own.Index)))
            {
                var gateway = candidates.GetValueOrDefault(own.ClusterName)?.Gateway ?? "";
                kept.Add(new Placement(own.ClusterName, own.Index, gateway, [], own, Held: true));
            }
        }

        IReadOnlyList<Rejection> rejections = [];
        var placed = new List<Placement>(kept);
        if (input.Fill && kept.Count < input.Desired)
        {
            rejections = Fill(input, candidates, kept, placed, used, matcher);
        }
        placed.Sort((a, b) =>
        {
            var byCluster = string.CompareOrdinal(a.Cluster, b.Cluster);
            return byCluster != 0 ? byCluster : a.Index.CompareTo(b.Index);
        });
        return new ScheduleResult(placed, dropped, rejections);
    }

    // Null when the replica is kept (with its placement), else why it is dropped.
    private static DropReason? Retain(
        OwnReplica own,
        Dictionary<string, FleetCluster> candidates,
        HashSet<(string, int)> used,
        ScheduleInput input,
        DeviceMatcher matcher,
        out Placement? placement)
    {
        placement = null;
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
        if (engines is null)
        {
            return DropReason.TemplateChanged;
        }
        placement = new Placement(cluster.Name, own.Index, cluster.Gateway, engines, own);
        return null;
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
        DeviceMatcher matcher)
    {
        var ledger = Ledger.Build(input.Clusters, kept);
        var placer = new EnginePlacer(input.Plan, matcher, ledger);
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
