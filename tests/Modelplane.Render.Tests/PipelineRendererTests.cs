// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Modelplane.Render.Engine;
using Modelplane.Render.Output;
using Modelplane.Render.Tests.Support;
using Modelplane.Sdk;
using Modelplane.Yaml;

namespace Modelplane.Render.Tests;

/// <summary>One XR through its pipeline: crossplane render's output shape, step chaining and the requirements loop.</summary>
public sealed class PipelineRendererTests
{
    private static readonly JsonObject Shop = TestPipeline.Yaml("""
        apiVersion: test.modelplane.ai/v1alpha1
        kind: Web
        metadata: {name: shop, namespace: team, labels: {tier: prod}}
        spec: {greeting: hi, replicas: 3}
        """);

    // What crossplane render (the CLI that runs pipelines itself, v2.2) prints for this composer, in
    // its own YAML style: cmd/crank/render's Render and SetComposedResourceMetadata, read line by line.
    private const string CrossplaneRenderShape = """
        ---
        apiVersion: test.modelplane.ai/v1alpha1
        kind: Web
        metadata:
          name: shop
          namespace: team
        status:
          conditions:
          - lastTransitionTime: "2024-01-01T00:00:00Z"
            message: 'Unready resources: deployment'
            reason: Creating
            status: "False"
            type: Ready
          - lastTransitionTime: "2024-01-01T00:00:00Z"
            message: waiting for the deployment
            reason: Deploying
            status: "False"
            type: Serving
          phase: Deploying
        ---
        apiVersion: v1
        data:
          greeting: hi
        kind: ConfigMap
        metadata:
          annotations:
            crossplane.io/composition-resource-name: config
          generateName: shop-
          labels:
            crossplane.io/composite: shop
          namespace: team
          ownerReferences:
          - apiVersion: test.modelplane.ai/v1alpha1
            blockOwnerDeletion: true
            controller: true
            kind: Web
            name: shop
            uid: ""
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          annotations:
            crossplane.io/composition-resource-name: deployment
          generateName: shop-
          labels:
            crossplane.io/composite: shop
          namespace: team
          ownerReferences:
          - apiVersion: test.modelplane.ai/v1alpha1
            blockOwnerDeletion: true
            controller: true
            kind: Web
            name: shop
            uid: ""
        spec:
          replicas: 3
        ---
        apiVersion: render.crossplane.io/v1beta1
        kind: Result
        message: composed web
        severity: SEVERITY_NORMAL
        step: compose-web
        ---
        apiVersion: render.crossplane.io/v1beta1
        kind: Result
        message: deployment is not ready yet
        severity: SEVERITY_WARNING
        step: compose-web
        """;

    [Fact]
    public async Task RenderAsync_OneStep_MatchesCrossplaneRenderFieldByField()
    {
        var result = await TestPipeline.RenderAsync(new RenderInputs { Composite = Shop, Composition = TestPipeline.Composition("Web", "web") });

        var want = YamlJson.ReadAll(CrossplaneRenderShape);
        var got = YamlJson.ReadAll(TestPipeline.Print(result, Shop));
        Assert.Equal(want.Count, got.Count);
        for (var i = 0; i < want.Count; i++)
        {
            Assert.True(JsonNode.DeepEquals(want[i], got[i]), $"document {i}: want\n{YamlJson.Write(want[i])}got\n{YamlJson.Write(got[i])}");
        }
    }

    [Fact]
    public async Task RenderAsync_ObservedResource_KeepsItsNameAndNamespace()
    {
        var observed = TestPipeline.Yaml("""
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: shop-x7k2p
              namespace: team
              generateName: shop-
              annotations: {crossplane.io/composition-resource-name: deployment}
            status: {availableReplicas: 3}
            """);

        var result = await TestPipeline.RenderAsync(new RenderInputs { Composite = Shop, Composition = TestPipeline.Composition("Web", "web"), Observed = [observed] });

        var deployment = result.Composed.Single(c => c.Key == "deployment").Resource;
        Assert.Equal("shop-x7k2p", Objects.Name(deployment));
        Assert.Equal("shop-", Objects.GenerateName(deployment));
        Assert.Null(deployment["status"]);
    }

