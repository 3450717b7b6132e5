// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Modelplane.Apis.ServingStacks;
using Modelplane.Kubernetes.Crossplane;
using Modelplane.Kubernetes.Helm;
using Modelplane.Kubernetes.Meta;
using Modelplane.Kubernetes.Protection;
using Modelplane.Sdk;

namespace Modelplane.Functions.ServingStacks;

/// <summary>Installs the serving substrate on one workload cluster and publishes its inference Gateway's address.</summary>
/// <remarks>
/// <para>
/// An InferenceCluster composes one ServingStack per workload cluster (in <c>modelplane-system</c>,
/// beside the kubeconfig Secret). We compose, in the XR's namespace, a provider-kubernetes and a
/// provider-helm ProviderConfig that reach the cluster through that Secret (plus the first cloud
/// identity listed, which the kubeconfig's exec plugin needs on GKE, EKS and Nebius), then on the
/// cluster: cert-manager, Envoy Gateway wired to the Envoy AI Gateway's extension server, the AI
/// Gateway and its CRDs, the Gateway API Inference Extension CRDs and llm-d-router's <c>llm-d.ai</c>
/// InferenceObjective and InferenceModelRewrite CRDs, which the replicas' endpoint pickers read for
/// criticality and model splits (<see cref="GaieCrds"/>),
/// kube-prometheus-stack, LeaderWorkerSet, Node Feature Discovery, the NVIDIA DRA driver with the
/// quota its critical pods need, and the Gateway <c>modelplane-system/inference-gateway</c> with its
/// EnvoyProxy and GatewayClass.
/// </para>
/// <para>
/// Everything on the cluster waits until both ProviderConfigs are observed, which spares a first
/// reconcile of "ProviderConfig not found" errors; then every release and object is composed in one
/// pass (Helm retries until CRDs a chart needs exist, so there is no chart-to-chart ordering). The
/// gate is sticky: a resource already observed stays composed even if a ProviderConfig vanishes from
/// the observed state, so a flapping prerequisite never uninstalls a running stack. Input the XRD
/// should have rejected is a Fatal result, which applies nothing, so a bad edit never tears down
/// what runs either.
/// </para>
/// <para>
/// Teardown order comes from Usages: the Gateway before its GatewayClass (whose finalizer waits for
/// Gateways), the GatewayClass before the Envoy Gateway release (whose controller removes that
/// finalizer). The generic <c>usages</c> step that follows adds one Usage per release and Object on
/// the ProviderConfig it authenticates with.
/// </para>
/// <para>
/// The Gateway Object is Ready only once the Gateway has an address, which keeps provider-kubernetes
/// polling fast until the LoadBalancer is up. Its address goes to <c>status.gateway.address</c>
/// as soon as it is observed, Ready or not; the InferenceCluster relays it to the scheduler. Like
/// upstream, no condition or event is emitted on the happy path: the composed resources' readiness
/// is the XR's.
/// </para>
/// </remarks>
public static class ServingStackComposer
{
    public const string Name = "serving-stack";

    public static Composer Composer { get; } = new(Name, Compose, "ServingStack.infrastructure.modelplane.ai");

    // Set only when the spec cannot be used; the runner's own condition for unusable input.
    private const string ReasonInvalidSpec = "InvalidSpec";

    // Desired-resource keys, upstream's literals. Crossplane matches observed to desired by key, so
    // renaming one would uninstall and reinstall what it names.
    public const string KubernetesProviderConfigKey = "provider-config-kubernetes";
    public const string HelmProviderConfigKey = "provider-config-helm";
    public const string GatewayKey = "gateway";
    private const string GatewayClassKey = "gateway-class";
    private const string GatewayProxyKey = "gateway-proxy";
    private const string GatewayNamespaceKey = "gateway-namespace";
    private const string DriverQuotaKey = "dra-driver-critical-pods-quota";
    private const string CrdKeyPrefix = "gaie-crd-";
    private const string GatewayClassUsageKey = "usage-gateway-class-by-gateway";
    private const string EnvoyGatewayUsageKey = "usage-envoy-gw-by-gateway-class";

    // The label the teardown Usages select by, and the annotation that fixes each Helm release's
    // name (short, stable, and never adopting a user's release of the same chart).
    private const string ResourceLabel = "modelplane.ai/resource";
    private const string ExternalNameAnnotation = "crossplane.io/external-name";
    private const string ReleaseNamePrefix = "mp-";

