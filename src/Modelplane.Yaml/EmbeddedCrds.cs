// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Reflection;
using System.Text.Json.Nodes;

namespace Modelplane.Yaml;

/// <summary>A bundle of CustomResourceDefinitions vendored as YAML and embedded in an assembly.</summary>
/// <remarks>
/// Parsed once per process (a bundle can be a megabyte of YAML) and handed out as deep copies, so a
/// composer can never alter the cached originals; ordered by name so output is deterministic. Each
/// caller says what to strip from the vendored files (placeholder <c>status</c> and the like) before
/// they become desired state.
/// </remarks>
public sealed class EmbeddedCrds
{
    private readonly Lazy<(string Name, JsonObject Crd)[]> _parsed;

    /// <param name="assembly">The assembly the YAML files are embedded in.</param>
    /// <param name="resourcePrefix">The logical-name prefix of the bundle's files, e.g. <c>GaieCrds/</c>.</param>
    /// <param name="clean">Removes what a desired object must not carry, in place.</param>
    public EmbeddedCrds(Assembly assembly, string resourcePrefix, Action<JsonObject> clean) =>
        _parsed = new(() => Load(assembly, resourcePrefix, clean));

    /// <summary>Each CRD with its <c>metadata.name</c>, as a fresh copy.</summary>
    public IReadOnlyList<(string Name, JsonObject Crd)> All =>
        _parsed.Value.Select(c => (c.Name, (JsonObject)c.Crd.DeepClone())).ToArray();

    private static (string Name, JsonObject Crd)[] Load(Assembly assembly, string prefix, Action<JsonObject> clean)
    {
        var crds = new List<(string Name, JsonObject Crd)>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            foreach (var crd in YamlJson.ReadAll(reader.ReadToEnd()).OfType<JsonObject>())
            {
                if ((string?)crd["kind"] != "CustomResourceDefinition")
                {
                    continue;
                }
                clean(crd);
                crds.Add(((string?)crd["metadata"]?["name"] ?? "", crd));
            }
        }
        return crds.OrderBy(c => c.Name, StringComparer.Ordinal).ToArray();
    }
}
