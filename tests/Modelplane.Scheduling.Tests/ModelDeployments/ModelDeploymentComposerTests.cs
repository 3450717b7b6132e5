// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Apiextensions.Fn.Proto.V1;
using Modelplane.Functions.ModelDeployments;
using Modelplane.Testing;
using static Modelplane.Scheduling.Tests.Fx;

namespace Modelplane.Scheduling.Tests.ModelDeployments;

/// <summary>The ModelDeployment composer end to end: whole responses against goldens.</summary>
/// <remarks>
/// Upstream's test_fn cases in our words, then what we do beyond upstream: bad edits keep what runs,
/// shortfalls are False and explained, ownership is by namespace, device-granular packing.
/// </remarks>
public sealed class ModelDeploymentComposerTests
{
    public sealed record Case(string Name, string Reason, Func<RunFunctionRequest> Request)
    {
        public override string ToString() => Name;
    }

    private static readonly Dictionary<string, string> TierProd = new() { ["tier"] = "prod", ["team"] = "search" };

    public static TheoryData<Case> Cases => new()
    {
        // Upstream parity.
        new("fresh-replica-has-no-endpoint",
            "A newly placed replica is composed without an endpoint until it reports Ready; the first placement is an event.",
            () => new World().Clusters("cluster-a").Request(Deployment())),
        new("not-ready-replica-withdraws-endpoint",
            "A replica that stops being Ready loses its endpoint; the replica stays.",
            () => new World().Clusters("cluster-a").Replica(Replica("cluster-a")).Endpoint(ObservedEndpoint("cluster-a"), "endpoint-cluster-a-0").Request(Deployment())),
        new("ready-replica-keeps-endpoint",
            "A Ready replica on a cluster with a gateway gets a ModelEndpoint at http://<gateway>/<namespace>/<replica>/v1.",
            () => new World().Clusters("cluster-a").Replica(Replica("cluster-a", ready: true)).Endpoint(ObservedEndpoint("cluster-a"), "endpoint-cluster-a-0").Request(Deployment())),
        new("no-capacity-places-nothing",
            "A pool of zero nodes places nothing: ReplicasScheduled=False explains why and the deployment is not ready.",
            () => new World().Cluster(Cluster("cluster-a", [Pool(nodes: 0)])).Request(Deployment())),
        new("offline-cluster-keeps-replica-drops-endpoint",
            "A replica on a cluster that lost Ready and its gateway is kept, without an endpoint.",
            () => new World().Cluster(Cluster("cluster-a", ready: false, gateway: "")).Replica(Replica("cluster-a", ready: true)).Endpoint(ObservedEndpoint("cluster-a"), "endpoint-cluster-a-0").Request(Deployment())),
        new("deleted-cluster-re-places-replica",
            "A replica whose cluster is gone is re-placed on another cluster under a new name.",
            () => new World().Clusters("cluster-b").Replica(Replica("cluster-a", ready: true)).Request(Deployment())),
        new("model-cache-ref-copied-to-replica",
            "A resolved ModelCache is required by name in the namespace and its reference copied onto the replica.",
            () => new World().Clusters("cluster-a").Request(Deployment(cache: "qwen"), ModelCache("qwen"))),
        new("model-cache-selector-narrows-clusters",
            "The ModelCache's cluster selector is merged into the deployment's: only a cluster with both labels is a candidate.",
            () => new World()
                .Cluster(Cluster("cluster-a", labels: new Dictionary<string, string> { ["region"] = "us-east" }))
                .Cluster(Cluster("cluster-b", labels: new Dictionary<string, string> { ["region"] = "us-east", ["tier"] = "gpu" }))
                .Request(
                Deployment(cache: "qwen", clusterSelector: new Dictionary<string, string> { ["region"] = "us-east" }),
                ModelCache("qwen", new Dictionary<string, string> { ["tier"] = "gpu" }))),
        new("unresolved-model-cache-places-nothing-new",
            "While the ModelCache is not fetched, nothing new is placed and the deployment waits for it.",
            () => new World().Clusters("cluster-a").Request(Deployment(cache: "qwen"), cacheResolved: false)),
        new("deleted-model-cache-keeps-replicas",
            "A deleted ModelCache keeps running replicas and their endpoints, warns, and places nothing new.",
            () => new World().Clusters("cluster-a").Replica(Replica("cluster-a", ready: true)).Endpoint(ObservedEndpoint("cluster-a"), "endpoint-cluster-a-0")
                .Request(Deployment(cache: "qwen"))),
        new("model-cache-selector-wins-on-a-shared-key",
            "When the deployment and its ModelCache select the same label key, the cache's value wins.",
            () => new World()
                .Cluster(Cluster("cluster-a", labels: new Dictionary<string, string> { ["region"] = "us-east", ["tier"] = "prod" }))
                .Cluster(Cluster("cluster-b", labels: new Dictionary<string, string> { ["region"] = "eu-west", ["tier"] = "prod" }))
                .Request(
                Deployment(cache: "qwen", clusterSelector: new Dictionary<string, string> { ["region"] = "us-east", ["tier"] = "prod" }),
                ModelCache("qwen", new Dictionary<string, string> { ["region"] = "eu-west" }))),
        new("two-replicas-share-one-cluster",
            "Two replicas on the only cluster are distinct resources with indices 0 and 1.",
            () => new World().Clusters("cluster-a").Request(Deployment(replicas: 2))),
        new("prefill-decode-copies-serving-and-phases",
            "PrefillDecode copies serving and each engine's phase onto the replica.",
            () => new World().Cluster(Cluster("cluster-a", [Pool(nodes: 3)])).Request(Deployment(
                serving: "PrefillDecode",
                engines: [Engine("prefill", phase: "Prefill"), Engine("decode", copies: 2, phase: "Decode")]))),
        new("template-labels-on-replica-and-endpoint",
            "Template labels are stamped on replicas and endpoints beside the three managed labels.",
            () => new World().Clusters("cluster-a").Replica(Replica("cluster-a", ready: true)).Request(Deployment(labels: TierProd))),
        new("managed-labels-win",
            "A template label that collides with a managed one is overwritten.",
            () => new World().Clusters("cluster-a").Request(Deployment(labels: new Dictionary<string, string> { ["modelplane.ai/cluster"] = "wrong", ["tier"] = "prod" }))),
        new("multi-node-gang-pins-both-members",
            "A Leader and Worker gang lands whole on one pool; the worker block is copied.",
            () => new World().Cluster(Cluster("cluster-a", [Pool(nodes: 4)])).Request(Deployment(engines: [Pipeline(3)]))),

        // Beyond upstream.
        new("invalid-selector-keeps-running-replicas",
            "An invalid CEL selector keeps the running replica and its endpoint as they are, naming the field and position.",
            () => new World().Clusters("cluster-a").Replica(Replica("cluster-a", ready: true)).Endpoint(ObservedEndpoint("cluster-a"), "endpoint-cluster-a-0")
                .Request(Deployment(engines: [Engine(members: Member(requests: [Request(cels: "device.driver == ")]))]))),
        new("misspelt-variable-is-invalid-selector",
            "A selector naming an undeclared variable is an invalid selector, not one that silently never matches.",
            () => new World().Clusters("cluster-a").Request(Deployment(engines: [Engine(members: Member(requests: [Request(cels: "devcie.driver == \"gpu.nvidia.com\"")]))]))),
        new("no-clusters-keeps-running-replicas",
            "A cluster selector no cluster matches keeps the running replica and, while its cluster serves, its endpoint; it warns.",
            () => new World().Clusters("cluster-a").Replica(Replica("cluster-a", ready: true)).Endpoint(ObservedEndpoint("cluster-a"), "endpoint-cluster-a-0")
                .Request(Deployment(clusterSelector: new Dictionary<string, string> { ["region"] = "mars" }))),
        new("no-clusters-warns",
            "No InferenceClusters at all: a warning, and the deployment is not ready.",
            () => new World().Request(Deployment())),
        new("partial-shortfall-is-false",
            "Two of three replicas placed is ReplicasScheduled=False with the count and the reason.",
            () => new World().Cluster(Cluster("cluster-a", [Pool(nodes: 2)])).Replica(Replica("cluster-a", 0, ready: true)).Replica(Replica("cluster-a", 1, ready: true))
                .Endpoint(ObservedEndpoint("cluster-a"), "endpoint-cluster-a-0").Endpoint(ObservedEndpoint("cluster-a", 1), "endpoint-cluster-a-1").Request(Deployment(replicas: 3))),
        new("unschedulable-explains-per-reason",
            "Nothing fits: the condition and status.scheduling say why, per reason, with example clusters.",
            () => new World().Class("l4", Gpu("23034Mi"))
                .Cluster(Cluster("gpu-1", [Pool("l4", className: "l4")]))
                .Cluster(Cluster("gpu-2", [Pool("l4", className: "l4")]))
                .Cluster(Cluster("gpu-3", [Pool("l4", className: "l4")]))
                .Cluster(Cluster("gpu-4", [Pool("h100", 1, allocated: Allocated(1))]))
                .Cluster(Cluster("gpu-5", taints: [Taint("drain", "NoSchedule")]))
                .Cluster(Cluster("gpu-6", ready: false))
                .Request(Deployment())),
        new("template-edit-nothing-hosts-keeps-replicas",
            "A template edit no pool can host keeps the running replica as it was, with its endpoint, until it can be placed.",
            () => new World().Clusters("cluster-a").Replica(Replica("cluster-a", ready: true)).Endpoint(ObservedEndpoint("cluster-a"), "endpoint-cluster-a-0")
                .Request(Deployment(engines: [Engine(members: Member(requests: [Request(cels: Memory200)]))]))),
        new("same-name-in-another-namespace-is-not-ours",
            "A replica of a same-named deployment in another namespace is someone else's usage, never ours to keep.",
            () => new World().Cluster(Cluster("cluster-a", [Pool(nodes: 1, allocated: Allocated(1, 1, $"other-team/{ReplicaName(Name, "cluster-a", 0)}@1"))])).Request(Deployment())),
        new("fleet-not-fetched-yet-waits",
            "Before Crossplane has fetched the fleet, running replicas are kept and the requirements declared.",
            () => new World().Replica(Replica("cluster-a", ready: true)).Request(Deployment(), fleetResolved: false)),
        new("one-gpu-replicas-share-an-eight-gpu-node",
            "Device-granular accounting: four 1-GPU replicas share one 8-GPU node instead of needing four nodes.",
            () => new World().Class("h100x8", Gpu(count: 8)).Cluster(Cluster("cluster-a", [Pool(nodes: 1, className: "h100x8")])).Request(Deployment(replicas: 4))),
    };

