// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json;
using System.Text.Json.Nodes;
using Modelplane.Apis.ModelCaches;
using Modelplane.Apis.ModelDeployments;
using Modelplane.Apis.ModelReplicas;
using Modelplane.Kubernetes.Apps;
using Modelplane.Kubernetes.Core;
using Modelplane.Kubernetes.Lws;
using Modelplane.Kubernetes.Meta;
using Modelplane.Kubernetes.Resource;
using Modelplane.Sdk;

namespace Modelplane.Functions.ModelReplicas;

/// <summary>Who a replica is, as every remote object it composes needs to know.</summary>
/// <param name="Name">The replica's name, which prefixes every remote name.</param>
/// <param name="Namespace">The replica's namespace, which its route path and cache claim name carry.</param>
/// <param name="CacheClaim">The model cache's PVC name on the workload cluster, or null without a cache.</param>
internal sealed record ReplicaIdentity(string Name, string Namespace, string? CacheClaim);

/// <summary>A PrefillDecode engine's part: which phase it serves and, for decode, where the engine listens.</summary>
internal sealed record Disaggregation(EnginePhase Phase, int EnginePort);

/// <summary>One engine built: its workload manifest, its claim templates by key, and the serving container's args.</summary>
internal sealed record BuiltEngine(string Key, JsonObject Workload, IReadOnlyList<KeyValuePair<string, JsonObject>> Claims, IReadOnlyList<string> ServingArgs);

/// <summary>Engine workloads: a Deployment per Standalone engine, a LeaderWorkerSet per gang, and their DRA claim templates.</summary>
/// <remarks>
/// <para>
/// Every pod template gets the same shaping: pinned to its member's pool by the
/// <c>modelplane.ai/pool</c> node label, a DRA claim of the member's devices (one container claim for
/// the whole template, never device-plugin limits), the GPU toleration, a memory-backed
/// <c>/dev/shm</c>, and the model cache mounted read-only at <c>/mnt/models</c>. Unlike upstream (read-write,
/// and a pod that starts before hydration ends loads a partial directory), a cached pod first waits in
/// an init container for the hydration marker, and its engine runs with <c>HF_HUB_OFFLINE</c> and
/// <c>TRANSFORMERS_OFFLINE</c> set, so it reads the local copy and never reaches for the Hub; engines
/// keep writing their compile and tokenizer caches to their own filesystem. Serving pods carry <c>modelplane.ai/serving</c>, which the
/// InferencePool selects; gang workers never do, so they are never routed to.
/// </para>
/// <para>
/// Workload names are <c>child_name(replica, engine)</c>, never the replica's own name: the LWS
/// controller makes a headless Service named after the LWS unless one exists, so the two must not
/// collide. A PrefillDecode engine's serving template also gets llm-d's role labels, NIXL plumbing
/// and, for decode, the routing sidecar in front of an engine moved off port 8000.
/// </para>
/// </remarks>
internal static class Workloads
{
    // Remote namespace and the labels other objects select on; renaming one orphans running pods.
    public const string RemoteNamespace = "default";
    public const string ServingLabel = "modelplane.ai/serving";
    public const string WorkloadLabel = "modelplane.ai/workload";
    public const string LwsRoleLabel = "modelplane.ai/lws-role";
    public const string PoolLabel = "modelplane.ai/pool";
    public const string LlmdRoleLabel = "llm-d.ai/role";
    public const string LlmdServingLabel = "llm-d.ai/inference-serving";

    // The engine contract: OpenAI-compatible API on 8000 with /health for readiness.
    public const int EnginePort = 8000;
    private const string HealthPath = "/health";
    private const string EngineContainer = "engine";
    private const string SidecarContainer = "pd-sidecar";
    public const string SidecarImage = "ghcr.io/llm-d/llm-d-router-disagg-sidecar:v0.9.0";

    // Volumes and claims, by the names the containers mount them with.
    private const string ClaimName = "devices";
    private const string ShmVolume = "dshm";
    private const string ShmPath = "/dev/shm";
    private const string CacheVolume = "model-cache";
    private const string NixlVolume = "nixl-shm";
    private const string GpuTaint = "nvidia.com/gpu";

    // The model cache: pods wait for the hydration marker, then read the weights offline from the mount.
    private const string WaitContainer = "wait-for-model";
    private const string WaitScript =
        "until [ -f " + ModelCache.MountPath + "/" + ModelCache.HydratedMarker + " ]; do echo \"waiting for the model cache to finish hydrating\"; sleep 10; done";
    private static readonly string[] OfflineEnv = ["HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"];

