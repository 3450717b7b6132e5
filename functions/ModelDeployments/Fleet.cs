// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Modelplane.Apis.InferenceClasses;
using Modelplane.Apis.InferenceClusters;
using Modelplane.Cel;
using Modelplane.Sdk;

namespace Modelplane.Functions.ModelDeployments;

/// <summary>One kind of device on every node of a pool, as selectors see it.</summary>
internal sealed record FleetDevice(string Name, DeviceClaimMode Claim, string DeviceClassName, int Count, CelDevice Cel);

/// <summary>The devices of every node of a pool; shared by every pool of the same class.</summary>
/// <remarks>
/// Sharing matters at fleet scale: matching results are cached per (member, device set), so a
/// thousand clusters with four pools of five classes cost five selector evaluations per request,
/// not four thousand.
/// </remarks>
internal sealed class DeviceSet
{
    public DeviceSet(IReadOnlyList<FleetDevice> devices, string? problem = null)
    {
        Devices = devices;
        Problem = problem;
        var perNode = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var device in devices.Where(d => d.Claim == DeviceClaimMode.DRA))
        {
            perNode[device.DeviceClassName] = perNode.GetValueOrDefault(device.DeviceClassName) + device.Count;
        }
        PerNode = perNode;
    }

    public IReadOnlyList<FleetDevice> Devices { get; }

    /// <summary>Why the pool has no usable devices (its class is missing or unreadable), or null.</summary>
    public string? Problem { get; }

    /// <summary>Claimable (DRA) devices of each device class on one node.</summary>
    public IReadOnlyDictionary<string, int> PerNode { get; }

    public static DeviceSet Missing(string problem) => new([], problem);
}

/// <summary>A GPU pool: its size, its devices and what the cluster last counted as allocated (null: not yet counted).</summary>
internal sealed record FleetPool(string Name, int Nodes, DeviceSet Devices, PoolAllocation? Allocated);

/// <summary>An InferenceCluster as the scheduler sees it.</summary>
internal sealed record FleetCluster(
    string Name,
    bool Ready,
    string Gateway,
    IReadOnlyList<Taint> Taints,
    IReadOnlyList<FleetPool> Pools,
    string? Problem = null)
{
    /// <summary>Ready with a gateway address: the only kind of cluster that gets new replicas.</summary>
    public bool Schedulable => Ready && Gateway.Length > 0;

    public FleetPool? Pool(string name) => Pools.FirstOrDefault(p => p.Name == name);
}

/// <summary>The only parts of a fetched InferenceCluster the scheduler reads, kept as text until read.</summary>
/// <remarks>A name of another type makes the whole list unreadable this way, and the fleet is read the careful way.</remarks>
internal sealed record ClusterText
{
    public ClusterTextMetadata? Metadata { get; init; }

    public ClusterTextSpec? Spec { get; init; }

    public JsonElement? Status { get; init; }
}

internal sealed record ClusterTextMetadata
{
    public string? Name { get; init; }
}

internal sealed record ClusterTextSpec
{
    public JsonElement? Taints { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ClusterText))]
internal sealed partial class FleetJsonContext : JsonSerializerContext;

/// <summary>Reads the fetched InferenceClusters and InferenceClasses into the scheduler's view of the fleet.</summary>
/// <remarks>
/// One bad object must not stop every deployment in the fleet, so nothing here throws: a cluster
/// whose status cannot be read becomes a cluster with a <see cref="FleetCluster.Problem"/> and no
/// pools (the explanation names it), and a class that cannot be read or is missing becomes a device
/// set with a problem that matches nothing.
/// </remarks>
internal static class Fleet
{
    public static IReadOnlyList<FleetCluster> Read(IReadOnlyList<JsonObject> clusters, IReadOnlyList<JsonObject> classes)
    {
        var byClass = ReadClasses(classes);
        var inline = new Dictionary<string, DeviceSet>(StringComparer.Ordinal);
        var fleet = new List<FleetCluster>(clusters.Count);
        for (var i = 0; i < clusters.Count; i++)
        {
            fleet.Add(ReadCluster(clusters[i], i, byClass, inline));
        }
        return Distinct(fleet);
    }