    private static string Ours(string cluster, int index = 0, long generation = 1) => $"{Ns}/{ReplicaName(Name, cluster, index)}@{generation}";

    // A Ready replica of ours on cluster-a with its endpoint, the only pod of a full 1-node pool that counted it.
    private static World FullPool(bool clusterReady = true, string gateway = Gateway) => new World()
        .Cluster(Cluster("cluster-a", [Pool(nodes: 1, allocated: Allocated(1, 1, Ours("cluster-a")))], ready: clusterReady, gateway: gateway))
        .Replica(Replica("cluster-a", ready: true)).Endpoint(ObservedEndpoint("cluster-a"), "endpoint-cluster-a-0");

    private static JsonObject OvercommittedPool(params string[] later)
    {
        var allocated = Allocated(2, 1, Ours("cluster-a"), "other-team/other-model-0a1b2@1");
        allocated["overcommitted"] = new JsonArray([.. later.Select(l => (JsonNode)JsonValue.Create(l))]);
        return allocated;
    }

    private static JsonObject OtherReplica(string cluster) => Replica(cluster, deployment: "other-model", ns: "other-team", ready: true);

    // Rollouts, held replicas' endpoints, overcommit and the switch-over from upstream (issue 9).
    public static TheoryData<Case> Rollouts => new()
    {
        new("template-edit-on-full-pool-updates-in-place",
            "An engine rename on a full pool re-places the replica in place under its own name: its own GPU does not block its own update.",
            () => FullPool().Request(Deployment(engines: [Engine("renamed")]))),
        new("template-edit-moves-make-before-break",
            "A copies edit the pool cannot hold places the new shape on another cluster and keeps the old replica serving until the new one does.",
            () => FullPool().Clusters("cluster-b").Request(Deployment(engines: [Engine(copies: 2)]))),
        new("rollout-completes-when-replacement-serves",
            "Once the replacement serves, the old replica and its endpoint go.",
            () => FullPool().Clusters("cluster-b")
                .Replica(Replica("cluster-b", ready: true, engines: [ObservedEngine(copies: 2)])).Endpoint(ObservedEndpoint("cluster-b"), "endpoint-cluster-b-0")
                .Request(Deployment(engines: [Engine(copies: 2)]))),
        new("rollout-blocked-names-cause-and-fix",
            "A copies edit with room nowhere keeps the old replica and says the rollout is blocked, by what, and how to unblock it.",
            () => FullPool().Request(Deployment(engines: [Engine(copies: 2)]))),
        new("held-replica-on-dead-cluster-has-no-endpoint",
            "A replica held through a bad edit on a cluster that is not Ready loses its endpoint and does not count as ready.",
            () => FullPool(clusterReady: false).Request(Deployment(engines: [Engine(members: Member(requests: [Request(cels: "device.driver == ")]))]))),
        new("held-replica-without-gateway-has-no-endpoint",
            "A replica held through a shortfall on a cluster that lost its gateway loses its endpoint.",
            () => FullPool(gateway: "").Request(Deployment(engines: [Engine(copies: 2)]))),
        new("held-replica-on-deleted-cluster-has-no-endpoint",
            "A replica whose cluster was deleted, kept while nothing else can host it, has no endpoint and is not ready.",
            () => new World().Replica(Replica("cluster-a", ready: true)).Endpoint(ObservedEndpoint("cluster-a"), "endpoint-cluster-a-0")
                .Request(Deployment(clusterSelector: new Dictionary<string, string> { ["region"] = "mars" }))),
        new("kept-endpoint-follows-new-gateway-address",
            "A held replica's endpoint is rebuilt from its cluster's current gateway address, not copied from the stale one.",
            () => FullPool(gateway: "10.0.0.2").Request(Deployment(engines: [Engine(members: Member(requests: [Request(cels: "device.driver == ")]))]))),
        new("copies-growth-checked-against-pool",
            "A copies edit is re-stamped in place only where the pool holds it (upstream grows it past the pool).",
            () => new World().Cluster(Cluster("cluster-a", [Pool(nodes: 2, allocated: Allocated(1, 1, Ours("cluster-a")))]))
                .Replica(Replica("cluster-a", ready: true)).Endpoint(ObservedEndpoint("cluster-a"), "endpoint-cluster-a-0")
                .Request(Deployment(engines: [Engine(copies: 2)]))),
        new("overcommitted-later-placement-yields",
            "Named by its cluster as the later placement on an overcommitted pool, the replica is re-placed elsewhere and kept until the new one serves.",
            () => new World().Cluster(Cluster("cluster-a", [Pool(nodes: 1, allocated: OvercommittedPool(Ours("cluster-a")))])).Clusters("cluster-b")
                .Replica(Replica("cluster-a", ready: true)).Endpoint(ObservedEndpoint("cluster-a"), "endpoint-cluster-a-0").Request(Deployment())),
        new("overcommitted-earlier-placement-reports",
            "On an overcommitted pool where the other deployment's replica is the later one, ours stays and the condition says so.",
            () => new World().Cluster(Cluster("cluster-a", [Pool(nodes: 1, allocated: OvercommittedPool("other-team/other-model-0a1b2@1"))]))
                .Replica(Replica("cluster-a", ready: true)).Endpoint(ObservedEndpoint("cluster-a"), "endpoint-cluster-a-0").Request(Deployment())),
        new("upstream-status-counts-replicas-by-label",
            "A cluster that publishes no allocation (upstream's status) has its ModelReplicas required by label and counted; the condition names it.",
            () => new World().Cluster(Cluster("cluster-a", [Pool(nodes: 1, unpublished: true)])).Cluster(Cluster("cluster-b", [Pool(nodes: 1, unpublished: true)]))
                .FleetReplica(OtherReplica("cluster-a")).Request(Deployment())),
    };

