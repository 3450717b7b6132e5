// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Globalization;
using System.Text.Json;
using Apiextensions.Fn.Proto.V1;
using Google.Protobuf.WellKnownTypes;

namespace Modelplane.Sdk;

/// <summary>What one call did, for the adapter's log line and metrics.</summary>
/// <param name="Composer">The composer that ran, or null if none could be chosen.</param>
/// <param name="Severities">Result severities in emitted order.</param>
public sealed record RunSummary(string? Composer, IReadOnlyList<Severity> Severities)
{
    /// <summary>The XR's kind and name as the request gave them, so a call record names it whatever happens later.</summary>
    public string XrKind { get; init; } = "";

    public string XrName { get; init; } = "";

    /// <summary>The response's size in bytes, as it goes on the wire without framing.</summary>
    public int ResponseBytes { get; init; }

    /// <summary>The worst severity: fatal, warning, normal, or "ok" when there were no results.</summary>
    public string Outcome =>
        Severities.Contains(Severity.Fatal) ? "fatal"
        : Severities.Contains(Severity.Warning) || Severities.Contains(Severity.Unspecified) ? "warning"
        : Severities.Contains(Severity.Normal) ? "normal"
        : "ok";
}

/// <summary>Runs a composer for a RunFunctionRequest and builds the response: the protocol rules, once.</summary>
/// <remarks>
/// <para>
/// The server and the render CLI are both thin adapters around <see cref="Run(DecodedRequest, CancellationToken)"/>, so the rules every
/// Crossplane SDK follows live here and nowhere else: echo the tag, default the TTL to 60 s, pass the
/// context and every desired resource the composer does not own through unchanged, merge status
/// into the desired composite, keep conditions and results in emitted order. Input the composer
/// cannot use (<see cref="InvalidInputException"/>, or a typed read that does not fit) becomes a
/// Fatal result and a False <c>Composed</c> condition naming the field; any other exception is a bug
/// and propagates, for the adapter to report.
/// </para>
/// <para>
/// Two limits are kept here so the server and the CLI share them. Work that runs past its time
/// budget (a <see cref="TimeoutException"/>, such as CEL's) is a Fatal result naming the XR, while
/// cancellation (the client is gone) propagates as <see cref="OperationCanceledException"/>. And a
/// response larger than Crossplane's gRPC client accepts (<see cref="MaxResponseBytes"/>) would fail
/// on Crossplane's side with a transport error that names nothing, so it is replaced by a small
/// Fatal response that names the XR and the largest parts of what it would have sent; Crossplane
/// applies nothing from a Fatal response, so what already runs stays as it is.
/// </para>
/// </remarks>
public sealed class FunctionRunner(ComposerRegistry registry)
{
    /// <summary>The TTL every Crossplane SDK defaults to.</summary>
    public static readonly TimeSpan DefaultTtl = TimeSpan.FromSeconds(60);

    /// <summary>The condition the runner sets when no composer could use the request.</summary>
    public const string ComposedCondition = "Composed";
    public const string ReasonInvalidInput = "InvalidInput";
    public const string ReasonUnknownComposer = "UnknownComposer";
    public const string ReasonTimeBudgetExceeded = "TimeBudgetExceeded";
    public const string ReasonResponseTooLarge = "ResponseTooLarge";

    /// <summary>Crossplane's function client keeps gRPC's default receive limit of 4 MiB.</summary>
    public const int MaxResponseBytes = 4 << 20;

    public ComposerRegistry Registry => registry;

    /// <param name="proto">The request as it arrived.</param>
    /// <param name="cancellationToken">The call's deadline and client cancellation: once it fires nobody
    /// waits for the answer, so the runner and the composer stop (<see cref="OperationCanceledException"/>).</param>
    /// <exception cref="OperationCanceledException">The call was cancelled while the composer worked.</exception>
    public (RunFunctionResponse Response, RunSummary Summary) Run(RunFunctionRequest proto, CancellationToken cancellationToken = default) =>
        Run(RequestDecoder.Decode(proto), cancellationToken);

    /// <param name="decoded">The request as the server decoded it off the wire.</param>
    /// <param name="cancellationToken">As for the other overload.</param>
    public (RunFunctionResponse Response, RunSummary Summary) Run(DecodedRequest decoded, CancellationToken cancellationToken = default)
    {
        var (encoded, summary) = RunEncoded(decoded, cancellationToken);
        using (encoded)
        {
            // Read back from the bytes the server would send, so every caller sees exactly those.
            return (encoded.ToMessage(), summary);
        }
    }

