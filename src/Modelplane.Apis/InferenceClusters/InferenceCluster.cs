// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Modelplane.Apis.InferenceClasses;

namespace Modelplane.Apis.InferenceClusters;

/// <summary>An InferenceCluster: one workload cluster of the fleet, its GPU pools and what they have allocated.</summary>
/// <remarks>
/// Cluster-scoped. The spec says where the cluster comes from (an existing kubeconfig, or a cloud)
/// and which pools of which InferenceClass it has; the status is the contract the fleet scheduler
/// reads: readiness, the gateway address, and per pool its size, its class and what the ModelReplicas
/// pinned to it claim (<see cref="GpuPool.Allocated"/>).
/// </remarks>
public sealed record InferenceCluster
{
    public const string ApiVersionValue = "modelplane.ai/v1alpha1";
    public const string KindValue = "InferenceCluster";

    public string ApiVersion { get; init; } = ApiVersionValue;

    public string Kind { get; init; } = KindValue;

    public InferenceClusterMetadata? Metadata { get; init; }

    public InferenceClusterSpec? Spec { get; init; }

    public InferenceClusterStatus? Status { get; init; }
}

public sealed record InferenceClusterMetadata
{
    public string? Name { get; init; }

    public IReadOnlyDictionary<string, string>? Labels { get; init; }
}

public sealed record InferenceClusterSpec
{
    public ClusterSpec? Cluster { get; init; }

    public IReadOnlyList<Taint>? Taints { get; init; }

    public IReadOnlyList<NodePool>? NodePools { get; init; }
}

public sealed record ClusterSpec
{
    public ClusterSource? Source { get; init; }

    public ExistingCluster? Existing { get; init; }

    public GkeSource? Gke { get; init; }

    public EksSource? Eks { get; init; }

    public AksSource? Aks { get; init; }

    public NebiusSource? Nebius { get; init; }

    public VultrSource? Vultr { get; init; }
}

[JsonConverter(typeof(JsonStringEnumConverter<ClusterSource>))]
public enum ClusterSource
{
    GKE,
    EKS,
    AKS,
    Nebius,
    Vultr,
    Existing,
}

/// <summary>A cluster someone else runs, reached through a kubeconfig Secret in <c>modelplane-system</c>.</summary>
public sealed record ExistingCluster
{
    public SecretKeyReference? SecretRef { get; init; }

    public IdentitySecretReference? IdentitySecretRef { get; init; }

    public ClusterCache? Cache { get; init; }
}

public sealed record SecretKeyReference
{
    public const string DefaultKey = "kubeconfig";

    public string? Name { get; init; }

    public string? Key { get; init; }
}

public sealed record IdentitySecretReference
{
    public const string DefaultKey = "private_key";
    public const IdentityType DefaultType = IdentityType.GoogleApplicationCredentials;

    public string? Name { get; init; }

    public string? Key { get; init; }

    public IdentityType? Type { get; init; }
}

[JsonConverter(typeof(JsonStringEnumConverter<IdentityType>))]
public enum IdentityType
{
    GoogleApplicationCredentials,
    AWSWebIdentityCredentials,
    NebiusServiceAccountCredentials,
}

public sealed record ClusterCache
{
    public string? StorageClassName { get; init; }
}

public sealed record GkeSource
{
    public string? Region { get; init; }

    public string? KubernetesVersion { get; init; }

    public CloudCredentials? Credentials { get; init; }
}

public sealed record EksSource
{
    public string? Region { get; init; }

    public string? KubernetesVersion { get; init; }

    public CloudCredentials? Credentials { get; init; }
}

public sealed record AksSource
{
    public string? Location { get; init; }

    public string? KubernetesVersion { get; init; }

    public CloudCredentials? Credentials { get; init; }
}

public sealed record NebiusSource
{
    public string? KubernetesVersion { get; init; }

    public CloudCredentials? Credentials { get; init; }
}

public sealed record VultrSource
{
    public string? Region { get; init; }

    public string? KubernetesVersion { get; init; }

    public CloudCredentials? Credentials { get; init; }
}

public sealed record CloudCredentials
{
    public CredentialsType? Type { get; init; }

    public string? Name { get; init; }
}

[JsonConverter(typeof(JsonStringEnumConverter<CredentialsType>))]
public enum CredentialsType
{
    ProviderConfig,
    ClusterProviderConfig,
}

/// <summary>A taint on the whole cluster: NoSchedule keeps new replicas off, NoExecute also drains existing ones.</summary>
public sealed record Taint
{
    public string? Key { get; init; }

    public string? Value { get; init; }

