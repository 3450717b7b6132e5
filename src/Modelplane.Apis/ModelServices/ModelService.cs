// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Serialization;

namespace Modelplane.Apis.ModelServices;

/// <summary>A ModelService: one stable URL spreading traffic over the ModelEndpoints its entries select.</summary>
public sealed record ModelService
{
    public const string ApiVersionValue = "modelplane.ai/v1alpha1";
    public const string KindValue = "ModelService";

    public string ApiVersion { get; init; } = ApiVersionValue;

    public string Kind { get; init; } = KindValue;

    public ModelServiceSpec? Spec { get; init; }

    public ModelServiceStatus? Status { get; init; }
}

public sealed record ModelServiceSpec
{
    public IReadOnlyList<ModelServiceEndpoints>? Endpoints { get; init; }
}

/// <summary>One <c>spec.endpoints[]</c> entry: a selector, its weight and its priority tier.</summary>
public sealed record ModelServiceEndpoints
{
    public const long DefaultWeight = 1;
    public const long MinWeight = 1;
    public const long MaxWeight = 1_000_000;
    public const long DefaultPriority = 0;
    public const long MinPriority = 0;
    public const long MaxPriority = 1000;

    public EndpointSelector? Selector { get; init; }

    /// <summary>The entry's share relative to the other entries of its tier; 1 when unset.</summary>
    public long? Weight { get; init; }

    /// <summary>The entry's tier; lower is preferred, 0 when unset.</summary>
    public long? Priority { get; init; }
}

public sealed record EndpointSelector
{
    public IReadOnlyDictionary<string, string>? MatchLabels { get; init; }
}

public sealed record ModelServiceStatus
{
    /// <summary>The service's public URL, <c>http(s)://&lt;gateway&gt;/&lt;namespace&gt;/&lt;name&gt;</c>.</summary>
    public string? Address { get; init; }
}

/// <summary>Source-generated JSON for ModelService.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ModelService))]
public sealed partial class ModelServiceJsonContext : JsonSerializerContext;
