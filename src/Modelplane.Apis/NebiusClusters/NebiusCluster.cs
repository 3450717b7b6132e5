// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Modelplane.Apis.CloudClusters;

namespace Modelplane.Apis.NebiusClusters;

/// <summary>A NebiusCluster: a Nebius managed Kubernetes cluster with a system node group, GPU node groups and a shared cache filesystem.</summary>
/// <remarks>Namespaced; an InferenceCluster with source Nebius composes one in <c>modelplane-system</c>. The project is the Nebius ProviderConfig's.</remarks>
public sealed record NebiusCluster
{
    public const string KindValue = "NebiusCluster";

    public string ApiVersion { get; init; } = CloudCluster.ApiVersionValue;

    public string Kind { get; init; } = KindValue;

    public NebiusClusterMetadata? Metadata { get; init; }

    public NebiusClusterSpec? Spec { get; init; }

    public NebiusClusterStatus? Status { get; init; }
}

public sealed record NebiusClusterMetadata
{
    public string? Name { get; init; }

    public string? Namespace { get; init; }
}

public sealed record NebiusClusterSpec
{
    public const string DefaultKubernetesVersion = "1.34";

    public string? KubernetesVersion { get; init; }

    public ClusterCredentials? Credentials { get; init; }

    public IReadOnlyList<NebiusNodePool>? NodePools { get; init; }
}

/// <summary>One node group: fixed at nodeCount, or autoscaled between minNodeCount (default nodeCount) and maxNodeCount when that is set.</summary>
public sealed record NebiusNodePool
{
    public const int DefaultDiskSizeGb = 100;
    public const int DefaultNodeCount = 1;

    public string? Name { get; init; }

    public PoolRole? Role { get; init; }

    public string? Platform { get; init; }

    public string? Preset { get; init; }

    [Range(10, 65536)]
    public int? DiskSizeGb { get; init; }

    [Range(0, 1000)]
    public int? NodeCount { get; init; }

    [Range(0, 1000)]
    public int? MinNodeCount { get; init; }

    [Range(1, 1000)]
    public int? MaxNodeCount { get; init; }

    public NebiusGpu? Gpu { get; init; }

    public NebiusFabric? Fabric { get; init; }
}

public sealed record NebiusGpu
{
    public const string DefaultDriversPreset = "cuda13.0";

    public string? AcceleratorType { get; init; }

    public string? DriversPreset { get; init; }
}

public sealed record NebiusFabric
{
    public NebiusFabricType? Type { get; init; }

    public NebiusInfiniband? Infiniband { get; init; }
}

[JsonConverter(typeof(JsonStringEnumConverter<NebiusFabricType>))]
public enum NebiusFabricType
{
    None,
    InfiniBand,
}

public sealed record NebiusInfiniband
{
    public string? Fabric { get; init; }
}

public sealed record NebiusClusterStatus
{
    public const string NebiusServiceAccountCredentials = "NebiusServiceAccountCredentials";

    public IReadOnlyList<NebiusSecret>? Secrets { get; init; }

    public CacheStatus? Cache { get; init; }
}

/// <summary>A Secret consumers reach the cluster through; the service account credentials may live in another namespace.</summary>
public sealed record NebiusSecret
{
    public string? Type { get; init; }

    public string? Name { get; init; }

    public string? Key { get; init; }

    public string? Namespace { get; init; }
}

/// <summary>Source-generated JSON for NebiusCluster.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(NebiusCluster))]
[JsonSerializable(typeof(NebiusClusterStatus))]
[JsonSerializable(typeof(NebiusClusterSpec))]
[JsonSerializable(typeof(NebiusNodePool))]
public sealed partial class NebiusClusterJsonContext : JsonSerializerContext;
