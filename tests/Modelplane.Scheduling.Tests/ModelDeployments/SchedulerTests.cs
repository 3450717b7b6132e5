// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using static Modelplane.Scheduling.Tests.Fx;

namespace Modelplane.Scheduling.Tests.ModelDeployments;

/// <summary>The fleet scheduler on typed inputs: one row per behaviour, placements written out.</summary>
/// <remarks>
/// Upstream's test_scheduling table, restated with our own fixtures and words: retain, spread, pack,
/// scale down, capacity, device matching, members and taints. Rows marked "beyond upstream" are
/// where we deliberately differ.
/// </remarks>
public sealed class SchedulerTests
{
    public sealed record Row(string Name, Func<World> World, JsonObject Deployment, string[] Want, bool Fill = true)
    {
        public override string ToString() => Name;
    }

    private static JsonObject Md(int replicas = 1, params JsonObject[] engines) => Deployment(replicas, engines.Length == 0 ? null : engines);

    private static JsonObject Taint1 => Taint("modelplane.ai/maintenance", "NoSchedule", "on");

    private static JsonObject Taint2 => Taint("modelplane.ai/decommission", "NoExecute");

    public static TheoryData<Row> Schedule => new()
    {
        new("no clusters returns no placements", () => new World(), Md(), []),
        new("a single ready cluster is picked", () => new World().Clusters("a"), Md(), ["a/0@default"]),
        new("a cluster that is not Ready gets no new replica", () => new World().Cluster(Cluster("a", ready: false)), Md(), []),
        new("a cluster without a gateway address gets no new replica", () => new World().Cluster(Cluster("a", gateway: "")), Md(), []),
        new("a four-node gang does not fit a two-node pool", () => new World().Clusters("a"), Md(1, Pipeline(4)), []),
        new("an existing replica stays on its cluster although another is free",
            () => new World().Clusters("a", "b").Replica(Replica("a")), Md(), ["a/0@default"]),
        new("a replica on a degraded cluster is kept",
            () => new World().Cluster(Cluster("a", ready: false, gateway: "")).Replica(Replica("a")), Md(), ["a/0@default"]),
        new("a replica whose cluster is gone is placed elsewhere",
            () => new World().Clusters("b").Replica(Replica("a")), Md(), ["b/0@default"]),
        new("scaling up places the new replica on another cluster",
            () => new World().Clusters("a", "b").Replica(Replica("a")), Md(2), ["a/0@default", "b/0@default"]),
        new("scaling up without room keeps only what runs",
            () => new World().Cluster(Cluster("a", [Pool(nodes: 1)])).Replica(Replica("a")), Md(2), ["a/0@default"]),
        new("two replicas share the only cluster", () => new World().Clusters("a"), Md(2), ["a/0@default", "a/1@default"]),
        new("two replicas spread over two clusters first", () => new World().Clusters("a", "b"), Md(2), ["a/0@default", "b/0@default"]),
        new("three replicas spread, then pack the remainder", () => new World().Clusters("a", "b"), Md(3), ["a/0@default", "a/1@default", "b/0@default"]),
        new("capacity packs past the spread preference",
            () => new World().Cluster(Cluster("a", [Pool(nodes: 3)])).Cluster(Cluster("b", [Pool(nodes: 1)])),
            Md(3), ["a/0@default", "a/1@default", "b/0@default"]),
        new("a new replica goes to an empty cluster before doubling up",
            () => new World().Clusters("a", "b").Replica(Replica("a")), Md(2), ["a/0@default", "b/0@default"]),
        new("a new replica takes the lowest free index",
            () => new World().Cluster(Cluster("a", [Pool(nodes: 4)])).Replica(Replica("a", 0)).Replica(Replica("a", 2)),
            Md(3), ["a/0@default", "a/1@default", "a/2@default"]),
        new("scaling down drops the highest index of the most loaded cluster",
            () => new World().Clusters("a", "b").Replica(Replica("a", 0)).Replica(Replica("a", 1)).Replica(Replica("b", 0)),
            Md(2), ["a/0@default", "b/0@default"]),
        new("beyond upstream: a kept replica re-stamped bigger is updated in place only as far as the pool holds",
            () => new World().Cluster(Cluster("a", [Pool(nodes: 6)])).Replica(Replica("a", engines: [ObservedPipeline(2)])),
            Md(2, Pipeline(4)), ["a/0@default,default"]),
        new("scaling down keeps the spread",
            () => new World().Clusters("a", "b").Replica(Replica("a", 0)).Replica(Replica("a", 1)).Replica(Replica("b", 3)),
            Md(2), ["a/0@default", "b/3@default"]),
        new("two replicas on one cluster are both kept",
            () => new World().Clusters("a").Replica(Replica("a", 0)).Replica(Replica("a", 1)), Md(2), ["a/0@default", "a/1@default"]),
        new("scaling down at equal load drops the greater cluster name",
            () => new World().Clusters("a", "b").Replica(Replica("b")).Replica(Replica("a")), Md(1), ["a/0@default"]),
        new("new placements are alphabetical", () => new World().Clusters("c", "a", "b"), Md(2), ["a/0@default", "b/0@default"]),
        new("other deployments' pods use the pool",
            () => new World().Cluster(Cluster("a", [Pool(nodes: 1, allocated: Allocated(1, 1, "other/other-model-0a1b2@1"))])), Md(), []),
        new("our replica counted by its cluster is not charged twice",
            () => new World().Cluster(Cluster("a", [Pool(nodes: 2, allocated: Allocated(1, 1, $"{Ns}/{ReplicaName(Name, "a", 0)}@1"))])).Replica(Replica("a")),
            Md(2), ["a/0@default", "a/1@default"]),
        new("our replica not yet counted by its cluster is charged",
            () => new World().Cluster(Cluster("a", [Pool(nodes: 1)])).Replica(Replica("a")), Md(2), ["a/0@default"]),
        new("our replica counted at an older generation is charged again until its cluster recounts",
            () => new World().Cluster(Cluster("a", [Pool(nodes: 2, allocated: Allocated(1, 1, $"{Ns}/{ReplicaName(Name, "a", 0)}@1"))])).Replica(Replica("a", generation: 2)),
            Md(2), ["a/0@default"]),
        new("a replica pinned to a cluster outside the selection is not ours to keep",
            () => new World().Clusters("b").Replica(Replica("x")), Md(), ["b/0@default"]),
        new("two replicas claiming one identity: the first by name is kept",
            () => new World()
                .Cluster(Cluster("a", [Pool("a"), Pool("b")]))
                .Replica(Replica("a", pool: "b", name: "my-model-a-0-dup"), "replica-dup")
                .Replica(Replica("a", pool: "a", name: "my-model-a-0")),
            Md(), ["a/0@a"]),
        new("a pool that has not published its allocation takes no new replica",
            () => new World().Cluster(Cluster("a", [Pool(unpublished: true)])), Md(), []),
    };

