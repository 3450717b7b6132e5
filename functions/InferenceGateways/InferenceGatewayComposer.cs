// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Modelplane.Apis.InferenceGateways;
using Modelplane.Kubernetes.Core;
using Modelplane.Kubernetes.GatewayApi;
using Modelplane.Kubernetes.Helm;
using Modelplane.Kubernetes.Meta;
using Modelplane.Kubernetes.Protection;
using Modelplane.Sdk;

namespace Modelplane.Functions.InferenceGateways;

/// <summary>Installs the control-plane gateway: Gateway API CRDs, Traefik (optionally MetalLB), GatewayClass and Gateway.</summary>
/// <remarks>
/// <para>
/// Everything lands on the control-plane cluster, in order, each step gated on the one before:
/// the Helm ProviderConfig and the Gateway API v1.5.1 CRDs first; Traefik (its Helm chart at
/// <c>spec.traefik.version</c>) once the ProviderConfig exists and every CRD is Established;
/// the GatewayClass <c>traefik</c> and Gateway <c>modelplane-system/modelplane</c> once Traefik is
/// Ready. MetalLB, on clusters without a LoadBalancer controller, installs beside Traefik: its
/// release once the ProviderConfig exists, its address pool and L2 advertisement once it is Ready.
/// Gates are sticky: a resource already observed stays composed even if its prerequisite flaps,
/// so a Traefik restart never deletes the Gateway.
/// </para>
/// <para>
/// Teardown runs in the reverse order because Usages say so: each Helm release uses the
/// ProviderConfig, and the Traefik release is used by the GatewayClass and Gateway it holds
/// finalizers on, so Crossplane deletes those first and Traefik removes its finalizers before it
/// goes. The Usages select the release by label, so they are composed in the same pass as it.
/// </para>
/// <para>
/// The Gateway listens for HTTP on Traefik's web entrypoint (8000, exposed as 80) and admits routes
/// from every namespace. With <c>spec.tls</c> it also listens for HTTPS on the websecure entrypoint
/// (8443, exposed as 443) for that hostname with the certificate in the named Secret, and the
/// public address becomes <c>https://&lt;hostname&gt;</c> (upstream #335). Without TLS the address
/// is what the Gateway reports (the LoadBalancer's IP or hostname), as upstream.
/// </para>
/// <para>
/// ModelServices route through the InferenceGateway named <c>default</c> only, and every object
/// here has a fixed name, so an InferenceGateway of another name is refused with a Fatal result
/// (nothing applied) rather than fighting the first one over the same Gateway.
/// </para>
/// </remarks>
public static class InferenceGatewayComposer
{
    public const string Name = "inference-gateway";

    public static Composer Composer { get; } = new(Name, Compose, "InferenceGateway.modelplane.ai");

    // The condition this function owns.
    public const string ControllerReady = "ControllerReady";
    private const string ReasonControllerHealthy = "ControllerHealthy";
    private const string ReasonInstalling = "Installing";
    private const string ReasonInvalidSpec = "InvalidSpec";

    // Desired-resource keys; renaming one deletes and recreates what it names.
    private const string ProviderConfigKey = "provider-config-helm";
    private const string CrdKeyPrefix = "gateway-api-crd-";
    private const string MetalLbNamespaceKey = "namespace-metallb";
    private const string MetalLbKey = "metallb";
    private const string MetalLbUsageKey = "usage-pc-by-metallb";
    private const string MetalLbPoolKey = "metallb-pool";
    private const string MetalLbL2Key = "metallb-l2";
    private const string TraefikKey = "traefik";
    private const string TraefikUsageKey = "usage-pc-by-traefik";
    private const string GatewayClassUsageKey = "usage-gateway-class-by-traefik";
    private const string GatewayUsageKey = "usage-gateway-by-traefik";
    private const string GatewayClassKey = "gateway-class";
    private const string GatewayKey = "gateway";

    // Fixed names: ModelServices attach to this Gateway, and the hop of a large ModelService dials
    // Traefik's Service by name, so neither may change.
    private const string SystemNamespace = "modelplane-system";
    private const string ProviderConfigName = "modelplane-in-cluster";
    private const string GatewayName = "modelplane";
    private const string GatewayClassName = "traefik";
    private const string ControllerName = "traefik.io/gateway-controller";
    private const string TraefikNamespace = "traefik-system";
    private const string TraefikService = "traefik";
    private const string MetalLbNamespace = "metallb-system";
    private const string ReleaseLabel = "modelplane.ai/release";

    // Charts and ports. Traefik's web and websecure entrypoints listen on 8000 and 8443 inside the
    // pod; a Gateway listener must name the entrypoint's port, not the Service's 80/443.
    private const string TraefikChartRepository = "https://traefik.github.io/charts";
    private const string MetalLbChartRepository = "https://metallb.github.io/metallb";
    private const string MetalLbChartVersion = "0.14.9";
    private const int WebPort = 8000;
    private const int WebSecurePort = 8443;

