// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Serialization;
using Modelplane.Kubernetes.Meta;

namespace Modelplane.Kubernetes.Crossplane;

/// <summary>A provider-kubernetes <c>kubernetes.m.crossplane.io/v1alpha1</c> ClusterProviderConfig: how to reach a remote cluster.</summary>
/// <remarks>
/// Credentials come from a kubeconfig in a Secret; an optional identity (a cloud service account's
/// key) lets the kubeconfig's exec plugin authenticate. Objects composed for the remote cluster name
/// this config in their <c>providerConfigRef</c>.
/// </remarks>
public sealed record ClusterProviderConfig
{
    public const string ApiVersionValue = "kubernetes.m.crossplane.io/v1alpha1";
    public const string KindValue = "ClusterProviderConfig";

    public string ApiVersion { get; init; } = ApiVersionValue;

    public string Kind { get; init; } = KindValue;

    public ObjectMeta? Metadata { get; init; }

    public ProviderConfigSpec? Spec { get; init; }
}

public sealed record ProviderConfigSpec
{
    public ProviderCredentials? Credentials { get; init; }

    public ProviderIdentity? Identity { get; init; }
}

public sealed record ProviderCredentials
{
    public const string SourceSecret = "Secret";

    public string? Source { get; init; }

    public SecretKeySelector? SecretRef { get; init; }
}

public sealed record ProviderIdentity
{
    public string? Type { get; init; }

    public string? Source { get; init; }

    public SecretKeySelector? SecretRef { get; init; }
}

public sealed record SecretKeySelector
{
    public string? Namespace { get; init; }

    public string? Name { get; init; }

    public string? Key { get; init; }
}

/// <summary>Source-generated JSON for Crossplane provider configs.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ClusterProviderConfig))]
public sealed partial class CrossplaneJsonContext : JsonSerializerContext;
