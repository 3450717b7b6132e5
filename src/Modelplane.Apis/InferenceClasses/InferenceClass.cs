// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace Modelplane.Apis.InferenceClasses;

/// <summary>An InferenceClass: one kind of GPU node, described by the devices each node offers.</summary>
/// <remarks>
/// Cluster-scoped and pure data. InferenceCluster pools name a class; the fleet scheduler matches a
/// deployment's DRA CEL selectors against the class's <see cref="InferenceClassSpec.Devices"/>, and
/// cloud sources read <see cref="InferenceClassSpec.Provisioning"/> to size the nodes.
/// </remarks>
public sealed record InferenceClass
{
    public const string ApiVersionValue = "modelplane.ai/v1alpha1";
    public const string KindValue = "InferenceClass";

    public string ApiVersion { get; init; } = ApiVersionValue;

    public string Kind { get; init; } = KindValue;

    public InferenceClassMetadata? Metadata { get; init; }

    public InferenceClassSpec? Spec { get; init; }

    public InferenceClassStatus? Status { get; init; }
}

public sealed record InferenceClassMetadata
{
    public string? Name { get; init; }

    public IReadOnlyDictionary<string, string>? Labels { get; init; }
}

public sealed record InferenceClassSpec
{
    public string? Description { get; init; }

    public Provisioning? Provisioning { get; init; }

    public IReadOnlyList<Device>? Devices { get; init; }
}

/// <summary>How a cloud source sizes nodes of this class; omitted for bring-your-own pools.</summary>
public sealed record Provisioning
{
    public CloudProvider? Provider { get; init; }

    public GkeProvisioning? Gke { get; init; }

    public EksProvisioning? Eks { get; init; }

    public AksProvisioning? Aks { get; init; }

    public NebiusProvisioning? Nebius { get; init; }

    public VultrProvisioning? Vultr { get; init; }
}

[JsonConverter(typeof(JsonStringEnumConverter<CloudProvider>))]
public enum CloudProvider
{
    GKE,
    EKS,
    AKS,
    Nebius,
    Vultr,
}

public sealed record GkeProvisioning
{
    public string? MachineType { get; init; }

    [Range(10, int.MaxValue)]
    public int? DiskSizeGb { get; init; }

    public Accelerator? Accelerator { get; init; }
}

public sealed record EksProvisioning
{
    public string? InstanceType { get; init; }

    [Range(10, int.MaxValue)]
    public int? DiskSizeGb { get; init; }

    public Accelerator? Accelerator { get; init; }
}

public sealed record AksProvisioning
{
    public string? VmSize { get; init; }

    [Range(10, int.MaxValue)]
    public int? DiskSizeGb { get; init; }

    public Accelerator? Accelerator { get; init; }
}

public sealed record NebiusProvisioning
{
    public string? Platform { get; init; }

    public string? Preset { get; init; }

    [Range(10, int.MaxValue)]
    public int? DiskSizeGb { get; init; }

    public string? DriversPreset { get; init; }

    public Accelerator? Accelerator { get; init; }
}

public sealed record VultrProvisioning
{
    public string? Plan { get; init; }

    public Accelerator? Accelerator { get; init; }
}

public sealed record Accelerator
{
    public string? Type { get; init; }

    [Range(1, 16)]
    public int? Count { get; init; }
}

/// <summary>One kind of device on every node of the class (DRA KEP-4381), with how many each node has.</summary>
/// <remarks>
/// Attribute and capacity names are bare (the domain is the driver) or qualified
/// (<c>resource.kubernetes.io/pcieRoot</c>); a selector reads them as
/// <c>device.attributes["&lt;domain&gt;"].&lt;name&gt;</c> and <c>device.capacity["&lt;domain&gt;"].&lt;name&gt;</c>.
/// </remarks>
public sealed record Device
{
    /// <summary>Devices a ResourceClaim requests; <see cref="DeviceClaimMode.Synthetic"/> ones only steer scheduling.</summary>
    public const DeviceClaimMode DefaultClaim = DeviceClaimMode.DRA;

    public const int DefaultCount = 1;

    public string? Name { get; init; }

    public DeviceClaimMode? Claim { get; init; }

    public string? Driver { get; init; }

    public string? DeviceClassName { get; init; }

    /// <summary>How many of this device each node has.</summary>
    [Range(1, 64)]
    public int? Count { get; init; }

    public IReadOnlyDictionary<string, DeviceAttribute>? Attributes { get; init; }

    public IReadOnlyDictionary<string, DeviceCapacity>? Capacity { get; init; }
}

[JsonConverter(typeof(JsonStringEnumConverter<DeviceClaimMode>))]
public enum DeviceClaimMode
{
    DRA,
    Synthetic,
}

/// <summary>A typed device attribute; exactly one of the four values is set.</summary>
public sealed record DeviceAttribute
{
    [JsonPropertyName("string")]
    public string? StringValue { get; init; }

    [JsonPropertyName("version")]
    public string? VersionValue { get; init; }

    [JsonPropertyName("bool")]
    public bool? BoolValue { get; init; }

    [JsonPropertyName("int")]
    public long? IntValue { get; init; }
}

/// <summary>A device capacity: a Kubernetes quantity such as <c>81559Mi</c>.</summary>
public sealed record DeviceCapacity
{
    public string? Value { get; init; }
}

/// <summary>The class's status; Crossplane adds its conditions.</summary>
public sealed record InferenceClassStatus;

/// <summary>Source-generated JSON for InferenceClass.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(InferenceClass))]
public sealed partial class InferenceClassJsonContext : JsonSerializerContext;
