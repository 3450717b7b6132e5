// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Modelplane.Apis.ModelDeployments;

namespace Modelplane.Apis.ModelReplicas;

/// <summary>A ModelReplica: one complete serving instance of a ModelDeployment, pinned to one InferenceCluster.</summary>
/// <remarks>
/// The ModelDeployment composer writes them: the engines as the deployment declares them, with each
/// member's node selector resolved by the scheduler to a pool (<see cref="ReplicaMember.NodePoolName"/>)
/// and DRA device requests. The labels <c>modelplane.ai/deployment</c>, <c>/cluster</c> and
/// <c>/replica-index</c> carry its identity.
/// </remarks>
public sealed record ModelReplica
{
    public const string ApiVersionValue = "modelplane.ai/v1alpha1";
    public const string KindValue = "ModelReplica";

    public string ApiVersion { get; init; } = ApiVersionValue;

    public string Kind { get; init; } = KindValue;

    public ModelReplicaMetadata? Metadata { get; init; }

    public ModelReplicaSpec? Spec { get; init; }
}

public sealed record ModelReplicaMetadata
{
    public string? Name { get; init; }

    public string? Namespace { get; init; }

    public IReadOnlyDictionary<string, string>? Labels { get; init; }

    /// <summary>Read from observed replicas (the published allocation names the generation it counted); never written.</summary>
    public long? Generation { get; init; }
}

public sealed record ModelReplicaSpec
{
    public string? ClusterName { get; init; }

    public ModelCacheReference? ModelCacheRef { get; init; }

    public Serving? Serving { get; init; }

    public IReadOnlyList<ReplicaEngine>? Engines { get; init; }
}

public sealed record ReplicaEngine
{
    public string? Name { get; init; }

    [Range(1, 64)]
    public int? Copies { get; init; }

    public EnginePhase? Phase { get; init; }

    public IReadOnlyList<ReplicaMember>? Members { get; init; }
}

public sealed record ReplicaMember
{
    public MemberRole? Role { get; init; }

    public string? NodePoolName { get; init; }

    /// <summary>Absent when the member claims nothing; never present and empty.</summary>
    public IReadOnlyList<ReplicaDeviceRequest>? DeviceRequests { get; init; }

    public WorkerSpec? Worker { get; init; }

    public PodTemplate? Template { get; init; }
}

/// <summary>A DRA device request a member's pods make, resolved against the pool's device class.</summary>
public sealed record ReplicaDeviceRequest
{
    public string? Name { get; init; }

    public string? DeviceClassName { get; init; }

    [Range(1, 64)]
    public int? Count { get; init; }

    public IReadOnlyList<CelSelector>? Selectors { get; init; }
}

/// <summary>Source-generated JSON for ModelReplica.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ModelReplica))]
public sealed partial class ModelReplicaJsonContext : JsonSerializerContext;
