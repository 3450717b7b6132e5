// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text;
using System.Text.Json.Nodes;
using Apiextensions.Fn.Proto.V1;
using Google.Protobuf;
using Google.Protobuf.Collections;
using Modelplane.Sdk;

namespace Modelplane.Render.Engine;

/// <summary>What one render needs: the XR, its Composition, and the world it observes.</summary>
public sealed record RenderInputs
{
    /// <summary>The composite resource as observed (metadata, spec, and status if it has one).</summary>
    public required JsonObject Composite { get; init; }

    public required JsonObject Composition { get; init; }

    /// <summary>Observed composed resources; each carries the composition-resource-name annotation.</summary>
    public IReadOnlyList<JsonObject> Observed { get; init; } = [];

    /// <summary>What requirements resolve against.</summary>
    public ObjectStore Required { get; init; } = ObjectStore.Empty;

    /// <summary>Secrets a step's <c>credentials</c> may name.</summary>
    public IReadOnlyList<JsonObject> Credentials { get; init; } = [];

    /// <summary>OpenAPI schemas that answer schema requirements (<c>-s/--required-schemas</c>).</summary>
    public SchemaStore Schemas { get; init; } = SchemaStore.Empty;

    /// <summary>Context keys the pipeline starts with (<c>--context-files</c>, <c>--context-values</c>).</summary>
    public JsonObject? Context { get; init; }
}

/// <summary>A composed resource as render prints it: Crossplane's metadata added, readiness from the pipeline.</summary>
public sealed record ComposedResource(string Key, JsonObject Resource, bool Ready);

/// <summary>A non-fatal result, with the step that returned it.</summary>
public sealed record StepResult(string Step, Severity Severity, string Message, string? Reason);

/// <summary>What a render produced; <see cref="Error"/> is set when the pipeline stopped.</summary>
public sealed record RenderResult
{
    /// <summary>The XR as render prints it: apiVersion, kind, name, namespace and the new status.</summary>
    public required JsonObject Composite { get; init; }

    /// <summary>Desired composed resources in composition-resource-name order.</summary>
    public IReadOnlyList<ComposedResource> Composed { get; init; } = [];

    public IReadOnlyList<StepResult> Results { get; init; } = [];

    /// <summary>The context after the last step.</summary>
    public JsonObject? Context { get; init; }

    /// <summary>Why the pipeline stopped (a fatal result, a failed call, requirements that never settled), or null.</summary>
    public string? Error { get; init; }
}

/// <summary>Runs a Composition's function pipeline on one XR, as Crossplane's reconciler and <c>crossplane render</c> do.</summary>
/// <remarks>
/// Each step gets the observed state (captured once), the desired state and context the previous step
/// returned, its input, its credentials and its bootstrap requirements. A step that returns
/// requirements is called again with them resolved, until two calls in a row return the same
/// requirements (at most <see cref="MaxRequirementsIterations"/> re-calls), exactly as Crossplane's
/// FetchingFunctionRunner does, including its shortcut: when the first call's requirements resolve to
/// what the request already carried, that first answer is final. A Fatal result stops the pipeline.
/// The output follows <c>crossplane render</c>: composed resources get the metadata Crossplane adds
/// (generateName, namespace, the composite label, the composition-resource-name annotation, a
/// controller reference), and the XR gets a Ready condition derived from the desired readiness, plus
/// the custom conditions the steps returned, with Crossplane's fixed render timestamp.
/// </remarks>
public sealed class PipelineRenderer(FunctionRuntimes runtimes)
{
    /// <summary>Crossplane's bound on re-calls while a step's requirements change.</summary>
    public const int MaxRequirementsIterations = 5;

    /// <summary>The lastTransitionTime <c>crossplane render</c> writes, so output is stable.</summary>
    public const string ConditionTime = "2024-01-01T00:00:00Z";

