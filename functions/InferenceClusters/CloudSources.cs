// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json;
using System.Text.Json.Nodes;
using Modelplane.Apis.CloudClusters;
using Modelplane.Apis.AksClusters;
using Modelplane.Apis.EksClusters;
using Modelplane.Apis.GkeClusters;
using Modelplane.Apis.InferenceClasses;
using Modelplane.Apis.InferenceClusters;
using Modelplane.Apis.NebiusClusters;
using Modelplane.Apis.VultrClusters;
using Modelplane.Provisioning;

namespace Modelplane.Functions.InferenceClusters;

/// <summary>What differs between the clouds an InferenceCluster can provision on.</summary>
/// <param name="Source">The <c>spec.cluster.source</c> value.</param>
/// <param name="Key">The composed cluster XR's key, upstream's literal (<c>gke-cluster</c>).</param>
/// <param name="Kind">The cluster XR's kind.</param>
/// <param name="IdentityType">The status secret type the kubeconfig's exec plugin needs, if any.</param>
/// <param name="NvidiaDriverRoot">Where the node image keeps the NVIDIA driver, when not at /.</param>
/// <param name="DefaultMaxNodes">What the cluster XRD lets a pool grow to when the InferenceCluster gives no maximum; null when such a pool is fixed.</param>
internal sealed record CloudSource(ClusterSource Source, string Key, string Kind, string? IdentityType, string? NvidiaDriverRoot, int? DefaultMaxNodes)
{
    public string Label => Source.ToString();

    public string UsageKey => $"usage-{Key.Replace("-cluster", "", StringComparison.Ordinal)}-by-backend";

    /// <summary>Every cloud source; Existing has none.</summary>
    public static CloudSource? For(ClusterSource source) => source switch
    {
        ClusterSource.GKE => new(source, "gke-cluster", Modelplane.Apis.GkeClusters.GkeCluster.KindValue, GkeClusterStatus.GoogleApplicationCredentials, "/home/kubernetes/bin/nvidia", GkeNodePool.DefaultMaxNodeCount),
        ClusterSource.AKS => new(source, "aks-cluster", Modelplane.Apis.AksClusters.AksCluster.KindValue, null, null, AksNodePool.DefaultMaxNodeCount),
        ClusterSource.Nebius => new(source, "nebius-cluster", Modelplane.Apis.NebiusClusters.NebiusCluster.KindValue, NebiusClusterStatus.NebiusServiceAccountCredentials, null, null),
        ClusterSource.Vultr => new(source, "vultr-cluster", Modelplane.Apis.VultrClusters.VultrCluster.KindValue, null, null, null),
        ClusterSource.EKS => new(source, "eks-cluster", Modelplane.Apis.EksClusters.EksCluster.KindValue, null, null, EksNodePool.DefaultMaxNodeCount),
        _ => null,
    };

    /// <summary>The cluster XR's spec without its pools; null (with the field to fix) when the source block is missing.</summary>
    public JsonObject? ClusterSpec(ClusterSpec cluster) => Source switch
    {
        ClusterSource.GKE when cluster.Gke is { } gke => Serialize(new GkeClusterSpec
        {
            Region = gke.Region,
            KubernetesVersion = gke.KubernetesVersion ?? GkeClusterSpec.DefaultKubernetesVersion,
            Credentials = Credentials(gke.Credentials),
        }),
        ClusterSource.EKS when cluster.Eks is { } eks => Serialize(new EksClusterSpec
        {
            Region = eks.Region,
            KubernetesVersion = eks.KubernetesVersion ?? EksClusterSpec.DefaultKubernetesVersion,
            Credentials = Credentials(eks.Credentials),
        }),
        ClusterSource.AKS when cluster.Aks is { } aks => Serialize(new AksClusterSpec
        {
            Location = aks.Location,
            KubernetesVersion = aks.KubernetesVersion ?? AksClusterSpec.DefaultKubernetesVersion,
            Credentials = Credentials(aks.Credentials),
        }),
        ClusterSource.Nebius when cluster.Nebius is { } nebius => Serialize(new NebiusClusterSpec
        {
            KubernetesVersion = nebius.KubernetesVersion ?? NebiusClusterSpec.DefaultKubernetesVersion,
            Credentials = Credentials(nebius.Credentials),
        }),
        ClusterSource.Vultr when cluster.Vultr is { } vultr => Serialize(new VultrClusterSpec
        {
            Region = vultr.Region,
            KubernetesVersion = vultr.KubernetesVersion ?? VultrClusterSpec.DefaultKubernetesVersion,
            Credentials = Credentials(vultr.Credentials),
        }),
        _ => null,
    };

