// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Modelplane.Apis.ModelServices;
using Modelplane.Kubernetes.Apps;
using Modelplane.Kubernetes.Core;
using Modelplane.Kubernetes.GatewayApi;
using Modelplane.Kubernetes.InferenceExtension;
using Modelplane.Kubernetes.Meta;
using Modelplane.Kubernetes.Rbac;
using Modelplane.Sdk;

namespace Modelplane.Functions.ModelReplicas;

/// <summary>How requests reach a replica's engines on its cluster: HTTPRoute → InferencePool → endpoint picker → pod.</summary>
/// <remarks>
/// Every replica, one pod or many, Unified or PrefillDecode, is fronted the same way: an HTTPRoute on
/// the cluster's inference gateway strips <c>/&lt;namespace&gt;/&lt;replica&gt;/</c> and sends to an
/// InferencePool whose endpoint picker (EPP) chooses the pod. With one pod the picker has nothing to
/// choose, but a pool from the start means scaling out never swaps a Service for a pool under
/// in-flight requests. Only the picker's configuration differs between the modes.
/// The pool, picker and their RBAC are named <c>&lt;replica&gt;-pool</c> and <c>&lt;replica&gt;-epp</c>,
/// plain suffixes, as upstream names them.
/// <para>
/// Criticality: the pool gets one InferenceObjective per class, <c>&lt;replica&gt;-critical</c>,
/// <c>-standard</c> and <c>-sheddable</c> (priorities 100, 0, -100; see <see cref="Criticality"/>), in the
/// <c>llm-d.ai</c> group the v0.9 picker reads. The fleet gateway names one of them in the picker's
/// objective header; the cluster's route does not touch that header, because Envoy applies a route's
/// header changes after its filters, so the picker would not see them. <c>CriticalityHonoured</c> is
/// True once the cluster has accepted all three, and False with reason <c>ObjectivesRejected</c> when it
/// refuses them (a serving stack without the CRD), which the ModelServices routing here relay.
/// </para>
/// <para>
/// Model splits: we read the ModelServices of the replica's namespace (never another's) and, for each
/// whose first entry selecting this replica's labels (the labels its ModelEndpoint carries) declares
/// <c>models</c>, compose an InferenceModelRewrite on the pool: the request's model (or every request)
/// is rewritten to one of the targets by weight. Two services sharing the pool with the same match
/// are resolved by the picker (the older object wins).
/// </para>
/// </remarks>
internal static class Routing
{
    // Composition resource keys, upstream's literals.
    public const string PoolKey = "inference-pool";
    public const string RouteKey = "model-route";
    public const string ServiceAccountKey = "epp-serviceaccount";
    public const string RoleKey = "epp-role";
    public const string RoleBindingKey = "epp-rolebinding";
    public const string ConfigKey = "epp-config";
    public const string EppKey = "epp";
    public const string EppServiceKey = "epp-service";
    private const string ObjectiveKeyPrefix = "objective-";
    private const string RewriteKeyPrefix = "model-rewrite-";

    /// <summary>The requirement for the namespace's ModelServices, whose model splits land on the pool.</summary>
    public const string ServicesKey = "model-services";

    // The replica's own condition on whether its picker can order requests by criticality.
    public const string CriticalityHonoured = "CriticalityHonoured";
    private const string ReasonObjectivesApplied = "ObjectivesApplied";
    private const string ReasonObjectivesPending = "ObjectivesPending";
    private const string ReasonObjectivesRejected = "ObjectivesRejected";

    // The cluster's gateway, which the ServingStack installs; its listeners admit routes from every namespace.
    private const string GatewayName = "inference-gateway";
    private const string GatewayNamespace = "modelplane-system";

    // The picker: pinned image, ext-proc gRPC port the gateway calls, and its health port.
    public const string EppImage = "ghcr.io/llm-d/llm-d-router-endpoint-picker:v0.9.0";
    private const int EppPort = 9002;
    private const int EppHealthPort = 9003;
    private const string ChecksumAnnotation = "modelplane.ai/epp-config-checksum";
    private const string ConfigVolume = "epp-config";

    public static string PoolName(string replica) => $"{replica}-pool";

    public static string EppName(string replica) => $"{replica}-epp";

