// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json;
using System.Text.Json.Nodes;

namespace Modelplane.Render.Engine;

/// <summary>Identity of a Kubernetes object: what <c>kubectl get</c> needs to find it.</summary>
public readonly record struct ObjectKey(string ApiVersion, string Kind, string Namespace, string Name) : IComparable<ObjectKey>
{
    public static ObjectKey Of(JsonObject obj) =>
        new(Objects.ApiVersion(obj), Objects.Kind(obj), Objects.Namespace(obj), Objects.Name(obj));

    /// <summary><c>Kind/name</c> or <c>Kind/namespace/name</c>, for messages and the fleet tree.</summary>
    public override string ToString() => Namespace.Length == 0 ? $"{Kind}/{Name}" : $"{Kind}/{Namespace}/{Name}";

    public int CompareTo(ObjectKey other)
    {
        var c = string.CompareOrdinal(ApiVersion, other.ApiVersion);
        c = c != 0 ? c : string.CompareOrdinal(Kind, other.Kind);
        c = c != 0 ? c : string.CompareOrdinal(Namespace, other.Namespace);
        return c != 0 ? c : string.CompareOrdinal(Name, other.Name);
    }

    public static bool operator <(ObjectKey left, ObjectKey right) => left.CompareTo(right) < 0;

    public static bool operator >(ObjectKey left, ObjectKey right) => left.CompareTo(right) > 0;

    public static bool operator <=(ObjectKey left, ObjectKey right) => left.CompareTo(right) <= 0;

    public static bool operator >=(ObjectKey left, ObjectKey right) => left.CompareTo(right) >= 0;
}

/// <summary>Lenient reads and writes of the metadata every Kubernetes object has.</summary>
/// <remarks>
/// Input manifests are user files, so a missing or mistyped field reads as empty here; validation of
/// shapes is <c>modelplane validate</c>'s job, and the composers check what they read themselves.
/// </remarks>
public static class Objects
{
    public const string CompositionResourceNameAnnotation = "crossplane.io/composition-resource-name";
    public const string CompositeLabel = "crossplane.io/composite";
    public const string ClaimNameLabel = "crossplane.io/claim-name";
    public const string ClaimNamespaceLabel = "crossplane.io/claim-namespace";

    public static string ApiVersion(JsonObject obj) => String(obj["apiVersion"]);

    public static string Kind(JsonObject obj) => String(obj["kind"]);

    public static string Name(JsonObject obj) => String((obj["metadata"] as JsonObject)?["name"]);

    public static string Namespace(JsonObject obj) => String((obj["metadata"] as JsonObject)?["namespace"]);

    public static string GenerateName(JsonObject obj) => String((obj["metadata"] as JsonObject)?["generateName"]);

    /// <summary>The API group of an apiVersion: <c>modelplane.ai/v1alpha1</c> → <c>modelplane.ai</c>, <c>v1</c> → "".</summary>
    public static string Group(string apiVersion)
    {
        var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? "" : apiVersion[..slash];
    }

    public static string Version(string apiVersion)
    {
        var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? apiVersion : apiVersion[(slash + 1)..];
    }

    public static IReadOnlyDictionary<string, string> Labels(JsonObject obj) => StringMap(obj, "labels");

    public static IReadOnlyDictionary<string, string> Annotations(JsonObject obj) => StringMap(obj, "annotations");

    public static string String(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : "";

    /// <summary>The object at <paramref name="key"/>, created empty when absent or not an object.</summary>
    public static JsonObject Child(JsonObject obj, string key)
    {
        if (obj[key] is JsonObject existing)
        {
            return existing;
        }
        var created = new JsonObject();
        obj[key] = created;
        return created;
    }

    public static void SetLabel(JsonObject obj, string key, string value) => Child(Child(obj, "metadata"), "labels")[key] = value;

    public static void SetAnnotation(JsonObject obj, string key, string value) => Child(Child(obj, "metadata"), "annotations")[key] = value;

    /// <summary>The status of condition <paramref name="type"/>, or "" when the object reports none.</summary>
    public static string ConditionStatus(JsonObject obj, string type) =>
        Condition(obj, type) is { } c ? String(c["status"]) : "";

    public static JsonObject? Condition(JsonObject obj, string type) =>
        ((obj["status"] as JsonObject)?["conditions"] as JsonArray)?
            .OfType<JsonObject>()
            .FirstOrDefault(c => String(c["type"]) == type);

    /// <summary>Sets a condition the way Crossplane's <c>SetConditions</c> does: replace the same type in place, else append.</summary>
    public static void SetCondition(JsonObject obj, JsonObject condition)
    {
        var status = Child(obj, "status");
        if (status["conditions"] is not JsonArray conditions)
        {
            conditions = [];
            status["conditions"] = conditions;
        }
        var type = String(condition["type"]);
        for (var i = 0; i < conditions.Count; i++)
        {
            if (conditions[i] is JsonObject existing && String(existing["type"]) == type)
            {
                conditions[i] = condition;
                return;
            }
        }
        conditions.Add((JsonNode)condition);
    }

    /// <summary>A deep copy; JSON nodes have one parent, so every object placed twice is cloned.</summary>
    public static JsonObject Clone(JsonObject obj) => (JsonObject)obj.DeepClone();

    private static IReadOnlyDictionary<string, string> StringMap(JsonObject obj, string field)
    {
        if ((obj["metadata"] as JsonObject)?[field] is not JsonObject map)
        {
            return new Dictionary<string, string>();
        }
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in map)
        {
            result[key] = String(value);
        }
        return result;
    }
}
