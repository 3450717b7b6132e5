// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Apiextensions.Fn.Proto.V1;
using Modelplane.Functions.ModelDeployments;
using Modelplane.Testing;
using static Modelplane.Scheduling.Tests.Fx;

namespace Modelplane.Scheduling.Tests.ModelDeployments.CachePlacement;

/// <summary>Placement follows the cache: the ModelDeployment composer with a ModelCache, whole responses against goldens.</summary>
public sealed class CachePlacementTests
{
    public sealed record Case(string Name, string Reason, Func<RunFunctionRequest> Request)
    {
        public override string ToString() => Name;
    }

    public static TheoryData<Case> Cases => new()
    {
        new("cache-skips-cluster-without-storage",
            "cluster-a (first by name) has no cache storage class, so the replica lands on cluster-b, labelled as the cache's consumer; ModelCacheReady waits for the copy.",
            () => new World().Cluster(Cluster("cluster-a", cacheStorage: null)).Clusters("cluster-b").Request(Deployment(cache: "qwen"), Cache())),
        new("cache-storage-nowhere-explains-shortfall",
            "No candidate has cache storage: nothing is placed and the shortfall names the missing storage class per cluster.",
            () => new World().Cluster(Cluster("cluster-a", cacheStorage: null)).Cluster(Cluster("cluster-b", cacheStorage: null)).Request(Deployment(cache: "qwen"), Cache())),
        new("cache-prefers-hydrated-cluster",
            "Both clusters fit and are equally loaded; the weights are hydrated on cluster-b only, so the replica goes there, not to cluster-a as name order would.",
            () => new World().Clusters("cluster-a", "cluster-b").Request(Deployment(cache: "qwen"), Cache(("cluster-b", "Ready", null)))),
        new("cache-spreading-beats-warmth",
            "Two replicas, warm weights only on cluster-b: the first goes to b, the second still spreads to a (availability first, warmth breaks ties).",
            () => new World().Clusters("cluster-a", "cluster-b").Request(Deployment(replicas: 2, cache: "qwen"), Cache(("cluster-b", "Ready", null)))),
        new("cache-failed-hydration-moves-replica",
            "Hydration failed on cluster-a, where a replica waits: it is re-placed on cluster-b, and ModelCacheReady carries the Job's failure reason.",
            () => new World().Clusters("cluster-a", "cluster-b").Replica(Replica("cluster-a"))
                .Request(Deployment(cache: "qwen"), Cache(("cluster-a", "Failed", "hydration Job failed: BackoffLimitExceeded: Job has reached the specified backoff limit")))),
        new("cache-hydrated-everywhere-replicas-run",
            "Replicas on both clusters and the weights hydrated on both: ModelCacheReady is True.",
            () => new World().Clusters("cluster-a", "cluster-b").Replica(Replica("cluster-a", ready: true)).Replica(Replica("cluster-b", ready: true))
                .Request(Deployment(replicas: 2, cache: "qwen"), Cache(("cluster-a", "Ready", null), ("cluster-b", "Ready", null)))),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Compose(Case c) => Golden.Match(c.Name, c.Reason, FunctionHost.Run(c.Request(), ModelDeploymentComposer.Composer));

    /// <summary>The ModelCache "qwen" with the per-cluster status its composer publishes.</summary>
    private static JsonObject Cache(params (string Cluster, string Phase, string? Message)[] clusters)
    {
        var cache = ModelCache("qwen");
        cache["status"] = new JsonObject
        {
            ["clusters"] = new JsonArray([.. clusters.Select(c =>
            {
                var entry = new JsonObject { ["name"] = c.Cluster, ["phase"] = c.Phase, ["reason"] = "Replicas" };
                if (c.Message is not null)
                {
                    entry["message"] = c.Message;
                }
                return (JsonNode)entry;
            })]),
        };
        return cache;
    }
}
