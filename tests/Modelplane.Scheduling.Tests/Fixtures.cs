// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;

namespace Modelplane.Scheduling.Tests;

/// <summary>Builders for the objects the scheduling tests feed in: deployments, clusters, classes, observed replicas.</summary>
/// <remarks>
/// Defaults follow one story: <c>my-model</c> in <c>ml-team</c> wants one replica of engine <c>main</c>, a
/// Standalone pod needing one GPU with at least 141Gi; clusters are Ready behind gateway 10.0.0.1 with
/// a 2-node pool <c>default</c> of class <c>h100</c> (one 141Gi GPU per node), whose allocation is
/// published and empty. Every value is fixed, so goldens are stable.
/// </remarks>
internal static class Fx
{
    public const string Name = "my-model";
    public const string Ns = "ml-team";
    public const string GpuDriver = "gpu.nvidia.com";
    public const string Gateway = "10.0.0.1";
    public const string Memory141 = "device.capacity[\"gpu.nvidia.com\"].memory.compareTo(quantity(\"141Gi\")) >= 0";
    public const string Memory200 = "device.capacity[\"gpu.nvidia.com\"].memory.compareTo(quantity(\"200Gi\")) >= 0";
    public const string Infiniband = "device.attributes[\"nic.nvidia.com\"].linkType == \"infiniband\"";

    // ---- Devices and classes ----

    public static JsonObject Gpu(string memory = "141Gi", int count = 1, string name = "gpu", string claim = "DRA", string? architecture = null)
    {
        var device = new JsonObject
        {
            ["name"] = name,
            ["claim"] = claim,
            ["driver"] = GpuDriver,
            ["count"] = count,
            ["capacity"] = new JsonObject { ["memory"] = new JsonObject { ["value"] = memory } },
        };
        if (claim == "DRA")
        {
            device["deviceClassName"] = GpuDriver;
        }
        if (architecture is not null)
        {
            device["attributes"] = new JsonObject { ["architecture"] = new JsonObject { ["string"] = architecture } };
        }
        return device;
    }

    /// <summary>A scheduling-only NIC: matched by selectors, never claimed.</summary>
    public static JsonObject Nic(string linkType = "infiniband", int count = 1) => new()
    {
        ["name"] = "nic",
        ["claim"] = "Synthetic",
        ["driver"] = "nic.nvidia.com",
        ["count"] = count,
        ["attributes"] = new JsonObject { ["linkType"] = new JsonObject { ["string"] = linkType } },
    };

    public static JsonObject Class(string name, params JsonObject[] devices) => new()
    {
        ["apiVersion"] = "modelplane.ai/v1alpha1",
        ["kind"] = "InferenceClass",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["spec"] = new JsonObject { ["devices"] = new JsonArray([.. devices.Select(d => (JsonNode)d.DeepClone())]) },
    };

    // ---- Clusters ----

    /// <summary>A pool of some nodes of a class; a null allocation means "not yet published".</summary>
    public sealed record PoolSpec(string Name, int Nodes, string ClassName, JsonObject? Allocated, JsonArray? InlineDevices = null);

    public static JsonObject NothingAllocated() => [];

    public static PoolSpec Pool(string name = "default", int nodes = 2, string className = "h100", JsonObject? allocated = null, bool unpublished = false) =>
        new(name, nodes, className, unpublished ? null : allocated ?? NothingAllocated());

    /// <summary>Published allocation: <paramref name="pods"/> pods each claiming <paramref name="gpus"/> GPUs, counted for <paramref name="replicas"/>.</summary>
    public static JsonObject Allocated(int pods, int gpus = 1, params string[] replicas) => new()
    {
        ["replicas"] = new JsonArray([.. replicas.Select(r => (JsonNode)JsonValue.Create(r))]),
        ["pods"] = new JsonArray(new JsonObject { ["devices"] = new JsonObject { [GpuDriver] = gpus }, ["count"] = pods }),
    };

    public static JsonObject Taint(string key, string effect, string? value = null)
    {
        var taint = new JsonObject { ["key"] = key, ["effect"] = effect };
        if (value is not null)
        {
            taint["value"] = value;
        }
        return taint;
    }

