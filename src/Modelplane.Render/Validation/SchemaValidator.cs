// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Modelplane.Cel;
using Modelplane.Render.Engine;

namespace Modelplane.Render.Validation;

/// <summary>One validation failure: the field path and what is wrong, in the API server's words.</summary>
public sealed record ValidationError(string Field, string Message)
{
    public override string ToString() => $"{Field}: {Message}";
}

/// <summary>Defaults and validates JSON against a Kubernetes structural schema (an XRD version's openAPIV3Schema).</summary>
/// <remarks>
/// This is the API server's order and wording for custom resources: defaults first (an absent
/// property with a <c>default</c> gets a copy of it, inside objects that exist, defaults included),
/// then the OpenAPI checks (type, required, enum, bounds, lengths, patterns, item and property counts,
/// list-map keys, fields the schema does not declare), then each <c>x-kubernetes-validations</c> rule
/// with <c>self</c> bound to the value, through the CEL evaluator. A rule runs only where its value
/// passed the OpenAPI checks, as the API server skips CEL on values of the wrong shape. Transition rules
/// (those reading <c>oldSelf</c>) have no old object on create, and are skipped as on create.
/// Messages follow Kubernetes field errors (<c>Required value</c>, <c>Unsupported value</c>,
/// <c>Invalid value: "object": &lt;rule message&gt;</c>), so they read like <c>kubectl apply</c>'s.
/// </remarks>
public static class SchemaValidator
{
    // Bounds regular expressions so a schema pattern cannot stall validation.
    private static readonly TimeSpan PatternTimeout = TimeSpan.FromSeconds(1);

    private static readonly string[] CelVariables = ["self", "oldSelf"];

    // Quotes values as written: the default encoder would print + or µ as \u escapes.
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Fills absent properties from the schema's defaults, in place.</summary>
    public static void ApplyDefaults(JsonNode? node, JsonObject schema)
    {
        switch (node)
        {
            case JsonObject obj:
                if (schema["properties"] is JsonObject properties)
                {
                    foreach (var (name, propertySchema) in properties)
                    {
                        if (propertySchema is not JsonObject ps)
                        {
                            continue;
                        }
                        if (!obj.ContainsKey(name) && ps["default"] is { } value)
                        {
                            obj[name] = value.DeepClone();
                        }
                        if (obj[name] is { } child)
                        {
                            ApplyDefaults(child, ps);
                        }
                    }
                }
                if (schema["additionalProperties"] is JsonObject valueSchema)
                {
                    foreach (var (_, child) in obj.ToArray())
                    {
                        ApplyDefaults(child, valueSchema);
                    }
                }
                break;
            case JsonArray array when schema["items"] is JsonObject itemSchema:
                foreach (var item in array)
                {
                    ApplyDefaults(item, itemSchema);
                }
                break;
        }
    }

    /// <summary>Every error in <paramref name="node"/> at <paramref name="path"/>; defaults must be applied first.</summary>
    public static IReadOnlyList<ValidationError> Validate(JsonNode? node, JsonObject schema, string path)
    {
        var errors = new List<ValidationError>();
        // The API server checks an object's own metadata as ObjectMeta whatever its CRD says, and a CRD
        // may declare it as a bare `type: object` (InferencePool does): its fields are never undeclared.
        if (node is JsonObject root && root["metadata"] is JsonObject
            && schema["properties"]?["metadata"] is JsonObject { } metadataSchema && metadataSchema["properties"] is null)
        {
            // An empty object stands in for it, so a root `required: [metadata]` (Traefik's CRDs) still holds.
            node = new JsonObject(root.Select(p => KeyValuePair.Create(p.Key, p.Key == "metadata" ? new JsonObject() : p.Value?.DeepClone())));
        }
        Check(node, schema, path, errors);
        return errors;
    }

    private static void Check(JsonNode? node, JsonObject schema, string path, List<ValidationError> errors)
    {
        var before = errors.Count;
        if (node is null)
        {
            if (schema["nullable"] is JsonValue n && n.GetValueKind() == JsonValueKind.True)
            {
                return;
            }
            // A null where the schema wants a value: Kubernetes reports it as a type error.
            if (Type(schema) is { Length: > 0 } wanted)
            {
                errors.Add(new(path, $"Invalid value: \"null\": must be of type {wanted}"));
            }
            return;
        }
        if (!TypeMatches(node, schema))
        {
            errors.Add(new(path, $"Invalid value: {Show(node)}: must be of type {Type(schema)}"));
            return;
        }
        CheckEnum(node, schema, path, errors);
        switch (node)
        {
            case JsonObject obj:
                CheckObject(obj, schema, path, errors);
                break;
            case JsonArray array:
                CheckArray(array, schema, path, errors);
                break;
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                CheckString(value.GetValue<string>(), schema, path, errors);
                break;
            case JsonValue value when value.GetValueKind() == JsonValueKind.Number:
                CheckNumber(value, schema, path, errors);
                break;
        }
        if (errors.Count == before)
        {
            CheckRules(node, schema, path, errors);
        }
    }

