// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Modelplane.Apis.InferenceGateways;
using Modelplane.Apis.ModelServices;
using Modelplane.Kubernetes.Meta;
using Modelplane.Kubernetes.Traefik;
using Modelplane.Sdk;

namespace Modelplane.Functions.ModelServices;

/// <summary>An endpoint overflow may send to, with its weight among the others of its set.</summary>
internal sealed record OverflowTarget(ModelServiceComposer.Routable Endpoint, int Weight);

/// <summary>What overflow composes: the condition, the objects, and (once they exist) the failover each Sheddable endpoint's backendRef names.</summary>
internal sealed record OverflowPlan(Condition? Condition, IReadOnlyDictionary<string, string> FailoverByEndpoint, IReadOnlyDictionary<string, DesiredResource> Resources)
{
    public static OverflowPlan None(Condition? condition) => new(condition, new Dictionary<string, string>(), new Dictionary<string, DesiredResource>());
}

/// <summary>Overflow of Sheddable traffic shed with 429 to the service's other endpoints, through Traefik failover TraefikServices.</summary>
/// <remarks>
/// <para>
/// The Inference Extension stops at one cluster: a pool that sheds a request answers 429 and nothing
/// retries it elsewhere. Gateway API's HTTPRoute <c>retry</c> would, but Traefik does not implement it.
/// Traefik 3.7.0 (chart 40.0.0) does implement a <c>TraefikService</c> of type <c>failover</c> that
/// switches on the response status: it buffers the request body, sends the request to
/// <c>service</c>, and when that answers a listed status sends the same request to
/// <c>fallback</c>. That is what we compose, for Sheddable traffic only.
/// </para>
/// <para>
/// Per serving endpoint that carries Sheddable traffic (every endpoint in the Sheddable copy of the
/// rules, or a Sheddable entry's endpoints) one failover: <c>service</c> is the endpoint itself,
/// <c>fallback</c> a weighted TraefikService of the serving tier's other endpoints (other
/// placements), or, with <c>spec.overflow.tiers</c>, a second failover from those to the next
/// priority tier's endpoints. Each request overflows at most twice and never loops back. The
/// route's Sheddable backendRefs name the failover instead of the Service. Traefik drops backendRef
/// filters on a TraefikService, so every child carries what the filters did as Middlewares: a
/// <c>headers</c> one setting the replica's Sheddable objective (and removing the picker's alias,
/// and setting Host for a provider) and a <c>replacePathRegex</c> one doing the prefix rewrite.
/// </para>
/// <para>
/// Critical and Standard backendRefs are never touched, and every target is an endpoint the
/// service's own entries selected, so no request is ever sent to a provider the service did not
/// list. The route switches to the failovers only once every object exists (Traefik does not
/// report a missing TraefikService in the route's status); until then <c>SheddableOverflow</c> is
/// False with reason Pending and the route is the plain one.
/// </para>
/// </remarks>
internal static class Overflow
{
    public const string SheddableOverflow = "SheddableOverflow";
    public const string ReasonActive = "Active";
    public const string ReasonPending = "Pending";
    public const string ReasonNotRequested = "NotRequested";
    public const string ReasonGatewayNotFound = "GatewayNotFound";
    public const string ReasonGatewayTooOld = "GatewayTooOld";
    public const string ReasonTooManyEndpoints = "TooManyEndpoints";
    public const string ReasonNoSheddableTraffic = "NoSheddableTraffic";
    public const string ReasonNoOverflowTarget = "NoOverflowTarget";

    /// <summary>The first Traefik Helm chart whose Traefik (3.7.0) fails over on a status code.</summary>
    public const int MinChartMajor = 40;

    /// <summary>The status the picker answers a shed request with.</summary>
    public const string ShedStatus = "429";

    private const string KeyPrefix = "overflow-";