    // Crossplane owns these condition types; a function cannot set them.
    private static readonly HashSet<string> SystemConditionTypes = new(StringComparer.Ordinal) { "Ready", "Synced", "Healthy", "UpToDate", "Responsive" };

    // Unready resources named in the Ready condition's message before "and N more" (Crossplane's DefaultFirstN).
    private const int UnreadyNamesShown = 3;

    private static readonly Capability[] Capabilities =
    [
        Capability.Capabilities, Capability.RequiredResources, Capability.Credentials, Capability.Conditions, Capability.RequiredSchemas,
    ];

    public async Task<RenderResult> RenderAsync(RenderInputs inputs, CancellationToken cancellationToken)
    {
        var pipeline = CompositionPipeline(inputs.Composition);
        var observed = ObservedState(inputs);
        var desired = new State();
        var context = new Google.Protobuf.WellKnownTypes.Struct();
        if (inputs.Context is not null)
        {
            context = StructJson.ToStruct(inputs.Context);
        }
        var conditions = new List<Apiextensions.Fn.Proto.V1.Condition>();
        var results = new List<StepResult>();
        string? error = null;

        foreach (var step in pipeline)
        {
            var name = Objects.String(step["step"]);
            var function = Objects.String((step["functionRef"] as JsonObject)?["name"]);
            var request = new RunFunctionRequest
            {
                Meta = new RequestMeta(),
                Observed = observed,
                Desired = desired,
                Context = context,
            };
            request.Meta.Capabilities.Add(Capabilities);
            if (step["input"] is JsonObject input)
            {
                request.Input = StructJson.ToStruct(input);
            }
            AddCredentials(request, name, step, inputs.Credentials);
            AddBootstrapRequirements(request, step, inputs.Required);

            RunFunctionResponse response;
            try
            {
                response = await RunWithRequirementsAsync(runtimes.For(name, function), request, inputs.Required, cancellationToken, inputs.Schemas).ConfigureAwait(false);
            }
            catch (RenderException e)
            {
                error = e.Message.StartsWith("cannot run pipeline step", StringComparison.Ordinal)
                    ? e.Message
                    : $"cannot run pipeline step \"{name}\": {e.Message}";
                break;
            }

            desired = response.Desired ?? new State();
            context = response.Context;
            conditions.AddRange(response.Conditions);
            var fatal = response.Results.FirstOrDefault(r => r.Severity == Severity.Fatal);
            if (fatal is not null)
            {
                error = $"pipeline step \"{name}\" returned a fatal result: {fatal.Message}";
                break;
            }
            results.AddRange(response.Results.Select(r => new StepResult(name, r.Severity, r.Message, r.HasReason ? r.Reason : null)));
        }

        if (error is not null)
        {
            // Crossplane applies nothing when a pipeline stops; the XR shows only that it failed.
            return new RenderResult { Composite = Identity(inputs.Composite, new JsonObject()), Results = results, Error = error };
        }
        var composed = Composed(desired, inputs);
        return new RenderResult
        {
            Composite = Composite(desired, composed, conditions, inputs.Composite),
            Composed = composed,
            Results = results,
            Context = context is null ? null : StructJson.ToJsonObject(context),
        };
    }

