// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Modelplane.Apis.CloudClusters;
using Modelplane.Apis.GkeClusters;
using Modelplane.Provisioning;
using Modelplane.Sdk;
using static Modelplane.Provisioning.ManagedResources;

namespace Modelplane.Functions.GkeClusters;

/// <summary>Composes a GKE cluster for inference from Upbound's GCP provider family.</summary>
/// <remarks>
/// <para>
/// A VPC with one subnetwork (secondary ranges for pods and services), a regional cluster on the
/// REGULAR channel without its default pool, with Workload Identity and the Filestore CSI driver, a
/// small autoscaled system pool, and one pool per spec entry: labelled
/// <c>modelplane.ai/pool=&lt;name&gt;</c> (GPU pools also <c>modelplane.ai/gpu</c> and GKE's DRA-driver
/// label, which lets the autoscaler start a DRA pool from zero), autoscaled between its bounds. GKE
/// taints GPU nodes itself (<c>nvidia.com/gpu</c>, NoSchedule), so we add no taint of our own.
/// </para>
/// <para>
/// Consumers reach the cluster through two Secrets: the cluster's kubeconfig (endpoint and CA) and a
/// service account key; the account is bound to <c>roles/container.admin</c> once GCP reports its
/// email. The provider-kubernetes and provider-helm ProviderConfigs use both, and once the VPC's name
/// is known a Filestore Enterprise StorageClass (<c>modelplane-rwx</c>) is created on the cluster
/// for model caches.
/// </para>
/// <para>
/// The project is the GCP ProviderConfig's <c>projectID</c>. If that config disappears we keep the
/// project the running cluster already uses; if we never knew it we wait. Neither case, nor a pool the
/// XRD should have rejected, ever drops a resource that runs: it is kept as observed.
/// </para>
/// </remarks>
public static class GkeClusterComposer
{
    public const string Name = "gke-cluster";

    public static Composer Composer { get; } = new(Name, Compose, "GKECluster.infrastructure.modelplane.ai");

    public const string NodePoolsValid = "NodePoolsValid";
    private const string ReasonInvalidNodePool = "InvalidNodePool";
    private const string ReasonValid = "Valid";

    // Desired-resource and requirement keys, upstream's literals: Crossplane matches observed to
    // desired by key, so renaming one would delete and recreate a network or a cluster.
    public const string ProviderConfigRequirement = "gcp-provider-config";
    public const string NetworkKey = "network";
    public const string FilestoreServiceKey = "projectservice-filestore";
    public const string SubnetKey = "subnet";
    public const string ClusterKey = "cluster";
    public const string SystemPoolKey = "nodepool-system";
    public const string ServiceAccountKey = "service-account";
    public const string ServiceAccountKeyKey = "service-account-key";
    public const string IamBindingKey = "iam-binding";
    public const string KubernetesProviderConfigKey = "provider-config-kubernetes";
    public const string HelmProviderConfigKey = "provider-config-helm";
    public const string StorageClassKey = "storage-class-rwx";

    public static string PoolKey(string pool) => $"nodepool-{pool}";

    public const string StorageClassName = "modelplane-rwx";
    public const string ServiceAccountKeySecretKey = "private_key";

    private const string GcpApiVersion = "gcp.m.upbound.io/v1beta1";
    private const string ComputeApiVersion = "compute.gcp.m.upbound.io/v1beta1";
    private const string ContainerApiVersion = "container.gcp.m.upbound.io/v1beta1";
    private const string CloudPlatformApiVersion = "cloudplatform.gcp.m.upbound.io/v1beta1";
    private const string WorkloadPoolSuffix = ".svc.id.goog";
    private const string PoolLabel = "modelplane.ai/pool";
    private const string GpuLabel = "modelplane.ai/gpu";
    private const string DraDriverLabel = "cloud.google.com/gke-nvidia-gpu-dra-driver";
    private const string ImageType = "COS_CONTAINERD";
    private const string CloudPlatformScope = "https://www.googleapis.com/auth/cloud-platform";

