// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Apiextensions.Fn.Proto.V1;
using Modelplane.Functions.EksClusters;
using Modelplane.Sdk;
using Modelplane.Testing;

namespace Modelplane.Provisioning.Tests.EksClusters;

/// <summary>The EKSCluster composer end to end: whole responses against goldens.</summary>
public sealed class EksClusterComposerTests
{
    private const string Ns = "modelplane-system";

    public const string Xr = """
        apiVersion: infrastructure.modelplane.ai/v1alpha1
        kind: EKSCluster
        metadata:
          name: test-cluster
          namespace: modelplane-system
        spec:
          region: us-west-2
          kubernetesVersion: "1.36"
          nodePools:
          - name: gpu-l4
            role: GPU
            instanceType: g6.xlarge
            diskSizeGb: 100
            nodeCount: 1
            minNodeCount: 0
            maxNodeCount: 4
            gpu: {acceleratorType: nvidia-l4}
            zones: [us-west-2a, us-west-2b]
            fabric: None
        """;

    public static RunFunctionRequest Request(JsonObject? xr = null, Dictionary<string, JsonObject>? observed = null) =>
        FunctionHost.Request(EksClusterComposer.Name, xr ?? FunctionHost.Yaml(Xr), new Dictionary<string, IReadOnlyList<JsonObject>>(), observed);

    private static JsonObject With(Action<JsonObject> edit)
    {
        var xr = FunctionHost.Yaml(Xr);
        edit(xr["spec"]!.AsObject());
        return xr;
    }

    private static JsonObject Pool(string yaml) => FunctionHost.Yaml(yaml);

    private static JsonObject Mr(string group, string kind, string name, bool ready = true, JsonObject? status = null, JsonObject? spec = null) =>
        Fixtures.Observed($"{group}/v1beta1", kind, name, Ns, ready: ready, status: status, externalName: name, spec: spec);

    private static JsonObject ObservedCluster(string? securityGroup = null) => Mr("eks.aws.m.upbound.io", "Cluster", "modelplane-system-test-cluster-eks-0865f",
        status: securityGroup is null ? null : new JsonObject { ["atProvider"] = new JsonObject { ["vpcConfig"] = new JsonObject { ["clusterSecurityGroupId"] = securityGroup } } });

    /// <summary>The GPU node group as it runs: what the first pass composed, with what Crossplane adds.</summary>
    private static JsonObject RunningGpuPool()
    {
        var spec = Fixtures.Desired(FunctionHost.Run(Request(), EksClusterComposer.Composer))["nodegroup-gpu-l4"]["spec"]!.DeepClone().AsObject();
        spec["crossplane"] = new JsonObject { ["compositeRef"] = "x" };
        return Mr("eks.aws.m.upbound.io", "NodeGroup", "test-cluster-f9g1h", spec: spec);
    }