    // Gang members find each other through LWS's variables, aliased so commands need not know LWS.
    private const string LeaderAddressEnv = "MODELPLANE_LEADER_ADDRESS";
    private const string RankEnv = "MODELPLANE_RANK";
    private const string NixlHostEnv = "VLLM_NIXL_SIDE_CHANNEL_HOST";
    private const string NixlPortEnv = "VLLM_NIXL_SIDE_CHANNEL_PORT";
    private const string NixlPort = "5557";

    public static string WorkloadKey(string engine) => $"model-serving-{engine}";

    public static string ClaimKey(string engine, string role) => $"resource-claim-{engine}-{role}";

    /// <summary>Whether an engine is a gang (Leader and Worker, an LWS) rather than one Standalone pod (a Deployment).</summary>
    public static bool IsGang(ReplicaEngine engine) =>
        !(engine.Members ?? []).Any(m => (m.Role ?? MemberRole.Standalone) == MemberRole.Standalone);

    /// <summary>The member whose container serves requests: the Standalone pod or the gang's leader.</summary>
    public static ReplicaMember ServingMember(ReplicaEngine engine) =>
        (engine.Members ?? []).First(m => (m.Role ?? MemberRole.Standalone) is MemberRole.Standalone or MemberRole.Leader);

    /// <summary>The serving container's args as the engine will run them, cache injection included.</summary>
    public static IReadOnlyList<string> ServingArgs(ReplicaIdentity replica, ReplicaEngine engine)
    {
        var container = EngineOf(ServingMember(engine));
        return EngineArgs.WithCacheModel(container.Args ?? [], container.Command, replica.CacheClaim is not null);
    }

    public static BuiltEngine Build(ReplicaIdentity replica, ReplicaEngine engine, Disaggregation? pd) =>
        IsGang(engine) ? Gang(replica, engine, pd) : Native(replica, engine, pd);

