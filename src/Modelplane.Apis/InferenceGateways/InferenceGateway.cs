// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Serialization;

namespace Modelplane.Apis.InferenceGateways;

/// <summary>The cluster-scoped InferenceGateway: the control-plane gateway every ModelService routes through.</summary>
public sealed record InferenceGateway
{
    public const string ApiVersionValue = "modelplane.ai/v1alpha1";
    public const string KindValue = "InferenceGateway";

    /// <summary>ModelServices route through the InferenceGateway of this name only.</summary>
    public const string DefaultName = "default";

    public string ApiVersion { get; init; } = ApiVersionValue;

    public string Kind { get; init; } = KindValue;

    public InferenceGatewaySpec? Spec { get; init; }

    public InferenceGatewayStatus? Status { get; init; }
}

public sealed record InferenceGatewaySpec
{
    public const string TraefikBackend = "Traefik";

    /// <summary>The gateway implementation; only <c>Traefik</c>.</summary>
    public string? Backend { get; init; }

    public TraefikSpec? Traefik { get; init; }

    /// <summary>An HTTPS listener for one hostname; when set, the public address is <c>https://&lt;hostname&gt;</c>.</summary>
    public GatewayTls? Tls { get; init; }
}

public sealed record TraefikSpec
{
    public const string MetalLbLoadBalancer = "MetalLB";

    /// <summary>The Traefik Helm chart version.</summary>
    public string? Version { get; init; }

    /// <summary><c>MetalLB</c> on clusters without a native LoadBalancer controller; unset elsewhere.</summary>
    public string? LoadBalancer { get; init; }

    public MetalLbSpec? Metallb { get; init; }
}

public sealed record MetalLbSpec
{
    /// <summary>An address range such as <c>172.18.255.200-172.18.255.250</c> inside the cluster's network.</summary>
    public string? AddressPool { get; init; }
}

public sealed record GatewayTls
{
    /// <summary>The public DNS name the HTTPS listener serves.</summary>
    public string? Hostname { get; init; }

    /// <summary>A <c>kubernetes.io/tls</c> Secret in <c>modelplane-system</c> holding the hostname's certificate.</summary>
    public string? SecretName { get; init; }
}

public sealed record InferenceGatewayStatus
{
    /// <summary>The gateway's external address; <c>https://&lt;hostname&gt;</c> when TLS is configured.</summary>
    public string? Address { get; init; }
}

/// <summary>Source-generated JSON for InferenceGateway.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(InferenceGateway))]
public sealed partial class InferenceGatewayJsonContext : JsonSerializerContext;
