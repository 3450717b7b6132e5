// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Modelplane.Apis.CloudClusters;

namespace Modelplane.Apis.VultrClusters;

/// <summary>A VultrCluster: a Vultr Kubernetes Engine cluster with a system pool and GPU node pools; no RWX cache storage.</summary>
/// <remarks>Namespaced; an InferenceCluster with source Vultr composes one in <c>modelplane-system</c>.</remarks>
public sealed record VultrCluster
{
    public const string KindValue = "VultrCluster";

    public string ApiVersion { get; init; } = CloudCluster.ApiVersionValue;

    public string Kind { get; init; } = KindValue;

    public VultrClusterMetadata? Metadata { get; init; }

    public VultrClusterSpec? Spec { get; init; }

    public VultrClusterStatus? Status { get; init; }
}

public sealed record VultrClusterMetadata
{
    public string? Name { get; init; }

    public string? Namespace { get; init; }
}

public sealed record VultrClusterSpec
{
    public const string DefaultKubernetesVersion = "v1.36.1+3";

    public string? Region { get; init; }

    public string? KubernetesVersion { get; init; }

    public ClusterCredentials? Credentials { get; init; }

    public IReadOnlyList<VultrNodePool>? NodePools { get; init; }
}

/// <summary>One node pool: fixed at nodeCount, or autoscaled between minNodeCount (default nodeCount) and maxNodeCount when that is set.</summary>
public sealed record VultrNodePool
{
    public const int DefaultNodeCount = 1;

    public string? Name { get; init; }

    public PoolRole? Role { get; init; }

    public string? Plan { get; init; }

    [Range(1, 1000)]
    public int? NodeCount { get; init; }

    [Range(1, 1000)]
    public int? MinNodeCount { get; init; }

    [Range(1, 1000)]
    public int? MaxNodeCount { get; init; }

    public VultrGpu? Gpu { get; init; }
}

public sealed record VultrGpu
{
    public string? AcceleratorType { get; init; }
}

public sealed record VultrClusterStatus
{
    public IReadOnlyList<ClusterSecret>? Secrets { get; init; }
}

/// <summary>Source-generated JSON for VultrCluster.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(VultrCluster))]
[JsonSerializable(typeof(VultrClusterStatus))]
[JsonSerializable(typeof(VultrClusterSpec))]
[JsonSerializable(typeof(VultrNodePool))]
public sealed partial class VultrClusterJsonContext : JsonSerializerContext;
