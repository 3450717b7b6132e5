// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Modelplane.Apis.CloudClusters;
using Modelplane.Apis.EksClusters;
using Modelplane.Provisioning;
using Modelplane.Sdk;
using static Modelplane.Provisioning.ManagedResources;

namespace Modelplane.Functions.EksClusters;

/// <summary>Composes an EKS cluster for inference from Upbound's AWS provider family.</summary>
/// <remarks>
/// <para>
/// The network is the standard EKS shape: per Availability Zone a public subnet (load balancers,
/// the NAT gateway) and a private twin where the nodes run without public addresses, with an
/// internet gateway, one NAT gateway and a route table per tier. The cluster authenticates with
/// both API access entries and the aws-auth ConfigMap, and a ClusterAuth writes the kubeconfig
/// Secret, whose bearer token the provider refreshes.
/// </para>
/// <para>
/// Each pool is a managed node group in the private subnets of its zones, labelled
/// <c>modelplane.ai/pool=&lt;name&gt;</c>; GPU groups run the NVIDIA AMI, carry
/// <c>modelplane.ai/gpu</c> and the <c>nvidia.com/gpu=true:NoSchedule</c> taint. EKS node groups
/// only hold their bounds, so we install the cluster autoscaler (with a Pod Identity role) to make
/// <c>maxNodeCount</c> reachable; the desired size is set only at creation (<c>initProvider</c>) and
/// LateInitialize is off, so the autoscaler's choice is never fought. A pool on a Capacity Block or
/// with EFA is launched from a launch template: the block's reservation, or one EFA interface per
/// network card in a security group that admits the gang's own traffic, plus the EFA DRA driver.
/// </para>
/// <para>
/// Model caches get an EFS file system (elastic throughput, encrypted) with a mount target in
/// every private subnet, the EFS CSI driver bound to its role through Pod Identity, and once the
/// file system's ID is known the <c>modelplane-rwx-efs</c> StorageClass. Releases and the
/// StorageClass go through the cluster's own ProviderConfigs and are never uninstalled by us.
/// </para>
/// <para>
/// Names AWS sees are upstream's, so a cluster upstream built is adopted as it runs: the cluster is
/// <c>child_name(namespace, name, "eks")</c> (EKS names are account-wide), subnets, launch templates
/// and the EFA group are named after the XR. A pool this XR cannot build as written (the XRD
/// should have refused it) is reported and kept exactly as it runs.
/// </para>
/// </remarks>
public static class EksClusterComposer
{
    public const string Name = "eks-cluster";

    public static Composer Composer { get; } = new(Name, Compose, "EKSCluster.infrastructure.modelplane.ai");

    public const string NodePoolsValid = "NodePoolsValid";
    private const string ReasonInvalidNodePool = "InvalidNodePool";
    private const string ReasonValid = "Valid";

    // Desired-resource keys, upstream's literals: Crossplane matches observed to desired by key, so
    // renaming one would delete and recreate a VPC or a cluster.
    public const string VpcKey = "vpc";
    public const string InternetGatewayKey = "internet-gateway";
    public const string NatEipKey = "nat-eip";
    public const string NatGatewayKey = "nat-gateway";
    public const string RouteTableKey = "route-table";
    public const string RouteDefaultKey = "route-default";
    public const string PrivateRouteTableKey = "private-route-table";
    public const string PrivateRouteDefaultKey = "private-route-default";
    public const string ClusterKey = "cluster";
    public const string ClusterAuthKey = "cluster-auth";
    public const string SystemPoolKey = "nodegroup-system";
    public const string EfaSecurityGroupKey = "efa-security-group";
    public const string EfsFileSystemKey = "efs-filesystem";
    public const string StorageClassKey = "storage-class-rwx-efs";
    public const string AutoscalerReleaseKey = "release-cluster-autoscaler";
    public const string EfaDriverReleaseKey = "release-efa-dra-driver";
    public const string KubernetesProviderConfigKey = "provider-config-kubernetes";
    public const string HelmProviderConfigKey = "provider-config-helm";

    public static string PoolKey(string pool) => $"nodegroup-{pool}";