    public static TheoryData<Row> FillDisabled => new()
    {
        new("nothing is placed", () => new World().Clusters("a"), Md(), [], Fill: false),
        new("a running replica is kept", () => new World().Clusters("a").Replica(Replica("a")), Md(), ["a/0@default"], Fill: false),
        new("a scale-up is not filled", () => new World().Clusters("a").Replica(Replica("a")), Md(3), ["a/0@default"], Fill: false),
    };

    private static World Frontier(string nicLink = "infiniband", int nodes = 2) =>
        new World().Class("frontier", Gpu(), Nic(nicLink)).Cluster(Cluster("a", [Pool("frontier", nodes, "frontier")]));

    public static TheoryData<Row> NodeSelector => new()
    {
        new("a matching request places on the pool", () => Frontier(), Md(), ["a/0@frontier"]),
        new("a request no device meets filters the cluster out", () => new World().Clusters("a"),
            Md(1, Engine(members: Member(requests: [Request(cels: Memory200)]))), []),
        new("a device count below the request filters it out", () => new World().Class("h100", Gpu(count: 4)).Clusters("a"),
            Md(1, Engine(members: Member(requests: [Request(count: 8)]))), []),
        new("a published device count of zero satisfies nothing",
            () => new World().Cluster(Cluster("a", [new PoolSpec("default", 2, "", NothingAllocated(), new JsonArray(Gpu(count: 0)))])), Md(), []),
        new("a pool of zero nodes hosts nothing", () => new World().Cluster(Cluster("a", [Pool(nodes: 0)])), Md(), []),
        new("a synthetic NIC matches but is not claimed", () => Frontier(),
            Md(1, Engine(members: Member(requests: [Request(), Request("nic", null, Infiniband)]))), ["a/0@frontier"]),
        new("a missing NIC filters the pool out", () => new World().Clusters("a"),
            Md(1, Engine(members: Member(requests: [Request(), Request("nic", null, Infiniband)]))), []),
        new("two requests cannot both take a single device", () => new World().Clusters("a"),
            Md(1, Engine(members: Member(requests: [Request("gpu-a"), Request("gpu-b")]))), []),
        new("two requests must fit within one device's count", () => new World().Class("h100", Gpu(count: 8)).Clusters("a"),
            Md(1, Engine(members: Member(requests: [Request("gpu-a", 5), Request("gpu-b", 5)]))), []),
        new("two requests share a device whose count covers both", () => new World().Class("h100", Gpu(count: 8)).Clusters("a"),
            Md(1, Engine(members: Member(requests: [Request("gpu-a", 4), Request("gpu-b", 4)]))), ["a/0@default"]),
        new("the first matching pool in published order wins",
            () => new World().Class("tcpx", Gpu(), Nic("tcpx")).Class("frontier", Gpu(), Nic())
                .Cluster(Cluster("a", [Pool("tcpx", className: "tcpx"), Pool("frontier", className: "frontier")])),
            Md(1, Engine(members: Member(requests: [Request(), Request("nic", null, Infiniband)]))), ["a/0@frontier"]),
        new("a selector met only by a synthetic device leaves nothing to claim", () => Frontier(),
            Md(1, Engine(members: Member(requests: [Request("nic", null, Infiniband)]))), []),
        new("a kept replica keeps its pinned pool",
            () => new World().Class("frontier", Gpu()).Cluster(Cluster("a", [Pool(), Pool("frontier", className: "frontier")])).Replica(Replica("a", pool: "frontier")),
            Md(), ["a/0@frontier"]),
        new("a selector edit the pin no longer meets re-places the replica on a pool that does",
            () => new World().Class("tcpx", Gpu(), Nic("tcpx")).Class("frontier", Gpu(), Nic())
                .Cluster(Cluster("a", [Pool("tcpx", className: "tcpx"), Pool("frontier", className: "frontier")])).Replica(Replica("a", pool: "tcpx")),
            Md(1, Engine(members: Member(requests: [Request(), Request("nic", null, Infiniband)]))), ["a/0@frontier"]),
        new("a pin that still matches stays, though another pool matches too",
            () => new World().Class("other", Gpu()).Cluster(Cluster("a", [Pool("a", className: "other"), Pool("b")])).Replica(Replica("a", pool: "a")),
            Md(), ["a/0@a"]),
        new("beyond upstream: a selector nothing meets keeps the running replica as it is",
            () => new World().Clusters("a").Replica(Replica("a")),
            Md(1, Engine(members: Member(requests: [Request(cels: Memory200)]))), ["a/0 held"]),
        new("a replica pinned to a pool the cluster no longer has is re-placed",
            () => new World().Class("frontier", Gpu()).Cluster(Cluster("a", [Pool("frontier", className: "frontier")])).Replica(Replica("a")),
            Md(), ["a/0@frontier"]),
        new("dropping a replica pinned to a vanished pool frees nothing it never held",
            () => new World().Class("frontier", Gpu()).Cluster(Cluster("a", [Pool("frontier", className: "frontier")]))
                .Replica(Replica("a", 0, pool: "frontier")).Replica(Replica("a", 1, pool: "gone")),
            Md(2), ["a/0@frontier", "a/1@frontier"]),
        new("the device count is checked per pool, not summed over the cluster",
            () => new World().Class("four", Gpu(count: 4)).Class("eight", Gpu(count: 8))
                .Cluster(Cluster("a", [Pool("a", className: "four"), Pool("b", className: "eight")])),
            Md(1, Engine(members: Member(requests: [Request(count: 8)]))), ["a/0@b"]),
        new("devices published inline (upstream's status) are read too",
            () => new World().Cluster(Cluster("a", [new PoolSpec("inline", 1, "", NothingAllocated(), new JsonArray(Gpu()))])), Md(), ["a/0@inline"]),
        new("a pool whose class does not exist matches nothing",
            () => new World().Cluster(Cluster("a", [Pool(className: "missing")])), Md(), []),
    };

