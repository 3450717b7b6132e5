// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Serialization;
using Modelplane.Kubernetes.Meta;

namespace Modelplane.Kubernetes.Resource;

/// <summary>A DRA <c>resource.k8s.io/v1</c> ResourceClaimTemplate: each pod that names it gets its own claim.</summary>
public sealed record ResourceClaimTemplate
{
    public string ApiVersion { get; init; } = "resource.k8s.io/v1";

    public string Kind { get; init; } = "ResourceClaimTemplate";

    public ObjectMeta? Metadata { get; init; }

    public ResourceClaimTemplateSpec? Spec { get; init; }
}

public sealed record ResourceClaimTemplateSpec
{
    public ResourceClaimSpec? Spec { get; init; }
}

public sealed record ResourceClaimSpec
{
    public DeviceClaim? Devices { get; init; }
}

public sealed record DeviceClaim
{
    public IReadOnlyList<DeviceRequest>? Requests { get; init; }
}

public sealed record DeviceRequest
{
    public string? Name { get; init; }

    public ExactDeviceRequest? Exactly { get; init; }
}

public sealed record ExactDeviceRequest
{
    public string? DeviceClassName { get; init; }

    public int? Count { get; init; }

    public IReadOnlyList<DeviceSelector>? Selectors { get; init; }
}

public sealed record DeviceSelector
{
    public CelDeviceSelector? Cel { get; init; }
}

public sealed record CelDeviceSelector
{
    public string? Expression { get; init; }
}

/// <summary>Source-generated JSON for DRA objects.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ResourceClaimTemplate))]
public sealed partial class ResourceJsonContext : JsonSerializerContext;