    /// <summary>Everything upstream's compose-eks-cluster composed for test-cluster (three zones, one plain GPU pool), as Crossplane observes it after a day of running.</summary>
    public static Dictionary<string, JsonObject> UpstreamObserved()
    {
        const string ec2 = "ec2.aws.m.upbound.io", iam = "iam.aws.m.upbound.io", eks = "eks.aws.m.upbound.io", efs = "efs.aws.m.upbound.io";
        var observed = new Dictionary<string, JsonObject>(StringComparer.Ordinal)
        {
            ["vpc"] = Mr(ec2, "VPC", "test-cluster-4kd9s"),
            ["internet-gateway"] = Mr(ec2, "InternetGateway", "test-cluster-q8w2e"),
            ["nat-eip"] = Mr(ec2, "EIP", "test-cluster-n3b7v"),
            ["nat-gateway"] = Mr(ec2, "NATGateway", "test-cluster-z6c1x"),
            ["route-table"] = Mr(ec2, "RouteTable", "test-cluster-r5t4y"),
            ["route-default"] = Mr(ec2, "Route", "test-cluster-u2i8o"),
            ["private-route-table"] = Mr(ec2, "RouteTable", "test-cluster-p1a9s"),
            ["private-route-default"] = Mr(ec2, "Route", "test-cluster-d4f6g"),
            ["iam-role-cluster"] = Mr(iam, "Role", "test-cluster-h7j3k"),
            ["iam-attach-cluster-policy"] = Mr(iam, "RolePolicyAttachment", "test-cluster-l9m2n"),
            ["iam-role-node"] = Mr(iam, "Role", "test-cluster-b5v8c"),
            ["iam-attach-node-worker"] = Mr(iam, "RolePolicyAttachment", "test-cluster-x1z4q"),
            ["iam-attach-node-cni"] = Mr(iam, "RolePolicyAttachment", "test-cluster-w6e3r"),
            ["iam-attach-node-ecr"] = Mr(iam, "RolePolicyAttachment", "test-cluster-t8y5u"),
            ["cluster"] = ObservedCluster("sg-0cluster"),
            ["cluster-auth"] = Mr(eks, "ClusterAuth", "test-cluster-i2o7p"),
            ["nodegroup-system"] = Mr(eks, "NodeGroup", "test-cluster-a3s6d"),
            ["nodegroup-gpu-l4"] = Mr(eks, "NodeGroup", "test-cluster-f9g1h"),
            ["addon-vpc-cni"] = Mr(eks, "Addon", "test-cluster-j4k8l"),
            ["addon-kube-proxy"] = Mr(eks, "Addon", "test-cluster-z2x5c"),
            ["addon-coredns"] = Mr(eks, "Addon", "test-cluster-v7b3n"),
            ["efs-filesystem"] = Mr(efs, "FileSystem", "fs-0abc123"),
            ["efs-security-group"] = Mr(ec2, "SecurityGroup", "test-cluster-m6q9w"),
            ["efs-security-group-ingress"] = Mr(ec2, "SecurityGroupIngressRule", "test-cluster-e1r4t"),
            ["iam-role-efs-csi"] = Mr(iam, "Role", "test-cluster-y8u2i"),
            ["iam-attach-efs-csi"] = Mr(iam, "RolePolicyAttachment", "test-cluster-o5p7a"),
            ["addon-eks-pod-identity-agent"] = Mr(eks, "Addon", "test-cluster-s3d6f"),
            ["pod-identity-efs-csi"] = Mr(eks, "PodIdentityAssociation", "test-cluster-g9h2j"),
            ["addon-aws-efs-csi-driver"] = Mr(eks, "Addon", "test-cluster-k4l8z"),
            ["iam-policy-cluster-autoscaler"] = Mr(iam, "Policy", "test-cluster-x7c1v"),
            ["iam-role-cluster-autoscaler"] = Mr(iam, "Role", "test-cluster-b2n5m"),
            ["iam-attach-cluster-autoscaler"] = Mr(iam, "RolePolicyAttachment", "test-cluster-q6w9e"),
            ["pod-identity-cluster-autoscaler"] = Mr(eks, "PodIdentityAssociation", "test-cluster-r3t7y"),
            ["release-cluster-autoscaler"] = Fixtures.Observed("helm.m.crossplane.io/v1beta1", "Release", "test-cluster-u1i4o", Ns, ready: true),
            ["storage-class-rwx-efs"] = Fixtures.Observed("kubernetes.m.crossplane.io/v1alpha1", "Object", "test-cluster-p8a2s", Ns, ready: true),
            ["provider-config-kubernetes"] = Fixtures.Observed("kubernetes.m.crossplane.io/v1alpha1", "ProviderConfig", "test-cluster-kubeconfig-55b57", Ns),
            ["provider-config-helm"] = Fixtures.Observed("helm.m.crossplane.io/v1beta1", "ProviderConfig", "test-cluster-kubeconfig-55b57", Ns),
        };
        var zones = new[] { "us-west-2a", "us-west-2b", "us-west-2c" };
        for (var i = 0; i < zones.Length; i++)
        {
            observed[$"subnet-{i}"] = Mr(ec2, "Subnet", ChildName.Of("test-cluster", $"subnet-{zones[i]}"));
            observed[$"private-subnet-{i}"] = Mr(ec2, "Subnet", ChildName.Of("test-cluster", $"private-subnet-{zones[i]}"));
            observed[$"route-table-association-{i}"] = Mr(ec2, "RouteTableAssociation", $"test-cluster-rta{i}x");
            observed[$"private-route-table-association-{i}"] = Mr(ec2, "RouteTableAssociation", $"test-cluster-pra{i}x");
            observed[$"efs-mount-target-{i}"] = Mr(efs, "MountTarget", $"test-cluster-mt{i}xx");
        }
        return observed;
    }