    /// <summary>The cluster XR pool for an InferenceCluster pool of this class, or why it cannot be one.</summary>
    public (JsonObject? Pool, string? Problem) Pool(NodePool pool, InferenceClass cls, ClusterSpec cluster)
    {
        var at = PoolPath(pool);
        switch (Source)
        {
            case ClusterSource.GKE:
                if (cls.Spec?.Provisioning?.Gke is not { } gke)
                {
                    return (null, NoBlock(pool));
                }
                var region = cluster.Gke?.Region ?? "";
                if (pool.Zones is not { Count: > 0 } zones)
                {
                    return (null, $"{at}.zones is required for a GKE pool: list zones of {region} that offer {gke.Accelerator?.Type}");
                }
                if (zones.FirstOrDefault(z => !z.StartsWith(region + "-", StringComparison.Ordinal)) is { } zone)
                {
                    return (null, $"{at}.zones: {zone} is not a zone of region {region}; use {region}-<letter>");
                }
                var count = gke.Accelerator?.Count ?? GkeGpu.DefaultAcceleratorCount;
                if (AcceleratorMismatch(pool, "gke", gke.MachineType, count, AcceleratorShapes.GceAcceleratorCount) is { } gkeMismatch)
                {
                    return (null, gkeMismatch);
                }
                return (Serialize(new GkeNodePool
                {
                    Name = pool.Name,
                    Role = PoolRole.GPU,
                    MachineType = gke.MachineType,
                    DiskSizeGb = gke.DiskSizeGb ?? GkeNodePool.DefaultDiskSizeGb,
                    NodeCount = pool.NodeCount ?? NodePool.DefaultNodeCount,
                    MinNodeCount = pool.MinNodeCount,
                    MaxNodeCount = pool.MaxNodeCount,
                    Gpu = new GkeGpu { AcceleratorType = gke.Accelerator?.Type, AcceleratorCount = count },
                    Zones = zones,
                }), null);
            case ClusterSource.EKS:
                return EksPool(pool, cls, cluster.Eks?.Region ?? "");
            case ClusterSource.AKS:
                return AksPool(pool, cls);
            case ClusterSource.Nebius:
                return NebiusPool(pool, cls);
            case ClusterSource.Vultr:
                return VultrPool(pool, cls);
            default:
                return (null, NoBlock(pool));
        }
    }

    // The EKSCluster the InferenceCluster composes has the default subnets: zones <region>a to c.
    private (JsonObject? Pool, string? Problem) EksPool(NodePool pool, InferenceClass cls, string region)
    {
        var at = PoolPath(pool);
        if (cls.Spec?.Provisioning?.Eks is not { } eks)
        {
            return (null, NoBlock(pool));
        }
        if (pool.Zones is not { Count: > 0 } zones)
        {
            return (null, $"{at}.zones is required for an EKS pool: list Availability Zones of {region} that offer {eks.InstanceType}");
        }
        string[] covered = [.. Enumerable.Range(0, EksNetworking.DefaultSubnetCidrs.Count).Select(i => $"{region}{(char)('a' + i)}")];
        if (zones.FirstOrDefault(z => !covered.Contains(z, StringComparer.Ordinal)) is { } zone)
        {
            return (null, $"{at}.zones: {zone} is not one of the zones the cluster has subnets in; use {string.Join(", ", covered)}");
        }
        if (pool.Fabric?.Type == FabricType.InfiniBand)
        {
            return (null, $"{at}.fabric: InfiniBand is not offered on EKS; use EFA (or None)");
        }
        if (AcceleratorMismatch(pool, "eks", eks.InstanceType, eks.Accelerator?.Count, AcceleratorShapes.Ec2AcceleratorCount) is { } mismatch)
        {
            return (null, mismatch);
        }
        return (Serialize(new EksNodePool
        {
            Name = pool.Name,
            Role = PoolRole.GPU,
            InstanceType = eks.InstanceType,
            DiskSizeGb = eks.DiskSizeGb ?? EksNodePool.DefaultDiskSizeGb,
            NodeCount = pool.NodeCount ?? NodePool.DefaultNodeCount,
            MinNodeCount = pool.MinNodeCount,
            MaxNodeCount = pool.MaxNodeCount,
            Gpu = new EksGpu { AcceleratorType = eks.Accelerator?.Type },
            CapacityBlock = pool.CapacityBlock?.CapacityReservationId is { } reservation ? new EksCapacityBlock { CapacityReservationId = reservation } : null,
            Zones = zones,
            Fabric = pool.Fabric?.Type == FabricType.EFA ? EksFabric.EFA : null,
        }), null);
    }

