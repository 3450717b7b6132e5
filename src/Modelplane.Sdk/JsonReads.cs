// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json;
using System.Text.Json.Nodes;

namespace Modelplane.Sdk;

/// <summary>Shape-checked reads of Kubernetes objects held as JSON.</summary>
/// <remarks>
/// Objects reach a composer as whatever the API server stored, and the required resources of other
/// kinds are not validated against our expectations at all. Each read here says what it expected and
/// where: an absent or null field is null (partial objects are normal), while a field of the wrong
/// type throws <see cref="InvalidInputException"/> naming its path, which the runner reports as a
/// Fatal result. Paths are dotted names relative to the node read, and the
/// <c>at</c> argument names where that node itself sits, for messages.
/// </remarks>
public static class JsonReads
{
    /// <summary>The node at a dotted path, or null where any step is absent or null.</summary>
    public static JsonNode? At(this JsonNode? node, string path, string at = "")
    {
        var current = node;
        var walked = at;
        foreach (var segment in path.Split('.'))
        {
            if (current is null)
            {
                return null;
            }
            if (current is not JsonObject obj)
            {
                throw new InvalidInputException(walked.Length == 0 ? "(root)" : walked, $"expected an object, got {KindOf(current)}");
            }
            walked = walked.Length == 0 ? segment : $"{walked}.{segment}";
            current = obj.TryGetPropertyValue(segment, out var next) ? next : null;
        }
        return current;
    }

    public static JsonObject? ObjectAt(this JsonNode? node, string path, string at = "") =>
        node.At(path, at) switch
        {
            null => null,
            JsonObject obj => obj,
            var other => throw Wrong(at, path, "an object", other),
        };

    public static JsonArray? ArrayAt(this JsonNode? node, string path, string at = "") =>
        node.At(path, at) switch
        {
            null => null,
            JsonArray array => array,
            var other => throw Wrong(at, path, "a list", other),
        };

    public static string? StringAt(this JsonNode? node, string path, string at = "") =>
        node.At(path, at) switch
        {
            null => null,
            JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
            var other => throw Wrong(at, path, "a string", other),
        };

    public static bool? BoolAt(this JsonNode? node, string path, string at = "") =>
        node.At(path, at) switch
        {
            null => null,
            JsonValue v when v.GetValueKind() == JsonValueKind.True => true,
            JsonValue v when v.GetValueKind() == JsonValueKind.False => false,
            var other => throw Wrong(at, path, "a boolean", other),
        };

    /// <summary>An integer; a number with a fraction, or outside the range of a long, is invalid.</summary>
    public static long? IntegerAt(this JsonNode? node, string path, string at = "")
    {
        var found = node.At(path, at);
        if (found is null)
        {
            return null;
        }
        if (found is JsonValue v && v.GetValueKind() == JsonValueKind.Number)
        {
            if (v.TryGetValue<long>(out var l))
            {
                return l;
            }
            if (v.TryGetValue<int>(out var i))
            {
                return i;
            }
            // 2^63 itself is a double but not a long: the upper bound is exclusive.
            if (v.TryGetValue<double>(out var d) && d == Math.Floor(d) && d >= -9223372036854775808d && d < 9223372036854775808d)
            {
                return (long)d;
            }
        }
        throw Wrong(at, path, "an integer", found);
    }

    public static double? NumberAt(this JsonNode? node, string path, string at = "")
    {
        var found = node.At(path, at);
        return found switch
        {
            null => null,
            JsonValue v when v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<double>(out var d) => d,
            JsonValue v when v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<long>(out var l) => l,
            JsonValue v when v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<int>(out var i) => i,
            _ => throw Wrong(at, path, "a number", found),
        };
    }

    /// <summary>A map of strings, such as labels or annotations; null when absent.</summary>
    public static IReadOnlyDictionary<string, string>? StringMapAt(this JsonNode? node, string path, string at = "")
    {
        var obj = node.ObjectAt(path, at);
        if (obj is null)
        {
            return null;
        }
        var map = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in obj)
        {
            map[key] = value is JsonValue v && v.GetValueKind() == JsonValueKind.String
                ? v.GetValue<string>()
                : throw Wrong(at, $"{path}.{key}", "a string", value);
        }
        return map;
    }

    /// <summary>The status of a condition of <paramref name="type"/> in <c>status.conditions</c>, or null.</summary>
    public static string? ConditionStatus(this JsonNode? resource, string type)
    {
        if (resource.At("status.conditions") is not JsonArray conditions)
        {
            return null;
        }
        foreach (var condition in conditions)
        {
            if (condition is JsonObject c
                && c["type"] is JsonValue t && t.GetValueKind() == JsonValueKind.String && t.GetValue<string>() == type)
            {
                return c["status"] is JsonValue s && s.GetValueKind() == JsonValueKind.String ? s.GetValue<string>() : null;
            }
        }
        return null;
    }

    /// <summary>True when the resource reports a <c>Ready</c> condition with status True.</summary>
    public static bool IsReady(this JsonNode? resource) => resource.ConditionStatus("Ready") == "True";

    /// <summary>A short JSON-ish kind name for messages.</summary>
    public static string KindOf(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject => "an object",
        JsonArray => "a list",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => "a string",
            JsonValueKind.Number => "a number",
            JsonValueKind.True or JsonValueKind.False => "a boolean",
            _ => "a value",
        },
        _ => "a value",
    };

    private static InvalidInputException Wrong(string at, string path, string expected, JsonNode? found) =>
        new(at.Length == 0 ? path : $"{at}.{path}", $"expected {expected}, got {KindOf(found)}");
}
