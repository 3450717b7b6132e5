// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Modelplane.Apis.InferenceGateways;
using Modelplane.Apis.ModelEndpoints;
using Modelplane.Apis.ModelServices;
using Modelplane.Domain;
using Modelplane.Kubernetes.Core;
using Modelplane.Kubernetes.Discovery;
using Modelplane.Kubernetes.GatewayApi;
using Modelplane.Kubernetes.Meta;
using Modelplane.Kubernetes.Traefik;
using Modelplane.Sdk;

namespace Modelplane.Functions.ModelServices;

/// <summary>Composes the HTTPRoute that gives a ModelService one URL over every ModelEndpoint it selects.</summary>
/// <remarks>
/// <para>
/// We require the InferenceGateway <c>default</c> (for the public address) and, per
/// <c>spec.endpoints[i]</c>, the ModelEndpoints its labels select <b>in the service's own
/// namespace</b> (upstream listed every namespace, so one tenant's selector could route to another
/// tenant's endpoint). An endpoint counts once, for the first entry that selects it, and is ready
/// once its <c>status.routing.backendName</c> is set. The route matches <c>/&lt;ns&gt;/&lt;name&gt;/</c>
/// on the control-plane Gateway and gives every endpoint its own URLRewrite (its
/// <c>rewritePath</c>, and for a named host its Host header), so a replica at
/// <c>/&lt;ns&gt;/&lt;replica&gt;/</c> and a provider at <c>/</c> share one URL. Per-backendRef filters are a
/// Gateway API Extended feature that Traefik 3.7 implements, which is why the gateway is Traefik.
/// </para>
/// <para>
/// Priority tiers: entries carry a <c>priority</c> (lower is preferred, default 0). Only the best
/// tier with a ready endpoint takes traffic, split by weight within it, so a SaaS entry at a worse
/// priority is a break-glass that serves only while every better tier has nothing ready.
/// <c>ServingTier</c> says which tier serves and why. Weights within the tier are upstream's,
/// number for number (<see cref="WeightDistribution"/>).
/// </para>
/// <para>
/// More than 16 endpoints: Gateway API allows 16 backendRefs per rule, and weights split only within
/// a rule, so upstream's single rule is rejected past 16. We keep that rule up to 16 endpoints and
/// beyond it lay the endpoints out as a tree of rules of at most 16 (<see cref="RouteTree"/>): the
/// root rule's backendRefs point at a "hop" Service whose one FQDN endpoint is Traefik's own
/// in-cluster Service, each with a RequestHeaderModifier setting <c>x-modelplane-hop</c> to a child
/// rule's id; the request re-enters the gateway, where the rule matching that header (and the same
/// path prefix) splits it further, down to rules whose backendRefs are the endpoints (which strip
/// the header). The tree follows the entries: the root splits by the entries' declared weights and
/// each entry's subtree by endpoint counts, so entry shares are exact and each entry's endpoints
/// share it exactly evenly, even where upstream's single rule would have to round. Rules are packed 16 to an HTTPRoute (<c>httproute</c>, <c>httproute-1</c>, ...):
/// 240 endpoints fit one route, 1,000 take five. The price is one extra pass through Traefik per
/// level (two levels up to 256 endpoints, three up to 4,096). The header's values are not the rule
/// ids but tokens derived from the ModelService's uid (<see cref="HopToken"/>), so a client that
/// sends the header itself cannot name a sub-tree: an unknown value matches no hop rule and the
/// request enters at the root like any other. Grouping endpoints into shared Services was rejected
/// because every replica has its own rewrite path, and TraefikServices because Traefik drops
/// backendRef filters on them and they are not Gateway API.
/// </para>
/// <para>
/// Criticality (<see cref="Criticality"/>, docs/criticality.md): every request the route sends to a
/// replica carries the picker's objective header, set by the gateway to that replica pool's
/// InferenceObjective for the entry's class, overwriting whatever the client sent (and removing the
/// picker's deprecated alias). A client may lower its class with <c>x-modelplane-criticality</c>: the
/// tree is repeated once per class a request may lower to, behind a root rule matching that header
/// value (which it then removes), and that copy's leaves name the lower objective. A value that would
/// raise the class matches no rule, so it changes nothing. External providers get no objective.
/// <c>CriticalityHonoured</c> says whether every cluster reached applies the objectives
/// (<see cref="CriticalityStatus"/>).
/// </para>
/// <para>
/// Waiting never tears down: with no endpoint matched or ready the route stays, with no backendRefs
/// (upstream deleted it; a selector typo then meant 404s and a recreated route), the service is not
/// Ready, and False conditions name the cause and the fix. Warnings are emitted on transitions only.
/// Endpoints that stop being ready leave the route at once: that is the health signal.
/// </para>
/// </remarks>
public static class ModelServiceComposer
{
    public const string Name = "model-service";

