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
        // The text overload (required objects) agrees on both counts.
        Assert.Equal(clean, ElementReads.TryRead(System.Text.Encoding.UTF8.GetBytes(json), info, 64, out var fromText));
        Assert.Equal(careful, fromText is null ? null : JsonSerializer.Serialize(fromText, info));
    }

    [Theory]
    // An escaped property name, and a property given twice: the element walk takes them, the text
    // walk leaves them to the careful read rather than decode or track them.
    [InlineData("""{"gpu\u0050ools": [{"name": "h100", "nodes": 2}]}""")]
    [InlineData("""{"gpuPools": [{"name": "h100"}], "gpuPools": [{"name": "a100"}]}""")]
    // Trailing text after the object, and nesting past the allowed depth.
    [InlineData("""{"gpuPools": []} {}""")]
    [InlineData("""{"gateway": {"address": "x", "more": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}}""")]
    public void TryRead_FromText_RefusesWhatItWillNotCheck(string json) =>
        Assert.False(ElementReads.TryRead(System.Text.Encoding.UTF8.GetBytes(json), InferenceClusterJsonContext.Default.InferenceClusterStatus, 64, out _));

    [Fact]
    public void TryRead_FromText_OutOfRangeCount_TakesTheCarefulRead() =>
        Assert.False(ElementReads.TryRead("""{"name": "h100", "className": "h100-80g", "nodeCount": -1}"""u8, InferenceClusterJsonContext.Default.NodePool, 64, out _));

    [Fact]
    public void RequiredRead_FromText_SameRecordsAsTheCarefulRead()
    {
        // Required objects as the server decodes them: the fast read and the careful read give the same records.
        var clusters = FleetFixtures.Clusters(40, 100);
        var request = FunctionHost.Request(null, new JsonObject { ["apiVersion"] = "modelplane.ai/v1alpha1", ["kind"] = "ModelDeployment" },
            required: new Dictionary<string, IReadOnlyList<JsonObject>> { ["clusters"] = clusters });
        var info = InferenceClusterJsonContext.Default.InferenceCluster;

        var fast = new FunctionRequest(RequestDecoder.Decode(request)).Required.Read("clusters", info);
        var careful = clusters.Select((c, i) => FunctionRequest.Read(c, info, $"required[clusters][{i}]")).ToArray();

        Assert.Equal(careful.Select(c => JsonSerializer.Serialize(c, info)), fast.Select(c => JsonSerializer.Serialize(c, info)));
        Assert.All(clusters.Select(c => System.Text.Encoding.UTF8.GetBytes(c.ToJsonString())), text =>
            Assert.True(ElementReads.TryRead(text, info, 64, out _), "an ordinary cluster takes the fast read"));
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
