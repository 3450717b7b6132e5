// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Apiextensions.Fn.Proto.V1;
using Google.Protobuf;
using Modelplane.Sdk;
using Modelplane.Yaml;

namespace Modelplane.Testing;

/// <summary>Builds RunFunctionRequests from JSON or YAML fixtures and runs them through the real adapter.</summary>
/// <remarks>
/// Tests go through <see cref="FunctionRunner.Run(Apiextensions.Fn.Proto.V1.RunFunctionRequest, CancellationToken)"/>, not a composer's Compose alone, so TTL,
/// pass-through of desired state, requirements and condition order are covered by every golden.
/// </remarks>
public static class FunctionHost
{
    /// <summary>The fixed tag our fixtures carry; the response must echo it.</summary>
    public const string Tag = "golden";

    /// <summary>Runs a request through the adapter with the given composers registered.</summary>
    /// <remarks>
    /// The response comes from the bytes the server would send (<see cref="FunctionRunner.Encode"/>). Every
    /// call here also checks those bytes against the message <see cref="FunctionRunner.Respond"/> builds
    /// for the same composition, so each golden is a byte-for-byte case for the encoder as well.
    /// </remarks>
    public static RunFunctionResponse Run(ComposerRegistry registry, RunFunctionRequest request)
    {
        var response = new FunctionRunner(registry).Run(request).Response;
        EncoderAgreesWithRespond(registry, request);
        return response;
    }

    private static void EncoderAgreesWithRespond(ComposerRegistry registry, RunFunctionRequest request)
    {
        var decoded = RequestDecoder.Decode(request);
        var composer = registry.Resolve(new FunctionRequest(decoded)).Composer;
        Composition composition;
        try
        {
            composition = composer?.Compose(new FunctionRequest(decoded)) ?? new Composition();
        }
        catch (Exception e) when (e is InvalidInputException or System.Text.Json.JsonException or TimeoutException)
        {
            // The runner answered with a Fatal composition; the cases above it cover that shape.
            return;
        }
        // Encode first: it reads typed records' JSON text, which Respond's reading of the objects ends.
        using var encoded = FunctionRunner.Encode(decoded.Envelope, composition);
        var actual = encoded.ToByteArray();
        var expected = FunctionRunner.Respond(decoded.Envelope, composition).ToByteArray();
        if (!expected.AsSpan().SequenceEqual(actual))
        {
            var at = 0;
            while (at < Math.Min(expected.Length, actual.Length) && expected[at] == actual[at])
            {
                at++;
            }
            throw new Xunit.Sdk.XunitException(
                $"the encoded response differs from Respond's message at byte {at} ({actual.Length} bytes against {expected.Length})");
        }
    }

    /// <summary>Runs a request with just these composers registered.</summary>
    public static RunFunctionResponse Run(RunFunctionRequest request, params Composer[] composers) =>
        Run(new ComposerRegistry(composers), request);

    /// <summary>A request for <paramref name="composer"/> (null: no input, fall back by kind).</summary>
    /// <param name="composer">The composer the step input names.</param>
    /// <param name="xr">The observed composite resource.</param>
    /// <param name="required">Required resources by requirement name; a key with an empty list means "looked, found nothing".</param>
    /// <param name="observed">Observed composed resources by composition resource name.</param>
    /// <param name="desired">Desired composed resources from earlier steps.</param>
    /// <param name="context">The pipeline context.</param>
    public static RunFunctionRequest Request(
        string? composer,
        JsonObject xr,
        IReadOnlyDictionary<string, IReadOnlyList<JsonObject>>? required = null,
        IReadOnlyDictionary<string, JsonObject>? observed = null,
        IReadOnlyDictionary<string, JsonObject>? desired = null,
        JsonObject? context = null)
    {
        var request = new RunFunctionRequest
        {
            Meta = new RequestMeta { Tag = Tag },
            Observed = new State { Composite = new Resource { Resource_ = StructJson.ToStruct(xr) } },
            Desired = new State(),
        };
        request.Meta.Capabilities.Add([Capability.Capabilities, Capability.RequiredResources, Capability.Credentials, Capability.Conditions, Capability.RequiredSchemas]);
        if (composer is not null)
        {
            request.Input = StructJson.ToStruct(new JsonObject
            {
                ["apiVersion"] = ComposerRegistry.InputApiVersion,
                ["kind"] = ComposerRegistry.InputKind,
                ["composer"] = composer,
            });
        }
        foreach (var (name, items) in required ?? new Dictionary<string, IReadOnlyList<JsonObject>>())
        {
            var resources = new Resources();
            foreach (var item in items)
            {
                resources.Items.Add(new Resource { Resource_ = StructJson.ToStruct(item) });
            }
            request.RequiredResources.Add(name, resources);
        }
        foreach (var (key, item) in observed ?? new Dictionary<string, JsonObject>())
        {
            request.Observed.Resources.Add(key, new Resource { Resource_ = StructJson.ToStruct(item) });
        }
        foreach (var (key, item) in desired ?? new Dictionary<string, JsonObject>())
        {
            request.Desired.Resources.Add(key, new Resource { Resource_ = StructJson.ToStruct(item) });
        }
        if (context is not null)
        {
            request.Context = StructJson.ToStruct(context);
        }
        return request;
    }

    /// <summary>A JSON object from YAML text, for fixtures written as YAML.</summary>
    public static JsonObject Yaml(string yaml) =>
        YamlJson.Read(yaml) as JsonObject ?? throw new ArgumentException("fixture YAML must hold one object", nameof(yaml));
}
