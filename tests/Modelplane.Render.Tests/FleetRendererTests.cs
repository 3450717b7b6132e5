// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Modelplane.Render.Engine;
using Modelplane.Render.Fleet;
using Modelplane.Render.Output;
using Modelplane.Render.Tests.Support;
using Modelplane.Yaml;

namespace Modelplane.Render.Tests;

/// <summary>The fleet engine on a fleet of test composers: nested XRs, requirements across the fleet, a fixed point.</summary>
public sealed class FleetRendererTests
{
    private const string Fleet = """
        apiVersion: test.modelplane.ai/v1alpha1
        kind: Site
        metadata: {name: east, labels: {region: us}}
        ---
        apiVersion: test.modelplane.ai/v1alpha1
        kind: Site
        metadata: {name: west, labels: {region: us}}
        ---
        apiVersion: test.modelplane.ai/v1alpha1
        kind: Site
        metadata: {name: tokyo, labels: {region: jp}}
        ---
        apiVersion: test.modelplane.ai/v1alpha1
        kind: App
        metadata: {name: chat, namespace: team}
        spec: {siteSelector: {region: us}}
        """;

    [Fact]
    public async Task RenderAsync_AssumeReady_PlacesWorkersOnEveryReadySelectedSite()
    {
        var fleet = await TestFleet.Renderer().RenderAsync(TestFleet.Manifests(Fleet), new FleetOptions { AssumeReady = true }, CancellationToken.None);

        Assert.True(fleet.Settled, string.Join("\n", fleet.Problems));
        Assert.Empty(fleet.Problems);
        var app = new ObjectKey(TestFleet.Api, "App", "team", "chat");
        var workers = fleet.Children(app).Select(w => (w.Key.ToString(), Objects.String((w.Object["spec"] as JsonObject)?["url"]))).ToArray();
        var east = HealthyStatus.Address("Gateway/system/east-" + GeneratedSuffix("Stack/system/east-stack/gateway"));
        var west = HealthyStatus.Address("Gateway/system/west-" + GeneratedSuffix("Stack/system/west-stack/gateway"));
        Assert.Equal(
            [("Worker/team/chat-east", $"http://{east}/chat"), ("Worker/team/chat-west", $"http://{west}/chat")],
            workers);
        // Three levels: the workers are XRs too, rendered in turn, their Deployments observed Available.
        Assert.All(fleet.Children(app), w => Assert.Equal("True", Objects.ConditionStatus(w.Object, "Ready")));
        Assert.Equal("True", Objects.ConditionStatus(fleet.Find(app)!.Object, "Ready"));
        Assert.Equal("Deployment", Assert.Single(fleet.Children(new ObjectKey(TestFleet.Api, "Worker", "team", "chat-east"))).Key.Kind);
    }

    [Fact]
    public async Task RenderAsync_WithoutAssumeReady_StopsAtTheFirstGate()
    {
        var fleet = await TestFleet.Renderer().RenderAsync(TestFleet.Manifests(Fleet), new FleetOptions(), CancellationToken.None);

        Assert.True(fleet.Settled);
        var app = fleet.Find(new ObjectKey(TestFleet.Api, "App", "team", "chat"))!;
        Assert.Empty(fleet.Children(app.Key));
        Assert.Equal("no Ready site with an address", Objects.String(Objects.Condition(app.Object, "Placed")!["message"]));
        // Created but unreported: the Gateway exists with no status, and a generated name whose prefix
        // is the root XR's name, as Crossplane names what nested XRs compose.
        var gateway = Assert.Single(fleet.Children(new ObjectKey(TestFleet.Api, "Stack", "system", "east-stack")));
        Assert.Equal("east-" + GeneratedSuffix("Stack/system/east-stack/gateway"), gateway.Key.Name);
        Assert.Null(gateway.Object["status"]);
    }

