// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Modelplane.Render.Engine;
using Modelplane.Render.Tests.Support;
using Modelplane.Render.Validation;
using Modelplane.Yaml;

namespace Modelplane.Render.Tests;

/// <summary>examples/fleet-criticality through <c>render --fleet</c>: a Critical chat service and a Sheddable batch service on one deployment, both sides of the path, and every Inference Extension object against the CRDs the serving stack installs.</summary>
public sealed class CriticalityFleetTests
{
    private const string Objective = "x-llm-d-inference-objective";

    private static readonly Lazy<JsonObject[]> Rendered = new(() =>
    {
        var run = CliRun.Of(["render", "--fleet", Repo.Path("examples", "fleet-criticality"), "--assume-ready", "--package", Repo.Path("package"), "--format", "yaml", "--timeout", "10m"]);
        Assert.True(run.ExitCode == 0, run.Error);
        return [.. YamlJson.ReadAll(run.Output).OfType<JsonObject>()];
    });

    // What lands on the workload clusters, unwrapped from its provider-kubernetes Object, beside what the control plane holds.
    private static IEnumerable<JsonObject> Manifests() =>
        Rendered.Value.Select(o => Objects.String(o["kind"]) == "Object" && o["spec"]?["forProvider"]?["manifest"] is JsonObject m ? m : o);

    private static JsonObject[] Kind(string apiVersion, string kind) =>
        [.. Manifests().Where(m => Objects.String(m["apiVersion"]) == apiVersion && Objects.String(m["kind"]) == kind)];

    private static string[] Replicas() =>
        [.. Kind("modelplane.ai/v1alpha1", "ModelReplica").Select(r => Objects.String(r["metadata"]!["name"])).Order(StringComparer.Ordinal)];

    [Fact]
    public void RenderFleet_ChatRoute_CriticalObjectivesAndLoweringRules()
    {
        var rules = Rules("chat");
        var replicas = Replicas();
        Assert.Equal(2, replicas.Length);
        // Its own class, then a copy for each class a client may lower to.
        Assert.Equal(3, rules.Length);
        Assert.Equal(replicas.Select(r => $"{r}-critical"), ObjectivesOf(rules[0]));
        Assert.Null(rules[0]["matches"]![0]!["headers"]);
        foreach (var (rule, lowered) in new[] { (rules[1], "Standard"), (rules[2], "Sheddable") })
        {
            Assert.Equal([lowered], rule["matches"]!.AsArray().Select(m => Objects.String(m!["headers"]![0]!["value"])));
            Assert.All(rule["matches"]!.AsArray(), m => Assert.Equal("x-modelplane-criticality", Objects.String(m!["headers"]![0]!["name"])));
            Assert.Equal(replicas.Select(r => $"{r}-{lowered.ToLowerInvariant()}"), ObjectivesOf(rule));
        }
    }

    [Fact]
    public void RenderFleet_BatchRoute_OneSheddableRule()
    {
        var rule = Assert.Single(Rules("batch"));
        Assert.Equal(Replicas().Select(r => $"{r}-sheddable"), ObjectivesOf(rule));
    }

    [Fact]
    public void RenderFleet_EachReplica_ThreeObjectivesAndTheChatSplit()
    {
        var objectives = Kind("llm-d.ai/v1alpha2", "InferenceObjective");
        var rewrites = Kind("llm-d.ai/v1alpha2", "InferenceModelRewrite");
        foreach (var replica in Replicas())
        {
            var own = objectives.Where(o => Objects.String(o["spec"]!["poolRef"]!["name"]) == $"{replica}-pool")
                .ToDictionary(o => Objects.String(o["metadata"]!["name"]), o => (long)o["spec"]!["priority"]!);
            Assert.Equal(new Dictionary<string, long> { [$"{replica}-critical"] = 100, [$"{replica}-standard"] = 0, [$"{replica}-sheddable"] = -100 }, own);

            // chat splits its model "chat" 90/10; batch declares no split, so gets no rewrite.
            var rewrite = Assert.Single(rewrites, r => Objects.String(r["spec"]!["poolRef"]!["name"]) == $"{replica}-pool");
            var rule = Assert.Single(rewrite["spec"]!["rules"]!.AsArray())!;
            Assert.Equal("chat", Objects.String(rule["matches"]![0]!["model"]!["value"]));
            Assert.Equal(["qwen=90", "qwen-support=10"], rule["targets"]!.AsArray().Select(t => $"{Objects.String(t!["modelRewrite"])}={t["weight"]}"));
        }
    }