    /// <summary>The route's path prefix, which the ModelDeployment composer publishes as the endpoint's rewritePath.</summary>
    public static string PathPrefix(ReplicaIdentity replica) => $"/{replica.Namespace}/{replica.Name}/";

    /// <summary>The ModelServices of the replica's namespace.</summary>
    public static Requirement ServicesRequirement(string ns) => Requirement.All(ModelService.ApiVersionValue, ModelService.KindValue, ns);

    /// <summary>The model splits of the namespace's ModelServices that route to a replica with these labels, by service name.</summary>
    /// <remarks>
    /// A service routes to the replica through its first entry whose labels the replica carries, as the
    /// ModelService counts each endpoint once. A service we cannot read, or whose split is incomplete,
    /// is skipped: its own composer reports the problem, and a neighbour's mistake must not stop this
    /// replica.
    /// </remarks>
    public static IReadOnlyList<(string Service, ModelSplit Split)> Splits(IReadOnlyList<JsonObject> services, IReadOnlyDictionary<string, string>? labels)
    {
        var splits = new List<(string, ModelSplit)>();
        foreach (var json in services)
        {
            ModelService service;
            try
            {
                service = FunctionRequest.Read(json, ModelServiceJsonContext.Default.ModelService, ServicesKey);
            }
            catch (InvalidInputException)
            {
                continue;
            }
            var name = (json["metadata"] as JsonObject)?["name"] is JsonValue v && v.TryGetValue<string>(out var n) ? n : null;
            var entry = (service.Spec?.Endpoints ?? []).FirstOrDefault(e =>
                e?.Selector?.MatchLabels is { } match && match.All(l => labels?.GetValueOrDefault(l.Key) == l.Value));
            if (string.IsNullOrEmpty(name) || entry?.Models is not { Targets.Count: > 0 } split
                || split.Targets.Any(t => string.IsNullOrEmpty(t?.Name)))
            {
                continue;
            }
            splits.Add((name, split));
        }
        return [.. splits.OrderBy(s => s.Item1, StringComparer.Ordinal)];
    }

    /// <summary>CriticalityHonoured from the observed objective Objects: applied, refused by the cluster, or not yet known.</summary>
    public static Condition Honoured(IReadOnlyDictionary<string, ObservedResource> observed, string cluster)
    {
        var keys = Criticality.All.Select(ObjectiveKey).ToArray();
        foreach (var key in keys)
        {
            if (observed.TryGetValue(key, out var o) && (o.Resource["status"] as JsonObject)?["conditions"] is JsonArray conditions
                && conditions.OfType<JsonObject>().FirstOrDefault(c => c["type"]?.ToString() == "Synced" && c["status"]?.ToString() == "False") is { } refused)
            {
                return Condition.False(CriticalityHonoured, ReasonObjectivesRejected,
                    $"cluster {cluster} refuses the pool's InferenceObjectives ({refused["message"]?.ToString() ?? refused["reason"]?.ToString()}); its endpoint picker serves requests in arrival order and sheds none by class. Upgrade the cluster's ServingStack so it installs the llm-d.ai InferenceObjective CRD");
            }
        }
        return keys.All(k => observed.TryGetValue(k, out var o) && o.Resource.ObjectAt("status.atProvider.manifest", k) is { Count: > 0 })
            ? Condition.True(CriticalityHonoured, ReasonObjectivesApplied, $"the endpoint picker on cluster {cluster} orders requests Critical, Standard, Sheddable and sheds Sheddable first")
            : Condition.False(CriticalityHonoured, ReasonObjectivesPending, $"waiting for cluster {cluster} to accept the pool's InferenceObjectives");
    }

    private static string ObjectiveKey(string criticality) => ObjectiveKeyPrefix + Criticality.Slug(criticality);

