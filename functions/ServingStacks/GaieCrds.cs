// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Modelplane.Sdk;
using Modelplane.Yaml;

namespace Modelplane.Functions.ServingStacks;

/// <summary>The Gateway API Inference Extension CRDs every workload cluster gets, embedded in this assembly.</summary>
/// <remarks>
/// Parsed once per process and handed out as deep copies, so a composer can never alter the cached
/// originals; ordered by name so the output is deterministic. Each file's placeholder <c>status</c> and
/// <c>metadata.creationTimestamp: null</c> are dropped: provider-kubernetes compares the manifest with
/// the remote object, and fields the API server rewrites would make it re-apply on every poll.
/// </remarks>
internal static class GaieCrds
{
    public const string BundleVersion = "v1.0.1";

    private const string ResourcePrefix = "GaieCrds/";

    private static readonly Lazy<JsonObject[]> Parsed = new(Load);

    /// <summary>Each CRD, by <c>metadata.name</c>, as a fresh copy.</summary>
    public static IReadOnlyList<(string Name, JsonObject Crd)> All =>
        Parsed.Value.Select(crd => (crd.StringAt("metadata.name")!, (JsonObject)crd.DeepClone())).ToArray();

    private static JsonObject[] Load()
    {
        var assembly = typeof(GaieCrds).Assembly;
        var crds = new List<JsonObject>();
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            foreach (var crd in YamlJson.ReadAll(reader.ReadToEnd()).OfType<JsonObject>().Where(d => d.StringAt("kind") == "CustomResourceDefinition"))
            {
                crd.Remove("status");
                (crd["metadata"] as JsonObject)?.Remove("creationTimestamp");
                crds.Add(crd);
            }
        }
        return crds.OrderBy(c => c.StringAt("metadata.name"), StringComparer.Ordinal).ToArray();
    }
}
