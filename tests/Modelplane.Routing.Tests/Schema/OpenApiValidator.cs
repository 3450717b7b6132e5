// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Modelplane.Routing.Tests.Schema;

/// <summary>Validates JSON against a CRD's structural OpenAPI v3 schema, as the API server does at admission.</summary>
/// <remarks>
/// Covers what structural schemas express: type, properties and required, additionalProperties,
/// items, min/maxItems, min/maxLength, pattern, enum, minimum/maximum, maxProperties,
/// x-kubernetes-int-or-string and x-kubernetes-preserve-unknown-fields. Unknown fields are errors
/// here (the API server would prune them silently, losing our intent). CEL rules
/// (x-kubernetes-validations) are not evaluated; <see cref="GatewayApiRules"/> checks by hand the
/// ones our routes could break. Its own rows in GatewayApiSchemaTests prove each keyword rejects.
/// </remarks>
internal static class OpenApiValidator
{
    public static IReadOnlyList<string> Validate(JsonNode? value, JsonObject schema)
    {
        var errors = new List<string>();
        Check(value, schema, "", errors);
        return errors;
    }

    private static void Check(JsonNode? value, JsonObject schema, string path, List<string> errors)
    {
        var at = path.Length == 0 ? "(root)" : path;
        if (value is null)
        {
            if (schema["nullable"]?.GetValue<bool>() != true)
            {
                errors.Add($"{at}: null is not allowed");
            }
            return;
        }
        if (schema["x-kubernetes-int-or-string"]?.GetValue<bool>() == true)
        {
            if (!(IsKind(value, JsonValueKind.String) || IsInteger(value)))
            {
                errors.Add($"{at}: must be an integer or a string");
            }
            return;
        }
        var type = schema["type"]?.GetValue<string>();
        switch (type)
        {
            case "object":
                if (value is not JsonObject obj)
                {
                    errors.Add($"{at}: must be an object");
                    return;
                }
                CheckObject(obj, schema, path, errors);
                break;
            case "array":
                if (value is not JsonArray array)
                {
                    errors.Add($"{at}: must be a list");
                    return;
                }
                CheckArray(array, schema, path, errors);
                break;
            case "string":
                if (!IsKind(value, JsonValueKind.String))
                {
                    errors.Add($"{at}: must be a string");
                    return;
                }
                CheckString(value.GetValue<string>(), schema, at, errors);
                break;
            case "integer":
                if (!IsInteger(value))
                {
                    errors.Add($"{at}: must be an integer");
                    return;
                }
                CheckNumber(Num(value), schema, at, errors);
                break;
            case "number":
                if (!IsKind(value, JsonValueKind.Number))
                {
                    errors.Add($"{at}: must be a number");
                    return;
                }
                CheckNumber(Num(value), schema, at, errors);
                break;
            case "boolean":
                if (!IsKind(value, JsonValueKind.True) && !IsKind(value, JsonValueKind.False))
                {
                    errors.Add($"{at}: must be a boolean");
                }
                break;
        }
        if (schema["enum"] is JsonArray allowed && !allowed.Any(a => JsonNode.DeepEquals(a, value)))
        {
            errors.Add($"{at}: {value.ToJsonString()} is not one of {allowed.ToJsonString()}");
        }
    }

    private static void CheckObject(JsonObject obj, JsonObject schema, string path, List<string> errors)
    {
        var at = path.Length == 0 ? "(root)" : path;
        foreach (var required in (schema["required"] as JsonArray ?? []).Select(r => r!.GetValue<string>()))
        {
            if (!obj.ContainsKey(required))
            {
                errors.Add($"{Join(path, required)}: required");
            }
        }
        if (schema["maxProperties"] is JsonValue maxProperties && obj.Count > Num(maxProperties))
        {
            errors.Add($"{at}: more than {maxProperties} properties");
        }
        var properties = schema["properties"] as JsonObject;
        var additional = schema["additionalProperties"];
        var preserve = schema["x-kubernetes-preserve-unknown-fields"]?.GetValue<bool>() == true;
        foreach (var (key, child) in obj)
        {
            if (properties?[key] is JsonObject propertySchema)
            {
                Check(child, propertySchema, Join(path, key), errors);
            }
            else if (additional is JsonObject additionalSchema)
            {
                Check(child, additionalSchema, Join(path, key), errors);
            }
            else if (properties is not null && !preserve && additional?.GetValue<bool>() != true)
            {
                errors.Add($"{Join(path, key)}: unknown field");
            }
        }
    }

    private static void CheckArray(JsonArray array, JsonObject schema, string path, List<string> errors)
    {
        var at = path.Length == 0 ? "(root)" : path;
        if (schema["maxItems"] is JsonValue max && array.Count > Num(max))
        {
            errors.Add($"{at}: {array.Count} items, at most {max} allowed");
        }
        if (schema["minItems"] is JsonValue min && array.Count < Num(min))
        {
            errors.Add($"{at}: {array.Count} items, at least {min} required");
        }
        if (schema["items"] is JsonObject items)
        {
            for (var i = 0; i < array.Count; i++)
            {
                Check(array[i], items, $"{path}[{i}]", errors);
            }
        }
    }

    private static void CheckString(string s, JsonObject schema, string at, List<string> errors)
    {
        var length = s.EnumerateRunes().Count();
        if (schema["maxLength"] is JsonValue max && length > Num(max))
        {
            errors.Add($"{at}: longer than {max}");
        }
        if (schema["minLength"] is JsonValue min && length < Num(min))
        {
            errors.Add($"{at}: shorter than {min}");
        }
        if (schema["pattern"] is JsonValue pattern && !Regex.IsMatch(s, pattern.GetValue<string>(), RegexOptions.None, TimeSpan.FromSeconds(1)))
        {
            errors.Add($"{at}: \"{s}\" does not match {pattern}");
        }
    }

    private static void CheckNumber(double n, JsonObject schema, string at, List<string> errors)
    {
        if (schema["maximum"] is JsonValue max && n > Num(max))
        {
            errors.Add($"{at}: {n.ToString(CultureInfo.InvariantCulture)} is above the maximum {max}");
        }
        if (schema["minimum"] is JsonValue min && n < Num(min))
        {
            errors.Add($"{at}: {n.ToString(CultureInfo.InvariantCulture)} is below the minimum {min}");
        }
    }

    private static bool IsKind(JsonNode node, JsonValueKind kind) => node is JsonValue v && v.GetValueKind() == kind;

    private static bool IsInteger(JsonNode node) =>
        IsKind(node, JsonValueKind.Number) && Num(node) is var d && d == Math.Floor(d);

    // Numbers read from YAML are longs and from JSON are elements; their text is the common ground.
    private static double Num(JsonNode node) => double.Parse(node.ToJsonString(), CultureInfo.InvariantCulture);

    private static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";
}