    public static string LaunchTemplateKey(string pool) => $"launch-template-{pool}";

    public const string StorageClassName = "modelplane-rwx-efs";

    private const string Ec2 = "ec2.aws.m.upbound.io/v1beta1";
    private const string Iam = "iam.aws.m.upbound.io/v1beta1";
    private const string Eks = "eks.aws.m.upbound.io/v1beta1";
    private const string Efs = "efs.aws.m.upbound.io/v1beta1";

    // Labels that let selectors tell our resources of one kind apart.
    private const string ZoneLabel = "modelplane.ai/zone";
    private const string TierLabel = "modelplane.ai/subnet-tier";
    private const string RoleLabel = "modelplane.ai/iam-role";
    private const string SecurityGroupRoleLabel = "modelplane.ai/sg-role";
    private const string FabricLabel = "modelplane.ai/fabric";
    private const string Public = "public";
    private const string Private = "private";
    private const string PoolLabel = "modelplane.ai/pool";
    private const string GpuLabel = "modelplane.ai/gpu";

    private const string ClusterPolicy = "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy";
    private const string EfsCsiPolicy = "arn:aws:iam::aws:policy/service-role/AmazonEFSCSIDriverPolicy";
    private static readonly (string Key, string Arn)[] NodePolicies =
    [
        ("iam-attach-node-worker", "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy"),
        ("iam-attach-node-cni", "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy"),
        ("iam-attach-node-ecr", "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly"),
    ];

