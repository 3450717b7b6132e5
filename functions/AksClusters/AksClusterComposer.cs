// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json;
using System.Text.Json.Nodes;
using Modelplane.Apis.AksClusters;
using Modelplane.Apis.CloudClusters;
using Modelplane.Provisioning;
using Modelplane.Sdk;
using static Modelplane.Provisioning.ManagedResources;

namespace Modelplane.Functions.AksClusters;

/// <summary>Composes an AKS cluster for inference from Upbound's Azure provider family.</summary>
/// <remarks>
/// <para>
/// A resource group, a VNet with one node subnet, and the cluster: system-assigned identity, Azure
/// CNI in overlay mode (pods and services outside the VNet), and a small autoscaled system pool as
/// its default pool. The resource group and cluster are named <c>child_name(namespace, name,
/// "aks")</c> (also the DNS prefix), upstream's name, so a cluster upstream built is adopted.
/// </para>
/// <para>
/// Each pool is a user node pool whose AKS name is the pool's name (hence at most 12 lowercase
/// alphanumerics, which the XRD checks at admission and we check again), labelled
/// <c>modelplane.ai/pool=&lt;name&gt;</c>; GPU pools get AKS's GPU driver, <c>modelplane.ai/gpu</c> and
/// the <c>nvidia.com/gpu=true:NoSchedule</c> taint, and all pools autoscale between their bounds, the
/// node count set only at creation so the autoscaler's choice stands.
/// </para>
/// <para>
/// Once the cluster exists, an Azure Files (Premium) StorageClass <c>modelplane-rwx-fs</c> is created
/// there for model caches, and the NVIDIA network operator when a pool uses InfiniBand; both go
/// through the cluster's own ProviderConfigs and are never deleted by us. A pool this XR cannot
/// build as written is reported and kept exactly as it runs.
/// </para>
/// </remarks>
public static class AksClusterComposer
{
    public const string Name = "aks-cluster";

    public static Composer Composer { get; } = new(Name, Compose, "AKSCluster.infrastructure.modelplane.ai");

    public const string NodePoolsValid = "NodePoolsValid";
    private const string ReasonInvalidNodePool = "InvalidNodePool";
    private const string ReasonValid = "Valid";

    // Desired-resource keys, upstream's literals.
    public const string ResourceGroupKey = "resource-group";
    public const string VirtualNetworkKey = "virtual-network";
    public const string SubnetKey = "subnet";
    public const string ClusterKey = "cluster";
    public const string NetworkOperatorKey = "release-network-operator";
    public const string StorageClassKey = "storage-class-rwx-fs";
    public const string KubernetesProviderConfigKey = "provider-config-kubernetes";
    public const string HelmProviderConfigKey = "provider-config-helm";

    public static string PoolKey(string pool) => $"nodepool-{pool}";

    public const string StorageClassName = "modelplane-rwx-fs";
    public const string SystemPoolName = "system";

    private const string AzureApiVersion = "azure.m.upbound.io/v1beta1";
    private const string NetworkApiVersion = "network.azure.m.upbound.io/v1beta1";
    private const string ContainerServiceApiVersion = "containerservice.azure.m.upbound.io/v1beta1";
    private const string PoolLabel = "modelplane.ai/pool";
    private const string GpuLabel = "modelplane.ai/gpu";
    private const string GpuTaint = "nvidia.com/gpu=true:NoSchedule";
    private const string NetworkOperatorVersion = "26.4.0";

    // Node pools keep their count out of our hands after creation: the autoscaler owns it.
    private static readonly string[] NodePoolPolicies = ["Observe", "Create", "Update", "Delete"];

    private static readonly string[] AzureFilesMountOptions = ["dir_mode=0777", "file_mode=0777", "uid=0", "gid=0", "mfsymlinks", "cache=strict", "actimeo=30", "nosharesock"];

