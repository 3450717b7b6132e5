// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using Modelplane.Kubernetes.Meta;

namespace Modelplane.Kubernetes.GatewayApi;

/// <summary>A Gateway API <c>gateway.networking.k8s.io/v1</c> HTTPRoute: the fields composers set.</summary>
/// <remarks>
/// Limits the API server enforces (Gateway API v1.2 to v1.6): at most 16 rules, 16 backendRefs per
/// rule, 16 filters per backendRef, 128 matches per route, and backendRef weights 0 to 1,000,000.
/// </remarks>
public sealed record HttpRoute
{
    public const int MaxRules = 16;
    public const int MaxBackendRefsPerRule = 16;
    public const int MaxWeight = 1_000_000;

    public string ApiVersion { get; init; } = GatewayApiVersions.V1;

    public string Kind { get; init; } = "HTTPRoute";

    public ObjectMeta? Metadata { get; init; }

    public HttpRouteSpec? Spec { get; init; }
}

public sealed record HttpRouteSpec
{
    public IReadOnlyList<ParentReference>? ParentRefs { get; init; }

    public IReadOnlyList<string>? Hostnames { get; init; }

    public IReadOnlyList<HttpRouteRule>? Rules { get; init; }
}

public sealed record ParentReference
{
    public string? Name { get; init; }

    public string? Namespace { get; init; }

    public string? SectionName { get; init; }
}

public sealed record HttpRouteRule
{
    public IReadOnlyList<HttpRouteMatch>? Matches { get; init; }

    public IReadOnlyList<HttpRouteFilter>? Filters { get; init; }

    /// <summary>Null, not empty, when nothing is ready: the rule then has only its matches.</summary>
    public IReadOnlyList<HttpBackendRef>? BackendRefs { get; init; }

    public HttpRouteTimeouts? Timeouts { get; init; }
}

public sealed record HttpRouteTimeouts
{
    /// <summary>A Gateway API duration; <c>0s</c> disables the timeout, which streamed responses need.</summary>
    public string? Request { get; init; }
}

public sealed record HttpRouteMatch
{
    public HttpPathMatch? Path { get; init; }

    public IReadOnlyList<HttpHeaderMatch>? Headers { get; init; }
}

public sealed record HttpPathMatch
{
    public const string PathPrefix = "PathPrefix";

    public string? Type { get; init; }

    public string? Value { get; init; }
}

public sealed record HttpHeaderMatch
{
    public const string Exact = "Exact";

    public string? Type { get; init; }

    public string? Name { get; init; }

    public string? Value { get; init; }
}

public sealed record HttpBackendRef
{
    public string? Group { get; init; }

    public string? Kind { get; init; }

    public string? Name { get; init; }

    public string? Namespace { get; init; }

    public int? Port { get; init; }

    public int? Weight { get; init; }

    public IReadOnlyList<HttpRouteFilter>? Filters { get; init; }
}

public sealed record HttpRouteFilter
{
    public const string UrlRewriteType = "URLRewrite";
    public const string RequestHeaderModifierType = "RequestHeaderModifier";

    public string? Type { get; init; }

    public HttpHeaderFilter? RequestHeaderModifier { get; init; }

    /// <summary>Camel-cased to the wire name <c>urlRewrite</c>.</summary>
    public HttpUrlRewriteFilter? UrlRewrite { get; init; }
}

public sealed record HttpHeaderFilter
{
    public IReadOnlyList<HttpHeader>? Set { get; init; }

    public IReadOnlyList<HttpHeader>? Add { get; init; }

    public IReadOnlyList<string>? Remove { get; init; }
}

public sealed record HttpHeader
{
    public string? Name { get; init; }

    public string? Value { get; init; }
}

public sealed record HttpUrlRewriteFilter
{
    /// <summary>Replaces the Host header sent upstream.</summary>
    public string? Hostname { get; init; }

    public HttpPathModifier? Path { get; init; }
}

public sealed record HttpPathModifier
{
    public const string ReplacePrefixMatchType = "ReplacePrefixMatch";

    public string? Type { get; init; }

    public string? ReplacePrefixMatch { get; init; }

    public string? ReplaceFullPath { get; init; }
}