    public static Composition Compose(FunctionRequest req)
    {
        var xr = req.ReadComposite(GkeClusterJsonContext.Default.GkeCluster);
        var spec = xr.Spec ?? new GkeClusterSpec();
        var ns = req.Namespace ?? "";
        var credentials = spec.Credentials;
        var kind = (credentials?.Type ?? ClusterCredentials.DefaultType).ToString();
        var configName = credentials?.Name ?? ClusterCredentials.DefaultName;
        var requirements = new Dictionary<string, Requirement>(StringComparer.Ordinal)
        {
            [ProviderConfigRequirement] = Requirement.Named(GcpApiVersion, kind, configName,
                credentials?.Type == CredentialsKind.ProviderConfig ? ns : null),
        };

        var results = new List<Result>();
        var project = req.Required.Single(ProviderConfigRequirement)?.StringAt("spec.projectID", $"required[{ProviderConfigRequirement}]");
        if (project is not { Length: > 0 })
        {
            project = ObservedProject(req);
            if (project is null)
            {
                // Nothing can be composed without a project; whatever already runs is kept.
                return new Composition
                {
                    Requirements = requirements,
                    Resources = KeepAll(req),
                    Results = [Result.Normal($"Waiting for GCP {kind} {configName}")],
                };
            }
            results.Add(Result.Normal($"GCP {kind} {configName} not found; keeping the project the composed cluster already uses"));
        }

        var name = req.Name;
        var kubeconfig = ChildName.Of(name, "kubeconfig");
        var saKey = ChildName.Of(name, "sa-key");
        var region = spec.Region ?? "";
        var resources = new Dictionary<string, DesiredResource>(StringComparer.Ordinal)
        {
            [NetworkKey] = ReadyWhenObserved(req, NetworkKey, Cloud(ComputeApiVersion, "Network", credentials, new JsonObject { ["autoCreateSubnetworks"] = false })),
            [FilestoreServiceKey] = ReadyWhenObserved(req, FilestoreServiceKey, Cloud(CloudPlatformApiVersion, "ProjectService", credentials,
                new JsonObject { ["service"] = "file.googleapis.com", ["disableOnDestroy"] = false })),
            [SubnetKey] = ReadyWhenObserved(req, SubnetKey, Subnet(spec, credentials, region)),
            [ClusterKey] = ReadyWhenObserved(req, ClusterKey, Cluster(spec, credentials, region, project, kubeconfig)),
            [SystemPoolKey] = ReadyWhenObserved(req, SystemPoolKey, SystemPool(credentials, region)),
            [ServiceAccountKey] = ReadyWhenObserved(req, ServiceAccountKey, Cloud(CloudPlatformApiVersion, "ServiceAccount", credentials,
                new JsonObject { ["displayName"] = $"Crossplane GKECluster {name}" })),
            [ServiceAccountKeyKey] = ReadyWhenObserved(req, ServiceAccountKeyKey, Cloud(CloudPlatformApiVersion, "ServiceAccountKey", credentials,
                new JsonObject { ["serviceAccountIdSelector"] = ControllerSelector() },
                spec: new JsonObject { ["writeConnectionSecretToRef"] = new JsonObject { ["name"] = saKey } })),
        };

        var problems = new List<string>();
        foreach (var pool in spec.NodePools ?? [])
        {
            var key = PoolKey(pool.Name ?? "");
            if (PoolProblem(pool, region) is { } problem)
            {
                problems.Add(problem);
                if (Kept.Observed(req, key) is { } kept)
                {
                    resources[key] = kept;
                }
                continue;
            }
            resources[key] = ReadyWhenObserved(req, key, NodePool(pool, credentials, region));
        }

        // The binding needs the account's email, which GCP assigns; it follows on a later pass.
        if (req.Observed.TryGetValue(ServiceAccountKey, out var account)
            && account.Resource.StringAt("status.atProvider.email", $"observed[{ServiceAccountKey}]") is { Length: > 0 } email)
        {
            resources[IamBindingKey] = ReadyWhenObserved(req, IamBindingKey, Cloud(CloudPlatformApiVersion, "ProjectIAMMember", credentials,
                new JsonObject { ["project"] = project, ["role"] = "roles/container.admin", ["member"] = $"serviceAccount:{email}" }));
        }

        var identity = new WorkloadCluster.Identity(GkeClusterStatus.GoogleApplicationCredentials, saKey, ns, ServiceAccountKeySecretKey);
        resources[KubernetesProviderConfigKey] = DesiredResource.Of(WorkloadCluster.ProviderConfig(WorkloadCluster.KubernetesApiVersion, kubeconfig, ns, identity), ready: true);
        resources[HelmProviderConfigKey] = DesiredResource.Of(WorkloadCluster.ProviderConfig(WorkloadCluster.HelmApiVersion, kubeconfig, ns, identity), ready: true);

        // Filestore instances attach to a VPC by its name, which exists once the network does.
        if (ExternalName(req, NetworkKey) is { } network)
        {
            resources[StorageClassKey] = DesiredResource.Of(WorkloadCluster.StorageClass(ns, kubeconfig, StorageClassName, "filestore.csi.storage.gke.io",
                new JsonObject { ["tier"] = "enterprise", ["network"] = network }, "Immediate"), ready: true);
        }
        else if (Kept.Observed(req, StorageClassKey) is { } storageClass)
        {
            resources[StorageClassKey] = storageClass with { Ready = Readiness.Ready };
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
            Status = Status(kubeconfig, saKey),
            Conditions = conditions,
            Results = results,
        };
    }