    public static Composition Compose(FunctionRequest req)
    {
        var xr = req.ReadComposite(AksClusterJsonContext.Default.AksCluster);
        var spec = xr.Spec ?? new AksClusterSpec();
        var name = req.Name;
        var ns = req.Namespace ?? "";
        var location = spec.Location ?? "";
        var credentials = spec.Credentials;
        var version = spec.KubernetesVersion ?? AksClusterSpec.DefaultKubernetesVersion;
        var azureName = ClusterName(ns, name);
        var kubeconfig = ChildName.Of(name, "kubeconfig");
        var resources = new Dictionary<string, DesiredResource>(StringComparer.Ordinal);
        void Add(string key, JsonObject resource) => resources[key] = ReadyWhenObserved(req, key, resource);

        Add(ResourceGroupKey, Cloud(AzureApiVersion, "ResourceGroup", credentials, new JsonObject { ["location"] = location }, new JsonObject { ["name"] = azureName }));
        Add(VirtualNetworkKey, Cloud(NetworkApiVersion, "VirtualNetwork", credentials, new JsonObject
        {
            ["location"] = location,
            ["addressSpace"] = new JsonArray(spec.Networking?.VnetCidr ?? AksNetworking.DefaultVnetCidr),
            ["resourceGroupNameSelector"] = ControllerSelector(),
        }));
        Add(SubnetKey, Cloud(NetworkApiVersion, "Subnet", credentials, new JsonObject
        {
            ["addressPrefixes"] = new JsonArray(spec.Networking?.SubnetCidr ?? AksNetworking.DefaultSubnetCidr),
            ["resourceGroupNameSelector"] = ControllerSelector(),
            ["virtualNetworkNameSelector"] = ControllerSelector(),
        }));
        Add(ClusterKey, Cloud(ContainerServiceApiVersion, "KubernetesCluster", credentials, new JsonObject
        {
            ["location"] = location,
            ["kubernetesVersion"] = version,
            ["dnsPrefix"] = azureName,
            ["nodeResourceGroup"] = $"{azureName}-nodes",
            ["resourceGroupNameSelector"] = ControllerSelector(),
            ["identity"] = new JsonObject { ["type"] = "SystemAssigned" },
            ["defaultNodePool"] = new JsonObject
            {
                ["name"] = SystemPoolName,
                ["vmSize"] = "Standard_D4s_v5",
                ["autoScalingEnabled"] = true,
                ["minCount"] = 1,
                ["maxCount"] = 2,
                ["osDiskSizeGb"] = 100,
                // AKS rotates the default pool through a temporary one when its VM size changes.
                ["temporaryNameForRotation"] = "systemtmp",
                ["nodeLabels"] = new JsonObject { [PoolLabel] = SystemPoolName },
                ["vnetSubnetIdSelector"] = ControllerSelector(),
            },
            // Overlay: pods and services take ranges outside the VNet, so it only needs room for nodes.
            ["networkProfile"] = new JsonObject
            {
                ["networkPlugin"] = "azure",
                ["networkPluginMode"] = "overlay",
                ["podCidr"] = "10.244.0.0/16",
                ["serviceCidr"] = "10.96.0.0/16",
                ["dnsServiceIp"] = "10.96.0.10",
            },
        }, new JsonObject { ["name"] = azureName }, new JsonObject { ["writeConnectionSecretToRef"] = new JsonObject { ["name"] = kubeconfig } }));

        var problems = new List<string>();
        var infiniband = false;
        foreach (var pool in spec.NodePools ?? [])
        {
            var key = PoolKey(pool.Name ?? "");
            if (PoolProblem(pool) is { } problem)
            {
                problems.Add(problem);
                if (Kept.Observed(req, key) is { } kept)
                {
                    resources[key] = kept;
                    infiniband |= pool.Fabric == AksFabric.InfiniBand;
                }
                continue;
            }
            infiniband |= pool.Fabric == AksFabric.InfiniBand;
            Add(key, NodePool(pool, credentials, version));
        }

        // In-cluster objects reach the cluster through its ProviderConfig, which works once it exists.
        var reachable = req.Observed.ContainsKey(ClusterKey);
        if (infiniband && (reachable || req.Observed.ContainsKey(NetworkOperatorKey)))
        {
            Add(NetworkOperatorKey, WorkloadCluster.Release(ns, kubeconfig, "network-operator", "https://helm.ngc.nvidia.com/nvidia", NetworkOperatorVersion, "network-operator", new JsonObject
            {
                ["deployCR"] = true,
                ["ofedDriver"] = new JsonObject { ["deploy"] = true },
                ["rdmaSharedDevicePlugin"] = new JsonObject { ["deploy"] = true },
                ["daemonsets"] = new JsonObject
                {
                    ["tolerations"] = new JsonArray(new JsonObject { ["key"] = "nvidia.com/gpu", ["operator"] = "Exists", ["effect"] = "NoSchedule" }),
                },
            }));
        }
        else if (Kept.Observed(req, NetworkOperatorKey) is { } operatorRelease)
        {
            resources[NetworkOperatorKey] = operatorRelease;
        }
        if (reachable || req.Observed.ContainsKey(StorageClassKey))
        {
            resources[StorageClassKey] = DesiredResource.Of(WorkloadCluster.StorageClass(ns, kubeconfig, StorageClassName, "file.csi.azure.com",
                new JsonObject { ["skuName"] = "Premium_LRS" }, "WaitForFirstConsumer", Strings(AzureFilesMountOptions), allowExpansion: true, reclaimPolicy: "Delete"), ready: true);
        }

        resources[KubernetesProviderConfigKey] = DesiredResource.Of(WorkloadCluster.ProviderConfig(WorkloadCluster.KubernetesApiVersion, kubeconfig, ns), ready: true);
        resources[HelmProviderConfigKey] = DesiredResource.Of(WorkloadCluster.ProviderConfig(WorkloadCluster.HelmApiVersion, kubeconfig, ns), ready: true);

        var conditions = new List<Condition>();
        var results = new List<Result>();
        if (problems.Count > 0)
        {
            var message = string.Join("; ", problems);
            conditions.Add(Condition.False(NodePoolsValid, ReasonInvalidNodePool, message));
            results.Add(Result.Warning(message));
        }
        else
        {
            conditions.Add(Condition.True(NodePoolsValid, ReasonValid));
        }

        return new Composition
        {
            Resources = resources,
            Status = Status(kubeconfig),
            Conditions = conditions,
            Results = results,
        };
    }

