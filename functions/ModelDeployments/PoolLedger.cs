// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using Modelplane.Domain;

namespace Modelplane.Functions.ModelDeployments;

/// <summary>What a pool holds and whether more pods fit: device-granular accounting that cannot overcommit.</summary>
/// <remarks>
/// <para>
/// Upstream charges a whole node per claiming pod, so a 1-GPU replica on an 8-GPU node strands seven
/// GPUs (upstream #172). We count devices instead, per device class, and admit pods only while no
/// pod can be left without a node however the workload cluster's scheduler places them. Packing
/// depends on placement we do not control (kube-scheduler spreads by default), so "the devices add
/// up" is not enough: two 3-GPU pods spread over two 8-GPU nodes leave no room for an 8-GPU pod
/// although 10 of 16 GPUs are free.
/// </para>
/// <para>
/// The rule. A pool has <c>N</c> nodes, each with <c>C_d</c> claimable devices of class <c>d</c>; pod
/// <c>i</c> claims <c>k_i,d</c>. Pod <c>j</c> finds no node only if every node is blocked for it, i.e.
/// on some class <c>d</c> it needs, the pods already there claim more than <c>C_d − k_j,d</c>. Give
/// every other pod the weight <c>W_j(i) = max_d min(1, k_i,d / (C_d − k_j,d + 1))</c> over the classes
/// <c>j</c> needs: the pods on a blocked node weigh at least 1 together. So if the others weigh less
/// than <c>N</c> in total, some node is free for <c>j</c>, whatever the order and placement. We admit
/// a set of pods only if that holds for every pod in it. Weights never exceed 1, so whatever the
/// upstream whole-node rule admits (at most <c>N</c> claiming pods) this admits too; with 1-GPU pods
/// on 8-GPU nodes it admits <c>8N</c>. A pod that needs a whole node's worth of a class makes every
/// other pod sharing that class weigh 1, which is the whole-node rule again. Arithmetic is exact
/// (integers over the common denominator), never floating point.
/// </para>
/// </remarks>
internal sealed class PoolLedger
{
    private readonly Dictionary<PodClaim, int> _pods = [];

    public PoolLedger(int nodes, IReadOnlyDictionary<string, int> perNode)
    {
        Nodes = nodes;
        PerNode = perNode;
    }

    public int Nodes { get; }

    /// <summary>Claimable devices of each class on one node.</summary>
    public IReadOnlyDictionary<string, int> PerNode { get; }

    /// <summary>Pods charged to the pool, by what one pod claims.</summary>
    public IReadOnlyDictionary<PodClaim, int> Pods => _pods;

    public void Add(PodClaim claim, int pods)
    {
        if (claim.IsEmpty || pods <= 0)
        {
            return;
        }
        _pods[claim] = _pods.GetValueOrDefault(claim) + pods;
    }

    /// <summary>Takes pods off the pool: a replica whose own devices must not block its own update.</summary>
    public void Remove(PodClaim claim, int pods)
    {
        if (claim.IsEmpty || pods <= 0 || !_pods.TryGetValue(claim, out var have))
        {
            return;
        }
        if (have <= pods)
        {
            _pods.Remove(claim);
        }
        else
        {
            _pods[claim] = have - pods;
        }
    }

    /// <summary>Whether the pool holds more than it has room for (an overcommit someone else's stale view caused).</summary>
    public bool Overcommitted => !Admissible(_pods, Nodes, PerNode);

    /// <summary>Whether the pool still has room for every pod charged to it plus <paramref name="extra"/>.</summary>
    public bool Fits(IEnumerable<(PodClaim Claim, int Pods)> extra)
    {
        var all = new Dictionary<PodClaim, int>(_pods);
        foreach (var (claim, pods) in extra)
        {
            if (!claim.IsEmpty && pods > 0)
            {
                all[claim] = all.GetValueOrDefault(claim) + pods;
            }
        }
        return Admissible(all, Nodes, PerNode);
    }

    /// <summary>How many of <paramref name="pods"/>, taken in order, still fit.</summary>
    public int Room(IReadOnlyList<PodClaim> pods)
    {
        var added = new List<(PodClaim, int)>();
        var room = 0;
        foreach (var pod in pods)
        {
            added.Add((pod, 1));
            if (!Fits(added))
            {
                break;
            }
            room++;
        }
        return room;
    }

    /// <summary>The admission rule over a whole set of pods (<see cref="PoolCapacity.Admissible"/>).</summary>
    internal static bool Admissible(IReadOnlyDictionary<PodClaim, int> pods, int nodes, IReadOnlyDictionary<string, int> perNode) =>
        PoolCapacity.Admissible(pods, nodes, perNode);
}
