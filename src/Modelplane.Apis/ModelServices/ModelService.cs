// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.ComponentModel.DataAnnotations;
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
    /// <summary>The class of the service's traffic, for entries without their own; <see cref="Criticality.Standard"/> when unset.</summary>
    public string? Criticality { get; init; }

    public IReadOnlyList<ModelServiceEndpoints>? Endpoints { get; init; }

    /// <summary>Opt-in overflow of Sheddable traffic an endpoint sheds (429) to the other endpoints; off when unset.</summary>
    public ModelServiceOverflow? Overflow { get; init; }
}

/// <summary>Where Sheddable traffic goes when the endpoint it was sent to answers 429, and how large a body may be buffered for the second try.</summary>
public sealed record ModelServiceOverflow
{
    public const long DefaultMaxRequestBodyBytes = 16_777_216;
    public const long MinMaxRequestBodyBytes = 65_536;
    public const long MaxMaxRequestBodyBytes = 104_857_600;

    /// <summary>Also overflow to the next priority tier with a ready endpoint; false when unset.</summary>
    public bool? Tiers { get; init; }

    /// <summary>The largest Sheddable request body buffered for the second try; larger requests are answered 413.</summary>
    [Range(65536, 104857600)]
    public long? MaxRequestBodyBytes { get; init; }
}

/// <summary>One <c>spec.endpoints[]</c> entry: a selector, its weight and its priority tier.</summary>
public sealed record ModelServiceEndpoints
{
    public const long DefaultWeight = 1;
    public const long DefaultPriority = 0;

    public EndpointSelector? Selector { get; init; }

    /// <summary>The entry's share relative to the other entries of its tier; 1 when unset.</summary>
    [Range(1, 1000000)]
    public long? Weight { get; init; }

    /// <summary>The entry's failover tier; lower is preferred, 0 when unset. Not criticality.</summary>
    [Range(0, 1000)]
    public long? Priority { get; init; }

    /// <summary>The class of this entry's traffic; the service's when unset.</summary>
    public string? Criticality { get; init; }

    /// <summary>A weighted split of this entry's traffic between model names its replicas serve.</summary>
    public ModelSplit? Models { get; init; }
}

/// <summary>Which requests an entry rewrites (by the model they ask for) and the model names they are split between.</summary>
public sealed record ModelSplit
{
    public const int MaxTargets = 16;
    public const int MaxName = 256;

    /// <summary>The model name to rewrite; every request when unset.</summary>
    public string? Match { get; init; }

    public IReadOnlyList<ModelTarget>? Targets { get; init; }
}

public sealed record ModelTarget
{
    public string? Name { get; init; }

    /// <summary>This model's share relative to the other targets; 1 when unset.</summary>
    [Range(1, 1000000)]
    public long? Weight { get; init; }
}

public sealed record EndpointSelector
{
    public IReadOnlyDictionary<string, string>? MatchLabels { get; init; }
}

public sealed record ModelServiceStatus
{
    /// <summary>The service's public URL, <c>http(s)://&lt;gateway&gt;/&lt;namespace&gt;/&lt;name&gt;</c>.</summary>
    public string? Address { get; init; }

    public ModelServiceCriticality? Criticality { get; init; }
}

/// <summary>What the service's traffic carries and which clusters cannot honour it.</summary>
public sealed record ModelServiceCriticality
{
    public IReadOnlyList<string>? Classes { get; init; }

    public IReadOnlyList<string>? Clusters { get; init; }

    public IReadOnlyList<string>? Unhonoured { get; init; }
}

/// <summary>Source-generated JSON for ModelService.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ModelService))]
public sealed partial class ModelServiceJsonContext : JsonSerializerContext;
