// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Apiextensions.Fn.Proto.V1;
using Modelplane.Sdk;

namespace Modelplane.Testing;

/// <summary>The requests `make bench` times, shared with the tests that check them: built from the SDK and proto types alone.</summary>
/// <remarks>Here rather than in a test project so the benchmark and the tests use the very same requests.</remarks>
public static class BenchRequests
{
    public static RunFunctionRequest ModelService(int endpoints)
    {
        var request = new RunFunctionRequest
        {
            Meta = new RequestMeta { Tag = "bench" },
            Input = StructJson.ToStruct(new JsonObject { ["apiVersion"] = "fn.modelplane.ai/v1alpha1", ["kind"] = "Compose", ["composer"] = "model-service" }),
            Observed = new State { Composite = new Resource { Resource_ = StructJson.ToStruct(new JsonObject
            {
                ["apiVersion"] = "modelplane.ai/v1alpha1",
                ["kind"] = "ModelService",
                ["metadata"] = new JsonObject { ["name"] = "llama", ["namespace"] = "ml-team" },
                ["spec"] = new JsonObject { ["endpoints"] = new JsonArray(new JsonObject { ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = "llama" } } }) },
            }) } },
            Desired = new State(),
        };
        var gateway = new Resources();
        gateway.Items.Add(new Resource { Resource_ = StructJson.ToStruct(new JsonObject
        {
            ["apiVersion"] = "modelplane.ai/v1alpha1",
            ["kind"] = "InferenceGateway",
            ["metadata"] = new JsonObject { ["name"] = "default" },
            ["spec"] = new JsonObject { ["backend"] = "Traefik", ["traefik"] = new JsonObject { ["version"] = "40.2.0" } },
            ["status"] = new JsonObject { ["address"] = "34.55.100.10" },
        }) });
        request.RequiredResources.Add("inference-gateway", gateway);
        var selected = new Resources();
        for (var i = 0; i < endpoints; i++)
        {
            var name = $"llama-{i:00000}";
            selected.Items.Add(new Resource { Resource_ = StructJson.ToStruct(new JsonObject
            {
                ["apiVersion"] = "modelplane.ai/v1alpha1",
                ["kind"] = "ModelEndpoint",
                ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "ml-team", ["labels"] = new JsonObject { ["app"] = "llama" } },
                ["spec"] = new JsonObject { ["url"] = $"http://10.{i / 62500 % 250}.{i / 250 % 250}.{i % 250 + 1}/ml-team/{name}/v1", ["rewritePath"] = $"/ml-team/{name}/" },
                ["status"] = new JsonObject { ["routing"] = new JsonObject { ["backendName"] = $"{name}-svc", ["port"] = 80 } },
            }) });
        }
        request.RequiredResources.Add("endpoints-0", selected);
        return request;
    }
}
