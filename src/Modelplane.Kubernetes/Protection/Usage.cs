// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Serialization;
using Modelplane.Kubernetes.Meta;

namespace Modelplane.Kubernetes.Protection;

/// <summary>A Crossplane <c>protection.crossplane.io/v1beta1</c> Usage (namespaced) or ClusterUsage.</summary>
/// <remarks>
/// A Usage blocks deleting <see cref="UsageSpec.Of"/> while <see cref="UsageSpec.By"/> exists, which is
/// how composers keep a teardown order: a controller outlives the objects it has finalizers on.
/// </remarks>
public sealed record Usage
{
    public const string ApiVersionV1Beta1 = "protection.crossplane.io/v1beta1";
    public const string UsageKind = "Usage";
    public const string ClusterUsageKind = "ClusterUsage";

    public string ApiVersion { get; init; } = ApiVersionV1Beta1;

    public string Kind { get; init; } = UsageKind;

    public ObjectMeta? Metadata { get; init; }

    public UsageSpec? Spec { get; init; }
}

public sealed record UsageSpec
{
    public UsageResource? Of { get; init; }

    public UsageResource? By { get; init; }

    /// <summary>Replays a blocked deletion once the user is gone, so teardown completes by itself.</summary>
    public bool? ReplayDeletion { get; init; }
}

public sealed record UsageResource
{
    public string? ApiVersion { get; init; }

    public string? Kind { get; init; }

    public ResourceRef? ResourceRef { get; init; }

    public ResourceSelector? ResourceSelector { get; init; }
}

public sealed record ResourceRef
{
    public string? Name { get; init; }

    public string? Namespace { get; init; }
}

public sealed record ResourceSelector
{
    public bool? MatchControllerRef { get; init; }

    public IReadOnlyDictionary<string, string>? MatchLabels { get; init; }
}

/// <summary>Source-generated JSON for Crossplane protection objects.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Usage))]
public sealed partial class ProtectionJsonContext : JsonSerializerContext;