    // An AKS pool's name is its name in AKS, so it must follow AKS's rule (the XRD checks it too).
    private (JsonObject? Pool, string? Problem) AksPool(NodePool pool, InferenceClass cls)
    {
        var at = PoolPath(pool);
        if (cls.Spec?.Provisioning?.Aks is not { } aks)
        {
            return (null, NoBlock(pool));
        }
        if (!AksNames.IsPoolName(pool.Name) || pool.Name == "system")
        {
            return (null, $"{at}.name: an AKS pool name is 1 to 12 lowercase letters and digits starting with a letter, and not system; rename the pool (e.g. {AksNames.Suggest(pool.Name)})");
        }
        if (pool.Zones?.FirstOrDefault(z => z is not ("1" or "2" or "3")) is { } zone)
        {
            return (null, $"{at}.zones: {zone} is not an Azure availability zone; use 1, 2 or 3");
        }
        if (pool.Fabric?.Type == FabricType.EFA)
        {
            return (null, $"{at}.fabric: EFA is not offered on AKS; use InfiniBand (ND-series) or None");
        }
        if (AcceleratorMismatch(pool, "aks", aks.VmSize, aks.Accelerator?.Count, AcceleratorShapes.AzureAcceleratorCount) is { } mismatch)
        {
            return (null, mismatch);
        }
        return (Serialize(new AksNodePool
        {
            Name = pool.Name,
            Role = PoolRole.GPU,
            VmSize = aks.VmSize,
            DiskSizeGb = aks.DiskSizeGb ?? AksNodePool.DefaultDiskSizeGb,
            NodeCount = pool.NodeCount ?? NodePool.DefaultNodeCount,
            MinNodeCount = pool.MinNodeCount,
            MaxNodeCount = pool.MaxNodeCount,
            Zones = pool.Zones is { Count: > 0 } zones ? zones : null,
            Gpu = new AksGpu { AcceleratorType = aks.Accelerator?.Type },
            Fabric = pool.Fabric?.Type == FabricType.InfiniBand ? AksFabric.InfiniBand : null,
        }), null);
    }

    // A Nebius group is fixed at nodeCount unless maxNodeCount is set; only then may minNodeCount be.
    private (JsonObject? Pool, string? Problem) NebiusPool(NodePool pool, InferenceClass cls)
    {
        var at = PoolPath(pool);
        if (cls.Spec?.Provisioning?.Nebius is not { } nebius)
        {
            return (null, NoBlock(pool));
        }
        if (pool.MinNodeCount is not null && pool.MaxNodeCount is null)
        {
            return (null, $"{at}.minNodeCount needs maxNodeCount on Nebius; set maxNodeCount to autoscale, or drop minNodeCount for a fixed pool");
        }
        if (pool.MaxNodeCount is { } max && (pool.MinNodeCount ?? pool.NodeCount ?? NodePool.DefaultNodeCount) is var min && min > max)
        {
            return (null, $"{at}: the lower bound {min} is above maxNodeCount {max}; lower minNodeCount (or nodeCount) or raise maxNodeCount");
        }
        if (pool.Fabric?.Type == FabricType.EFA)
        {
            return (null, $"{at}.fabric: EFA is not offered on Nebius; use InfiniBand (with fabric.infiniband.fabric) or None");
        }
        var infiniband = pool.Fabric?.Type == FabricType.InfiniBand && pool.Fabric.Infiniband?.Fabric is { } fabric
            ? new NebiusFabric { Type = NebiusFabricType.InfiniBand, Infiniband = new NebiusInfiniband { Fabric = fabric } }
            : null;
        return (Serialize(new NebiusNodePool
        {
            Name = pool.Name,
            Role = PoolRole.GPU,
            Platform = nebius.Platform,
            Preset = nebius.Preset,
            DiskSizeGb = nebius.DiskSizeGb ?? NebiusNodePool.DefaultDiskSizeGb,
            NodeCount = pool.NodeCount ?? NodePool.DefaultNodeCount,
            MinNodeCount = pool.MinNodeCount,
            MaxNodeCount = pool.MaxNodeCount,
            Gpu = new NebiusGpu { AcceleratorType = nebius.Accelerator?.Type, DriversPreset = nebius.DriversPreset ?? NebiusGpu.DefaultDriversPreset },
            Fabric = infiniband,
        }), null);
    }

