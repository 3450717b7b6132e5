// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Serialization;
using Modelplane.Kubernetes.Core;
using Modelplane.Kubernetes.Meta;

namespace Modelplane.Kubernetes.Apps;

/// <summary>An <c>apps/v1</c> Deployment.</summary>
public sealed record Deployment
{
    public string ApiVersion { get; init; } = "apps/v1";

    public string Kind { get; init; } = "Deployment";

    public ObjectMeta? Metadata { get; init; }

    public DeploymentSpec? Spec { get; init; }
}

public sealed record DeploymentSpec
{
    public int? Replicas { get; init; }

    public LabelSelector? Selector { get; init; }

    public PodTemplateSpec? Template { get; init; }
}

/// <summary>Source-generated JSON for <c>apps/v1</c> objects.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Deployment))]
public sealed partial class AppsJsonContext : JsonSerializerContext;
