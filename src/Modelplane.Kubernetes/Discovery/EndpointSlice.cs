// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Serialization;
using Modelplane.Kubernetes.Meta;

namespace Modelplane.Kubernetes.Discovery;

/// <summary>A <c>discovery.k8s.io/v1</c> EndpointSlice, hand-written for a selectorless Service.</summary>
public sealed record EndpointSlice
{
    /// <summary>The label that ties a slice to its Service; gateways index slices by it.</summary>
    public const string ServiceNameLabel = "kubernetes.io/service-name";

    public string ApiVersion { get; init; } = "discovery.k8s.io/v1";

    public string Kind { get; init; } = "EndpointSlice";

    public ObjectMeta? Metadata { get; init; }

    /// <summary><c>IPv4</c>, <c>IPv6</c> or <c>FQDN</c>; immutable once created.</summary>
    public string? AddressType { get; init; }

    public IReadOnlyList<Endpoint>? Endpoints { get; init; }

    public IReadOnlyList<EndpointPort>? Ports { get; init; }
}

public sealed record Endpoint
{
    public IReadOnlyList<string>? Addresses { get; init; }

    public EndpointConditions? Conditions { get; init; }
}

public sealed record EndpointConditions
{
    /// <summary>Set explicitly: Traefik skips endpoints whose <c>ready</c> is unset.</summary>
    public bool? Ready { get; init; }
}

public sealed record EndpointPort
{
    /// <summary>Must equal the Service port's name; an unnamed Service port needs <c>""</c> here, not an absent field.</summary>
    public string? Name { get; init; }

    public int? Port { get; init; }

    public string? Protocol { get; init; }
}

/// <summary>Source-generated JSON for discovery objects.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(EndpointSlice))]
public sealed partial class DiscoveryJsonContext : JsonSerializerContext;
