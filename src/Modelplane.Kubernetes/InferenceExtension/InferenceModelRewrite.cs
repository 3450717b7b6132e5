// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using Modelplane.Kubernetes.Meta;

namespace Modelplane.Kubernetes.InferenceExtension;

/// <summary>An llm-d-router <c>llm-d.ai/v1alpha2</c> InferenceModelRewrite: rewrites the model a request asks for, split by weight.</summary>
/// <remarks>
/// Rules whose <c>matches</c> name the request's model win over catch-all rules (no matches); between
/// objects the oldest wins, then the first rule.
/// </remarks>
public sealed record InferenceModelRewrite
{
    public string ApiVersion { get; init; } = InferenceObjective.Group + "/v1alpha2";

    public string Kind { get; init; } = "InferenceModelRewrite";

    public ObjectMeta? Metadata { get; init; }

    public InferenceModelRewriteSpec? Spec { get; init; }
}

public sealed record InferenceModelRewriteSpec
{
    public PoolReference? PoolRef { get; init; }

    public IReadOnlyList<InferenceModelRewriteRule>? Rules { get; init; }
}

public sealed record InferenceModelRewriteRule
{
    /// <summary>Absent for a catch-all rule.</summary>
    public IReadOnlyList<ModelRewriteMatch>? Matches { get; init; }

    public IReadOnlyList<ModelRewriteTarget>? Targets { get; init; }
}

public sealed record ModelRewriteMatch
{
    public ModelMatch? Model { get; init; }
}

public sealed record ModelMatch
{
    public const string Exact = "Exact";

    public string? Type { get; init; }

    public string? Value { get; init; }
}

public sealed record ModelRewriteTarget
{
    public string? ModelRewrite { get; init; }

    public int? Weight { get; init; }
}
