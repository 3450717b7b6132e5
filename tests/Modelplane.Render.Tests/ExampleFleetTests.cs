// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Modelplane.Render.Engine;
using Modelplane.Render.Tests.Support;
using Modelplane.Yaml;

namespace Modelplane.Render.Tests;

/// <summary>examples/fleet through <c>modelplane render --fleet</c>, as <c>make run</c> runs it.</summary>
public sealed class ExampleFleetTests
{
    private static CliRun RunFleet(params string[] extra) =>
        CliRun.Of(["render", "--fleet", Repo.Path("examples", "fleet"), "--assume-ready", "--package", Repo.Path("package"), .. extra]);

    [Fact]
    public void RenderFleet_Twice_PrintsIdenticalBytes()
    {
        var first = RunFleet("--format", "yaml");
        var second = RunFleet("--format", "yaml");

        Assert.True(first.ExitCode == 0, first.Error);
        Assert.Equal(first.Output, second.Output);
        Assert.Contains("# MODEL DEPLOYMENTS", first.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void RenderFleet_Text_SettlesAndPrintsEverySummaryTable()
    {
        var run = RunFleet();

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Matches(@"^Fleet .*examples/fleet: \d+ composite resources, \d+ composed resources, settled after \d+ rounds \(--assume-ready\)\.\n", run.Output);
        foreach (var section in new[] { "\nCLUSTERS\n", "\nMODEL DEPLOYMENTS\n", "\nMODEL SERVICES\n", "\nTREE\n" })
        {
            Assert.Contains(section, "\n" + run.Output, StringComparison.Ordinal);
        }
        Assert.Contains("ModelService/ml-team/assistant", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("\nPROBLEMS\n", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void RenderFleet_EveryManagedResourceKind_HasItsProviderInTheConfigurationsDependencies()
    {
        var run = RunFleet("--format", "yaml");
        Assert.True(run.ExitCode == 0, run.Error);
        var meta = Manifests.LoadOne(Repo.Path("package", "crossplane.yaml"), "Configuration");
        var providers = ((JsonArray)meta.Object["spec"]!["dependsOn"]!).Cast<JsonObject>()
            .Where(d => Objects.String(d["kind"]) == "Provider")
            .Select(d => Objects.String(d["package"]).Split('/')[^1])
            .ToHashSet(StringComparer.Ordinal);

        // Provider-served groups: crossplane-contrib style <name>[.m].crossplane.io, and Upbound's
        // <service>.<cloud>[.m].upbound.io; Crossplane's own groups are served by Crossplane.
        var crossplaneOwn = new[] { "apiextensions.crossplane.io", "protection.crossplane.io", "pkg.crossplane.io", "ops.crossplane.io" };
        var needed = YamlJson.ReadAll(run.Output).Cast<JsonObject>()
            .Select(o => Objects.Group(Objects.ApiVersion(o)))
            .Where(g => (g.EndsWith(".crossplane.io", StringComparison.Ordinal) && !crossplaneOwn.Contains(g)) || g.EndsWith(".upbound.io", StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal)
            .Select(g => (Group: g, Provider: g.EndsWith(".upbound.io", StringComparison.Ordinal) ? $"provider-{g.Split('.')[1]}-{g.Split('.')[0]}" : $"provider-{g.Split('.')[0]}"))
            .ToArray();

        Assert.NotEmpty(needed);
        Assert.All(needed, n => Assert.True(providers.Contains(n.Provider), $"{n.Group} is composed but package/crossplane.yaml does not depend on {n.Provider}"));
    }
}
