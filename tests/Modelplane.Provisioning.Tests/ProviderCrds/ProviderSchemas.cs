// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Modelplane.Render.Validation;
using Modelplane.Yaml;

namespace Modelplane.Provisioning.Tests.ProviderCrds;

/// <summary>The vendored provider CRDs (see README.md beside them), by apiVersion and kind.</summary>
/// <remarks>
/// A composed managed resource is defaulted and validated the way the API server would on create,
/// with the render CLI's validator (metadata aside, which the API server checks by its own rules): types, required fields, enums, patterns, bounds, unknown fields
/// and the providers' own CEL rules (upjet's "spec.forProvider.x is a required parameter").
/// </remarks>
public static class ProviderSchemas
{
    private static readonly Lazy<Dictionary<string, JsonObject>> Schemas = new(Load);

    /// <summary>The API groups we vendor CRDs for; a composed resource in one of them must have its kind here.</summary>
    public static IReadOnlySet<string> Groups => Schemas.Value.Keys.Select(k => k.Split('/')[0]).ToHashSet(StringComparer.Ordinal);

    public static bool Covers(JsonObject resource) => Groups.Contains(Group(resource));

    public static bool Defines(JsonObject resource) => Schemas.Value.ContainsKey(Key(resource));

    /// <summary>Every error in <paramref name="resource"/>, after the CRD's defaults; the resource is not changed.</summary>
    public static IReadOnlyList<ValidationError> Validate(JsonObject resource)
    {
        var schema = Schemas.Value[Key(resource)];
        var copy = (JsonObject)resource.DeepClone();
        // The API server checks metadata by its own rules; a CRD declares it as a bare object.
        copy.Remove("metadata");
        SchemaValidator.ApplyDefaults(copy, schema);
        return SchemaValidator.Validate(copy, schema, "");
    }

    private static string Group(JsonObject resource) => (resource["apiVersion"]?.GetValue<string>() ?? "").Split('/')[0];

    private static string Key(JsonObject resource) => $"{resource["apiVersion"]?.GetValue<string>()}/{resource["kind"]?.GetValue<string>()}";

    private static Dictionary<string, JsonObject> Load()
    {
        var schemas = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var file in Directory.GetFiles(Here(), "*.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var crd = YamlJson.Read(File.ReadAllText(file))!.AsObject();
            var spec = crd["spec"]!.AsObject();
            var group = spec["group"]!.GetValue<string>();
            var kind = spec["names"]!["kind"]!.GetValue<string>();
            foreach (var version in spec["versions"]!.AsArray())
            {
                schemas[$"{group}/{version!["name"]!.GetValue<string>()}/{kind}"] = version["schema"]!["openAPIV3Schema"]!.AsObject();
            }
        }
        return schemas;
    }

    private static string Here([CallerFilePath] string file = "") => Path.GetDirectoryName(file)!;
}
