// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

namespace Modelplane.Kubernetes.Meta;

/// <summary>A label selector; composers only ever match labels exactly.</summary>
public sealed record LabelSelector
{
    public IReadOnlyDictionary<string, string>? MatchLabels { get; init; }
}
