// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json;
using System.Text.Json.Nodes;
using Modelplane.Apis.InferenceClusters;
using Modelplane.Kubernetes.Crossplane;
using Modelplane.Kubernetes.Meta;
using Modelplane.Kubernetes.Protection;
using Modelplane.Sdk;

namespace Modelplane.Functions.InferenceClusters;

/// <summary>Connects an InferenceCluster to the fleet and publishes what the fleet scheduler reads.</summary>
/// <remarks>
/// <para>
/// For <c>source: Existing</c> the cluster already runs: we compose the ClusterProviderConfig that
/// reaches it through the kubeconfig Secret (and an optional cloud identity), and the ServingStack
/// XR that installs the serving stack there, whose gateway address we relay. Cloud sources
/// (GKE, EKS, AKS, Nebius, Vultr) come later; until then such a cluster says so in a condition and
/// composes nothing but the deletion guard.
/// </para>
/// <para>
/// The status is the scheduler's contract: the provider config's name, the namespace, the gateway
/// address, the RWX cache class and, per node pool, its class, its size (the maximum when it
/// autoscales) and what the ModelReplicas pinned to it have allocated (<see cref="Allocation"/>).
/// Pools name their InferenceClass instead of copying its devices: upstream copies a class's devices
/// into every pool of every cluster, which at fleet scale is most of every deployment's request.
/// </para>
/// <para>
/// While any ModelReplica is pinned here, a ClusterUsage blocks deleting the cluster (composed first,
/// before any early return). Missing classes are reported, but never stop us composing the
/// connection: dropping it from desired state would delete it from under running replicas.
/// </para>
/// </remarks>
public static class InferenceClusterComposer
{
    public static Composer Composer { get; } = new("inference-cluster", Compose, "InferenceCluster.modelplane.ai");

    // Conditions this function owns, upstream's names.
    public const string ClusterReady = "ClusterReady";
    public const string BackendReady = "BackendReady";
    public const string ReasonClusterRunning = "ClusterRunning";
    public const string ReasonWaitingForClasses = "WaitingForClasses";
    public const string ReasonSourceNotSupported = "SourceNotSupported";
    public const string ReasonInvalidSpec = "InvalidSpec";
    public const string ReasonBackendHealthy = "BackendHealthy";
    public const string ReasonInstalling = "Installing";
    public const string ReasonWaitingForCluster = "WaitingForCluster";

    // Desired-resource and requirement keys, upstream's literals.
    public const string ReplicasKey = "model-replicas";
    public const string ProviderConfigKey = "cluster-provider-config-kubernetes";
    public const string ServingStackKey = "serving-stack";
    public const string ReplicaGuardKey = "usage-replicas";

    /// <summary>Where everything a cluster composes lives, and where its Secrets must be.</summary>
    public const string SystemNamespace = "modelplane-system";