    private const string EksTrust = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"eks.amazonaws.com"},"Action":"sts:AssumeRole"}]}""";
    private const string Ec2Trust = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}""";
    private const string PodIdentityTrust = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"pods.eks.amazonaws.com"},"Action":["sts:AssumeRole","sts:TagSession"]}]}""";

    // What the cluster autoscaler needs to find node groups by their ASG tags and resize them.
    private const string AutoscalerPolicy = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["autoscaling:DescribeAutoScalingGroups","autoscaling:DescribeAutoScalingInstances","autoscaling:DescribeLaunchConfigurations","autoscaling:DescribeScalingActivities","ec2:DescribeImages","ec2:DescribeInstanceTypes","ec2:DescribeLaunchTemplateVersions","ec2:GetInstanceTypesFromInstanceRequirements","eks:DescribeNodegroup"],"Resource":["*"]},{"Effect":"Allow","Action":["autoscaling:SetDesiredCapacity","autoscaling:TerminateInstanceInAutoScalingGroup"],"Resource":["*"]}]}""";

    private static readonly string[] Addons = ["vpc-cni", "kube-proxy", "coredns"];

    // Node groups keep their desired size out of our hands after creation: the autoscaler owns it.
    private static readonly string[] NodeGroupPolicies = ["Observe", "Create", "Update", "Delete"];

    private const string AutoscalerChartVersion = "9.57.0";
    private const string EfaDriverChartVersion = "1.0.0";

    public static Composition Compose(FunctionRequest req)
    {
        var xr = req.ReadComposite(EksClusterJsonContext.Default.EksCluster);
        var spec = xr.Spec ?? new EksClusterSpec();
        var name = req.Name;
        var ns = req.Namespace ?? "";
        var region = spec.Region ?? "";
        var credentials = spec.Credentials;
        var cidrs = spec.Networking?.SubnetCidrs ?? EksNetworking.DefaultSubnetCidrs;
        var vpcCidr = spec.Networking?.VpcCidr ?? EksNetworking.DefaultVpcCidr;
        var kubeconfig = ChildName.Of(name, "kubeconfig");
        var clusterName = ClusterName(ns, name);
        var resources = new Dictionary<string, DesiredResource>(StringComparer.Ordinal);
        var problems = new List<string>();

        void Add(string key, JsonObject resource) => resources[key] = ReadyWhenObserved(req, key, resource);
        JsonObject Mr(string apiVersion, string kind, JsonObject forProvider, JsonObject? metadata = null, JsonObject? body = null)
        {
            if (apiVersion != Iam)
            {
                forProvider.Insert(0, "region", region);
            }
            return Cloud(apiVersion, kind, credentials, forProvider, metadata, body);
        }

        // The network: a public and a private subnet per zone, NAT egress for the private tier.
        Add(VpcKey, Mr(Ec2, "VPC", new JsonObject { ["cidrBlock"] = vpcCidr, ["enableDnsHostnames"] = true, ["enableDnsSupport"] = true }));
        var zones = new List<string>();
        for (var i = 0; i < cidrs.Count; i++)
        {
            var az = Zone(region, i);
            if (PrivateCidr(cidrs[i]) is not { } privateCidr)
            {
                problems.Add($"spec.networking.subnetCidrs[{i}]: {cidrs[i]} is not an IPv4 range whose third octet can grow by 48; use a range such as 10.0.16.0/20");
                KeepObserved(req, resources, $"subnet-{i}", $"private-subnet-{i}", $"route-table-association-{i}", $"private-route-table-association-{i}", $"efs-mount-target-{i}");
                continue;
            }
            zones.Add(az);
            Add($"subnet-{i}", Mr(Ec2, "Subnet", new JsonObject
            {
                ["availabilityZone"] = az,
                ["cidrBlock"] = cidrs[i],
                ["mapPublicIpOnLaunch"] = true,
                // Load balancers of public Services land here.
                ["tags"] = new JsonObject { ["kubernetes.io/role/elb"] = "1" },
                ["vpcIdSelector"] = ControllerSelector(),
            }, Named(SubnetName(name, az), (ZoneLabel, az), (TierLabel, Public))));
            Add($"private-subnet-{i}", Mr(Ec2, "Subnet", new JsonObject
            {
                ["availabilityZone"] = az,
                ["cidrBlock"] = privateCidr,
                ["mapPublicIpOnLaunch"] = false,
                ["vpcIdSelector"] = ControllerSelector(),
            }, Named(PrivateSubnetName(name, az), (ZoneLabel, az), (TierLabel, Private))));
            Add($"route-table-association-{i}", Mr(Ec2, "RouteTableAssociation", new JsonObject
            {
                ["routeTableIdSelector"] = ControllerSelector((TierLabel, Public)),
                ["subnetIdSelector"] = ControllerSelector((ZoneLabel, az), (TierLabel, Public)),
            }));
            Add($"private-route-table-association-{i}", Mr(Ec2, "RouteTableAssociation", new JsonObject
            {
                ["routeTableIdSelector"] = ControllerSelector((TierLabel, Private)),
                ["subnetIdSelector"] = ControllerSelector((ZoneLabel, az), (TierLabel, Private)),
            }));
            Add($"efs-mount-target-{i}", Mr(Efs, "MountTarget", new JsonObject
            {
                ["fileSystemIdSelector"] = ControllerSelector(),
                ["subnetIdRef"] = new JsonObject { ["name"] = PrivateSubnetName(name, az) },
                ["securityGroupsSelector"] = ControllerSelector((SecurityGroupRoleLabel, "efs")),
            }));
        }
        Add(InternetGatewayKey, Mr(Ec2, "InternetGateway", new JsonObject { ["vpcIdSelector"] = ControllerSelector() }));
        Add(NatEipKey, Mr(Ec2, "EIP", new JsonObject { ["domain"] = "vpc" }));
        Add(NatGatewayKey, Mr(Ec2, "NATGateway", new JsonObject
        {
            ["allocationIdSelector"] = ControllerSelector(),
            ["subnetIdSelector"] = ControllerSelector((ZoneLabel, Zone(region, 0)), (TierLabel, Public)),
        }));
        Add(RouteTableKey, Mr(Ec2, "RouteTable", new JsonObject { ["vpcIdSelector"] = ControllerSelector() }, Labelled((TierLabel, Public))));
        Add(RouteDefaultKey, Mr(Ec2, "Route", new JsonObject
        {
            ["destinationCidrBlock"] = "0.0.0.0/0",
            ["gatewayIdSelector"] = ControllerSelector(),
            ["routeTableIdSelector"] = ControllerSelector((TierLabel, Public)),
        }));
        Add(PrivateRouteTableKey, Mr(Ec2, "RouteTable", new JsonObject { ["vpcIdSelector"] = ControllerSelector() }, Labelled((TierLabel, Private))));
        Add(PrivateRouteDefaultKey, Mr(Ec2, "Route", new JsonObject
        {
            ["destinationCidrBlock"] = "0.0.0.0/0",
            ["natGatewayIdSelector"] = ControllerSelector(),
            ["routeTableIdSelector"] = ControllerSelector((TierLabel, Private)),
        }));

        // IAM: the cluster's and the nodes' roles.
        Add("iam-role-cluster", Mr(Iam, "Role", new JsonObject { ["assumeRolePolicy"] = EksTrust }, Labelled((RoleLabel, "cluster"))));
        Add("iam-attach-cluster-policy", Attachment(Mr, "cluster", ClusterPolicy));
        Add("iam-role-node", Mr(Iam, "Role", new JsonObject { ["assumeRolePolicy"] = Ec2Trust }, Labelled((RoleLabel, "node"))));
        foreach (var (key, arn) in NodePolicies)
        {
            Add(key, Attachment(Mr, "node", arn));
        }

        // The cluster, its kubeconfig, its add-ons and the system node group.
        Add(ClusterKey, Mr(Eks, "Cluster", new JsonObject
        {
            ["version"] = spec.KubernetesVersion ?? EksClusterSpec.DefaultKubernetesVersion,
            ["roleArnSelector"] = ControllerSelector((RoleLabel, "cluster")),
            ["accessConfig"] = new JsonObject { ["authenticationMode"] = "API_AND_CONFIG_MAP", ["bootstrapClusterCreatorAdminPermissions"] = true },
            ["vpcConfig"] = new JsonObject { ["endpointPrivateAccess"] = true, ["endpointPublicAccess"] = true, ["subnetIdSelector"] = ControllerSelector() },
        }, new JsonObject { ["name"] = clusterName }));
        Add(ClusterAuthKey, Mr(Eks, "ClusterAuth", new JsonObject { ["clusterNameSelector"] = ControllerSelector() },
            body: new JsonObject { ["writeConnectionSecretToRef"] = new JsonObject { ["name"] = kubeconfig } }));
        foreach (var addon in Addons)
        {
            Add($"addon-{addon}", Mr(Eks, "Addon", new JsonObject { ["addonName"] = addon, ["clusterNameSelector"] = ControllerSelector() }));
        }
        Add(SystemPoolKey, NodeGroup(Mr, 1, new JsonObject
        {
            ["amiType"] = "AL2023_x86_64_STANDARD",
            ["instanceTypes"] = new JsonArray("m6i.xlarge"),
            ["clusterNameSelector"] = ControllerSelector(),
            ["nodeRoleArnSelector"] = ControllerSelector((RoleLabel, "node")),
            ["subnetIdSelector"] = ControllerSelector((TierLabel, Private)),
            ["scalingConfig"] = new JsonObject { ["minSize"] = 1, ["maxSize"] = 2 },
            ["labels"] = new JsonObject { [PoolLabel] = "system" },
        }));

        // The pools; a pool we cannot build as written keeps what runs.
        var efaSecurityGroup = ExternalName(req, EfaSecurityGroupKey);
        var clusterSecurityGroup = req.Observed.TryGetValue(ClusterKey, out var observedCluster)
            ? observedCluster.Resource.StringAt("status.atProvider.vpcConfig.clusterSecurityGroupId", $"observed[{ClusterKey}]")
            : null;
        var efa = false;
        foreach (var pool in spec.NodePools ?? [])
        {
            var poolName = pool.Name ?? "";
            if (PoolProblem(pool, region, zones) is { } problem)
            {
                problems.Add(problem);
                KeepObserved(req, resources, PoolKey(poolName), LaunchTemplateKey(poolName));
                efa |= req.Observed.ContainsKey(LaunchTemplateKey(poolName)) && pool.Fabric == EksFabric.EFA;
                continue;
            }
            var launched = pool.CapacityBlock is not null || pool.Fabric == EksFabric.EFA;
            efa |= pool.Fabric == EksFabric.EFA;
            if (launched)
            {
                Add(LaunchTemplateKey(poolName), Mr(Ec2, "LaunchTemplate", LaunchTemplate(name, pool, efaSecurityGroup, clusterSecurityGroup),
                    new JsonObject { ["name"] = LaunchTemplateName(name, poolName) }));
            }
            Add(PoolKey(poolName), NodeGroup(Mr, pool.NodeCount ?? EksNodePool.DefaultNodeCount, PoolForProvider(name, pool, launched)));
        }

        if (efa)
        {
            Add(EfaSecurityGroupKey, Mr(Ec2, "SecurityGroup", new JsonObject
            {
                ["name"] = $"{name}-efa",
                ["description"] = "EFA OS-bypass traffic between gang nodes",
                ["vpcIdSelector"] = ControllerSelector(),
            }, Named(ChildName.Of(name, "efa-sg"), (FabricLabel, "EFA"))));
            foreach (var direction in new[] { "ingress", "egress" })
            {
                Add($"efa-security-group-{direction}", Mr(Ec2, direction == "ingress" ? "SecurityGroupIngressRule" : "SecurityGroupEgressRule", new JsonObject
                {
                    ["ipProtocol"] = "-1",
                    ["securityGroupIdSelector"] = ControllerSelector((FabricLabel, "EFA")),
                    ["referencedSecurityGroupIdSelector"] = ControllerSelector((FabricLabel, "EFA")),
                }));
            }
        }

        // Model caches: EFS with a mount target per private subnet and the CSI driver.
        Add(EfsFileSystemKey, Mr(Efs, "FileSystem", new JsonObject { ["throughputMode"] = "elastic", ["encrypted"] = true }));
        Add("efs-security-group", Mr(Ec2, "SecurityGroup", new JsonObject
        {
            ["name"] = $"{name}-efs",
            ["description"] = "NFS access to the ModelCache EFS mount targets",
            ["vpcIdSelector"] = ControllerSelector(),
        }, Labelled((SecurityGroupRoleLabel, "efs"))));
        Add("efs-security-group-ingress", Mr(Ec2, "SecurityGroupIngressRule", new JsonObject
        {
            ["ipProtocol"] = "tcp",
            ["fromPort"] = 2049,
            ["toPort"] = 2049,
            ["cidrIpv4"] = vpcCidr,
            ["securityGroupIdSelector"] = ControllerSelector((SecurityGroupRoleLabel, "efs")),
        }));
        Add("iam-role-efs-csi", Mr(Iam, "Role", new JsonObject { ["assumeRolePolicy"] = PodIdentityTrust }, Labelled((RoleLabel, "efs-csi"))));
        Add("iam-attach-efs-csi", Attachment(Mr, "efs-csi", EfsCsiPolicy));
        Add("addon-eks-pod-identity-agent", Mr(Eks, "Addon", new JsonObject { ["addonName"] = "eks-pod-identity-agent", ["clusterNameSelector"] = ControllerSelector() }));
        Add("pod-identity-efs-csi", PodIdentity(Mr, "efs-csi", "efs-csi-controller-sa"));
        Add("addon-aws-efs-csi-driver", Mr(Eks, "Addon", new JsonObject { ["addonName"] = "aws-efs-csi-driver", ["clusterNameSelector"] = ControllerSelector() }));
        if (ExternalName(req, EfsFileSystemKey) is { } fileSystem)
        {
            resources[StorageClassKey] = DesiredResource.Of(WorkloadCluster.StorageClass(ns, kubeconfig, StorageClassName, "efs.csi.aws.com",
                new JsonObject { ["provisioningMode"] = "efs-ap", ["fileSystemId"] = fileSystem, ["directoryPerms"] = "700" }, "Immediate", allowExpansion: null), ready: true);
        }
        else if (Kept.Observed(req, StorageClassKey) is { } storageClass)
        {
            resources[StorageClassKey] = storageClass with { Ready = Readiness.Ready };
        }

        // The cluster autoscaler, so maxNodeCount is reachable; it finds node groups by their ASG tags.
        Add("iam-policy-cluster-autoscaler", Mr(Iam, "Policy", new JsonObject { ["policy"] = AutoscalerPolicy }, Labelled((RoleLabel, "cluster-autoscaler"))));
        Add("iam-role-cluster-autoscaler", Mr(Iam, "Role", new JsonObject { ["assumeRolePolicy"] = PodIdentityTrust }, Labelled((RoleLabel, "cluster-autoscaler"))));
        Add("iam-attach-cluster-autoscaler", Mr(Iam, "RolePolicyAttachment", new JsonObject
        {
            ["policyArnSelector"] = ControllerSelector((RoleLabel, "cluster-autoscaler")),
            ["roleSelector"] = ControllerSelector((RoleLabel, "cluster-autoscaler")),
        }));
        Add("pod-identity-cluster-autoscaler", PodIdentity(Mr, "cluster-autoscaler", "cluster-autoscaler"));

        // Releases reach the cluster through its ProviderConfig, which works once the cluster exists.
        var reachable = req.Observed.ContainsKey(ClusterKey);
        if (reachable || req.Observed.ContainsKey(AutoscalerReleaseKey))
        {
            Add(AutoscalerReleaseKey, WorkloadCluster.Release(ns, kubeconfig, "cluster-autoscaler", "https://kubernetes.github.io/autoscaler", AutoscalerChartVersion, "kube-system", new JsonObject
            {
                ["cloudProvider"] = "aws",
                ["awsRegion"] = region,
                ["autoDiscovery"] = new JsonObject { ["clusterName"] = clusterName },
                ["rbac"] = new JsonObject { ["serviceAccount"] = new JsonObject { ["name"] = "cluster-autoscaler" } },
                // One ASG per zone: balance them so a gang does not pile into one zone.
                ["extraArgs"] = new JsonObject { ["balance-similar-node-groups"] = true },
            }));
        }
        if (efa && (reachable || req.Observed.ContainsKey(EfaDriverReleaseKey)))
        {
            Add(EfaDriverReleaseKey, WorkloadCluster.Release(ns, kubeconfig, "aws-dranet", "https://aws.github.io/eks-charts", EfaDriverChartVersion, "kube-system", new JsonObject
            {
                ["tolerations"] = new JsonArray(new JsonObject { ["key"] = "nvidia.com/gpu", ["operator"] = "Exists", ["effect"] = "NoSchedule" }),
            }));
        }
        else if (Kept.Observed(req, EfaDriverReleaseKey) is { } driver)
        {
            resources[EfaDriverReleaseKey] = driver;
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

    /// <summary>The EKS cluster's name in AWS: namespace and name folded in, since EKS names are account-wide.</summary>
    public static string ClusterName(string ns, string name) => ChildName.Of(ns, name, "eks");

    public static string SubnetName(string xr, string zone) => ChildName.Of(xr, $"subnet-{zone}");

    public static string PrivateSubnetName(string xr, string zone) => ChildName.Of(xr, $"private-subnet-{zone}");

    public static string LaunchTemplateName(string xr, string pool) => ChildName.Of(xr, $"lt-{pool}");

    /// <summary>The zone of subnet <paramref name="index"/>: AWS names zones &lt;region&gt;a, b, c, ...</summary>
    public static string Zone(string region, int index) => $"{region}{(char)('a' + index)}";

    /// <summary>The private twin of a public subnet range: 48 higher in the third octet (10.0.16.0/20 → 10.0.64.0/20); null when that is no IPv4 range.</summary>
    public static string? PrivateCidr(string cidr)
    {
        var slash = cidr.Split('/');
        var octets = slash[0].Split('.');
        if (slash.Length != 2 || octets.Length != 4
            || !int.TryParse(octets[2], NumberStyles.None, CultureInfo.InvariantCulture, out var third) || third + 48 > 255)
        {
            return null;
        }
        octets[2] = (third + 48).ToString(CultureInfo.InvariantCulture);
        return $"{string.Join('.', octets)}/{slash[1]}";
    }

    /// <summary>Network cards an EFA instance type has: one EFA interface per card.</summary>
    public static int NetworkCards(string? instanceType) => instanceType switch
    {
        "p5.48xlarge" or "p5e.48xlarge" => 32,
        "p5en.48xlarge" => 16,
        "p4d.24xlarge" or "p4de.24xlarge" => 4,
        _ => 1,
    };

    /// <summary>Why a pool cannot be composed as written (input the XRD rejects when it is applied), or null.</summary>
    internal static string? PoolProblem(EksNodePool pool, string region, IReadOnlyList<string> zones)
    {
        var at = $"spec.nodePools[{pool.Name}]";
        if (pool.Role == PoolRole.GPU && pool.Gpu?.AcceleratorType is not { Length: > 0 })
        {
            return $"{at}.gpu is required when role is GPU; set gpu.acceleratorType";
        }
        if (pool.Role == PoolRole.GPU && pool.Zones is not { Count: > 0 })
        {
            return $"{at}.zones is required when role is GPU; list Availability Zones of {region} that offer {pool.InstanceType}";
        }
        if (pool.Zones?.FirstOrDefault(z => !zones.Contains(z, StringComparer.Ordinal)) is { } zone)
        {
            return $"{at}.zones: {zone} has no subnet in this VPC; use one of {string.Join(", ", zones)}";
        }
        var min = pool.MinNodeCount ?? EksNodePool.DefaultMinNodeCount;
        var max = pool.MaxNodeCount ?? EksNodePool.DefaultMaxNodeCount;
        if (min > max)
        {
            return $"{at}: minNodeCount {min} is above maxNodeCount {max}; lower minNodeCount or raise maxNodeCount";
        }
        return null;
    }

    private static JsonObject NodeGroup(Func<string, string, JsonObject, JsonObject?, JsonObject?, JsonObject> mr, int desired, JsonObject forProvider) =>
        mr(Eks, "NodeGroup", forProvider, null, new JsonObject
        {
            ["managementPolicies"] = Strings(NodeGroupPolicies),
            ["initProvider"] = new JsonObject { ["scalingConfig"] = new JsonObject { ["desiredSize"] = desired } },
        });

    private static JsonObject PoolForProvider(string xr, EksNodePool pool, bool launched)
    {
        var gpu = pool.Role == PoolRole.GPU && pool.Gpu is not null;
        var forProvider = new JsonObject
        {
            ["amiType"] = pool.Role == PoolRole.GPU ? "AL2023_x86_64_NVIDIA" : "AL2023_x86_64_STANDARD",
        };
        if (launched)
        {
            // The launch template holds the instance type and disk; EKS refuses them twice.
            forProvider["launchTemplate"] = new JsonObject { ["name"] = LaunchTemplateName(xr, pool.Name ?? ""), ["version"] = "$Latest" };
            if (pool.CapacityBlock is not null)
            {
                forProvider["capacityType"] = "CAPACITY_BLOCK";
            }
        }
        else
        {
            forProvider["instanceTypes"] = new JsonArray(pool.InstanceType);
            forProvider["diskSize"] = pool.DiskSizeGb ?? EksNodePool.DefaultDiskSizeGb;
        }
        forProvider["clusterNameSelector"] = ControllerSelector();
        forProvider["nodeRoleArnSelector"] = ControllerSelector((RoleLabel, "node"));
        if (pool.Zones is { Count: > 0 } zones)
        {
            forProvider["subnetIdRefs"] = new JsonArray([.. zones.Select(z => (JsonNode)new JsonObject { ["name"] = PrivateSubnetName(xr, z) })]);
        }
        else
        {
            forProvider["subnetIdSelector"] = ControllerSelector((TierLabel, Private));
        }
        forProvider["scalingConfig"] = new JsonObject
        {
            ["minSize"] = pool.MinNodeCount ?? EksNodePool.DefaultMinNodeCount,
            ["maxSize"] = pool.MaxNodeCount ?? EksNodePool.DefaultMaxNodeCount,
        };
        var labels = new JsonObject();
        if (gpu)
        {
            labels[GpuLabel] = pool.Gpu!.AcceleratorType;
        }
        labels[PoolLabel] = pool.Name;
        forProvider["labels"] = labels;
        if (gpu)
        {
            forProvider["taint"] = new JsonArray(new JsonObject { ["key"] = "nvidia.com/gpu", ["value"] = "true", ["effect"] = "NO_SCHEDULE" });
        }
        return forProvider;
    }

    private static JsonObject LaunchTemplate(string xr, EksNodePool pool, string? efaSecurityGroup, string? clusterSecurityGroup)
    {
        var forProvider = new JsonObject
        {
            ["name"] = LaunchTemplateName(xr, pool.Name ?? ""),
            ["instanceType"] = pool.InstanceType,
            ["blockDeviceMappings"] = new JsonArray(new JsonObject
            {
                ["deviceName"] = "/dev/xvda",
                ["ebs"] = new JsonObject { ["volumeSize"] = pool.DiskSizeGb ?? EksNodePool.DefaultDiskSizeGb },
            }),
        };
        if (pool.CapacityBlock?.CapacityReservationId is { } reservation)
        {
            forProvider["instanceMarketOptions"] = new JsonObject { ["marketType"] = "capacity-block" };
            forProvider["capacityReservationSpecification"] = new JsonObject
            {
                ["capacityReservationPreference"] = "capacity-reservations-only",
                ["capacityReservationTarget"] = new JsonObject { ["capacityReservationId"] = reservation },
            };
        }
        if (pool.Fabric == EksFabric.EFA)
        {
            // Interfaces a launch template defines get no security group from EKS: name both, as IDs once known.
            string[] groups = [.. new[] { efaSecurityGroup, clusterSecurityGroup }.OfType<string>()];
            var interfaces = new JsonArray();
            for (var card = 0; card < NetworkCards(pool.InstanceType); card++)
            {
                var nic = new JsonObject
                {
                    ["networkCardIndex"] = card,
                    ["deviceIndex"] = card == 0 ? 0 : 1,
                    ["interfaceType"] = card == 0 ? "efa" : "efa-only",
                };
                if (groups.Length > 0)
                {
                    nic["securityGroups"] = Strings(groups);
                }
                interfaces.Add((JsonNode)nic);
            }
            forProvider["networkInterfaces"] = interfaces;
        }
        return forProvider;
    }

    private static JsonObject Attachment(Func<string, string, JsonObject, JsonObject?, JsonObject?, JsonObject> mr, string role, string arn) =>
        mr(Iam, "RolePolicyAttachment", new JsonObject { ["policyArn"] = arn, ["roleSelector"] = ControllerSelector((RoleLabel, role)) }, null, null);

    private static JsonObject PodIdentity(Func<string, string, JsonObject, JsonObject?, JsonObject?, JsonObject> mr, string role, string serviceAccount) =>
        mr(Eks, "PodIdentityAssociation", new JsonObject
        {
            ["clusterNameSelector"] = ControllerSelector(),
            ["namespace"] = "kube-system",
            ["serviceAccount"] = serviceAccount,
            ["roleArnSelector"] = ControllerSelector((RoleLabel, role)),
        }, null, null);

    private static JsonObject Labelled(params (string Key, string Value)[] labels) => new() { ["labels"] = LabelObject(labels) };

    private static JsonObject Named(string name, params (string Key, string Value)[] labels) => new() { ["name"] = name, ["labels"] = LabelObject(labels) };

    private static JsonObject LabelObject((string Key, string Value)[] labels)
    {
        var o = new JsonObject();
        foreach (var (key, value) in labels)
        {
            o[key] = value;
        }
        return o;
    }

    private static void KeepObserved(FunctionRequest req, Dictionary<string, DesiredResource> resources, params string[] keys)
    {
        foreach (var key in keys)
        {
            if (Kept.Observed(req, key) is { } kept)
            {
                resources[key] = kept;
            }
        }
    }

    private static JsonObject Status(string kubeconfig) =>
        (JsonObject)JsonSerializer.SerializeToNode(new EksClusterStatus
        {
            Secrets = [new ClusterSecret { Type = ClusterSecret.Kubeconfig, Name = kubeconfig, Key = WorkloadCluster.KubeconfigKey }],
            Cache = new CacheStatus { StorageClassName = StorageClassName },
        }, EksClusterJsonContext.Default.EksClusterStatus)!;
}
