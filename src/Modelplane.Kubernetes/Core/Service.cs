// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using Modelplane.Kubernetes.Meta;

namespace Modelplane.Kubernetes.Core;

/// <summary>A <c>v1</c> Service; composers emit selectorless ones whose EndpointSlices they write themselves.</summary>
public sealed record Service
{
    public string ApiVersion { get; init; } = "v1";

    public string Kind { get; init; } = "Service";

    public ObjectMeta? Metadata { get; init; }

    public ServiceSpec? Spec { get; init; }
}

public sealed record ServiceSpec
{
    public IReadOnlyList<ServicePort>? Ports { get; init; }
}

public sealed record ServicePort
{
    public string? Name { get; init; }

    public int Port { get; init; }

    public string? Protocol { get; init; }

    /// <summary>The application protocol (<c>https</c>, <c>kubernetes.io/h2c</c>, ...); gateways read it to pick the upstream scheme.</summary>
    public string? AppProtocol { get; init; }
}
