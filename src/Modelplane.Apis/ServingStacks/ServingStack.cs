// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace Modelplane.Apis.ServingStacks;

/// <summary>A ServingStack: the serving substrate of one workload cluster, composed by its InferenceCluster.</summary>
/// <remarks>
/// Namespaced (<c>modelplane-system</c>, beside the kubeconfig Secret it names). The spec says how to
/// reach the cluster and which chart versions to install; the status carries the inference Gateway's
/// address, which the InferenceCluster relays to the scheduler.
/// </remarks>
public sealed record ServingStack
{
    public const string ApiVersionValue = "infrastructure.modelplane.ai/v1alpha1";
    public const string KindValue = "ServingStack";

    public string ApiVersion { get; init; } = ApiVersionValue;

    public string Kind { get; init; } = KindValue;

    public ServingStackSpec? Spec { get; init; }

    public ServingStackStatus? Status { get; init; }
}

public sealed record ServingStackSpec
{
    /// <summary>The driver root the XRD defaults to: the host's <c>/</c>.</summary>
    public const string DefaultNvidiaDriverRoot = "/";

    /// <summary>Secrets in the XR's namespace (unless one names its own): one Kubeconfig, optionally a cloud identity.</summary>
    public IReadOnlyList<StackSecret>? Secrets { get; init; }

    /// <summary>Where the NVIDIA driver lives on the nodes; GKE installs it at <c>/home/kubernetes/bin/nvidia</c>.</summary>
    public string? NvidiaDriverRoot { get; init; }

    public StackVersions? Versions { get; init; }

    public StackGateway? Gateway { get; init; }
}

public sealed record StackSecret
{
    public const string KubeconfigType = "Kubeconfig";

    /// <summary>Identity types provider-kubernetes and provider-helm accept, the XRD's enum after Kubeconfig.</summary>
    public static IReadOnlyList<string> IdentityTypes { get; } =
        ["GoogleApplicationCredentials", "AWSWebIdentityCredentials", "NebiusServiceAccountCredentials"];

    public string? Type { get; init; }

    public string? Name { get; init; }

    public string? Key { get; init; }

    /// <summary>The Secret's namespace; the XR's when unset.</summary>
    public string? Namespace { get; init; }
}

/// <summary>Chart versions; each defaults to the release this ServingStack was tested with.</summary>
public sealed record StackVersions
{
    public const string DefaultGatewayApi = "v1.5.1";
    public const string DefaultCertManager = "v1.17.1";
    public const string DefaultEnvoyGateway = "v1.8.1";
    public const string DefaultPrometheus = "72.6.2";
    public const string DefaultLeaderWorkerSet = "v0.8.0";
    public const string DefaultNodeFeatureDiscovery = "0.18.3";
    public const string DefaultNvidiaDraDriver = "0.4.0";

    /// <summary>Declared for upstream compatibility; the Envoy Gateway chart brings the Gateway API CRDs.</summary>
    public string? GatewayApi { get; init; }

    public string? CertManager { get; init; }

    public string? EnvoyGateway { get; init; }

    public string? Prometheus { get; init; }

    public string? LeaderWorkerSet { get; init; }

    public string? NodeFeatureDiscovery { get; init; }

    public string? NvidiaDraDriver { get; init; }
}

public sealed record StackGateway
{
    public const string DefaultClassName = "envoy";

    public string? ClassName { get; init; }

    public IReadOnlyList<StackListener>? Listeners { get; init; }
}

public sealed record StackListener
{
    public const string Http = "HTTP";
    public const string Tcp = "TCP";

    public string? Name { get; init; }

    [Range(1, 65535)]
    public long? Port { get; init; }

    public string? Protocol { get; init; }
}

public sealed record ServingStackStatus
{
    public StackGatewayStatus? Gateway { get; init; }
}

public sealed record StackGatewayStatus
{
    /// <summary>The inference Gateway's LoadBalancer address on the workload cluster.</summary>
    public string? Address { get; init; }
}

/// <summary>Source-generated JSON for ServingStack.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ServingStack))]
public sealed partial class ServingStackJsonContext : JsonSerializerContext;
