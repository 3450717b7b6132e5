// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Modelplane.Apis.InferenceClasses;
using Modelplane.Apis.InferenceClusters;
using Modelplane.Kubernetes.Crossplane;
using Modelplane.Kubernetes.Meta;
using Modelplane.Kubernetes.Protection;
using Modelplane.Provisioning;
using Modelplane.Sdk;

namespace Modelplane.Functions.InferenceClusters;

/// <summary>Provisions or connects an InferenceCluster and publishes what the fleet scheduler reads.</summary>
/// <remarks>
/// <para>
/// For <c>source: Existing</c> the cluster already runs: we compose the ClusterProviderConfig that
/// reaches it through the kubeconfig Secret (and an optional cloud identity), and the ServingStack
/// XR that installs the serving stack there, whose gateway address we relay.
/// </para>
/// <para>
/// For a cloud source we first compose the per-cloud cluster XR (<see cref="CloudSource"/>), one
/// pool per node pool, shaped by the pool's InferenceClass block for that cloud. Once it is Ready
/// and publishes its kubeconfig Secret, the ClusterProviderConfig, the ServingStack and a Usage that
/// keeps the cluster until the stack is gone follow. A pool that cannot be built (its class is
/// missing or has no block for the cloud, or a zone or accelerator count the cloud would reject) is a
/// Warning and a False condition on that pool only; the others still apply, and a pool already
/// running is kept as it runs. A pool that ModelReplicas still claim is never removed or shrunk
/// below what they claim (<see cref="PoolGuard"/>). The connection, once made, is kept while the
/// cluster XR is briefly not Ready, so a flap never cuts running replicas off.
/// </para>
/// <para>
/// The status is the scheduler's contract: the provider config's name, the namespace, the gateway
/// address, the RWX cache class and, per node pool, its class, its size (what it can grow to) and
/// what the ModelReplicas pinned to it have allocated (<see cref="Allocation"/>). Pools name their
/// InferenceClass instead of copying its devices, which keeps fleet-sized requests small. The XR is
/// never Ready while the cluster is not provisioned or its serving stack is not healthy.
/// </para>
/// <para>
/// While any ModelReplica is pinned here, a ClusterUsage blocks deleting the cluster (composed first,
/// before any early return).
/// </para>
/// </remarks>
public static class InferenceClusterComposer
{
    public static Composer Composer { get; } = new("inference-cluster", Compose, "InferenceCluster.modelplane.ai");

    // Conditions this function owns, upstream's names, plus one per node pool.
    public const string ClusterReady = "ClusterReady";
    public const string BackendReady = "BackendReady";
    public const string ReasonClusterRunning = "ClusterRunning";
    public const string ReasonProvisioning = "Provisioning";
    public const string ReasonWaitingForClasses = "WaitingForClasses";
    public const string ReasonSourceNotSupported = "SourceNotSupported";
    public const string ReasonInvalidSpec = "InvalidSpec";
    public const string ReasonInvalidNodePool = "InvalidNodePool";
    public const string ReasonHeldByReplicas = "HeldByReplicas";
    public const string ReasonApplied = "Applied";
    public const string ReasonBackendHealthy = "BackendHealthy";
    public const string ReasonInstalling = "Installing";
    public const string ReasonWaitingForCluster = "WaitingForCluster";

    public static string PoolCondition(string pool) => $"NodePool-{pool}";

    // Desired-resource and requirement keys, upstream's literals.
    public const string ReplicasKey = "model-replicas";
    public const string ProviderConfigKey = "cluster-provider-config-kubernetes";
    public const string ServingStackKey = "serving-stack";
    public const string ReplicaGuardKey = "usage-replicas";

    /// <summary>Where everything a cluster composes lives, and where its Secrets must be.</summary>
    public const string SystemNamespace = "modelplane-system";

    private const string ApiVersion = "modelplane.ai/v1alpha1";
    private const string InfrastructureApiVersion = "infrastructure.modelplane.ai/v1alpha1";
    private const string KubeconfigType = "Kubeconfig";