    [Fact]
    public void RenderFleet_Pickers_FlowControlOn()
    {
        var configs = Kind("v1", "ConfigMap").Where(c => c["data"]?["epp-config.yaml"] is not null).ToArray();
        Assert.Equal(2, configs.Length);
        Assert.All(configs, c =>
        {
            var config = (JsonObject)YamlJson.Read(Objects.String(c["data"]!["epp-config.yaml"]))!;
            Assert.Equal("flowControl", Objects.String(config["featureGates"]![0]));
            Assert.Equal("utilization-detector", Objects.String(config["flowControl"]!["saturationDetector"]!["pluginRef"]));
        });
    }

    [Fact]
    public void RenderFleet_Services_StatusSaysWhatTrafficCarries()
    {
        var services = Kind("modelplane.ai/v1alpha1", "ModelService").ToDictionary(s => Objects.String(s["metadata"]!["name"]));
        Assert.Equal(["Critical"], services["chat"]["status"]!["criticality"]!["classes"]!.AsArray().Select(c => Objects.String(c)));
        Assert.Equal(["Sheddable"], services["batch"]["status"]!["criticality"]!["classes"]!.AsArray().Select(c => Objects.String(c)));
        Assert.All(services.Values, s => Assert.Contains(s["status"]!["conditions"]!.AsArray(), c => Objects.String(c!["type"]) == "CriticalityHonoured"));
    }

