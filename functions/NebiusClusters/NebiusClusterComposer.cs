// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json;
using System.Text.Json.Nodes;
using Modelplane.Apis.CloudClusters;
using Modelplane.Apis.NebiusClusters;
using Modelplane.Provisioning;
using Modelplane.Sdk;
using static Modelplane.Provisioning.ManagedResources;

namespace Modelplane.Functions.NebiusClusters;

/// <summary>Composes a Nebius managed Kubernetes cluster for inference from Upbound's Nebius provider.</summary>
/// <remarks>
/// <para>
/// Everything lives in the project of the Nebius ProviderConfig: a network and subnet, the mk8s
/// cluster with a public endpoint, a shared 1 TiB SSD filesystem that every node mounts at
/// <c>/mnt/data</c> (the cloud-init Secret does the mount), a GPU cluster per InfiniBand fabric, a
/// system node group and one node group per pool, labelled <c>modelplane.ai/pool=&lt;name&gt;</c>
/// (GPU groups also <c>modelplane.ai/gpu</c>, mk8s's GPU drivers and the
/// <c>nvidia.com/gpu=true:NO_SCHEDULE</c> taint), fixed at nodeCount or autoscaled when maxNodeCount
/// is set. Cloud names are the XR's name, upstream's, so an upstream cluster is adopted.
/// </para>
/// <para>
/// The kubeconfig holds only the endpoint and CA; its exec plugin authenticates with the service
/// account credentials of the ProviderConfig. So the workload ProviderConfigs, the mounted-filesystem
/// CSI driver, the StorageClass and the credentials entry of the status wait for that Secret to be
/// known; the infrastructure does not. If the ProviderConfig disappears, the credentials the composed
/// ProviderConfig already carries are kept. A pool we cannot build as written keeps what runs.
/// </para>
/// </remarks>
public static class NebiusClusterComposer
{
    public const string Name = "nebius-cluster";

    public static Composer Composer { get; } = new(Name, Compose, "NebiusCluster.infrastructure.modelplane.ai");

    public const string NodePoolsValid = "NodePoolsValid";
    private const string ReasonInvalidNodePool = "InvalidNodePool";
    private const string ReasonValid = "Valid";

    // Desired-resource and requirement keys, upstream's literals.
    public const string ProviderConfigRequirement = "nebius-provider-config";
    public const string NetworkKey = "network";
    public const string SubnetKey = "subnet";
    public const string ClusterKey = "cluster";
    public const string FilesystemKey = "filesystem";
    public const string CloudInitKey = "cloud-init";
    public const string SystemPoolKey = "nodegroup-system";
    public const string CsiReleaseKey = "release-csi-mounted-fs-path";
    public const string StorageClassKey = "storage-class-rwx-fs";
    public const string KubernetesProviderConfigKey = "provider-config-kubernetes";
    public const string HelmProviderConfigKey = "provider-config-helm";

    public static string PoolKey(string pool) => $"nodegroup-{pool}";

    public static string GpuClusterKey(string fabric) => $"gpu-cluster-{fabric}";

    public const string StorageClassName = "modelplane-rwx-fs";

    private const string NebiusApiVersion = "nebius.m.upbound.io/v1beta1";
    private const string VpcApiVersion = "vpc.nebius.m.upbound.io/v1beta1";
    private const string Mk8sApiVersion = "mk8s.nebius.m.upbound.io/v1beta1";
    private const string ComputeApiVersion = "compute.nebius.m.upbound.io/v1beta1";
    private const string PoolLabel = "modelplane.ai/pool";
    private const string GpuLabel = "modelplane.ai/gpu";
    private const string FabricLabel = "modelplane.ai/fabric";
    private const string MountTag = "modelplane-cache";
    private const string CsiChartVersion = "0.1.6";

    // Mount the shared filesystem (attached as virtiofs under our tag) where the CSI driver expects it, and on every boot.
    private const string CloudConfig = """
        #cloud-config
        runcmd:
          - mkdir -p /mnt/data
          - mount -t virtiofs modelplane-cache /mnt/data
          - echo "modelplane-cache /mnt/data virtiofs defaults,nofail 0 2" >> /etc/fstab

        """;