    public static Composer Composer { get; } = new(Name, Compose, "ModelService.modelplane.ai");

    // Conditions this function owns on the ModelService.
    public const string EndpointsResolved = "EndpointsResolved";
    public const string ServingTier = "ServingTier";
    public const string RoutingReady = "RoutingReady";
    private const string ReasonResolved = "Resolved";
    private const string ReasonResolving = "Resolving";
    private const string ReasonNoEndpoints = "NoEndpoints";
    private const string ReasonInvalidSpec = "InvalidSpec";
    private const string ReasonPreferredTier = "PreferredTier";
    private const string ReasonFailedOver = "FailedOver";
    private const string ReasonNoReadyEndpoints = "NoReadyEndpoints";
    private const string ReasonGatewayNotFound = "GatewayNotFound";
    private const string ReasonConfiguring = "Configuring";
    private const string ReasonBackendsUnresolved = "BackendsUnresolved";
    private const string ReasonRouteConfigured = "RouteConfigured";

    // Desired-resource and requirement keys. Crossplane matches observed to desired by key, so
    // renaming one deletes and recreates the resource.
    private const string HttpRouteKey = "httproute";
    private const string HopServiceKey = "hop-service";
    private const string HopEndpointSliceKey = "hop-endpointslice";
    private const string GatewayRequirement = "inference-gateway";
    private const string EndpointsRequirementPrefix = "endpoints-";

    // The Gateway the InferenceGateway composes, and Traefik's in-cluster Service the hop dials
    // (port 80 maps to the web entrypoint; the short name resolves through the pod's search path,
    // whatever the cluster domain).
    private const string GatewayName = "modelplane";
    private const string GatewayNamespace = "modelplane-system";
    private const string TraefikServiceHost = "traefik.traefik-system.svc";
    private const int TraefikServicePort = 80;

    /// <summary>The header whose value selects a rule below the root when there are more than 16 endpoints.</summary>
    public const string HopHeader = "x-modelplane-hop";

    private const string Tcp = "TCP";

    // Gateway API's limit on replacePrefixMatch.
    private const int MaxRewritePath = 1024;

    public static Composition Compose(FunctionRequest req)
    {
        var xr = req.ReadComposite(ModelServiceJsonContext.Default.ModelService);
        var ns = req.Namespace ?? "";
        var (entries, invalid) = Entries(xr, ns);
        if (invalid is not null)
        {
            return Composition.Fatal(EndpointsResolved, ReasonInvalidSpec, $"invalid ModelService \"{req.Name}\": {invalid}");
        }
        var requirements = Requirements(ns, entries);
        if (requirements.Keys.Any(k => !req.Required.IsResolved(k)))
        {
            return Resolving(requirements);
        }

        var gateway = req.Required.Read(GatewayRequirement, InferenceGatewayJsonContext.Default.InferenceGateway) is [var g, ..] ? g : null;
        var groups = Groups(req, ns, entries);
        var serving = ServingGroups(groups);
        var plan = Plan(serving);
        var overflow = PlanOverflow(req, ns, xr.Spec!.Overflow, gateway, groups, serving, plan);
        var routes = Routes(ns, req.Name, plan, HopSecret(req, ns), overflow.FailoverByEndpoint);
        var routing = Routing(req, gateway, plan, routes.Keys);
        var leaves = plan.Leaves.Select(l => new CriticalLeaf(l.Name, l.Criticality, l.Deployment, l.Cluster)).ToArray();
        foreach (var (key, requirement) in CriticalityStatus.Requirements(ns, leaves))
        {
            requirements[key] = requirement;
        }
        var (criticality, honoured) = CriticalityStatus.Evaluate(req, leaves);
        Condition[] conditions = [Resolved(ns, groups), Tier(groups, serving), routing, honoured, .. overflow.Condition is { } o ? [o] : Array.Empty<Condition>()];
        var resources = Resources(ns, req.Name, routes, plan, routing.Status == ConditionStatus.True, req.Observed);
        foreach (var (key, resource) in overflow.Resources)
        {
            resources[key] = resource;
        }
        Overflow.KeepWhileRouted(req, resources);
        return new Composition
        {
            Requirements = requirements,
            Resources = resources,
            Status = Status(ns, req.Name, gateway, criticality),
            Conditions = conditions,
            Results = Warnings(req.Composite, conditions),
        };
    }