    private static JsonObject Big => Request(cels: Memory200);

    private static JsonObject Small => Request(cels: "device.capacity[\"gpu.nvidia.com\"].memory.isLessThan(quantity(\"200Gi\"))");

    private static World SmallAndBig(int bigNodes = 2) =>
        new World().Class("big", Gpu("200Gi")).Cluster(Cluster("a", [Pool("small"), Pool("big", bigNodes, "big")]));

    public static TheoryData<Row> Members => new()
    {
        new("one pool meeting every member hosts the whole engine", () => SmallAndBig(),
            Md(1, Engine(members: [Member("Leader", [Request()]), Member("Worker", [Big], workerNodes: 1)])), ["a/0@big,big"]),
        new("members no single pool meets are not placed", () => SmallAndBig(),
            Md(1, Engine(members: [Member("Leader", [Big]), Member("Worker", [Small], workerNodes: 1)])), []),
        new("a gang larger than its only matching pool is not placed", () => SmallAndBig(1),
            Md(1, Engine(members: [Member("Leader", [Big]), Member("Worker", [Big], workerNodes: 1)])), []),
        new("a gang too large for one cluster lands whole on another",
            () => new World().Class("big", Gpu("200Gi"))
                .Cluster(Cluster("a", [Pool("big", 1, "big")])).Cluster(Cluster("b", [Pool("big", 2, "big")])),
            Md(1, Engine(members: [Member("Leader", [Big]), Member("Worker", [Big], workerNodes: 1)])), ["b/0@big,big"]),
        new("a member claimable elsewhere is not stranded on a synthetic match",
            () => new World().Class("fake", Gpu("200Gi", claim: "Synthetic")).Class("big", Gpu("200Gi"))
                .Cluster(Cluster("a", [Pool("a", className: "fake"), Pool("b", className: "big")])),
            Md(1, Engine(members: [Member("Leader", [Big]), Member("Worker", [Big], workerNodes: 1)])), ["a/0@b,b"]),
        new("a member met only by synthetic devices rides along claimless", () => Frontier(),
            Md(1, Engine(members: [Member("Leader", [Request("nic", null, Infiniband)]), Member("Worker", [Request()], workerNodes: 1)])),
            ["a/0@frontier,frontier"]),
        new("a member that matches nowhere fails the whole replica", () => SmallAndBig(),
            Md(1, Engine(members: [Member("Leader", [Request(cels: "device.capacity[\"gpu.nvidia.com\"].memory.compareTo(quantity(\"1Ti\")) >= 0")]), Member("Worker", [Big], workerNodes: 1)])), []),
        new("a leader without a selector rides along at no cost",
            () => new World().Cluster(Cluster("a", [Pool(nodes: 1)])),
            Md(1, Engine(members: [Member("Leader", noSelector: true), Member("Worker", [Request()], workerNodes: 1)])), ["a/0@default,default"]),
        new("a kept replica's claimless member keeps its pin",
            () => new World().Clusters("a").Replica(Replica("a", engines: [ObservedEngine(members: [new ObservedMember("Leader", "default", Gpus: 0), new ObservedMember("Worker", "default", WorkerNodes: 1)])])),
            Md(1, Engine(members: [Member("Leader", noSelector: true), Member("Worker", [Request()], workerNodes: 1)])), ["a/0@default,default"]),
        new("another deployment's claimless leader uses no capacity",
            () => new World().Cluster(Cluster("a", [Pool(nodes: 2, allocated: Allocated(1, 1, "other/other-gang-12345@1"))])), Md(), ["a/0@default"]),
        new("a member shape change re-places the replica",
            () => new World().Clusters("a").Replica(Replica("a")), Md(1, Pipeline(2)), ["a/0@default,default"]),
    };