    // The vendored CRDs are the serving stack's; an object they reject would fail on every cluster.
    [Fact]
    public void RenderFleet_InferenceExtensionObjects_ValidAgainstVendoredCrds()
    {
        var schemas = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var file in Directory.GetFiles(Repo.Path("functions", "ServingStacks", "GaieCrds"), "*.yaml"))
        {
            var crd = (JsonObject)YamlJson.Read(File.ReadAllText(file))!;
            foreach (var version in crd["spec"]!["versions"]!.AsArray())
            {
                schemas[$"{Objects.String(crd["spec"]!["group"])}/{Objects.String(version!["name"])}/{Objects.String(crd["spec"]!["names"]!["kind"])}"] =
                    version["schema"]!["openAPIV3Schema"]!.AsObject();
            }
        }
        var checkedKinds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var manifest in Manifests())
        {
            var key = $"{Objects.String(manifest["apiVersion"])}/{Objects.String(manifest["kind"])}";
            if (!schemas.TryGetValue(key, out var schema))
            {
                continue;
            }
            var copy = manifest.DeepClone();
            SchemaValidator.ApplyDefaults(copy, schema);
            Assert.Empty(SchemaValidator.Validate(copy, schema, Objects.String(manifest["metadata"]!["name"])));
            checkedKinds.Add(key);
        }
        Assert.Equal(
            ["inference.networking.k8s.io/v1/InferencePool", "llm-d.ai/v1alpha2/InferenceModelRewrite", "llm-d.ai/v1alpha2/InferenceObjective"],
            checkedKinds.Order(StringComparer.Ordinal));
    }

    // The validator must catch what the API server would reject, or the check above proves nothing.
    [Theory]
    [InlineData("llm-d.ai_inferenceobjectives.yaml", "priority", "\"high\"")]
    [InlineData("llm-d.ai_inferencemodelrewrites.yaml", "poolRef", "{}")]
    public void Validate_BrokenInferenceExtensionObject_Rejected(string file, string field, string value)
    {
        var crd = (JsonObject)YamlJson.Read(File.ReadAllText(Repo.Path("functions", "ServingStacks", "GaieCrds", file)))!;
        var schema = crd["spec"]!["versions"]![0]!["schema"]!["openAPIV3Schema"]!.AsObject();
        var spec = new JsonObject { ["poolRef"] = new JsonObject { ["name"] = "p" }, ["rules"] = new JsonArray(new JsonObject { ["targets"] = new JsonArray(new JsonObject { ["modelRewrite"] = "m" }) }) };
        spec[field] = JsonNode.Parse(value);
        var broken = new JsonObject { ["apiVersion"] = "llm-d.ai/v1alpha2", ["kind"] = Objects.String(crd["spec"]!["names"]!["kind"]), ["metadata"] = new JsonObject { ["name"] = "x" }, ["spec"] = spec };
        SchemaValidator.ApplyDefaults(broken, schema);
        Assert.Contains(SchemaValidator.Validate(broken, schema, ""), e => e.Field.Contains(field, StringComparison.Ordinal));
    }

    [Fact]
    public void ValidateCli_Example_ValidAgainstTheXrds()
    {
        var run = CliRun.Of(["validate", Repo.Path("examples", "fleet-criticality"), "--package", Repo.Path("package")]);
        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        Assert.EndsWith(": 0 errors\n", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateCli_RealXrd_RejectsUnknownClassAndTwiceListedModel()
    {
        using var dir = Repo.Temp();
        var bad = dir.Write("service.yaml", """
            apiVersion: modelplane.ai/v1alpha1
            kind: ModelService
            metadata: {name: chat, namespace: ml-team}
            spec:
              criticality: Urgent
              endpoints:
              - selector: {matchLabels: {app: chat}}
                models:
                  targets: [{name: qwen}, {name: qwen, weight: 3}]
            """);

        var run = CliRun.Of("validate", bad, "--package", Repo.Path("package"));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("spec.criticality: Unsupported value: \"Urgent\"", run.Output, StringComparison.Ordinal);
        Assert.Contains("spec.endpoints[0].models.targets: Invalid value: \"array\": each target names a different model", run.Output, StringComparison.Ordinal);
    }

    private static JsonObject[] Rules(string service) =>
        [.. Kind("gateway.networking.k8s.io/v1", "HTTPRoute")
            .Where(r => Objects.String(r["metadata"]?["namespace"]) == "ml-team"
                && r["spec"]!["rules"]!.AsArray().Any(rule => Objects.String(rule!["matches"]![0]!["path"]!["value"]) == $"/ml-team/{service}/"))
            .SelectMany(r => r["spec"]!["rules"]!.AsArray()).Select(r => r!.AsObject())];

    private static string[] ObjectivesOf(JsonObject rule) =>
        [.. rule["backendRefs"]!.AsArray()
            .Select(b => b!["filters"]!.AsArray().Select(f => f!["requestHeaderModifier"]).OfType<JsonObject>().Single())
            .Select(m => m["set"]!.AsArray().Single(h => Objects.String(h!["name"]) == Objective)!)
            .Select(h => Objects.String(h["value"]))
            .Order(StringComparer.Ordinal)];

    [Fact]
    public void RenderFleet_Summary_ListsEachBackendOfAServiceOnce()
    {
        // The route repeats every backend once per class a client may lower to; the summary shows the split once.
        var run = CliRun.Of(["render", "--fleet", Repo.Path("examples", "fleet-criticality"), "--assume-ready", "--package", Repo.Path("package"), "--timeout", "10m"]);
        Assert.True(run.ExitCode == 0, run.Error);
        var services = run.Output.Split("MODEL SERVICES")[1].Split("\n\n")[0].Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToArray();
        Assert.NotEmpty(services);
        Assert.Equal(services.Length, services.Distinct(StringComparer.Ordinal).Count());
    }
}
