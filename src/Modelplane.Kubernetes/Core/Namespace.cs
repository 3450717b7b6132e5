// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using Modelplane.Kubernetes.Meta;

namespace Modelplane.Kubernetes.Core;

/// <summary>A <c>v1</c> Namespace.</summary>
public sealed record Namespace
{
    public string ApiVersion { get; init; } = "v1";

    public string Kind { get; init; } = "Namespace";

    public ObjectMeta? Metadata { get; init; }
}
