// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Modelplane.Sdk;
using Modelplane.Yaml;

namespace Modelplane.Functions.InferenceGateways;

/// <summary>The Gateway API standard-channel CRDs the InferenceGateway installs, embedded in this assembly.</summary>
/// <remarks>
/// Parsed once per process (they are about 1 MB of YAML) and handed out as deep copies, so a
/// composer can never alter the cached originals. Ordered by name so the output is deterministic.
/// The files' placeholder <c>status</c> is dropped: a function must not desire a composed status.
/// </remarks>
internal static class GatewayApiCrds
{
    public const string BundleVersion = "v1.5.1";

    private const string ResourcePrefix = "GatewayApiCrds/";

    private static readonly Lazy<JsonObject[]> Parsed = new(Load);

    /// <summary>Each CRD, by <c>metadata.name</c>, as a fresh copy.</summary>
    public static IReadOnlyList<(string Name, JsonObject Crd)> All =>
        Parsed.Value.Select(crd => (crd.StringAt("metadata.name")!, (JsonObject)crd.DeepClone())).ToArray();

    private static JsonObject[] Load()
    {
        var assembly = typeof(GatewayApiCrds).Assembly;
        var crds = new List<JsonObject>();
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            foreach (var crd in YamlJson.ReadAll(reader.ReadToEnd()).OfType<JsonObject>().Where(d => d.StringAt("kind") == "CustomResourceDefinition"))
            {
                crd.Remove("status");
                crds.Add(crd);
            }
        }
        return crds.OrderBy(c => c.StringAt("metadata.name"), StringComparer.Ordinal).ToArray();
    }
}