    /// <summary>One <c>spec.endpoints[]</c> entry with its defaults applied.</summary>
    private sealed record Entry(int Index, IReadOnlyDictionary<string, string> MatchLabels, long Weight, long Priority, string Criticality);

    /// <summary>An endpoint that can take traffic: its Service, port, Host header, rewrite, the class of the entry that routes it, and where a replica runs.</summary>
    internal sealed record Routable(string Name, string BackendName, int Port, string? Hostname, string? RewritePath, string Criticality, string? Deployment, string? Cluster);

    /// <summary>An entry with the endpoints it matched (names) and those of them that are ready.</summary>
    private sealed record Group(Entry Entry, IReadOnlyList<string> Matched, IReadOnlyList<Routable> Ready);

    /// <summary>The endpoints that take traffic, in order, and the rules that spread it over them.</summary>
    private sealed record RoutePlan(IReadOnlyList<Routable> Leaves, IReadOnlyList<RouteRule> Rules)
    {
        public bool UsesHop => Rules.Count > 1;
    }

    // The XRD rejects all of these; a composer still names the field and the fix if one slips by.
    private static (IReadOnlyList<Entry> Entries, string? Problem) Entries(ModelService xr, string ns)
    {
        if (ns.Length == 0)
        {
            return ([], "metadata.namespace is empty; a ModelService is namespaced and routes /<namespace>/<name>/");
        }
        var specEntries = xr.Spec?.Endpoints ?? [];
        if (specEntries.Count == 0)
        {
            return ([], "spec.endpoints is empty; add at least one entry with a selector.matchLabels");
        }
        var service = xr.Spec!.Criticality ?? Criticality.Standard;
        if (!Criticality.IsValid(service))
        {
            return ([], $"spec.criticality is \"{service}\"; set Critical, Standard or Sheddable, or omit it for Standard");
        }
        var entries = new List<Entry>();
        for (var i = 0; i < specEntries.Count; i++)
        {
            var e = specEntries[i];
            if (e?.Selector?.MatchLabels is not { } labels)
            {
                return ([], $"spec.endpoints[{i}].selector.matchLabels is missing; set it to the labels of the ModelEndpoints to route to");
            }
            // Weight and priority bounds are the record's [Range], refused by the typed read with the field's path.
            var weight = e.Weight ?? ModelServiceEndpoints.DefaultWeight;
            var priority = e.Priority ?? ModelServiceEndpoints.DefaultPriority;
            if (e.Criticality is { } own && !Criticality.IsValid(own))
            {
                return ([], $"spec.endpoints[{i}].criticality is \"{own}\"; set Critical, Standard or Sheddable, or omit it for spec.criticality");
            }
            if (ModelSplitProblem(e.Models, $"spec.endpoints[{i}].models") is { } split)
            {
                return ([], split);
            }
            entries.Add(new Entry(i, new SortedDictionary<string, string>(labels.ToDictionary(), StringComparer.Ordinal), weight, priority, e.Criticality ?? service));
        }
        return (entries, null);
    }

    // The replica side reads the split as it is; a split the API server would reject never reaches it.
    private static string? ModelSplitProblem(ModelSplit? split, string at)
    {
        if (split is null)
        {
            return null;
        }
        if (split.Match is { } match && (match.Length == 0 || match.Length > ModelSplit.MaxName))
        {
            return $"{at}.match is {match.Length} characters; set a model name of 1 to {ModelSplit.MaxName} characters, or omit it to rewrite every request";
        }
        var targets = split.Targets ?? [];
        if (targets.Count is 0 or > ModelSplit.MaxTargets)
        {
            return $"{at}.targets has {targets.Count} entries; list 1 to {ModelSplit.MaxTargets} models";
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var t = 0; t < targets.Count; t++)
        {
            var target = targets[t];
            if (target?.Name is not { Length: > 0 and <= ModelSplit.MaxName } name)
            {
                return $"{at}.targets[{t}].name is missing or longer than {ModelSplit.MaxName} characters; set the model name the engines serve";
            }
            if (!names.Add(name))
            {
                return $"{at}.targets[{t}].name \"{name}\" is listed twice; list each model once and give it the combined weight";
            }
        }
        return null;
    }