    private static World Tainted(params JsonObject[] taints) =>
        new World().Cluster(Cluster("a", taints: taints)).Cluster(Cluster("b"));

    private static JsonObject Tolerating(params JsonObject[] tolerations) => Deployment(tolerations: tolerations);

    public static TheoryData<Row> Taints => new()
    {
        new("NoSchedule keeps new replicas off", () => Tainted(Taint1), Md(), ["b/0@default"]),
        new("NoSchedule leaves a running replica alone", () => Tainted(Taint1).Replica(Replica("a")), Md(), ["a/0@default"]),
        new("a toleration lets a replica land on a tainted cluster", () => Tainted(Taint1),
            Tolerating(Toleration("modelplane.ai/maintenance")), ["a/0@default"]),
        new("NoExecute drains a running replica elsewhere", () => Tainted(Taint2).Replica(Replica("a")), Md(), ["b/0@default"]),
        new("a NoExecute toleration keeps the replica in place", () => Tainted(Taint2).Replica(Replica("a")),
            Tolerating(Toleration("modelplane.ai/decommission")), ["a/0@default"]),
        new("a drain with nowhere to go leaves the count unmet (drains are never held)",
            () => new World().Cluster(Cluster("a", taints: [Taint2])).Replica(Replica("a")), Md(), []),
        new("a NoSchedule toleration does not cover a NoExecute taint", () => Tainted(Taint2).Replica(Replica("a")),
            Tolerating(Toleration("modelplane.ai/decommission", effect: "NoSchedule")), ["b/0@default"]),
        new("one untolerated taint of two still repels", () => Tainted(Taint1, Taint2),
            Tolerating(Toleration("modelplane.ai/maintenance")), ["b/0@default"]),
        new("an Equal toleration matches on value", () => new World().Cluster(Cluster("a", taints: [Taint1])),
            Tolerating(Toleration("modelplane.ai/maintenance", "Equal", "on")), ["a/0@default"]),
        new("an Equal toleration with another value does not match", () => new World().Cluster(Cluster("a", taints: [Taint1])),
            Tolerating(Toleration("modelplane.ai/maintenance", "Equal", "off")), []),
        new("a keyless Exists toleration tolerates every taint", () => new World().Cluster(Cluster("a", taints: [Taint1, Taint2])).Replica(Replica("a")),
            Tolerating(Toleration(null)), ["a/0@default"]),
    };