    /// <summary>
    /// The failovers, their fallbacks and the Middlewares for the serving endpoints (with their route
    /// weights; empty when the route uses hops), of which the <c>sheddable</c> ones carry Sheddable
    /// traffic in some copy of the rules; the next priority tier's ready endpoints are the last
    /// resort. Or the condition saying why not.
    /// </summary>
    public static OverflowPlan Plan(
        FunctionRequest req, string ns, string name, ModelServiceOverflow? spec, InferenceGateway? gateway,
        IReadOnlyList<OverflowTarget> serving, bool usesHop, IReadOnlySet<string> sheddable, IReadOnlyList<OverflowTarget> nextTier, long? nextPriority)
    {
        if (spec is null)
        {
            return OverflowPlan.None(Reported(req.Composite)
                ? Condition.False(SheddableOverflow, ReasonNotRequested, "spec.overflow is not set; a Sheddable request an endpoint sheds (429) is answered 429")
                : null);
        }
        if (gateway is null)
        {
            return OverflowPlan.None(Condition.False(SheddableOverflow, ReasonGatewayNotFound,
                $"InferenceGateway \"{InferenceGateway.DefaultName}\" does not exist, so it is not known whether its Traefik can fail over; create it (see RoutingReady)"));
        }
        var chart = gateway.Spec?.Traefik?.Version ?? "";
        if (ChartMajor(chart) is not int major || major < MinChartMajor)
        {
            return OverflowPlan.None(Condition.False(SheddableOverflow, ReasonGatewayTooOld,
                $"the InferenceGateway installs Traefik chart \"{chart}\", older than {MinChartMajor}.0.0 (Traefik 3.7.0), whose TraefikService cannot fail over on a status code; set the InferenceGateway's spec.traefik.version to {MinChartMajor}.0.0 or later"));
        }
        if (usesHop)
        {
            return OverflowPlan.None(Condition.False(SheddableOverflow, ReasonTooManyEndpoints,
                $"the serving tier has more than {RouteTree.FanOut} endpoints, so the route is a tree of hops and overflow is not composed; serve from at most {RouteTree.FanOut} endpoints or remove spec.overflow"));
        }
        var shedders = serving.Where(t => sheddable.Contains(t.Endpoint.Name)).ToArray();
        if (shedders.Length == 0)
        {
            return OverflowPlan.None(Condition.False(SheddableOverflow, serving.Count == 0 ? ReasonNoOverflowTarget : ReasonNoSheddableTraffic,
                serving.Count == 0
                    ? "no endpoint is ready, so there is nothing to overflow from (see ServingTier)"
                    : "no request this service routes is Sheddable: its serving entries are not Sheddable and, as only providers serve, a client cannot lower its class; overflow applies to Sheddable traffic only"));
        }
        var tiers = spec.Tiers == true && nextTier.Count > 0;
        if (serving.Count == 1 && !tiers)
        {
            var why = spec.Tiers != true
                ? "spec.overflow.tiers is false"
                : "no other priority tier has a ready endpoint";
            return OverflowPlan.None(Condition.False(SheddableOverflow, ReasonNoOverflowTarget,
                $"the serving tier has one endpoint ({serving[0].Endpoint.Name}) and {why}, so a shed request has nowhere else to go; add a placement to the deployment, or an entry at a higher priority number and set spec.overflow.tiers"));
        }

        var body = spec.MaxRequestBodyBytes ?? ModelServiceOverflow.DefaultMaxRequestBodyBytes;
        var resources = new SortedDictionary<string, DesiredResource>(StringComparer.Ordinal);
        var refs = new Dictionary<string, TraefikServiceRef>(StringComparer.Ordinal);
        TraefikServiceRef Ref(ModelServiceComposer.Routable e, int? weight) => ServiceRef(req, ns, name, e, weight, resources, refs);

        string? tierName = null;
        if (tiers)
        {
            tierName = ObjectName(name, "tier", "");
            resources[KeyPrefix + "tier"] = Emit(req, KeyPrefix + "tier", Weighted(ns, tierName, nextTier.Select(t => Ref(t.Endpoint, t.Weight))));
        }
        var failovers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var shedder in shedders)
        {
            var e = shedder.Endpoint;
            var others = serving.Where(t => t.Endpoint.Name != e.Name).ToArray();
            string? othersName = null;
            if (others.Length > 0)
            {
                othersName = ObjectName(name, "others", e.Name);
                resources[$"{KeyPrefix}others-{e.Name}"] = Emit(req, $"{KeyPrefix}others-{e.Name}", Weighted(ns, othersName, others.Select(t => Ref(t.Endpoint, t.Weight))));
            }
            var fallback = (othersName, tierName) switch
            {
                ({ } o, { } t) => FallbackChain(req, ns, name, e.Name, o, t, body, resources),
                ({ } o, null) => o,
                (null, { } t) => t,
                _ => throw new InvalidOperationException("a shedder always has a target here"),
            };
            var failoverName = ObjectName(name, "failover", e.Name);
            resources[$"{KeyPrefix}failover-{e.Name}"] = Emit(req, $"{KeyPrefix}failover-{e.Name}", Failover(ns, failoverName, Ref(e, null), TraefikRef(fallback), body));
            failovers[e.Name] = failoverName;
        }

