// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using Modelplane.Kubernetes.Meta;

namespace Modelplane.Kubernetes.InferenceExtension;

/// <summary>An llm-d-router <c>llm-d.ai/v1alpha2</c> InferenceObjective: the priority of the requests that name it.</summary>
/// <remarks>
/// A request names its objective in the picker's objective header; higher priority is dispatched
/// first under flow control, and a negative priority is shed (429) while the pool is saturated. The
/// picker keys objectives by name alone, among those whose <c>poolRef</c> is its pool.
/// </remarks>
public sealed record InferenceObjective
{
    public const string Group = "llm-d.ai";

    public string ApiVersion { get; init; } = Group + "/v1alpha2";

    public string Kind { get; init; } = "InferenceObjective";

    public ObjectMeta? Metadata { get; init; }

    public InferenceObjectiveSpec? Spec { get; init; }
}

public sealed record InferenceObjectiveSpec
{
    public int? Priority { get; init; }

    public PoolReference? PoolRef { get; init; }
}

/// <summary>An InferencePool in the referrer's namespace.</summary>
public sealed record PoolReference
{
    public string? Group { get; init; }

    public string? Kind { get; init; }

    public string? Name { get; init; }
}
