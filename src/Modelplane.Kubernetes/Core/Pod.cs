// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Serialization;
using Modelplane.Kubernetes.Meta;

namespace Modelplane.Kubernetes.Core;

/// <summary>A pod template: the fields the workload composers set on Deployments and LeaderWorkerSets.</summary>
public sealed record PodTemplateSpec
{
    /// <summary>Null when there is nothing to set, so a template without labels or annotations has no metadata key.</summary>
    public ObjectMeta? Metadata { get; init; }

    public PodSpec? Spec { get; init; }
}

public sealed record PodSpec
{
    public string? ServiceAccountName { get; init; }

    public IReadOnlyList<Container>? Containers { get; init; }

    public IReadOnlyList<Volume>? Volumes { get; init; }

    public IReadOnlyDictionary<string, string>? NodeSelector { get; init; }

    /// <summary>DRA claims the pod makes, each from a ResourceClaimTemplate.</summary>
    public IReadOnlyList<PodResourceClaim>? ResourceClaims { get; init; }

    public IReadOnlyList<Toleration>? Tolerations { get; init; }

    public IReadOnlyList<LocalObjectReference>? ImagePullSecrets { get; init; }

    /// <summary>Containers that run to completion before the others start (a model cache's wait for its weights).</summary>
    public IReadOnlyList<Container>? InitContainers { get; init; }

    /// <summary>Always (the default) for serving pods; a Job's pods need OnFailure or Never.</summary>
    public string? RestartPolicy { get; init; }
}

public sealed record Container
{
    public string? Name { get; init; }

    public string? Image { get; init; }

    public IReadOnlyList<string>? Command { get; init; }

    public IReadOnlyList<string>? Args { get; init; }

    public IReadOnlyList<EnvVar>? Env { get; init; }

    public IReadOnlyList<ContainerPort>? Ports { get; init; }

    public Probe? ReadinessProbe { get; init; }

    public ResourceRequirements? Resources { get; init; }

    public IReadOnlyList<VolumeMount>? VolumeMounts { get; init; }
}

public sealed record ContainerPort
{
    public string? Name { get; init; }

    /// <summary>The wire name is <c>containerPort</c>; a member cannot share its record's name in C#.</summary>
    [JsonPropertyName("containerPort")]
    public int Number { get; init; }
}

public sealed record EnvVar
{
    public string? Name { get; init; }

    public string? Value { get; init; }

    public EnvVarSource? ValueFrom { get; init; }
}

public sealed record EnvVarSource
{
    public KeySelector? SecretKeyRef { get; init; }

    public KeySelector? ConfigMapKeyRef { get; init; }

    public ObjectFieldSelector? FieldRef { get; init; }
}

/// <summary>A key of a Secret or ConfigMap.</summary>
public sealed record KeySelector
{
    public string? Name { get; init; }

    public string? Key { get; init; }

    public bool? Optional { get; init; }
}

public sealed record ObjectFieldSelector
{
    public string? FieldPath { get; init; }

    public string? ApiVersion { get; init; }
}

public sealed record Probe
{
    public HttpGetAction? HttpGet { get; init; }

    public int? InitialDelaySeconds { get; init; }

    public int? PeriodSeconds { get; init; }

    public int? TimeoutSeconds { get; init; }
}

public sealed record HttpGetAction
{
    public string? Path { get; init; }

    public int? Port { get; init; }
}

/// <summary>Container resources; composers set only DRA claims, never device-plugin limits.</summary>
public sealed record ResourceRequirements
{
    public IReadOnlyList<ContainerResourceClaim>? Claims { get; init; }
}

/// <summary>A container's use of one of its pod's resource claims; without a request it uses the whole claim.</summary>
public sealed record ContainerResourceClaim
{
    public string? Name { get; init; }
}

public sealed record PodResourceClaim
{
    public string? Name { get; init; }

    public string? ResourceClaimTemplateName { get; init; }
}

public sealed record Toleration
{
    public string? Key { get; init; }

    public string? Operator { get; init; }

    public string? Value { get; init; }

    public string? Effect { get; init; }
}

public sealed record LocalObjectReference
{
    public string? Name { get; init; }
}

public sealed record VolumeMount
{
    public string? Name { get; init; }

    public string? MountPath { get; init; }

    public bool? ReadOnly { get; init; }
}

public sealed record Volume
{
    public string? Name { get; init; }

    public EmptyDirVolumeSource? EmptyDir { get; init; }

    public PersistentVolumeClaimVolumeSource? PersistentVolumeClaim { get; init; }

    public ConfigMapVolumeSource? ConfigMap { get; init; }
}

public sealed record EmptyDirVolumeSource
{
    public const string MediumMemory = "Memory";

    public string? Medium { get; init; }
}

public sealed record PersistentVolumeClaimVolumeSource
{
    public string? ClaimName { get; init; }

    public bool? ReadOnly { get; init; }
}

public sealed record ConfigMapVolumeSource
{
    public string? Name { get; init; }
}
