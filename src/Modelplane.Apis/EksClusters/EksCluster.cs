// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Modelplane.Apis.CloudClusters;

namespace Modelplane.Apis.EksClusters;

/// <summary>An EKSCluster: an EKS cluster in its own VPC with a system node group, GPU node groups and an EFS cache class.</summary>
/// <remarks>Namespaced; an InferenceCluster with source EKS composes one in <c>modelplane-system</c>.</remarks>
public sealed record EksCluster
{
    public const string KindValue = "EKSCluster";

    public string ApiVersion { get; init; } = CloudCluster.ApiVersionValue;

    public string Kind { get; init; } = KindValue;

    public EksClusterMetadata? Metadata { get; init; }

    public EksClusterSpec? Spec { get; init; }

    public EksClusterStatus? Status { get; init; }
}

public sealed record EksClusterMetadata
{
    public string? Name { get; init; }

    public string? Namespace { get; init; }
}

public sealed record EksClusterSpec
{
    public const string DefaultKubernetesVersion = "1.36";

    public string? Region { get; init; }

    public string? KubernetesVersion { get; init; }

    public ClusterCredentials? Credentials { get; init; }

    public EksNetworking? Networking { get; init; }

    public IReadOnlyList<EksNodePool>? NodePools { get; init; }
}

/// <summary>The VPC's ranges: one public subnet per entry (its AZ by index: 0 is &lt;region&gt;a), each mirrored by a private one.</summary>
public sealed record EksNetworking
{
    public const string DefaultVpcCidr = "10.0.0.0/16";

    public static readonly IReadOnlyList<string> DefaultSubnetCidrs = ["10.0.0.0/20", "10.0.16.0/20", "10.0.32.0/20"];

    public string? VpcCidr { get; init; }

    public IReadOnlyList<string>? SubnetCidrs { get; init; }
}

/// <summary>One node group. Unset sizes are the XRD's defaults: start at 1, scale between 0 and 8.</summary>
public sealed record EksNodePool
{
    public const int DefaultDiskSizeGb = 100;
    public const int DefaultNodeCount = 1;
    public const int DefaultMinNodeCount = 0;
    public const int DefaultMaxNodeCount = 8;

    public string? Name { get; init; }

    public PoolRole? Role { get; init; }

    public string? InstanceType { get; init; }

    [Range(10, 65536)]
    public int? DiskSizeGb { get; init; }

    [Range(0, 1000)]
    public int? NodeCount { get; init; }

    [Range(0, 1000)]
    public int? MinNodeCount { get; init; }

    [Range(0, 1000)]
    public int? MaxNodeCount { get; init; }

    public EksGpu? Gpu { get; init; }

    public EksCapacityBlock? CapacityBlock { get; init; }

    public IReadOnlyList<string>? Zones { get; init; }

    public EksFabric? Fabric { get; init; }
}

public sealed record EksGpu
{
    public string? AcceleratorType { get; init; }
}

public sealed record EksCapacityBlock
{
    public string? CapacityReservationId { get; init; }
}

[JsonConverter(typeof(JsonStringEnumConverter<EksFabric>))]
public enum EksFabric
{
    None,
    EFA,
}

public sealed record EksClusterStatus
{
    public IReadOnlyList<ClusterSecret>? Secrets { get; init; }

    public CacheStatus? Cache { get; init; }
}

/// <summary>Source-generated JSON for EKSCluster.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(EksCluster))]
[JsonSerializable(typeof(EksClusterStatus))]
[JsonSerializable(typeof(EksClusterSpec))]
[JsonSerializable(typeof(EksNodePool))]
public sealed partial class EksClusterJsonContext : JsonSerializerContext;
