// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Modelplane.Kubernetes.Apps;
using Modelplane.Kubernetes.Core;
using Modelplane.Kubernetes.GatewayApi;
using Modelplane.Kubernetes.InferenceExtension;
using Modelplane.Kubernetes.Meta;
using Modelplane.Kubernetes.Rbac;

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

    /// <summary>The routing manifests by key, in a fixed order.</summary>
    public static IReadOnlyList<KeyValuePair<string, JsonObject>> Resources(ReplicaIdentity replica, string eppConfig) =>
    [
        KeyValuePair.Create(PoolKey, Workloads.Json(Pool(replica), InferenceExtensionJsonContext.Default.InferencePool)),
        KeyValuePair.Create(RouteKey, Workloads.Json(Route(replica), GatewayApiJsonContext.Default.HttpRoute)),
        KeyValuePair.Create(ServiceAccountKey, Workloads.Json(new ServiceAccount { Metadata = Meta(EppName(replica.Name)) }, CoreJsonContext.Default.ServiceAccount)),
        KeyValuePair.Create(RoleKey, Workloads.Json(EppRole(replica), RbacJsonContext.Default.Role)),
        KeyValuePair.Create(RoleBindingKey, Workloads.Json(EppRoleBinding(replica), RbacJsonContext.Default.RoleBinding)),
        KeyValuePair.Create(ConfigKey, Workloads.Json(EppConfigMap(replica, eppConfig), CoreJsonContext.Default.ConfigMap)),
        KeyValuePair.Create(EppKey, Workloads.Json(Epp(replica, eppConfig), AppsJsonContext.Default.Deployment)),
        KeyValuePair.Create(EppServiceKey, Workloads.Json(EppService(replica), CoreJsonContext.Default.Service)),
    ];

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
            Read("inference.networking.x-k8s.io", "inferenceobjectives"),
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