    // Remote names other functions depend on: ModelReplica HTTPRoutes attach to this Gateway.
    private const string GatewayNamespace = "modelplane-system";
    private const string GatewayName = "inference-gateway";
    private const string EnvoyControllerName = "gateway.envoyproxy.io/gatewayclass-controller";
    private const string DriverNamespace = "dra-driver-nvidia-gpu";

    // The envelope of everything applied to the workload cluster.
    private const string ObjectApiVersion = ProviderConfig.KubernetesApiVersion;
    private const string ObjectKind = "Object";

    // The Gateway is Ready once the LoadBalancer has given it an address.
    private const string GatewayHasAddress = "has(object.status.addresses) && object.status.addresses.size() > 0";

    private static readonly StackListener DefaultListener = new() { Name = "http", Port = 80, Protocol = StackListener.Http };

    public static Composition Compose(FunctionRequest req)
    {
        var xr = req.ReadComposite(ServingStackJsonContext.Default.ServingStack);
        var ns = req.Namespace ?? "";
        if (StackSpec.Invalid(xr.Spec, ns) is { } problem)
        {
            return Composition.Fatal(FunctionRunner.ComposedCondition, ReasonInvalidSpec, $"invalid ServingStack \"{req.Name}\": {problem}");
        }
        var spec = xr.Spec!;
        var providerConfig = ChildName.Of(req.Name, "cluster");
        var observed = req.Observed;

        var resources = new Dictionary<string, DesiredResource>(StringComparer.Ordinal);
        AddProviderConfigs(resources, spec.Secrets!, providerConfig, ns);
        AddTeardownUsages(resources);
        var gateOpen = observed.ContainsKey(KubernetesProviderConfigKey) && observed.ContainsKey(HelmProviderConfigKey);
        var releases = StackCharts.For(spec.Versions, spec.NvidiaDriverRoot ?? ServingStackSpec.DefaultNvidiaDriverRoot)
            .Select(c => (c.Key, Resource: DesiredResource.From(Release(c, providerConfig), HelmJsonContext.Default.Release, ReadyWhenObserved(observed, c.Key))));
        var objects = RemoteManifests(spec.Gateway)
            .Select(m => (m.Key, Resource: RemoteObject(m, providerConfig, ReadyWhenObserved(observed, m.Key))));
        foreach (var (key, resource) in releases.Concat(objects))
        {
            if (gateOpen || observed.ContainsKey(key))
            {
                resources[key] = resource;
            }
        }

        return new Composition
        {
            Resources = resources,
            Status = Status(observed),
        };
    }

    private static void AddProviderConfigs(Dictionary<string, DesiredResource> resources, IReadOnlyList<StackSecret> secrets, string name, string ns)
    {
        var spec = StackSpec.ProviderConfigSpec(secrets, ns);
        var metadata = new ObjectMeta { Name = name };
        resources[KubernetesProviderConfigKey] = DesiredResource.From(
            new ProviderConfig { ApiVersion = ProviderConfig.KubernetesApiVersion, Metadata = metadata, Spec = spec },
            ProviderConfigJsonContext.Default.ProviderConfig, ready: true);
        resources[HelmProviderConfigKey] = DesiredResource.From(
            new ProviderConfig { ApiVersion = HelmApi.V1Beta1, Metadata = metadata, Spec = spec },
            ProviderConfigJsonContext.Default.ProviderConfig, ready: true);
    }

    // Delete order Gateway → GatewayClass → Envoy Gateway: each finalizer's owner outlives it. The
    // EnvoyProxy needs no Usage; nothing holds a finalizer on it.
    private static void AddTeardownUsages(Dictionary<string, DesiredResource> resources)
    {
        resources[GatewayClassUsageKey] = DesiredResource.From(
            TeardownUsage(ObjectApiVersion, ObjectKind, GatewayClassKey, GatewayKey),
            ProtectionJsonContext.Default.Usage, ready: true);
        resources[EnvoyGatewayUsageKey] = DesiredResource.From(
            TeardownUsage(HelmApi.V1Beta1, "Release", StackCharts.EnvoyGateway, GatewayClassKey),
            ProtectionJsonContext.Default.Usage, ready: true);
    }

    private static Usage TeardownUsage(string ofApiVersion, string ofKind, string ofLabel, string byLabel) => new()
    {
        Spec = new UsageSpec
        {
            Of = new UsageResource { ApiVersion = ofApiVersion, Kind = ofKind, ResourceSelector = LabelSelector(ofLabel) },
            By = new UsageResource { ApiVersion = ObjectApiVersion, Kind = ObjectKind, ResourceSelector = LabelSelector(byLabel) },
            ReplayDeletion = true,
        },
    };

