// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Modelplane.Render.Tests.Support;
using Modelplane.Yaml;

namespace Modelplane.Render.Tests;

/// <summary>examples/modelcaches/fleet through <c>modelplane render --fleet</c>: replicas land where the cache can stage, and it stages only there.</summary>
public sealed class ExampleModelCacheFleetTests
{
    private static CliRun RunFleet(params string[] extra) =>
        CliRun.Of(["render", "--fleet", Repo.Path("examples", "modelcaches", "fleet"), "--assume-ready", "--package", Repo.Path("package"), .. extra]);

    [Fact]
    public void RenderFleet_CachedDeployment_ReplicasAndCopiesOnTheClustersWithCacheStorage()
    {
        var run = RunFleet("--format", "yaml");
        Assert.True(run.ExitCode == 0, run.Error);
        var objects = YamlJson.ReadAll(run.Output).OfType<JsonObject>().ToArray();

        var replicaClusters = objects
            .Where(o => (string?)o["kind"] == "ModelReplica")
            .Select(o => (string)o["spec"]!["clusterName"]!)
            .Order(StringComparer.Ordinal)
            .ToArray();
        var cache = objects.Single(o => (string?)o["kind"] == "ModelCache");
        var copies = ((JsonArray)cache["status"]!["clusters"]!).OfType<JsonObject>()
            .Select(c => $"{c["name"]}:{c["phase"]}:{c["reason"]}")
            .ToArray();

        // byo-edge comes first by name but has no cache storage: neither a replica nor a copy goes there.
        Assert.Equal(["byo-us-east", "byo-us-west"], replicaClusters);
        Assert.Equal(["byo-us-east:Ready:Replicas", "byo-us-west:Ready:Replicas"], copies);
        Assert.Equal("2/2", (string?)cache["status"]!["summary"]!["ready"]);
    }

    [Fact]
    public void RenderFleet_Twice_PrintsIdenticalBytes()
    {
        var first = RunFleet("--format", "yaml");
        var second = RunFleet("--format", "yaml");

        Assert.True(first.ExitCode == 0, first.Error);
        Assert.Equal(first.Output, second.Output);
    }
}