    /// <summary>Calls a step until its requirements settle; Crossplane's FetchingFunctionRunner, in C#.</summary>
    public static async Task<RunFunctionResponse> RunWithRequirementsAsync(
        IFunctionRuntime runtime, RunFunctionRequest request, ObjectStore required, CancellationToken cancellationToken, SchemaStore? schemaStore = null)
    {
        Requirements? previous = null;
        var bootstrap = request.RequiredResources.Clone();
        for (var i = 0; i <= MaxRequirementsIterations; i++)
        {
            var response = await runtime.RunAsync(request.Clone(), cancellationToken).ConfigureAwait(false);
            if (response.Results.Any(r => r.Severity == Severity.Fatal))
            {
                return response;
            }
            var requirements = response.Requirements;
            if (Equals(requirements, previous))
            {
                return response;
            }

            var resources = bootstrap.Clone();
            var extra = new MapField<string, Resources>();
            var schemas = new MapField<string, Schema>();
#pragma warning disable CS0612 // extra_resources is deprecated; Crossplane still answers it, so render does too.
            foreach (var (name, selector) in requirements?.ExtraResources ?? [])
            {
                extra[name] = required.Fetch(selector);
            }
#pragma warning restore CS0612
            foreach (var (name, selector) in requirements?.Resources ?? [])
            {
                resources[name] = required.Fetch(selector);
            }
            foreach (var (name, selector) in requirements?.Schemas ?? [])
            {
                // A kind no loaded document describes gets an empty schema, as Crossplane answers an unknown kind.
                schemas[name] = (schemaStore ?? SchemaStore.Empty).Fetch(selector);
            }
#pragma warning disable CS0612
            if (i == 0 && request.RequiredResources.Equals(resources) && request.ExtraResources.Equals(extra) && request.RequiredSchemas.Equals(schemas))
            {
                return response;
            }
            previous = requirements;
            request.RequiredResources.Clear();
            request.RequiredResources.Add(resources);
            request.ExtraResources.Clear();
            request.ExtraResources.Add(extra);
#pragma warning restore CS0612
            request.RequiredSchemas.Clear();
            request.RequiredSchemas.Add(schemas);
            request.Context = response.Context;
        }
        throw new RenderException($"requirements didn't stabilize after the maximum number of iterations ({MaxRequirementsIterations})");
    }

    /// <summary>Crossplane's composed-resource metadata (SetComposedResourceMetadata), on a copy.</summary>
    public static JsonObject WithComposedMetadata(JsonObject resource, JsonObject composite, string key, JsonObject? observed)
    {
        var result = Objects.Clone(resource);
        var metadata = Objects.Child(result, "metadata");
        if (observed is not null)
        {
            // Desired state for an existing composed resource keeps its identity.
            SetOrRemove(metadata, "namespace", Objects.Namespace(observed));
            SetOrRemove(metadata, "name", Objects.Name(observed));
            SetOrRemove(metadata, "generateName", Objects.GenerateName(observed));
        }
        var compositeLabels = Objects.Labels(composite);
        var prefix = compositeLabels.TryGetValue(Objects.CompositeLabel, out var root) && root.Length > 0 ? root : Objects.Name(composite);
        if (Objects.Name(result).Length == 0 && Objects.GenerateName(result).Length == 0)
        {
            metadata["generateName"] = prefix + "-";
        }
        var ns = Objects.Namespace(composite);
        if (ns.Length > 0)
        {
            metadata["namespace"] = ns;
        }
        Objects.SetAnnotation(result, Objects.CompositionResourceNameAnnotation, key);
        Objects.SetLabel(result, Objects.CompositeLabel, prefix);
        if (compositeLabels.TryGetValue(Objects.ClaimNameLabel, out var claim) && claim.Length > 0
            && compositeLabels.TryGetValue(Objects.ClaimNamespaceLabel, out var claimNs) && claimNs.Length > 0)
        {
            Objects.SetLabel(result, Objects.ClaimNamespaceLabel, claimNs);
            Objects.SetLabel(result, Objects.ClaimNameLabel, claim);
        }
        var uid = Objects.String((composite["metadata"] as JsonObject)?["uid"]);
        metadata["ownerReferences"] = new JsonArray(new JsonObject
        {
            ["apiVersion"] = Objects.ApiVersion(composite),
            ["kind"] = Objects.Kind(composite),
            ["name"] = Objects.Name(composite),
            ["uid"] = uid,
            ["controller"] = true,
            ["blockOwnerDeletion"] = true,
        });
        return result;
    }

