// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Modelplane.Kubernetes.Crossplane;

/// <summary>A provider-kubernetes <c>kubernetes.m.crossplane.io/v1alpha1</c> Object: a manifest applied to a remote cluster.</summary>
/// <remarks>
/// Composed without metadata: Crossplane names it and places it in the XR's namespace. The manifest is
/// any Kubernetes object, held as JSON so one envelope carries every kind.
/// </remarks>
public sealed record KubernetesObject
{
    public string ApiVersion { get; init; } = ClusterProviderConfig.ApiVersionValue;

    public string Kind { get; init; } = "Object";

    public KubernetesObjectSpec? Spec { get; init; }
}

public sealed record KubernetesObjectSpec
{
    public ProviderConfigReference? ProviderConfigRef { get; init; }

    public ObjectReadiness? Readiness { get; init; }

    public ObjectParameters? ForProvider { get; init; }
}

public sealed record ProviderConfigReference
{
    public string? Kind { get; init; }

    public string? Name { get; init; }
}

public sealed record ObjectReadiness
{
    /// <summary>Ready once the object is created.</summary>
    public const string SuccessfulCreate = "SuccessfulCreate";

    /// <summary>Ready when <see cref="CelQuery"/> over the remote object is true.</summary>
    public const string DeriveFromCelQuery = "DeriveFromCelQuery";

    public string? Policy { get; init; }

    public string? CelQuery { get; init; }
}

public sealed record ObjectParameters
{
    public JsonObject? Manifest { get; init; }
}

/// <summary>Source-generated JSON for provider-kubernetes Objects.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(KubernetesObject))]
public sealed partial class ProviderKubernetesJsonContext : JsonSerializerContext;
