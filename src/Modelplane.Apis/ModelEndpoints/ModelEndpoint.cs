// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Serialization;

namespace Modelplane.Apis.ModelEndpoints;

/// <summary>A ModelEndpoint: one routable backend (a replica's cluster gateway or an external provider).</summary>
/// <remarks>
/// Composed by the ModelDeployment composer (one per ready replica) or written by hand for an
/// external provider; ModelServices select endpoints by label. The spec is upstream's, unchanged,
/// so both producers interoperate.
/// </remarks>
public sealed record ModelEndpoint
{
    public const string ApiVersionValue = "modelplane.ai/v1alpha1";
    public const string KindValue = "ModelEndpoint";

    public string ApiVersion { get; init; } = ApiVersionValue;

    public string Kind { get; init; } = KindValue;

    public ModelEndpointMetadata? Metadata { get; init; }

    public ModelEndpointSpec? Spec { get; init; }

    public ModelEndpointStatus? Status { get; init; }
}

/// <summary>The metadata of a ModelEndpoint that producers set and ModelServices read.</summary>
public sealed record ModelEndpointMetadata
{
    public string? Name { get; init; }

    public string? Namespace { get; init; }

    public IReadOnlyDictionary<string, string>? Labels { get; init; }
}

public sealed record ModelEndpointSpec
{
    /// <summary>Where the endpoint serves; only scheme, host and port are routed (see <c>Modelplane.Domain.EndpointUrl</c>).</summary>
    public string? Url { get; init; }

    /// <summary>The prefix a ModelService's <c>/&lt;namespace&gt;/&lt;service&gt;/</c> is rewritten to for this endpoint.</summary>
    public string? RewritePath { get; init; }
}

public sealed record ModelEndpointStatus
{
    public ModelEndpointRouting? Routing { get; init; }
}

public sealed record ModelEndpointRouting
{
    /// <summary>The name of the Service the gateway routes to; set once its EndpointSlice exists.</summary>
    public string? BackendName { get; init; }

    /// <summary>The Service port to route to (the URL's port, or 443/80 from its scheme).</summary>
    public int? Port { get; init; }

    /// <summary>The Host header to send: the URL's host for named (FQDN) endpoints, unset for IP addresses.</summary>
    public string? Hostname { get; init; }
}

/// <summary>Source-generated JSON for ModelEndpoint.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ModelEndpoint))]
public sealed partial class ModelEndpointJsonContext : JsonSerializerContext;
