// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Reflection;
using System.Text.Json.Nodes;

namespace Modelplane.Sdk;

/// <summary>A bundle of vendored CustomResourceDefinitions, embedded in an assembly as generated JSON.</summary>
/// <remarks>
/// <para>
/// The vendored YAML files stay beside the composer as the source of truth; <c>crds.json</c> beside them is
/// generated from them (each CRD as JSON, with the bundle's source, version and each file's SHA-256),
/// and only the JSON is embedded, so a composer reads its CRDs with System.Text.Json and the server
/// carries no YAML parser. <c>CrdBundleTests</c> (tests/Modelplane.Render.Tests) regenerates every bundle
/// from its YAML and fails when the JSON differs; <c>UPDATE_GOLDEN=1</c> rewrites it.
/// </para>
/// <para>
/// Parsed once per process and handed out as deep copies, so a composer can never alter the cached
/// originals; ordered by name so output is deterministic. Each caller says what to strip from the
/// vendored CRDs (placeholder <c>status</c> and the like) before they become desired state.
/// </para>
/// </remarks>
public sealed class EmbeddedCrds
{
    /// <summary>The generated file's name, in the bundle's folder.</summary>
    public const string FileName = "crds.json";

    private readonly Lazy<(string Name, JsonObject Crd)[]> _parsed;

    /// <param name="assembly">The assembly the bundle is embedded in.</param>
    /// <param name="resourceName">The bundle's logical resource name, e.g. <c>GaieCrds/crds.json</c>.</param>
    /// <param name="clean">Removes what a desired object must not carry, in place.</param>
    public EmbeddedCrds(Assembly assembly, string resourceName, Action<JsonObject> clean) =>
        _parsed = new(() => Load(assembly, resourceName, clean));

    /// <summary>Each CRD with its <c>metadata.name</c>, as a fresh copy.</summary>
    public IReadOnlyList<(string Name, JsonObject Crd)> All =>
        _parsed.Value.Select(c => (c.Name, (JsonObject)c.Crd.DeepClone())).ToArray();

    private static (string Name, JsonObject Crd)[] Load(Assembly assembly, string resourceName, Action<JsonObject> clean)
    {
        using var stream = assembly.GetManifestResourceStream(resourceName)
            ?? throw new InvalidOperationException($"{assembly.GetName().Name} embeds no {resourceName}");
        var bundle = JsonNode.Parse(stream) as JsonObject
            ?? throw new InvalidOperationException($"{resourceName} is not a JSON object");
        var crds = new List<(string Name, JsonObject Crd)>();
        foreach (var crd in (bundle["crds"] as JsonArray ?? []).OfType<JsonObject>())
        {
            clean(crd);
            crds.Add(((string?)crd["metadata"]?["name"] ?? "", crd));
        }
        return crds.OrderBy(c => c.Name, StringComparer.Ordinal).ToArray();
    }
}