    /// <summary>The routing manifests by key, in a fixed order.</summary>
    public static IReadOnlyList<KeyValuePair<string, JsonObject>> Resources(ReplicaIdentity replica, string eppConfig, IReadOnlyList<(string Service, ModelSplit Split)> splits) =>
    [
        KeyValuePair.Create(PoolKey, Workloads.Json(Pool(replica), InferenceExtensionJsonContext.Default.InferencePool)),
        KeyValuePair.Create(RouteKey, Workloads.Json(Route(replica), GatewayApiJsonContext.Default.HttpRoute)),
        KeyValuePair.Create(ServiceAccountKey, Workloads.Json(new ServiceAccount { Metadata = Meta(EppName(replica.Name)) }, CoreJsonContext.Default.ServiceAccount)),
        KeyValuePair.Create(RoleKey, Workloads.Json(EppRole(replica), RbacJsonContext.Default.Role)),
        KeyValuePair.Create(RoleBindingKey, Workloads.Json(EppRoleBinding(replica), RbacJsonContext.Default.RoleBinding)),
        KeyValuePair.Create(ConfigKey, Workloads.Json(EppConfigMap(replica, eppConfig), CoreJsonContext.Default.ConfigMap)),
        KeyValuePair.Create(EppKey, Workloads.Json(Epp(replica, eppConfig), AppsJsonContext.Default.Deployment)),
        KeyValuePair.Create(EppServiceKey, Workloads.Json(EppService(replica), CoreJsonContext.Default.Service)),
        .. Criticality.All.Select(c => KeyValuePair.Create(ObjectiveKey(c), Workloads.Json(Objective(replica, c), InferenceExtensionJsonContext.Default.InferenceObjective))),
        .. splits.Select(s => KeyValuePair.Create(RewriteKeyPrefix + s.Service, Workloads.Json(Rewrite(replica, s.Service, s.Split), InferenceExtensionJsonContext.Default.InferenceModelRewrite))),
    ];

    private static PoolReference PoolRef(ReplicaIdentity replica) => new() { Group = InferencePool.Group, Kind = "InferencePool", Name = PoolName(replica.Name) };

    private static InferenceObjective Objective(ReplicaIdentity replica, string criticality) => new()
    {
        Metadata = Meta(Criticality.ObjectiveName(replica.Name, criticality)),
        Spec = new InferenceObjectiveSpec { Priority = Criticality.Priority(criticality), PoolRef = PoolRef(replica) },
    };

    private static InferenceModelRewrite Rewrite(ReplicaIdentity replica, string service, ModelSplit split) => new()
    {
        Metadata = Meta(ChildName.Of(replica.Name, service)),
        Spec = new InferenceModelRewriteSpec
        {
            PoolRef = PoolRef(replica),
            Rules =
            [
                new InferenceModelRewriteRule
                {
                    Matches = split.Match is { Length: > 0 } match ? [new ModelRewriteMatch { Model = new ModelMatch { Type = ModelMatch.Exact, Value = match } }] : null,
                    Targets = [.. split.Targets!.Select(t => new ModelRewriteTarget { ModelRewrite = t.Name, Weight = (int)Math.Clamp(t.Weight ?? 1, 1, 1_000_000) })],
                },
            ],
        },
    };

    private static ObjectMeta Meta(string name) => new() { Name = name, Namespace = Workloads.RemoteNamespace };

    private static InferencePool Pool(ReplicaIdentity replica) => new()
    {
        Metadata = Meta(PoolName(replica.Name)),
        Spec = new InferencePoolSpec
        {
            // Standalone pods and gang leaders of every engine; workers never carry the label.
            Selector = new LabelSelector { MatchLabels = Labels(Workloads.ServingLabel, replica.Name) },
            TargetPorts = [new PortNumber { Number = Workloads.EnginePort }],
            EndpointPickerRef = new EndpointPickerRef
            {
                Name = EppName(replica.Name),
                Port = new PortNumber { Number = EppPort },
                FailureMode = EndpointPickerRef.FailOpen,
            },
        },
    };

