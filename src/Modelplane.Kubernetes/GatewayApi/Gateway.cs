// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using Modelplane.Kubernetes.Meta;

namespace Modelplane.Kubernetes.GatewayApi;

/// <summary>API versions of the Gateway API kinds composers emit.</summary>
public static class GatewayApiVersions
{
    public const string V1 = "gateway.networking.k8s.io/v1";
}

/// <summary>A Gateway API <c>v1</c> GatewayClass.</summary>
public sealed record GatewayClass
{
    public string ApiVersion { get; init; } = GatewayApiVersions.V1;

    public string Kind { get; init; } = "GatewayClass";

    public ObjectMeta? Metadata { get; init; }

    public GatewayClassSpec? Spec { get; init; }
}

public sealed record GatewayClassSpec
{
    public string? ControllerName { get; init; }
}

/// <summary>A Gateway API <c>v1</c> Gateway.</summary>
public sealed record Gateway
{
    public string ApiVersion { get; init; } = GatewayApiVersions.V1;

    public string Kind { get; init; } = "Gateway";

    public ObjectMeta? Metadata { get; init; }

    public GatewaySpec? Spec { get; init; }
}

public sealed record GatewaySpec
{
    public string? GatewayClassName { get; init; }

    public IReadOnlyList<Listener>? Listeners { get; init; }
}

public sealed record Listener
{
    public const string Http = "HTTP";
    public const string Https = "HTTPS";

    public string? Name { get; init; }

    public string? Hostname { get; init; }

    public int? Port { get; init; }

    public string? Protocol { get; init; }

    public GatewayTlsConfig? Tls { get; init; }

    public AllowedRoutes? AllowedRoutes { get; init; }
}

public sealed record GatewayTlsConfig
{
    public const string Terminate = "Terminate";

    public string? Mode { get; init; }

    public IReadOnlyList<SecretObjectReference>? CertificateRefs { get; init; }
}

public sealed record SecretObjectReference
{
    public string? Group { get; init; }

    public string? Kind { get; init; }

    public string? Name { get; init; }

    public string? Namespace { get; init; }
}

public sealed record AllowedRoutes
{
    public RouteNamespaces? Namespaces { get; init; }
}

public sealed record RouteNamespaces
{
    public const string All = "All";

    public string? From { get; init; }
}
