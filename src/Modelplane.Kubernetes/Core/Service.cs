// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using Modelplane.Kubernetes.Meta;

namespace Modelplane.Kubernetes.Core;

/// <summary>A <c>v1</c> Service: selectorless ones whose EndpointSlices a composer writes, or ones selecting pods.</summary>
public sealed record Service
{
    public string ApiVersion { get; init; } = "v1";

    public string Kind { get; init; } = "Service";

    public ObjectMeta? Metadata { get; init; }

    public ServiceSpec? Spec { get; init; }
}

public sealed record ServiceSpec
{
    /// <summary>Pods the Service fronts; null for a selectorless Service.</summary>
    public IReadOnlyDictionary<string, string>? Selector { get; init; }

    public IReadOnlyList<ServicePort>? Ports { get; init; }
}

public sealed record ServicePort
{
    public string? Name { get; init; }

    public int Port { get; init; }

    /// <summary>The pod port; null means the same as <see cref="Port"/>.</summary>
    public int? TargetPort { get; init; }

    public string? Protocol { get; init; }

    /// <summary>The application protocol (<c>https</c>, <c>kubernetes.io/h2c</c>, ...); gateways read it to pick the upstream scheme.</summary>
    public string? AppProtocol { get; init; }
}
