// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Modelplane.Kubernetes.Meta;

namespace Modelplane.Kubernetes.Helm;

/// <summary>API version of provider-helm's namespaced (Crossplane v2) kinds.</summary>
public static class HelmApi
{
    public const string V1Beta1 = "helm.m.crossplane.io/v1beta1";
}

/// <summary>A provider-helm Release: one chart installed into one namespace.</summary>
public sealed record Release
{
    public string ApiVersion { get; init; } = HelmApi.V1Beta1;

    public string Kind { get; init; } = "Release";

    public ObjectMeta? Metadata { get; init; }

    public ReleaseSpec? Spec { get; init; }
}

public sealed record ReleaseSpec
{
    public HelmProviderConfigReference? ProviderConfigRef { get; init; }

    public ReleaseParameters? ForProvider { get; init; }
}

public sealed record HelmProviderConfigReference
{
    public string? Kind { get; init; }

    public string? Name { get; init; }
}

public sealed record ReleaseParameters
{
    public ChartSpec? Chart { get; init; }

    /// <summary>The namespace the chart installs into.</summary>
    public string? Namespace { get; init; }

    /// <summary>Chart values, free-form as Helm's are.</summary>
    public JsonObject? Values { get; init; }
}

public sealed record ChartSpec
{
    public string? Name { get; init; }

    public string? Repository { get; init; }

    public string? Version { get; init; }
}

/// <summary>A provider-helm ProviderConfig; namespaced so a namespaced Usage can protect it.</summary>
public sealed record HelmProviderConfig
{
    public string ApiVersion { get; init; } = HelmApi.V1Beta1;

    public string Kind { get; init; } = "ProviderConfig";

    public ObjectMeta? Metadata { get; init; }

    public HelmProviderConfigSpec? Spec { get; init; }
}

public sealed record HelmProviderConfigSpec
{
    public HelmProviderCredentials? Credentials { get; init; }
}

public sealed record HelmProviderCredentials
{
    /// <summary><c>InjectedIdentity</c>: the provider pod's own service account.</summary>
    public string? Source { get; init; }
}

/// <summary>Source-generated JSON for provider-helm objects.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Release))]
[JsonSerializable(typeof(HelmProviderConfig))]
public sealed partial class HelmJsonContext : JsonSerializerContext;