    public static TheoryData<Row> Hold => new()
    {
        new("a selector edit nothing meets keeps the replicas as they are",
            () => new World().Clusters("a", "b").Replica(Replica("a")).Replica(Replica("b")),
            Md(2, Engine(members: Member(requests: [Request(cels: Memory200)]))), ["a/0 held", "b/0 held"]),
        new("a cluster that left the selection keeps its replica while no other can host it",
            () => new World().Cluster(Cluster("b", [Pool(nodes: 0)])).Replica(Replica("a")), Md(), ["a/0 held"]),
        new("a partial re-placement keeps only as many old replicas as it falls short",
            () => new World().Class("big", Gpu("200Gi")).Cluster(Cluster("a")).Cluster(Cluster("b", [Pool("big", 1, "big")]))
                .Replica(Replica("a", 0)).Replica(Replica("a", 1)),
            Md(2, Engine(members: Member(requests: [Request(cels: Memory200)]))), ["a/0 held", "b/0@big"]),
        new("a selector edit re-places one replica in place on the pool with room and holds the other",
            () => new World().Class("big", Gpu("200Gi")).Cluster(Cluster("a", [Pool(), Pool("big", 1, "big")]))
                .Replica(Replica("a", 0)).Replica(Replica("a", 1)),
            Md(2, Engine(members: Member(requests: [Request(cels: Memory200)]))), ["a/0@big", "a/1 held"]),
        new("a scale-down is never held",
            () => new World().Clusters("a").Replica(Replica("a", 0)).Replica(Replica("a", 1)), Md(1), ["a/0@default"]),
    };