    private static void CheckObject(JsonObject obj, JsonObject schema, string path, List<ValidationError> errors)
    {
        foreach (var required in (schema["required"] as JsonArray)?.Select(r => Objects.String(r)) ?? [])
        {
            if (!obj.ContainsKey(required))
            {
                errors.Add(new(Join(path, required), "Required value"));
            }
        }
        CheckCount(obj.Count, schema, "minProperties", "maxProperties", "properties", path, errors);
        var properties = schema["properties"] as JsonObject;
        var preserve = schema["x-kubernetes-preserve-unknown-fields"] is JsonValue p && p.GetValueKind() == JsonValueKind.True;
        foreach (var (name, child) in obj)
        {
            if (properties?[name] is JsonObject propertySchema)
            {
                Check(child, propertySchema, Join(path, name), errors);
            }
            else if (schema["additionalProperties"] is JsonObject valueSchema)
            {
                Check(child, valueSchema, Join(path, name), errors);
            }
            else if (!preserve && schema["additionalProperties"] is not JsonValue)
            {
                errors.Add(new(Join(path, name), "field not declared in schema"));
            }
        }
    }

    private static void CheckArray(JsonArray array, JsonObject schema, string path, List<ValidationError> errors)
    {
        CheckCount(array.Count, schema, "minItems", "maxItems", "items", path, errors);
        if (schema["items"] is JsonObject itemSchema)
        {
            for (var i = 0; i < array.Count; i++)
            {
                Check(array[i], itemSchema, $"{path}[{i}]", errors);
            }
        }
        var listType = Objects.String(schema["x-kubernetes-list-type"]);
        if (listType is "map" or "set")
        {
            var keys = listType == "map"
                ? (schema["x-kubernetes-list-map-keys"] as JsonArray)?.Select(k => Objects.String(k)).ToArray() ?? []
                : null;
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < array.Count; i++)
            {
                var identity = keys is null
                    ? array[i]?.ToJsonString(Relaxed) ?? "null"
                    : new JsonObject(keys.Select(k => KeyValuePair.Create(k, (array[i] as JsonObject)?[k]?.DeepClone()))).ToJsonString(Relaxed);
                if (!seen.Add(identity))
                {
                    errors.Add(new($"{path}[{i}]", $"Duplicate value: {identity}"));
                }
            }
        }
    }

    private static void CheckString(string value, JsonObject schema, string path, List<ValidationError> errors)
    {
        var length = value.EnumerateRunes().Count();
        if (Integer(schema["minLength"]) is { } min && length < min)
        {
            errors.Add(new(path, $"Invalid value: {Show(JsonValue.Create(value))}: should be at least {min} chars long"));
        }
        if (Integer(schema["maxLength"]) is { } max && length > max)
        {
            errors.Add(new(path, $"Too long: may not be more than {max} chars"));
        }
        if (Objects.String(schema["pattern"]) is { Length: > 0 } pattern)
        {
            bool matches;
            try
            {
                matches = Regex.IsMatch(value, pattern, RegexOptions.None, PatternTimeout);
            }
            catch (RegexMatchTimeoutException)
            {
                matches = false;
            }
            if (!matches)
            {
                errors.Add(new(path, $"Invalid value: {Show(JsonValue.Create(value))}: should match '{pattern}'"));
            }
        }
    }

    private static void CheckNumber(JsonValue value, JsonObject schema, string path, List<ValidationError> errors)
    {
        var number = NumberOf(value);
        var shown = value.ToJsonString();
        if (Double(schema["minimum"]) is { } min)
        {
            var exclusive = schema["exclusiveMinimum"] is JsonValue e && e.GetValueKind() == JsonValueKind.True;
            if (exclusive ? number <= min : number < min)
            {
                errors.Add(new(path, $"Invalid value: {shown}: should be greater than {(exclusive ? "" : "or equal to ")}{Format(min)}"));
            }
        }
        if (Double(schema["maximum"]) is { } max)
        {
            var exclusive = schema["exclusiveMaximum"] is JsonValue e && e.GetValueKind() == JsonValueKind.True;
            if (exclusive ? number >= max : number > max)
            {
                errors.Add(new(path, $"Invalid value: {shown}: should be less than {(exclusive ? "" : "or equal to ")}{Format(max)}"));
            }
        }
    }

    private static void CheckEnum(JsonNode node, JsonObject schema, string path, List<ValidationError> errors)
    {
        if (schema["enum"] is not JsonArray allowed || allowed.Any(a => JsonNode.DeepEquals(a, node)))
        {
            return;
        }
        errors.Add(new(path, $"Unsupported value: {Show(node)}: supported values: {string.Join(", ", allowed.Select(Show))}"));
    }

    private static void CheckCount(int count, JsonObject schema, string minKey, string maxKey, string noun, string path, List<ValidationError> errors)
    {
        if (Integer(schema[minKey]) is { } min && count < min)
        {
            errors.Add(new(path, $"Invalid value: {count}: should have at least {min} {noun}"));
        }
        if (Integer(schema[maxKey]) is { } max && count > max)
        {
            errors.Add(new(path, $"Too many: {count}: must have at most {max} {noun}"));
        }
    }

    private static void CheckRules(JsonNode node, JsonObject schema, string path, List<ValidationError> errors)
    {
        if (schema["x-kubernetes-validations"] is not JsonArray rules)
        {
            return;
        }
        var self = CelValue.FromJson(node);
        foreach (var rule in rules.OfType<JsonObject>())
        {
            var expression = Objects.String(rule["rule"]);
            var field = Objects.String(rule["fieldPath"]) is { Length: > 0 } fieldPath ? path + (fieldPath.StartsWith('.') ? fieldPath : "." + fieldPath) : path;
            if (!CelProgram.TryCompile(expression, CelVariables, out var program, out var compileError))
            {
                errors.Add(new(field, $"Invalid value: {Show(JsonValue.Create(Type(schema)))}: compilation failed: {compileError}"));
                continue;
            }
            if (expression.Contains("oldSelf", StringComparison.Ordinal))
            {
                // A transition rule; on create there is no old object, so the API server skips it.
                continue;
            }
            var result = program.Evaluate(new Dictionary<string, CelValue> { ["self"] = self });
            if (result.IsTrue)
            {
                continue;
            }
            var message = result.IsError
                ? $"evaluation failed: {result.Error}"
                : Objects.String(rule["message"]) is { Length: > 0 } m ? m : $"failed rule: {expression}";
            errors.Add(new(field, $"Invalid value: {Show(JsonValue.Create(Type(schema)))}: {message}"));
        }
    }

    private static bool TypeMatches(JsonNode node, JsonObject schema)
    {
        if (schema["x-kubernetes-int-or-string"] is JsonValue ios && ios.GetValueKind() == JsonValueKind.True)
        {
            return node is JsonValue v && (v.GetValueKind() == JsonValueKind.String || IsInteger(v));
        }
        return Type(schema) switch
        {
            "object" => node is JsonObject,
            "array" => node is JsonArray,
            "string" => node is JsonValue s && s.GetValueKind() == JsonValueKind.String,
            "boolean" => node is JsonValue b && b.GetValueKind() is JsonValueKind.True or JsonValueKind.False,
            "integer" => node is JsonValue i && IsInteger(i),
            "number" => node is JsonValue n && n.GetValueKind() == JsonValueKind.Number,
            _ => true,
        };
    }

    private static bool IsInteger(JsonValue value) =>
        value.GetValueKind() == JsonValueKind.Number && long.TryParse(value.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _);

    // A node read from YAML holds a long or a double, one built from text a JsonElement: read the JSON text.
    private static double NumberOf(JsonValue value) => double.Parse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture);

    private static string Type(JsonObject schema) => Objects.String(schema["type"]);

    private static long? Integer(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.Number ? (long)NumberOf(v) : null;

    private static double? Double(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.Number ? NumberOf(v) : null;

    private static string Format(double value) => value.ToString(CultureInfo.InvariantCulture);

    // Values as the API server quotes them: strings in double quotes, other scalars as JSON, containers by type.
    private static string Show(JsonNode? node) => node switch
    {
        null => "\"null\"",
        JsonObject => "\"object\"",
        JsonArray => "\"array\"",
        _ => node.ToJsonString(Relaxed),
    };

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";
}