        var live = resources.Keys.All(req.Observed.ContainsKey);
        var tier = $"priority {nextPriority.GetValueOrDefault().ToString(CultureInfo.InvariantCulture)} ({nextTier.Count.ToString(CultureInfo.InvariantCulture)} endpoint(s))";
        var targets = serving.Count == 1
            ? tier
            : $"the {(serving.Count - 1).ToString(CultureInfo.InvariantCulture)} other endpoint(s) of the serving tier" + (tiers ? $", then on {tier}" : "");
        var condition = live
            ? Condition.True(SheddableOverflow, ReasonActive,
                $"a Sheddable request that {string.Join(", ", shedders.Select(s => s.Endpoint.Name))} answer(s) with {ShedStatus} is retried on {targets}, each at most once; Sheddable request bodies over {body} bytes are answered 413; Critical and Standard requests never overflow")
            : Condition.False(SheddableOverflow, ReasonPending,
                $"creating {resources.Count} Traefik object(s) for overflow; the route's Sheddable backendRefs switch to them once they all exist");
        return new OverflowPlan(condition, live ? failovers : new Dictionary<string, string>(), resources);
    }

    /// <summary>
    /// Keeps, one more pass, every observed overflow object that an observed HTTPRoute still reaches
    /// (through its TraefikService backendRefs, their children and Middlewares) but this pass no
    /// longer composes. Crossplane applies the new route and deletes what desired state leaves out in
    /// no set order, and Traefik reports a missing TraefikService nowhere the route's status shows:
    /// without this, turning overflow off (or losing an endpoint) could break requests until the
    /// route update lands. Once the observed route no longer names them, they go.
    /// </summary>
    public static void KeepWhileRouted(FunctionRequest req, IDictionary<string, DesiredResource> resources)
    {
        var byName = new Dictionary<string, (string Key, JsonObject Resource)>(StringComparer.Ordinal);
        foreach (var (key, observed) in req.Observed.Where(kv => kv.Key.StartsWith(KeyPrefix, StringComparison.Ordinal)).OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (observed.Resource["metadata"]?["name"]?.ToString() is { Length: > 0 } name)
            {
                byName[name] = (key, observed.Resource);
            }
        }
        if (byName.Count == 0)
        {
            return;
        }
        var pending = new Queue<string>(req.Observed
            .Where(kv => kv.Key.StartsWith("httproute", StringComparison.Ordinal))
            .SelectMany(kv => (kv.Value.Resource.ArrayAt("spec.rules") ?? []).OfType<JsonObject>())
            .SelectMany(rule => (rule["backendRefs"] as JsonArray ?? []).OfType<JsonObject>())
            .Where(b => b["kind"]?.ToString() == TraefikService.KindValue)
            .Select(b => b["name"]?.ToString()).OfType<string>());
        var reached = new HashSet<string>(StringComparer.Ordinal);
        while (pending.TryDequeue(out var name))
        {
            if (!reached.Add(name) || !byName.TryGetValue(name, out var found))
            {
                continue;
            }
            var spec = found.Resource["spec"];
            var children = new[] { spec?["failover"]?["service"], spec?["failover"]?["fallback"] }.OfType<JsonObject>()
                .Concat((spec?["weighted"]?["services"] as JsonArray ?? []).OfType<JsonObject>());
            foreach (var child in children)
            {
                if (child["kind"]?.ToString() == TraefikService.KindValue && child["name"]?.ToString() is { } next)
                {
                    pending.Enqueue(next);
                }
                foreach (var mw in (child["middlewares"] as JsonArray ?? []).OfType<JsonObject>())
                {
                    if (mw["name"]?.ToString() is { } middleware)
                    {
                        pending.Enqueue(middleware);
                    }
                }
            }
        }
        foreach (var name in reached.Order(StringComparer.Ordinal))
        {
            if (byName.TryGetValue(name, out var found) && !resources.ContainsKey(found.Key))
            {
                resources[found.Key] = DesiredResource.Of(new JsonObject
                {
                    ["apiVersion"] = found.Resource["apiVersion"]?.DeepClone(),
                    ["kind"] = found.Resource["kind"]?.DeepClone(),
                    ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = found.Resource["metadata"]?["namespace"]?.DeepClone() },
                    ["spec"] = found.Resource["spec"]?.DeepClone(),
                }, ready: true);
            }
        }
    }

    // The chart's major version ("40.2.0" -> 40); null when it is not a version.
    internal static int? ChartMajor(string chart)
    {
        var v = chart.StartsWith('v') ? chart[1..] : chart;
        var dot = v.IndexOf('.', StringComparison.Ordinal);
        return int.TryParse(dot < 0 ? v : v[..dot], NumberStyles.None, CultureInfo.InvariantCulture, out var major) ? major : null;
    }

    private static bool Reported(JsonObject xr) =>
        (xr.ArrayAt("status.conditions") ?? []).OfType<JsonObject>().Any(c => c["type"]?.ToString() == SheddableOverflow && c["reason"]?.ToString() != ReasonNotRequested);

    private static string FallbackChain(FunctionRequest req, string ns, string name, string endpoint, string others, string tier, long body,
        SortedDictionary<string, DesiredResource> resources)
    {
        var chain = ObjectName(name, "fallback", endpoint);
        resources[$"{KeyPrefix}fallback-{endpoint}"] = Emit(req, $"{KeyPrefix}fallback-{endpoint}", Failover(ns, chain, TraefikRef(others), TraefikRef(tier), body));
        return chain;
    }

    private static TraefikServiceRef TraefikRef(string name) => new() { Kind = TraefikService.KindValue, Name = name };

    private static TraefikService Weighted(string ns, string name, IEnumerable<TraefikServiceRef> children) => new()
    {
        Metadata = new ObjectMeta { Name = name, Namespace = ns },
        Spec = new TraefikServiceSpec { Weighted = new TraefikWeighted { Services = [.. children] } },
    };

    private static TraefikService Failover(string ns, string name, TraefikServiceRef service, TraefikServiceRef fallback, long body) => new()
    {
        Metadata = new ObjectMeta { Name = name, Namespace = ns },
        Spec = new TraefikServiceSpec
        {
            Failover = new TraefikFailover
            {
                Service = service,
                Fallback = fallback,
                Errors = new TraefikFailoverErrors { Status = [ShedStatus], MaxRequestBodyBytes = body },
            },
        },
    };

    // An endpoint as a TraefikService child: its Service and port, and Middlewares doing what the
    // route's backendRef filters would (Traefik ignores those on a TraefikService backendRef).
    private static TraefikServiceRef ServiceRef(FunctionRequest req, string ns, string name, ModelServiceComposer.Routable e, int? weight,
        SortedDictionary<string, DesiredResource> resources, Dictionary<string, TraefikServiceRef> refs)
    {
        if (!refs.TryGetValue(e.Name, out var plain))
        {
            var middlewares = new List<MiddlewareRef>();
            var headers = new SortedDictionary<string, string>(StringComparer.Ordinal);
            if (e.Deployment is not null)
            {
                // Overflow carries Sheddable traffic only: the target replica's own Sheddable objective,
                // overwriting the client's, and the picker's alias emptied (Traefik removes it then).
                headers[Criticality.ObjectiveHeader] = Criticality.ObjectiveName(e.Name, Criticality.Sheddable);
                headers[Criticality.LegacyObjectiveHeader] = "";
            }
            if (e.Hostname is not null)
            {
                headers["Host"] = e.Hostname;
            }
            if (headers.Count > 0)
            {
                var mw = ObjectName(name, "headers", e.Name);
                var key = $"{KeyPrefix}headers-{e.Name}";
                resources[key] = DesiredResource.From(new Middleware
                {
                    Metadata = new ObjectMeta { Name = mw, Namespace = ns },
                    Spec = new MiddlewareSpec { Headers = new HeadersMiddleware { CustomRequestHeaders = headers } },
                }, TraefikJsonContext.Default.Middleware, ready: req.Observed.ContainsKey(key) ? true : null);
                middlewares.Add(new MiddlewareRef { Name = mw });
            }
            if (e.RewritePath is not null)
            {
                var mw = ObjectName(name, "path", e.Name);
                var key = $"{KeyPrefix}path-{e.Name}";
                resources[key] = DesiredResource.From(new Middleware
                {
                    Metadata = new ObjectMeta { Name = mw, Namespace = ns },
                    Spec = new MiddlewareSpec { ReplacePathRegex = PathRewrite(ns, name, e.RewritePath) },
                }, TraefikJsonContext.Default.Middleware, ready: req.Observed.ContainsKey(key) ? true : null);
                middlewares.Add(new MiddlewareRef { Name = mw });
            }
            plain = new TraefikServiceRef
            {
                Name = e.BackendName,
                Port = e.Port,
                Middlewares = middlewares.Count == 0 ? null : middlewares,
            };
            refs[e.Name] = plain;
        }
        return plain with { Weight = weight };
    }

    /// <summary>The route's <c>ReplacePrefixMatch</c> as a regex: the service's prefix is replaced by the endpoint's rewrite path.</summary>
    internal static ReplacePathRegexMiddleware PathRewrite(string ns, string name, string rewritePath) => new()
    {
        Regex = $"^/{Escape(ns)}/{Escape(name)}/(.*)",
        Replacement = (rewritePath.EndsWith('/') ? rewritePath : rewritePath + "/") + "$1",
    };

    // Namespaces and names are DNS names: a dot is the only regex metacharacter they can hold.
    private static string Escape(string dnsName) => dnsName.Replace(".", "\\.", StringComparison.Ordinal);

    // Named, not generated, so the failover and the route can name them in the pass that creates
    // them; hashed so any service and endpoint name gives a valid, short object name.
    internal static string ObjectName(string service, string role, string endpoint) =>
        $"modelplane-overflow-{role}-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{service}\n{endpoint}")))[..12];

    private static DesiredResource Emit(FunctionRequest req, string key, TraefikService service) =>
        DesiredResource.From(service, TraefikJsonContext.Default.TraefikService, ready: req.Observed.ContainsKey(key) ? true : null);
}
