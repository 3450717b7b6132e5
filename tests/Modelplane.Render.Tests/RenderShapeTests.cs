// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Modelplane.Render.Engine;
using Modelplane.Render.Output;
using Modelplane.Render.Tests.Support;
using Modelplane.Testing;
using Modelplane.Yaml;

namespace Modelplane.Render.Tests;

/// <summary>What render prints: the v2.3+ reconciler shape by default, v2.2's on request, and the identities it derives.</summary>
public sealed class RenderShapeTests
{
    private const string WebXr = "{apiVersion: test.modelplane.ai/v1alpha1, kind: Web, metadata: {name: shop, namespace: team}, spec: {replicas: 2}}";

    // Expected values computed independently: Python's uuid.uuid5(uuid.UUID(int=0), name) and hashlib.sha256.
    [Theory]
    [InlineData("{apiVersion: modelplane.ai/v1alpha1, kind: ModelService, metadata: {name: qwen, namespace: ml-team}}", "c03a53f4-eb2f-58d6-8453-4e2ef5650adb")]
    [InlineData("{apiVersion: modelplane.ai/v1alpha1, kind: InferenceClass, metadata: {name: h100}}", "12500aaa-2a0f-5882-a35f-66d79489253a")]
    [InlineData("{apiVersion: v1, kind: ConfigMap, metadata: {name: cm, namespace: default}}", "1018d887-d23f-5cc7-9d67-f8706525bea6")]
    public void CompositeUid_IsTheRenderEnginesSha1Uuid(string xr, string want) =>
        Assert.Equal(want, ReconcilerOutput.CompositeUid(TestPipeline.Yaml(xr)));

    [Theory]
    [InlineData("qwen-", "u1", "a", "qwen-7cdc2a8784bd")]
    [InlineData("qwen", "u1", "a", "qwen-7cdc2a8784bd")]
    [InlineData("c03a53f4-eb2f-58d6-8453-4e2ef5650adb", "", "", "c03a53f4-eb2f-58d6-8453-4e2ef5650adb-e3b0c44298fc")]
    public void ChildName_MatchesCrossplanesNameGenerator(string parent, string uid, string child, string want) =>
        Assert.Equal(want, ReconcilerOutput.ChildName(parent, uid, child));

    [Fact]
    public void ChildName_LongParent_IsCutTo63WithOneHyphen()
    {
        Assert.Equal(new string('x', 50) + "-7cdc2a8784bd", ReconcilerOutput.ChildName(new string('x', 70) + "-", "u1", "a"));
        Assert.Equal(new string('x', 50) + "-7cdc2a8784bd", ReconcilerOutput.ChildName(new string('x', 50) + "-" + new string('y', 20), "u1", "a"));
    }

    [Fact]
    public async Task Reconciler_WebComposer_WholeOutput()
    {
        var xr = TestPipeline.Yaml(WebXr);
        var result = await TestPipeline.RenderAsync(new RenderInputs { Composite = xr, Composition = TestPipeline.Composition("Web", "web") });

        var printed = YamlJson.WriteAll(ReconcilerOutput.Documents(result, xr, "webs.test.modelplane.ai", new RenderOutputOptions { IncludeFunctionResults = true }));

        Golden.MatchText("reconciler-web", printed);
    }

    [Fact]
    public async Task Reconciler_InputConditionsAndFullXr_KeepOrderAndMergeOverTheInput()
    {
        var xr = TestPipeline.Yaml("""
            {apiVersion: test.modelplane.ai/v1alpha1, kind: Web, metadata: {name: shop, namespace: team, labels: {a: b}},
             spec: {replicas: 2}, status: {conditions: [{type: Serving, status: "True", reason: Old}, {type: Ready, status: "True", reason: Available}]}}
            """);
        var result = await TestPipeline.RenderAsync(new RenderInputs { Composite = xr, Composition = TestPipeline.Composition("Web", "web") });

        var rendered = (JsonObject)ReconcilerOutput.Documents(result, xr, "w", new RenderOutputOptions { IncludeFullXr = true })[0];

        // The conditions the XR carried keep their places; the function's Serving replaces the old one in place.
        Assert.Equal(["Serving", "Ready", "Responsive", "Synced"], ((JsonArray)rendered["status"]!["conditions"]!).Select(c => Objects.String(c!["type"])));
        Assert.Equal("Deploying", Objects.String(Objects.Condition(rendered, "Serving")!["reason"]));
        Assert.Equal("Creating", Objects.String(Objects.Condition(rendered, "Ready")!["reason"]));
        // -x: the input's spec and labels survive, the reconciler's resourceRefs are merged in.
        Assert.Equal(2L, (long)rendered["spec"]!["replicas"]!);
        Assert.Equal("b", Objects.Labels(rendered)["a"]);
        Assert.Equal(2, ((JsonArray)rendered["spec"]!["crossplane"]!["resourceRefs"]!).Count);
    }