    // A VKE pool has at least one node, and is fixed unless it has a maximum.
    private (JsonObject? Pool, string? Problem) VultrPool(NodePool pool, InferenceClass cls)
    {
        var at = PoolPath(pool);
        if (cls.Spec?.Provisioning?.Vultr is not { } vultr)
        {
            return (null, NoBlock(pool));
        }
        if ((pool.NodeCount ?? NodePool.DefaultNodeCount) < 1 || pool.MinNodeCount is 0)
        {
            return (null, $"{at}: a Vultr pool has at least one node; set nodeCount (and minNodeCount) to 1 or more");
        }
        if (pool.MinNodeCount is not null && pool.MaxNodeCount is null)
        {
            return (null, $"{at}.minNodeCount needs maxNodeCount on Vultr; set maxNodeCount to autoscale, or drop minNodeCount for a fixed pool");
        }
        if (pool.MaxNodeCount is { } max && (pool.MinNodeCount ?? pool.NodeCount ?? NodePool.DefaultNodeCount) is var min && min > max)
        {
            return (null, $"{at}: the lower bound {min} is above maxNodeCount {max}; lower minNodeCount (or nodeCount) or raise maxNodeCount");
        }
        if (pool.Fabric?.Type is FabricType.EFA or FabricType.InfiniBand)
        {
            return (null, $"{at}.fabric: Vultr offers no {pool.Fabric.Type} fabric; use None");
        }
        return (Serialize(new VultrNodePool
        {
            Name = pool.Name,
            Role = PoolRole.GPU,
            Plan = vultr.Plan,
            NodeCount = pool.NodeCount ?? NodePool.DefaultNodeCount,
            MinNodeCount = pool.MinNodeCount,
            MaxNodeCount = pool.MaxNodeCount,
            Gpu = new VultrGpu { AcceleratorType = vultr.Accelerator?.Type },
        }), null);
    }

    private static string PoolPath(NodePool pool) => $"spec.nodePools[{pool.Name}]";

    // A machine shape with a fixed accelerator count must be asked for with that count, or the cloud refuses the pool late.
    private static string? AcceleratorMismatch(NodePool pool, string block, string? shape, int? declared, Func<string, int?> fixedCountOf) =>
        shape is not null && fixedCountOf(shape) is { } fixedCount && declared is { } count && count != fixedCount
            ? $"InferenceClass {pool.ClassName}: spec.provisioning.{block}.accelerator.count is {count} but {shape} has {fixedCount}; set it to {fixedCount}"
            : null;

    private string NoBlock(NodePool pool) =>
        $"InferenceClass {pool.ClassName} has no {Label} provisioning block; add spec.provisioning.{Label.ToLowerInvariant()} to it, or give pool {pool.Name} a class that has one";

    private static ClusterCredentials? Credentials(CloudCredentials? credentials) => credentials is null
        ? null
        : new ClusterCredentials
        {
            Type = credentials.Type switch
            {
                CredentialsType.ProviderConfig => CredentialsKind.ProviderConfig,
                CredentialsType.ClusterProviderConfig => CredentialsKind.ClusterProviderConfig,
                _ => null,
            },
            Name = credentials.Name,
        };

    private static JsonObject Serialize(GkeClusterSpec spec) => (JsonObject)JsonSerializer.SerializeToNode(spec, GkeClusterJsonContext.Default.GkeClusterSpec)!;

    private static JsonObject Serialize(VultrClusterSpec spec) => (JsonObject)JsonSerializer.SerializeToNode(spec, VultrClusterJsonContext.Default.VultrClusterSpec)!;

    private static JsonObject Serialize(VultrNodePool pool) => (JsonObject)JsonSerializer.SerializeToNode(pool, VultrClusterJsonContext.Default.VultrNodePool)!;

    private static JsonObject Serialize(NebiusClusterSpec spec) => (JsonObject)JsonSerializer.SerializeToNode(spec, NebiusClusterJsonContext.Default.NebiusClusterSpec)!;

    private static JsonObject Serialize(NebiusNodePool pool) => (JsonObject)JsonSerializer.SerializeToNode(pool, NebiusClusterJsonContext.Default.NebiusNodePool)!;

    private static JsonObject Serialize(AksClusterSpec spec) => (JsonObject)JsonSerializer.SerializeToNode(spec, AksClusterJsonContext.Default.AksClusterSpec)!;

    private static JsonObject Serialize(AksNodePool pool) => (JsonObject)JsonSerializer.SerializeToNode(pool, AksClusterJsonContext.Default.AksNodePool)!;

    private static JsonObject Serialize(EksClusterSpec spec) => (JsonObject)JsonSerializer.SerializeToNode(spec, EksClusterJsonContext.Default.EksClusterSpec)!;

    private static JsonObject Serialize(EksNodePool pool) => (JsonObject)JsonSerializer.SerializeToNode(pool, EksClusterJsonContext.Default.EksNodePool)!;

    private static JsonObject Serialize(GkeNodePool pool) => (JsonObject)JsonSerializer.SerializeToNode(pool, GkeClusterJsonContext.Default.GkeNodePool)!;
}