    public static Composition Compose(FunctionRequest req)
    {
        var xr = req.ReadComposite(InferenceGatewayJsonContext.Default.InferenceGateway);
        if (Invalid(req.Name, xr.Spec) is { } problem)
        {
            return Composition.Fatal(ControllerReady, ReasonInvalidSpec, $"invalid InferenceGateway \"{req.Name}\": {problem}");
        }
        var spec = xr.Spec!;
        var observed = req.Observed;
        var crds = GatewayApiCrds.All;
        var established = crds.Count(c => observed.TryGetValue(CrdKeyPrefix + c.Name, out var o) && o.Resource.ConditionStatus("Established") == "True");
        var traefikReady = IsReady(observed, TraefikKey);

        var resources = new Dictionary<string, DesiredResource>(StringComparer.Ordinal);
        AddFoundation(resources, crds, observed);
        if (IsMetalLbMode(spec))
        {
            AddMetalLb(resources, spec.Traefik!.Metallb!.AddressPool!, observed);
        }
        var traefikComposed = (observed.ContainsKey(ProviderConfigKey) && established == crds.Count) || observed.ContainsKey(TraefikKey);
        if (traefikComposed)
        {
            AddTraefik(resources, spec.Traefik!.Version!, traefikReady);
        }
        if (traefikReady || observed.ContainsKey(GatewayKey))
        {
            AddGateway(resources, spec.Tls, observed);
        }

        return new Composition
        {
            Resources = resources,
            Status = Status(spec.Tls, observed),
            Conditions = [Controller(spec.Traefik!.Version!, traefikComposed, traefikReady, established, crds.Count, observed.ContainsKey(ProviderConfigKey))],
            Results = traefikReady && !observed.ContainsKey(GatewayKey) ? [Result.Normal("Traefik ready, composing Gateway")] : [],
        };
    }

    // The XRD rejects these; named here too so a slip is a clear Fatal, never an exception.
    private static string? Invalid(string name, InferenceGatewaySpec? spec)
    {
        if (name != InferenceGateway.DefaultName)
        {
            return $"metadata.name must be \"{InferenceGateway.DefaultName}\": ModelServices route through the InferenceGateway named {InferenceGateway.DefaultName}, and a second one would fight it over the same Gateway; rename it";
        }
        if (string.IsNullOrEmpty(spec?.Traefik?.Version))
        {
            return "spec.traefik.version is missing; set it to the Traefik Helm chart version, such as \"40.2.0\"";
        }
        if (spec.Traefik.LoadBalancer == TraefikSpec.MetalLbLoadBalancer && string.IsNullOrEmpty(spec.Traefik.Metallb?.AddressPool))
        {
            return "spec.traefik.metallb.addressPool is missing while spec.traefik.loadBalancer is MetalLB; set it to an address range inside the cluster's network";
        }
        if (spec.Tls is { } tls && (string.IsNullOrEmpty(tls.Hostname) || string.IsNullOrEmpty(tls.SecretName)))
        {
            return "spec.tls needs both hostname and secretName; set them, or remove spec.tls for plain HTTP";
        }
        return null;
    }

    private static bool IsMetalLbMode(InferenceGatewaySpec spec) =>
        spec.Traefik?.LoadBalancer == TraefikSpec.MetalLbLoadBalancer && !string.IsNullOrEmpty(spec.Traefik.Metallb?.AddressPool);

    private static bool IsReady(IReadOnlyDictionary<string, ObservedResource> observed, string key) =>
        observed.TryGetValue(key, out var o) && o.IsReady;

    private static bool IsAccepted(IReadOnlyDictionary<string, ObservedResource> observed, string key) =>
        observed.TryGetValue(key, out var o) && o.Resource.ConditionStatus("Accepted") == "True";

    private static void AddFoundation(Dictionary<string, DesiredResource> resources, IReadOnlyList<(string Name, JsonObject Crd)> crds, IReadOnlyDictionary<string, ObservedResource> observed)
    {
        resources[ProviderConfigKey] = DesiredResource.From(new HelmProviderConfig
        {
            Metadata = new ObjectMeta { Name = ProviderConfigName, Namespace = SystemNamespace },
            Spec = new HelmProviderConfigSpec { Credentials = new HelmProviderCredentials { Source = "InjectedIdentity" } },
        }, HelmJsonContext.Default.HelmProviderConfig, ready: true);
        foreach (var (name, crd) in crds)
        {
            var key = CrdKeyPrefix + name;
            resources[key] = DesiredResource.Of(crd, ready: ReadyWhen(observed.TryGetValue(key, out var o) && o.Resource.ConditionStatus("Established") == "True"));
        }
    }