    private static string Ours(string cluster, int index = 0, long generation = 1) => $"{Ns}/{ReplicaName(Name, cluster, index)}@{generation}";

    // A full 1-node pool whose cluster counted our replica.
    private static PoolSpec Full(string cluster) => Pool(nodes: 1, allocated: Allocated(1, 1, Ours(cluster)));

    private static JsonObject Overcommitted(string cluster, params string[] later)
    {
        var allocated = Allocated(2, 1, Ours(cluster), "other/other-model-0a1b2@1");
        allocated["overcommitted"] = new JsonArray([.. later.Select(l => (JsonNode)JsonValue.Create(l))]);
        return allocated;
    }

    public static TheoryData<Row> Rollout => new()
    {
        new("an engine rename on a full pool updates the replica in place, its own devices counted free",
            () => new World().Cluster(Cluster("a", [Full("a")])).Replica(Replica("a", ready: true)),
            Md(1, Engine("renamed")), ["a/0@default"]),
        new("a member shape edit on a full pool updates in place when the pool holds the new shape",
            () => new World().Cluster(Cluster("a", [Pool(nodes: 2, allocated: Allocated(1, 1, Ours("a")))])).Replica(Replica("a", ready: true)),
            Md(1, Pipeline(2)), ["a/0@default,default"]),
        new("another deployment's devices still count against an in-place update",
            () => new World().Cluster(Cluster("a", [Pool(nodes: 2, allocated: Allocated(2, 1, Ours("a"), "other/x-1@1"))])).Replica(Replica("a", ready: true)),
            Md(1, Pipeline(2)), ["a/0 held"]),
        new("a copies edit that outgrows the pool moves make-before-break: the old replica is held beside its replacement",
            () => new World().Cluster(Cluster("a", [Full("a")])).Clusters("b").Replica(Replica("a", ready: true)),
            Md(1, Engine(copies: 2)), ["a/0 held", "b/0@default"]),
        new("the old replica goes once its replacement serves",
            () => new World().Cluster(Cluster("a", [Full("a")])).Clusters("b")
                .Replica(Replica("a", ready: true)).Replica(Replica("b", ready: true, engines: [ObservedEngine(copies: 2)])),
            Md(1, Engine(copies: 2)), ["b/0@default"]),
        new("a rollout with room nowhere keeps the old replica held",
            () => new World().Cluster(Cluster("a", [Full("a")])).Replica(Replica("a", ready: true)),
            Md(1, Engine(copies: 2)), ["a/0 held"]),
        new("an edit on a cluster that is not Ready moves the replica instead of updating it there",
            () => new World().Cluster(Cluster("a", [Full("a")], ready: false)).Clusters("b").Replica(Replica("a", ready: true)),
            Md(1, Engine("renamed")), ["b/0@default"]),
        new("a replica its cluster names as the later placement yields make-before-break",
            () => new World().Cluster(Cluster("a", [Pool(nodes: 1, allocated: Overcommitted("a", Ours("a")))])).Clusters("b").Replica(Replica("a", ready: true)),
            Md(), ["a/0 held", "b/0@default"]),
        new("a replica named as the later placement with nowhere to go stays",
            () => new World().Cluster(Cluster("a", [Pool(nodes: 1, allocated: Overcommitted("a", Ours("a")))])).Replica(Replica("a", ready: true)),
            Md(), ["a/0 held"]),
        new("a replica placed first on an overcommitted pool stays where it is",
            () => new World().Cluster(Cluster("a", [Pool(nodes: 1, allocated: Overcommitted("a", "other/other-model-0a1b2@1"))])).Clusters("b").Replica(Replica("a", ready: true)),
            Md(), ["a/0@default"]),
        new("a copies edit that shrinks is re-stamped in place without a capacity check",
            () => new World().Cluster(Cluster("a", [Pool(nodes: 1, allocated: Allocated(3, 1, Ours("a"), "other/x-1@1"))])).Replica(Replica("a", ready: true, engines: [ObservedEngine(copies: 2)])),
            Md(), ["a/0@default"]),
    };