    public static string ClassKey(string className) => $"class-{className}";

    public static Composition Compose(FunctionRequest req)
    {
        var ic = req.ReadComposite(InferenceClusterJsonContext.Default.InferenceCluster);
        var name = req.Name;
        var pools = ic.Spec?.NodePools ?? [];
        var classNames = pools.Select(p => p.ClassName).OfType<string>().Where(c => c.Length > 0).Distinct().Order(StringComparer.Ordinal).ToArray();
        var requirements = Requirements(name, classNames);
        var resources = new Dictionary<string, DesiredResource>(StringComparer.Ordinal);
        if (req.Required.Get(ReplicasKey).Count > 0)
        {
            resources[ReplicaGuardKey] = ReplicaGuard(name);
        }

        var cluster = ic.Spec?.Cluster;
        if (cluster?.Source is not { } source)
        {
            return Stop(req, requirements, resources, ReasonInvalidSpec, $"invalid InferenceCluster \"{name}\": spec.cluster.source is required; set it to GKE, EKS, AKS, Nebius, Vultr or Existing");
        }
        if (source == ClusterSource.Existing)
        {
            return Existing(req, ic, requirements, resources, classNames);
        }
        if (CloudSource.For(source) is not { } cloud)
        {
            return Stop(req, requirements, resources, ReasonSourceNotSupported,
                $"cannot provision InferenceCluster \"{name}\": spec.cluster.source {source} is not supported yet; this release provisions GKE, EKS, AKS, Nebius and Vultr and connects Existing clusters");
        }
        if (cloud.ClusterSpec(cluster) is not { } clusterSpec)
        {
            return Stop(req, requirements, resources, ReasonInvalidSpec,
                $"invalid InferenceCluster \"{name}\": spec.cluster.{cloud.Label.ToLowerInvariant()} is required when spec.cluster.source is {cloud.Label}", cloud);
        }
        return Provisioned(req, ic, cluster, cloud, clusterSpec, requirements, resources);
    }

    private static Composition Existing(FunctionRequest req, InferenceCluster ic, Dictionary<string, Requirement> requirements, Dictionary<string, DesiredResource> resources, string[] classNames)
    {
        var name = req.Name;
        var existing = ic.Spec!.Cluster!.Existing;
        if (existing?.SecretRef?.Name is not { Length: > 0 } secretName)
        {
            return Stop(req, requirements, resources, ReasonInvalidSpec,
                $"invalid InferenceCluster \"{name}\": spec.cluster.existing.secretRef.name is required when spec.cluster.source is Existing");
        }

        var providerConfig = ChildName.Of(name, "cluster-kubeconfig");
        var kubeconfigKey = existing.SecretRef.Key ?? SecretKeyReference.DefaultKey;
        var identity = existing.IdentitySecretRef is { Name: { Length: > 0 } identityName } id
            ? new Secret((id.Type ?? IdentitySecretReference.DefaultType).ToString(), identityName, id.Key ?? IdentitySecretReference.DefaultKey, null)
            : null;
        resources[ProviderConfigKey] = DesiredResource.From(ProviderConfig(providerConfig, secretName, kubeconfigKey, identity), CrossplaneJsonContext.Default.ClusterProviderConfig, ready: true);
        var backendReady = req.Observed.TryGetValue(ServingStackKey, out var backend) && backend.IsReady;
        Secret[] secrets = identity is null
            ? [new Secret(KubeconfigType, secretName, kubeconfigKey, null)]
            : [new Secret(KubeconfigType, secretName, kubeconfigKey, null), identity];
        resources[ServingStackKey] = DesiredResource.Of(ServingStack(name, secrets, null), backendReady ? true : null);

        var missing = classNames.Where(c => req.Required.Single(ClassKey(c)) is null).ToArray();
        var conditions = new List<Condition>();
        var results = new List<Result>();
        if (missing.Length > 0)
        {
            var message = $"Waiting for InferenceClasses: {string.Join(", ", missing)}";
            conditions.Add(Condition.False(ClusterReady, ReasonWaitingForClasses, message));
            results.Add(Result.Normal(message));
        }
        else
        {
            conditions.Add(Condition.True(ClusterReady, ReasonClusterRunning));
        }
        conditions.Add(Backend(clusterReady: true, backendReady));

        var pools = Published(ic.Spec.NodePools ?? [], null);
        var overcommit = Overcommit(req, name, pools, conditions, results);
        return new Composition
        {
            Requirements = requirements,
            Resources = resources,
            Status = Status(req, name, providerConfig, pools, existing.Cache?.StorageClassName, backend, overcommit),
            CompositeReady = backendReady ? Readiness.Unspecified : Readiness.NotReady,
            Conditions = conditions,
            Results = results,
        };
    }

