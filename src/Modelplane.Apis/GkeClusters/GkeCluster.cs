// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Modelplane.Apis.CloudClusters;

namespace Modelplane.Apis.GkeClusters;

/// <summary>A GKECluster: a regional GKE cluster with a system pool, GPU pools and a Filestore cache class.</summary>
/// <remarks>Namespaced; an InferenceCluster with source GKE composes one in <c>modelplane-system</c>.</remarks>
public sealed record GkeCluster
{
    public const string KindValue = "GKECluster";

    public string ApiVersion { get; init; } = CloudCluster.ApiVersionValue;

    public string Kind { get; init; } = KindValue;

    public GkeClusterMetadata? Metadata { get; init; }

    public GkeClusterSpec? Spec { get; init; }

    public GkeClusterStatus? Status { get; init; }
}

public sealed record GkeClusterMetadata
{
    public string? Name { get; init; }

    public string? Namespace { get; init; }
}

public sealed record GkeClusterSpec
{
    public const string DefaultKubernetesVersion = "1.35";

    public string? Region { get; init; }

    public string? KubernetesVersion { get; init; }

    public ClusterCredentials? Credentials { get; init; }

    public GkeNetworking? Networking { get; init; }

    public IReadOnlyList<GkeNodePool>? NodePools { get; init; }
}

public sealed record GkeNetworking
{
    public const string DefaultPodCidr = "10.1.0.0/16";
    public const string DefaultServiceCidr = "10.2.0.0/16";
    public const string DefaultNodeCidr = "10.0.0.0/24";

    public string? PodCidr { get; init; }

    public string? ServiceCidr { get; init; }

    public string? NodeCidr { get; init; }
}

/// <summary>One node pool. Unset sizes are the XRD's defaults: start at 1, scale between 0 and 8.</summary>
/// <remarks>
/// The InferenceCluster leaves <see cref="MinNodeCount"/> and <see cref="MaxNodeCount"/> out when its
/// pool does, so the API server applies these defaults (upstream writes explicit nulls, which the API
/// server prunes before defaulting: the same object).
/// </remarks>
public sealed record GkeNodePool
{
    public const int DefaultDiskSizeGb = 100;
    public const int DefaultNodeCount = 1;
    public const int DefaultMinNodeCount = 0;
    public const int DefaultMaxNodeCount = 8;

    public string? Name { get; init; }

    public PoolRole? Role { get; init; }

    public string? MachineType { get; init; }

    [Range(10, 65536)]
    public int? DiskSizeGb { get; init; }

    [Range(0, 1000)]
    public int? NodeCount { get; init; }

    [Range(0, 1000)]
    public int? MinNodeCount { get; init; }

    [Range(0, 1000)]
    public int? MaxNodeCount { get; init; }

    public GkeGpu? Gpu { get; init; }

    public IReadOnlyList<string>? Zones { get; init; }
}

public sealed record GkeGpu
{
    public const int DefaultAcceleratorCount = 1;

    public string? AcceleratorType { get; init; }

    [Range(1, 16)]
    public int? AcceleratorCount { get; init; }
}

public sealed record GkeClusterStatus
{
    public const string GoogleApplicationCredentials = "GoogleApplicationCredentials";

    public IReadOnlyList<ClusterSecret>? Secrets { get; init; }

    public CacheStatus? Cache { get; init; }
}

/// <summary>Source-generated JSON for GKECluster.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(GkeCluster))]
[JsonSerializable(typeof(GkeClusterStatus))]
[JsonSerializable(typeof(GkeClusterSpec))]
[JsonSerializable(typeof(GkeNodePool))]
public sealed partial class GkeClusterJsonContext : JsonSerializerContext;
