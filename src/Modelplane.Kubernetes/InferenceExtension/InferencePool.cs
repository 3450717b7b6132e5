// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Serialization;
using Modelplane.Kubernetes.Meta;

namespace Modelplane.Kubernetes.InferenceExtension;

/// <summary>A Gateway API Inference Extension <c>inference.networking.k8s.io/v1</c> InferencePool.</summary>
/// <remarks>An HTTPRoute backendRef to the pool sends each request to the pod its endpoint picker chooses.</remarks>
public sealed record InferencePool
{
    public const string Group = "inference.networking.k8s.io";

    public string ApiVersion { get; init; } = Group + "/v1";

    public string Kind { get; init; } = "InferencePool";

    public ObjectMeta? Metadata { get; init; }

    public InferencePoolSpec? Spec { get; init; }
}

public sealed record InferencePoolSpec
{
    public LabelSelector? Selector { get; init; }

    public IReadOnlyList<PortNumber>? TargetPorts { get; init; }

    public EndpointPickerRef? EndpointPickerRef { get; init; }
}

public sealed record PortNumber
{
    public int Number { get; init; }
}

public sealed record EndpointPickerRef
{
    /// <summary>Route to any pod when the picker is down, rather than failing requests.</summary>
    public const string FailOpen = "FailOpen";

    public string? Name { get; init; }

    public PortNumber? Port { get; init; }

    public string? FailureMode { get; init; }
}

/// <summary>Source-generated JSON for Inference Extension objects.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(InferencePool))]
[JsonSerializable(typeof(InferenceObjective))]
[JsonSerializable(typeof(InferenceModelRewrite))]
public sealed partial class InferenceExtensionJsonContext : JsonSerializerContext;
