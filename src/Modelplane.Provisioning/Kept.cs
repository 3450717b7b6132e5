// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Modelplane.Sdk;

namespace Modelplane.Provisioning;

/// <summary>Re-emits an observed composed resource as it runs, for when we cannot (or must not) compose it anew.</summary>
/// <remarks>
/// Crossplane deletes whatever desired state leaves out, so a composer that cannot build a resource
/// this pass (its input is invalid, or a prerequisite vanished) hands back what runs: identity (name,
/// namespace, labels, annotations such as the external name) and spec, without what Crossplane
/// itself owns (<c>spec.crossplane</c>, status, server-set metadata).
/// </remarks>
public static class Kept
{
    private static readonly string[] KeptMetadata = ["name", "namespace", "labels", "annotations"];

    public static JsonObject From(JsonObject observed)
    {
        var metadata = new JsonObject();
        foreach (var field in KeptMetadata)
        {
            if (observed["metadata"]?[field] is { } value)
            {
                metadata[field] = value.DeepClone();
            }
        }
        var kept = new JsonObject
        {
            ["apiVersion"] = observed["apiVersion"]?.DeepClone(),
            ["kind"] = observed["kind"]?.DeepClone(),
            ["metadata"] = metadata,
        };
        if (observed["spec"]?.DeepClone() is JsonObject spec)
        {
            spec.Remove("crossplane");
            kept["spec"] = spec;
        }
        return kept;
    }

    /// <summary>The observed resource at <paramref name="key"/> kept as it runs, or null when nothing is observed there.</summary>
    public static DesiredResource? Observed(FunctionRequest req, string key) =>
        req.Observed.TryGetValue(key, out var observed) ? DesiredResource.Of(From(observed.Resource), observed.IsReady ? true : null) : null;
}