    /// <summary>Why a pool cannot be composed as written (input the XRD rejects when it is applied), or null.</summary>
    internal static string? PoolProblem(GkeNodePool pool, string region)
    {
        var at = $"spec.nodePools[{pool.Name}]";
        if (pool.Role == PoolRole.GPU && pool.Gpu?.AcceleratorType is not { Length: > 0 })
        {
            return $"{at}.gpu is required when role is GPU; set gpu.acceleratorType";
        }
        if (pool.Role == PoolRole.GPU && pool.Zones is not { Count: > 0 })
        {
            return $"{at}.zones is required when role is GPU; list zones of {region} that offer the GPU";
        }
        if (pool.Zones?.FirstOrDefault(z => !z.StartsWith(region + "-", StringComparison.Ordinal)) is { } zone)
        {
            return $"{at}.zones: {zone} is not a zone of {region}; use {region}-<letter>";
        }
        if (pool.Gpu is { } gpu && pool.MachineType is { } machine && AcceleratorShapes.GceAcceleratorCount(machine) is { } fixedCount
            && (gpu.AcceleratorCount ?? GkeGpu.DefaultAcceleratorCount) != fixedCount)
        {
            return $"{at}.gpu.acceleratorCount: {machine} has {fixedCount} accelerator(s), not {gpu.AcceleratorCount ?? GkeGpu.DefaultAcceleratorCount}; set acceleratorCount to {fixedCount}";
        }
        return null;
    }

    // A cluster composed before the config vanished names its project in its workload pool.
    private static string? ObservedProject(FunctionRequest req) =>
        req.Observed.TryGetValue(ClusterKey, out var cluster)
        && cluster.Resource.StringAt("spec.forProvider.workloadIdentityConfig.workloadPool", $"observed[{ClusterKey}]") is { } pool
        && pool.EndsWith(WorkloadPoolSuffix, StringComparison.Ordinal) && pool.Length > WorkloadPoolSuffix.Length
            ? pool[..^WorkloadPoolSuffix.Length]
            : null;

    private static Dictionary<string, DesiredResource> KeepAll(FunctionRequest req)
    {
        var kept = new Dictionary<string, DesiredResource>(StringComparer.Ordinal);
        foreach (var key in req.Observed.Keys.Order(StringComparer.Ordinal))
        {
            kept[key] = Kept.Observed(req, key)!;
        }
        return kept;
    }

    private static JsonObject Subnet(GkeClusterSpec spec, ClusterCredentials? credentials, string region) =>
        Cloud(ComputeApiVersion, "Subnetwork", credentials, new JsonObject
        {
            ["region"] = region,
            ["networkSelector"] = ControllerSelector(),
            ["ipCidrRange"] = spec.Networking?.NodeCidr ?? GkeNetworking.DefaultNodeCidr,
            ["secondaryIpRange"] = new JsonArray(
                new JsonObject { ["rangeName"] = "pods", ["ipCidrRange"] = spec.Networking?.PodCidr ?? GkeNetworking.DefaultPodCidr },
                new JsonObject { ["rangeName"] = "services", ["ipCidrRange"] = spec.Networking?.ServiceCidr ?? GkeNetworking.DefaultServiceCidr }),
        });

