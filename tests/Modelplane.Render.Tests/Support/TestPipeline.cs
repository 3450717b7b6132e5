// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Modelplane.Render.Engine;
using Modelplane.Render.Output;
using Modelplane.Sdk;
using Modelplane.Yaml;

namespace Modelplane.Render.Tests.Support;

/// <summary>Composers for the single-render tests, and a helper that renders with them in process.</summary>
public static class TestPipeline
{
    public const string Api = "test.modelplane.ai/v1alpha1";

    /// <summary>Composes a ready ConfigMap and an unready Deployment, writes status, a condition, a result and a context key.</summary>
    public static readonly Composer Web = new("web", req => new Composition
    {
        Resources = new Dictionary<string, DesiredResource>
        {
            ["config"] = DesiredResource.Of(new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "ConfigMap",
                ["data"] = new JsonObject { ["greeting"] = req.Composite.StringAt("spec.greeting") ?? "hello" },
            }, ready: true),
            ["deployment"] = DesiredResource.Of(new JsonObject
            {
                ["apiVersion"] = "apps/v1",
                ["kind"] = "Deployment",
                ["spec"] = new JsonObject { ["replicas"] = req.Composite.IntegerAt("spec.replicas") ?? 1 },
            }),
        },
        Status = new JsonObject { ["phase"] = "Deploying" },
        Conditions = [Condition.False("Serving", "Deploying", "waiting for the deployment")],
        Results = [Result.Normal("composed web"), Result.Warning("deployment is not ready yet")],
        Context = new JsonObject { ["web/replicas"] = req.Composite.IntegerAt("spec.replicas") ?? 1 },
    }, "Web.test.modelplane.ai");

    /// <summary>A later step: adds a PodDisruptionBudget for every Deployment earlier steps desire, reading the context.</summary>
    public static readonly Composer Guard = new("guard", req =>
    {
        var resources = new Dictionary<string, DesiredResource>();
        foreach (var key in req.DesiredKeys.Where(k => req.Desired(k)?.StringAt("kind") == "Deployment"))
        {
            resources[$"pdb-{key}"] = DesiredResource.Of(new JsonObject
            {
                ["apiVersion"] = "policy/v1",
                ["kind"] = "PodDisruptionBudget",
                ["spec"] = new JsonObject { ["minAvailable"] = req.Context.IntegerAt("web/replicas") ?? 0 },
            }, ready: true);
        }
        return new Composition { Resources = resources, Results = [Result.Normal($"guarded {resources.Count} deployments")] };
    }, "Guarded.test.modelplane.ai");

    /// <summary>Needs a Gateway by name, then endpoints by the label the gateway names: two rounds of requirements.</summary>
    public static readonly Composer Router = new("router", req =>
    {
        var requirements = new Dictionary<string, Requirement>
        {
            ["gateway"] = Requirement.Named("gateway.networking.k8s.io/v1", "Gateway", "edge", "infra"),
        };
        var gateway = req.Required.Single("gateway");
        if (gateway?.StringAt("metadata.labels.serves") is { } serves)
        {
            requirements["endpoints"] = Requirement.Labelled(Api, "Endpoint", new Dictionary<string, string> { ["app"] = serves });
            requirements["everything"] = Requirement.All(Api, "Endpoint", "team");
        }
        return new Composition
        {
            Requirements = requirements,
            Status = new JsonObject
            {
                ["gateway"] = req.Required.IsResolved("gateway") ? gateway?.StringAt("metadata.name") ?? "(none)" : "(unresolved)",
                ["endpoints"] = new JsonArray(req.Required.Get("endpoints").Select(e => (JsonNode?)JsonValue.Create($"{e.StringAt("metadata.namespace")}/{e.StringAt("metadata.name")}")).ToArray()),
                ["inTeam"] = req.Required.Get("everything").Count,
            },
        };
    }, "Router.test.modelplane.ai");

    /// <summary>Asks for something new on every call (it counts calls in the context), so its requirements never settle.</summary>
    public static readonly Composer Restless = new("restless", req =>
    {
        var calls = req.Context.IntegerAt("calls") ?? 0;
        return new Composition
        {
            Requirements = new Dictionary<string, Requirement> { [$"r{calls}"] = Requirement.All("v1", "ConfigMap") },
            Context = new JsonObject { ["calls"] = calls + 1 },
        };
    }, "Restless.test.modelplane.ai");

    public static readonly Composer Broken = new("broken", _ => new Composition
    {
        Results = [Result.Normal("before"), Result.Fatal("cannot compose: spec.size is both small and large")],
    }, "Broken.test.modelplane.ai");

    public static ComposerRegistry Registry { get; } = new([Web, Guard, Router, Restless, Broken]);

    /// <summary>A Composition of these steps, each naming its composer.</summary>
    public static JsonObject Composition(string kind, params string[] composers)
    {
        var composition = TestFleet.Composition(kind, composers[0]);
        var pipeline = new JsonArray();
        foreach (var composer in composers)
        {
            pipeline.Add((JsonNode)new JsonObject
            {
                ["step"] = $"compose-{composer}",
                ["functionRef"] = new JsonObject { ["name"] = FunctionRuntimes.BuiltInFunction },
                ["input"] = new JsonObject { ["apiVersion"] = ComposerRegistry.InputApiVersion, ["kind"] = ComposerRegistry.InputKind, ["composer"] = composer },
            });
        }
        ((JsonObject)composition["spec"]!)["pipeline"] = pipeline;
        return composition;
    }

    public static JsonObject Yaml(string yaml) => (JsonObject)YamlJson.Read(yaml)!;

    public static async Task<RenderResult> RenderAsync(RenderInputs inputs, IFunctionRuntime? runtime = null) =>
        await new PipelineRenderer(new FunctionRuntimes(runtime ?? new InProcessRuntime(new FunctionRunner(Registry)))).RenderAsync(inputs, CancellationToken.None);

    public static string Print(RenderResult result, JsonObject xr, RenderOutputOptions? options = null) =>
        YamlJson.WriteAll(RenderOutput.Documents(result, xr, options ?? new RenderOutputOptions { IncludeFunctionResults = true }));
}

/// <summary>Counts the calls a runtime answers, to check the requirements loop.</summary>
public sealed class CountingRuntime(IFunctionRuntime inner) : IFunctionRuntime
{
    public int Calls { get; private set; }

    public string Describe => inner.Describe;

    public Task<Apiextensions.Fn.Proto.V1.RunFunctionResponse> RunAsync(Apiextensions.Fn.Proto.V1.RunFunctionRequest request, CancellationToken cancellationToken)
    {
        Calls++;
        return inner.RunAsync(request, cancellationToken);
    }
}
