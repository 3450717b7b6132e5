// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json;
using System.Text.Json.Nodes;
using Apiextensions.Fn.Proto.V1;
using Modelplane.Sdk;

namespace Modelplane.Render.Engine;

/// <summary>OpenAPI v3 documents (<c>-s/--required-schemas</c>) that answer a function's schema requirements.</summary>
/// <remarks>
/// Each file is one document as <c>kubectl get --raw /openapi/v3/&lt;group-version&gt;</c> prints it.
/// A selector matches the component schema whose <c>x-kubernetes-group-version-kind</c> names exactly
/// that group, version and kind; its <c>$ref</c>s to other component schemas are inlined, as
/// Crossplane's OpenAPI fetcher does. A kind nothing describes gets an empty schema, which is what
/// Crossplane answers: "looked, found nothing", not an error.
/// </remarks>
public sealed class SchemaStore
{
    private const string RefPrefix = "#/components/schemas/";
    private readonly IReadOnlyList<JsonObject> documents;

    public SchemaStore(IReadOnlyList<JsonObject> documents) => this.documents = documents;

    public static SchemaStore Empty { get; } = new([]);

    /// <summary>Every *.json file below <paramref name="directory"/>, in path order.</summary>
    public static SchemaStore Load(string directory)
    {
        if (!Directory.Exists(directory))
        {
            throw new RenderException($"cannot load required schemas from \"{directory}\": it is not a directory");
        }
        var files = Directory.EnumerateFiles(directory, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();
        if (files.Length == 0)
        {
            throw new RenderException($"cannot load required schemas from \"{directory}\": no JSON files found in \"{directory}\"");
        }
        var documents = new List<JsonObject>();
        foreach (var file in files)
        {
            try
            {
                documents.Add(JsonNode.Parse(File.ReadAllText(file)) as JsonObject
                    ?? throw new RenderException($"cannot load required schemas from \"{directory}\": {file} is not a JSON object"));
            }
            catch (JsonException e)
            {
                throw new RenderException($"cannot load required schemas from \"{directory}\": cannot parse OpenAPI JSON from \"{file}\": {e.Message}");
            }
        }
        return new SchemaStore(documents);
    }

    public Schema Fetch(SchemaSelector selector)
    {
        var group = Objects.Group(selector.ApiVersion);
        var version = Objects.Version(selector.ApiVersion);
        foreach (var document in documents)
        {
            var schemas = (document["components"] as JsonObject)?["schemas"] as JsonObject;
            foreach (var (name, node) in schemas ?? [])
            {
                if (node is not JsonObject schema || schema["x-kubernetes-group-version-kind"] is not JsonArray { Count: 1 } gvks
                    || gvks[0] is not JsonObject gvk
                    || Objects.String(gvk["group"]) != group || Objects.String(gvk["version"]) != version || Objects.String(gvk["kind"]) != selector.Kind)
                {
                    continue;
                }
                var flattened = Inline(schema, schemas!, [name]);
                return new Schema { OpenapiV3 = StructJson.ToStruct((JsonObject)flattened) };
            }
        }
        return new Schema();
    }

    // Replaces {"$ref": "#/components/schemas/X"} with X itself; a reference back into its own chain stays a $ref.
    private static JsonNode Inline(JsonNode node, JsonObject schemas, HashSet<string> chain)
    {
        switch (node)
        {
            case JsonObject obj when obj["$ref"] is JsonValue reference && reference.TryGetValue<string>(out var r) && r.StartsWith(RefPrefix, StringComparison.Ordinal):
                var target = r[RefPrefix.Length..];
                if (chain.Contains(target) || schemas[target] is not JsonObject resolved)
                {
                    return obj.DeepClone();
                }
                return Inline(resolved, schemas, [.. chain, target]);
            case JsonObject obj:
                var copy = new JsonObject();
                foreach (var (key, value) in obj)
                {
                    copy[key] = value is null ? null : Inline(value, schemas, chain);
                }
                return copy;
            case JsonArray array:
                return new JsonArray([.. array.Select(v => v is null ? null : Inline(v, schemas, chain))]);
            default:
                return node.DeepClone();
        }
    }
}