    private static void AddMetalLb(Dictionary<string, DesiredResource> resources, string addressPool, IReadOnlyDictionary<string, ObservedResource> observed)
    {
        resources[MetalLbNamespaceKey] = DesiredResource.From(new Namespace { Metadata = new ObjectMeta { Name = MetalLbNamespace } }, CoreJsonContext.Default.Namespace, ready: true);
        if (!observed.ContainsKey(ProviderConfigKey) && !observed.ContainsKey(MetalLbKey))
        {
            return;
        }
        var ready = IsReady(observed, MetalLbKey);
        resources[MetalLbKey] = DesiredResource.From(Release(MetalLbKey, "metallb", MetalLbChartRepository, MetalLbChartVersion, MetalLbNamespace, values: null), HelmJsonContext.Default.Release, ready: ReadyWhen(ready));
        resources[MetalLbUsageKey] = DesiredResource.From(ProviderConfigUsage(MetalLbKey), ProtectionJsonContext.Default.Usage, ready: true);
        if (ready || observed.ContainsKey(MetalLbPoolKey))
        {
            resources[MetalLbPoolKey] = DesiredResource.From(new MetalLbObject
            {
                Kind = "IPAddressPool",
                Metadata = new ObjectMeta { Name = GatewayName, Namespace = MetalLbNamespace },
                Spec = new MetalLbSpec { Addresses = [addressPool] },
            }, MetalLbJsonContext.Default.MetalLbObject, ready: true);
        }
        if (ready || observed.ContainsKey(MetalLbL2Key))
        {
            resources[MetalLbL2Key] = DesiredResource.From(new MetalLbObject
            {
                Kind = "L2Advertisement",
                Metadata = new ObjectMeta { Name = GatewayName, Namespace = MetalLbNamespace },
                Spec = new MetalLbSpec { IpAddressPools = [GatewayName] },
            }, MetalLbJsonContext.Default.MetalLbObject, ready: true);
        }
    }

    private static void AddTraefik(Dictionary<string, DesiredResource> resources, string version, bool ready)
    {
        resources[TraefikKey] = DesiredResource.From(Release(TraefikKey, "traefik", TraefikChartRepository, version, TraefikNamespace, TraefikValues()), HelmJsonContext.Default.Release, ready: ReadyWhen(ready));
        resources[TraefikUsageKey] = DesiredResource.From(ProviderConfigUsage(TraefikKey), ProtectionJsonContext.Default.Usage, ready: true);
        resources[GatewayClassUsageKey] = DesiredResource.From(TraefikUsage(Usage.ClusterUsageKind, "GatewayClass", GatewayClassName, ns: null), ProtectionJsonContext.Default.Usage, ready: true);
        resources[GatewayUsageKey] = DesiredResource.From(TraefikUsage(Usage.UsageKind, "Gateway", GatewayName, SystemNamespace), ProtectionJsonContext.Default.Usage, ready: true);
    }

    private static void AddGateway(Dictionary<string, DesiredResource> resources, GatewayTls? tls, IReadOnlyDictionary<string, ObservedResource> observed)
    {
        resources[GatewayClassKey] = DesiredResource.From(new GatewayClass
        {
            Metadata = new ObjectMeta { Name = GatewayClassName },
            Spec = new GatewayClassSpec { ControllerName = ControllerName },
        }, GatewayApiJsonContext.Default.GatewayClass, ready: ReadyWhen(IsAccepted(observed, GatewayClassKey)));

        var allowAll = new AllowedRoutes { Namespaces = new RouteNamespaces { From = RouteNamespaces.All } };
        var listeners = new List<Listener> { new() { Name = "web", Protocol = Listener.Http, Port = WebPort, AllowedRoutes = allowAll } };
        if (tls is not null)
        {
            listeners.Add(new Listener
            {
                Name = "websecure",
                Protocol = Listener.Https,
                Port = WebSecurePort,
                Hostname = tls.Hostname,
                Tls = new GatewayTlsConfig
                {
                    Mode = GatewayTlsConfig.Terminate,
                    CertificateRefs = [new SecretObjectReference { Kind = "Secret", Name = tls.SecretName }],
                },
                AllowedRoutes = allowAll,
            });
        }
        // Accepted, not Programmed: a Gateway on a cluster without a LoadBalancer may never be Programmed.
        resources[GatewayKey] = DesiredResource.From(new Gateway
        {
            Metadata = new ObjectMeta { Name = GatewayName, Namespace = SystemNamespace },
            Spec = new GatewaySpec { GatewayClassName = GatewayClassName, Listeners = listeners },
        }, GatewayApiJsonContext.Default.Gateway, ready: ReadyWhen(IsAccepted(observed, GatewayKey)));
    }