    /// <summary>A render condition: Crossplane's field set, with the fixed render timestamp.</summary>
    public static JsonObject ConditionJson(string type, string status, string reason, string? message)
    {
        var condition = new JsonObject
        {
            ["type"] = type,
            ["status"] = status,
            ["lastTransitionTime"] = ConditionTime,
            ["reason"] = reason,
        };
        if (!string.IsNullOrEmpty(message))
        {
            condition["message"] = message;
        }
        return condition;
    }

    public static string SeverityName(Severity severity) => severity switch
    {
        Severity.Fatal => "SEVERITY_FATAL",
        Severity.Warning => "SEVERITY_WARNING",
        Severity.Normal => "SEVERITY_NORMAL",
        _ => "SEVERITY_UNSPECIFIED",
    };

    private static JsonObject[] CompositionPipeline(JsonObject composition)
    {
        var spec = composition["spec"] as JsonObject;
        var mode = Objects.String(spec?["mode"]);
        if (mode.Length > 0 && mode != "Pipeline")
        {
            throw new RenderException($"render only supports Composition Function pipelines: Composition \"{Objects.Name(composition)}\" must use spec.mode: Pipeline");
        }
        return (spec?["pipeline"] as JsonArray)?.OfType<JsonObject>().ToArray()
            ?? throw new RenderException($"Composition \"{Objects.Name(composition)}\" has no spec.pipeline");
    }

    private static State ObservedState(RenderInputs inputs)
    {
        var observed = new State { Composite = new Resource { Resource_ = StructJson.ToStruct(inputs.Composite) } };
        foreach (var resource in inputs.Observed)
        {
            var key = Objects.Annotations(resource).GetValueOrDefault(Objects.CompositionResourceNameAnnotation, "");
            if (key.Length == 0)
            {
                throw new RenderException($"observed resource {ObjectKey.Of(resource)} has no {Objects.CompositionResourceNameAnnotation} annotation; add the composition resource name it was composed under");
            }
            observed.Resources[key] = new Resource { Resource_ = StructJson.ToStruct(resource) };
        }
        return observed;
    }

