// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Apiextensions.Fn.Proto.V1;
using Google.Protobuf;
using Modelplane.Functions.ModelServices;
using Modelplane.Testing;
using static Modelplane.Routing.Tests.Fixtures;

namespace Modelplane.Routing.Tests.ModelServices;

public sealed class ModelServiceComposerTests
{
    public static TheoryData<Case> Cases => new()
    {
        // Upstream's nine cases, our data and words.
        new("ready-endpoint-composes-route",
            "An endpoint with a backend becomes the route's one backendRef, with its rewritePath as a URLRewrite.",
            Request(Service(Entry("app=test")), Gateway(), [[Endpoint("ep-1", backend: "svc-1", rewritePath: "/v1/")]])),
        new("no-endpoints-warns-and-keeps-route",
            "No matched endpoint and no gateway: EndpointsResolved and RoutingReady False with Warnings; the route is kept with no backendRefs (upstream deleted it).",
            Request(Service(Entry("app=test")), null, [[]])),
        new("endpoint-without-backend-composes-rule-without-backends",
            "A matched endpoint without a backend is counted as waiting; the rule has matches only and the service is not Ready.",
            Request(Service(Entry("app=test")), Gateway(), [[Endpoint("ep-1")]])),
        new("same-rewrite-two-backends-in-one-rule",
            "Two endpoints with the same rewritePath are two backendRefs of one rule, each with its own filter.",
            Request(Service(Entry("app=test")), Gateway(), [[
                Endpoint("ep-1", backend: "svc-ep-1", rewritePath: "/v1/"),
                Endpoint("ep-2", backend: "svc-ep-2", rewritePath: "/v1/")]])),
        new("different-rewrites-per-backend-filters",
            "A replica at /v1/ and an https provider at /openai/ share one rule; the provider routes to 443 and gets its Host header.",
            Request(Service(Entry("app=test")), Gateway(), [[
                Endpoint("ep-a", backend: "svc-a", rewritePath: "/v1/"),
                Endpoint("ep-groq", backend: "svc-groq", url: "https://api.groq.com/openai/v1", rewritePath: "/openai/")]])),
        new("weighted-entries-split-proportionally",
            "Entries weighted 80 (three endpoints) and 20 (one) give 27/27/26/20, as upstream.",
            Request(Service(Entry("app=prod", 80), Entry("app=canary", 20)), Gateway(), [
                [Endpoint("prod-1", backend: "svc-p1"), Endpoint("prod-2", backend: "svc-p2"), Endpoint("prod-3", backend: "svc-p3")],
                [Endpoint("canary-1", backend: "svc-c1")]])),
        new("weights-scale-up-so-no-endpoint-gets-zero",
            "Default weight over two endpoints beside weight 3 over one scales to 1/1/6, so no endpoint rounds to 0.",
            Request(Service(Entry("app=a"), Entry("app=b", 3)), Gateway(), [
                [Endpoint("a-1", backend: "svc-a1"), Endpoint("a-2", backend: "svc-a2")],
                [Endpoint("b-1", backend: "svc-b1")]])),
        new("equal-weights-reduce-by-gcd",
            "Weights 2 and 2 reduce to 1 and 1.",
            Request(Service(Entry("app=a", 2), Entry("app=b", 2)), Gateway(), [
                [Endpoint("a-1", backend: "svc-a1")], [Endpoint("b-1", backend: "svc-b1")]])),
        new("weights-capped-at-gateway-api-maximum",
            "1,000,000 over one endpoint beside 1 over two would need 2,000,000; it is capped to 1,000,000/1/1.",
            Request(Service(Entry("app=big", 1_000_000), Entry("app=small")), Gateway(), [
                [Endpoint("big-1", backend: "svc-big")],
                [Endpoint("small-1", backend: "svc-s1"), Endpoint("small-2", backend: "svc-s2")]])),

        // Untested upstream, and beyond upstream.
        new("accepted-route-is-routing-ready",
            "An observed route the gateway accepted with resolved references makes RoutingReady True and the route ready.",
            Request(Service(Entry("app=test")), Gateway(), [[Endpoint("ep-1", backend: "svc-1", rewritePath: "/v1/")]],
                observed: new() { ["httproute"] = ObservedRoute() })),
        new("unresolved-backend-names-the-cause",
            "A route whose backend the gateway cannot resolve is not ready, and the condition carries the gateway's words and a fix.",
            Request(Service(Entry("app=test")), Gateway(), [[Endpoint("ep-1", backend: "svc-1")]],
                observed: new() { ["httproute"] = ObservedRoute(resolved: false, resolvedMessage: "Service ml-team/svc-1 not found") })),
        new("endpoint-selected-twice-counts-once",
            "An endpoint two entries select belongs to the first; the second entry gets only its other endpoint.",
            Request(Service(Entry("app=a"), Entry("app=b")), Gateway(), [
                [Endpoint("shared", backend: "svc-shared")],
                [Endpoint("b-1", backend: "svc-b1"), Endpoint("shared", backend: "svc-shared")]])),
        new("entry-without-ready-endpoints-gets-no-share",
            "An entry whose endpoints are all waiting is left out; the ready entry takes all traffic.",
            Request(Service(Entry("app=a", 50), Entry("app=b", 50)), Gateway(), [
                [Endpoint("a-1", backend: "svc-a1"), Endpoint("a-2", backend: "svc-a2")],
                [Endpoint("b-1")]])),
        new("selector-matches-own-namespace-only",
            "Endpoints are required in the service's namespace, and one from another namespace is ignored even if returned.",
            Request(Service(Entry("app=test")), Gateway(), [[
                Endpoint("ep-1", backend: "svc-1"),
                Endpoint("intruder", backend: "svc-other", ns: "other-team")]])),
        new("break-glass-tier-idle-while-preferred-ready",
            "A priority-10 provider entry takes nothing while the priority-0 replicas have a ready endpoint.",
            Request(Service(Entry("app=self"), Entry("app=saas", priority: 10)), Gateway(), [
                [Endpoint("self-1", backend: "svc-self1", rewritePath: "/ml-team/self-1/")],
                [Endpoint("together", backend: "svc-together", url: "https://api.together.xyz/v1", rewritePath: "/")]])),
        new("break-glass-tier-serves-when-preferred-down",
            "With no priority-0 endpoint ready the provider tier serves, ServingTier says FailedOver and why, and a Warning marks it.",
            Request(Service(Entry("app=self"), Entry("app=saas", priority: 10)), Gateway(), [
                [Endpoint("self-1"), Endpoint("self-2")],
                [Endpoint("together", backend: "svc-together", url: "https://api.together.xyz/v1", rewritePath: "/")]])),
        new("failover-warning-not-repeated",
            "A failover already reported on the XR raises no second Warning.",
            Request(Service(new JsonArray(Entry("app=self"), Entry("app=saas", priority: 10)), conditions: new JsonArray(
                    Condition("ServingTier", "True", "FailedOver", "earlier"))), Gateway(), [
                [Endpoint("self-1")],
                [Endpoint("together", backend: "svc-together", url: "https://api.together.xyz/v1", rewritePath: "/")]])),
        new("weights-split-within-serving-tier",
            "Two priority-0 entries split 3:1 among themselves; the priority-1 entry is idle.",
            Request(Service(Entry("app=a", 3), Entry("app=b", 1), Entry("app=c", 5, priority: 1)), Gateway(), [
                [Endpoint("a-1", backend: "svc-a1")], [Endpoint("b-1", backend: "svc-b1")], [Endpoint("c-1", backend: "svc-c1")]])),
        new("missing-gateway-warns",
            "Ready endpoints but no InferenceGateway default: RoutingReady False naming the fix, a Warning, no address.",
            Request(Service(Entry("app=test")), null, [[Endpoint("ep-1", backend: "svc-1")]])),
        new("gateway-without-address-omits-address",
            "A gateway that has no address yet leaves status.address unset.",
            Request(Service(Entry("app=test")), Gateway(address: null), [[Endpoint("ep-1", backend: "svc-1")]])),
        new("tls-gateway-gives-https-address",
            "A gateway with TLS publishes https://<hostname>, and the service address follows it.",
            Request(Service(Entry("app=test")), Gateway(address: "https://models.example.com"), [[Endpoint("ep-1", backend: "svc-1")]])),
        new("ipv6-gateway-address-bracketed",
            "An IPv6 gateway address is bracketed in the service URL.",
            Request(Service(Entry("app=test")), Gateway(address: "2001:db8::42"), [[Endpoint("ep-1", backend: "svc-1")]])),
        new("endpoint-status-port-and-hostname-used",
            "The port and Host header an endpoint publishes are what its backendRef uses.",
            Request(Service(Entry("app=test")), Gateway(), [[
                Endpoint("ep-1", backend: "svc-1", url: "https://models.example.com:8443/v1", port: 8443, hostname: "models.example.com", rewritePath: "/v1/")]])),
        new("endpoint-without-port-or-valid-url-waits",
            "An endpoint with a backend but neither a published port nor a valid URL cannot be routed and counts as waiting.",
            Request(Service(Entry("app=test")), Gateway(), [[Endpoint("ep-1", backend: "svc-1", url: "not-a-url"), Endpoint("ep-2", backend: "svc-2")]])),
        new("no-endpoints-again-does-not-warn-twice",
            "When the XR already reports NoEndpoints and GatewayNotFound, the same state raises no new Warnings.",
            Request(Service(new JsonArray(Entry("app=test")), conditions: new JsonArray(
                    Condition("EndpointsResolved", "False", "NoEndpoints", "earlier"),
                    Condition("RoutingReady", "False", "GatewayNotFound", "earlier"))), null, [[]])),
        new("requirements-unresolved-asks-for-them",
            "Before Crossplane has fetched anything the service only declares what it needs: the gateway and each entry's endpoints in its namespace.",
            FunctionHost.Request(ModelServiceComposer.Name, Service(Entry("app=a"), Entry("app=b", 3)))),
        new("seventeen-endpoints-use-hop-rules",
            "Seventeen endpoints exceed one rule's 16 backendRefs: the root splits 9:8 over two hop rules through the hop Service, each endpoint strips the hop header.",
            Request(Service(Entry("app=test")), Gateway(), [Enumerable.Range(1, 17).Select(i => Endpoint($"ep-{i:00}", backend: $"svc-{i:00}", rewritePath: $"/ml-team/ep-{i:00}/")).ToArray()])),
        new("zero-weight-is-fatal",
            "A weight the XRD would reject is a Fatal result naming the field and the fix; nothing is applied, nothing torn down.",
            Request(Service(Entry("app=test", 0)), Gateway(), [[]])),
        new("priority-out-of-range-is-fatal",
            "A priority outside 0-1000 is a Fatal result naming the field.",
            Request(Service(Entry("app=test", priority: 5000)), Gateway(), [[]])),
        new("missing-selector-is-fatal",
            "An entry without selector.matchLabels is a Fatal result naming the entry.",
            Request(Service(new JsonObject { ["weight"] = 2 }), Gateway(), [[]])),

        // Criticality (docs/criticality.md).
        new("critical-service-sets-objectives-and-lowering-rules",
            "A Critical service names each replica's critical objective and strips the client's; rules matching x-modelplane-criticality Standard or Sheddable lower it and drop the header; the provider gets no objective; both clusters honour it.",
            Request(ModelService(new JsonArray(Entry("app=qwen"), Entry("app=saas")), criticality: "Critical"), Gateway(), [
                [ReplicaEndpoint("qwen-a1b2c", "qwen", "gpu-east"), ReplicaEndpoint("qwen-d3e4f", "qwen", "gpu-west")],
                [Endpoint("together", backend: "svc-together", url: "https://api.together.xyz/v1", rewritePath: "/")]],
                replicas: new() { ["replicas-qwen"] = [Replica("qwen-a1b2c", "qwen", "gpu-east", "True", "ObjectivesApplied"), Replica("qwen-d3e4f", "qwen", "gpu-west", "True", "ObjectivesApplied")] })),
        new("entry-criticality-overrides-service",
            "A Critical entry and a Sheddable entry of a Standard service each name their own class; lowering to Standard reaches only the Critical entry, to Sheddable both.",
            Request(Service(Entry("app=chat", 3, criticality: "Critical"), Entry("app=batch", criticality: "Sheddable")), Gateway(), [
                [ReplicaEndpoint("chat-a1b2c", "chat", "gpu-east")],
                [ReplicaEndpoint("batch-d3e4f", "batch", "gpu-east")]],
                replicas: new()
                {
                    ["replicas-batch"] = [Replica("batch-d3e4f", "batch", "gpu-east", "True", "ObjectivesApplied")],
                    ["replicas-chat"] = [Replica("chat-a1b2c", "chat", "gpu-east", "True", "ObjectivesApplied")],
                })),
        new("sheddable-service-has-no-lowering-rules",
            "A Sheddable service cannot be lowered further: one rule, every replica named with its sheddable objective.",
            Request(ModelService(new JsonArray(Entry("app=batch")), criticality: "Sheddable"), Gateway(), [[ReplicaEndpoint("batch-d3e4f", "batch", "gpu-east")]],
                replicas: new() { ["replicas-batch"] = [Replica("batch-d3e4f", "batch", "gpu-east", "True", "ObjectivesApplied")] })),
        new("cluster-refusing-objectives-is-named",
            "A replica whose cluster refuses its InferenceObjectives makes CriticalityHonoured False naming that cluster and the fix, with a Warning, and lists it in status.criticality.unhonoured; routing is unchanged.",
            Request(ModelService(new JsonArray(Entry("app=qwen")), criticality: "Critical"), Gateway(), [
                [ReplicaEndpoint("qwen-a1b2c", "qwen", "gpu-east"), ReplicaEndpoint("qwen-d3e4f", "qwen", "old-cluster")]],
                replicas: new() { ["replicas-qwen"] = [Replica("qwen-a1b2c", "qwen", "gpu-east", "True", "ObjectivesApplied"), Replica("qwen-d3e4f", "qwen", "old-cluster", "False", "ObjectivesRejected")] })),
        new("criticality-pending-until-replicas-report",
            "Before the replicas are fetched the service asks for them by deployment and says it is waiting; the route does not wait for them.",
            Request(ModelService(new JsonArray(Entry("app=qwen")), criticality: "Critical"), Gateway(), [[ReplicaEndpoint("qwen-a1b2c", "qwen", "gpu-east")]])),
        new("seventeen-replicas-lowering-copies-own-hop-tokens",
            "Seventeen Standard replicas: the tree is built once for Standard and once behind the Sheddable rule, each copy with its own hop tokens derived from the uid, and leaves naming that copy's objective.",
            Request(ModelService(new JsonArray(Entry("app=qwen")), uid: "7d1c2f4e-0b5a-4c3e-9f6d-2a8b1c0d3e4f"), Gateway(), [
                Enumerable.Range(1, 17).Select(i => ReplicaEndpoint($"qwen-{i:00}", "qwen", "gpu-east")).ToArray()],
                replicas: new() { ["replicas-qwen"] = [] })),
        new("invalid-criticality-is-fatal",
            "A criticality the XRD would reject is a Fatal result naming the field and the three classes.",
            Request(ModelService(new JsonArray(Entry("app=qwen")), criticality: "Urgent"), Gateway(), [[]])),
        new("duplicate-model-target-is-fatal",
            "A model split listing one model twice is a Fatal result naming the target and the fix.",
            Request(Service(Entry("app=qwen", models: new JsonObject
            {
                ["targets"] = new JsonArray(new JsonObject { ["name"] = "qwen-7b", ["weight"] = 9 }, new JsonObject { ["name"] = "qwen-7b" }),
            })), Gateway(), [[]])),
        // Overflow of shed Sheddable traffic (docs/criticality.md).
        new("overflow-to-second-placement",
            "A Sheddable service with overflow and replicas on two clusters: each replica's backendRef is a failover that sends a 429 to the other replica, whose Middlewares set its Sheddable objective and rewrite the path; SheddableOverflow is Active once the objects exist.",
            Settled(observed => Request(ModelService(new JsonArray(Entry("app=batch")), criticality: "Sheddable", overflow: []), Gateway(), [
                [ReplicaEndpoint("batch-a1b2c", "batch", "gpu-east"), ReplicaEndpoint("batch-d3e4f", "batch", "gpu-west")]],
                observed, replicas: new() { ["replicas-batch"] = [] }))),
        new("overflow-to-provider-tier",
            "A Sheddable entry with one replica and tiers: true overflows a 429 to the priority-10 provider entry, with the provider's Host and rewrite as Middlewares; the provider takes no other traffic.",
            Settled(observed => Request(ModelService(new JsonArray(Entry("app=batch", criticality: "Sheddable"), Entry("app=saas", priority: 10)), overflow: new JsonObject { ["tiers"] = true }), Gateway(), [
                [ReplicaEndpoint("batch-a1b2c", "batch", "gpu-east")],
                [Endpoint("together", backend: "svc-together", url: "https://api.together.xyz/v1", rewritePath: "/")]],
                observed, replicas: new() { ["replicas-batch"] = [] }))),
        new("critical-never-overflows-to-unlisted-provider",
            "A Critical service with overflow and tiers: the Critical and Standard rules keep plain Service backendRefs; only the Sheddable copy fails over, first to the other placement and then to the provider the service lists, never anywhere else.",
            Settled(observed => Request(ModelService(new JsonArray(Entry("app=qwen"), Entry("app=saas", priority: 10)), criticality: "Critical", overflow: new JsonObject { ["tiers"] = true, ["maxRequestBodyBytes"] = 1048576 }), Gateway(), [
                [ReplicaEndpoint("qwen-a1b2c", "qwen", "gpu-east"), ReplicaEndpoint("qwen-d3e4f", "qwen", "gpu-west")],
                [Endpoint("together", backend: "svc-together", url: "https://api.together.xyz/v1", rewritePath: "/")]],
                observed, replicas: new() { ["replicas-qwen"] = [] }))),
        new("overflow-pending-until-objects-exist",
            "Before the TraefikServices and Middlewares exist the route keeps plain backendRefs and SheddableOverflow is False, Pending.",
            Request(ModelService(new JsonArray(Entry("app=batch")), criticality: "Sheddable", overflow: []), Gateway(), [
                [ReplicaEndpoint("batch-a1b2c", "batch", "gpu-east"), ReplicaEndpoint("batch-d3e4f", "batch", "gpu-west")]],
                replicas: new() { ["replicas-batch"] = [] })),
        new("overflow-impossible-gateway-too-old",
            "Overflow requested but the InferenceGateway installs Traefik chart 39 (Traefik 3.6): SheddableOverflow False GatewayTooOld naming the fix, a Warning, and no Traefik objects.",
            Request(ModelService(new JsonArray(Entry("app=batch")), criticality: "Sheddable", overflow: []), Gateway(chart: "39.0.9"), [
                [ReplicaEndpoint("batch-a1b2c", "batch", "gpu-east"), ReplicaEndpoint("batch-d3e4f", "batch", "gpu-west")]],
                replicas: new() { ["replicas-batch"] = [] })),
        new("overflow-impossible-single-placement",
            "Overflow requested with one serving replica and no tiers: SheddableOverflow False NoOverflowTarget naming the replica and the fix, a Warning, and no Traefik objects.",
            Request(ModelService(new JsonArray(Entry("app=batch"), Entry("app=saas", priority: 10)), criticality: "Sheddable", overflow: []), Gateway(), [
                [ReplicaEndpoint("batch-a1b2c", "batch", "gpu-east")],
                [Endpoint("together", backend: "svc-together", url: "https://api.together.xyz/v1", rewritePath: "/")]],
                replicas: new() { ["replicas-batch"] = [] })),
        new("overflow-removed-keeps-objects-while-route-names-them",
            "spec.overflow removed while the observed route still names the failovers: the new route has plain Services, SheddableOverflow says NotRequested, and the Traefik objects the old route reaches are kept as they run until the route update lands.",
            Removed()),
        new("wrong-typed-weight-is-fatal",
            "A weight of the wrong type is a Fatal result and a False Composed condition naming the field, never INTERNAL.",
            Request(Service(new JsonObject { ["weight"] = "heavy", ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject() } }), Gateway(), [[]])),
    };

    [Theory]
    [MemberData(nameof(Cases), DisableDiscoveryEnumeration = true)]
    public void Compose(Case c) => Golden.Match(c.Name, c.Reason, FunctionHost.Run(c.Request, ModelServiceComposer.Composer));

    [Fact]
    public void Compose_SameRequestTwice_ByteIdenticalResponses()
    {
        var request = Request(Service(Entry("app=prod", 80), Entry("app=canary", 20)), Gateway(), [
            Enumerable.Range(1, 40).Select(i => Endpoint($"prod-{i}", backend: $"svc-{i}")).Reverse().ToArray(),
            [Endpoint("canary-1", backend: "svc-c1")]]);
        Assert.Equal(
            FunctionHost.Run(request, ModelServiceComposer.Composer).ToByteArray(),
            FunctionHost.Run(request, ModelServiceComposer.Composer).ToByteArray());
    }

    [Fact]
    public void Compose_EndpointsInAnyOrder_SameResponse()
    {
        JsonObject[] endpoints = [Endpoint("b", backend: "svc-b"), Endpoint("a", backend: "svc-a"), Endpoint("c", backend: "svc-c")];
        var forward = Request(Service(Entry("app=test")), Gateway(), [endpoints]);
        var backward = Request(Service(Entry("app=test")), Gateway(), [endpoints.Reverse().Select(e => (JsonObject)e.DeepClone()).ToArray()]);
        Assert.Equal(
            Golden.Yaml(FunctionHost.Run(forward, ModelServiceComposer.Composer)),
            Golden.Yaml(FunctionHost.Run(backward, ModelServiceComposer.Composer)));
    }

    [Theory]
    [InlineData("my-service")]
    [InlineData("a.very.long.name.with.dots.that.goes.on.and.on.beyond.sixty.three.characters.for.sure")]
    public void HopServiceName_AnyServiceName_ValidServiceName(string serviceName)
    {
        var hop = ModelServiceComposer.HopServiceName(serviceName);
        Assert.Matches("^[a-z]([-a-z0-9]*[a-z0-9])?$", hop);
        Assert.True(hop.Length <= 63);
        Assert.NotEqual(hop, ModelServiceComposer.HopServiceName(serviceName + "x"));
    }

    [Theory]
    [InlineData("uid-a", "1", "uid-a", "2")]
    [InlineData("uid-a", "1", "uid-b", "1")]
    [InlineData("uid-a", "1", "uid-a", "1/1")]
    public void HopToken_DifferentSecretOrHop_DifferentUnguessableToken(string secretA, string hopA, string secretB, string hopB)
    {
        var a = ModelServiceComposer.HopToken(secretA, hopA);
        Assert.Matches("^[0-9a-f]{32}$", a);
        Assert.Equal(a, ModelServiceComposer.HopToken(secretA, hopA));
        Assert.NotEqual(a, ModelServiceComposer.HopToken(secretB, hopB));
    }

    [Theory]
    [InlineData("34.55.100.10", "http://34.55.100.10")]
    [InlineData("lb.example.com", "http://lb.example.com")]
    [InlineData("2001:db8::42", "http://[2001:db8::42]")]
    [InlineData("https://models.example.com", "https://models.example.com")]
    [InlineData("https://models.example.com/", "https://models.example.com")]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void Address_GatewayAddress_UrlBase(string? gateway, string? expected) =>
        Assert.Equal(expected, ModelServiceComposer.Address(gateway));

    private static JsonObject Service(params JsonObject[] entries) => ModelService(new JsonArray(entries));

    private static JsonObject Service(JsonArray entries, JsonArray conditions) => ModelService(entries, conditions: conditions);

    // The request as it is once Crossplane has created what the first pass composed: the overflow
    // objects of that pass are observed.
    internal static RunFunctionRequest Settled(Func<Dictionary<string, JsonObject>?, RunFunctionRequest> request)
    {
        var first = JsonNode.Parse(JsonFormatter.Default.Format(FunctionHost.Run(request(null), ModelServiceComposer.Composer)))!;
        var observed = (first["desired"]?["resources"] as JsonObject ?? [])
            .Where(kv => kv.Key.StartsWith("overflow-", StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key, kv => kv.Value!["resource"]!.AsObject().DeepClone().AsObject(), StringComparer.Ordinal);
        Assert.NotEmpty(observed);
        return request(observed);
    }

    // A settled service with overflow, then the same service with spec.overflow removed, observing
    // what the settled pass composed (its route included).
    private static RunFunctionRequest Removed()
    {
        JsonObject Service(JsonObject? overflow, JsonArray? conditions) =>
            ModelService(new JsonArray(Entry("app=batch")), criticality: "Sheddable", overflow: overflow, conditions: conditions);
        JsonObject[][] endpoints = [[ReplicaEndpoint("batch-a1b2c", "batch", "gpu-east"), ReplicaEndpoint("batch-d3e4f", "batch", "gpu-west")]];
        var settled = Settled(observed => Request(Service([], null), Gateway(), endpoints, observed, replicas: new() { ["replicas-batch"] = [] }));
        var composed = JsonNode.Parse(JsonFormatter.Default.Format(FunctionHost.Run(settled, ModelServiceComposer.Composer)))!["desired"]!["resources"]!.AsObject();
        var observed = composed.ToDictionary(kv => kv.Key, kv => kv.Value!["resource"]!.AsObject().DeepClone().AsObject(), StringComparer.Ordinal);
        foreach (var (key, resource) in observed.Where(kv => kv.Key.StartsWith("overflow-", StringComparison.Ordinal)))
        {
            resource["metadata"]!["uid"] = $"uid-{key}";
        }
        return Request(Service(null, new JsonArray(Condition("SheddableOverflow", "True", "Active", "earlier"))), Gateway(), endpoints, observed,
            replicas: new() { ["replicas-batch"] = [] });
    }

    internal static RunFunctionRequest Request(
        JsonObject xr, JsonObject? gateway, IReadOnlyList<JsonObject>[] endpoints, Dictionary<string, JsonObject>? observed = null,
        Dictionary<string, IReadOnlyList<JsonObject>>? replicas = null)
    {
        var required = new Dictionary<string, IReadOnlyList<JsonObject>>(replicas ?? [], StringComparer.Ordinal)
        {
            ["inference-gateway"] = gateway is null ? [] : [gateway],
        };
        for (var i = 0; i < endpoints.Length; i++)
        {
            required[$"endpoints-{i}"] = endpoints[i];
        }
        return FunctionHost.Request(ModelServiceComposer.Name, xr, required, observed);
    }
}
