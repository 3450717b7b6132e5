// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Modelplane.Composers;
using Modelplane.Render.Engine;
using Modelplane.Render.Output;
using Modelplane.Routing.Tests.Schema;
using Modelplane.Sdk;
using Modelplane.Testing;
using Modelplane.Yaml;

namespace Modelplane.Routing.Tests.Examples;

/// <summary>Every routing example rendered in process, as <c>modelplane render xr.yaml composition.yaml -r</c> does, and compared with its render.yaml.</summary>
public sealed class ExampleRenderTests
{
    private static readonly string[] Plurals = ["inferencegateways", "modelendpoints", "modelservices"];

    public static TheoryData<string> Scenarios()
    {
        var data = new TheoryData<string>();
        foreach (var plural in Plurals)
        {
            var dir = Path.Combine(RepoRoot(), "examples", plural);
            if (!Directory.Exists(dir))
            {
                continue;
            }
            foreach (var scenario in Directory.GetDirectories(dir).Order(StringComparer.Ordinal))
            {
                data.Add($"{plural}/{Path.GetFileName(scenario)}");
            }
        }
        return data;
    }

    [Fact]
    public void Scenarios_TheFiveRoutingStories_AllPresent() =>
        Assert.Superset(
            new HashSet<string>(StringComparer.Ordinal)
            {
                "modelservices/self-hosted-replicas", "modelservices/self-hosted-plus-provider",
                "modelservices/weighted-canary", "modelservices/break-glass-tier", "modelservices/hundred-endpoints",
            },
            ((IEnumerable<object[]>)Scenarios()).Select(row => (string)row[0]).ToHashSet(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task Render_Example_MatchesRenderYaml(string scenario)
    {
        var dir = Path.Combine(RepoRoot(), "examples", scenario);
        Assert.True(File.Exists(Path.Combine(dir, "README.md")), $"{scenario} has no README.md");
        var documents = await Render(dir);
        Golden.MatchFile(Path.Combine(dir, "render.yaml"), YamlJson.WriteAll(documents));

        // Whatever the golden says, what the example composes must be valid Gateway API (render's added
        // metadata is open in the schema).
        foreach (var resource in documents.OfType<JsonObject>().Where(d => d["apiVersion"]?.GetValue<string>() == "gateway.networking.k8s.io/v1"))
        {
            Assert.Empty(GatewayApiSchemas.Validate(resource));
        }
    }

    private static async Task<IReadOnlyList<JsonNode>> Render(string dir)
    {
        var xr = (JsonObject)YamlJson.Read(File.ReadAllText(Path.Combine(dir, "xr.yaml")))!;
        var plural = Path.GetFileName(Path.GetDirectoryName(dir))!;
        var composition = (JsonObject)YamlJson.Read(File.ReadAllText(Path.Combine(RepoRoot(), "package", "apis", plural, "composition.yaml")))!;
        using var runtimes = new FunctionRuntimes(new InProcessRuntime(new FunctionRunner(AllComposers.Registry)));
        var result = await new PipelineRenderer(runtimes).RenderAsync(new RenderInputs
        {
            Composite = xr,
            Composition = composition,
            Observed = ReadAll(Path.Combine(dir, "observed.yaml")),
            Required = new ObjectStore(ReadAll(Path.Combine(dir, "required.yaml"))),
        }, CancellationToken.None);
        Assert.True(result.Error is null, result.Error);
        return RenderOutput.Documents(result, xr, new RenderOutputOptions { IncludeFunctionResults = true });
    }

    private static JsonObject[] ReadAll(string path) =>
        File.Exists(path) ? YamlJson.ReadAll(File.ReadAllText(path)).OfType<JsonObject>().ToArray() : [];

    private static string RepoRoot([CallerFilePath] string path = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", "..", ".."));
}