    private static ResourceSelector LabelSelector(string resource) => new()
    {
        MatchControllerRef = true,
        MatchLabels = ResourceLabels(resource),
    };

    private static SortedDictionary<string, string> ResourceLabels(string resource) =>
        new(StringComparer.Ordinal) { [ResourceLabel] = resource };

    private static Release Release(StackChart chart, string providerConfig) => new()
    {
        Metadata = new ObjectMeta
        {
            Labels = chart.Key == StackCharts.EnvoyGateway ? ResourceLabels(chart.Key) : null,
            Annotations = new SortedDictionary<string, string>(StringComparer.Ordinal) { [ExternalNameAnnotation] = ReleaseNamePrefix + chart.Chart },
        },
        Spec = new ReleaseSpec
        {
            ProviderConfigRef = new HelmProviderConfigReference { Kind = ProviderConfig.KindValue, Name = providerConfig },
            ForProvider = new ReleaseParameters
            {
                Chart = new ChartSpec { Name = chart.Chart, Repository = chart.Repository, Version = chart.Version },
                Namespace = chart.Namespace,
                Values = chart.Values,
            },
        },
    };

    /// <summary>A manifest for the workload cluster, its key, and what the Object envelope adds.</summary>
    private sealed record RemoteManifest(string Key, JsonObject Manifest, bool Labelled = false, string? CelReadiness = null);

    private static IEnumerable<RemoteManifest> RemoteManifests(StackGateway? gateway)
    {
        var className = gateway?.ClassName ?? StackGateway.DefaultClassName;
        foreach (var (name, crd) in GaieCrds.All)
        {
            yield return new(CrdKeyPrefix + name, crd);
        }
        yield return new(DriverQuotaKey, StackManifests.CriticalPodsQuota(DriverNamespace));
        yield return new(GatewayNamespaceKey, StackManifests.Namespace(GatewayNamespace));
        yield return new(GatewayProxyKey, StackManifests.EnvoyProxy(GatewayName, GatewayNamespace), Labelled: true);
        yield return new(GatewayClassKey, StackManifests.GatewayClass(className, EnvoyControllerName, GatewayName, GatewayNamespace), Labelled: true);
        yield return new(GatewayKey, StackManifests.Gateway(GatewayName, GatewayNamespace, className, gateway?.Listeners ?? [DefaultListener]), Labelled: true, GatewayHasAddress);
    }

    // The shared Object record carries no metadata (most Objects need none), so the labels the
    // teardown Usages select by are added to its JSON.
    private static DesiredResource RemoteObject(RemoteManifest m, string providerConfig, bool? ready)
    {
        var resource = DesiredResource.From(new KubernetesObject
        {
            Spec = new KubernetesObjectSpec
            {
                ProviderConfigRef = new ProviderConfigReference { Kind = ProviderConfig.KindValue, Name = providerConfig },
                Readiness = m.CelReadiness is null ? null : new ObjectReadiness { Policy = ObjectReadiness.DeriveFromCelQuery, CelQuery = m.CelReadiness },
                ForProvider = new ObjectParameters { Manifest = m.Manifest },
            },
        }, ProviderKubernetesJsonContext.Default.KubernetesObject, ready);
        if (m.Labelled)
        {
            resource.Resource["metadata"] = new JsonObject { ["labels"] = new JsonObject { [ResourceLabel] = m.Key } };
        }
        return resource;
    }

    // The address as soon as provider-kubernetes reports one, Ready or not: the LoadBalancer may be
    // up before the Object's next readiness poll.
    private static JsonObject Status(IReadOnlyDictionary<string, ObservedResource> observed)
    {
        var address = observed.TryGetValue(GatewayKey, out var gateway)
            && gateway.Resource.ArrayAt("status.atProvider.manifest.status.addresses", $"observed[{GatewayKey}]") is [JsonObject first, ..]
            ? first.StringAt("value", $"observed[{GatewayKey}].status.atProvider.manifest.status.addresses[0]")
            : null;
        return Composition.StatusOf(new ServingStackStatus
        {
            Gateway = string.IsNullOrEmpty(address) ? null : new StackGatewayStatus { Address = address },
        }, ServingStackJsonContext.Default.ServingStackStatus);
    }

    // Ready when we know it is; otherwise unspecified, as upstream (Crossplane counts it as not ready).
    private static bool? ReadyWhenObserved(IReadOnlyDictionary<string, ObservedResource> observed, string key) =>
        observed.TryGetValue(key, out var o) && o.IsReady ? true : null;
}
