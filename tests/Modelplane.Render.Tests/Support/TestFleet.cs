// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Globalization;
using System.Text.Json.Nodes;
using Modelplane.Render.Engine;
using Modelplane.Render.Fleet;
using Modelplane.Sdk;

namespace Modelplane.Render.Tests.Support;

/// <summary>A small fleet of our own, three XR levels deep, to test the fleet engine apart from the real composers.</summary>
/// <remarks>
/// A cluster-scoped <c>Site</c> composes a Helm Release and a namespaced <c>Stack</c> XR; the Stack
/// composes a Gateway and reports its address; the Site reports the Stack's address once the Stack is
/// Ready. A namespaced <c>App</c> requires every Site by label and composes one <c>Worker</c> XR per
/// Site that is Ready and has an address; a Worker composes a Deployment and is Ready when it is
/// Available. Every step is gated on what the one before reports, as the real composers are, so the
/// app only lands with <c>--assume-ready</c>, several rounds in.
/// </remarks>
public static class TestFleet
{
    public const string Api = "test.modelplane.ai/v1alpha1";

    public static readonly Composer Site = new("site", req =>
    {
        var stack = req.Observed.GetValueOrDefault("stack")?.Resource;
        var address = stack?.StringAt("status.address");
        return new Composition
        {
            Resources = new Dictionary<string, DesiredResource>
            {
                ["release"] = DesiredResource.Of(new JsonObject
                {
                    ["apiVersion"] = "helm.m.crossplane.io/v1beta1",
                    ["kind"] = "Release",
                    ["metadata"] = new JsonObject { ["namespace"] = "system" },
                    ["spec"] = new JsonObject { ["forProvider"] = new JsonObject { ["chart"] = new JsonObject { ["name"] = "stack" } } },
                }, ready: req.Observed.GetValueOrDefault("release")?.IsReady == true),
                ["stack"] = DesiredResource.Of(new JsonObject
                {
                    ["apiVersion"] = Api,
                    ["kind"] = "Stack",
                    ["metadata"] = new JsonObject { ["name"] = $"{req.Name}-stack", ["namespace"] = "system" },
                    ["spec"] = new JsonObject { ["site"] = req.Name },
                }, ready: stack?.IsReady() == true),
            },
            Status = address is null ? [] : new JsonObject { ["address"] = address },
        };
    }, $"Site.test.modelplane.ai");

    public static readonly Composer Stack = new("stack", req =>
    {
        var gateway = req.Observed.GetValueOrDefault("gateway")?.Resource;
        var address = (gateway.At("status.addresses") as JsonArray)?.FirstOrDefault()?.StringAt("value");
        return new Composition
        {
            Resources = new Dictionary<string, DesiredResource>
            {
                ["gateway"] = DesiredResource.Of(new JsonObject
                {
                    ["apiVersion"] = "gateway.networking.k8s.io/v1",
                    ["kind"] = "Gateway",
                    ["spec"] = new JsonObject { ["gatewayClassName"] = "envoy" },
                }, ready: address is not null),
            },
            Status = address is null ? [] : new JsonObject { ["address"] = address },
        };
    }, $"Stack.test.modelplane.ai");

    public static readonly Composer App = new("app", req =>
    {
        var requirements = new Dictionary<string, Requirement>
        {
            ["sites"] = Requirement.Labelled(Api, "Site", req.Composite.StringMapAt("spec.siteSelector") ?? new Dictionary<string, string>()),
        };
        var ready = req.Required.Get("sites").Where(s => s.IsReady() && s.StringAt("status.address") is not null).ToArray();
        if (ready.Length == 0)
        {
            return new Composition
            {
                Requirements = requirements,
                Conditions = [Condition.False("Placed", "NoSites", "no Ready site with an address")],
                CompositeReady = Readiness.NotReady,
            };
        }
        var resources = new Dictionary<string, DesiredResource>();
        foreach (var site in ready)
        {
            var siteName = site.StringAt("metadata.name")!;
            var key = $"worker-{siteName}";
            resources[key] = DesiredResource.Of(new JsonObject
            {
                ["apiVersion"] = Api,
                ["kind"] = "Worker",
                ["metadata"] = new JsonObject
                {
                    ["name"] = $"{req.Name}-{siteName}",
                    ["labels"] = new JsonObject { ["app"] = req.Name },
                },
                ["spec"] = new JsonObject { ["site"] = siteName, ["url"] = $"http://{site.StringAt("status.address")}/{req.Name}" },
            }, ready: req.Observed.GetValueOrDefault(key)?.IsReady == true);
        }
        return new Composition
        {
            Requirements = requirements,
            Resources = resources,
            Status = new JsonObject { ["workers"] = ready.Length },
            Conditions = [Condition.True("Placed", "Placed", $"{ready.Length.ToString(CultureInfo.InvariantCulture)} workers")],
        };
    }, $"App.test.modelplane.ai");