    private static JsonObject Cluster(GkeClusterSpec spec, ClusterCredentials? credentials, string region, string project, string kubeconfig) =>
        Cloud(ContainerApiVersion, "Cluster", credentials, new JsonObject
        {
            ["location"] = region,
            ["deletionProtection"] = false,
            // The default pool cannot be labelled or sized as ours are; the system pool replaces it.
            ["removeDefaultNodePool"] = true,
            ["initialNodeCount"] = 1,
            ["minMasterVersion"] = spec.KubernetesVersion ?? GkeClusterSpec.DefaultKubernetesVersion,
            ["networkSelector"] = ControllerSelector(),
            ["subnetworkSelector"] = ControllerSelector(),
            ["ipAllocationPolicy"] = new JsonObject { ["clusterSecondaryRangeName"] = "pods", ["servicesSecondaryRangeName"] = "services" },
            ["releaseChannel"] = new JsonObject { ["channel"] = "REGULAR" },
            ["workloadIdentityConfig"] = new JsonObject { ["workloadPool"] = project + WorkloadPoolSuffix },
            ["addonsConfig"] = new JsonObject { ["gcpFilestoreCsiDriverConfig"] = new JsonObject { ["enabled"] = true } },
        }, spec: new JsonObject { ["writeConnectionSecretToRef"] = new JsonObject { ["name"] = kubeconfig } });

    private static JsonObject SystemPool(ClusterCredentials? credentials, string region) =>
        Cloud(ContainerApiVersion, "NodePool", credentials, new JsonObject
        {
            ["location"] = region,
            ["clusterSelector"] = ControllerSelector(),
            ["initialNodeCount"] = 1,
            ["autoscaling"] = new JsonObject { ["minNodeCount"] = 1, ["maxNodeCount"] = 2 },
            ["nodeConfig"] = new JsonObject
            {
                ["machineType"] = "e2-standard-4",
                ["imageType"] = ImageType,
                ["oauthScopes"] = new JsonArray(CloudPlatformScope),
                ["labels"] = new JsonObject { [PoolLabel] = "system" },
            },
        });

    private static JsonObject NodePool(GkeNodePool pool, ClusterCredentials? credentials, string region)
    {
        var labels = new JsonObject();
        var nodeConfig = new JsonObject
        {
            ["machineType"] = pool.MachineType,
            ["diskSizeGb"] = pool.DiskSizeGb ?? GkeNodePool.DefaultDiskSizeGb,
            ["imageType"] = ImageType,
            ["oauthScopes"] = new JsonArray(CloudPlatformScope),
            ["labels"] = labels,
        };
        if (pool.Role == PoolRole.GPU && pool.Gpu is { } gpu)
        {
            nodeConfig["guestAccelerator"] = new JsonArray(new JsonObject
            {
                ["type"] = gpu.AcceleratorType,
                ["count"] = gpu.AcceleratorCount ?? GkeGpu.DefaultAcceleratorCount,
                ["gpuDriverInstallationConfig"] = new JsonObject { ["gpuDriverVersion"] = "DEFAULT" },
            });
            labels[DraDriverLabel] = "true";
            labels[GpuLabel] = gpu.AcceleratorType;
        }
        labels[PoolLabel] = pool.Name;
        var forProvider = new JsonObject
        {
            ["location"] = region,
            ["clusterSelector"] = ControllerSelector(),
            ["initialNodeCount"] = pool.NodeCount ?? GkeNodePool.DefaultNodeCount,
            ["autoscaling"] = new JsonObject
            {
                ["minNodeCount"] = pool.MinNodeCount ?? GkeNodePool.DefaultMinNodeCount,
                ["maxNodeCount"] = pool.MaxNodeCount ?? GkeNodePool.DefaultMaxNodeCount,
            },
            ["nodeConfig"] = nodeConfig,
        };
        if (pool.Zones is { Count: > 0 } zones)
        {
            forProvider["nodeLocations"] = Strings(zones);
        }
        return Cloud(ContainerApiVersion, "NodePool", credentials, forProvider);
    }

    private static JsonObject Status(string kubeconfig, string saKey) =>
        Composition.StatusOf(new GkeClusterStatus
        {
            Secrets =
            [
                new ClusterSecret { Type = ClusterSecret.Kubeconfig, Name = kubeconfig, Key = WorkloadCluster.KubeconfigKey },
                new ClusterSecret { Type = GkeClusterStatus.GoogleApplicationCredentials, Name = saKey, Key = ServiceAccountKeySecretKey },
            ],
            Cache = new CacheStatus { StorageClassName = StorageClassName },
        }, GkeClusterJsonContext.Default.GkeClusterStatus);
}