    public static Composition Compose(FunctionRequest req)
    {
        var xr = req.ReadComposite(NebiusClusterJsonContext.Default.NebiusCluster);
        var spec = xr.Spec ?? new NebiusClusterSpec();
        var name = req.Name;
        var ns = req.Namespace ?? "";
        var credentials = spec.Credentials;
        var kind = (credentials?.Type ?? ClusterCredentials.DefaultType).ToString();
        var configName = credentials?.Name ?? ClusterCredentials.DefaultName;
        var requirements = new Dictionary<string, Requirement>(StringComparer.Ordinal)
        {
            [ProviderConfigRequirement] = Requirement.Named(NebiusApiVersion, kind, configName, credentials?.Type == CredentialsKind.ProviderConfig ? ns : null),
        };
        var version = spec.KubernetesVersion ?? NebiusClusterSpec.DefaultKubernetesVersion;
        var kubeconfig = ChildName.Of(name, "kubeconfig");
        var cloudInit = ChildName.Of(name, "cloud-init");
        var resources = new Dictionary<string, DesiredResource>(StringComparer.Ordinal);
        var results = new List<Result>();
        void Add(string key, JsonObject resource) => resources[key] = ReadyWhenObserved(req, key, resource);

        Add(NetworkKey, Cloud(VpcApiVersion, "Network", credentials, new JsonObject { ["name"] = name }));
        Add(SubnetKey, Cloud(VpcApiVersion, "Subnet", credentials, new JsonObject
        {
            ["name"] = name,
            ["networkIdSelector"] = ControllerSelector(),
            ["ipv4PrivatePools"] = new JsonObject { ["useNetworkPools"] = true },
        }));
        Add(ClusterKey, Cloud(Mk8sApiVersion, "Cluster", credentials, new JsonObject
        {
            ["name"] = name,
            ["controlPlane"] = new JsonObject
            {
                ["version"] = version,
                ["subnetIdSelector"] = ControllerSelector(),
                ["endpoints"] = new JsonObject { ["publicEndpoint"] = new JsonObject() },
            },
        }, spec: new JsonObject { ["writeConnectionSecretToRef"] = new JsonObject { ["name"] = kubeconfig } }));
        Add(FilesystemKey, Cloud(ComputeApiVersion, "Filesystem", credentials, new JsonObject
        {
            ["name"] = $"{name}-cache",
            ["type"] = "NETWORK_SSD",
            ["sizeGibibytes"] = 1024,
        }));
        resources[CloudInitKey] = DesiredResource.Of(new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Secret",
            ["metadata"] = new JsonObject { ["name"] = cloudInit, ["namespace"] = ns },
            ["type"] = "Opaque",
            ["stringData"] = new JsonObject { ["userData"] = CloudConfig },
        }, ready: true);
        Add(SystemPoolKey, NodeGroup(credentials, $"{name}-system", version, cloudInit, new JsonObject { ["minNodeCount"] = 1, ["maxNodeCount"] = 2 }, null,
            Template("cpu-d3", "4vcpu-16gb", NebiusNodePool.DefaultDiskSizeGb, cloudInit, new JsonObject { [PoolLabel] = "system" })));

        var problems = new List<string>();
        var fabrics = new List<string>();
        foreach (var pool in spec.NodePools ?? [])
        {
            var poolName = pool.Name ?? "";
            if (PoolProblem(pool) is { } problem)
            {
                problems.Add(problem);
                if (Kept.Observed(req, PoolKey(poolName)) is { } kept)
                {
                    resources[PoolKey(poolName)] = kept;
                    if (pool.Fabric?.Infiniband?.Fabric is { } keptFabric && !fabrics.Contains(keptFabric))
                    {
                        fabrics.Add(keptFabric);
                    }
                }
                continue;
            }
            var fabric = pool.Fabric?.Type == NebiusFabricType.InfiniBand ? pool.Fabric.Infiniband?.Fabric : null;
            if (fabric is not null && !fabrics.Contains(fabric))
            {
                fabrics.Add(fabric);
            }
            Add(PoolKey(poolName), NodePool(pool, credentials, name, version, cloudInit, fabric));
        }
        foreach (var fabric in fabrics)
        {
            Add(GpuClusterKey(fabric), Cloud(ComputeApiVersion, "GpuCluster", credentials,
                new JsonObject { ["name"] = $"{name}-{fabric}", ["infinibandFabric"] = fabric },
                new JsonObject { ["labels"] = new JsonObject { [FabricLabel] = fabric } }));
        }