    [Fact]
    public async Task RenderAsync_TwoSteps_PassesDesiredStateAndContextAlong()
    {
        var result = await TestPipeline.RenderAsync(new RenderInputs { Composite = Shop, Composition = TestPipeline.Composition("Web", "web", "guard") });

        Assert.Equal(["config", "deployment", "pdb-deployment"], result.Composed.Select(c => c.Key));
        Assert.Equal(3, result.Composed.Single(c => c.Key == "pdb-deployment").Resource["spec"]!["minAvailable"]!.GetValue<long>());
        Assert.Equal(["compose-web", "compose-web", "compose-guard"], result.Results.Select(r => r.Step));
        Assert.Equal(3, result.Context!["web/replicas"]!.GetValue<long>());
    }

    [Fact]
    public async Task RenderAsync_SeededContext_ReachesTheFirstStepAndIsPrintedWithIncludeContext()
    {
        var result = await TestPipeline.RenderAsync(new RenderInputs
        {
            Composite = Shop,
            Composition = TestPipeline.Composition("Web", "web"),
            Context = new JsonObject { ["apiextensions.crossplane.io/environment"] = new JsonObject { ["region"] = "eu" } },
        });

        var context = YamlJson.ReadAll(TestPipeline.Print(result, Shop, new RenderOutputOptions { IncludeContext = true }))[^1]!;
        Assert.Equal("""{"apiVersion":"render.crossplane.io/v1beta1","fields":{"apiextensions.crossplane.io/environment":{"region":"eu"},"web/replicas":3},"kind":"Context"}""",
            YamlJson.Read(YamlJson.Write(context))!.ToJsonString());
    }

    [Fact]
    public async Task RenderAsync_IncludeFullXr_CopiesSpecAndMetadata()
    {
        var result = await TestPipeline.RenderAsync(new RenderInputs { Composite = Shop, Composition = TestPipeline.Composition("Web", "web") });

        var xr = (JsonObject)YamlJson.ReadAll(TestPipeline.Print(result, Shop, new RenderOutputOptions { IncludeFullXr = true }))[0]!;
        Assert.True(JsonNode.DeepEquals(Shop["spec"], xr["spec"]));
        Assert.True(JsonNode.DeepEquals(Shop["metadata"], xr["metadata"]));
        Assert.Equal("Deploying", xr["status"]!["phase"]!.GetValue<string>());
    }

    [Fact]
    public async Task RenderAsync_RequirementsInTwoRounds_ResolveBySelectorNotByName()
    {
        var required = new ObjectStore(YamlJson.ReadAll("""
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata: {name: edge, namespace: infra, labels: {serves: chat}}
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata: {name: edge, namespace: other, labels: {serves: wrong}}
            ---
            apiVersion: test.modelplane.ai/v1alpha1
            kind: Endpoint
            metadata: {name: b, namespace: team, labels: {app: chat}}
            ---
            apiVersion: test.modelplane.ai/v1alpha1
            kind: Endpoint
            metadata: {name: a, namespace: zoo, labels: {app: chat}}
            ---
            apiVersion: test.modelplane.ai/v1alpha1
            kind: Endpoint
            metadata: {name: c, namespace: team, labels: {app: search}}
            """).Cast<JsonObject>());
        var runtime = new CountingRuntime(new InProcessRuntime(new FunctionRunner(TestPipeline.Registry)));
        var xr = TestPipeline.Yaml("{apiVersion: test.modelplane.ai/v1alpha1, kind: Router, metadata: {name: r}}");

        var result = await TestPipeline.RenderAsync(new RenderInputs { Composite = xr, Composition = TestPipeline.Composition("Router", "router"), Required = required }, runtime);

        Assert.Null(result.Error);
        // Call 1 asks for the gateway; call 2 sees it and asks for endpoints too; call 3 repeats call 2's requirements.
        Assert.Equal(3, runtime.Calls);
        Assert.Equal("""{"endpoints":["team/b","zoo/a"],"gateway":"edge","inTeam":2}""",
            new JsonObject(((JsonObject)result.Composite["status"]!).Where(kv => kv.Key != "conditions").Select(kv => KeyValuePair.Create(kv.Key, kv.Value?.DeepClone()))).ToJsonString());
    }

