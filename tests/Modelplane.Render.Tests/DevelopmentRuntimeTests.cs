// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Net;
using System.Net.Sockets;
using Modelplane.Render.Engine;
using Modelplane.Render.Output;
using Modelplane.Render.Tests.Support;
using Microsoft.Extensions.Logging;
using Modelplane.Server;
using Modelplane.Yaml;

namespace Modelplane.Render.Tests;

/// <summary>A step whose Function is declared with the Development runtime is called over gRPC: here, the real server in process.</summary>
public sealed class DevelopmentRuntimeTests : IAsyncLifetime
{
    private FunctionServer? _server;

    public async Task InitializeAsync()
    {
        var options = new ServerOptions { Address = new ListenAddress(IPAddress.Loopback, 0), Insecure = true };
        _server = FunctionServer.Create(options, TestPipeline.Registry, logging => logging.ClearProviders());
        Assert.Null(_server.Problem);
        await _server.App!.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_server?.App is { } app)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    [Fact]
    public async Task Render_FunctionsFileWithDevelopmentRuntime_PrintsWhatTheInProcessRenderPrints()
    {
        using var dir = Repo.Temp();
        var xr = dir.Write("xr.yaml", """
            apiVersion: test.modelplane.ai/v1alpha1
            kind: Web
            metadata: {name: shop, namespace: team}
            spec: {greeting: hi, replicas: 3}
            """);
        var composition = dir.Write("composition.yaml", YamlJson.Write(TestPipeline.Composition("Web", "web", "guard")));
        var functions = dir.Write("functions.yaml", Functions($"dns:///127.0.0.1:{_server!.GrpcEndPoint!.Port}"));

        var run = CliRun.Of("render", xr, composition, functions, "-r", "-c");

        Assert.True(run.ExitCode == 0, run.Error);
        var inProcess = await TestPipeline.RenderAsync(new RenderInputs
        {
            Composite = Manifests.LoadOne(xr, "xr").Object,
            Composition = Manifests.LoadOne(composition, "composition").Object,
        });
        Assert.Equal(YamlJson.WriteAll(ReconcilerOutput.Documents(inProcess, Manifests.LoadOne(xr, "xr").Object, Manifests.LoadOne(composition, "composition").Name,
            new RenderOutputOptions { IncludeFunctionResults = true, IncludeContext = true })), run.Output);
    }

    [Fact]
    public void Render_DevelopmentTargetNotListening_SaysSoAndFails()
    {
        using var dir = Repo.Temp();
        var xr = dir.Write("xr.yaml", "{apiVersion: test.modelplane.ai/v1alpha1, kind: Web, metadata: {name: shop}}");
        var composition = dir.Write("composition.yaml", YamlJson.Write(TestPipeline.Composition("Web", "web")));
        using var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        var functions = dir.Write("functions.yaml", Functions($"127.0.0.1:{port}"));

        var run = CliRun.Of("render", xr, composition, functions);

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith($"modelplane: error: cannot render composite resource: cannot run pipeline step \"compose-web\": rpc error: code = Unavailable desc = cannot reach 127.0.0.1:{port}:", run.Error);
        Assert.EndsWith("is the function running with --insecure?\n", run.Error);
        Assert.Equal("", run.Output);
    }

    [Fact]
    public void Render_FunctionAnnotationsFlag_OverridesTheFileAndSwitchesToGrpc()
    {
        using var dir = Repo.Temp();
        var xr = dir.Write("xr.yaml", "{apiVersion: test.modelplane.ai/v1alpha1, kind: Web, metadata: {name: shop}, spec: {replicas: 2}}");
        var composition = dir.Write("composition.yaml", YamlJson.Write(TestPipeline.Composition("Web", "web")));
        // Declared for Docker: without the override, the built-in registry (which has no "web" composer) would answer.
        var functions = dir.Write("functions.yaml", """
            apiVersion: pkg.crossplane.io/v1beta1
            kind: Function
            metadata: {name: modelplane-function-modelplane}
            spec: {package: xpkg.crossplane.io/modelplane/function-modelplane:v0.1.0}
            """);

        var run = CliRun.Of("render", xr, composition, functions,
            "-a", "render.crossplane.io/runtime=Development",
            "--function-annotations", $"render.crossplane.io/runtime-development-target=127.0.0.1:{_server!.GrpcEndPoint!.Port}");

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("replicas: 2", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_XrdFlag_AppliesSchemaDefaultsBeforeTheFunctionSeesTheXr()
    {
        using var dir = Repo.Temp();
        var xr = dir.Write("xr.yaml", "{apiVersion: test.modelplane.ai/v1alpha1, kind: Web, metadata: {name: shop}, spec: {}}");
        var composition = dir.Write("composition.yaml", YamlJson.Write(TestPipeline.Composition("Web", "web")));
        var functions = dir.Write("functions.yaml", Functions($"127.0.0.1:{_server!.GrpcEndPoint!.Port}"));
        var xrd = dir.Write("xrd.yaml", """
            apiVersion: apiextensions.crossplane.io/v2
            kind: CompositeResourceDefinition
            metadata: {name: webs.test.modelplane.ai}
            spec:
              group: test.modelplane.ai
              names: {kind: Web, plural: webs}
              versions:
              - name: v1alpha1
                served: true
                referenceable: true
                schema:
                  openAPIV3Schema:
                    type: object
                    properties:
                      spec: {type: object, properties: {greeting: {type: string, default: bonjour}}}
            """);

        var run = CliRun.Of("render", xr, composition, functions, "--xrd", xrd, "-x");

        Assert.True(run.ExitCode == 0, run.Error);
        var documents = YamlJson.ReadAll(run.Output);
        Assert.Equal("bonjour", documents[0]!["spec"]!["greeting"]!.GetValue<string>());
        Assert.Equal("bonjour", documents[1]!["data"]!["greeting"]!.GetValue<string>());
    }

    private static string Functions(string target) => $"""
        apiVersion: pkg.crossplane.io/v1beta1
        kind: Function
        metadata:
          name: {FunctionRuntimes.BuiltInFunction}
          annotations:
            render.crossplane.io/runtime: Development
            render.crossplane.io/runtime-development-target: "{target}"
        spec:
          package: xpkg.crossplane.io/modelplane/function-modelplane:v0.1.0
        """;
}
