// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json;
using Apiextensions.Fn.Proto.V1;
using Google.Protobuf.WellKnownTypes;

namespace Modelplane.Sdk;

/// <summary>What one call did, for the adapter's log line and metrics.</summary>
/// <param name="Composer">The composer that ran, or null if none could be chosen.</param>
/// <param name="Severities">Result severities in emitted order.</param>
public sealed record RunSummary(string? Composer, IReadOnlyList<Severity> Severities)
{
    /// <summary>The worst severity: fatal, warning, normal, or "ok" when there were no results.</summary>
    public string Outcome =>
        Severities.Contains(Severity.Fatal) ? "fatal"
        : Severities.Contains(Severity.Warning) || Severities.Contains(Severity.Unspecified) ? "warning"
        : Severities.Contains(Severity.Normal) ? "normal"
        : "ok";
}

/// <summary>Runs a composer for a RunFunctionRequest and builds the response: the protocol rules, once.</summary>
/// <remarks>
/// The server and the render CLI are both thin adapters around <see cref="Run"/>, so the rules every
/// Crossplane SDK follows live here and nowhere else: echo the tag, default the TTL to 60 s, pass the
/// context and every desired resource the composer does not own through unchanged, merge status
/// into the desired composite, keep conditions and results in emitted order. Input the composer
/// cannot use (<see cref="InvalidInputException"/>, or a typed read that does not fit) becomes a
/// Fatal result and a False <c>Composed</c> condition naming the field; any other exception is a bug
/// and propagates, for the adapter to report.
/// </remarks>
public sealed class FunctionRunner(ComposerRegistry registry)
{
    /// <summary>The TTL every Crossplane SDK defaults to.</summary>
    public static readonly TimeSpan DefaultTtl = TimeSpan.FromSeconds(60);

    /// <summary>The condition the runner sets when no composer could use the request.</summary>
    public const string ComposedCondition = "Composed";
    public const string ReasonInvalidInput = "InvalidInput";
    public const string ReasonUnknownComposer = "UnknownComposer";

    public ComposerRegistry Registry => registry;

    /// <param name="proto">The request as it arrived.</param>
    /// <param name="cancellationToken">The call's deadline and client cancellation: once it fires nobody
    /// waits for the answer, so the runner stops (<see cref="OperationCanceledException"/>) instead of composing.</param>
    public (RunFunctionResponse Response, RunSummary Summary) Run(RunFunctionRequest proto, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var request = new FunctionRequest(proto);
        var (composer, problem) = registry.Resolve(request);
        Composition composition;
        if (composer is null)
        {
            composition = Composition.Fatal(ComposedCondition, ReasonUnknownComposer, $"cannot compose: {problem}");
        }
        else
        {
            try
            {
                composition = composer.Compose(request);
            }
            catch (InvalidInputException e)
            {
                composition = InvalidInput(request, e.Field, e.Problem);
            }
            catch (JsonException e)
            {
                composition = InvalidInput(request, e.Path ?? "(unknown)", e.Message);
            }
        }
        cancellationToken.ThrowIfCancellationRequested();
        var response = Respond(proto, composition);
        return (response, new RunSummary(composer?.Name, composition.Results.Select(r => r.Severity).ToArray()));
    }

    /// <summary>The response for a composition: <c>response.To(req, ttl)</c> plus the composition's overlay.</summary>
    public static RunFunctionResponse Respond(RunFunctionRequest request, Composition composition)
    {
        var response = new RunFunctionResponse
        {
            Meta = new ResponseMeta
            {
                Tag = request.Meta?.Tag ?? "",
                Ttl = Duration.FromTimeSpan(composition.Ttl ?? DefaultTtl),
            },
            // Passing through what earlier steps desired is the protocol's first rule: Crossplane
            // deletes whatever the final desired state leaves out.
            Desired = request.Desired?.Clone() ?? new State(),
        };
        if (request.Context is not null || composition.Context is not null)
        {
            response.Context = request.Context?.Clone() ?? new Struct();
        }
        if (composition.Context is not null)
        {
            foreach (var (key, value) in composition.Context.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                response.Context!.Fields[key] = StructJson.ToValue(value);
            }
        }

        foreach (var key in composition.Removed)
        {
            response.Desired.Resources.Remove(key);
        }
        foreach (var (key, desired) in composition.Resources.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            response.Desired.Resources[key] = new Resource
            {
                Resource_ = StructJson.ToStruct(desired.Resource),
                Ready = ToProto(desired.Ready),
            };
        }

        if (composition.Status is not null || composition.CompositeReady != Readiness.Unspecified)
        {
            var composite = response.Desired.Composite ??= new Resource();
            composite.Resource_ ??= new Struct();
            if (composition.Status is not null)
            {
                MergeInto(composite.Resource_, "status", StructJson.ToStruct(composition.Status));
            }
            if (composition.CompositeReady != Readiness.Unspecified)
            {
                composite.Ready = ToProto(composition.CompositeReady);
            }
        }

        foreach (var condition in composition.Conditions)
        {
            response.Conditions.Add(condition.ToProto());
        }
        foreach (var result in composition.Results)
        {
            response.Results.Add(result.ToProto());
        }
        if (composition.Requirements.Count > 0 || composition.SchemaRequirements.Count > 0)
        {
            var requirements = new Requirements();
            foreach (var (name, requirement) in composition.Requirements.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                requirements.Resources.Add(name, requirement.ToProto());
            }
            foreach (var (name, (apiVersion, kind)) in composition.SchemaRequirements.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                requirements.Schemas.Add(name, new SchemaSelector { ApiVersion = apiVersion, Kind = kind });
            }
            response.Requirements = requirements;
        }
        return response;
    }

    private static Composition InvalidInput(FunctionRequest request, string field, string problem)
    {
        var what = request.Kind.Length == 0 ? "composite resource" : request.Kind;
        var message = $"invalid {what} \"{request.Name}\": field {field}: {problem}; correct the field and apply again";
        return Composition.Fatal(ComposedCondition, ReasonInvalidInput, message);
    }

    private static Ready ToProto(Readiness readiness) => readiness switch
    {
        Readiness.Ready => Ready.True,
        Readiness.NotReady => Ready.False,
        _ => Ready.Unspecified,
    };

    // Objects merge key by key (a later step adds to status, never wipes an earlier step's fields);
    // anything else replaces.
    private static void MergeInto(Struct target, string key, Struct patch)
    {
        if (target.Fields.TryGetValue(key, out var existing) && existing.KindCase == Value.KindOneofCase.StructValue)
        {
            foreach (var (k, v) in patch.Fields)
            {
                if (v.KindCase == Value.KindOneofCase.StructValue)
                {
                    MergeInto(existing.StructValue, k, v.StructValue);
                }
                else
                {
                    existing.StructValue.Fields[k] = v;
                }
            }
        }
        else
        {
            target.Fields[key] = Value.ForStruct(patch);
        }
    }
}
