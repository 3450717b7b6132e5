// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Modelplane.Render.Engine;

namespace Modelplane.Render.Validation;

/// <summary>The schemas of a set of XRDs, by the apiVersion and kind of the XRs they define.</summary>
/// <remarks>
/// An XR is checked against the <c>openAPIV3Schema</c> of the XRD version its apiVersion names, as the
/// API server checks it against the CRD Crossplane generates. What Crossplane adds to that CRD is not
/// in the XRD and is not the user's to write: <c>metadata</c> (checked by the API server's own rules),
/// <c>spec.crossplane</c> (composition selection and resource references) and <c>status</c>, which the
/// functions own. Everything else the XRD does not declare is an unknown field, as with
/// <c>kubectl apply</c>'s strict field validation.
/// </remarks>
public sealed class XrdSchemas
{
    private static readonly HashSet<string> CrossplaneOwned = new(StringComparer.Ordinal) { "apiVersion", "kind", "metadata", "status" };

    private readonly Dictionary<string, (JsonObject Schema, string Xrd)> _schemas;

    private XrdSchemas(Dictionary<string, (JsonObject, string)> schemas) => _schemas = schemas;

    public int Count => _schemas.Select(s => s.Value.Xrd).Distinct(StringComparer.Ordinal).Count();

    /// <summary>The schemas of every CompositeResourceDefinition among <paramref name="manifests"/>.</summary>
    public static XrdSchemas From(IEnumerable<Manifest> manifests)
    {
        var schemas = new Dictionary<string, (JsonObject, string)>(StringComparer.Ordinal);
        foreach (var xrd in manifests.Where(m => m.Kind == "CompositeResourceDefinition" && Objects.Group(m.ApiVersion) == "apiextensions.crossplane.io"))
        {
            var spec = xrd.Object["spec"] as JsonObject;
            var group = Objects.String(spec?["group"]);
            var kind = Objects.String((spec?["names"] as JsonObject)?["kind"]);
            foreach (var version in (spec?["versions"] as JsonArray)?.OfType<JsonObject>() ?? [])
            {
                if ((version["schema"] as JsonObject)?["openAPIV3Schema"] is JsonObject schema)
                {
                    schemas[Key($"{group}/{Objects.String(version["name"])}", kind)] = (schema, xrd.Name);
                }
            }
        }
        return new XrdSchemas(schemas);
    }

    public bool Defines(JsonObject obj) => _schemas.ContainsKey(Key(Objects.ApiVersion(obj), Objects.Kind(obj)));

    /// <summary>Fills the XR's absent fields from its XRD's defaults, in place, as the API server does on create.</summary>
    public void ApplyDefaults(JsonObject xr)
    {
        if (!_schemas.TryGetValue(Key(Objects.ApiVersion(xr), Objects.Kind(xr)), out var found))
        {
            throw new RenderException($"no XRD defines {Objects.Kind(xr)} in {Objects.ApiVersion(xr)}");
        }
        SchemaValidator.ApplyDefaults(xr, found.Schema);
    }

    /// <summary>Every error in the XR after defaulting (a copy; the XR is not changed).</summary>
    public IReadOnlyList<ValidationError> Validate(JsonObject xr)
    {
        if (!_schemas.TryGetValue(Key(Objects.ApiVersion(xr), Objects.Kind(xr)), out var found))
        {
            return [];
        }
        var copy = Objects.Clone(xr);
        SchemaValidator.ApplyDefaults(copy, found.Schema);
        foreach (var owned in CrossplaneOwned)
        {
            copy.Remove(owned);
        }
        (copy["spec"] as JsonObject)?.Remove("crossplane");
        var schema = (JsonObject)found.Schema.DeepClone();
        if (schema["properties"] is JsonObject properties)
        {
            foreach (var owned in CrossplaneOwned)
            {
                properties.Remove(owned);
            }
        }
        // Required fields of what Crossplane owns are not the user's to give.
        if (schema["required"] is JsonArray required)
        {
            schema["required"] = new JsonArray(required.Where(r => !CrossplaneOwned.Contains(Objects.String(r))).Select(r => r?.DeepClone()).ToArray());
        }
        return SchemaValidator.Validate(copy, schema, "");
    }

    private static string Key(string apiVersion, string kind) => $"{apiVersion}|{kind}";
}
