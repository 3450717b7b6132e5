// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Modelplane.Apis.ModelDeployments;
using Modelplane.Sdk;

namespace Modelplane.Apis.ModelCaches;

/// <summary>A ModelCache: model weights staged once per InferenceCluster on a ReadWriteMany volume.</summary>
/// <remarks>
/// Namespaced, like the ModelDeployments that use it: a pod can mount only a claim in its own
/// namespace, so the claim's name carries the cache's namespace and name (<see cref="ClaimName"/>),
/// and three functions agree on it: the cache composes the claim, the replica mounts it, and the
/// deployment places replicas only where it can exist.
/// </remarks>
public sealed record ModelCache
{
    public const string ApiVersionValue = "modelplane.ai/v1alpha1";
    public const string KindValue = "ModelCache";

    /// <summary>The label every ModelReplica that mounts a cache carries (value: the cache's name), which the cache selects its consumers by.</summary>
    public const string ConsumerLabel = "modelplane.ai/modelcache";

    /// <summary>Where engines find the weights; fixed, as upstream's design fixes it.</summary>
    public const string MountPath = "/mnt/models";

    /// <summary>The file the hydration Job writes after a complete download; a directory without it is partial.</summary>
    public const string HydratedMarker = ".modelplane-hydrated";

    /// <summary>The image the hydration Job runs, and that replicas wait for the marker with (already pulled where the cache staged).</summary>
    public const string ToolImage = "python:3.11-slim";

    public string ApiVersion { get; init; } = ApiVersionValue;

    public string Kind { get; init; } = KindValue;

    public ModelCacheMetadata? Metadata { get; init; }

    public ModelCacheSpec? Spec { get; init; }

    public ModelCacheStatus? Status { get; init; }

    /// <summary>The cache's PersistentVolumeClaim on every workload cluster: upstream's name, so copies survive a switch.</summary>
    public static string ClaimName(string ns, string name) => ChildName.Of("modelcache", ns, name);
}

public sealed record ModelCacheMetadata
{
    public string? Name { get; init; }

    public string? Namespace { get; init; }
}

public sealed record ModelCacheSpec
{
    public CacheSource? Source { get; init; }

    public HuggingFaceSource? HuggingFace { get; init; }

    public ClusterSelector? ClusterSelector { get; init; }

    public CacheStaging? Staging { get; init; }
}

[JsonConverter(typeof(JsonStringEnumConverter<CacheSource>))]
public enum CacheSource
{
    HuggingFace,
}

public sealed record HuggingFaceSource
{
    public string? Repo { get; init; }

    public string? Revision { get; init; }

    public AuthSecretReference? AuthSecret { get; init; }

    [Range(1, 100000)]
    public int? SizeGiB { get; init; }
}

public sealed record AuthSecretReference
{
    public const string DefaultKey = "HF_TOKEN";

    public string? Name { get; init; }

    public string? Key { get; init; }
}

public sealed record CacheStaging
{
    /// <summary>An hour: long enough that a replica rescheduled or scaled back up soon starts warm, short enough that idle copies do not linger for days.</summary>
    public const int DefaultReclaimAfterSeconds = 3600;

    public StagingPolicy? Policy { get; init; }

    [Range(0, 2592000)]
    public int? ReclaimAfterSeconds { get; init; }
}

[JsonConverter(typeof(JsonStringEnumConverter<StagingPolicy>))]
public enum StagingPolicy
{
    /// <summary>Stage where ModelReplicas that use the cache run or are about to.</summary>
    OnDemand,

    /// <summary>Stage to every matched cluster (upstream's behaviour).</summary>
    Eager,
}

public sealed record ModelCacheStatus
{
    public CacheSummary? Summary { get; init; }

    public IReadOnlyList<CacheClusterStatus>? Clusters { get; init; }
}

public sealed record CacheSummary
{
    public string? Ready { get; init; }
}

public sealed record CacheClusterStatus
{
    public string? Name { get; init; }

    public CachePhase? Phase { get; init; }

    public CopyReason? Reason { get; init; }

    public IReadOnlyList<string>? Replicas { get; init; }

    public string? Message { get; init; }
}

[JsonConverter(typeof(JsonStringEnumConverter<CachePhase>))]
public enum CachePhase
{
    Pending,
    Hydrating,
    Ready,
    Failed,
}

/// <summary>Why a cluster holds a copy.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CopyReason>))]
public enum CopyReason
{
    /// <summary>ModelReplicas on the cluster use it.</summary>
    Replicas,

    /// <summary>The staging policy copies to every matched cluster.</summary>
    Eager,

    /// <summary>Nothing uses it any more; it is reclaimed when the grace period ends.</summary>
    GracePeriod,
}

/// <summary>Source-generated JSON for ModelCache.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ModelCache))]
[JsonSerializable(typeof(ModelCacheStatus))]
public sealed partial class ModelCacheJsonContext : JsonSerializerContext;