    public static TheoryData<Row> Devices => new()
    {
        new("eight 1-GPU replicas pack onto one 8-GPU node",
            () => new World().Class("h100x8", Gpu(count: 8)).Cluster(Cluster("a", [Pool(nodes: 1, className: "h100x8")])),
            Md(9), ["a/0@default", "a/1@default", "a/2@default", "a/3@default", "a/4@default", "a/5@default", "a/6@default", "a/7@default"]),
        new("GPUs others already claim on a shared node are respected",
            () => new World().Class("h100x8", Gpu(count: 8)).Cluster(Cluster("a", [Pool(nodes: 1, className: "h100x8", allocated: Allocated(6, 1, "other/x-1@1"))])),
            Md(3), ["a/0@default", "a/1@default"]),
        new("an 8-GPU replica does not fit beside pods that could fill every node",
            () => new World().Class("h100x8", Gpu(count: 8)).Cluster(Cluster("a", [Pool(nodes: 2, className: "h100x8", allocated: Allocated(2, 3, "other/x-1@1"))])),
            Md(1, Engine(members: Member(requests: [Request(count: 8)]))), []),
        new("an 8-GPU replica fits beside one small pod on two nodes",
            () => new World().Class("h100x8", Gpu(count: 8)).Cluster(Cluster("a", [Pool(nodes: 2, className: "h100x8", allocated: Allocated(1, 3, "other/x-1@1"))])),
            Md(1, Engine(members: Member(requests: [Request(count: 8)]))), ["a/0@default"]),
        new("whole-node replicas fill a pool one per node",
            () => new World().Class("h100x8", Gpu(count: 8)).Cluster(Cluster("a", [Pool(nodes: 2, className: "h100x8")])),
            Md(3, Engine(members: Member(requests: [Request(count: 8)]))), ["a/0@default", "a/1@default"]),
    };

    [Theory]
    [MemberData(nameof(Schedule))]
    [MemberData(nameof(FillDisabled))]
    [MemberData(nameof(NodeSelector))]
    [MemberData(nameof(Members))]
    [MemberData(nameof(Taints))]
    [MemberData(nameof(Hold))]
    [MemberData(nameof(Devices))]
    [MemberData(nameof(Rollout))]
    public void Schedule_Row_PlacesAsWritten(Row row) =>
        Assert.Equal(row.Want, World.Describe(row.World().Schedule(row.Deployment, row.Fill)));

    [Fact]
    public void Schedule_DegradedCluster_KeepsReplicaWithoutGateway()
    {
        var result = new World().Cluster(Cluster("a", ready: false, gateway: "")).Replica(Replica("a")).Schedule(Md());
        Assert.Equal("", Assert.Single(result.Placements).Gateway);
    }

    [Fact]
    public void Schedule_MatchingPool_ResolvesDraRequestsOnly()
    {
        var result = Frontier().Schedule(Md(1, Engine(members: Member(requests: [Request(), Request("nic", null, Infiniband)]))));
        var member = Assert.Single(Assert.Single(Assert.Single(result.Placements).Engines).Members);
        var request = Assert.Single(member.Requests);
        Assert.Equal(("gpu", GpuDriver, 1, Memory141), (request.Name, request.DeviceClassName, request.Count, Assert.Single(request.Cels)));
    }

    [Fact]
    public void Schedule_TwoRequestsOnOneDevice_ResolvesBoth()
    {
        var result = new World().Class("h100", Gpu(count: 8)).Clusters("a")
            .Schedule(Md(1, Engine(members: Member(requests: [Request("gpu-a", 4), Request("gpu-b", 4)]))));
        var member = Assert.Single(Assert.Single(Assert.Single(result.Placements).Engines).Members);
        Assert.Equal(["gpu-a", "gpu-b"], member.Requests.Select(r => r.Name));
    }

    [Fact]
    public void Schedule_ClaimlessLeader_ResolvesNoRequests()
    {
        var result = Frontier().Schedule(Md(1, Engine(members: [Member("Leader", [Request("nic", null, Infiniband)]), Member("Worker", [Request()], workerNodes: 1)])));
        var members = Assert.Single(Assert.Single(result.Placements).Engines).Members;
        Assert.Equal([0, 1], members.Select(m => m.Requests.Count));
    }
}
