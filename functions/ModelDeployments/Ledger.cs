// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using Modelplane.Apis.ModelDeployments;
using Modelplane.Domain;

namespace Modelplane.Functions.ModelDeployments;

/// <summary>Every candidate pool's ledger: what its cluster published as allocated, plus what it has not counted yet of ours.</summary>
/// <remarks>
/// <para>
/// Each InferenceCluster publishes, per pool, the pods its ModelReplicas claim and which replicas
/// (at which generation) it counted. The scheduler starts from that, so it never needs the fleet's
/// ModelReplicas. It then adds, at their observed shape, those of this deployment's kept replicas
/// the pool has not counted at their current generation: our own replicas are always seen fresh,
/// so a replica created a moment ago is charged although the cluster has not republished yet, and a
/// replica counted at an older generation is charged twice until it republishes (too much, never
/// too little). Replicas of ours being removed stay charged while the cluster still counts them.
/// </para>
/// <para>
/// What stale information can do: another deployment's replica created (or grown) after its
/// cluster last published is invisible until the cluster republishes, which it does on the watch
/// event of that replica. Two deployments placing on one pool within that window can overcommit
/// it; the workload cluster's DRA allocation is the backstop (the pod stays Pending, the replica is
/// not Ready, it gets no endpoint). Upstream, which lists every replica, has the same race between
/// deployments reconciling at once. What it cannot do: undercount this deployment, or free capacity
/// that a deleted replica still holds (a deletion frees nothing until the cluster stops counting it).
/// A pool whose cluster has not published an allocation yet takes no new replicas.
/// </para>
/// </remarks>
internal sealed class Ledger
{
    // Every published pool, by (cluster, pool); its ledger is built on first use, since a placement
    // looks at the pools of a few clusters and a fleet has thousands.
    private readonly Dictionary<(string Cluster, string Pool), FleetPool> _published = [];
    private readonly Dictionary<(string Cluster, string Pool), PoolLedger> _pools = [];

    /// <summary>The pool's ledger, or null when the pool is unknown or has not published its allocation.</summary>
    public PoolLedger? Get(string cluster, string pool)
    {
        if (_pools.TryGetValue((cluster, pool), out var ledger))
        {
            return ledger;
        }
        if (!_published.TryGetValue((cluster, pool), out var published))
        {
            return null;
        }
        ledger = new PoolLedger(published.Nodes, published.Devices.PerNode);
        foreach (var group in published.Allocated!.Pods ?? [])
        {
            ledger.Add(new PodClaim(group.Devices ?? new Dictionary<string, int>()), group.Count ?? 0);
        }
        _pools[(cluster, pool)] = ledger;
        return ledger;
    }

    /// <summary>Frees what a running replica of ours is charged, so its own devices never block its own update.</summary>
    /// <remarks>Whether the cluster counted it at this generation or we charged it ourselves, exactly its claims are in the ledger.</remarks>
    public void Release(OwnReplica replica)
    {
        foreach (var claim in ReplicaClaims.Of(replica.Spec))
        {
            Get(replica.ClusterName, claim.Pool)?.Remove(claim.Claim, claim.Pods);
        }
    }

    /// <summary>Charges a running replica of ours again after an update of it did not fit.</summary>
    public void Charge(OwnReplica replica)
    {
        foreach (var claim in ReplicaClaims.Of(replica.Spec))
        {
            Get(replica.ClusterName, claim.Pool)?.Add(claim.Claim, claim.Pods);
        }
    }

    public static Ledger Build(IReadOnlyList<FleetCluster> clusters, IEnumerable<OwnReplica> running)
    {
        var ledger = new Ledger();
        foreach (var cluster in clusters)
        {
            foreach (var pool in cluster.Pools)
            {
                if (pool.Allocated is not null)
                {
                    // A later pool of the same (cluster, pool) name wins, as it always has.
                    ledger._published[(cluster.Name, pool.Name)] = pool;
                }
            }
        }
        foreach (var own in running)
        {
            var name = ReplicaClaims.CountedAs(own.Namespace, own.Name, own.Generation);
            foreach (var claim in ReplicaClaims.Of(own.Spec))
            {
                if (ledger.Get(own.ClusterName, claim.Pool) is { } pool
                    && !(ledger._published[(own.ClusterName, claim.Pool)].Allocated!.Replicas ?? []).Contains(name, StringComparer.Ordinal))
                {
                    pool.Add(claim.Claim, claim.Pods);
                }
            }
        }
        return ledger;
    }
}

