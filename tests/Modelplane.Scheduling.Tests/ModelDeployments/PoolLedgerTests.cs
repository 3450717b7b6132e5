// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using Modelplane.Domain;
using Modelplane.Functions.ModelDeployments;

namespace Modelplane.Scheduling.Tests.ModelDeployments;

/// <summary>Device-granular accounting: what a pool admits, and a search proving it never admits what can strand a pod.</summary>
public sealed class PoolLedgerTests
{
    private static PodClaim Gpus(int n) => new([new("gpu", n)]);

    private static PodClaim Of(params (string Class, int Count)[] devices) => new(devices.Select(d => new KeyValuePair<string, int>(d.Class, d.Count)));

    private static bool Admits(int nodes, IReadOnlyDictionary<string, int> perNode, params (PodClaim Claim, int Pods)[] pods)
    {
        var all = new Dictionary<PodClaim, int>();
        foreach (var (claim, count) in pods)
        {
            all[claim] = all.GetValueOrDefault(claim) + count;
        }
        return PoolLedger.Admissible(all, nodes, perNode);
    }

    private static readonly Dictionary<string, int> Eight = new() { ["gpu"] = 8 };

    [Theory]
    [InlineData(1, 1, 8, true)]
    [InlineData(1, 1, 9, false)]
    [InlineData(2, 1, 16, true)]
    [InlineData(2, 8, 2, true)]
    [InlineData(2, 8, 3, false)]
    [InlineData(2, 4, 3, true)]
    [InlineData(2, 4, 4, false)] // Half-node pods: 4 would fit by hand, but the rule is conservative past 3.
    [InlineData(1, 9, 1, false)]
    [InlineData(0, 1, 1, false)]
    [InlineData(0, 1, 0, true)]
    public void Admissible_PodsOfOneSize_AdmitsAsWritten(int nodes, int gpusPerPod, int pods, bool want) =>
        Assert.Equal(want, Admits(nodes, Eight, (Gpus(gpusPerPod), pods)));

    [Fact]
    public void Admissible_SmallPodsThatCouldBlockEveryNode_RejectAWholeNodePod() =>
        Assert.False(Admits(2, Eight, (Gpus(3), 2), (Gpus(8), 1)));

    [Fact]
    public void Admissible_OneSmallPod_LeavesANodeForAWholeNodePod() =>
        Assert.True(Admits(2, Eight, (Gpus(3), 1), (Gpus(8), 1)));

    [Fact]
    public void Admissible_PodsClaimingTwoClasses_WeighOnceNotTwice() =>
        Assert.True(Admits(2, new Dictionary<string, int> { ["gpu"] = 8, ["rdma"] = 1 }, (Of(("gpu", 8), ("rdma", 1)), 2)));

    [Fact]
    public void Admissible_PodsOfAnotherClass_DoNotBlock() =>
        Assert.True(Admits(2, new Dictionary<string, int> { ["gpu"] = 8, ["rdma"] = 1 }, (Of(("rdma", 1)), 1), (Gpus(8), 2)));

    [Fact]
    public void Admissible_ClassThePoolLacks_NeverFits() =>
        Assert.False(Admits(4, Eight, (Of(("tpu", 1)), 1)));

    [Fact]
    public void Admissible_CountOneDevices_IsTheWholeNodeRule()
    {
        var one = new Dictionary<string, int> { ["gpu"] = 1 };
        Assert.True(Admits(3, one, (Gpus(1), 3)));
        Assert.False(Admits(3, one, (Gpus(1), 4)));
    }

    [Fact]
    public void Room_CountsPodsThatStillFit()
    {
        var ledger = new PoolLedger(1, Eight);
        ledger.Add(Gpus(1), 5);
        Assert.Equal(3, ledger.Room([Gpus(1), Gpus(1), Gpus(1), Gpus(1)]));
    }

    /// <summary>
    /// The guarantee, checked exhaustively for small pools: whenever the rule admits a set of pods,
    /// no order of arrival and no choice of node (any node with room, as kube-scheduler may pick)
    /// leaves a pod without a node; and it admits everything the whole-node rule admits.
    /// </summary>
    [Fact]
    public void Admissible_AnyAdmittedSet_NeverStrandsAPodUnderAnyPlacement()
    {
        var checkedSets = 0;
        foreach (var (perNode, maxPods) in new[] { (4, 6), (8, 5) })
        {
            foreach (var nodes in new[] { 1, 2, 3 })
            {
                foreach (var sizes in Multisets(perNode, maxPods))
                {
                    var pods = sizes.GroupBy(s => s).ToDictionary(g => Gpus(g.Key), g => g.Count());
                    var admitted = PoolLedger.Admissible(pods, nodes, new Dictionary<string, int> { ["gpu"] = perNode });
                    if (sizes.Count <= nodes)
                    {
                        Assert.True(admitted, $"whole-node rule admits {string.Join(",", sizes)} on {nodes} nodes");
                    }
                    if (admitted)
                    {
                        checkedSets++;
                        Assert.False(CanStrand(new int[nodes], sizes, perNode, []), $"{string.Join(",", sizes)} on {nodes} nodes of {perNode} can strand a pod");
                    }
                }
            }
        }
        Assert.True(checkedSets > 500, $"only {checkedSets} admitted sets checked");
    }

    // Every multiset of pod sizes 1..max with at most maxPods pods, sizes ascending.
    private static IEnumerable<List<int>> Multisets(int max, int maxPods)
    {
        IEnumerable<List<int>> From(int smallest, List<int> prefix)
        {
            yield return prefix;
            if (prefix.Count == maxPods)
            {
                yield break;
            }
            for (var size = smallest; size <= max; size++)
            {
                foreach (var set in From(size, [.. prefix, size]))
                {
                    yield return set;
                }
            }
        }
        return From(1, []);
    }

    // Whether some arrival order and some choice among nodes with room leaves a pod with none.
    private static bool CanStrand(int[] used, List<int> remaining, int perNode, Dictionary<string, bool> memo)
    {
        if (remaining.Count == 0)
        {
            return false;
        }
        var key = $"{string.Join(",", used.Order())}|{string.Join(",", remaining)}";
        if (memo.TryGetValue(key, out var known))
        {
            return known;
        }
        var strands = false;
        foreach (var size in remaining.Distinct())
        {
            var rest = new List<int>(remaining);
            rest.Remove(size);
            var fitting = Enumerable.Range(0, used.Length).Where(n => used[n] + size <= perNode).ToArray();
            if (fitting.Length == 0)
            {
                strands = true;
                break;
            }
            foreach (var n in fitting)
            {
                used[n] += size;
                var deeper = CanStrand(used, rest, perNode, memo);
                used[n] -= size;
                if (deeper)
                {
                    strands = true;
                    break;
                }
            }
            if (strands)
            {
                break;
            }
        }
        memo[key] = strands;
        return strands;
    }
}