        // Consumers authenticate with the ProviderConfig's service account credentials.
        var secrets = new List<NebiusSecret> { new() { Type = ClusterSecret.Kubeconfig, Name = kubeconfig, Key = WorkloadCluster.KubeconfigKey } };
        if (Credentials(req, kind, configName, ns, results) is { } identity)
        {
            resources[KubernetesProviderConfigKey] = DesiredResource.Of(WorkloadCluster.ProviderConfig(WorkloadCluster.KubernetesApiVersion, kubeconfig, ns, identity), ready: true);
            resources[HelmProviderConfigKey] = DesiredResource.Of(WorkloadCluster.ProviderConfig(WorkloadCluster.HelmApiVersion, kubeconfig, ns, identity), ready: true);
            if (req.Observed.ContainsKey(ClusterKey) || req.Observed.ContainsKey(CsiReleaseKey))
            {
                Add(CsiReleaseKey, WorkloadCluster.Release(ns, kubeconfig, "csi-mounted-fs-path", "oci://cr.eu-north1.nebius.cloud/mk8s/helm", CsiChartVersion, "kube-system", new JsonObject
                {
                    ["dataDir"] = "/mnt/data/csi-mounted-fs-path-data/",
                    ["tolerations"] = new JsonArray(new JsonObject { ["key"] = "nvidia.com/gpu", ["operator"] = "Exists", ["effect"] = "NoSchedule" }),
                }));
                resources[StorageClassKey] = DesiredResource.Of(WorkloadCluster.StorageClass(ns, kubeconfig, StorageClassName, "mounted-fs-path.csi.nebius.ai", null, "WaitForFirstConsumer", allowExpansion: null), ready: true);
            }
            secrets.Add(new NebiusSecret
            {
                Type = NebiusClusterStatus.NebiusServiceAccountCredentials,
                Name = identity.SecretName,
                Key = identity.Key,
                Namespace = identity.SecretNamespace == ns ? null : identity.SecretNamespace,
            });
        }
        else
        {
            foreach (var key in new[] { KubernetesProviderConfigKey, HelmProviderConfigKey, CsiReleaseKey, StorageClassKey })
            {
                if (Kept.Observed(req, key) is { } kept)
                {
                    resources[key] = kept;
                }
            }
        }