    public static JsonObject Cluster(
        string name,
        PoolSpec[]? pools = null,
        bool ready = true,
        string gateway = Gateway,
        JsonObject[]? taints = null,
        IReadOnlyDictionary<string, string>? labels = null,
        string? cacheStorage = "modelplane-rwx")
    {
        var metadata = new JsonObject { ["name"] = name };
        if (labels is not null)
        {
            metadata["labels"] = Map(labels);
        }
        var spec = new JsonObject
        {
            ["cluster"] = new JsonObject
            {
                ["source"] = "Existing",
                ["existing"] = new JsonObject { ["secretRef"] = new JsonObject { ["name"] = $"{name}-kubeconfig", ["key"] = "kubeconfig" } },
            },
        };
        if (taints is not null)
        {
            spec["taints"] = new JsonArray([.. taints.Select(t => (JsonNode)t.DeepClone())]);
        }
        var gpuPools = new JsonArray();
        foreach (var pool in pools ?? [Pool()])
        {
            var entry = new JsonObject { ["name"] = pool.Name, ["nodes"] = pool.Nodes };
            if (pool.InlineDevices is not null)
            {
                entry["devices"] = pool.InlineDevices.DeepClone();
            }
            else
            {
                entry["className"] = pool.ClassName;
            }
            if (pool.Allocated is not null)
            {
                entry["allocated"] = pool.Allocated.DeepClone();
            }
            gpuPools.Add((JsonNode)entry);
        }
        var status = new JsonObject
        {
            ["conditions"] = new JsonArray(Condition("Ready", ready ? "True" : "False", ready ? "Available" : "Creating")),
            ["providerConfigRef"] = new JsonObject { ["name"] = $"{name}-cluster-kubeconfig" },
            ["namespace"] = "modelplane-system",
            ["gpuPools"] = gpuPools,
        };
        if (gateway.Length > 0)
        {
            status["gateway"] = new JsonObject { ["address"] = gateway };
        }
        if (cacheStorage is not null)
        {
            status["cache"] = new JsonObject { ["storageClassName"] = cacheStorage };
        }
        return new JsonObject
        {
            ["apiVersion"] = "modelplane.ai/v1alpha1",
            ["kind"] = "InferenceCluster",
            ["metadata"] = metadata,
            ["spec"] = spec,
            ["status"] = status,
        };
    }

    // ---- Deployments ----

    public static JsonObject Request(string name = "gpu", int? count = null, params string[] cels)
    {
        var request = new JsonObject
        {
            ["name"] = name,
            ["selectors"] = new JsonArray([.. (cels.Length == 0 ? [Memory141] : cels).Select(c => (JsonNode)new JsonObject { ["cel"] = c })]),
        };
        if (count is not null)
        {
            request["count"] = count;
        }
        return request;
    }

    public static JsonObject Container(string args = "--model=Qwen/Qwen3-0.6B") => new()
    {
        ["name"] = "engine",
        ["image"] = "vllm/vllm-openai:latest",
        ["args"] = new JsonArray(args),
    };

    /// <summary>A member; <paramref name="requests"/> null means no nodeSelector (claims nothing).</summary>
    public static JsonObject Member(string role = "Standalone", JsonObject[]? requests = null, int? workerNodes = null, bool noSelector = false)
    {
        var member = new JsonObject
        {
            ["role"] = role,
            ["template"] = new JsonObject { ["spec"] = new JsonObject { ["containers"] = new JsonArray(Container()) } },
        };
        if (!noSelector)
        {
            member["nodeSelector"] = new JsonObject
            {
                ["devices"] = new JsonArray([.. (requests ?? [Request()]).Select(r => (JsonNode)r.DeepClone())]),
            };
        }
        if (workerNodes is not null)
        {
            member["worker"] = new JsonObject { ["nodes"] = workerNodes };
        }
        return member;
    }

    public static JsonObject Engine(string name = "main", int? copies = null, string? phase = null, params JsonObject[] members)
    {
        var engine = new JsonObject
        {
            ["name"] = name,
            ["members"] = new JsonArray([.. (members.Length == 0 ? [Member()] : members).Select(m => (JsonNode)m.DeepClone())]),
        };
        if (copies is not null)
        {
            engine["copies"] = copies;
        }
        if (phase is not null)
        {
            engine["phase"] = phase;
        }
        return engine;
    }

