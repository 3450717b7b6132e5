// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Apiextensions.Fn.Proto.V1;
using Modelplane.Render.Engine;

namespace Modelplane.Render.Output;

/// <summary>A render as the YAML stream <c>crossplane render</c> of Crossplane v2.3 and later prints.</summary>
/// <remarks>
/// From v2.3 the CLI no longer runs the pipeline itself: it hands the inputs to Crossplane's real XR
/// reconciler (<c>crossplane internal render</c>) backed by an in-memory client, and prints what that
/// client captured. That changes the output in four ways, which this class reproduces from the same
/// render result:
/// <list type="bullet">
/// <item>The XR is the object the reconciler last wrote: apiVersion, kind, name and namespace, the
/// <c>spec.crossplane.resourceRefs</c> it persisted (sorted by apiVersion+kind+name, no namespace for a
/// namespaced XR), and the status: the pipeline's desired status, then the conditions in the order the
/// reconciler sets them (Responsive, the functions' custom conditions, Synced, Ready).</item>
/// <item>The reconciler gives the XR a deterministic UID (a SHA-1 UUID of its GVK, namespace and name),
/// so controller references carry it and a composed resource with no name gets the name the name
/// generator derives from it (<c>&lt;generateName&gt;&lt;12 hex of sha256(uid + resource name)&gt;</c>).</item>
/// <item>Results are the reconciler's events: the composition selection, each function result
/// (<c>Pipeline step "x": message</c>, reason the result's or ComposeResources), and one event per
/// composed resource that is not ready. Fields: severity (the event type, Normal or Warning), reason,
/// message; no step.</item>
/// <item>With <c>-x</c> the rendered XR is merged over the input XR (maps merged, lists replaced).</item>
/// </list>
/// Two details follow the CLI from v2.5 rather than v2.3.0, because v2.3.0 was not deterministic:
/// composed resources are sorted by composition-resource-name (v2.3.0 printed them in Go map order) and
/// condition timestamps are the fixed 2024-01-01 (v2.3.0 printed the wall clock). Not-ready events are
/// in resource-name order for the same reason.
/// </remarks>
public static class ReconcilerOutput
{
    private const string ReasonSelectComposition = "SelectComposition";
    private const string ReasonCompose = "ComposeResources";
    private const string ResourceRefsPath = "resourceRefs";

    // The name generator's hash suffix length (crossplane internal/names.ChildName) and Kubernetes' name limit.
    private const int ChildHashLength = 12;
    private const int MaxNameLength = 63;

    public static IReadOnlyList<JsonNode> Documents(RenderResult result, JsonObject inputXr, string compositionName, RenderOutputOptions options)
    {
        var uid = CompositeUid(inputXr);
        var composed = result.Composed.Select(c => (c.Key, Resource: Applied(c.Resource, uid, c.Key), c.Ready)).ToArray();
        JsonObject xr = Composite(result, inputXr, composed.Select(c => c.Resource));
        if (options.IncludeFullXr)
        {
            var merged = Objects.Clone(inputXr);
            Merge(merged, xr);
            xr = merged;
        }

        var documents = new List<JsonNode> { xr };
        documents.AddRange(composed.Select(c => (JsonNode)c.Resource));
        if (options.IncludeFunctionResults)
        {
            documents.AddRange(Events(result, compositionName, composed.Where(c => !c.Ready).Select(c => c.Key)));
        }
        if (options.IncludeContext)
        {
            documents.Add(new JsonObject
            {
                ["apiVersion"] = RenderOutput.RenderApiVersion,
                ["kind"] = "Context",
                ["fields"] = result.Context?.DeepClone() ?? new JsonObject(),
            });
        }
        return documents;
    }

    /// <summary>The UID the render engine gives the XR: uuid.NewSHA1(uuid.Nil, "&lt;gvk&gt;\0&lt;namespace&gt;\0&lt;name&gt;").</summary>
    public static string CompositeUid(JsonObject xr)
    {
        var apiVersion = Objects.ApiVersion(xr);
        var gvk = $"{Objects.Group(apiVersion)}/{Objects.Version(apiVersion)}, Kind={Objects.Kind(xr)}";
        var data = Encoding.UTF8.GetBytes($"{gvk}\0{Objects.Namespace(xr)}\0{Objects.Name(xr)}");
        // The nil UUID namespace is 16 zero bytes, prepended to the name as RFC 4122 version 5 does.
#pragma warning disable CA5350 // SHA-1 is what RFC 4122 version 5 UUIDs are defined with; this is an identifier, not security.
        var hash = SHA1.HashData([.. new byte[16], .. data]);
#pragma warning restore CA5350
        var u = hash.AsSpan(0, 16).ToArray();
        u[6] = (byte)((u[6] & 0x0f) | 0x50);
        u[8] = (byte)((u[8] & 0x3f) | 0x80);
        var hex = Convert.ToHexStringLower(u);
        return $"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..]}";
    }