    public static TheoryData<Case> Cases => new()
    {
        new("first-pass-composes-infrastructure",
            "The first pass composes network, IAM, cluster and kubeconfig, add-ons, system and GPU node groups, EFS and the autoscaler's role; the releases wait for the cluster, the StorageClass for the file system's ID.",
            Request()),
        new("observed-cluster-and-file-system-compose-storage-class-and-autoscaler",
            "Once the cluster is observed the autoscaler release follows; once the file system has its ID the EFS StorageClass does; observed Ready resources are marked ready.",
            Request(observed: new Dictionary<string, JsonObject>
            {
                ["cluster"] = ObservedCluster(),
                ["cluster-auth"] = Mr("eks.aws.m.upbound.io", "ClusterAuth", "test-cluster-i2o7p"),
                ["efs-filesystem"] = Mr("efs.aws.m.upbound.io", "FileSystem", "fs-0abc123"),
            })),
        new("capacity-block-pool-uses-launch-template",
            "A pool on a Capacity Block is launched from a template targeting the reservation, with capacity type CAPACITY_BLOCK and no instance types of its own.",
            Request(With(s => s["nodePools"] = new JsonArray(Pool("""
                {name: h200, role: GPU, instanceType: p5en.48xlarge, diskSizeGb: 1024, nodeCount: 2, minNodeCount: 0, maxNodeCount: 2,
                 gpu: {acceleratorType: nvidia-h200}, capacityBlock: {capacityReservationId: cr-0123456789abcdef0}, zones: [us-west-2a]}
                """))))),
        new("efa-pool-composes-fabric-and-driver",
            "An EFA pool gets one EFA interface per network card in the EFA and cluster security groups (by ID, once known), the self-referencing EFA group and rules, and the EFA DRA driver once the cluster is observed.",
            Request(With(s => s["nodePools"] = new JsonArray(Pool("""
                {name: h200, role: GPU, instanceType: p5en.48xlarge, nodeCount: 2, maxNodeCount: 2, gpu: {acceleratorType: nvidia-h200}, zones: [us-west-2a], fabric: EFA}
                """))),
                new Dictionary<string, JsonObject>
                {
                    ["cluster"] = ObservedCluster("sg-0cluster"),
                    ["efa-security-group"] = Mr("ec2.aws.m.upbound.io", "SecurityGroup", "sg-0efa"),
                })),
        new("custom-credentials-on-every-cloud-resource",
            "A namespaced ProviderConfig is named on every AWS resource, never on the workload ProviderConfigs or releases.",
            Request(With(s => s["credentials"] = new JsonObject { ["type"] = "ProviderConfig", ["name"] = "my-aws-account" }))),
        new("system-pool-without-zones-uses-private-tier",
            "A System pool without zones runs in every private subnet, with the standard AMI, the pool label only, no taint, and the XRD's default bounds.",
            Request(With(s => s["nodePools"] = new JsonArray(Pool("{name: cpu, role: System, instanceType: m6i.2xlarge}"))))),
        new("zone-without-subnet-keeps-running-pool",
            "A pool moved to a zone the VPC has no subnet in is a Warning and a False NodePoolsValid condition; its running node group is kept as it runs.",
            Request(With(s => s["nodePools"]![0]!["zones"] = new JsonArray("us-west-2d")), new Dictionary<string, JsonObject>
            {
                ["nodegroup-gpu-l4"] = RunningGpuPool(),
            })),
        new("min-above-max-keeps-running-pool",
            "A minimum above the maximum is refused before AWS would, naming both; the running node group is kept.",
            Request(With(s => s["nodePools"]![0]!["minNodeCount"] = 6), new Dictionary<string, JsonObject>
            {
                ["nodegroup-gpu-l4"] = RunningGpuPool(),
            })),
        new("switch-over-from-upstream-adopts-everything",
            "With every resource upstream composed observed (same keys, names and external names), every one is composed again: nothing is deleted or recreated.",
            Request(With(s => s["nodePools"]![0]!["zones"] = new JsonArray("us-west-2a", "us-west-2b")), UpstreamObserved())),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Compose(Case c) => Golden.Match(c.Name, c.Reason, FunctionHost.Run(c.Request, EksClusterComposer.Composer));

    [Fact]
    public void SwitchOver_UpstreamObserved_EveryKeyStaysWithItsName()
    {
        var observed = UpstreamObserved();
        var desired = Fixtures.Desired(FunctionHost.Run(Request(observed: observed), EksClusterComposer.Composer));
        Assert.Empty(observed.Keys.Except(desired.Keys));
        foreach (var (key, resource) in desired)
        {
            if (resource["metadata"]?["name"] is JsonValue name && observed.TryGetValue(key, out var was))
            {
                Assert.Equal(was["metadata"]!["name"]!.GetValue<string>(), name.GetValue<string>());
            }
        }
    }

    [Fact]
    public void FirstPass_ThreeZonesOnePlainPool_FiftyResources() =>
        Assert.Equal(50, Fixtures.Desired(FunctionHost.Run(Request(), EksClusterComposer.Composer)).Count);

    [Fact]
    public void CustomCredentials_EveryAwsResource_NamesTheProviderConfig()
    {
        var desired = Fixtures.Desired(FunctionHost.Run(Request(With(s => s["credentials"] = new JsonObject { ["type"] = "ProviderConfig", ["name"] = "my-aws-account" })), EksClusterComposer.Composer));
        foreach (var (key, resource) in desired)
        {
            var aws = resource["apiVersion"]!.GetValue<string>().Contains(".aws.m.upbound.io/", StringComparison.Ordinal);
            var reference = resource["spec"]?["providerConfigRef"];
            if (aws)
            {
                Assert.True(reference?["kind"]?.GetValue<string>() == "ProviderConfig" && reference["name"]?.GetValue<string>() == "my-aws-account", key);
            }
            else
            {
                Assert.NotEqual("my-aws-account", reference?["name"]?.GetValue<string>());
            }
        }
    }

    [Theory]
    [InlineData("10.0.0.0/20", "10.0.48.0/20")]
    [InlineData("10.0.16.0/20", "10.0.64.0/20")]
    [InlineData("10.0.32.0/20", "10.0.80.0/20")]
    [InlineData("172.16.220.0/24", null)]
    [InlineData("not-a-range", null)]
    [InlineData("10.0.x.0/20", null)]
    public void PrivateCidr_PublicRange_TwinOrNone(string cidr, string? want) =>
        Assert.Equal(want, EksClusterComposer.PrivateCidr(cidr));

    [Theory]
    [InlineData("p5.48xlarge", 32)]
    [InlineData("p5en.48xlarge", 16)]
    [InlineData("p4d.24xlarge", 4)]
    [InlineData("g6.xlarge", 1)]
    public void NetworkCards_InstanceType_OneEfaInterfaceEach(string instanceType, int want) =>
        Assert.Equal(want, EksClusterComposer.NetworkCards(instanceType));

    [Fact]
    public void ClusterName_FoldsNamespaceIn_UpstreamsName() =>
        Assert.Equal("modelplane-system-test-cluster-eks-0865f", EksClusterComposer.ClusterName("modelplane-system", "test-cluster"));
}
