// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Modelplane.Apis.InferenceClusters;
using Modelplane.Kubernetes.Core;

namespace Modelplane.Apis.ModelDeployments;

/// <summary>A ModelDeployment: a model served by <c>spec.replicas</c> ModelReplicas the fleet scheduler places.</summary>
/// <remarks>
/// Namespaced. Everything but the replica count lives in <see cref="ModelDeploymentSpec.Template"/>,
/// as in a Kubernetes Deployment. The user never names a cluster: engines say what each pod needs
/// from its node as DRA CEL selectors, and the scheduler finds InferenceCluster pools that have it.
/// </remarks>
public sealed record ModelDeployment
{
    public const string ApiVersionValue = "modelplane.ai/v1alpha1";
    public const string KindValue = "ModelDeployment";

    public string ApiVersion { get; init; } = ApiVersionValue;

    public string Kind { get; init; } = KindValue;

    public ModelDeploymentMetadata? Metadata { get; init; }

    public ModelDeploymentSpec? Spec { get; init; }

    public ModelDeploymentStatus? Status { get; init; }
}

public sealed record ModelDeploymentMetadata
{
    public string? Name { get; init; }

    public string? Namespace { get; init; }

    public IReadOnlyDictionary<string, string>? Labels { get; init; }

    public IReadOnlyDictionary<string, string>? Annotations { get; init; }
}

public sealed record ModelDeploymentSpec
{
    public const int MinReplicas = 1;
    public const int MaxReplicas = 10;

    [Range(1, 10)]
    public int? Replicas { get; init; }

    public DeploymentTemplate? Template { get; init; }
}

public sealed record DeploymentTemplate
{
    public TemplateMetadata? Metadata { get; init; }

    public DeploymentTemplateSpec? Spec { get; init; }
}

/// <summary>Labels copied onto every composed ModelReplica and ModelEndpoint.</summary>
public sealed record TemplateMetadata
{
    public IReadOnlyDictionary<string, string>? Labels { get; init; }
}

public sealed record DeploymentTemplateSpec
{
    public ClusterSelector? ClusterSelector { get; init; }

    public ModelCacheReference? ModelCacheRef { get; init; }

    public Serving? Serving { get; init; }

    public IReadOnlyList<TaintToleration>? Tolerations { get; init; }

    public IReadOnlyList<Engine>? Engines { get; init; }
}

public sealed record ClusterSelector
{
    public IReadOnlyDictionary<string, string>? MatchLabels { get; init; }
}

public sealed record ModelCacheReference
{
    public string? Name { get; init; }
}

public sealed record Serving
{
    public ServingMode? Mode { get; init; }
}

[JsonConverter(typeof(JsonStringEnumConverter<ServingMode>))]
public enum ServingMode
{
    Unified,
    PrefillDecode,
}

/// <summary>A Kubernetes-style toleration of InferenceCluster taints.</summary>
public sealed record TaintToleration
{
    public string? Key { get; init; }

    public TolerationOperator? Operator { get; init; }

    public string? Value { get; init; }

    public TaintEffect? Effect { get; init; }
}

[JsonConverter(typeof(JsonStringEnumConverter<TolerationOperator>))]
public enum TolerationOperator
{
    Exists,
    Equal,
}

/// <summary>One serving unit: a Standalone pod, or a Leader and Workers spanning nodes.</summary>
public sealed record Engine
{
    public const int DefaultCopies = 1;

    public string? Name { get; init; }

    /// <summary>Identical copies of the engine in each replica, on the same cluster; fixed, never autoscaled.</summary>
    [Range(1, 64)]
    public int? Copies { get; init; }

    public EnginePhase? Phase { get; init; }

    public IReadOnlyList<Member>? Members { get; init; }
}

[JsonConverter(typeof(JsonStringEnumConverter<EnginePhase>))]
public enum EnginePhase
{
    Prefill,
    Decode,
}

public sealed record Member
{
    public MemberRole? Role { get; init; }

    /// <summary>What each of this member's pods needs from its own node; absent for a member that claims nothing.</summary>
    public NodeSelector? NodeSelector { get; init; }

    public WorkerSpec? Worker { get; init; }

    public PodTemplate? Template { get; init; }
}

[JsonConverter(typeof(JsonStringEnumConverter<MemberRole>))]
public enum MemberRole
{
    Standalone,
    Leader,
    Worker,
}

public sealed record NodeSelector
{
    public IReadOnlyList<DeviceSelection>? Devices { get; init; }
}

/// <summary>Devices one pod needs from its node: <see cref="Count"/> of a device every selector accepts.</summary>
public sealed record DeviceSelection
{
    public const int DefaultCount = 1;

    public string? Name { get; init; }

    [Range(1, 64)]
    public int? Count { get; init; }

    public IReadOnlyList<CelSelector>? Selectors { get; init; }
}

/// <summary>A DRA CEL expression over one <c>device</c>.</summary>
public sealed record CelSelector
{
    public string? Cel { get; init; }
}

public sealed record WorkerSpec
{
    /// <summary>Worker pods in the gang, one per node.</summary>
    [Range(1, 63)]
    public int? Nodes { get; init; }
}

/// <summary>The curated subset of a PodTemplateSpec an engine member may set; copied to the replica as written.</summary>
public sealed record PodTemplate
{
    public PodTemplateMetadata? Metadata { get; init; }

    public EnginePodSpec? Spec { get; init; }
}

public sealed record PodTemplateMetadata
{
    public IReadOnlyDictionary<string, string>? Labels { get; init; }

    public IReadOnlyDictionary<string, string>? Annotations { get; init; }
}

public sealed record EnginePodSpec
{
    public IReadOnlyList<EngineContainer>? Containers { get; init; }

    public IReadOnlyList<LocalObjectReference>? ImagePullSecrets { get; init; }
}

public sealed record EngineContainer
{
    public string? Name { get; init; }

    public string? Image { get; init; }

    public IReadOnlyList<string>? Command { get; init; }

    public IReadOnlyList<string>? Args { get; init; }

    public IReadOnlyList<EnvVar>? Env { get; init; }
}

public sealed record ModelDeploymentStatus
{
    public ReplicaCounts? Replicas { get; init; }

    public SchedulingStatus? Scheduling { get; init; }
}

public sealed record ReplicaCounts
{
    /// <summary>Replicas scheduled (composed); the scale subresource's status path.</summary>
    public int? Total { get; init; }

    /// <summary>Scheduled replicas whose ModelReplica reports Ready.</summary>
    public int? Ready { get; init; }
}

/// <summary>Why the scheduler could not place every replica, per reason, in the spirit of kube-scheduler's FailedScheduling.</summary>
public sealed record SchedulingStatus
{
    /// <summary>Candidate clusters the scheduler checked.</summary>
    public int? Clusters { get; init; }

    /// <summary>Reasons clusters could not take another replica, most common first; absent when every replica is placed.</summary>
    public IReadOnlyList<UnschedulableReason>? Unschedulable { get; init; }
}

public sealed record UnschedulableReason
{
    public string? Reason { get; init; }

    public int? Clusters { get; init; }

    /// <summary>Up to three of those clusters, in name order.</summary>
    public IReadOnlyList<string>? Examples { get; init; }
}

/// <summary>Source-generated JSON for ModelDeployment.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ModelDeployment))]
[JsonSerializable(typeof(ModelDeploymentStatus))]
public sealed partial class ModelDeploymentJsonContext : JsonSerializerContext;