    private static BuiltEngine Native(ReplicaIdentity replica, ReplicaEngine engine, Disaggregation? pd)
    {
        var name = ChildName.Of(replica.Name, engine.Name!);
        var member = ServingMember(engine);
        var args = ServingArgs(replica, engine);
        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal) { [ServingLabel] = replica.Name, [WorkloadLabel] = name };
        var deployment = new Deployment
        {
            Metadata = new ObjectMeta { Name = name, Namespace = RemoteNamespace },
            Spec = new DeploymentSpec
            {
                Replicas = engine.Copies ?? Engine.DefaultCopies,
                Selector = new LabelSelector { MatchLabels = new SortedDictionary<string, string>(StringComparer.Ordinal) { [WorkloadLabel] = name } },
                Template = Template(replica, engine, member, Serving(EngineOf(member), args, gang: false, pd), labels, pd),
            },
        };
        return new BuiltEngine(WorkloadKey(engine.Name!), Json(deployment, AppsJsonContext.Default.Deployment), Claims(replica, engine), args);
    }

    private static BuiltEngine Gang(ReplicaIdentity replica, ReplicaEngine engine, Disaggregation? pd)
    {
        var name = ChildName.Of(replica.Name, engine.Name!);
        var leader = ServingMember(engine);
        var worker = engine.Members!.First(m => m.Role == MemberRole.Worker);
        var args = ServingArgs(replica, engine);
        var leaderLabels = new SortedDictionary<string, string>(StringComparer.Ordinal) { [ServingLabel] = replica.Name, [LwsRoleLabel] = "leader" };
        var lws = new LeaderWorkerSet
        {
            Metadata = new ObjectMeta { Name = name, Namespace = RemoteNamespace },
            Spec = new LeaderWorkerSetSpec
            {
                Replicas = engine.Copies ?? Engine.DefaultCopies,
                LeaderWorkerTemplate = new LeaderWorkerTemplate
                {
                    Size = 1 + (worker.Worker?.Nodes ?? 1),
                    LeaderTemplate = Template(replica, engine, leader, Serving(EngineOf(leader), args, gang: true, pd), leaderLabels, pd),
                    WorkerTemplate = Template(replica, engine, worker, Worker(EngineOf(worker)), labels: null, pd: null),
                },
            },
        };
        return new BuiltEngine(WorkloadKey(engine.Name!), Json(lws, LwsJsonContext.Default.LeaderWorkerSet), Claims(replica, engine), args);
    }

    /// <summary>A pod template with the shaping every member gets; <paramref name="pd"/> only for a PrefillDecode serving template.</summary>
    private static PodTemplateSpec Template(
        ReplicaIdentity replica, ReplicaEngine engine, ReplicaMember member, Container container,
        SortedDictionary<string, string>? labels, Disaggregation? pd)
    {
        var role = RoleOf(member);
        var claims = member.DeviceRequests is { Count: > 0 };
        var volumes = new List<Volume> { new() { Name = ShmVolume, EmptyDir = new EmptyDirVolumeSource { Medium = EmptyDirVolumeSource.MediumMemory } } };
        var mounts = new List<VolumeMount> { new() { Name = ShmVolume, MountPath = ShmPath } };
        List<Container>? init = null;
        if (replica.CacheClaim is { } cache)
        {
            volumes.Add(new Volume { Name = CacheVolume, PersistentVolumeClaim = new PersistentVolumeClaimVolumeSource { ClaimName = cache, ReadOnly = true } });
            mounts.Add(CacheMount);
            init = [WaitForModel];
            container = container with { Env = Offline(container.Env) };
        }
        List<Container> containers = [container with
        {
            VolumeMounts = mounts,
            Resources = claims ? new ResourceRequirements { Claims = [new ContainerResourceClaim { Name = ClaimName }] } : null,
        }];
        if (pd is not null)
        {
            labels = new SortedDictionary<string, string>(labels ?? [], StringComparer.Ordinal)
            {
                [LlmdRoleLabel] = pd.Phase == EnginePhase.Decode ? "decode" : "prefill",
                [LlmdServingLabel] = "true",
                ["app"] = replica.Name,
            };
            // NIXL wants shared memory; dshm already backs /dev/shm, so the volume is declared, not mounted.
            volumes.Add(new Volume { Name = NixlVolume, EmptyDir = new EmptyDirVolumeSource { Medium = EmptyDirVolumeSource.MediumMemory } });
            if (pd.Phase == EnginePhase.Decode)
            {
                containers.Add(Sidecar(pd.EnginePort));
            }
        }
        return new PodTemplateSpec
        {
            Metadata = Metadata(member.Template?.Metadata, labels),
            Spec = new PodSpec
            {
                Containers = containers,
                Volumes = volumes,
                NodeSelector = new SortedDictionary<string, string>(StringComparer.Ordinal) { [PoolLabel] = member.NodePoolName! },
                ResourceClaims = claims
                    ? [new PodResourceClaim { Name = ClaimName, ResourceClaimTemplateName = ChildName.Of(replica.Name, engine.Name!, role, ClaimName) }]
                    : null,
                // Always, even for a claimless member: GPU nodes are tainted and a coordinator may share them.
                Tolerations = [new Toleration { Key = GpuTaint, Operator = "Exists", Effect = "NoSchedule" }],
                ImagePullSecrets = member.Template?.Spec?.ImagePullSecrets,
                InitContainers = init,
            },
        };
    }

    private static VolumeMount CacheMount => new() { Name = CacheVolume, MountPath = EngineArgs.CacheMountPath, ReadOnly = true };

    /// <summary>Holds the pod until the cache's hydration Job has written its marker, so an engine never loads a partial copy.</summary>
    private static Container WaitForModel => new()
    {
        Name = WaitContainer,
        Image = ModelCache.ToolImage,
        Command = ["/bin/sh", "-c", WaitScript],
        VolumeMounts = [CacheMount],
    };

    /// <summary>The user's env with the Hugging Face libraries told to stay offline, unless the user set those variables.</summary>
    private static List<EnvVar> Offline(IReadOnlyList<EnvVar>? env)
    {
        var all = new List<EnvVar>(env ?? []);
        foreach (var name in OfflineEnv)
        {
            if (!all.Any(e => e.Name == name))
            {
                all.Add(new EnvVar { Name = name, Value = "1" });
            }
        }
        return all;
    }

    /// <summary>The member's labels under ours (ours win) and its annotations; null when there is nothing to set.</summary>
    private static ObjectMeta? Metadata(PodTemplateMetadata? member, SortedDictionary<string, string>? managed)
    {
        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in member?.Labels ?? new Dictionary<string, string>())
        {
            labels[key] = value;
        }
        foreach (var (key, value) in managed ?? [])
        {
            labels[key] = value;
        }
        var annotations = member?.Annotations is { Count: > 0 } a ? new SortedDictionary<string, string>(a.ToDictionary(), StringComparer.Ordinal) : null;
        return labels.Count == 0 && annotations is null ? null : new ObjectMeta { Labels = labels.Count == 0 ? null : labels, Annotations = annotations };
    }

    /// <summary>The serving container: the user's, plus the port, the readiness probe and (decode) NIXL env on the moved port.</summary>
    private static Container Serving(EngineContainer user, IReadOnlyList<string> args, bool gang, Disaggregation? pd)
    {
        var port = pd?.EnginePort ?? EnginePort;
        var env = Env(user.Env, gang);
        if (pd is not null)
        {
            env ??= [];
            if (!env.Any(e => e.Name == NixlHostEnv))
            {
                env.Add(new EnvVar { Name = NixlHostEnv, ValueFrom = new EnvVarSource { FieldRef = new ObjectFieldSelector { FieldPath = "status.podIP" } } });
            }
            if (!env.Any(e => e.Name == NixlPortEnv))
            {
                env.Add(new EnvVar { Name = NixlPortEnv, Value = NixlPort });
            }
        }
        return new Container
        {
            Name = EngineContainer,
            Image = user.Image,
            Command = user.Command is { Count: > 0 } command ? command : null,
            // A Deployment's engine always carries args (possibly empty); a gang leader only when it has some.
            Args = gang && args.Count == 0 ? null : args,
            Env = env,
            Ports = [new ContainerPort { Number = port }],
            ReadinessProbe = Health(port),
        };
    }

    /// <summary>A gang worker's container: the user's, verbatim, with the gang env; no port, probe or model injection.</summary>
    private static Container Worker(EngineContainer user)
    {
        return new Container
        {
            Name = EngineContainer,
            Image = user.Image,
            Command = user.Command is { Count: > 0 } command ? command : null,
            Args = user.Args is { Count: > 0 } args ? args : null,
            Env = Env(user.Env, gang: true),
        };
    }

    private static Container Sidecar(int enginePort) => new()
    {
        Name = SidecarContainer,
        Image = SidecarImage,
        Args = ["--secure-proxy=false", "--kv-connector=nixlv2", $"--vllm-port={enginePort}"],
        Ports = [new ContainerPort { Number = EnginePort }],
        ReadinessProbe = Health(EnginePort),
    };

    private static Probe Health(int port) => new()
    {
        HttpGet = new HttpGetAction { Path = HealthPath, Port = port },
        InitialDelaySeconds = 30,
        PeriodSeconds = 10,
        TimeoutSeconds = 5,
    };

    /// <summary>The gang aliases first (so user env can reference them), then the user's env as written.</summary>
    private static List<EnvVar>? Env(IReadOnlyList<EnvVar>? user, bool gang)
    {
        if (!gang && user is null)
        {
            return null;
        }
        var env = new List<EnvVar>();
        if (gang)
        {
            env.Add(new EnvVar { Name = LeaderAddressEnv, Value = "$(LWS_LEADER_ADDRESS)" });
            env.Add(new EnvVar { Name = RankEnv, Value = "$(LWS_WORKER_INDEX)" });
        }
        env.AddRange(user ?? []);
        return env;
    }

    /// <summary>One ResourceClaimTemplate per member that claims devices, in member order.</summary>
    private static KeyValuePair<string, JsonObject>[] Claims(ReplicaIdentity replica, ReplicaEngine engine) =>
        (engine.Members ?? [])
            .Where(m => m.DeviceRequests is { Count: > 0 })
            .Select(m => KeyValuePair.Create(ClaimKey(engine.Name!, RoleOf(m)), Json(ClaimTemplate(replica, engine, m), ResourceJsonContext.Default.ResourceClaimTemplate)))
            .ToArray();

    private static ResourceClaimTemplate ClaimTemplate(ReplicaIdentity replica, ReplicaEngine engine, ReplicaMember member) => new()
    {
        Metadata = new ObjectMeta { Name = ChildName.Of(replica.Name, engine.Name!, RoleOf(member), ClaimName), Namespace = RemoteNamespace },
        Spec = new ResourceClaimTemplateSpec
        {
            Spec = new ResourceClaimSpec
            {
                Devices = new DeviceClaim
                {
                    Requests = member.DeviceRequests!.Select(r => new DeviceRequest
                    {
                        Name = r.Name,
                        Exactly = new ExactDeviceRequest
                        {
                            DeviceClassName = r.DeviceClassName,
                            Count = r.Count ?? DeviceSelection.DefaultCount,
                            Selectors = r.Selectors?.Where(s => s.Cel is { Length: > 0 }).Select(s => new DeviceSelector { Cel = new CelDeviceSelector { Expression = s.Cel } }).ToArray() is { Length: > 0 } selectors
                                ? selectors
                                : null,
                        },
                    }).ToArray(),
                },
            },
        },
    };

    /// <summary>The member's single container, which the XRD requires be named <c>engine</c>.</summary>
    private static EngineContainer EngineOf(ReplicaMember member) => member.Template!.Spec!.Containers![0];

    private static string RoleOf(ReplicaMember member) => (member.Role ?? MemberRole.Standalone) switch
    {
        MemberRole.Leader => "leader",
        MemberRole.Worker => "worker",
        _ => "standalone",
    };

    public static JsonObject Json<T>(T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo) =>
        (JsonObject)JsonSerializer.SerializeToNode(value, typeInfo)!;
}