    private static Composition Provisioned(FunctionRequest req, InferenceCluster ic, ClusterSpec cluster, CloudSource cloud, JsonObject clusterSpec,
        Dictionary<string, Requirement> requirements, Dictionary<string, DesiredResource> resources)
    {
        var name = req.Name;
        var conditions = new List<Condition>();
        var results = new List<Result>();

        // The cluster XR, with every pool that can be built and every running pool that must stay.
        var plan = PoolPlan.Of(req, ic, cluster, cloud);
        foreach (var (pool, problem, reason) in plan.Problems)
        {
            conditions.Add(Condition.False(PoolCondition(pool), reason, problem));
            results.Add(Result.Warning(problem));
        }
        foreach (var pool in plan.Applied)
        {
            conditions.Add(Condition.True(PoolCondition(pool), ReasonApplied));
        }
        var observedCluster = req.Observed.GetValueOrDefault(cloud.Key);
        var clusterReady = observedCluster?.IsReady == true;
        // Set when there is no cluster to wait for: it, not "waiting", is the one ClusterReady condition.
        string? noPool = null;
        if (plan.ClusterPools.Count > 0)
        {
            clusterSpec["nodePools"] = new JsonArray([.. plan.ClusterPools]);
            resources[cloud.Key] = DesiredResource.Of(new JsonObject
            {
                ["apiVersion"] = InfrastructureApiVersion,
                ["kind"] = cloud.Kind,
                ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = SystemNamespace },
                ["spec"] = clusterSpec,
            }, clusterReady ? true : null);
        }
        else if (Kept.Observed(req, cloud.Key) is { } kept)
        {
            resources[cloud.Key] = kept;
        }
        else
        {
            noPool = $"InferenceCluster \"{name}\" has no node pool that can be provisioned on {cloud.Label}; add a valid spec.nodePools entry";
            results.Add(Result.Warning(noPool));
        }

        // Once the cluster is Ready its Secrets reach it; until then a connection already made stays.
        var providerConfig = ChildName.Of(name, "cluster-kubeconfig");
        var clusterSecrets = clusterReady ? ClusterSecrets(observedCluster!) : [];
        if (clusterSecrets.FirstOrDefault(s => s.Type == KubeconfigType) is { } kubeconfig)
        {
            var identity = cloud.IdentityType is { } type ? clusterSecrets.FirstOrDefault(s => s.Type == type) : null;
            resources[ProviderConfigKey] = DesiredResource.From(ProviderConfig(providerConfig, kubeconfig.Name, kubeconfig.Key, identity), CrossplaneJsonContext.Default.ClusterProviderConfig, ready: true);
        }
        else if (Kept.Observed(req, ProviderConfigKey) is { } keptConfig)
        {
            resources[ProviderConfigKey] = keptConfig with { Ready = Readiness.Ready };
        }

        var backend = req.Observed.GetValueOrDefault(ServingStackKey);
        var backendSecrets = clusterSecrets.Length > 0 ? clusterSecrets : backend is null ? [] : StackSecrets(backend);
        var backendReady = backend?.IsReady == true;
        if (backendSecrets.Length > 0)
        {
            resources[ServingStackKey] = DesiredResource.Of(ServingStack(name, backendSecrets, cloud.NvidiaDriverRoot), clusterReady && backendReady ? true : null);
        }
        if (backendSecrets.Length > 0 || backend is not null)
        {
            resources[cloud.UsageKey] = DesiredResource.Of(BackendUsage(cloud), ready: true);
        }
        if (clusterReady && backend is null)
        {
            results.Add(Result.Normal($"{cloud.Label} cluster ready, composing backend"));
        }