    private static HttpRoute Route(ReplicaIdentity replica) => new()
    {
        Metadata = Meta(replica.Name),
        Spec = new HttpRouteSpec
        {
            ParentRefs = [new ParentReference { Name = GatewayName, Namespace = GatewayNamespace }],
            Rules =
            [
                new HttpRouteRule
                {
                    Matches = [new HttpRouteMatch { Path = new HttpPathMatch { Type = HttpPathMatch.PathPrefix, Value = PathPrefix(replica) } }],
                    // 0s disables the request timeout: the gateway's default would cut long streamed completions.
                    Timeouts = new HttpRouteTimeouts { Request = "0s" },
                    Filters =
                    [
                        new HttpRouteFilter
                        {
                            Type = HttpRouteFilter.UrlRewriteType,
                            UrlRewrite = new HttpUrlRewriteFilter { Path = new HttpPathModifier { Type = HttpPathModifier.ReplacePrefixMatchType, ReplacePrefixMatch = "/" } },
                        },
                    ],
                    BackendRefs = [new HttpBackendRef { Group = InferencePool.Group, Kind = "InferencePool", Name = PoolName(replica.Name) }],
                },
            ],
        },
    };

    private static Role EppRole(ReplicaIdentity replica) => new()
    {
        Metadata = Meta(EppName(replica.Name)),
        Rules =
        [
            Read("", "pods"),
            Read(InferencePool.Group, "inferencepools"),
            // The picker reads objectives and rewrites from llm-d.ai, or the legacy group when only its CRDs exist.
            Read(InferenceObjective.Group, "inferenceobjectives"),
            Read(InferenceObjective.Group, "inferencemodelrewrites"),
            Read("inference.networking.x-k8s.io", "inferenceobjectives"),
            Read("inference.networking.x-k8s.io", "inferencemodelrewrites"),
        ],
    };

    private static PolicyRule Read(string group, string resource) =>
        new() { ApiGroups = [group], Resources = [resource], Verbs = ["get", "watch", "list"] };

    private static RoleBinding EppRoleBinding(ReplicaIdentity replica) => new()
    {
        Metadata = Meta(EppName(replica.Name)),
        Subjects = [new Subject { Kind = "ServiceAccount", Name = EppName(replica.Name), Namespace = Workloads.RemoteNamespace }],
        RoleRef = new RoleRef { ApiGroup = Role.Group, Kind = "Role", Name = EppName(replica.Name) },
    };

    private static ConfigMap EppConfigMap(ReplicaIdentity replica, string eppConfig) => new()
    {
        Metadata = Meta(EppName(replica.Name)),
        Data = Labels(EppConfig.FileName, eppConfig),
    };

    private static Deployment Epp(ReplicaIdentity replica, string eppConfig)
    {
        var name = EppName(replica.Name);
        return new Deployment
        {
            Metadata = Meta(name),
            Spec = new DeploymentSpec
            {
                Replicas = 1,
                Selector = new LabelSelector { MatchLabels = Labels("app", name) },
                Template = new PodTemplateSpec
                {
                    Metadata = new ObjectMeta { Labels = Labels("app", name), Annotations = Labels(ChecksumAnnotation, EppConfig.Checksum(eppConfig)) },
                    Spec = new PodSpec
                    {
                        ServiceAccountName = name,
                        Containers =
                        [
                            new Container
                            {
                                Name = "epp",
                                Image = EppImage,
                                Args =
                                [
                                    $"--pool-name={PoolName(replica.Name)}",
                                    $"--pool-namespace={Workloads.RemoteNamespace}",
                                    $"--pool-group={InferencePool.Group}",
                                    $"--config-file={EppConfig.MountPath}/{EppConfig.FileName}",
                                    $"--grpc-port={EppPort}",
                                ],
                                Ports = [new ContainerPort { Name = "grpc", Number = EppPort }, new ContainerPort { Name = "grpc-health", Number = EppHealthPort }],
                                VolumeMounts = [new VolumeMount { Name = ConfigVolume, MountPath = EppConfig.MountPath }],
                            },
                        ],
                        Volumes = [new Volume { Name = ConfigVolume, ConfigMap = new ConfigMapVolumeSource { Name = name } }],
                    },
                },
            },
        };
    }

    private static Service EppService(ReplicaIdentity replica) => new()
    {
        Metadata = Meta(EppName(replica.Name)),
        Spec = new ServiceSpec
        {
            Selector = Labels("app", EppName(replica.Name)),
            Ports = [new ServicePort { Name = "grpc-ext-proc", Port = EppPort, TargetPort = EppPort, AppProtocol = "http2" }],
        },
    };

    private static SortedDictionary<string, string> Labels(string key, string value) =>
        new(StringComparer.Ordinal) { [key] = value };
}
