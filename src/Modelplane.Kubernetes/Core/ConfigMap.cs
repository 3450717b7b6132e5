// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using Modelplane.Kubernetes.Meta;

namespace Modelplane.Kubernetes.Core;

/// <summary>A <c>v1</c> ConfigMap.</summary>
public sealed record ConfigMap
{
    public string ApiVersion { get; init; } = "v1";

    public string Kind { get; init; } = "ConfigMap";

    public ObjectMeta? Metadata { get; init; }

    public IReadOnlyDictionary<string, string>? Data { get; init; }
}

/// <summary>A <c>v1</c> ServiceAccount.</summary>
public sealed record ServiceAccount
{
    public string ApiVersion { get; init; } = "v1";

    public string Kind { get; init; } = "ServiceAccount";

    public ObjectMeta? Metadata { get; init; }
}
