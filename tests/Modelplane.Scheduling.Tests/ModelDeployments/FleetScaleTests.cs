// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Apiextensions.Fn.Proto.V1;
using Modelplane.Functions.ModelDeployments;
using Modelplane.Testing;
using Xunit.Abstractions;

namespace Modelplane.Scheduling.Tests.ModelDeployments;

/// <summary>Item 7: a deployment scheduled on 1,000 clusters already running 5,000 other replicas stays under gRPC's 4 MiB.</summary>
/// <remarks>
/// What grows with the fleet is one InferenceCluster per candidate (about 2.6 KiB as Crossplane fetches it,
/// most of it Crossplane's own metadata, references and conditions) and about a hundred bytes per replica
/// of another deployment (its name in a pool's published allocation). The response holds only this
/// deployment's replicas.
/// </remarks>
public sealed class FleetScaleTests(ITestOutputHelper output)
{
    private const int FourMiB = 4 * 1024 * 1024;
    private const int OneMiB = 1024 * 1024;

    [Fact]
    public void Schedule_ThousandClustersFiveThousandReplicas_StaysUnderTheLimit()
    {
        var request = FleetFixtures.ScheduleRequest(clusters: 1000, otherReplicas: 5000, replicas: 10);
        var (requestBytes, responseBytes, response) = FleetFixtures.Measure(request, ModelDeploymentComposer.Composer);
        output.WriteLine($"request {requestBytes:N0} bytes, response {responseBytes:N0} bytes");

        // The response is what Crossplane's client must receive (its 4 MiB limit): it holds only this
        // deployment's replicas, whatever the fleet's size.
        Assert.True(responseBytes < 64 * 1024, $"response is {responseBytes:N0} bytes");
        // The request carries each candidate cluster once (about 3 KiB as Crossplane fetches an XR).
        Assert.True(requestBytes < 3_400_000, $"request is {requestBytes:N0} bytes");
        // The fleet really was scheduled: ten replicas, each a Leader/Worker gang of two 8-GPU pods.
        Assert.Equal(10, response.Desired.Resources.Keys.Count(k => k.StartsWith("replica-", StringComparison.Ordinal)));
        Assert.Contains(response.Conditions, c => c.Type == "ReplicasScheduled" && c.Reason == "Scheduling");
    }

    [Fact]
    public void SteadyState_ThousandClusters_FetchesOnlyPinnedClusters()
    {
        // Place ten replicas, then reconcile again once they run: Crossplane's loop settles on a
        // request with only the clusters they are pinned to, not the fleet.
        var first = FunctionHost.Run(FleetFixtures.ScheduleRequest(), ModelDeploymentComposer.Composer);
        var observed = first.Desired.Resources
            .Where(r => r.Key.StartsWith("replica-", StringComparison.Ordinal))
            .ToDictionary(r => r.Key, r => Running(r.Value.Resource_), StringComparer.Ordinal);
        List<JsonObject> objects = [.. FleetFixtures.Clusters(1000, 5000), .. FleetFixtures.Classes()];
        var request = RequirementsLoop.Final(ModelDeploymentComposer.Composer, FleetFixtures.Deployment(10), objects, observed);
        var response = FunctionHost.Run(request, ModelDeploymentComposer.Composer);
        output.WriteLine($"steady state: request {FleetFixtures.Bytes(request):N0} bytes, response {FleetFixtures.Bytes(response):N0} bytes");

        Assert.True(FleetFixtures.Bytes(request) < 128 * 1024, $"request is {FleetFixtures.Bytes(request):N0} bytes");
        Assert.DoesNotContain(ModelDeploymentComposer.ClustersKey, response.Requirements.Resources.Keys);
        Assert.Equal(observed.Keys.Order(StringComparer.Ordinal), response.Desired.Resources.Keys.Where(k => k.StartsWith("replica-", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        // Ready replicas on serving clusters get their endpoints; they count as ready once those are observed Ready.
        Assert.Equal(10, response.Desired.Resources.Keys.Count(k => k.StartsWith("endpoint-", StringComparison.Ordinal)));
        Assert.Contains(response.Conditions, c => c.Type == "ReplicasReady" && c.Reason == "ModelStarting" && c.Message == "0 of 10 ready");
    }

    // A composed replica as Crossplane observes it once it runs: generation 1, Ready.
    private static JsonObject Running(Google.Protobuf.WellKnownTypes.Struct desired)
    {
        var replica = Modelplane.Sdk.StructJson.ToJsonObject(desired);
        replica["metadata"]!["generation"] = 1;
        replica["status"] = new JsonObject
        {
            ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = "True", ["reason"] = "Available", ["lastTransitionTime"] = "2026-01-01T00:00:00Z" }),
        };
        return replica;
    }

    [Fact]
    public void Schedule_OtherReplicas_CostTheRequestTensOfBytesEach()
    {
        var idle = FleetFixtures.Bytes(FleetFixtures.ScheduleRequest(clusters: 1000, otherReplicas: 0));
        var busy = FleetFixtures.Bytes(FleetFixtures.ScheduleRequest(clusters: 1000, otherReplicas: 5000));
        output.WriteLine($"idle fleet {idle:N0} bytes, 5,000 other replicas {busy:N0} bytes: {(busy - idle) / 5000.0:F1} bytes per replica");
        // A replica of another deployment is one counted name in its pool's published allocation
        // (about a hundred bytes), not a ModelReplica object (about 2.9 KB each when upstream lists them all).
        Assert.True(busy - idle < 5000 * 120, $"5,000 replicas add {busy - idle:N0} bytes");
    }

    [Fact]
    public void Schedule_ThousandClusters_PlacesOnlyWhereHopperPoolsHaveRoom()
    {
        var response = FunctionHost.Run(FleetFixtures.ScheduleRequest(), ModelDeploymentComposer.Composer);
        var clusters = response.Desired.Resources.Values
            .Select(r => r.Resource_.Fields["spec"].StructValue.Fields["clusterName"].StringValue)
            .ToArray();
        // Only one cluster in 25 (index 7 mod 25) keeps its Hopper pools free; the fill spreads over them alphabetically.
        Assert.All(clusters, c => Assert.Equal(7, int.Parse(c[^4..], System.Globalization.CultureInfo.InvariantCulture) % 25));
        Assert.Equal(10, clusters.Distinct().Count());
    }

    [Fact]
    public void Upstream_AllReplicasRequirement_AloneExceedsFourMiB()
    {
        // What the same call costs when every ModelReplica in the fleet rides along, as upstream asks.
        var request = FleetFixtures.ScheduleRequest();
        var all = new Resources();
        foreach (var replica in FleetFixtures.AllReplicasUpstreamWouldFetch(1000, 5000))
        {
            all.Items.Add(new Resource { Resource_ = Modelplane.Sdk.StructJson.ToStruct(replica) });
        }
        request.RequiredResources.Add("all-replicas", all);
        output.WriteLine($"with all replicas: {FleetFixtures.Bytes(request):N0} bytes");
        Assert.True(FleetFixtures.Bytes(request) > FourMiB);
    }

    [Fact]
    public void Schedule_ThousandClusters_IsDeterministic()
    {
        var first = Golden.Yaml(FunctionHost.Run(FleetFixtures.ScheduleRequest(clusters: 200, otherReplicas: 1000), ModelDeploymentComposer.Composer));
        var second = Golden.Yaml(FunctionHost.Run(FleetFixtures.ScheduleRequest(clusters: 200, otherReplicas: 1000), ModelDeploymentComposer.Composer));
        Assert.Equal(first, second);
    }
}
