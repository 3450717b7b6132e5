// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Modelplane.Apis.CloudClusters;

namespace Modelplane.Apis.AksClusters;

/// <summary>An AKSCluster: an AKS cluster in its own resource group and VNet with a system pool, GPU pools and an Azure Files cache class.</summary>
/// <remarks>Namespaced; an InferenceCluster with source AKS composes one in <c>modelplane-system</c>.</remarks>
public sealed record AksCluster
{
    public const string KindValue = "AKSCluster";

    public string ApiVersion { get; init; } = CloudCluster.ApiVersionValue;

    public string Kind { get; init; } = KindValue;

    public AksClusterMetadata? Metadata { get; init; }

    public AksClusterSpec? Spec { get; init; }

    public AksClusterStatus? Status { get; init; }
}

public sealed record AksClusterMetadata
{
    public string? Name { get; init; }

    public string? Namespace { get; init; }
}

public sealed record AksClusterSpec
{
    public const string DefaultKubernetesVersion = "1.34";

    public string? Location { get; init; }

    public string? KubernetesVersion { get; init; }

    public ClusterCredentials? Credentials { get; init; }

    public AksNetworking? Networking { get; init; }

    public IReadOnlyList<AksNodePool>? NodePools { get; init; }
}

/// <summary>The VNet's ranges; they must avoid the pod (10.244.0.0/16) and service (10.96.0.0/16) ranges.</summary>
public sealed record AksNetworking
{
    public const string DefaultVnetCidr = "10.0.0.0/16";
    public const string DefaultSubnetCidr = "10.0.0.0/20";

    public string? VnetCidr { get; init; }

    public string? SubnetCidr { get; init; }
}

/// <summary>One user node pool. Unset sizes are the XRD's defaults: start at 1, scale between 0 and 8.</summary>
public sealed record AksNodePool
{
    public const int DefaultDiskSizeGb = 100;
    public const int DefaultNodeCount = 1;
    public const int DefaultMinNodeCount = 0;
    public const int DefaultMaxNodeCount = 8;

    public string? Name { get; init; }

    public PoolRole? Role { get; init; }

    public string? VmSize { get; init; }

    [Range(10, 65536)]
    public int? DiskSizeGb { get; init; }

    [Range(0, 1000)]
    public int? NodeCount { get; init; }

    [Range(0, 1000)]
    public int? MinNodeCount { get; init; }

    [Range(0, 1000)]
    public int? MaxNodeCount { get; init; }

    public IReadOnlyList<string>? Zones { get; init; }

    public AksGpu? Gpu { get; init; }

    public AksFabric? Fabric { get; init; }
}

public sealed record AksGpu
{
    public string? AcceleratorType { get; init; }
}

[JsonConverter(typeof(JsonStringEnumConverter<AksFabric>))]
public enum AksFabric
{
    None,
    InfiniBand,
}

public sealed record AksClusterStatus
{
    public IReadOnlyList<ClusterSecret>? Secrets { get; init; }

    public CacheStatus? Cache { get; init; }
}

/// <summary>Source-generated JSON for AKSCluster.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AksCluster))]
[JsonSerializable(typeof(AksClusterStatus))]
[JsonSerializable(typeof(AksClusterSpec))]
[JsonSerializable(typeof(AksNodePool))]
public sealed partial class AksClusterJsonContext : JsonSerializerContext;