    /// <summary>upstream's <c>pipeline=p</c>: Standalone for 1, else a Leader and a Worker of p−1 nodes, all wanting the default GPU.</summary>
    public static JsonObject Pipeline(int p, int? copies = null, JsonObject[]? requests = null) =>
        p == 1
            ? Engine(copies: copies, members: Member(requests: requests))
            : Engine(copies: copies, members: [Member("Leader", requests), Member("Worker", requests, workerNodes: p - 1)]);

    public static JsonObject Deployment(
        int replicas = 1,
        JsonObject[]? engines = null,
        string name = Name,
        string ns = Ns,
        IReadOnlyDictionary<string, string>? labels = null,
        IReadOnlyDictionary<string, string>? clusterSelector = null,
        string? cache = null,
        string? serving = null,
        JsonObject[]? tolerations = null)
    {
        var spec = new JsonObject
        {
            ["engines"] = new JsonArray([.. (engines ?? [Engine()]).Select(e => (JsonNode)e.DeepClone())]),
        };
        if (clusterSelector is not null)
        {
            spec["clusterSelector"] = new JsonObject { ["matchLabels"] = Map(clusterSelector) };
        }
        if (cache is not null)
        {
            spec["modelCacheRef"] = new JsonObject { ["name"] = cache };
        }
        if (serving is not null)
        {
            spec["serving"] = new JsonObject { ["mode"] = serving };
        }
        if (tolerations is not null)
        {
            spec["tolerations"] = new JsonArray([.. tolerations.Select(t => (JsonNode)t.DeepClone())]);
        }
        var template = new JsonObject { ["spec"] = spec };
        if (labels is not null)
        {
            template["metadata"] = new JsonObject { ["labels"] = Map(labels) };
        }
        return new JsonObject
        {
            ["apiVersion"] = "modelplane.ai/v1alpha1",
            ["kind"] = "ModelDeployment",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
            ["spec"] = new JsonObject { ["replicas"] = replicas, ["template"] = template },
        };
    }

    public static JsonObject Toleration(string? key, string op = "Exists", string? value = null, string? effect = null)
    {
        var toleration = new JsonObject { ["operator"] = op };
        if (key is not null)
        {
            toleration["key"] = key;
        }
        if (value is not null)
        {
            toleration["value"] = value;
        }
        if (effect is not null)
        {
            toleration["effect"] = effect;
        }
        return toleration;
    }