/// <summary>A trial placement of every engine on one cluster, or why it failed.</summary>
internal sealed record PlaceAttempt(
    IReadOnlyList<EnginePlacement> Engines,
    IReadOnlyDictionary<string, List<(PodClaim Claim, int Pods)>> Pending,
    string? Failure)
{
    public static PlaceAttempt Failed(string failure) => new([], new Dictionary<string, List<(PodClaim, int)>>(), failure);
}

/// <summary>Places a deployment's engines on one cluster's pools against the ledger, without committing.</summary>
/// <remarks>
/// Engines go in template order, each whole on one pool (never split), first fit in published
/// order; different engines may use different pools. A member whose selectors are met on some pool
/// by a claimable device must claim on the pool it lands on (no stranding a GPU-hungry member on a
/// synthetic match); a member that claims nothing rides along at no cost. An engine whose members
/// claim nothing anywhere never schedules. If any engine fails, the cluster fails and nothing leaks.
/// </remarks>
internal sealed class EnginePlacer(DeploymentPlan plan, DeviceMatcher matcher, Ledger ledger)
{
    public PlaceAttempt Place(FleetCluster cluster)
    {
        if (cluster.Pools.Count == 0)
        {
            return PlaceAttempt.Failed("no GPU pools");
        }
        var pending = new Dictionary<string, List<(PodClaim, int)>>(StringComparer.Ordinal);
        var engines = new List<EnginePlacement>(plan.Engines.Count);
        foreach (var engine in plan.Engines)
        {
            var failure = PlaceEngine(cluster, engine, pending, out var placement);
            if (failure is not null)
            {
                return PlaceAttempt.Failed(plan.Engines.Count > 1 ? $"engine {engine.Name}: {failure}" : failure);
            }
            engines.Add(placement!);
        }
        return new PlaceAttempt(engines, pending, null);
    }

    /// <summary>The replica's pinned placement re-stamped with the current template, if the pools it pins still have room for it.</summary>
    public PlaceAttempt Pinned(FleetCluster cluster, IReadOnlyList<EnginePlacement> engines)
    {
        var pending = new Dictionary<string, List<(PodClaim, int)>>(StringComparer.Ordinal);
        foreach (var (engine, placed) in plan.Engines.Zip(engines))
        {
            for (var m = 0; m < engine.Members.Count; m++)
            {
                var member = placed.Members[m];
                var claim = new PodClaim(member.Requests.Select(r => new KeyValuePair<string, int>(r.DeviceClassName, r.Count)));
                if (claim.IsEmpty)
                {
                    continue;
                }
                if (!pending.TryGetValue(member.Pool, out var list))
                {
                    pending[member.Pool] = list = [];
                }
                list.Add((claim, engine.Members[m].PodsPerCopy * engine.Copies));
            }
        }
        foreach (var (pool, pods) in pending)
        {
            if (ledger.Get(cluster.Name, pool) is not { } poolLedger)
            {
                return PlaceAttempt.Failed($"pool {pool} has not published its allocation yet");
            }
            if (!poolLedger.Fits(pods))
            {
                var all = pods.SelectMany(p => Enumerable.Repeat(p.Item1, p.Item2)).ToArray();
                return PlaceAttempt.Failed($"not enough room in pool {pool} (needs {Plural(all.Length, "pod")}, room for {Room(poolLedger, [], all)})");
            }
        }
        return new PlaceAttempt(engines, pending, null);
    }

    public void Commit(FleetCluster cluster, PlaceAttempt attempt)
    {
        foreach (var (pool, pods) in attempt.Pending)
        {
            var poolLedger = ledger.Get(cluster.Name, pool)!;
            foreach (var (claim, count) in pods)
            {
                poolLedger.Add(claim, count);
            }
        }
    }

