// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Apiextensions.Fn.Proto.V1;
using Modelplane.Apis.ModelDeployments;
using Modelplane.Functions.ModelDeployments;
using Modelplane.Sdk;
using Modelplane.Testing;

namespace Modelplane.Scheduling.Tests;

/// <summary>A small fleet: classes, clusters and a deployment's observed replicas, run through the scheduler or the composer.</summary>
public sealed class World
{
    private readonly SortedDictionary<string, JsonObject> _classes = new(StringComparer.Ordinal);
    private readonly List<JsonObject> _clusters = [];
    private readonly SortedDictionary<string, JsonObject> _observed = new(StringComparer.Ordinal);
    private readonly List<JsonObject> _fleetReplicas = [];

    public World() => Class("h100", Fx.Gpu());

    public IReadOnlyList<JsonObject> Classes => [.. _classes.Values];

    public IReadOnlyList<JsonObject> AllClusters => _clusters;

    public IReadOnlyDictionary<string, JsonObject> Observed => _observed;

    public World Class(string name, params JsonObject[] devices)
    {
        _classes[name] = Fx.Class(name, devices);
        return this;
    }

    public World Cluster(JsonObject cluster)
    {
        _clusters.Add(cluster);
        return this;
    }

    public World Clusters(params string[] names)
    {
        foreach (var name in names)
        {
            _clusters.Add(Fx.Cluster(name));
        }
        return this;
    }

    /// <summary>An observed replica, under the key the composer gave it.</summary>
    public World Replica(JsonObject replica, string? key = null)
    {
        var labels = replica["metadata"]!["labels"]!;
        key ??= $"replica-{labels["modelplane.ai/cluster"]}-{labels["modelplane.ai/replica-index"]}";
        _observed[key] = replica;
        return this;
    }

    /// <summary>A ModelReplica anywhere in the fleet (another deployment's), which only a label requirement fetches.</summary>
    public World FleetReplica(JsonObject replica)
    {
        _fleetReplicas.Add(replica);
        return this;
    }

    public World Endpoint(JsonObject endpoint, string key)
    {
        _observed[key] = endpoint;
        return this;
    }

    /// <summary>The scheduler alone, on typed inputs read the way the composer reads them.</summary>
    internal ScheduleResult Schedule(JsonObject deployment, bool fill = true)
    {
        var md = FunctionRequest.Read(deployment, ModelDeploymentJsonContext.Default.ModelDeployment, "");
        var spec = md.Spec!.Template!.Spec!;
        var plan = DeploymentPlan.Of(spec);
        Assert.Empty(plan.Errors);
        var own = _observed
            .Where(o => o.Value["kind"]!.GetValue<string>() == "ModelReplica")
            .Select(o => Replicas.FromObserved(o.Key, o.Value, o.Value.IsReady()))
            .ToArray();
        return Scheduler.Schedule(new ScheduleInput(plan, md.Spec.Replicas ?? 1, Fleet.Read(_clusters, Classes), own, spec.Tolerations ?? [], fill));
    }

    /// <summary>The request Crossplane would send last, after its required-resources loop over this world.</summary>
    /// <remarks>With <paramref name="fleetResolved"/> false, the first call instead: nothing fetched yet.</remarks>
    internal RunFunctionRequest Request(
        JsonObject deployment,
        JsonObject? cache = null,
        bool cacheResolved = true,
        bool fleetResolved = true)
    {
        if (!fleetResolved)
        {
            return FunctionHost.Request("model-deployment", deployment, null, _observed);
        }
        List<JsonObject> objects = [.. _clusters, .. Classes, .. _fleetReplicas];
        if (cache is not null)
        {
            objects.Add(cache);
        }
        var request = RequirementsLoop.Final(ModelDeploymentComposer.Composer, deployment, objects, _observed);
        if (!cacheResolved)
        {
            request.RequiredResources.Remove(ModelDeploymentComposer.CacheKey);
        }
        return request;
    }


    /// <summary>Placements as <c>cluster/index@pool,pool</c> (member pools in template order; <c>held</c> when kept as observed).</summary>
    internal static string[] Describe(ScheduleResult result) =>
        result.Placements
            .Select(p => p.Held
                ? $"{p.Cluster}/{p.Index} held"
                : $"{p.Cluster}/{p.Index}@{string.Join(",", p.Engines.SelectMany(e => e.Members).Select(m => m.Pool))}")
            .ToArray();
}
