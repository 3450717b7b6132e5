// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Serialization;
using Modelplane.Kubernetes.Core;
using Modelplane.Kubernetes.Meta;

namespace Modelplane.Kubernetes.Lws;

/// <summary>A <c>leaderworkerset.x-k8s.io/v1</c> LeaderWorkerSet: replicas of a gang of one leader and size-1 workers.</summary>
public sealed record LeaderWorkerSet
{
    public string ApiVersion { get; init; } = "leaderworkerset.x-k8s.io/v1";

    public string Kind { get; init; } = "LeaderWorkerSet";

    public ObjectMeta? Metadata { get; init; }

    public LeaderWorkerSetSpec? Spec { get; init; }
}

public sealed record LeaderWorkerSetSpec
{
    public int? Replicas { get; init; }

    public LeaderWorkerTemplate? LeaderWorkerTemplate { get; init; }
}

public sealed record LeaderWorkerTemplate
{
    /// <summary>Pods per gang, the leader included.</summary>
    public int? Size { get; init; }

    public PodTemplateSpec? LeaderTemplate { get; init; }

    public PodTemplateSpec? WorkerTemplate { get; init; }
}

/// <summary>Source-generated JSON for LeaderWorkerSets.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(LeaderWorkerSet))]
public sealed partial class LwsJsonContext : JsonSerializerContext;