    [Fact]
    public async Task RenderAsync_SameFleetTwice_PrintsIdenticalBytes()
    {
        var manifests = TestFleet.Manifests(Fleet);
        var first = await TestFleet.Renderer().RenderAsync(manifests, new FleetOptions { AssumeReady = true }, CancellationToken.None);
        var second = await TestFleet.Renderer().RenderAsync(manifests, new FleetOptions { AssumeReady = true }, CancellationToken.None);

        Assert.Equal(YamlJson.WriteAll(FleetReport.Documents(first)), YamlJson.WriteAll(FleetReport.Documents(second)));
        Assert.Equal(FleetReport.Text(first, "fleet", true), FleetReport.Text(second, "fleet", true));
    }

    [Fact]
    public async Task RenderAsync_ManifestOrder_DoesNotChangeTheResult()
    {
        var manifests = TestFleet.Manifests(Fleet);
        var forward = await TestFleet.Renderer().RenderAsync(manifests, new FleetOptions { AssumeReady = true }, CancellationToken.None);
        var backward = await TestFleet.Renderer().RenderAsync(manifests.Reverse().ToArray(), new FleetOptions { AssumeReady = true }, CancellationToken.None);

        Assert.Equal(YamlJson.WriteAll(FleetReport.Documents(forward)), YamlJson.WriteAll(FleetReport.Documents(backward)));
    }

    [Fact]
    public async Task RenderAsync_FleetThatNeverSettles_SaysWhatKeepsChanging()
    {
        var manifests = TestFleet.Manifests("""
            apiVersion: test.modelplane.ai/v1alpha1
            kind: Counter
            metadata: {name: ticker}
            """);

        var fleet = await TestFleet.Renderer().RenderAsync(manifests, new FleetOptions { MaxRounds = 4 }, CancellationToken.None);

        Assert.False(fleet.Settled);
        Assert.Equal(4, fleet.Rounds);
        Assert.Equal("the fleet did not settle after 4 rounds; still changing: Counter/ticker", fleet.Problems[^1]);
    }

    [Fact]
    public async Task RenderAsync_TwoXrsComposeOneObject_FirstKeepsItAndTheOtherIsReported()
    {
        var manifests = TestFleet.Manifests("""
            apiVersion: test.modelplane.ai/v1alpha1
            kind: Claimer
            metadata: {name: a}
            ---
            apiVersion: test.modelplane.ai/v1alpha1
            kind: Claimer
            metadata: {name: b}
            """);

        var fleet = await TestFleet.Renderer().RenderAsync(manifests, new FleetOptions(), CancellationToken.None);

        var shared = fleet.Find(new ObjectKey("v1", "ConfigMap", "default", "shared"))!;
        Assert.Equal(new ObjectKey(TestFleet.Api, "Claimer", "", "a"), shared.Parent);
        Assert.Equal(["Claimer/b composes ConfigMap/default/shared (shared), which Claimer/a already composes; Crossplane would refuse to take it over"], fleet.Problems);
    }

    [Fact]
    public async Task RenderAsync_ComposerThatFails_KeepsPreviousChildrenAndReportsSyncedFalse()
    {
        var manifests = TestFleet.Manifests("""
            apiVersion: test.modelplane.ai/v1alpha1
            kind: Site
            metadata: {name: east}
            """);
        // The same fleet, with a Stack composer that names no composer at all: its step input is bad.
        var registry = new Modelplane.Sdk.ComposerRegistry([TestFleet.Site, TestFleet.App, TestFleet.Worker, TestFleet.Counter, TestFleet.Claimer]);

        var fleet = await TestFleet.Renderer(registry).RenderAsync(manifests, new FleetOptions(), CancellationToken.None);

        var stack = fleet.Find(new ObjectKey(TestFleet.Api, "Stack", "system", "east-stack"))!;
        var synced = Objects.Condition(stack.Object, "Synced")!;
        Assert.Equal("False", Objects.String(synced["status"]));
        Assert.StartsWith("pipeline step \"compose-stack\" returned a fatal result: cannot compose: unknown composer \"stack\"", Objects.String(synced["message"]));
        Assert.Contains(fleet.Problems, p => p.StartsWith("Stack/system/east-stack: pipeline step \"compose-stack\" returned a fatal result", StringComparison.Ordinal));
    }

    private static string GeneratedSuffix(string parentAndKey) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(parentAndKey)))[..5];
}