    [Fact]
    public async Task RenderAsync_BootstrapRequirementsAlreadyCoverTheStep_AnswersOnTheFirstCall()
    {
        var composition = TestPipeline.Composition("Router", "router");
        composition["spec"]!["pipeline"]![0]!["requirements"] = new JsonObject
        {
            ["requiredResources"] = new JsonArray((JsonNode)new JsonObject
            {
                ["requirementName"] = "gateway",
                ["apiVersion"] = "gateway.networking.k8s.io/v1",
                ["kind"] = "Gateway",
                ["name"] = "edge",
                ["namespace"] = "infra",
            }),
        };
        var runtime = new CountingRuntime(new InProcessRuntime(new FunctionRunner(TestPipeline.Registry)));
        var xr = TestPipeline.Yaml("{apiVersion: test.modelplane.ai/v1alpha1, kind: Router, metadata: {name: r}}");

        var result = await TestPipeline.RenderAsync(new RenderInputs { Composite = xr, Composition = composition }, runtime);

        Assert.Equal(1, runtime.Calls);
        Assert.Equal("(none)", result.Composite["status"]!["gateway"]!.GetValue<string>());
    }

    [Fact]
    public async Task RenderAsync_RequirementsThatNeverSettle_FailAfterFiveRecalls()
    {
        var runtime = new CountingRuntime(new InProcessRuntime(new FunctionRunner(TestPipeline.Registry)));
        var xr = TestPipeline.Yaml("{apiVersion: test.modelplane.ai/v1alpha1, kind: Restless, metadata: {name: r}}");

        var result = await TestPipeline.RenderAsync(new RenderInputs { Composite = xr, Composition = TestPipeline.Composition("Restless", "restless") }, runtime);

        Assert.Equal(6, runtime.Calls);
        Assert.Equal("cannot run pipeline step \"compose-restless\": requirements didn't stabilize after the maximum number of iterations (5)", result.Error);
    }

    [Fact]
    public async Task RenderAsync_FatalResult_StopsThePipelineWithCrossplanesMessage()
    {
        var xr = TestPipeline.Yaml("{apiVersion: test.modelplane.ai/v1alpha1, kind: Broken, metadata: {name: b}}");

        var result = await TestPipeline.RenderAsync(new RenderInputs { Composite = xr, Composition = TestPipeline.Composition("Broken", "broken", "guard") });

        Assert.Equal("pipeline step \"compose-broken\" returned a fatal result: cannot compose: spec.size is both small and large", result.Error);
        Assert.Empty(result.Composed);
    }

    [Fact]
    public async Task RenderAsync_StepCredentials_ComeFromTheNamedSecret()
    {
        Apiextensions.Fn.Proto.V1.RunFunctionRequest? seen = null;
        var spy = new Composer("spy", req =>
        {
            seen = req.Proto;
            return new Composition();
        }, "Spy.test.modelplane.ai");
        var composition = TestPipeline.Composition("Spy", "spy");
        composition["spec"]!["pipeline"]![0]!["credentials"] = new JsonArray((JsonNode)new JsonObject
        {
            ["name"] = "api",
            ["source"] = "Secret",
            ["secretRef"] = new JsonObject { ["namespace"] = "crossplane-system", ["name"] = "api-key" },
        });
        var secret = TestPipeline.Yaml("""
            apiVersion: v1
            kind: Secret
            metadata: {name: api-key, namespace: crossplane-system}
            data: {token: c2VjcmV0}
            stringData: {user: admin}
            """);
        var xr = TestPipeline.Yaml("{apiVersion: test.modelplane.ai/v1alpha1, kind: Spy, metadata: {name: s}}");

        await TestPipeline.RenderAsync(new RenderInputs { Composite = xr, Composition = composition, Credentials = [secret] },
            new InProcessRuntime(new FunctionRunner(new ComposerRegistry([spy]))));

        var data = seen!.Credentials["api"].CredentialData.Data;
        Assert.Equal("secret", data["token"].ToStringUtf8());
        Assert.Equal("admin", data["user"].ToStringUtf8());
    }