        var conditions = new List<Condition>();
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
            Requirements = requirements,
            Resources = resources,
            Status = (JsonObject)JsonSerializer.SerializeToNode(new NebiusClusterStatus
            {
                Secrets = secrets,
                Cache = new CacheStatus { StorageClassName = StorageClassName },
            }, NebiusClusterJsonContext.Default.NebiusClusterStatus)!,
            Conditions = conditions,
            Results = results,
        };
    }

    /// <summary>Why a pool cannot be composed as written (input the XRD rejects when it is applied), or null.</summary>
    internal static string? PoolProblem(NebiusNodePool pool)
    {
        var at = $"spec.nodePools[{pool.Name}]";
        if (pool.Role == PoolRole.GPU && pool.Gpu?.AcceleratorType is not { Length: > 0 })
        {
            return $"{at}.gpu is required when role is GPU; set gpu.acceleratorType";
        }
        if (pool.MinNodeCount is not null && pool.MaxNodeCount is null)
        {
            return $"{at}.minNodeCount needs maxNodeCount; set maxNodeCount to autoscale, or drop minNodeCount for a fixed group";
        }
        if (pool.MaxNodeCount is { } max && (pool.MinNodeCount ?? pool.NodeCount ?? NebiusNodePool.DefaultNodeCount) is var min && min > max)
        {
            return $"{at}: the lower bound {min} is above maxNodeCount {max}; lower minNodeCount (or nodeCount) or raise maxNodeCount";
        }
        if (pool.Fabric?.Type == NebiusFabricType.InfiniBand && pool.Fabric.Infiniband?.Fabric is not { Length: > 0 })
        {
            return $"{at}.fabric.infiniband.fabric is required when fabric.type is InfiniBand; name the fabric, e.g. fabric-2";
        }
        return null;
    }

    // The service account credentials Secret of the ProviderConfig, or the one the composed ProviderConfig already uses.
    private static WorkloadCluster.Identity? Credentials(FunctionRequest req, string kind, string configName, string ns, List<Result> results)
    {
        var at = $"required[{ProviderConfigRequirement}]";
        if (req.Required.Single(ProviderConfigRequirement) is { } config)
        {
            var source = config.StringAt("spec.credentials.source", at);
            if (source != "Secret")
            {
                results.Add(Result.Warning($"Nebius {kind} {configName} doesn't source credentials from a Secret; consumers can't authenticate to the cluster without one"));
                return null;
            }
            var secretNamespace = config.StringAt("spec.credentials.secretRef.namespace", at) ?? config.StringAt("metadata.namespace", at);
            var secretName = config.StringAt("spec.credentials.secretRef.name", at);
            var key = config.StringAt("spec.credentials.secretRef.key", at);
            if (secretNamespace is not { Length: > 0 })
            {
                results.Add(Result.Warning($"Nebius {kind} {configName} has no namespace; cannot locate credentials Secret"));
                return null;
            }
            if (secretName is not { Length: > 0 } || key is not { Length: > 0 })
            {
                results.Add(Result.Warning($"Nebius {kind} {configName} names no credentials Secret; set spec.credentials.secretRef.name and key"));
                return null;
            }
            return new WorkloadCluster.Identity(NebiusClusterStatus.NebiusServiceAccountCredentials, secretName, secretNamespace, key);
        }
        if (req.Observed.TryGetValue(KubernetesProviderConfigKey, out var composed)
            && composed.Resource.ObjectAt("spec.identity.secretRef", $"observed[{KubernetesProviderConfigKey}]") is { } kept
            && kept["name"]?.GetValue<string>() is { Length: > 0 } keptName && kept["key"]?.GetValue<string>() is { Length: > 0 } keptKey)
        {
            results.Add(Result.Normal($"Nebius {kind} {configName} not found; keeping the credentials the composed ProviderConfig already carries"));
            return new WorkloadCluster.Identity(NebiusClusterStatus.NebiusServiceAccountCredentials, keptName, kept["namespace"]?.GetValue<string>() ?? ns, keptKey);
        }
        results.Add(Result.Normal($"Waiting for Nebius {kind} {configName}"));
        return null;
    }

    private static JsonObject NodePool(NebiusNodePool pool, ClusterCredentials? credentials, string xr, string version, string cloudInit, string? fabric)
    {
        var labels = new JsonObject();
        var gpu = pool.Role == PoolRole.GPU && pool.Gpu is not null;
        if (gpu)
        {
            labels[GpuLabel] = pool.Gpu!.AcceleratorType;
        }
        labels[PoolLabel] = pool.Name;
        var template = Template(pool.Platform, pool.Preset, pool.DiskSizeGb ?? NebiusNodePool.DefaultDiskSizeGb, cloudInit, labels);
        if (gpu)
        {
            template["gpuSettings"] = new JsonObject { ["driversPreset"] = pool.Gpu!.DriversPreset ?? NebiusGpu.DefaultDriversPreset };
            template["taints"] = new JsonArray(new JsonObject { ["key"] = "nvidia.com/gpu", ["value"] = "true", ["effect"] = "NO_SCHEDULE" });
        }
        if (fabric is not null)
        {
            template["gpuCluster"] = new JsonObject { ["idSelector"] = ControllerSelector((FabricLabel, fabric)) };
        }
        var nodeCount = pool.NodeCount ?? NebiusNodePool.DefaultNodeCount;
        var autoscaling = pool.MaxNodeCount is { } max ? new JsonObject { ["minNodeCount"] = pool.MinNodeCount ?? nodeCount, ["maxNodeCount"] = max } : null;
        return NodeGroup(credentials, $"{xr}-{pool.Name}", version, cloudInit, autoscaling, autoscaling is null ? nodeCount : null, template);
    }

    private static JsonObject NodeGroup(ClusterCredentials? credentials, string name, string version, string cloudInit, JsonObject? autoscaling, int? fixedCount, JsonObject template)
    {
        _ = cloudInit;
        var forProvider = new JsonObject
        {
            ["name"] = name,
            ["parentIdSelector"] = ControllerSelector(),
            ["version"] = version,
        };
        if (autoscaling is not null)
        {
            forProvider["autoscaling"] = autoscaling;
        }
        if (fixedCount is { } count)
        {
            forProvider["fixedNodeCount"] = count;
        }
        forProvider["template"] = template;
        return Cloud(Mk8sApiVersion, "NodeGroup", credentials, forProvider);
    }

    private static JsonObject Template(string? platform, string? preset, int diskSizeGb, string cloudInit, JsonObject labels) => new()
    {
        ["resources"] = new JsonObject { ["platform"] = platform, ["preset"] = preset },
        ["bootDisk"] = new JsonObject { ["sizeGibibytes"] = diskSizeGb, ["type"] = "NETWORK_SSD" },
        ["networkInterfaces"] = new JsonArray(new JsonObject { ["subnetIdSelector"] = ControllerSelector() }),
        ["filesystems"] = new JsonArray(new JsonObject
        {
            ["attachMode"] = "READ_WRITE",
            ["mountTag"] = MountTag,
            ["existingFilesystem"] = new JsonObject { ["idSelector"] = ControllerSelector() },
        }),
        ["cloudInitUserDataSecretRef"] = new JsonObject { ["name"] = cloudInit, ["key"] = "userData" },
        ["metadata"] = new JsonObject { ["labels"] = labels },
    };
}