    public TaintEffect? Effect { get; init; }
}

[JsonConverter(typeof(JsonStringEnumConverter<TaintEffect>))]
public enum TaintEffect
{
    NoSchedule,
    NoExecute,
}

public sealed record NodePool
{
    public const int DefaultNodeCount = 1;

    public string? Name { get; init; }

    public string? ClassName { get; init; }

    [Range(0, int.MaxValue)]
    public int? NodeCount { get; init; }

    [Range(0, int.MaxValue)]
    public int? MinNodeCount { get; init; }

    [Range(1, int.MaxValue)]
    public int? MaxNodeCount { get; init; }

    public IReadOnlyList<string>? Zones { get; init; }

    public CapacityBlock? CapacityBlock { get; init; }

    public Fabric? Fabric { get; init; }
}

public sealed record CapacityBlock
{
    public string? CapacityReservationId { get; init; }
}

public sealed record Fabric
{
    public FabricType? Type { get; init; }

    public InfinibandFabric? Infiniband { get; init; }
}

[JsonConverter(typeof(JsonStringEnumConverter<FabricType>))]
public enum FabricType
{
    None,
    EFA,
    InfiniBand,
}

public sealed record InfinibandFabric
{
    public string? Fabric { get; init; }
}

public sealed record InferenceClusterStatus
{
    public ClusterProviderConfigRef? ProviderConfigRef { get; init; }

    public ClusterGateway? Gateway { get; init; }

    public ClusterCache? Cache { get; init; }

    public IReadOnlyList<GpuPool>? GpuPools { get; init; }

    public string? Namespace { get; init; }

    /// <summary>Crossplane's conditions; read only (a composer's conditions go through the response).</summary>
    public IReadOnlyList<StatusCondition>? Conditions { get; init; }
}

public sealed record ClusterProviderConfigRef
{
    public string? Name { get; init; }
}

public sealed record ClusterGateway
{
    public string? Address { get; init; }
}

/// <summary>One GPU pool as the scheduler sees it.</summary>
/// <remarks>
/// Devices come from the pool's InferenceClass, named by <see cref="ClassName"/>: the scheduler reads
/// the class once for every pool that uses it instead of a copy per pool per cluster, which is what
/// keeps a fleet-sized request small. <see cref="Devices"/> is still honoured when set (upstream's
/// status carried a copy), and wins over the class.
/// </remarks>
public sealed record GpuPool
{
    public string? Name { get; init; }

    public string? ClassName { get; init; }

    /// <summary>Nodes the pool can have: its maximum when it autoscales, else its fixed size.</summary>
    public int? Nodes { get; init; }

    public IReadOnlyList<Device>? Devices { get; init; }

    /// <summary>What the ModelReplicas pinned to this pool claim, as this cluster last counted them; absent until counted.</summary>
    public PoolAllocation? Allocated { get; init; }
}

/// <summary>The claims of the ModelReplicas pinned to one pool, grouped so the size does not grow with their specs.</summary>
public sealed record PoolAllocation
{
    /// <summary>Every counted replica as <c>&lt;namespace&gt;/&lt;name&gt;@&lt;generation&gt;</c>, sorted.</summary>
    public IReadOnlyList<string>? Replicas { get; init; }

    /// <summary>Claiming pods grouped by what one pod claims from its node.</summary>
    public IReadOnlyList<PodGroup>? Pods { get; init; }

    /// <summary>When the counted pods exceed the pool, the later placements that overflow it (the ones that
    /// should yield), as in <see cref="Replicas"/>; absent while the pool fits or when the later ones cannot be told apart.</summary>
    public IReadOnlyList<string>? Overcommitted { get; init; }
}

/// <summary><see cref="Count"/> pods, each claiming <see cref="Devices"/> (device class name to count) from one node.</summary>
public sealed record PodGroup
{
    public IReadOnlyDictionary<string, int>? Devices { get; init; }

    public int? Count { get; init; }
}

/// <summary>A status condition as the API server stores it.</summary>
public sealed record StatusCondition
{
    public string? Type { get; init; }

    public string? Status { get; init; }

    public string? Reason { get; init; }

    public string? Message { get; init; }

    public string? LastTransitionTime { get; init; }

    public long? ObservedGeneration { get; init; }
}

/// <summary>Source-generated JSON for InferenceCluster.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(InferenceCluster))]
[JsonSerializable(typeof(InferenceClusterStatus))]
[JsonSerializable(typeof(IReadOnlyList<Taint>))]
public sealed partial class InferenceClusterJsonContext : JsonSerializerContext;