    /// <summary>Crossplane's names.ChildName: a composed resource's name from its generateName, the XR's UID and its resource name.</summary>
    public static string ChildName(string parentName, string parentUid, string childName)
    {
        var suffix = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(parentUid + childName)))[..ChildHashLength];
        if (parentName.Length > 0 && !parentName.EndsWith('-'))
        {
            parentName += "-";
        }
        if (parentName.Length + suffix.Length <= MaxNameLength)
        {
            return parentName + suffix;
        }
        var maxParent = MaxNameLength - ChildHashLength;
        return parentName[maxParent - 1] == '-'
            ? parentName[..maxParent] + suffix
            : parentName[..(maxParent - 1)] + "-" + suffix;
    }

    // A composed resource as the reconciler applies it: the owner's UID on the controller reference, and a name.
    private static JsonObject Applied(JsonObject resource, string uid, string key)
    {
        var applied = Objects.Clone(resource);
        var metadata = Objects.Child(applied, "metadata");
        foreach (var owner in (metadata["ownerReferences"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            owner["uid"] = uid;
        }
        if (Objects.Name(applied).Length == 0 && Objects.GenerateName(applied).Length > 0)
        {
            metadata["name"] = ChildName(Objects.GenerateName(applied), uid, key);
        }
        return applied;
    }

    private static JsonObject Composite(RenderResult result, JsonObject inputXr, IEnumerable<JsonObject> composed)
    {
        var metadata = new JsonObject { ["name"] = Objects.Name(inputXr) };
        if (Objects.Namespace(inputXr) is { Length: > 0 } ns)
        {
            metadata["namespace"] = ns;
        }
        var namespaced = metadata.ContainsKey("namespace");
        var refs = composed
            .Select(c =>
            {
                var reference = new JsonObject { ["apiVersion"] = Objects.ApiVersion(c), ["kind"] = Objects.Kind(c), ["name"] = Objects.Name(c) };
                if (!namespaced && Objects.Namespace(c) is { Length: > 0 } cns)
                {
                    reference["namespace"] = cns;
                }
                return reference;
            })
            .OrderBy(r => Objects.ApiVersion(r) + Objects.Kind(r) + Objects.String(r["name"]), StringComparer.Ordinal)
            .ToArray();

        var status = result.Composite["status"] is JsonObject s ? (JsonObject)s.DeepClone() : new JsonObject();
        var rendered = status["conditions"] as JsonArray ?? [];
        status.Remove("conditions");
        var conditions = new List<JsonObject>();
        // What the XR carried in, then Responsive: the reconciler's pending conditions when the pipeline returns.
        foreach (var existing in (((inputXr["status"] as JsonObject)?["conditions"]) as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            Set(conditions, (JsonObject)existing.DeepClone());
        }
        Set(conditions, PipelineRenderer.ConditionJson("Responsive", "True", "WatchCircuitClosed", null));
        var ready = rendered.OfType<JsonObject>().FirstOrDefault(c => Objects.String(c["type"]) == "Ready");
        foreach (var custom in rendered.OfType<JsonObject>().Where(c => Objects.String(c["type"]) != "Ready"))
        {
            Set(conditions, (JsonObject)custom.DeepClone());
        }
        Set(conditions, PipelineRenderer.ConditionJson("Synced", "True", "ReconcileSuccess", null));
        if (ready is not null)
        {
            Set(conditions, (JsonObject)ready.DeepClone());
        }
        foreach (var c in conditions)
        {
            c["lastTransitionTime"] = PipelineRenderer.ConditionTime;
        }
        status["conditions"] = new JsonArray([.. conditions]);

        return new JsonObject
        {
            ["apiVersion"] = Objects.ApiVersion(inputXr),
            ["kind"] = Objects.Kind(inputXr),
            ["metadata"] = metadata,
            ["spec"] = new JsonObject { ["crossplane"] = new JsonObject { [ResourceRefsPath] = new JsonArray([.. refs]) } },
            ["status"] = status,
        };
    }

    // crossplane-runtime's SetConditions: a condition of a type already present replaces it in place, a new type is appended.
    private static void Set(List<JsonObject> conditions, JsonObject condition)
    {
        var type = Objects.String(condition["type"]);
        var at = conditions.FindIndex(c => Objects.String(c["type"]) == type);
        if (at >= 0)
        {
            conditions[at] = condition;
        }
        else
        {
            conditions.Add(condition);
        }
    }

    private static IEnumerable<JsonNode> Events(RenderResult result, string compositionName, IEnumerable<string> unready)
    {
        yield return Event("Normal", ReasonSelectComposition, $"Successfully selected composition: {compositionName}");
        foreach (var r in result.Results)
        {
            var reason = string.IsNullOrEmpty(r.Reason) ? ReasonCompose : r.Reason;
            yield return r.Severity switch
            {
                Severity.Normal => Event("Normal", reason, $"Pipeline step \"{r.Step}\": {r.Message}"),
                Severity.Warning => Event("Warning", reason, $"Pipeline step \"{r.Step}\": {r.Message}"),
                _ => Event("Warning", reason, $"Pipeline step \"{r.Step}\" returned a result of unknown severity (assuming warning): {r.Message}"),
            };
        }
        foreach (var key in unready.Order(StringComparer.Ordinal))
        {
            yield return Event("Normal", ReasonCompose, $"Composed resource \"{key}\" is not yet ready");
        }
    }

    private static JsonObject Event(string type, string reason, string message) => new()
    {
        ["apiVersion"] = RenderOutput.RenderApiVersion,
        ["kind"] = "Result",
        ["severity"] = type,
        ["reason"] = reason,
        ["message"] = message,
    };

    // mergo.Merge(dst, src, WithOverride) over unstructured maps: maps merge key by key, anything else is replaced.
    private static void Merge(JsonObject into, JsonObject from)
    {
        foreach (var (key, value) in from)
        {
            if (value is JsonObject child && into[key] is JsonObject existing)
            {
                Merge(existing, child);
            }
            else
            {
                into[key] = value?.DeepClone();
            }
        }
    }
}
