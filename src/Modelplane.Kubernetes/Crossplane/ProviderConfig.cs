// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Serialization;
using Modelplane.Kubernetes.Meta;

namespace Modelplane.Kubernetes.Crossplane;

/// <summary>A namespaced (Crossplane v2) <c>ProviderConfig</c> of provider-kubernetes or provider-helm.</summary>
/// <remarks>
/// Both providers take the same credentials and identity shape, so one record serves both; the
/// apiVersion says whose it is (<see cref="KubernetesApiVersion"/> or provider-helm's). Unlike a
/// <see cref="ClusterProviderConfig"/>, a namespaced config can be protected by a namespaced Usage.
/// </remarks>
public sealed record ProviderConfig
{
    public const string KubernetesApiVersion = ClusterProviderConfig.ApiVersionValue;
    public const string KindValue = "ProviderConfig";

    public required string ApiVersion { get; init; }

    public string Kind { get; init; } = KindValue;

    public ObjectMeta? Metadata { get; init; }

    public ProviderConfigSpec? Spec { get; init; }
}

/// <summary>Source-generated JSON for namespaced provider configs.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ProviderConfig))]
public sealed partial class ProviderConfigJsonContext : JsonSerializerContext;