    [Fact]
    public void Cli_CrossplaneVersion_SelectsTheShape()
    {
        var xr = Repo.Path("examples", "inferenceclasses", "h100", "xr.yaml");
        var composition = Repo.Path("package", "apis", "inferenceclasses", "composition.yaml");

        var modern = CliRun.Of("render", xr, composition, "-r");
        var legacy = CliRun.Of("render", xr, composition, "-r", "--crossplane-version", "v2.2.4");

        Assert.Equal((0, 0), (modern.ExitCode, legacy.ExitCode));
        Assert.Contains("resourceRefs: []", modern.Output, StringComparison.Ordinal);
        Assert.Contains("type: Responsive", modern.Output, StringComparison.Ordinal);
        Assert.Contains("reason: SelectComposition", modern.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("resourceRefs", legacy.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("kind: Result", legacy.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Responsive", legacy.Output, StringComparison.Ordinal);
        Assert.Equal(modern.Output, CliRun.Of("render", xr, composition, "-r", "--crossplane-version", "v2.5.0").Output);
    }

    [Theory]
    [InlineData("two", null)]
    [InlineData("v2.2", false)]
    [InlineData("2.2.4", false)]
    [InlineData("v2.3", true)]
    [InlineData("v2.10.1", true)]
    [InlineData("v3.0", true)]
    [InlineData("v1.20", false)]
    public void ReconcilerShape_ByVersion(string version, bool? want) => Assert.Equal(want, Commands.RenderCommand.ReconcilerShape(version));

    [Fact]
    public void Cli_RequiredSchemas_AnswerASchemaRequirement()
    {
        using var dir = Repo.Temp();
        dir.Write("schemas/apps-v1.json", """
            {"openapi": "3.0.0", "components": {"schemas": {
              "io.k8s.api.apps.v1.Deployment": {"type": "object", "x-kubernetes-group-version-kind": [{"group": "apps", "version": "v1", "kind": "Deployment"}],
                "properties": {"spec": {"$ref": "#/components/schemas/io.k8s.api.apps.v1.DeploymentSpec"}}},
              "io.k8s.api.apps.v1.DeploymentSpec": {"type": "object", "properties": {"replicas": {"type": "integer"}}}}}}
            """);
        var store = SchemaStore.Load(Path.Combine(dir.Path, "schemas"));

        var schema = store.Fetch(new Apiextensions.Fn.Proto.V1.SchemaSelector { ApiVersion = "apps/v1", Kind = "Deployment" });
        var missing = store.Fetch(new Apiextensions.Fn.Proto.V1.SchemaSelector { ApiVersion = "apps/v1", Kind = "StatefulSet" });

        var json = Modelplane.Sdk.StructJson.ToJsonObject(schema.OpenapiV3);
        Assert.Equal("integer", Objects.String(json["properties"]!["spec"]!["properties"]!["replicas"]!["type"]));
        Assert.Null(missing.OpenapiV3);
        var xr = Repo.Path("examples", "inferenceclasses", "h100", "xr.yaml");
        var composition = Repo.Path("package", "apis", "inferenceclasses", "composition.yaml");
        var run = CliRun.Of("render", xr, composition, "-s", Path.Combine(dir.Path, "schemas"));
        Assert.Equal((0, CliRun.Of("render", xr, composition).Output), (run.ExitCode, run.Output));
        var empty = CliRun.Of("render", xr, composition, "--required-schemas", Path.Combine(dir.Path, "nothing"));
        Assert.Equal((1, $"modelplane: error: cannot load required schemas from \"{Path.Combine(dir.Path, "nothing")}\": it is not a directory\n"), (empty.ExitCode, empty.Error));
    }
}

/// <summary>Command-line mistakes: crossplane's exit code, the usage on stderr, nothing on stdout.</summary>
public sealed class UsageTests
{
    [Theory]
    [InlineData("modelplane: error: unknown flag --obsreved-resources", "render", "xr.yaml", "c.yaml", "--obsreved-resources", "o.yaml")]
    [InlineData("modelplane: error: unknown flag -z", "render", "-z")]
    [InlineData("modelplane: error: unknown flag --nope", "package", "lint", "--nope")]
    public void UnknownFlag_IsAUsageError(string message, params string[] args)
    {
        var run = CliRun.Of(args);

        Assert.Equal((Usage.ExitUsageError, ""), (run.ExitCode, run.Output));
        Assert.StartsWith(message + "\nUsage: modelplane ", run.Error, StringComparison.Ordinal);
        Assert.EndsWith("--help\" for more information.\n", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void InvalidOptionValue_IsAUsageError()
    {
        var run = CliRun.Of("render", "x.yaml", "c.yaml", "--crossplane-version", "latest");

        Assert.Equal((80, ""), (run.ExitCode, run.Output));
        Assert.StartsWith("modelplane: error: invalid --crossplane-version \"latest\"", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void NoCommand_IsAUsageError()
    {
        var run = CliRun.Of();

        Assert.Equal((80, ""), (run.ExitCode, run.Output));
        Assert.Contains("Usage: modelplane <command> [flags]", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_StillPrintsTheWholeHelpToStdout()
    {
        var run = CliRun.Of("render", "--help");

        Assert.Equal((0, ""), (run.ExitCode, run.Error));
        Assert.Contains("--required-schemas", run.Output, StringComparison.Ordinal);
    }
}