        conditions.Insert(0, noPool is not null
            ? Condition.False(ClusterReady, ReasonInvalidNodePool, noPool)
            : clusterReady
            ? Condition.True(ClusterReady, ReasonClusterRunning)
            : Condition.False(ClusterReady, ReasonProvisioning,
                $"waiting for {cloud.Kind} {SystemNamespace}/{name} to become Ready; if this persists, check its conditions and the managed resources it composes"));
        conditions.Insert(1, Backend(clusterReady, backendReady));

        var cache = clusterReady || observedCluster is not null
            ? observedCluster?.Resource.StringAt("status.cache.storageClassName", $"observed[{cloud.Key}]")
            : null;
        var overcommit = Overcommit(req, name, plan.Published, conditions, results);
        return new Composition
        {
            Requirements = requirements,
            Resources = resources,
            Status = Status(req, name, providerConfig, plan.Published, cache, backend, overcommit),
            CompositeReady = clusterReady && backendReady ? Readiness.Unspecified : Readiness.NotReady,
            Conditions = conditions,
            Results = results,
        };
    }

    private static Condition Backend(bool clusterReady, bool backendReady) => (clusterReady, backendReady) switch
    {
        (false, _) => Condition.False(BackendReady, ReasonWaitingForCluster),
        (true, true) => Condition.True(BackendReady, ReasonBackendHealthy),
        _ => Condition.False(BackendReady, ReasonInstalling),
    };

    private static Dictionary<string, Requirement> Requirements(string name, IEnumerable<string> classNames)
    {
        var requirements = new Dictionary<string, Requirement>(StringComparer.Ordinal)
        {
            [ReplicasKey] = Requirement.Labelled(ApiVersion, "ModelReplica", new Dictionary<string, string> { ["modelplane.ai/cluster"] = name }),
        };
        foreach (var className in classNames)
        {
            requirements[ClassKey(className)] = Requirement.Named(ApiVersion, "InferenceClass", className);
        }
        return requirements;
    }

    // Nothing new can be composed: keep the deletion guard and whatever already runs (an edit must
    // not cut running replicas off their cluster, nor delete a provisioned one), say why, publish no
    // status, and never report Ready.
    private static Composition Stop(FunctionRequest req, Dictionary<string, Requirement> requirements, Dictionary<string, DesiredResource> resources, string reason, string message, CloudSource? cloud = null)
    {
        var keys = new List<string> { ProviderConfigKey, ServingStackKey };
        foreach (var source in Enum.GetValues<ClusterSource>())
        {
            if (CloudSource.For(source) is { } known)
            {
                keys.Add(known.Key);
                keys.Add(known.UsageKey);
            }
        }
        if (cloud is not null)
        {
            keys.Add(cloud.Key);
            keys.Add(cloud.UsageKey);
        }
        foreach (var key in keys.Distinct(StringComparer.Ordinal))
        {
            if (Kept.Observed(req, key) is { } kept)
            {
                resources[key] = key == ProviderConfigKey ? kept with { Ready = Readiness.Ready } : kept;
            }
        }
        return new Composition
        {
            Requirements = requirements,
            Resources = resources,
            CompositeReady = Readiness.NotReady,
            Conditions = [Condition.False(ClusterReady, reason, message), Condition.False(BackendReady, ReasonWaitingForCluster)],
            Results = [Result.Warning(message)],
        };
    }

    // While replicas are pinned here the cluster must not go; replayDeletion finishes a blocked delete
    // once they are gone. Built as JSON: the shared Usage record has no field for spec.reason.
    private static DesiredResource ReplicaGuard(string name) => DesiredResource.Of(
        new JsonObject
        {
            ["apiVersion"] = Usage.ApiVersionV1Beta1,
            ["kind"] = Usage.ClusterUsageKind,
            ["spec"] = new JsonObject
            {
                ["of"] = new JsonObject
                {
                    ["apiVersion"] = ApiVersion,
                    ["kind"] = "InferenceCluster",
                    ["resourceRef"] = new JsonObject { ["name"] = name },
                },
                ["reason"] = "ModelReplicas are scheduled to this InferenceCluster",
                ["replayDeletion"] = true,
            },
        },
        ready: true);

    // The cloud cluster cannot go before the serving stack on it is uninstalled.
    private static JsonObject BackendUsage(CloudSource cloud) => new()
    {
        ["apiVersion"] = Usage.ApiVersionV1Beta1,
        ["kind"] = Usage.UsageKind,
        ["metadata"] = new JsonObject { ["namespace"] = SystemNamespace },
        ["spec"] = new JsonObject
        {
            ["of"] = new JsonObject
            {
                ["apiVersion"] = InfrastructureApiVersion,
                ["kind"] = cloud.Kind,
                ["resourceSelector"] = new JsonObject { ["matchControllerRef"] = true },
            },
            ["by"] = new JsonObject
            {
                ["apiVersion"] = InfrastructureApiVersion,
                ["kind"] = "ServingStack",
                ["resourceSelector"] = new JsonObject { ["matchControllerRef"] = true },
            },
            ["replayDeletion"] = true,
        },
    };

    /// <summary>A Secret a cluster publishes, or the ServingStack installs from; <paramref name="Namespace"/> only when not modelplane-system.</summary>
    private sealed record Secret(string Type, string Name, string Key, string? Namespace);

    private static Secret[] ClusterSecrets(ObservedResource cluster) => Secrets(cluster.Resource.ArrayAt("status.secrets", "observed cluster"));

    private static Secret[] StackSecrets(ObservedResource stack) => Secrets(stack.Resource.ArrayAt("spec.secrets", $"observed[{ServingStackKey}]"));

    private static Secret[] Secrets(JsonArray? secrets) =>
        (secrets ?? []).OfType<JsonObject>()
            .Select(s => (Type: s.StringAt("type"), Name: s.StringAt("name"), Key: s.StringAt("key"), Namespace: s.StringAt("namespace")))
            .Where(s => s.Type is { Length: > 0 } && s.Name is { Length: > 0 } && s.Key is { Length: > 0 })
            .Select(s => new Secret(s.Type!, s.Name!, s.Key!, s.Namespace is { Length: > 0 } ns ? ns : null))
            .ToArray();

    private static ClusterProviderConfig ProviderConfig(string name, string kubeconfigSecret, string kubeconfigKey, Secret? identity) => new()
    {
        Metadata = new ObjectMeta { Name = name },
        Spec = new ProviderConfigSpec
        {
            Credentials = new ProviderCredentials
            {
                Source = ProviderCredentials.SourceSecret,
                SecretRef = new SecretKeySelector { Namespace = SystemNamespace, Name = kubeconfigSecret, Key = kubeconfigKey },
            },
            Identity = identity is null
                ? null
                : new ProviderIdentity
                {
                    Type = identity.Type,
                    Source = ProviderCredentials.SourceSecret,
                    SecretRef = new SecretKeySelector { Namespace = identity.Namespace ?? SystemNamespace, Name = identity.Name, Key = identity.Key },
                },
        },
    };

    // The ServingStack XR installs the serving stack on the remote cluster from these Secrets.
    private static JsonObject ServingStack(string name, IEnumerable<Secret> secrets, string? nvidiaDriverRoot)
    {
        var spec = new JsonObject
        {
            ["secrets"] = new JsonArray([.. secrets.Select(s =>
            {
                var secret = new JsonObject { ["type"] = s.Type, ["name"] = s.Name, ["key"] = s.Key };
                if (s.Namespace is { } ns)
                {
                    secret["namespace"] = ns;
                }
                return (JsonNode)secret;
            })]),
        };
        if (nvidiaDriverRoot is not null)
        {
            spec["nvidiaDriverRoot"] = nvidiaDriverRoot;
        }
        return new JsonObject
        {
            ["apiVersion"] = InfrastructureApiVersion,
            ["kind"] = "ServingStack",
            ["metadata"] = new JsonObject { ["name"] = ChildName.Of(name, "serving-stack"), ["namespace"] = SystemNamespace },
            ["spec"] = spec,
        };
    }

    // Existing pools as the scheduler sees them: an autoscaling pool can grow to its maximum; a fixed pool is its node count.
    private static GpuPool[] Published(IReadOnlyList<NodePool> pools, int? defaultMax) =>
        pools.Select(p => new GpuPool
        {
            Name = p.Name,
            ClassName = p.ClassName,
            Nodes = p.MaxNodeCount is > 0 ? p.MaxNodeCount : defaultMax ?? p.NodeCount ?? NodePool.DefaultNodeCount,
        }).ToArray();

    // A pool counted past its size is reported on the cluster (and its later placements published) once the
    // replicas are fetched; until then nothing is known, and nothing is said.
    private static List<PoolOvercommit.Finding>? Overcommit(FunctionRequest req, string name, IReadOnlyList<GpuPool> pools, List<Condition> conditions, List<Result> results)
    {
        if (!req.Required.IsResolved(ReplicasKey))
        {
            return null;
        }
        var sized = pools.Select(p => new NodePool { Name = p.Name, ClassName = p.ClassName, NodeCount = p.Nodes }).ToArray();
        var overcommit = PoolOvercommit.Check(req, name, sized, req.Required.Get(ReplicasKey));
        conditions.Add(PoolOvercommit.Condition(overcommit));
        if (overcommit.Count > 0)
        {
            results.Add(Result.Warning(PoolOvercommit.Message(overcommit)));
        }
        return overcommit;
    }

    private static JsonObject Status(
        FunctionRequest req, string name, string providerConfig, IReadOnlyList<GpuPool> pools, string? storageClass, ObservedResource? backend,
        IReadOnlyList<PoolOvercommit.Finding>? overcommit)
    {
        // Until the replicas are fetched the allocation is unknown, and an unknown pool takes no new replicas.
        var allocation = req.Required.IsResolved(ReplicasKey)
            ? Allocation.Of(name, pools.Select(p => new NodePool { Name = p.Name }).ToArray(), req.Required.Get(ReplicasKey))
            : null;
        var gateway = backend?.Resource.StringAt("status.gateway.address", $"observed[{ServingStackKey}]");
        var status = new InferenceClusterStatus
        {
            ProviderConfigRef = new ClusterProviderConfigRef { Name = providerConfig },
            Namespace = SystemNamespace,
            GpuPools = pools.Select(p => p with
            {
                Allocated = allocation?.GetValueOrDefault(p.Name ?? "") is { } allocated
                    && overcommit?.FirstOrDefault(f => f.Pool == p.Name) is { Later.Count: > 0 } over
                    ? allocated with { Overcommitted = over.Later }
                    : allocation?.GetValueOrDefault(p.Name ?? ""),
            }).ToArray(),
            Cache = storageClass is { Length: > 0 } ? new ClusterCache { StorageClassName = storageClass } : null,
            Gateway = gateway is { Length: > 0 } ? new ClusterGateway { Address = gateway } : null,
        };
        return Composition.StatusOf(status, InferenceClusterJsonContext.Default.InferenceClusterStatus);
    }

    /// <summary>The classes by name that the required resources returned; a class not (yet) there is absent.</summary>
    internal static Dictionary<string, InferenceClass> Classes(FunctionRequest req, IEnumerable<string> classNames)
    {
        var classes = new Dictionary<string, InferenceClass>(StringComparer.Ordinal);
        foreach (var className in classNames)
        {
            if (req.Required.Single(ClassKey(className)) is { } found)
            {
                classes[className] = FunctionRequest.Read(found, InferenceClassJsonContext.Default.InferenceClass, $"required[{ClassKey(className)}]");
            }
        }
        return classes;
    }
}
