// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Globalization;
using System.Text.Json.Nodes;
using Apiextensions.Fn.Proto.V1;
using Google.Protobuf;
using Modelplane.Composers;
using Modelplane.Sdk;
using Modelplane.Testing;

namespace Modelplane.Benchmarks;

/// <summary>The requests the over-the-wire suite sends (bench/wire), written as protobuf files for the grpc-go client.</summary>
/// <remarks>
/// The ModelService request carries its ModelEndpoints as the API server returns them: uid,
/// resourceVersion, generation, creation time and labels in the metadata, a URL and rewrite path in
/// the spec, and in the status the routing the endpoint published plus three conditions with
/// reasons, messages, times and observed generations. Most of those bytes are read by nobody, which
/// is the point: a server pays for what it parses and converts, not only for what it uses. The
/// scheduling request is <see cref="FleetFixtures.ScheduleRequest"/>, as the in-process bench.
/// Each file gets a <c>.expect</c> beside it: a string our server's answer must contain (the first
/// condition's or result's message, else a desired resource's key), so a run that answers with an
/// error is not timed as a fast one. (The scheduling answer's first condition has an empty message
/// today, so its check is empty: a known gap.)
/// </remarks>
internal static class WireRequests
{
    private const string Namespace = "ml-team";

    public static int Write(string directory)
    {
        Directory.CreateDirectory(directory);
        var runner = new FunctionRunner(AllComposers.Registry);
        foreach (var endpoints in new[] { 1, 100, 1000 })
        {
            Save(directory, $"modelservice-{endpoints}", ModelService(endpoints), runner);
        }
        foreach (var clusters in new[] { 100, 1000 })
        {
            Save(directory, $"schedule-{clusters}", FleetFixtures.ScheduleRequest(clusters: clusters, otherReplicas: clusters * 5, replicas: 10), runner);
        }
        return 0;
    }

    private static void Save(string directory, string name, RunFunctionRequest request, FunctionRunner runner)
    {
        File.WriteAllBytes(Path.Combine(directory, name + ".pb"), request.ToByteArray());
        var (response, _) = runner.Run(request);
        var expect = response.Conditions.Count > 0 ? response.Conditions[0].Message
            : response.Results.Count > 0 ? response.Results[0].Message
            : response.Desired.Resources.Keys.Order(StringComparer.Ordinal).FirstOrDefault() ?? "";
        File.WriteAllText(Path.Combine(directory, name + ".expect"), expect);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name}: {request.CalculateSize():N0} request bytes, {response.CalculateSize():N0} response bytes, expects \"{expect}\""));
    }

    /// <summary>A ModelService over <paramref name="endpoints"/> ready ModelEndpoints, plus the InferenceGateway it requires.</summary>
    public static RunFunctionRequest ModelService(int endpoints)
    {
        var request = new RunFunctionRequest
        {
            Meta = new RequestMeta { Tag = "wire-bench" },
            Input = StructJson.ToStruct(new JsonObject { ["apiVersion"] = ComposerRegistry.InputApiVersion, ["kind"] = ComposerRegistry.InputKind, ["composer"] = "model-service" }),
            Observed = new State
            {
                Composite = new Resource
                {
                    Resource_ = StructJson.ToStruct(new JsonObject
                    {
                        ["apiVersion"] = "modelplane.ai/v1alpha1",
                        ["kind"] = "ModelService",
                        ["metadata"] = Metadata("llama", 0, 3),
                        ["spec"] = new JsonObject
                        {
                            ["endpoints"] = new JsonArray(new JsonObject { ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = "llama" } } }),
                        },
                        ["status"] = new JsonObject
                        {
                            ["conditions"] = new JsonArray(
                                Condition("EndpointsResolved", "Resolved", $"Matched {endpoints} endpoint(s)", 3),
                                Condition("ServingTier", "PreferredTier", $"priority 0 serves with {endpoints} ready endpoint(s)", 3),
                                Condition("Synced", "ReconcileSuccess", "", 3)),
                        },
                    }),
                },
            },
            Desired = new State(),
        };
        var gateway = new Resources();
        gateway.Items.Add(new Resource
        {
            Resource_ = StructJson.ToStruct(new JsonObject
            {
                ["apiVersion"] = "modelplane.ai/v1alpha1",
                ["kind"] = "InferenceGateway",
                ["metadata"] = new JsonObject { ["name"] = "default", ["uid"] = Uid(999_999), ["resourceVersion"] = "88120", ["generation"] = 1 },
                ["spec"] = new JsonObject { ["backend"] = "Traefik", ["traefik"] = new JsonObject { ["version"] = "40.2.0" } },
                ["status"] = new JsonObject
                {
                    ["address"] = "34.55.100.10",
                    ["conditions"] = new JsonArray(Condition("Ready", "Available", "", 1), Condition("Synced", "ReconcileSuccess", "", 1)),
                },
            }),
        });
        request.RequiredResources.Add("inference-gateway", gateway);
        var selected = new Resources();
        for (var i = 0; i < endpoints; i++)
        {
            selected.Items.Add(new Resource { Resource_ = StructJson.ToStruct(Endpoint(i)) });
        }
        request.RequiredResources.Add("endpoints-0", selected);
        return request;
    }

    private static JsonObject Endpoint(int i)
    {
        var name = string.Create(CultureInfo.InvariantCulture, $"llama-{i:00000}");
        var metadata = Metadata(name, i, 2);
        metadata["labels"] = new JsonObject
        {
            ["app"] = "llama",
            ["modelplane.ai/model"] = "llama-3.1-8b-instruct",
            ["modelplane.ai/replica"] = name,
        };
        return new JsonObject
        {
            ["apiVersion"] = "modelplane.ai/v1alpha1",
            ["kind"] = "ModelEndpoint",
            ["metadata"] = metadata,
            ["spec"] = new JsonObject
            {
                ["url"] = string.Create(CultureInfo.InvariantCulture, $"http://10.{i / 62500 % 250}.{i / 250 % 250}.{i % 250 + 1}:8000/{Namespace}/{name}/v1"),
                ["rewritePath"] = $"/{Namespace}/{name}/",
            },
            ["status"] = new JsonObject
            {
                ["routing"] = new JsonObject { ["backendName"] = $"{name}-svc", ["port"] = 80 },
                ["conditions"] = new JsonArray(
                    Condition("Ready", "Available", "", 2),
                    Condition("Synced", "ReconcileSuccess", "", 2),
                    Condition("RoutingReady", "BackendPublished", $"Service {name}-svc publishes the endpoint on port 80", 2)),
            },
        };
    }

    private static JsonObject Metadata(string name, int i, int generation) => new()
    {
        ["name"] = name,
        ["namespace"] = Namespace,
        ["uid"] = Uid(i),
        ["resourceVersion"] = (100_000 + i).ToString(CultureInfo.InvariantCulture),
        ["generation"] = generation,
        ["creationTimestamp"] = "2026-11-30T09:12:44Z",
    };

    private static JsonObject Condition(string type, string reason, string message, int generation)
    {
        var condition = new JsonObject
        {
            ["type"] = type,
            ["status"] = "True",
            ["reason"] = reason,
            ["lastTransitionTime"] = "2026-11-30T09:13:02Z",
            ["observedGeneration"] = generation,
        };
        if (message.Length > 0)
        {
            condition["message"] = message;
        }
        return condition;
    }

    private static string Uid(int i) => string.Create(CultureInfo.InvariantCulture, $"{i:x8}-5f1c-4a8e-9b1d-{i * 7919L:x12}");
}
