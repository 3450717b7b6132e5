// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Modelplane.Render.Engine;

namespace Modelplane.Render.Output;

/// <summary>Which optional documents <c>render</c> prints, as <c>crossplane render</c>'s flags choose them.</summary>
public sealed record RenderOutputOptions
{
    /// <summary><c>-r</c>: results as <c>kind: Result</c> documents.</summary>
    public bool IncludeFunctionResults { get; init; }

    /// <summary><c>-x</c>: the input XR's spec and metadata on the rendered XR.</summary>
    public bool IncludeFullXr { get; init; }

    /// <summary><c>-c</c>: the final context as a <c>kind: Context</c> document.</summary>
    public bool IncludeContext { get; init; }
}

/// <summary>A render as the YAML stream <c>crossplane render</c> prints.</summary>
/// <remarks>
/// The XR first (apiVersion, kind, name, namespace and the new status; with <c>-x</c> its spec and
/// metadata as given), then every composed resource in composition-resource-name order, then with
/// <c>-r</c> each Normal and Warning result as <c>render.crossplane.io/v1beta1 Result</c> with its step
/// and severity, then with <c>-c</c> the context as <c>render.crossplane.io/v1beta1 Context</c>. These are
/// the shapes of the <c>crossplane render</c> that runs pipelines itself (CLI v2.2); later CLIs run
/// Crossplane's reconciler and add its bookkeeping (resourceRefs, a Synced condition, event-shaped results).
/// </remarks>
public static class RenderOutput
{
    public const string RenderApiVersion = "render.crossplane.io/v1beta1";

    public static IReadOnlyList<JsonNode> Documents(RenderResult result, JsonObject inputXr, RenderOutputOptions options)
    {
        var xr = Objects.Clone(result.Composite);
        if (options.IncludeFullXr)
        {
            if (inputXr["spec"] is { } spec)
            {
                xr["spec"] = spec.DeepClone();
            }
            if (inputXr["metadata"] is { } metadata)
            {
                xr["metadata"] = metadata.DeepClone();
            }
        }
        var documents = new List<JsonNode> { xr };
        documents.AddRange(result.Composed.Select(c => (JsonNode)Objects.Clone(c.Resource)));
        if (options.IncludeFunctionResults)
        {
            documents.AddRange(result.Results.Select(r => (JsonNode)new JsonObject
            {
                ["apiVersion"] = RenderApiVersion,
                ["kind"] = "Result",
                ["step"] = r.Step,
                ["severity"] = PipelineRenderer.SeverityName(r.Severity),
                ["message"] = r.Message,
            }));
        }
        if (options.IncludeContext)
        {
            documents.Add(new JsonObject
            {
                ["apiVersion"] = RenderApiVersion,
                ["kind"] = "Context",
                ["fields"] = result.Context?.DeepClone() ?? new JsonObject(),
            });
        }
        return documents;
    }
}
