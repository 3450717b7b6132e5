// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using Modelplane.Apis.InferenceClasses;

namespace Modelplane.Domain;

/// <summary>Whether a set of pods fits a pool however its nodes' scheduler places them: the one rule the
/// scheduler admits by and the cluster checks its counted allocation against.</summary>
/// <remarks>
/// <para>
/// A pool has <c>N</c> nodes, each with <c>C_d</c> claimable devices of class <c>d</c>; pod <c>i</c> claims
/// <c>k_i,d</c>. Pod <c>j</c> finds no node only if every node is blocked for it, i.e. on some class
/// <c>d</c> it needs, the pods already there claim more than <c>C_d − k_j,d</c>. Give every other pod
/// the weight <c>W_j(i) = max_d min(1, k_i,d / (C_d − k_j,d + 1))</c> over the classes <c>j</c> needs:
/// the pods on a blocked node weigh at least 1 together. So if the others weigh less than <c>N</c> in
/// total, some node is free for <c>j</c>, whatever the order and placement. A set of pods is admitted
/// only if that holds for every pod in it. Weights never exceed 1, so whatever upstream's whole-node
/// rule admits (at most <c>N</c> claiming pods) this admits too; with 1-GPU pods on 8-GPU nodes it
/// admits <c>8N</c>. Arithmetic is exact (integers over the common denominator).
/// </para>
/// <para>
/// Sharing it keeps the two sides honest: a pool the cluster reports over its size is exactly a
/// pool the scheduler would not have admitted the same pods to.
/// </para>
/// </remarks>
public static class PoolCapacity
{
    /// <summary>The admission rule over a whole set of pods (see remarks).</summary>
    public static bool Admissible(IReadOnlyDictionary<PodClaim, int> pods, int nodes, IReadOnlyDictionary<string, int> perNode)
    {
        foreach (var (j, count) in pods)
        {
            if (count <= 0 || j.IsEmpty)
            {
                continue;
            }
            if (nodes <= 0)
            {
                return false;
            }
            // Headroom T_d = C_d − k_j,d + 1 for every class j needs; a class short of k_j,d per node never fits.
            var headroom = new List<(string Class, long T)>();
            foreach (var (cls, k) in j.Devices)
            {
                var t = (long)perNode.GetValueOrDefault(cls) - k + 1;
                if (t <= 0)
                {
                    return false;
                }
                headroom.Add((cls, t));
            }
            Int128 denominator = 1;
            foreach (var (_, t) in headroom)
            {
                denominator = Lcm(denominator, t);
            }
            Int128 others = 0;
            foreach (var (i, n) in pods)
            {
                others += n * Weight(i, headroom, denominator);
            }
            others -= Weight(j, headroom, denominator);
            if (others >= nodes * denominator)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Claimable devices of each class on one node of a pool with these devices.</summary>
    public static SortedDictionary<string, int> PerNode(IEnumerable<Device> devices)
    {
        var perNode = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var device in devices.Where(d => (d.Claim ?? Device.DefaultClaim) == DeviceClaimMode.DRA))
        {
            var cls = device.DeviceClassName ?? "";
            perNode[cls] = perNode.GetValueOrDefault(cls) + Math.Max(0, device.Count ?? Device.DefaultCount);
        }
        return perNode;
    }

    /// <summary>Pods as people read them: <c>3 pods (gpu.nvidia.com=1)</c>, groups joined by <c>+</c>.</summary>
    public static string Describe(IReadOnlyDictionary<PodClaim, int> pods) =>
        pods.Count == 0
            ? "no pods"
            : string.Join(" + ", pods
                .Where(p => p.Value > 0)
                .OrderBy(p => p.Key.ToString(), StringComparer.Ordinal)
                .Select(p => $"{p.Value} {(p.Value == 1 ? "pod" : "pods")} ({p.Key})"));

    /// <summary>A pool's size as people read it: <c>1 node of gpu.nvidia.com=8</c>.</summary>
    public static string DescribeSize(int nodes, IReadOnlyDictionary<string, int> perNode) =>
        $"{nodes} {(nodes == 1 ? "node" : "nodes")} of {(perNode.Count == 0 ? "no claimable devices" : string.Join(",", perNode.Select(d => $"{d.Key}={d.Value}")))}";

    // W_j(i) scaled by the denominator: max over j's classes of min(1, k_i,d / T_d).
    private static Int128 Weight(PodClaim i, List<(string Class, long T)> headroom, Int128 denominator)
    {
        Int128 weight = 0;
        foreach (var (cls, t) in headroom)
        {
            var k = i.Of(cls);
            if (k <= 0)
            {
                continue;
            }
            var w = k >= t ? denominator : k * (denominator / t);
            if (w > weight)
            {
                weight = w;
            }
        }
        return weight;
    }

    private static Int128 Lcm(Int128 a, Int128 b) => a / Gcd(a, b) * b;

    private static Int128 Gcd(Int128 a, Int128 b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }
        return a;
    }
}