    public static TheoryData<Case> BadInput => new()
    {
        new("malformed-deployment-is-fatal",
            "A field of the wrong type the XRD should have rejected is a Fatal result naming the field; nothing is applied, so nothing is torn down.",
            () =>
            {
                var xr = Deployment();
                xr["spec"]!["replicas"] = "two";
                return new World().Clusters("cluster-a").Replica(Replica("cluster-a", ready: true)).Request(xr);
            }),
        new("unreadable-cluster-is-explained",
            "One cluster whose status cannot be read is skipped with the reason, and the rest of the fleet still schedules.",
            () =>
            {
                var broken = Cluster("cluster-a");
                broken["status"]!["gpuPools"] = "default";
                return new World().Cluster(broken).Cluster(Cluster("cluster-b", [Pool(nodes: 0)])).Request(Deployment());
            }),
        new("unreadable-class-matches-nothing",
            "A class that cannot be read leaves its pools matching nothing, and the explanation names it.",
            () =>
            {
                var world = new World().Cluster(Cluster("cluster-a", [Pool(className: "broken")]));
                var broken = Class("broken", Gpu());
                broken["spec"]!["devices"]![0]!["count"] = "eight";
                return FunctionHostRequest(world, broken);
            }),
    };

    private static RunFunctionRequest FunctionHostRequest(World world, JsonObject extraClass)
    {
        var request = world.Request(Deployment());
        request.RequiredResources[ModelDeploymentComposer.ClassesKey].Items.Add(new Resource { Resource_ = Modelplane.Sdk.StructJson.ToStruct(extraClass) });
        return request;
    }

    [Theory]
    [MemberData(nameof(BadInput))]
    public void Compose_BadInput(Case c) => Golden.Match(c.Name, c.Reason, FunctionHost.Run(c.Request(), ModelDeploymentComposer.Composer));

    [Theory]
    [MemberData(nameof(Cases))]
    [MemberData(nameof(Rollouts))]
    public void Compose(Case c) => Golden.Match(c.Name, c.Reason, FunctionHost.Run(c.Request(), ModelDeploymentComposer.Composer));
}
