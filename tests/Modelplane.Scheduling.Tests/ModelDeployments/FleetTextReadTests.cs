// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json;
using System.Text.Json.Nodes;
using Modelplane.Apis.InferenceClusters;
using Modelplane.Functions.ModelDeployments;
using Modelplane.Sdk;
using Modelplane.Testing;

namespace Modelplane.Scheduling.Tests.ModelDeployments;

/// <summary>The fleet read straight from text gives what the careful read gives, and refuses whatever the careful read refuses.</summary>
public sealed class FleetTextReadTests
{
    [Theory]
    [InlineData("""{"gpuPools": [{"name": "h100", "className": "h100-80g", "nodes": 2}], "gateway": {"address": "10.0.0.1"}}""", true)]
    [InlineData("""{"gpuPools": [null]}""", false)]
    [InlineData("""{"conditions": [{"type": "Ready", "status": "True"}, null]}""", false)]
    [InlineData("""{"gpuPools": [{"name": "h100", "allocated": {"pods": [{"devices": {"gpu.nvidia.com": null}, "count": 2}]}}]}""", false)]
    [InlineData("""{"gpuPools": [{"name": "h100", "nodes": "two"}]}""", false)]
    [InlineData("""{"gpuPools": [{"name": "h100", "devices": [{"name": "gpu", "claim": 1}]}]}""", false)]
    [InlineData("""{"gpuPools": [{"name": "h100", "devices": [{"name": "gpu", "claim": "DRA", "count": 2}]}]}""", true)]
    public void TryRead_AgreesWithTheCarefulRead(string json, bool clean)
    {
        var element = JsonDocument.Parse(json).RootElement;
        var info = InferenceClusterJsonContext.Default.InferenceClusterStatus;
        string? careful;
        try
        {
            careful = JsonSerializer.Serialize(FunctionRequest.Read(JsonNode.Parse(json)!, info, "status"), info);
        }
        catch (InvalidInputException)
        {
            careful = null;
        }

        Assert.Equal(clean, ElementReads.TryRead(element, info, out var fast));
        Assert.Equal(careful, fast is null ? null : JsonSerializer.Serialize(fast, info));
    }

    [Fact]
    public void TryRead_OutOfRangeCount_TakesTheCarefulRead()
    {
        // A [Range] the careful read enforces: a negative node count on a spec pool.
        const string json = """{"name": "h100", "className": "h100-80g", "nodeCount": -1}""";
        var info = InferenceClusterJsonContext.Default.NodePool;
        Assert.Throws<InvalidInputException>(() => FunctionRequest.Read(JsonNode.Parse(json)!, info, "pool"));
        Assert.False(ElementReads.TryRead(JsonDocument.Parse(json).RootElement, info, out _));
    }

    [Fact]
    public void Fleet_FromText_IsTheFleetFromObjects()
    {
        var clusters = FleetFixtures.Clusters(60, 300);
        var texts = clusters.Select(c => JsonSerializer.Deserialize(c.ToJsonString(), FleetJsonContext.Default.ClusterText)!).ToArray();

        var fast = Fleet.TryRead(texts, FleetFixtures.Classes(), out var storage);
        var careful = Fleet.Read(clusters, FleetFixtures.Classes());

        Assert.NotNull(fast);
        Assert.Equal(Describe(careful), Describe(fast));
        Assert.Equal(Modelplane.Functions.ModelDeployments.CachePlacement.Storage(clusters), storage);
    }

    [Fact]
    public void Fleet_FromText_UnreadableStatus_LeavesItToTheCarefulRead()
    {
        var clusters = FleetFixtures.Clusters(3, 0);
        clusters[1]["status"]!["gpuPools"]!.AsArray().Add(null);
        var texts = clusters.Select(c => JsonSerializer.Deserialize(c.ToJsonString(), FleetJsonContext.Default.ClusterText)!).ToArray();

        Assert.Null(Fleet.TryRead(texts, FleetFixtures.Classes(), out _));
        Assert.Contains(Fleet.Read(clusters, FleetFixtures.Classes()), c => c.Problem is not null);
    }

    private static string[] Describe(IReadOnlyList<FleetCluster> fleet) =>
        [.. fleet.Select(c => $"{c.Name} ready={c.Ready} gw={c.Gateway} taints={string.Join(",", c.Taints.Select(Tolerations.Describe))} problem={c.Problem} pools="
            + string.Join(";", c.Pools.Select(p => $"{p.Name}/{p.Nodes}/{string.Join(",", p.Devices.PerNode.Select(d => $"{d.Key}={d.Value}"))}/{p.Devices.Devices.Count}/{p.Devices.Problem}/{(p.Allocated is null ? "-" : JsonSerializer.Serialize(p.Allocated, InferenceClusterJsonContext.Default.PoolAllocation))}")))];
}