    private const string ApiVersion = "modelplane.ai/v1alpha1";
    private const string InfrastructureApiVersion = "infrastructure.modelplane.ai/v1alpha1";

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
            return Stop(req, requirements, resources, ReasonInvalidSpec, $"invalid InferenceCluster \"{name}\": spec.cluster.source is required; set it to Existing");
        }
        if (source != ClusterSource.Existing)
        {
            return Stop(req, requirements, resources, ReasonSourceNotSupported,
                $"cannot compose InferenceCluster \"{name}\": spec.cluster.source {source} is not supported yet; this release connects clusters with source Existing");
        }
        if (cluster.Existing?.SecretRef?.Name is not { Length: > 0 } secretName)
        {
            return Stop(req, requirements, resources, ReasonInvalidSpec,
                $"invalid InferenceCluster \"{name}\": spec.cluster.existing.secretRef.name is required when spec.cluster.source is Existing");
        }

        var existing = cluster.Existing;
        var providerConfig = ChildName.Of(name, "cluster-kubeconfig");
        resources[ProviderConfigKey] = DesiredResource.From(ProviderConfig(providerConfig, existing), CrossplaneJsonContext.Default.ClusterProviderConfig, ready: true);
        var backendReady = req.Observed.TryGetValue(ServingStackKey, out var backend) && backend.IsReady;
        resources[ServingStackKey] = DesiredResource.Of(ServingStack(ChildName.Of(name, "serving-stack"), existing, secretName), backendReady ? true : null);

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
        conditions.Add(backendReady
            ? Condition.True(BackendReady, ReasonBackendHealthy)
            : Condition.False(BackendReady, ReasonInstalling));
        var overcommit = req.Required.IsResolved(ReplicasKey) ? PoolOvercommit.Check(req, name, pools, req.Required.Get(ReplicasKey)) : null;
        if (overcommit is not null)
        {
            conditions.Add(PoolOvercommit.Condition(overcommit));
            results.AddRange(overcommit.Count > 0 ? [Result.Warning(PoolOvercommit.Message(overcommit))] : []);
        }

        return new Composition
        {
            Requirements = requirements,
            Resources = resources,
            Status = Status(req, name, providerConfig, pools, existing.Cache?.StorageClassName, backend, overcommit),
            Conditions = conditions,
            Results = results,
        };
    }

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

    // Nothing new can be composed: keep the deletion guard and whatever connection already runs (an
    // edit must not cut running replicas off their cluster), say why, and publish no status.
    private static Composition Stop(FunctionRequest req, Dictionary<string, Requirement> requirements, Dictionary<string, DesiredResource> resources, string reason, string message)
    {
        foreach (var key in new[] { ProviderConfigKey, ServingStackKey })
        {
            if (req.Observed.TryGetValue(key, out var observed))
            {
                resources[key] = DesiredResource.Of(Kept(observed.Resource), observed.IsReady || key == ProviderConfigKey ? true : null);
            }
        }
        return new Composition
        {
            Requirements = requirements,
            Resources = resources,
            Conditions = [Condition.False(ClusterReady, reason, message), Condition.False(BackendReady, ReasonWaitingForCluster)],
            Results = [Result.Warning(message)],
        };
    }

    // An observed object re-emitted with only what this composer wrote: identity and spec (without Crossplane's spec.crossplane).
    private static JsonObject Kept(JsonObject observed)
    {
        var metadata = new JsonObject { ["name"] = observed.StringAt("metadata.name") };
        if (observed.StringAt("metadata.namespace") is { } ns)
        {
            metadata["namespace"] = ns;
        }
        var kept = new JsonObject
        {
            ["apiVersion"] = observed.StringAt("apiVersion"),
            ["kind"] = observed.StringAt("kind"),
            ["metadata"] = metadata,
        };
        if (observed.ObjectAt("spec")?.DeepClone() is JsonObject spec)
        {
            spec.Remove("crossplane");
            kept["spec"] = spec;
        }
        return kept;
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

    private static ClusterProviderConfig ProviderConfig(string name, ExistingCluster existing) => new()
    {
        Metadata = new ObjectMeta { Name = name },
        Spec = new ProviderConfigSpec
        {
            Credentials = new ProviderCredentials
            {
                Source = ProviderCredentials.SourceSecret,
                SecretRef = new SecretKeySelector
                {
                    Namespace = SystemNamespace,
                    Name = existing.SecretRef!.Name,
                    Key = existing.SecretRef.Key ?? SecretKeyReference.DefaultKey,
                },
            },
            Identity = existing.IdentitySecretRef is { Name: { Length: > 0 } identityName } identity
                ? new ProviderIdentity
                {
                    Type = (identity.Type ?? IdentitySecretReference.DefaultType).ToString(),
                    Source = ProviderCredentials.SourceSecret,
                    SecretRef = new SecretKeySelector
                    {
                        Namespace = SystemNamespace,
                        Name = identityName,
                        Key = identity.Key ?? IdentitySecretReference.DefaultKey,
                    },
                }
                : null,
        },
    };

    // The ServingStack XR installs the serving stack on the remote cluster from these Secrets.
    private static JsonObject ServingStack(string name, ExistingCluster existing, string secretName)
    {
        var secrets = new List<JsonNode>
        {
            new JsonObject { ["type"] = "Kubeconfig", ["name"] = secretName, ["key"] = existing.SecretRef!.Key ?? SecretKeyReference.DefaultKey },
        };
        if (existing.IdentitySecretRef is { Name: { Length: > 0 } identityName } identity)
        {
            secrets.Add(new JsonObject
            {
                ["type"] = (identity.Type ?? IdentitySecretReference.DefaultType).ToString(),
                ["name"] = identityName,
                ["key"] = identity.Key ?? IdentitySecretReference.DefaultKey,
            });
        }
        return new JsonObject
        {
            ["apiVersion"] = InfrastructureApiVersion,
            ["kind"] = "ServingStack",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = SystemNamespace },
            ["spec"] = new JsonObject { ["secrets"] = new JsonArray([.. secrets]) },
        };
    }

    private static JsonObject Status(
        FunctionRequest req, string name, string providerConfig, IReadOnlyList<NodePool> pools, string? storageClass, ObservedResource? backend,
        IReadOnlyList<PoolOvercommit.Finding>? overcommit)
    {
        // Until the replicas are fetched the allocation is unknown, and an unknown pool takes no new replicas.
        var allocation = req.Required.IsResolved(ReplicasKey) ? Allocation.Of(name, pools, req.Required.Get(ReplicasKey)) : null;
        var gateway = backend?.Resource.StringAt("status.gateway.address", $"observed[{ServingStackKey}]");
        var status = new InferenceClusterStatus
        {
            ProviderConfigRef = new Modelplane.Apis.InferenceClusters.ProviderConfigReference { Name = providerConfig },
            Namespace = SystemNamespace,
            GpuPools = pools.Select(p => new GpuPool
            {
                Name = p.Name,
                ClassName = p.ClassName,
                // An autoscaling pool can grow to its maximum; a fixed pool is its node count.
                Nodes = p.MaxNodeCount is > 0 ? p.MaxNodeCount : p.NodeCount ?? NodePool.DefaultNodeCount,
                Allocated = allocation?.GetValueOrDefault(p.Name ?? "") is { } allocated
                    && overcommit?.FirstOrDefault(f => f.Pool == p.Name) is { Later.Count: > 0 } over
                    ? allocated with { Overcommitted = over.Later }
                    : allocation?.GetValueOrDefault(p.Name ?? ""),
            }).ToArray(),
            Cache = storageClass is { Length: > 0 } ? new ClusterCache { StorageClassName = storageClass } : null,
            Gateway = gateway is { Length: > 0 } ? new ClusterGateway { Address = gateway } : null,
        };
        return (JsonObject)JsonSerializer.SerializeToNode(status, InferenceClusterJsonContext.Default.InferenceClusterStatus)!;
    }
}