    private string? PlaceEngine(FleetCluster cluster, PlannedEngine engine, Dictionary<string, List<(PodClaim, int)>> pending, out EnginePlacement? placement)
    {
        placement = null;
        var matches = engine.Members.Select(m => cluster.Pools.Select(p => matcher.Match(m, p.Devices)).ToArray()).ToArray();
        var claimable = matches.Select(perPool => perPool.Any(x => x.Claims)).ToArray();
        if (!claimable.Any(c => c))
        {
            return NoMemberFits(cluster, engine, matches) ?? "matches only synthetic devices: nothing to claim";
        }

        string? capacity = null;
        for (var p = 0; p < cluster.Pools.Count; p++)
        {
            var pool = cluster.Pools[p];
            var fits = true;
            for (var m = 0; m < engine.Members.Count && fits; m++)
            {
                fits = matches[m][p].Fits && (!claimable[m] || matches[m][p].Claims);
            }
            if (!fits)
            {
                continue;
            }
            var extra = new List<(PodClaim, int)>();
            for (var m = 0; m < engine.Members.Count; m++)
            {
                if (matches[m][p].Claims)
                {
                    extra.Add((matches[m][p].Claim, engine.Members[m].PodsPerCopy * engine.Copies));
                }
            }
            if (ledger.Get(cluster.Name, pool.Name) is not { } poolLedger)
            {
                capacity ??= $"pool {pool.Name} has not published its allocation yet";
                continue;
            }
            var before = pending.GetValueOrDefault(pool.Name) ?? [];
            if (poolLedger.Fits(before.Concat(extra)))
            {
                pending[pool.Name] = [.. before, .. extra];
                placement = new EnginePlacement(engine.Name, engine.Members
                    .Select((m, i) => new MemberPlacement(m.Role, pool.Name, matches[i][p].Requests!))
                    .ToArray());
                return null;
            }
            if (capacity is null)
            {
                var pods = extra.SelectMany(e => Enumerable.Repeat(e.Item1, e.Item2)).ToArray();
                capacity = $"not enough room in pool {pool.Name} (needs {Plural(pods.Length, "pod")}, room for {Room(poolLedger, before, pods)})";
            }
        }
        return capacity
            ?? NoMemberFits(cluster, engine, matches)
            ?? cluster.Pools.Select(p => p.Devices.Problem is { } problem ? $"pool {p.Name}: {problem}" : null).FirstOrDefault(x => x is not null)
            ?? "no single pool fits every member";
    }

    private static int Room(PoolLedger ledger, List<(PodClaim, int)> before, PodClaim[] pods)
    {
        var room = 0;
        var added = new List<(PodClaim, int)>(before);
        foreach (var pod in pods)
        {
            added.Add((pod, 1));
            if (!ledger.Fits(added))
            {
                break;
            }
            room++;
        }
        return room;
    }

    // The first member that fits no pool, described by its first request no device satisfies.
    private static string? NoMemberFits(FleetCluster cluster, PlannedEngine engine, MemberMatch[][] matches)
    {
        for (var m = 0; m < engine.Members.Count; m++)
        {
            if (matches[m].Any(x => x.Fits))
            {
                continue;
            }
            var member = engine.Members[m];
            var who = member.Role == MemberRole.Standalone ? "" : $" for the {member.Role.ToString().ToLowerInvariant()}";
            var usable = cluster.Pools.Where(p => p.Devices.Problem is null).ToArray();
            if (usable.Length == 0)
            {
                var broken = cluster.Pools[0];
                return $"pool {broken.Name}: {broken.Devices.Problem}";
            }
            foreach (var request in member.Requests)
            {
                var furthest = -1;
                var largest = -1;
                var satisfied = false;
                foreach (var device in usable.SelectMany(p => p.Devices.Devices))
                {
                    var failing = DeviceMatcher.FirstFailingSelector(request, device);
                    if (failing >= 0)
                    {
                        furthest = Math.Max(furthest, failing);
                        continue;
                    }
                    largest = Math.Max(largest, device.Count);
                    satisfied |= device.Count >= request.Count;
                }
                if (satisfied)
                {
                    continue;
                }
                return largest >= 0
                    ? $"no pool has {request.Count} of device {request.Name} per node (at most {largest}){who}"
                    : furthest >= 0
                        ? $"no pool matches device {request.Name} (selector {furthest + 1}){who}"
                        : $"no pool has any device for {request.Name}{who}";
            }
            return $"no pool fits every device request together{who}";
        }
        return null;
    }

    internal static string Plural(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";
}