    private static void AddCredentials(RunFunctionRequest request, string step, JsonObject pipelineStep, IReadOnlyList<JsonObject> secrets)
    {
        foreach (var credential in (pipelineStep["credentials"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            var secretRef = credential["secretRef"] as JsonObject;
            if (Objects.String(credential["source"]) != "Secret" || secretRef is null)
            {
                continue;
            }
            var name = Objects.String(secretRef["name"]);
            var ns = Objects.String(secretRef["namespace"]);
            var secret = secrets.FirstOrDefault(s => Objects.Name(s) == name && Objects.Namespace(s) == ns)
                ?? throw new RenderException($"cannot run pipeline step \"{step}\": cannot get credentials from secret \"{name}\": secret \"{name}\" not found in namespace \"{ns}\"; pass it with --function-credentials");
            var data = new CredentialData();
            foreach (var (key, value) in (secret["data"] as JsonObject) ?? [])
            {
                try
                {
                    data.Data[key] = ByteString.FromBase64(Objects.String(value));
                }
                catch (FormatException)
                {
                    throw new RenderException($"cannot run pipeline step \"{step}\": secret \"{name}\" data.{key} is not base64");
                }
            }
            foreach (var (key, value) in (secret["stringData"] as JsonObject) ?? [])
            {
                data.Data[key] = ByteString.CopyFrom(Encoding.UTF8.GetBytes(Objects.String(value)));
            }
            request.Credentials[Objects.String(credential["name"])] = new Credentials { CredentialData = data };
        }
    }

    private static void AddBootstrapRequirements(RunFunctionRequest request, JsonObject step, ObjectStore required)
    {
        foreach (var selector in ((step["requirements"] as JsonObject)?["requiredResources"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            var proto = new ResourceSelector { ApiVersion = Objects.String(selector["apiVersion"]), Kind = Objects.String(selector["kind"]) };
            if (Objects.String(selector["name"]) is { Length: > 0 } name)
            {
                proto.MatchName = name;
            }
            else if (selector["matchLabels"] is JsonObject labels)
            {
                proto.MatchLabels = new MatchLabels();
                foreach (var (key, value) in labels)
                {
                    proto.MatchLabels.Labels[key] = Objects.String(value);
                }
            }
            if (Objects.String(selector["namespace"]) is { Length: > 0 } ns)
            {
                proto.Namespace = ns;
            }
            request.RequiredResources[Objects.String(selector["requirementName"])] = required.Fetch(proto);
        }
    }

    private static List<ComposedResource> Composed(State desired, RenderInputs inputs)
    {
        var observedByKey = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var resource in inputs.Observed)
        {
            observedByKey[Objects.Annotations(resource)[Objects.CompositionResourceNameAnnotation]] = resource;
        }
        return desired.Resources
            .OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => new ComposedResource(
                kv.Key,
                WithComposedMetadata(kv.Value.Resource_ is { } s ? StructJson.ToJsonObject(s) : [], inputs.Composite, kv.Key, observedByKey.GetValueOrDefault(kv.Key)),
                kv.Value.Ready == Ready.True))
            .ToList();
    }

    private static JsonObject Composite(State desired, IReadOnlyList<ComposedResource> composed, IReadOnlyList<Apiextensions.Fn.Proto.V1.Condition> conditions, JsonObject input)
    {
        var xr = Identity(input, desired.Composite?.Resource_ is { } s ? StructJson.ToJsonObject(s) : []);
        var compositeReady = desired.Composite?.Ready ?? Ready.Unspecified;
        var unready = composed.Where(c => !c.Ready).Select(c => c.Key).Order(StringComparer.Ordinal).ToArray();
        var ready = compositeReady switch
        {
            Ready.True => ConditionJson("Ready", "True", "Available", null),
            Ready.False => ConditionJson("Ready", "False", "Creating", null),
            _ when unready.Length > 0 => ConditionJson("Ready", "False", "Creating", $"Unready resources: {FirstNAndSomeMore(unready)}"),
            _ => ConditionJson("Ready", "True", "Available", null),
        };
        Objects.SetCondition(xr, ready);
        foreach (var condition in conditions)
        {
            if (SystemConditionTypes.Contains(condition.Type))
            {
                continue;
            }
            Objects.SetCondition(xr, ConditionJson(
                condition.Type,
                condition.Status switch
                {
                    Status.ConditionTrue => "True",
                    Status.ConditionFalse => "False",
                    _ => "Unknown",
                },
                condition.Reason,
                condition.HasMessage ? condition.Message : null));
        }
        return xr;
    }

    // The pipeline returns only the XR's status; render puts back what identifies it.
    private static JsonObject Identity(JsonObject input, JsonObject desired)
    {
        desired["apiVersion"] = Objects.ApiVersion(input);
        desired["kind"] = Objects.Kind(input);
        var metadata = Objects.Child(desired, "metadata");
        metadata["name"] = Objects.Name(input);
        SetOrRemove(metadata, "namespace", Objects.Namespace(input));
        return desired;
    }

    // Crossplane's FirstNAndSomeMore over sorted names: "a, b, and c", or "a, b, c, and 2 more".
    private static string FirstNAndSomeMore(string[] names) => names.Length switch
    {
        > UnreadyNamesShown => $"{string.Join(", ", names.Take(UnreadyNamesShown))}, and {names.Length - UnreadyNamesShown} more",
        UnreadyNamesShown => $"{string.Join(", ", names.Take(UnreadyNamesShown - 1))}, and {names[^1]}",
        _ => string.Join(", ", names),
    };

    private static void SetOrRemove(JsonObject obj, string key, string value)
    {
        if (value.Length == 0)
        {
            obj.Remove(key);
        }
        else
        {
            obj[key] = value;
        }
    }
}
