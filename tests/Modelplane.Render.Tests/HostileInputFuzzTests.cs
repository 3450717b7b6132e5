// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Modelplane.Composers;
using Modelplane.Render.Engine;
using Modelplane.Render.Tests.Support;
using Modelplane.Sdk;

namespace Modelplane.Render.Tests;

/// <summary>Every composer's input, mutated field by field from its XRD's schema, through the real runner.</summary>
/// <remarks>
/// For each XRD under package/apis, a base XR (the first example of its kind, or a bare one) and the
/// example's required and observed resources go through the Composition's pipeline in process, once
/// per mutation: each field the schema declares (in the XR, and in every required or observed object
/// of one of our kinds) is set to null, to a value of the wrong type, and, for lists and maps, given a
/// null item; integers are also made negative. No mutation may reach gRPC INTERNAL (the in-process
/// runtime reports a composer exception exactly as the server would). For the XR itself, which is
/// read whole into its record, a wrong type, a null item or a count below the XRD's minimum must also
/// be a Fatal result naming the field.
/// </remarks>
public sealed class HostileInputFuzzTests
{
    private const int MaxSchemaDepth = 12;

    public static TheoryData<string> Kinds()
    {
        var data = new TheoryData<string>();
        foreach (var xrd in Xrds())
        {
            data.Add(Objects.String(xrd["spec"]!["names"]!["plural"]));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Mutations_NeverReachInternal_AndBadXrFieldsAreNamed(string plural)
    {
        var xrds = Xrds();
        var xrd = xrds.Single(x => Objects.String(x["spec"]!["names"]!["plural"]) == plural);
        var (xr, required, observed) = BaseInputs(xrd);
        var composition = Manifests.LoadOne(Repo.Path("package", "apis", plural, "composition.yaml"), "composition").Object;
        var schemas = xrds.ToDictionary(x => $"{Objects.String(x["spec"]!["names"]!["kind"])}.{Objects.String(x["spec"]!["group"])}", SchemaOf, StringComparer.Ordinal);

        var failures = new List<string>();
        var runs = 0;
        // The XR: spec and status, with the strict expectation.
        foreach (var mutation in Mutations(SchemaOf(xrd), []))
        {
            var mutated = Apply(xr, mutation);
            var result = await Render(mutated, composition, required, observed);
            runs++;
            Check(failures, $"xr {mutation}", result, mutation.ExpectFatal ? mutation.Path : null);
        }
        // Required and observed objects of our own kinds: never INTERNAL.
        for (var i = 0; i < required.Count; i++)
        {
            if (!schemas.TryGetValue(KindKey(required[i]), out var schema))
            {
                continue;
            }
            foreach (var mutation in Mutations(schema, []))
            {
                var mutatedRequired = required.Select((o, j) => j == i ? Apply(o, mutation) : o).ToArray();
                var result = await Render(xr, composition, mutatedRequired, observed);
                runs++;
                Check(failures, $"required {Objects.Kind(required[i])} {Objects.Name(required[i])} {mutation}", result, null);
            }
        }
        for (var i = 0; i < observed.Count; i++)
        {
            if (!schemas.TryGetValue(KindKey(observed[i]), out var schema))
            {
                continue;
            }
            foreach (var mutation in Mutations(schema, []))
            {
                var mutatedObserved = observed.Select((o, j) => j == i ? Apply(o, mutation) : o).ToArray();
                var result = await Render(xr, composition, required, mutatedObserved);
                runs++;
                Check(failures, $"observed {Objects.Kind(observed[i])} {Objects.Name(observed[i])} {mutation}", result, null);
            }
        }

        Assert.True(runs > 10, $"{plural}: only {runs} mutations; the schema walk found too little");
        Assert.True(failures.Count == 0, $"{plural}: {failures.Count} of {runs} mutations failed:\n{string.Join("\n", failures.Take(40))}");
    }

    [Fact]
    public async Task NullMemberAndNegativeReplicas_AreFatalResultsNamingTheField()
    {
        var xrd = Xrds().Single(x => Objects.String(x["spec"]!["names"]!["plural"]) == "modeldeployments");
        var (xr, required, observed) = BaseInputs(xrd);
        var composition = Manifests.LoadOne(Repo.Path("package", "apis", "modeldeployments", "composition.yaml"), "composition").Object;

        var nullMember = (JsonObject)xr.DeepClone();
        ((JsonArray)nullMember["spec"]!["template"]!["spec"]!["engines"]![0]!["members"]!).Add(null);
        var result = await Render(nullMember, composition, required, observed);
        Assert.Contains("field spec.template.spec.engines[0].members[1]: expected an item, got null", result.Error, StringComparison.Ordinal);

        var negative = (JsonObject)xr.DeepClone();
        negative["spec"]!["replicas"] = -1;
        result = await Render(negative, composition, required, observed);
        Assert.Equal(
            "pipeline step \"compose-model-deployment\" returned a fatal result: invalid ModelDeployment \"mistral-small\": field spec.replicas: must be between 1 and 10, got -1; correct the field and apply again",
            result.Error);

        // Once clamped to zero in silence; now named like every other bad field.
        var noCopies = (JsonObject)xr.DeepClone();
        noCopies["spec"]!["template"]!["spec"]!["engines"]![0]!["copies"] = 0;
        result = await Render(noCopies, composition, required, observed);
        Assert.Contains("field spec.template.spec.engines[0].copies: must be between 1 and 64, got 0", result.Error, StringComparison.Ordinal);
    }

    private static void Check(List<string> failures, string what, RenderResult result, string? expectFatalNaming)
    {
        var error = result.Error ?? "";
        if (error.Contains("code = Internal", StringComparison.Ordinal))
        {
            failures.Add($"{what}: INTERNAL: {error}");
        }
        else if (expectFatalNaming is not null && !(error.Contains("fatal result", StringComparison.Ordinal) && error.Contains(expectFatalNaming, StringComparison.Ordinal)))
        {
            failures.Add($"{what}: expected a Fatal result naming {expectFatalNaming}, got: {(error.Length == 0 ? "(no error)" : error)}");
        }
    }

    private static async Task<RenderResult> Render(JsonObject xr, JsonObject composition, IReadOnlyList<JsonObject> required, IReadOnlyList<JsonObject> observed)
    {
        using var runtimes = new FunctionRuntimes(new InProcessRuntime(new FunctionRunner(AllComposers.Registry)));
        var inputs = new RenderInputs
        {
            Composite = xr,
            Composition = composition,
            Required = new ObjectStore(required),
            Observed = observed,
        };
        return await new PipelineRenderer(runtimes).RenderAsync(inputs, CancellationToken.None);
    }

    private static JsonObject[] Xrds() =>
        [.. Manifests.Load(Repo.Path("package", "apis"))
            .Where(m => m.Kind == "CompositeResourceDefinition")
            .Select(m => m.Object)
            .OrderBy(x => Objects.String(x["spec"]!["names"]!["plural"]), StringComparer.Ordinal)];

    private static JsonObject SchemaOf(JsonObject xrd) =>
        (JsonObject)((JsonArray)xrd["spec"]!["versions"]!)[0]!["schema"]!["openAPIV3Schema"]!;

    private static string KindKey(JsonObject o) => $"{Objects.Kind(o)}.{Objects.Group(Objects.ApiVersion(o))}";

    // The first example XR of the kind with its required and observed resources; failing that, one from
    // the fleet example; failing that, a bare XR whose fields the mutations create.
    private static (JsonObject Xr, IReadOnlyList<JsonObject> Required, IReadOnlyList<JsonObject> Observed) BaseInputs(JsonObject xrd)
    {
        var kind = Objects.String(xrd["spec"]!["names"]!["kind"]);
        var group = Objects.String(xrd["spec"]!["group"]);
        var plural = Objects.String(xrd["spec"]!["names"]!["plural"]);
        var folder = Repo.Path("examples", plural);
        // A plural's first scenario with an xr.yaml; a plural whose examples are fleets only is read from those.
        var scenarios = Directory.Exists(folder) ? Directory.EnumerateDirectories(folder).Order(StringComparer.Ordinal).ToArray() : [];
        if (scenarios.FirstOrDefault(d => File.Exists(Path.Combine(d, "xr.yaml"))) is { } scenario)
        {
            var xr = Manifests.LoadOne(Path.Combine(scenario, "xr.yaml"), "xr").Object;
            return (xr, LoadIf(Path.Combine(scenario, "required.yaml")), LoadIf(Path.Combine(scenario, "observed.yaml")));
        }
        var fleet = scenarios.Prepend(Repo.Path("examples", "fleet")).SelectMany(Manifests.Load).FirstOrDefault(m => m.Kind == kind);
        if (fleet is not null)
        {
            return (fleet.Object, [], []);
        }
        var version = Objects.String(((JsonArray)xrd["spec"]!["versions"]!)[0]!["name"]);
        return (new JsonObject
        {
            ["apiVersion"] = $"{group}/{version}",
            ["kind"] = kind,
            ["metadata"] = new JsonObject { ["name"] = "fuzz", ["namespace"] = "default" },
            ["spec"] = new JsonObject(),
        }, [], []);
    }

    private static IReadOnlyList<JsonObject> LoadIf(string path) =>
        File.Exists(path) ? [.. Manifests.Load(path).Select(m => m.Object)] : [];

    private enum Change
    {
        Null,
        WrongType,
        NullItem,
        NullValue,
        Negative,
    }

    /// <summary>One mutation: where (property names, 0 for "the first item", "*" for "a map key"), what, and whether the XR read must refuse it.</summary>
    private sealed record Mutation(IReadOnlyList<object> Segments, Change Change, JsonNode? Value, bool ExpectFatal)
    {
        public string Path => Render(Segments, Change);

        public override string ToString() => $"{Change} at {Path}";

        private static string Render(IReadOnlyList<object> segments, Change change)
        {
            var text = new System.Text.StringBuilder();
            foreach (var segment in segments)
            {
                _ = segment switch
                {
                    int i => text.Append('[').Append(i).Append(']'),
                    string s when s == "*" => text.Append(".fuzz"),
                    string s => text.Append(text.Length == 0 ? "" : ".").Append(s),
                    _ => text,
                };
            }
            return change switch
            {
                Change.NullItem => $"{text}[0]",
                Change.NullValue => $"{text}.fuzz",
                _ => text.ToString(),
            };
        }
    }

    private static IEnumerable<Mutation> Mutations(JsonObject schema, List<object> at)
    {
        if (at.Count > MaxSchemaDepth)
        {
            yield break;
        }
        var type = schema["type"] is JsonValue t ? t.GetValue<string>() : null;
        var freeForm = schema["x-kubernetes-preserve-unknown-fields"] is JsonValue p && p.GetValue<bool>()
            || schema["x-kubernetes-int-or-string"] is JsonValue ios && ios.GetValue<bool>();
        // Every composer reads its XR's spec whole into a record, so there a bad field must be named;
        // status is read only where a composer needs it, so there it must only never crash.
        var strict = at.Count > 0 && !freeForm && at[0] is "spec";
        if (at.Count > 0)
        {
            yield return new Mutation([.. at], Change.Null, null, false);
            if (!freeForm && type is not null)
            {
                JsonNode wrong = type is "string" ? JsonValue.Create(7) : JsonValue.Create("fuzz");
                yield return new Mutation([.. at], Change.WrongType, wrong, strict);
            }
            if (type is "integer")
            {
                // The XRD's minimum is on the record too (ApiDriftTests), so the read refuses what
                // the API server would have refused: a count below it is named, never clamped.
                var bounded = schema["minimum"] is JsonValue minimum && minimum.GetValue<long>() >= 0;
                yield return new Mutation([.. at], Change.Negative, JsonValue.Create(-1), strict && bounded);
            }
        }
        switch (type)
        {
            case "object" when schema["properties"] is JsonObject properties:
                foreach (var (name, child) in properties.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                {
                    if (at.Count == 0 && name is not ("spec" or "status"))
                    {
                        continue;
                    }
                    foreach (var m in Mutations((JsonObject)child!, [.. at, name]))
                    {
                        yield return m;
                    }
                }
                break;
            case "object" when schema["additionalProperties"] is JsonObject values && at.Count > 0:
                yield return new Mutation([.. at], Change.NullValue, null, strict && values["x-kubernetes-preserve-unknown-fields"] is null);
                foreach (var m in Mutations(values, [.. at, "*"]))
                {
                    yield return m;
                }
                break;
            case "array" when schema["items"] is JsonObject items:
                yield return new Mutation([.. at], Change.NullItem, null, strict && items["x-kubernetes-preserve-unknown-fields"] is null);
                foreach (var m in Mutations(items, [.. at, 0]))
                {
                    yield return m;
                }
                break;
        }
    }

    // A copy of the object with the mutation applied, creating the parents the path needs.
    private static JsonObject Apply(JsonObject original, Mutation mutation)
    {
        var root = (JsonObject)original.DeepClone();
        JsonNode parent = root;
        var segments = mutation.Segments;
        for (var i = 0; i < segments.Count - 1; i++)
        {
            parent = Child(parent, segments[i], segments[i + 1]);
        }
        var last = segments[^1];
        switch (mutation.Change)
        {
            case Change.NullItem:
                var list = Child(parent, last, 0).AsArray();
                list.Insert(0, null);
                break;
            case Change.NullValue:
                Child(parent, last, "*").AsObject()["fuzz"] = null;
                break;
            default:
                Set(parent, last, mutation.Value?.DeepClone());
                break;
        }
        return root;
    }

    private static JsonNode Child(JsonNode parent, object segment, object next)
    {
        JsonNode Fresh() => next is int ? new JsonArray() : new JsonObject();
        switch (segment)
        {
            case int:
                var array = parent.AsArray();
                if (array.Count == 0 || array[0] is null || (next is int) != (array[0] is JsonArray))
                {
                    if (array.Count == 0)
                    {
                        array.Add(Fresh());
                    }
                    else
                    {
                        array[0] = Fresh();
                    }
                }
                return array[0]!;
            default:
                var obj = parent.AsObject();
                var name = (string)segment == "*" ? "fuzz" : (string)segment;
                if (obj[name] is not { } existing || (next is int) != (existing is JsonArray) || existing is JsonValue)
                {
                    obj[name] = Fresh();
                }
                return obj[name]!;
        }
    }

    private static void Set(JsonNode parent, object segment, JsonNode? value)
    {
        if (segment is int)
        {
            var array = parent.AsArray();
            if (array.Count == 0)
            {
                array.Add(value);
            }
            else
            {
                array[0] = value;
            }
            return;
        }
        var obj = parent.AsObject();
        var name = (string)segment == "*" ? "fuzz" : (string)segment;
        obj[name] = value;
    }
}