    public static JsonObject ModelCache(string name, IReadOnlyDictionary<string, string>? clusterSelector = null)
    {
        var spec = new JsonObject();
        if (clusterSelector is not null)
        {
            spec["clusterSelector"] = new JsonObject { ["matchLabels"] = Map(clusterSelector) };
        }
        return new JsonObject
        {
            ["apiVersion"] = "modelplane.ai/v1alpha1",
            ["kind"] = "ModelCache",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = Ns },
            ["spec"] = spec,
        };
    }

    // ---- Observed replicas ----

    /// <summary>An observed replica's engine: members as (role, pool, claims, worker nodes).</summary>
    public sealed record ObservedMember(string Role, string Pool, int Gpus = 1, int? WorkerNodes = null);

    public static JsonObject ObservedEngine(string name = "main", int copies = 1, params ObservedMember[] members) => new()
    {
        ["name"] = name,
        ["copies"] = copies,
        ["members"] = new JsonArray([.. (members.Length == 0 ? [new ObservedMember("Standalone", "default")] : members).Select(m => (JsonNode)ObservedMemberJson(m))]),
    };

    private static JsonObject ObservedMemberJson(ObservedMember m)
    {
        var member = new JsonObject
        {
            ["role"] = m.Role,
            ["nodePoolName"] = m.Pool,
            ["template"] = new JsonObject { ["spec"] = new JsonObject { ["containers"] = new JsonArray(Container()) } },
        };
        if (m.Gpus > 0)
        {
            member["deviceRequests"] = new JsonArray(new JsonObject
            {
                ["name"] = "gpu",
                ["deviceClassName"] = GpuDriver,
                ["count"] = m.Gpus,
                ["selectors"] = new JsonArray(new JsonObject { ["cel"] = Memory141 }),
            });
        }
        if (m.WorkerNodes is not null)
        {
            member["worker"] = new JsonObject { ["nodes"] = m.WorkerNodes };
        }
        return member;
    }

    /// <summary>upstream's observed <c>pipeline=p</c> shape on one pool.</summary>
    public static JsonObject ObservedPipeline(int p, string pool = "default", int copies = 1) =>
        p == 1
            ? ObservedEngine(copies: copies, members: new ObservedMember("Standalone", pool))
            : ObservedEngine(copies: copies, members: [new ObservedMember("Leader", pool), new ObservedMember("Worker", pool, WorkerNodes: p - 1)]);

    /// <summary>An observed ModelReplica of <paramref name="deployment"/> at (cluster, index), as Crossplane returns it.</summary>
    public static JsonObject Replica(
        string cluster,
        int index = 0,
        string pool = "default",
        bool ready = false,
        string? name = null,
        JsonObject[]? engines = null,
        string deployment = Name,
        string ns = Ns,
        long generation = 1,
        IReadOnlyDictionary<string, string>? extraLabels = null)
    {
        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["crossplane.io/composite"] = deployment,
            ["modelplane.ai/deployment"] = deployment,
            ["modelplane.ai/cluster"] = cluster,
            ["modelplane.ai/replica-index"] = index.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in extraLabels ?? new Dictionary<string, string>())
        {
            labels[key] = value;
        }
        return new JsonObject
        {
            ["apiVersion"] = "modelplane.ai/v1alpha1",
            ["kind"] = "ModelReplica",
            ["metadata"] = new JsonObject
            {
                ["name"] = name ?? ReplicaName(deployment, cluster, index),
                ["namespace"] = ns,
                ["generation"] = generation,
                ["labels"] = Map(labels),
            },
            ["spec"] = new JsonObject
            {
                ["clusterName"] = cluster,
                ["engines"] = new JsonArray([.. (engines ?? [ObservedEngine(members: new ObservedMember("Standalone", pool))]).Select(e => (JsonNode)e.DeepClone())]),
                ["crossplane"] = new JsonObject { ["compositionRef"] = new JsonObject { ["name"] = "modelreplicas.modelplane.ai" } },
            },
            ["status"] = new JsonObject
            {
                ["conditions"] = new JsonArray(Condition("Ready", ready ? "True" : "False", ready ? "Available" : "Creating")),
            },
        };
    }

    /// <summary>The name upstream gives (deployment, cluster, index), restated here so tests do not trust the code under test.</summary>
    public static string ReplicaName(string deployment, string cluster, int index) =>
        $"{deployment}-{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{deployment}-{cluster}-{index}")))[..5]}";

    /// <summary>An observed ModelEndpoint for a replica.</summary>
    public static JsonObject ObservedEndpoint(string cluster, int index = 0, bool ready = true, string gateway = Gateway)
    {
        var name = ReplicaName(Name, cluster, index);
        return new JsonObject
        {
            ["apiVersion"] = "modelplane.ai/v1alpha1",
            ["kind"] = "ModelEndpoint",
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["namespace"] = Ns,
                ["labels"] = Map(new Dictionary<string, string>
                {
                    ["crossplane.io/composite"] = Name,
                    ["modelplane.ai/deployment"] = Name,
                    ["modelplane.ai/cluster"] = cluster,
                    ["modelplane.ai/replica-index"] = index.ToString(System.Globalization.CultureInfo.InvariantCulture),
                }),
            },
            ["spec"] = new JsonObject
            {
                ["url"] = $"http://{gateway}/{Ns}/{name}/v1",
                ["rewritePath"] = $"/{Ns}/{name}/",
                ["crossplane"] = new JsonObject { ["compositionRef"] = new JsonObject { ["name"] = "modelendpoints.modelplane.ai" } },
            },
            ["status"] = new JsonObject { ["conditions"] = new JsonArray(Condition("Ready", ready ? "True" : "False", ready ? "Available" : "Creating")) },
        };
    }

    public static JsonObject Map(IEnumerable<KeyValuePair<string, string>> map)
    {
        var obj = new JsonObject();
        foreach (var (key, value) in map.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            obj[key] = value;
        }
        return obj;
    }
}