    /// <summary>The resource group's and cluster's name in Azure (and the DNS prefix): namespace and name folded in.</summary>
    public static string ClusterName(string ns, string name) => ChildName.Of(ns, name, "aks");

    /// <summary>Whether AKS accepts this as a Linux user pool name: 1 to 12 lowercase letters and digits, starting with a letter.</summary>
    public static bool IsPoolName(string? name) => AksNames.IsPoolName(name);

    /// <summary>Why a pool cannot be composed as written (input the XRD rejects when it is applied), or null.</summary>
    internal static string? PoolProblem(AksNodePool pool)
    {
        var at = $"spec.nodePools[{pool.Name}]";
        if (!IsPoolName(pool.Name))
        {
            return $"{at}.name: AKS pool names are 1 to 12 lowercase letters and digits starting with a letter; rename the pool (e.g. {Suggest(pool.Name)})";
        }
        if (pool.Name == SystemPoolName)
        {
            return $"{at}.name: system is the system pool's name; choose another";
        }
        if (pool.Role == PoolRole.GPU && pool.Gpu?.AcceleratorType is not { Length: > 0 })
        {
            return $"{at}.gpu is required when role is GPU; set gpu.acceleratorType";
        }
        if (pool.Zones?.FirstOrDefault(z => z is not ("1" or "2" or "3")) is { } zone)
        {
            return $"{at}.zones: {zone} is not an Azure availability zone; use 1, 2 or 3";
        }
        var min = pool.MinNodeCount ?? AksNodePool.DefaultMinNodeCount;
        var max = pool.MaxNodeCount ?? AksNodePool.DefaultMaxNodeCount;
        if (min > max)
        {
            return $"{at}: minNodeCount {min} is above maxNodeCount {max}; lower minNodeCount or raise maxNodeCount";
        }
        return null;
    }

    /// <summary>A name AKS would take for this pool.</summary>
    public static string Suggest(string? name) => AksNames.Suggest(name);

    private static JsonObject NodePool(AksNodePool pool, ClusterCredentials? credentials, string version)
    {
        var gpu = pool.Role == PoolRole.GPU && pool.Gpu is not null;
        var labels = new JsonObject();
        if (gpu)
        {
            labels[GpuLabel] = pool.Gpu!.AcceleratorType;
        }
        labels[PoolLabel] = pool.Name;
        var forProvider = new JsonObject
        {
            ["kubernetesClusterIdSelector"] = ControllerSelector(),
            ["vnetSubnetIdSelector"] = ControllerSelector(),
            ["mode"] = "User",
            ["vmSize"] = pool.VmSize,
            ["osDiskSizeGb"] = pool.DiskSizeGb ?? AksNodePool.DefaultDiskSizeGb,
            ["orchestratorVersion"] = version,
            ["autoScalingEnabled"] = true,
            ["minCount"] = pool.MinNodeCount ?? AksNodePool.DefaultMinNodeCount,
            ["maxCount"] = pool.MaxNodeCount ?? AksNodePool.DefaultMaxNodeCount,
            ["nodeLabels"] = labels,
        };
        if (pool.Zones is { Count: > 0 } zones)
        {
            forProvider["zones"] = Strings(zones);
        }
        if (gpu)
        {
            forProvider["gpuDriver"] = "Install";
            forProvider["nodeTaints"] = new JsonArray(GpuTaint);
        }
        // The pool's name in AKS is its own; the managed resource's name is generated.
        return Cloud(ContainerServiceApiVersion, "KubernetesClusterNodePool", credentials, forProvider,
            new JsonObject { ["annotations"] = new JsonObject { [ExternalNameAnnotation] = pool.Name } },
            new JsonObject
            {
                ["managementPolicies"] = Strings(NodePoolPolicies),
                ["initProvider"] = new JsonObject { ["nodeCount"] = pool.NodeCount ?? AksNodePool.DefaultNodeCount },
            });
    }

    private static JsonObject Status(string kubeconfig) =>
        (JsonObject)JsonSerializer.SerializeToNode(new AksClusterStatus
        {
            Secrets = [new ClusterSecret { Type = ClusterSecret.Kubeconfig, Name = kubeconfig, Key = WorkloadCluster.KubeconfigKey }],
            Cache = new CacheStatus { StorageClassName = StorageClassName },
        }, AksClusterJsonContext.Default.AksClusterStatus)!;
}