    /// <summary>The fleet read straight from the clusters' text, or null when some cluster needs the careful read.</summary>
    /// <remarks>
    /// Only clusters that read cleanly take this path (a name that is a string or absent, a status and
    /// taints that read without a complaint, no devices published inline); it builds exactly what
    /// <see cref="Read(IReadOnlyList{JsonObject}, IReadOnlyList{JsonObject})"/> builds from them, without a
    /// <see cref="JsonObject"/> per cluster. Anything else, and the caller reads every cluster the careful way.
    /// </remarks>
    public static IReadOnlyList<FleetCluster>? TryRead(IReadOnlyList<ClusterText> clusters, IReadOnlyList<JsonObject> classes, out Dictionary<string, bool> storage)
    {
        storage = new Dictionary<string, bool>(StringComparer.Ordinal);
        var views = new (string Name, InferenceClusterStatus? Status, IReadOnlyList<Taint> Taints)[clusters.Count];
        for (var i = 0; i < clusters.Count; i++)
        {
            var cluster = clusters[i];
            InferenceClusterStatus? status = null;
            IReadOnlyList<Taint>? taints = [];
            if ((cluster.Status is { ValueKind: not JsonValueKind.Null } statusText && !ElementReads.TryRead(statusText, InferenceClusterJsonContext.Default.InferenceClusterStatus, out status))
                || (cluster.Spec?.Taints is { ValueKind: not JsonValueKind.Null } taintsText && !ElementReads.TryRead(taintsText, InferenceClusterJsonContext.Default.IReadOnlyListTaint, out taints))
                || status?.GpuPools?.Any(p => p.Devices is not null) == true)
            {
                return null;
            }
            views[i] = (cluster.Metadata?.Name ?? "", status, taints!);
            if (cluster.Metadata?.Name is { } name)
            {
                // What CachePlacement.Storage reads from the same cluster.
                storage.TryAdd(name, status?.Cache?.StorageClassName is { Length: > 0 });
            }
        }
        var byClass = ReadClasses(classes);
        var inline = new Dictionary<string, DeviceSet>(StringComparer.Ordinal);
        var fleet = new List<FleetCluster>(clusters.Count);
        foreach (var (name, status, taints) in views)
        {
            fleet.Add(Build(name, status, taints, null, byClass, inline));
        }
        return Distinct(fleet);
    }

    // Several objects with one name cannot come from the API server; keep the first for determinism.
    private static FleetCluster[] Distinct(List<FleetCluster> fleet)
    {
        return fleet
            .Where(c => c.Name.Length > 0)
            .GroupBy(c => c.Name, StringComparer.Ordinal)
            .Select(g => g.First())
            .OrderBy(c => c.Name, StringComparer.Ordinal)
            .ToArray();
    }

    private static FleetCluster ReadCluster(JsonObject json, int i, Dictionary<string, DeviceSet> byClass, Dictionary<string, DeviceSet> inline)
    {
        // Only what the scheduler reads is deserialised: at fleet scale most of every object is
        // Crossplane's references and the user's connection details, and reading them is most of the cost.
        var name = "";
        InferenceClusterStatus? status;
        IReadOnlyList<Taint> taints;
        var at = $"required[clusters][{i}]";
        try
        {
            name = json.StringAt("metadata.name", at) ?? "";
            status = json["status"] is { } statusNode
                ? FunctionRequest.Read(statusNode, InferenceClusterJsonContext.Default.InferenceClusterStatus, $"{at}.status")
                : null;
            taints = json.At("spec.taints", at) is { } taintsNode
                ? FunctionRequest.Read(taintsNode, InferenceClusterJsonContext.Default.IReadOnlyListTaint, $"{at}.spec.taints")
                : [];
        }
        catch (InvalidInputException e)
        {
            return new FleetCluster(name, false, "", [], [], $"cannot read InferenceCluster: {Unreadable(e)}");
        }

        return Build(name, status, taints, json.At("status.gpuPools") as JsonArray, byClass, inline);
    }

