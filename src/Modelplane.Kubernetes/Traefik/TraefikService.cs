// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Serialization;
using Modelplane.Kubernetes.Meta;

namespace Modelplane.Kubernetes.Traefik;

/// <summary>A Traefik <c>traefik.io/v1alpha1</c> TraefikService: a weighted split or a failover over Services and other TraefikServices.</summary>
/// <remarks>
/// An HTTPRoute may name one as a backendRef (group <c>traefik.io</c>, kind <c>TraefikService</c>,
/// no port) when Traefik's CRD provider is on; Traefik ignores the backendRef's own filters then, so
/// each child carries its rewrites as <see cref="Middleware"/>s. A failover (Traefik 3.7.0+) sends a
/// request to <c>fallback</c> when <c>service</c> answers one of <c>errors.status</c>, buffering the
/// body up to <c>errors.maxRequestBodyBytes</c> to send it twice.
/// </remarks>
public sealed record TraefikService
{
    public const string Group = "traefik.io";
    public const string ApiVersionValue = Group + "/v1alpha1";
    public const string KindValue = "TraefikService";

    public string ApiVersion { get; init; } = ApiVersionValue;

    public string Kind { get; init; } = KindValue;

    public ObjectMeta? Metadata { get; init; }

    public TraefikServiceSpec? Spec { get; init; }
}

/// <summary>Exactly one of the modes.</summary>
public sealed record TraefikServiceSpec
{
    public TraefikWeighted? Weighted { get; init; }

    public TraefikFailover? Failover { get; init; }
}

public sealed record TraefikWeighted
{
    public IReadOnlyList<TraefikServiceRef>? Services { get; init; }
}

public sealed record TraefikFailover
{
    public TraefikServiceRef? Service { get; init; }

    public TraefikServiceRef? Fallback { get; init; }

    public TraefikFailoverErrors? Errors { get; init; }
}

public sealed record TraefikFailoverErrors
{
    /// <summary>Status codes or ranges, such as <c>"429"</c> or <c>"500-504"</c>.</summary>
    public IReadOnlyList<string>? Status { get; init; }

    /// <summary>The largest body buffered for the second attempt; a larger request is answered 413.</summary>
    public long? MaxRequestBodyBytes { get; init; }
}

/// <summary>A child: a Kubernetes Service (with a port) or another TraefikService (kind set, no port), with its middlewares.</summary>
public sealed record TraefikServiceRef
{
    public const string ServiceKind = "Service";

    public string? Kind { get; init; }

    public string? Name { get; init; }

    public int? Port { get; init; }

    public int? Weight { get; init; }

    public IReadOnlyList<MiddlewareRef>? Middlewares { get; init; }
}

public sealed record MiddlewareRef
{
    public string? Name { get; init; }
}

/// <summary>A Traefik <c>traefik.io/v1alpha1</c> Middleware; we use two of its types, one per object.</summary>
public sealed record Middleware
{
    public const string KindValue = "Middleware";

    public string ApiVersion { get; init; } = TraefikService.ApiVersionValue;

    public string Kind { get; init; } = KindValue;

    public ObjectMeta? Metadata { get; init; }

    public MiddlewareSpec? Spec { get; init; }
}

public sealed record MiddlewareSpec
{
    public HeadersMiddleware? Headers { get; init; }

    public ReplacePathRegexMiddleware? ReplacePathRegex { get; init; }
}

/// <summary>Request headers to set; an empty value removes the header, and <c>Host</c> sets the outgoing Host.</summary>
public sealed record HeadersMiddleware
{
    public IReadOnlyDictionary<string, string>? CustomRequestHeaders { get; init; }
}

/// <summary>Replaces the path when <c>regex</c> matches; <c>$1</c> in the replacement is the first group.</summary>
public sealed record ReplacePathRegexMiddleware
{
    public string? Regex { get; init; }

    public string? Replacement { get; init; }
}

/// <summary>Source-generated JSON for Traefik's objects.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(TraefikService))]
[JsonSerializable(typeof(Middleware))]
public sealed partial class TraefikJsonContext : JsonSerializerContext;