    [Fact]
    public async Task RenderAsync_ComposerThatThrows_FailsItsStepAsTheServerWouldAnswer()
    {
        var buggy = new Composer("buggy", _ => throw new InvalidOperationException("index out of step"), "Buggy.test.modelplane.ai");
        var xr = TestPipeline.Yaml("{apiVersion: test.modelplane.ai/v1alpha1, kind: Buggy, metadata: {name: b}}");

        var result = await TestPipeline.RenderAsync(new RenderInputs { Composite = xr, Composition = TestPipeline.Composition("Buggy", "buggy") },
            new InProcessRuntime(new FunctionRunner(new ComposerRegistry([buggy]))));

        Assert.Equal("cannot run pipeline step \"compose-buggy\": rpc error: code = Internal desc = the composer threw InvalidOperationException: index out of step", result.Error);
    }

    [Theory]
    [InlineData("deployment", "Unready resources: deployment")]
    [InlineData("a,b", "Unready resources: a, b")]
    [InlineData("c,a,b", "Unready resources: a, b, and c")]
    [InlineData("e,d,c,b,a", "Unready resources: a, b, c, and 2 more")]
    public async Task RenderAsync_UnreadyResources_NamedAsCrossplaneNamesThem(string keys, string message)
    {
        var composer = new Composer("many", _ => new Composition
        {
            Resources = keys.Split(',').ToDictionary(k => k, k => DesiredResource.Of(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ConfigMap" })),
        }, "Many.test.modelplane.ai");
        var xr = TestPipeline.Yaml("{apiVersion: test.modelplane.ai/v1alpha1, kind: Many, metadata: {name: m}}");

        var result = await TestPipeline.RenderAsync(new RenderInputs { Composite = xr, Composition = TestPipeline.Composition("Many", "many") },
            new InProcessRuntime(new FunctionRunner(new ComposerRegistry([composer]))));

        var ready = Objects.Condition(result.Composite, "Ready")!;
        Assert.Equal(("False", "Creating", message), (Objects.String(ready["status"]), Objects.String(ready["reason"]), Objects.String(ready["message"])));
    }
}

/// <summary>The render command's own parsing and checks, through the CLI.</summary>
public sealed class RenderCommandTests
{
    [Theory]
    [InlineData("1m", 60_000)]
    [InlineData("90s", 90_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("500ms", 500)]
    [InlineData("1h", 3_600_000)]
    public void ParseDuration_GoDurations(string text, double milliseconds) =>
        Assert.Equal(milliseconds, Commands.RenderCommand.ParseDuration(text).TotalMilliseconds);

    [Theory]
    [InlineData("")]
    [InlineData("10")]
    [InlineData("1 m")]
    [InlineData("1d")]
    public void ParseDuration_Nonsense_IsRejected(string text) =>
        Assert.Throws<RenderException>(() => Commands.RenderCommand.ParseDuration(text));

    [Fact]
    public void Render_CompositionForAnotherKind_IsRefusedAsCrossplaneRefusesIt()
    {
        using var dir = Repo.Temp();
        var xr = dir.Write("xr.yaml", "{apiVersion: test.modelplane.ai/v1alpha1, kind: Web, metadata: {name: shop}}");
        var composition = dir.Write("composition.yaml", YamlJson.Write(TestPipeline.Composition("Guarded", "guard")));

        var run = CliRun.Of("render", xr, composition);

        Assert.Equal((1, "", "modelplane: error: composition's compositeTypeRef.kind (Guarded) does not match XR's kind (Web)\n"), (run.ExitCode, run.Output, run.Error));
    }

    [Fact]
    public void Render_WithoutArguments_SaysWhatItNeeds()
    {
        var run = CliRun.Of("render");

        Assert.Equal((80, "", "modelplane: error: render needs XR and COMPOSITION files (or --fleet DIR)\nUsage: modelplane render [<xr>] [<composition>] [<functions>] [flags]\nRun \"modelplane render --help\" for more information.\n"), (run.ExitCode, run.Output, run.Error));
    }
}