    public static readonly Composer Worker = new("worker", req =>
    {
        var deployment = req.Observed.GetValueOrDefault("deployment")?.Resource;
        return new Composition
        {
            Resources = new Dictionary<string, DesiredResource>
            {
                ["deployment"] = DesiredResource.Of(new JsonObject
                {
                    ["apiVersion"] = "apps/v1",
                    ["kind"] = "Deployment",
                    ["spec"] = new JsonObject { ["replicas"] = 1 },
                }, ready: deployment?.ConditionStatus("Available") == "True"),
            },
        };
    }, $"Worker.test.modelplane.ai");

    /// <summary>Never settles: every render counts one higher than the status it observed.</summary>
    public static readonly Composer Counter = new("counter", req => new Composition
    {
        Status = new JsonObject { ["count"] = (req.Composite.IntegerAt("status.count") ?? 0) + 1 },
    }, $"Counter.test.modelplane.ai");

    /// <summary>Composes a ConfigMap with a fixed name, so two of them claim one object.</summary>
    public static readonly Composer Claimer = new("claimer", req => new Composition
    {
        Resources = new Dictionary<string, DesiredResource>
        {
            ["shared"] = DesiredResource.Of(new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "ConfigMap",
                ["metadata"] = new JsonObject { ["name"] = "shared", ["namespace"] = "default" },
                ["data"] = new JsonObject { ["owner"] = req.Name },
            }, ready: true),
        },
    }, $"Claimer.test.modelplane.ai");

    public static ComposerRegistry Registry { get; } = new([Site, Stack, App, Worker, Counter, Claimer]);

    /// <summary>One Composition per test kind, each a single step naming its composer.</summary>
    public static IReadOnlyDictionary<string, JsonObject> Compositions { get; } = FleetRenderer.CompositionsByType(
        new[] { ("Site", "site"), ("Stack", "stack"), ("App", "app"), ("Worker", "worker"), ("Counter", "counter"), ("Claimer", "claimer") }
            .Select(k => new Manifest(Composition(k.Item1, k.Item2), "test")));

    public static JsonObject Composition(string kind, string composer) => new()
    {
        ["apiVersion"] = "apiextensions.crossplane.io/v1",
        ["kind"] = "Composition",
        ["metadata"] = new JsonObject { ["name"] = $"{kind.ToLowerInvariant()}s.test.modelplane.ai" },
        ["spec"] = new JsonObject
        {
            ["compositeTypeRef"] = new JsonObject { ["apiVersion"] = Api, ["kind"] = kind },
            ["mode"] = "Pipeline",
            ["pipeline"] = new JsonArray(new JsonObject
            {
                ["step"] = $"compose-{composer}",
                ["functionRef"] = new JsonObject { ["name"] = FunctionRuntimes.BuiltInFunction },
                ["input"] = new JsonObject { ["apiVersion"] = ComposerRegistry.InputApiVersion, ["kind"] = ComposerRegistry.InputKind, ["composer"] = composer },
            }),
        },
    };

    public static FleetRenderer Renderer(ComposerRegistry? registry = null) =>
        new(new PipelineRenderer(new FunctionRuntimes(new InProcessRuntime(new FunctionRunner(registry ?? Registry)))), Compositions);

    public static IReadOnlyList<Manifest> Manifests(string yaml) => Engine.Manifests.Parse(yaml, "fleet.yaml");
}