    // The scheduler's view of one cluster read; poolsJson is needed only for devices published inline.
    private static FleetCluster Build(
        string name, InferenceClusterStatus? status, IReadOnlyList<Taint> taints, JsonArray? poolsJson, Dictionary<string, DeviceSet> byClass, Dictionary<string, DeviceSet> inline)
    {
        var ready = status?.Conditions?.FirstOrDefault(c => c.Type == "Ready")?.Status == "True";
        var pools = new List<FleetPool>();
        var statusPools = status?.GpuPools ?? [];
        for (var p = 0; p < statusPools.Count; p++)
        {
            var pool = statusPools[p];
            if (pool.Name is not { Length: > 0 } poolName || pools.Any(x => x.Name == poolName))
            {
                continue;
            }
            var devices = pool.Devices is not null
                ? Inline(poolsJson?[p]?["devices"] as JsonArray, pool.Devices, inline)
                : pool.ClassName is { Length: > 0 } className
                    ? byClass.GetValueOrDefault(className) ?? DeviceSet.Missing($"InferenceClass {className} not found")
                    : DeviceSet.Missing("no devices and no class");
            pools.Add(new FleetPool(poolName, Math.Max(0, pool.Nodes ?? 0), devices, pool.Allocated));
        }
        return new FleetCluster(name, ready, status?.Gateway?.Address ?? "", taints, pools);
    }

    private static Dictionary<string, DeviceSet> ReadClasses(IReadOnlyList<JsonObject> classes)
    {
        var byName = new Dictionary<string, DeviceSet>(StringComparer.Ordinal);
        for (var i = 0; i < classes.Count; i++)
        {
            var json = classes[i];
            string? name = null;
            try
            {
                name = json.StringAt("metadata.name");
                var cls = FunctionRequest.Read(json, InferenceClassJsonContext.Default.InferenceClass, $"required[classes][{i}]");
                if (name is { Length: > 0 } && !byName.ContainsKey(name))
                {
                    // The API server defaults count to 1 and claim to DRA; a class read elsewhere gets the same.
                    byName[name] = Devices(json.At("spec.devices") as JsonArray, cls.Spec?.Devices ?? [], defaultCount: Device.DefaultCount);
                }
            }
            catch (InvalidInputException e)
            {
                if (name is { Length: > 0 } && !byName.ContainsKey(name))
                {
                    byName[name] = DeviceSet.Missing($"cannot read InferenceClass {name}: {Unreadable(e)}");
                }
            }
        }
        return byName;
    }

    // Devices an InferenceCluster published inline (upstream's status shape): an absent count is 0, as upstream reads it.
    private static DeviceSet Inline(JsonArray? json, IReadOnlyList<Device> devices, Dictionary<string, DeviceSet> seen)
    {
        var key = json?.ToJsonString() ?? "";
        if (!seen.TryGetValue(key, out var set))
        {
            set = Devices(json, devices, defaultCount: 0);
            seen[key] = set;
        }
        return set;
    }

    private static DeviceSet Devices(JsonArray? json, IReadOnlyList<Device> devices, int defaultCount)
    {
        var fleetDevices = new List<FleetDevice>(devices.Count);
        for (var d = 0; d < devices.Count; d++)
        {
            var device = devices[d];
            fleetDevices.Add(new FleetDevice(
                device.Name ?? "",
                device.Claim ?? Device.DefaultClaim,
                device.DeviceClassName ?? "",
                Math.Max(0, device.Count ?? defaultCount),
                CelDevice.FromJson(json?[d])));
        }
        return new DeviceSet(fleetDevices);
    }

    // The field path relative to the object. System.Text.Json's own text names .NET types, which
    // mean nothing to the person fixing the object, so the message names only the field.
    private static string Unreadable(InvalidInputException e) => $"field {ShortField(e.Field)} has the wrong type";

    private static string ShortField(string field)
    {
        var close = field.IndexOf("].", StringComparison.Ordinal);
        return field.StartsWith("required[", StringComparison.Ordinal) && close > 0 ? field[(close + 2)..] : field;
    }
}