    private static Release Release(string label, string chart, string repository, string version, string installNamespace, JsonObject? values) => new()
    {
        // Explicit: the XR is cluster-scoped, so nothing would default the namespace.
        Metadata = new ObjectMeta
        {
            Namespace = SystemNamespace,
            Labels = new SortedDictionary<string, string>(StringComparer.Ordinal) { [ReleaseLabel] = label },
        },
        Spec = new ReleaseSpec
        {
            ProviderConfigRef = new HelmProviderConfigReference { Kind = "ProviderConfig", Name = ProviderConfigName },
            ForProvider = new ReleaseParameters
            {
                Chart = new ChartSpec { Name = chart, Repository = repository, Version = version },
                Namespace = installNamespace,
                Values = values,
            },
        },
    };

    // The Gateway API provider on, Ingress off; the chart's own Gateway and GatewayClass off (we
    // compose them); a predictable Service name whose LoadBalancer address Traefik copies into the
    // Gateway's status.
    private static JsonObject TraefikValues() => new()
    {
        ["providers"] = new JsonObject
        {
            ["kubernetesGateway"] = new JsonObject
            {
                ["enabled"] = true,
                ["statusAddress"] = new JsonObject { ["service"] = new JsonObject { ["namespace"] = TraefikNamespace, ["name"] = TraefikService } },
            },
            ["kubernetesIngress"] = new JsonObject { ["enabled"] = false },
        },
        ["service"] = new JsonObject { ["nameOverride"] = TraefikService },
        ["gateway"] = new JsonObject { ["enabled"] = false },
        ["gatewayClass"] = new JsonObject { ["enabled"] = false },
    };

    private static UsageResource ReleaseSelector(string label) => new()
    {
        ApiVersion = HelmApi.V1Beta1,
        Kind = "Release",
        ResourceSelector = new ResourceSelector
        {
            MatchControllerRef = true,
            MatchLabels = new SortedDictionary<string, string>(StringComparer.Ordinal) { [ReleaseLabel] = label },
        },
    };

    private static Usage ProviderConfigUsage(string release) => new()
    {
        Metadata = new ObjectMeta { Namespace = SystemNamespace },
        Spec = new UsageSpec
        {
            Of = new UsageResource { ApiVersion = HelmApi.V1Beta1, Kind = "ProviderConfig", ResourceRef = new ResourceRef { Name = ProviderConfigName } },
            By = ReleaseSelector(release),
            ReplayDeletion = true,
        },
    };

    private static Usage TraefikUsage(string kind, string ofKind, string ofName, string? ns) => new()
    {
        Kind = kind,
        Metadata = ns is null ? null : new ObjectMeta { Namespace = ns },
        Spec = new UsageSpec
        {
            Of = new UsageResource { ApiVersion = GatewayApiVersions.V1, Kind = ofKind, ResourceRef = new ResourceRef { Name = ofName } },
            By = ReleaseSelector(TraefikKey),
            ReplayDeletion = true,
        },
    };

    private static JsonObject Status(GatewayTls? tls, IReadOnlyDictionary<string, ObservedResource> observed)
    {
        var address = observed.TryGetValue(GatewayKey, out var gateway) && gateway.Resource.ArrayAt("status.addresses", GatewayKey) is [JsonObject first, ..]
            ? first.StringAt("value", $"{GatewayKey}.status.addresses[0]")
            : null;
        return Composition.StatusOf(new InferenceGatewayStatus
        {
            Address = string.IsNullOrEmpty(address) ? null : tls is null ? address : $"https://{tls.Hostname}",
        }, InferenceGatewayJsonContext.Default.InferenceGatewayStatus);
    }

    private static Condition Controller(string version, bool composed, bool ready, int established, int crds, bool providerConfig) =>
        (composed, ready) switch
        {
            (_, true) => Condition.True(ControllerReady, ReasonControllerHealthy, $"Traefik (chart {version}) is ready"),
            (true, false) => Condition.False(ControllerReady, ReasonInstalling,
                $"waiting for the Traefik Helm release (chart {version}) in {SystemNamespace} to become Ready; if it does not, check the Release's conditions and that chart version {version} exists"),
            _ => Condition.False(ControllerReady, ReasonInstalling,
                $"waiting for the Helm ProviderConfig ({(providerConfig ? "created" : "not yet created")}) and the Gateway API CRDs ({established} of {crds} established) before installing Traefik; this takes a reconcile or two"),
        };

    // Ready when we know it is; otherwise unspecified, as upstream (Crossplane counts it as not ready).
    private static bool? ReadyWhen(bool ready) => ready ? true : null;
}
