// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Serialization;

namespace Modelplane.Apis.CloudClusters;

/// <summary>What every per-cloud cluster XR (GKECluster, EKSCluster, AKSCluster, NebiusCluster, VultrCluster) shares.</summary>
/// <remarks>
/// They all live in <c>infrastructure.modelplane.ai/v1alpha1</c>, name the cloud ProviderConfig their
/// managed resources authenticate with the same way, publish the Secrets consumers reach the
/// cluster through the same way, and (all but Vultr) publish the RWX StorageClass they composed.
/// </remarks>
public static class CloudCluster
{
    public const string ApiVersionValue = "infrastructure.modelplane.ai/v1alpha1";
}

/// <summary>The cloud ProviderConfig (in the XR's namespace) or ClusterProviderConfig every managed resource uses.</summary>
public sealed record ClusterCredentials
{
    public const CredentialsKind DefaultType = CredentialsKind.ClusterProviderConfig;
    public const string DefaultName = "default";

    public CredentialsKind? Type { get; init; }

    public string? Name { get; init; }
}

[JsonConverter(typeof(JsonStringEnumConverter<CredentialsKind>))]
public enum CredentialsKind
{
    ProviderConfig,
    ClusterProviderConfig,
}

[JsonConverter(typeof(JsonStringEnumConverter<PoolRole>))]
public enum PoolRole
{
    System,
    GPU,
}

/// <summary>A Secret in the cluster XR's namespace through which consumers reach the cluster: what it holds, its name, its key.</summary>
public sealed record ClusterSecret
{
    public const string Kubeconfig = "Kubeconfig";

    public string? Type { get; init; }

    public string? Name { get; init; }

    public string? Key { get; init; }
}

/// <summary>The ReadWriteMany StorageClass a cluster XR composed for model caches.</summary>
public sealed record CacheStatus
{
    public string? StorageClassName { get; init; }
}
