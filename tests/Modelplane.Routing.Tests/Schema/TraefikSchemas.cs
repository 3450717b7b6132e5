// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Modelplane.Render.Validation;
using Modelplane.Yaml;

namespace Modelplane.Routing.Tests.Schema;

/// <summary>The vendored, trimmed <c>traefik.io/v1alpha1</c> CRDs (functions/ModelServices/TraefikCrds) the overflow objects must satisfy.</summary>
internal static class TraefikSchemas
{
    private static readonly Lazy<Dictionary<string, JsonObject>> ByKind = new(() =>
        Directory.GetFiles(CrdDir(), "*.yaml").Order(StringComparer.Ordinal)
            .Select(f => (JsonObject)YamlJson.Read(File.ReadAllText(f))!)
            .ToDictionary(
                c => c["spec"]!["names"]!["kind"]!.GetValue<string>(),
                c => c["spec"]!["versions"]!.AsArray().Single(v => v!["name"]!.GetValue<string>() == "v1alpha1")!["schema"]!["openAPIV3Schema"]!.AsObject(),
                StringComparer.Ordinal));

    public static IReadOnlyCollection<string> Kinds => ByKind.Value.Keys;

    /// <summary>Schema errors of a composed <c>traefik.io/v1alpha1</c> object, plus the one-mode rule the provider enforces.</summary>
    public static IReadOnlyList<string> Validate(JsonObject resource)
    {
        Assert.Equal("traefik.io/v1alpha1", resource["apiVersion"]!.GetValue<string>());
        var kind = resource["kind"]!.GetValue<string>();
        // The CLI's own validator, as for the Gateway API objects: defaults, structural schema, CEL rules.
        var schema = ByKind.Value[kind];
        var copy = resource.DeepClone().AsObject();
        SchemaValidator.ApplyDefaults(copy, schema);
        var errors = SchemaValidator.Validate(copy, schema, "").Select(e => e.ToString()).ToList();
        // Traefik reads one mode (or one middleware type) per object and ignores the rest.
        var modes = (resource["spec"] as JsonObject)?.Count ?? 0;
        if (modes != 1)
        {
            errors.Add($"spec: {modes} modes set, exactly one allowed");
        }
        return errors;
    }

    private static string CrdDir([CallerFilePath] string path = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", "..", "..", "functions", "ModelServices", "TraefikCrds"));
}
