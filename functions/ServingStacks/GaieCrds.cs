// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Modelplane.Sdk;

namespace Modelplane.Functions.ServingStacks;

/// <summary>The Inference Extension CRDs every workload cluster gets (GAIE's and llm-d-router's), embedded in this assembly.</summary>
/// <remarks>
/// Each file's placeholder <c>status</c> and <c>metadata.creationTimestamp: null</c> are dropped:
/// provider-kubernetes compares the manifest with the remote object, and fields the API server
/// rewrites would make it re-apply on every poll.
/// </remarks>
internal static class GaieCrds
{
    public const string BundleVersion = "v1.0.1";

    /// <summary>The llm-d-router release whose <c>llm-d.ai</c> InferenceObjective and InferenceModelRewrite CRDs are vendored: the picker's own.</summary>
    public const string RouterVersion = "v0.9.0";

    private static readonly EmbeddedCrds Bundle = new(typeof(GaieCrds).Assembly, "GaieCrds/" + EmbeddedCrds.FileName, crd =>
    {
        crd.Remove("status");
        (crd["metadata"] as JsonObject)?.Remove("creationTimestamp");
    });

    /// <summary>Each CRD, by <c>metadata.name</c>, as a fresh copy.</summary>
    public static IReadOnlyList<(string Name, JsonObject Crd)> All => Bundle.All;
}
