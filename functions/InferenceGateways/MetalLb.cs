// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Serialization;
using Modelplane.Kubernetes.Meta;

namespace Modelplane.Functions.InferenceGateways;

/// <summary>A MetalLB <c>metallb.io/v1beta1</c> IPAddressPool or L2Advertisement; only this function emits them.</summary>
internal sealed record MetalLbObject
{
    public const string ApiVersionValue = "metallb.io/v1beta1";

    public string ApiVersion { get; init; } = ApiVersionValue;

    public required string Kind { get; init; }

    public ObjectMeta? Metadata { get; init; }

    public MetalLbSpec? Spec { get; init; }
}

internal sealed record MetalLbSpec
{
    /// <summary>IPAddressPool: the address ranges MetalLB hands to LoadBalancer Services.</summary>
    public IReadOnlyList<string>? Addresses { get; init; }

    /// <summary>L2Advertisement: the pools announced over ARP/NDP.</summary>
    public IReadOnlyList<string>? IpAddressPools { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(MetalLbObject))]
internal sealed partial class MetalLbJsonContext : JsonSerializerContext;