    private static Dictionary<string, Requirement> Requirements(string ns, IReadOnlyList<Entry> entries)
    {
        var requirements = new Dictionary<string, Requirement>(StringComparer.Ordinal)
        {
            [GatewayRequirement] = Requirement.Named(InferenceGateway.ApiVersionValue, InferenceGateway.KindValue, InferenceGateway.DefaultName),
        };
        foreach (var entry in entries)
        {
            requirements[EndpointsRequirement(entry.Index)] =
                Requirement.Labelled(ModelEndpoint.ApiVersionValue, ModelEndpoint.KindValue, entry.MatchLabels, ns);
        }
        return requirements;
    }

    private static string EndpointsRequirement(int index) => EndpointsRequirementPrefix + index.ToString(CultureInfo.InvariantCulture);

    // Crossplane fetches what we asked for and calls again; this answer is never the final one.
    private static Composition Resolving(Dictionary<string, Requirement> requirements) => new()
    {
        Requirements = requirements,
        Conditions = [Condition.False(EndpointsResolved, ReasonResolving, "fetching the InferenceGateway and the ModelEndpoints each entry selects")],
    };

    private static List<Group> Groups(FunctionRequest req, string ns, IReadOnlyList<Entry> entries)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var groups = new List<Group>();
        foreach (var entry in entries)
        {
            var matched = new List<string>();
            var ready = new List<Routable>();
            var name = EndpointsRequirement(entry.Index);
            var endpoints = req.Required.Read(name, ModelEndpointJsonContext.Default.ModelEndpoint, ModelEndpointWire.Read)
                .Where(e => e.Metadata?.Namespace == ns && !string.IsNullOrEmpty(e.Metadata.Name))
                .OrderBy(e => e.Metadata!.Name, StringComparer.Ordinal);
            foreach (var endpoint in endpoints)
            {
                if (!seen.Add(endpoint.Metadata!.Name!))
                {
                    continue;
                }
                matched.Add(endpoint.Metadata.Name!);
                if (ToRoutable(endpoint, entry.Criticality) is { } routable)
                {
                    ready.Add(routable);
                }
            }
            groups.Add(new Group(entry, matched, ready));
        }
        return groups;
    }

    // Routable once the endpoint publishes its backend; port and Host come from its status, or from
    // its URL for endpoints written before the status carried them.
    private static Routable? ToRoutable(ModelEndpoint endpoint, string criticality)
    {
        var routing = endpoint.Status?.Routing;
        if (string.IsNullOrEmpty(routing?.BackendName))
        {
            return null;
        }
        var url = EndpointUrl.Parse(endpoint.Spec?.Url, out _);
        var port = routing.Port ?? url?.Port;
        if (port is null)
        {
            return null;
        }
        var rewrite = endpoint.Spec?.RewritePath;
        if (rewrite is not null && (!rewrite.StartsWith('/') || rewrite.Length > MaxRewritePath))
        {
            // The XRD rejects this; routing it would make the API server reject the whole route.
            return null;
        }
        var hostname = routing.Port is not null ? routing.Hostname : url?.AddressType == EndpointUrl.Fqdn ? url.Host : null;
        // A ModelDeployment's endpoints carry its replica's identity labels; a hand-made one (a provider) none.
        var labels = endpoint.Metadata!.Labels;
        var deployment = labels?.GetValueOrDefault(ReplicaClaims.DeploymentLabel);
        var cluster = labels?.GetValueOrDefault(ReplicaClaims.ClusterLabel);
        return new Routable(endpoint.Metadata.Name!, routing.BackendName, port.Value, hostname, rewrite, criticality,
            string.IsNullOrEmpty(deployment) || string.IsNullOrEmpty(cluster) ? null : deployment,
            string.IsNullOrEmpty(deployment) || string.IsNullOrEmpty(cluster) ? null : cluster);
    }

    // The best tier (lowest priority) with a ready endpoint; empty when no tier has one.
    private static Group[] ServingGroups(IReadOnlyList<Group> groups) =>
        groups.Where(g => g.Ready.Count > 0).GroupBy(g => g.Entry.Priority).OrderBy(t => t.Key).FirstOrDefault()?.ToArray() ?? [];

    private static RoutePlan Plan(IReadOnlyList<Group> serving)
    {
        var leaves = serving.SelectMany(g => g.Ready).ToArray();
        IReadOnlyList<RouteRule> rules = leaves.Length == 0
            ? [new RouteRule(null, [])]
            : RouteTree.Build(serving.Select(g => (g.Entry.Weight, g.Ready.Count)).ToArray());
        return new RoutePlan(leaves, rules);
    }

    // Overflow's inputs: the serving endpoints with their route weights, which of them carry
    // Sheddable traffic in some copy of the rules, and the next tier's ready endpoints.
    private static OverflowPlan PlanOverflow(FunctionRequest req, string ns, ModelServiceOverflow? spec, InferenceGateway? gateway,
        IReadOnlyList<Group> groups, IReadOnlyList<Group> serving, RoutePlan plan)
    {
        var targets = plan.UsesHop || plan.Leaves.Count == 0
            ? []
            : plan.Rules[0].Children.Select(c => new OverflowTarget(plan.Leaves[c.Leaf!.Value], c.Weight)).ToArray();
        var sheddableCopy = Variants(plan).Any(v => v.Requested == Criticality.Sheddable);
        var sheddable = plan.Leaves.Where(l => sheddableCopy || l.Criticality == Criticality.Sheddable)
            .Select(l => l.Name).ToHashSet(StringComparer.Ordinal);
        var servingPriority = serving.Count > 0 ? serving[0].Entry.Priority : long.MaxValue;
        var next = groups.Where(g => g.Ready.Count > 0 && g.Entry.Priority > servingPriority)
            .GroupBy(g => g.Entry.Priority).OrderBy(t => t.Key).FirstOrDefault()?.ToArray() ?? [];
        var nextLeaves = next.SelectMany(g => g.Ready).ToArray();
        var nextWeights = nextLeaves.Length == 0 ? [] : WeightDistribution.Reduce(WeightDistribution.Split(next.Select(g => (g.Entry.Weight, g.Ready.Count)).ToArray()).SelectMany(w => w).ToArray());
        var nextTier = nextLeaves.Select((l, i) => new OverflowTarget(l, nextWeights[i])).ToArray();
        return Overflow.Plan(req, ns, req.Name, spec, gateway, targets, plan.UsesHop, sheddable, nextTier, next.Length > 0 ? next[0].Entry.Priority : null);
    }

    /// <summary>One copy of the rule tree: for the service's own classes (no requested class) or for requests that lowered theirs.</summary>
    private sealed record Variant(int Index, string? Requested);

    // The default variant, then one per class a client may lower to that is below the class of some
    // serving replica (providers carry no objective, so lowering changes nothing for them).
    private static Variant[] Variants(RoutePlan plan)
    {
        var variants = new List<Variant> { new(0, null) };
        foreach (var lowered in new[] { Criticality.Standard, Criticality.Sheddable })
        {
            if (plan.Leaves.Any(l => l.Deployment is not null && Criticality.Lower(l.Criticality, lowered) != l.Criticality))
            {
                variants.Add(new Variant(variants.Count, lowered));
            }
        }
        return [.. variants];
    }

    // Rules packed 16 to a route: the first route keeps upstream's key. Every variant repeats the
    // tree with its own hop tokens, so a request stays in the variant its root rule chose.
    private static SortedDictionary<string, HttpRoute> Routes(string ns, string name, RoutePlan plan, string hopSecret, IReadOnlyDictionary<string, string> failovers)
    {
        var prefix = $"/{ns}/{name}/";
        var hop = HopServiceName(name);
        var rules = Variants(plan).SelectMany(v => plan.Rules.Select(r => Rule(prefix, r, plan, hop, hopSecret, v, failovers))).ToArray();
        var routes = new SortedDictionary<string, HttpRoute>(StringComparer.Ordinal);
        var chunks = rules.Chunk(HttpRoute.MaxRules).ToArray();
        for (var i = 0; i < chunks.Length; i++)
        {
            routes[i == 0 ? HttpRouteKey : $"{HttpRouteKey}-{i.ToString(CultureInfo.InvariantCulture)}"] = new HttpRoute
            {
                Metadata = new ObjectMeta { Namespace = ns },
                Spec = new HttpRouteSpec
                {
                    ParentRefs = [new ParentReference { Name = GatewayName, Namespace = GatewayNamespace }],
                    Rules = chunks[i],
                },
            };
        }
        return routes;
    }

    private static HttpRouteRule Rule(string prefix, RouteRule rule, RoutePlan plan, string hopService, string hopSecret, Variant variant, IReadOnlyDictionary<string, string> failovers)
    {
        var token = (string hop) => HopToken(hopSecret, variant.Index == 0 ? hop : $"{variant.Index.ToString(CultureInfo.InvariantCulture)}/{hop}");
        var path = new HttpPathMatch { Type = HttpPathMatch.PathPrefix, Value = prefix };
        // A lowering root rule matches the client's header, spelled as documented, and removes it, so a
        // request re-entering through a hop matches only the hop's rule. One match per rule: Gateway
        // API allows ReplacePrefixMatch only in a rule with exactly one PathPrefix match.
        var lowering = rule.Hop is null && variant.Requested is not null;
        HttpRouteMatch[] matches = rule.Hop is not null
            ? [new HttpRouteMatch { Path = path, Headers = [new HttpHeaderMatch { Type = HttpHeaderMatch.Exact, Name = HopHeader, Value = token(rule.Hop) }] }]
            : lowering
                ? [new HttpRouteMatch { Path = path, Headers = [new HttpHeaderMatch { Type = HttpHeaderMatch.Exact, Name = Criticality.RequestHeader, Value = variant.Requested }] }]
                : [new HttpRouteMatch { Path = path }];
        return new HttpRouteRule
        {
            Matches = matches,
            Filters = lowering
                ? [new HttpRouteFilter { Type = HttpRouteFilter.RequestHeaderModifierType, RequestHeaderModifier = new HttpHeaderFilter { Remove = [Criticality.RequestHeader] } }]
                : null,
            BackendRefs = rule.Children.Count == 0
                ? null
                : rule.Children.Select(c => c.Leaf is int leaf
                    ? EndpointRef(plan.Leaves[leaf], c.Weight, plan.UsesHop, variant.Requested, failovers)
                    : HopRef(hopService, token(c.Hop!), c.Weight)).ToArray(),
        };
    }

    private static HttpBackendRef EndpointRef(Routable endpoint, int weight, bool behindHop, string? requested, IReadOnlyDictionary<string, string> failovers)
    {
        // Sheddable traffic with overflow active goes through the endpoint's failover, whose children
        // carry the rewrites as Middlewares; every other class keeps the plain Service.
        var effective = requested is null ? endpoint.Criticality : Criticality.Lower(endpoint.Criticality, requested);
        if (effective == Criticality.Sheddable && failovers.TryGetValue(endpoint.Name, out var failover))
        {
            return new HttpBackendRef { Group = TraefikService.Group, Kind = TraefikService.KindValue, Name = failover, Weight = weight };
        }
        var filters = new List<HttpRouteFilter>();
        // A replica's picker gets the objective of the lower of the entry's class and the one the
        // request asked for, overwriting what the client sent under either of the picker's names;
        // the hop header has done its job and is not the backend's business.
        var objective = endpoint.Deployment is null
            ? null
            : Criticality.ObjectiveName(endpoint.Name, requested is null ? endpoint.Criticality : Criticality.Lower(endpoint.Criticality, requested));
        if (objective is not null || behindHop)
        {
            var remove = new List<string>();
            if (objective is not null)
            {
                remove.Add(Criticality.LegacyObjectiveHeader);
            }
            if (behindHop)
            {
                remove.Add(HopHeader);
            }
            filters.Add(new HttpRouteFilter
            {
                Type = HttpRouteFilter.RequestHeaderModifierType,
                RequestHeaderModifier = new HttpHeaderFilter
                {
                    Set = objective is null ? null : [new HttpHeader { Name = Criticality.ObjectiveHeader, Value = objective }],
                    Remove = remove,
                },
            });
        }
        if (endpoint.RewritePath is not null || endpoint.Hostname is not null)
        {
            filters.Add(new HttpRouteFilter
            {
                Type = HttpRouteFilter.UrlRewriteType,
                UrlRewrite = new HttpUrlRewriteFilter
                {
                    Hostname = endpoint.Hostname,
                    Path = endpoint.RewritePath is null
                        ? null
                        : new HttpPathModifier { Type = HttpPathModifier.ReplacePrefixMatchType, ReplacePrefixMatch = endpoint.RewritePath },
                },
            });
        }
        return new HttpBackendRef { Name = endpoint.BackendName, Port = endpoint.Port, Weight = weight, Filters = filters.Count == 0 ? null : filters };
    }

    private static HttpBackendRef HopRef(string hopService, string hop, int weight) => new()
    {
        Name = hopService,
        Port = TraefikServicePort,
        Weight = weight,
        Filters =
        [
            new HttpRouteFilter
            {
                Type = HttpRouteFilter.RequestHeaderModifierType,
                RequestHeaderModifier = new HttpHeaderFilter { Set = [new HttpHeader { Name = HopHeader, Value = hop }] },
            },
        ],
    };

    // The hop header's value: a client can send the header, but cannot guess a value that matches.
    // Derived from the ModelService's uid (random, set by the API server, never sent to clients), so
    // it is stable for the object's life and differs between services; an offline render without a
    // uid falls back to the name, which is deterministic but guessable.
    internal static string HopToken(string secret, string hop) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{secret}\n{hop}")))[..32];

    private static string HopSecret(FunctionRequest req, string ns) =>
        req.Composite["metadata"] is JsonObject metadata && metadata["uid"] is JsonValue uid
            && uid.TryGetValue<string>(out var value) && value.Length > 0
            ? value
            : $"{ns}/{req.Name}";

    // Named, not generated, so the route can reference it in the pass that creates it; the hash
    // keeps it a valid Service name whatever the ModelService is called.
    internal static string HopServiceName(string serviceName) =>
        "modelplane-hop-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(serviceName)))[..12];

    private static Dictionary<string, DesiredResource> Resources(
        string ns, string name, SortedDictionary<string, HttpRoute> routes, RoutePlan plan, bool routeReady,
        IReadOnlyDictionary<string, ObservedResource> observed)
    {
        var resources = new Dictionary<string, DesiredResource>(StringComparer.Ordinal);
        foreach (var (key, route) in routes)
        {
            resources[key] = DesiredResource.From(route, GatewayApiJsonContext.Default.HttpRoute, ready: ReadyWhen(routeReady));
        }
        if (plan.UsesHop)
        {
            var hop = HopServiceName(name);
            resources[HopServiceKey] = DesiredResource.From(new Service
            {
                Metadata = new ObjectMeta { Name = hop, Namespace = ns },
                Spec = new ServiceSpec { Ports = [new ServicePort { Port = TraefikServicePort, Protocol = Tcp }] },
            }, CoreJsonContext.Default.Service, ready: ReadyWhen(observed.ContainsKey(HopServiceKey)));
            resources[HopEndpointSliceKey] = DesiredResource.From(new EndpointSlice
            {
                Metadata = new ObjectMeta
                {
                    Namespace = ns,
                    Labels = new SortedDictionary<string, string>(StringComparer.Ordinal) { [EndpointSlice.ServiceNameLabel] = hop },
                },
                AddressType = EndpointUrl.Fqdn,
                Endpoints = [new Endpoint { Addresses = [TraefikServiceHost], Conditions = new EndpointConditions { Ready = true } }],
                Ports = [new EndpointPort { Name = "", Port = TraefikServicePort, Protocol = Tcp }],
            }, DiscoveryJsonContext.Default.EndpointSlice, ready: ReadyWhen(observed.ContainsKey(HopEndpointSliceKey)));
        }
        return resources;
    }

    private static JsonObject Status(string ns, string name, InferenceGateway? gateway, ModelServiceCriticality criticality) =>
        Composition.StatusOf(new ModelServiceStatus
        {
            Address = Address(gateway?.Status?.Address) is { } base_ ? $"{base_}/{ns}/{name}" : null,
            Criticality = criticality,
        }, ModelServiceJsonContext.Default.ModelServiceStatus);

    // The gateway's address is a bare IP or hostname (plain HTTP), or an https:// URL when it has TLS.
    internal static string? Address(string? gatewayAddress)
    {
        if (string.IsNullOrEmpty(gatewayAddress))
        {
            return null;
        }
        if (gatewayAddress.StartsWith("https://", StringComparison.Ordinal) || gatewayAddress.StartsWith("http://", StringComparison.Ordinal))
        {
            return gatewayAddress.TrimEnd('/');
        }
        return IPAddress.TryParse(gatewayAddress, out var ip) && ip.AddressFamily == AddressFamily.InterNetworkV6
            ? $"http://[{gatewayAddress}]"
            : $"http://{gatewayAddress}";
    }

    private static Condition Resolved(string ns, IReadOnlyList<Group> groups)
    {
        var matched = groups.Sum(g => g.Matched.Count);
        if (matched == 0)
        {
            return Condition.False(EndpointsResolved, ReasonNoEndpoints,
                $"no ModelEndpoint in namespace {ns} matches any spec.endpoints[].selector; label the endpoints to match or fix the selectors (only endpoints in the service's namespace are selected)");
        }
        var waiting = matched - groups.Sum(g => g.Ready.Count);
        return Condition.True(EndpointsResolved, ReasonResolved,
            $"Matched {matched} endpoint(s)" + (waiting > 0 ? $"; {waiting} waiting for Backend" : ""));
    }

    private static Condition Tier(IReadOnlyList<Group> groups, IReadOnlyList<Group> serving)
    {
        var tiers = groups.GroupBy(g => g.Entry.Priority).OrderBy(t => t.Key).ToArray();
        string Describe(IGrouping<long, Group> t) =>
            $"priority {t.Key} has {t.Sum(g => g.Matched.Count)} matched, {t.Sum(g => g.Ready.Count)} ready";
        if (serving.Count == 0)
        {
            return Condition.False(ServingTier, ReasonNoReadyEndpoints,
                $"no tier has a ready endpoint ({string.Join("; ", tiers.Select(Describe))}); traffic resumes when a selected ModelEndpoint reports RoutingReady=True");
        }
        var priority = serving[0].Entry.Priority;
        var ready = serving.Sum(g => g.Ready.Count);
        if (priority == tiers[0].Key)
        {
            return Condition.True(ServingTier, ReasonPreferredTier, $"priority {priority} serves with {ready} ready endpoint(s)");
        }
        var better = tiers.Where(t => t.Key < priority);
        return Condition.True(ServingTier, ReasonFailedOver,
            $"priority {priority} serves with {ready} ready endpoint(s) because no better tier has a ready endpoint ({string.Join("; ", better.Select(Describe))}); traffic returns to priority {tiers[0].Key} as soon as one of its endpoints is ready");
    }

    private static Condition Routing(FunctionRequest req, InferenceGateway? gateway, RoutePlan plan, IEnumerable<string> routeKeys)
    {
        if (gateway is null)
        {
            return Condition.False(RoutingReady, ReasonGatewayNotFound,
                $"InferenceGateway \"{InferenceGateway.DefaultName}\" does not exist; create it (kind InferenceGateway, name {InferenceGateway.DefaultName}) so the route has a gateway to attach to");
        }
        if (plan.Leaves.Count == 0)
        {
            return Condition.False(RoutingReady, ReasonNoReadyEndpoints,
                "no ready endpoint to route to; the route answers with errors until one is ready (see ServingTier)");
        }
        var observed = routeKeys.Select(k => req.Observed.TryGetValue(k, out var o) ? o.Resource : null).ToArray();
        if (observed.Any(r => r is null || !ParentConditions(r).Any(c => Is(c, "Accepted", "True"))))
        {
            return Condition.False(RoutingReady, ReasonConfiguring,
                $"waiting for Gateway {GatewayNamespace}/{GatewayName} to accept the HTTPRoute; if this persists, check the InferenceGateway's ControllerReady condition");
        }
        if (observed.SelectMany(r => ParentConditions(r!)).FirstOrDefault(c => Is(c, "ResolvedRefs", "False")) is { } unresolved)
        {
            return Condition.False(RoutingReady, ReasonBackendsUnresolved,
                $"the gateway cannot resolve a backend: {unresolved["message"]?.ToString() ?? unresolved["reason"]?.ToString()}; check the selected ModelEndpoints' RoutingReady conditions");
        }
        return Condition.True(RoutingReady, ReasonRouteConfigured,
            $"routing to {plan.Leaves.Count} endpoint(s) through Gateway {GatewayNamespace}/{GatewayName}");
    }

    private static IEnumerable<JsonObject> ParentConditions(JsonObject route) =>
        (route.ArrayAt("status.parents") ?? []).OfType<JsonObject>()
            .SelectMany(p => p.ArrayAt("conditions") ?? [])
            .OfType<JsonObject>();

    private static bool Is(JsonObject condition, string type, string status) =>
        condition["type"]?.ToString() == type && condition["status"]?.ToString() == status;

    // Warnings become events, so only False conditions (and failover) that are new since the last
    // reconcile raise one. Waiting for an endpoint's backend is routine and raises none.
    private static List<Result> Warnings(JsonObject xr, IEnumerable<Condition> conditions)
    {
        var warnings = new List<Result>();
        foreach (var c in conditions)
        {
            var warns = c.Reason is ReasonNoEndpoints or ReasonGatewayNotFound or ReasonFailedOver or ReasonBackendsUnresolved
                or CriticalityStatus.ReasonClusterCannotPrioritise or Overflow.ReasonGatewayTooOld or Overflow.ReasonTooManyEndpoints or Overflow.ReasonNoOverflowTarget;
            if (warns && !Reported(xr, c))
            {
                warnings.Add(Result.Warning(c.Message!, c.Reason));
            }
        }
        return warnings;
    }

    private static bool Reported(JsonObject xr, Condition condition) =>
        (xr.ArrayAt("status.conditions") ?? []).OfType<JsonObject>().Any(c =>
            c["type"]?.ToString() == condition.Type
            && c["status"]?.ToString() == condition.Status.ToString()
            && c["reason"]?.ToString() == condition.Reason);

    // Ready when we know it is; otherwise unspecified, as upstream (Crossplane counts it as not ready).
    private static bool? ReadyWhen(bool ready) => ready ? true : null;
}