    /// <summary>As <see cref="Run(DecodedRequest, CancellationToken)"/>, with the response as wire bytes: what the server sends.</summary>
    /// <remarks>Dispose the response once it is written.</remarks>
    public (EncodedResponse Response, RunSummary Summary) RunEncoded(DecodedRequest decoded, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var proto = decoded.Envelope;
        var request = new FunctionRequest(decoded, cancellationToken);
        var (composer, problem) = registry.Resolve(request);
        Composition composition;
        if (composer is null)
        {
            composition = Composition.Fatal(ComposedCondition, ReasonUnknownComposer, $"cannot compose: {problem}");
        }
        else
        {
            cancellationToken.ThrowIfCancellationRequested();
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
            catch (TimeoutException e)
            {
                composition = Composition.Fatal(ComposedCondition, ReasonTimeBudgetExceeded,
                    $"cannot compose {Describe(request)}: {e.Message}; make its expressions cheaper");
            }
        }
        cancellationToken.ThrowIfCancellationRequested();
        var response = Encode(proto, composition);
        if (response.Size > MaxResponseBytes)
        {
            // Rare, so the message tree is built after all: it can say which parts are large.
            var size = response.Size;
            response.Dispose();
            composition = Composition.Fatal(ComposedCondition, ReasonResponseTooLarge, TooLargeMessage(request, Respond(proto, composition), size));
            response = Encode(new RunFunctionRequest { Meta = proto.Meta }, composition);
        }
        var summary = new RunSummary(composer?.Name, composition.Results.Select(r => r.Severity).ToArray())
        {
            XrKind = request.Kind,
            XrName = request.Name,
            ResponseBytes = response.Size,
        };
        return (response, summary);
    }

    /// <summary>The response for a composition: <c>response.To(req, ttl)</c> plus the composition's overlay.</summary>
    /// <remarks>The reference for <see cref="Encode"/>, which gives this message's bytes without building it.</remarks>
    public static RunFunctionResponse Respond(RunFunctionRequest request, Composition composition)
    {
        var response = RespondWithoutComposed(request, composition);
        foreach (var (key, desired) in composition.Resources.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            response.Desired.Resources[key] = new Resource
            {
                Resource_ = StructJson.ToStruct(desired.Resource),
                Ready = ToProto(desired.Ready),
            };
        }
        return response;
    }

    /// <summary>The wire bytes of <see cref="Respond"/>'s message, byte for byte; the composed resources go straight from JSON.</summary>
    public static EncodedResponse Encode(RunFunctionRequest request, Composition composition) =>
        EncodedResponse.Encode(RespondWithoutComposed(request, composition), composition.Resources);

    // Everything but the composed resources: what passes through (less what the composition removes),
    // the composite's status and readiness, conditions, results, context and requirements.
    private static RunFunctionResponse RespondWithoutComposed(RunFunctionRequest request, Composition composition)
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

    private static string Describe(FunctionRequest request) =>
        $"{(request.Kind.Length == 0 ? "composite resource" : request.Kind)} \"{Shorten(request.Name)}\"";

    // Names what a too-large response would have carried, largest first, so the user knows what to shrink.
    private static string TooLargeMessage(FunctionRequest request, RunFunctionResponse response, int size)
    {
        var parts = new List<(string What, int Bytes)>();
        foreach (var (key, resource) in response.Desired.Resources)
        {
            parts.Add(($"desired resource \"{Shorten(key)}\"", resource.CalculateSize()));
        }
        if (response.Desired.Composite is { } composite)
        {
            parts.Add(("desired composite (status)", composite.CalculateSize()));
        }
        if (response.Context is { } context)
        {
            parts.Add(("pipeline context", context.CalculateSize()));
        }
        if (response.Requirements is { } requirements)
        {
            parts.Add(("requirements", requirements.CalculateSize()));
        }
        parts.Add(("conditions and results", response.Conditions.Sum(c => c.CalculateSize()) + response.Results.Sum(r => r.CalculateSize())));
        var largest = parts
            .OrderByDescending(p => p.Bytes)
            .ThenBy(p => p.What, StringComparer.Ordinal)
            .Take(3)
            .Select(p => $"{p.What} {Mib(p.Bytes)}");
        return $"cannot compose {Describe(request)}: the response would be {Mib(size)} ({size} bytes), over the {Mib(MaxResponseBytes)} "
            + $"Crossplane accepts from a function; largest parts: {string.Join(", ", largest)}; "
            + "make the resource smaller (fewer replicas or members, shorter templates) or split it";
    }

    private static string Mib(int bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1048576.0:0.00} MiB");

    // Names from a hostile request can be long; a message stays readable.
    private static string Shorten(string name) => name.Length <= 253 ? name : $"{name[..250]}...";

    private static Composition InvalidInput(FunctionRequest request, string field, string problem)
    {
        var what = request.Kind.Length == 0 ? "composite resource" : request.Kind;
        var message = $"invalid {what} \"{request.Name}\": field {field}: {problem}; correct the field and apply again";
        return Composition.Fatal(ComposedCondition, ReasonInvalidInput, message);
    }

    internal static Ready ToProto(Readiness readiness) => readiness switch
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
