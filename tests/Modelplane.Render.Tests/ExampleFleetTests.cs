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

    private static CliRun RunScenario(string folder, params string[] extra) =>
        CliRun.Of(["render", "--fleet", Repo.Path("examples", folder), "--assume-ready", "--package", Repo.Path("package"), .. extra]);

    // The scheduling fleets (issue 9): each starts from what already runs and settles where its README says.
    [Theory]
    [InlineData("fleet-rollout", new[] { "ml-team/qwen3-8b  qwen3-8b-702f6  byo-us-west  l4    Ready" }, new[] { "byo-us-east  l4", "(not settled)" })]
    [InlineData("fleet-overcommit", new[] { "ml-team/chat-a  chat-a-d4117  byo-us-east  l4    Ready", "ml-team/chat-b  chat-b-94d79  byo-us-west  l4    Ready" },
        new[] { "OVER SIZE", "(not settled)", "chat-b-3c743" })]
    public void RenderFleet_SchedulingScenario_SettlesWhereItsReadmeSays(string folder, string[] rows, string[] absent)
    {
        var run = RunScenario(folder);

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("settled after", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("\nPROBLEMS\n", run.Output, StringComparison.Ordinal);
        Assert.All(rows, r => Assert.Contains(r, run.Output, StringComparison.Ordinal));
        Assert.All(absent, a => Assert.DoesNotContain(a, run.Output, StringComparison.Ordinal));
    }

    [Fact]
    public void RenderFleet_Overcommit_IsReportedAndTheLaterPlacementYieldsBeforeItSettles()
    {
        // Stop the fleet round by round until the overcommit shows: the pool is flagged, both
        // deployments say so, and the later one moves make-before-break.
        string? shown = null;
        for (var rounds = 2; rounds <= 12 && shown is null; rounds++)
        {
            var run = RunScenario("fleet-overcommit", "--max-rounds", rounds.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (run.Output.Contains("is the later placement and moves", StringComparison.Ordinal))
            {
                shown = run.Output;
            }
        }

        Assert.NotNull(shown);
        Assert.Contains("l4: 1 node (OVER SIZE)", shown, StringComparison.Ordinal);
        Assert.Contains("replica chat-a-d4117 was placed first", shown, StringComparison.Ordinal);
        Assert.Matches(@"ml-team/chat-b\s+chat-b-3c743\s+byo-us-east", shown);
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
