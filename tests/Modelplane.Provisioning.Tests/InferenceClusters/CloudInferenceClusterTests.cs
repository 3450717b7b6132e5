// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Apiextensions.Fn.Proto.V1;
using Modelplane.Functions.InferenceClusters;
using Modelplane.Testing;

namespace Modelplane.Provisioning.Tests.InferenceClusters;

/// <summary>The InferenceCluster composer with cloud sources: the cluster XR, then the connection, stack and usages; whole responses against goldens.</summary>
public sealed class CloudInferenceClusterTests
{
    private const string Ns = "modelplane-system";

    private const string Gke = """
        apiVersion: modelplane.ai/v1alpha1
        kind: InferenceCluster
        metadata:
          name: test-cluster
        spec:
          cluster:
            source: GKE
            gke:
              region: us-central1
          nodePools:
          - name: l4-pool
            className: gpu-l4
            nodeCount: 2
            maxNodeCount: 4
            zones: [us-central1-a]
        """;

    private static string Class(string name = "gpu-l4", string provisioning = "gke: {machineType: g2-standard-8, accelerator: {type: nvidia-l4, count: 1}}") => $$"""
        apiVersion: modelplane.ai/v1alpha1
        kind: InferenceClass
        metadata:
          name: {{name}}
        spec:
          provisioning:
            {{provisioning}}
          devices:
          - name: gpu
            claim: DRA
            driver: gpu.nvidia.com
            deviceClassName: gpu.nvidia.com
            count: 1
            capacity:
              memory:
                value: 23034Mi
        """;

    private static JsonObject Cluster(Action<JsonObject>? edit = null)
    {
        var ic = FunctionHost.Yaml(Gke);
        edit?.Invoke(ic["spec"]!.AsObject());
        return ic;
    }

    private static Dictionary<string, IReadOnlyList<JsonObject>> Required(IReadOnlyList<JsonObject>? replicas = null, params JsonObject[] classes)
    {
        var required = new Dictionary<string, IReadOnlyList<JsonObject>>(StringComparer.Ordinal);
        if (replicas is not null)
        {
            required[InferenceClusterComposer.ReplicasKey] = replicas;
        }
        foreach (var cls in classes.Length == 0 ? [FunctionHost.Yaml(Class())] : classes)
        {
            required[InferenceClusterComposer.ClassKey(cls["metadata"]!["name"]!.GetValue<string>())] = [cls];
        }
        return required;
    }

    private static RunFunctionRequest Request(JsonObject ic, Dictionary<string, IReadOnlyList<JsonObject>> required, Dictionary<string, JsonObject>? observed = null) =>
        FunctionHost.Request("inference-cluster", ic, required, observed);

    /// <summary>The GKECluster as Crossplane observes it once provisioned, with the Secrets it publishes.</summary>
    private static JsonObject ObservedGke(bool ready, int maxNodeCount = 4, params string[] extraPools)
    {
        var pools = new JsonArray(GkePool("l4-pool", maxNodeCount));
        foreach (var pool in extraPools)
        {
            pools.Add(GkePool(pool, 2));
        }
        return Fixtures.Observed("infrastructure.modelplane.ai/v1alpha1", "GKECluster", "test-cluster", Ns, ready: ready,
            spec: new JsonObject { ["region"] = "us-central1", ["kubernetesVersion"] = "1.35", ["nodePools"] = pools, ["crossplane"] = new JsonObject { ["compositionRef"] = new JsonObject { ["name"] = "gkeclusters.infrastructure.modelplane.ai" } } },
            status: new JsonObject
            {
                ["secrets"] = new JsonArray(
                    new JsonObject { ["type"] = "Kubeconfig", ["name"] = "test-cluster-kubeconfig-55b57", ["key"] = "kubeconfig" },
                    new JsonObject { ["type"] = "GoogleApplicationCredentials", ["name"] = "test-cluster-sa-key-3295c", ["key"] = "private_key" }),
                ["cache"] = new JsonObject { ["storageClassName"] = "modelplane-rwx" },
            });
    }

    private static JsonObject GkePool(string name, int maxNodeCount) => new()
    {
        ["name"] = name,
        ["role"] = "GPU",
        ["machineType"] = "g2-standard-8",
        ["diskSizeGb"] = 100,
        ["nodeCount"] = 2,
        ["minNodeCount"] = 0,
        ["maxNodeCount"] = maxNodeCount,
        ["gpu"] = new JsonObject { ["acceleratorType"] = "nvidia-l4", ["acceleratorCount"] = 1 },
        ["zones"] = new JsonArray("us-central1-a"),
    };

    private static JsonObject ObservedStack(bool ready, string? address = null)
    {
        var status = new JsonObject();
        if (address is not null)
        {
            status["gateway"] = new JsonObject { ["address"] = address };
        }
        return Fixtures.Observed("infrastructure.modelplane.ai/v1alpha1", "ServingStack", "test-cluster-serving-stack-fd00b", Ns, ready: ready, status: status,
            spec: new JsonObject
            {
                ["secrets"] = new JsonArray(
                    new JsonObject { ["type"] = "Kubeconfig", ["name"] = "test-cluster-kubeconfig-55b57", ["key"] = "kubeconfig" },
                    new JsonObject { ["type"] = "GoogleApplicationCredentials", ["name"] = "test-cluster-sa-key-3295c", ["key"] = "private_key" }),
                ["nvidiaDriverRoot"] = "/home/kubernetes/bin/nvidia",
            });
    }

    private static JsonObject ObservedProviderConfig() => FunctionHost.Yaml("""
        apiVersion: kubernetes.m.crossplane.io/v1alpha1
        kind: ClusterProviderConfig
        metadata: {name: test-cluster-cluster-kubeconfig-d0f89, uid: 0d7f, resourceVersion: "42"}
        spec:
          credentials:
            source: Secret
            secretRef: {namespace: modelplane-system, name: test-cluster-kubeconfig-55b57, key: kubeconfig}
          identity:
            type: GoogleApplicationCredentials
            source: Secret
            secretRef: {namespace: modelplane-system, name: test-cluster-sa-key-3295c, key: private_key}
        """);

    /// <summary>A replica of ml-team/qwen running two single-GPU pods on a pool of test-cluster.</summary>
    private static JsonObject Replica(string pool = "l4-pool") => FunctionHost.Yaml($$$"""
        apiVersion: modelplane.ai/v1alpha1
        kind: ModelReplica
        metadata:
          name: qwen-5ab63
          namespace: ml-team
          generation: 1
          labels:
            modelplane.ai/cluster: test-cluster
            modelplane.ai/deployment: qwen
        spec:
          clusterName: test-cluster
          engines:
          - name: main
            copies: 2
            members:
            - role: Standalone
              nodePoolName: {{{pool}}}
              deviceRequests:
              - {name: gpu, deviceClassName: gpu.nvidia.com, count: 1, selectors: [{cel: "true"}]}
              template: {spec: {containers: [{name: engine, image: vllm}]}}
        """);

    private const string EksClass = "eks: {instanceType: g6.xlarge, diskSizeGb: 50, accelerator: {type: nvidia-l4, count: 1}}";

    private static JsonObject Eks(Action<JsonObject>? edit = null) => Cluster(s =>
    {
        s["cluster"] = new JsonObject { ["source"] = "EKS", ["eks"] = new JsonObject { ["region"] = "us-west-2" } };
        s["nodePools"]![0]!["zones"] = new JsonArray("us-west-2a", "us-west-2b");
        edit?.Invoke(s);
    });

    /// <summary>The EKSCluster as Crossplane observes it once provisioned, with the Secret it publishes.</summary>
    private static JsonObject ObservedEks(bool ready) =>
        Fixtures.Observed("infrastructure.modelplane.ai/v1alpha1", "EKSCluster", "test-cluster", Ns, ready: ready,
            spec: new JsonObject
            {
                ["region"] = "us-west-2",
                ["kubernetesVersion"] = "1.36",
                ["nodePools"] = new JsonArray(new JsonObject
                {
                    ["name"] = "l4-pool", ["role"] = "GPU", ["instanceType"] = "g6.xlarge", ["diskSizeGb"] = 50, ["nodeCount"] = 2,
                    ["minNodeCount"] = 0, ["maxNodeCount"] = 4, ["gpu"] = new JsonObject { ["acceleratorType"] = "nvidia-l4" },
                    ["zones"] = new JsonArray("us-west-2a", "us-west-2b"), ["fabric"] = "None",
                }),
            },
            status: new JsonObject
            {
                ["secrets"] = new JsonArray(new JsonObject { ["type"] = "Kubeconfig", ["name"] = "test-cluster-kubeconfig-55b57", ["key"] = "kubeconfig" }),
                ["cache"] = new JsonObject { ["storageClassName"] = "modelplane-rwx-efs" },
            });

    /// <summary>What upstream's compose-inference-cluster composed for a running EKS cluster, as observed.</summary>
    private static Dictionary<string, JsonObject> UpstreamEksObserved() => new(StringComparer.Ordinal)
    {
        ["eks-cluster"] = ObservedEks(ready: true),
        ["cluster-provider-config-kubernetes"] = FunctionHost.Yaml("""
            apiVersion: kubernetes.m.crossplane.io/v1alpha1
            kind: ClusterProviderConfig
            metadata: {name: test-cluster-cluster-kubeconfig-d0f89}
            spec:
              credentials:
                source: Secret
                secretRef: {namespace: modelplane-system, name: test-cluster-kubeconfig-55b57, key: kubeconfig}
            """),
        ["serving-stack"] = Fixtures.Observed("infrastructure.modelplane.ai/v1alpha1", "ServingStack", "test-cluster-serving-stack-fd00b", Ns, ready: true,
            status: new JsonObject { ["gateway"] = new JsonObject { ["address"] = "a1b2.elb.us-west-2.amazonaws.com" } },
            spec: new JsonObject { ["secrets"] = new JsonArray(new JsonObject { ["type"] = "Kubeconfig", ["name"] = "test-cluster-kubeconfig-55b57", ["key"] = "kubeconfig" }) }),
        ["usage-eks-by-backend"] = Fixtures.Observed("protection.crossplane.io/v1beta1", "Usage", "test-cluster-5tq8w", Ns, ready: true),
        ["usage-replicas"] = Fixtures.Observed("protection.crossplane.io/v1beta1", "ClusterUsage", "test-cluster-p9x4k", ready: true),
    };

    private const string AksClass = "aks: {vmSize: Standard_ND96isr_H100_v5, diskSizeGb: 200, accelerator: {type: nvidia-h100, count: 8}}";

    private static JsonObject Aks(Action<JsonObject>? edit = null) => Cluster(s =>
    {
        s["cluster"] = new JsonObject { ["source"] = "AKS", ["aks"] = new JsonObject { ["location"] = "westeurope" } };
        s["nodePools"] = new JsonArray(new JsonObject
        {
            ["name"] = "h100pool", ["className"] = "gpu-l4", ["nodeCount"] = 1, ["minNodeCount"] = 1, ["maxNodeCount"] = 4,
            ["fabric"] = new JsonObject { ["type"] = "InfiniBand" },
        });
        edit?.Invoke(s);
    });

    /// <summary>The AKSCluster as Crossplane observes it once provisioned, with the Secret it publishes.</summary>
    private static JsonObject ObservedAks(bool ready) =>
        Fixtures.Observed("infrastructure.modelplane.ai/v1alpha1", "AKSCluster", "test-cluster", Ns, ready: ready,
            spec: new JsonObject
            {
                ["location"] = "westeurope",
                ["kubernetesVersion"] = "1.34",
                ["nodePools"] = new JsonArray(new JsonObject
                {
                    ["name"] = "h100pool", ["role"] = "GPU", ["vmSize"] = "Standard_ND96isr_H100_v5", ["diskSizeGb"] = 200, ["nodeCount"] = 1,
                    ["minNodeCount"] = 1, ["maxNodeCount"] = 4, ["gpu"] = new JsonObject { ["acceleratorType"] = "nvidia-h100" }, ["fabric"] = "InfiniBand",
                }),
            },
            status: new JsonObject
            {
                ["secrets"] = new JsonArray(new JsonObject { ["type"] = "Kubeconfig", ["name"] = "test-cluster-kubeconfig-55b57", ["key"] = "kubeconfig" }),
                ["cache"] = new JsonObject { ["storageClassName"] = "modelplane-rwx-fs" },
            });

    /// <summary>What upstream's compose-inference-cluster composed for a running AKS cluster, as observed.</summary>
    private static Dictionary<string, JsonObject> UpstreamAksObserved() => new(StringComparer.Ordinal)
    {
        ["aks-cluster"] = ObservedAks(ready: true),
        ["cluster-provider-config-kubernetes"] = FunctionHost.Yaml("""
            apiVersion: kubernetes.m.crossplane.io/v1alpha1
            kind: ClusterProviderConfig
            metadata: {name: test-cluster-cluster-kubeconfig-d0f89}
            spec:
              credentials:
                source: Secret
                secretRef: {namespace: modelplane-system, name: test-cluster-kubeconfig-55b57, key: kubeconfig}
            """),
        ["serving-stack"] = Fixtures.Observed("infrastructure.modelplane.ai/v1alpha1", "ServingStack", "test-cluster-serving-stack-fd00b", Ns, ready: true,
            status: new JsonObject { ["gateway"] = new JsonObject { ["address"] = "20.31.4.17" } },
            spec: new JsonObject { ["secrets"] = new JsonArray(new JsonObject { ["type"] = "Kubeconfig", ["name"] = "test-cluster-kubeconfig-55b57", ["key"] = "kubeconfig" }) }),
        ["usage-aks-by-backend"] = Fixtures.Observed("protection.crossplane.io/v1beta1", "Usage", "test-cluster-9kd2m", Ns, ready: true),
    };

    private const string NebiusClass = "nebius: {platform: gpu-h100-sxm, preset: 8gpu-128vcpu-1600gb, diskSizeGb: 200, accelerator: {type: nvidia-h100, count: 8}}";

    private static JsonObject Nebius(Action<JsonObject>? edit = null) => Cluster(s =>
    {
        s["cluster"] = new JsonObject { ["source"] = "Nebius", ["nebius"] = new JsonObject() };
        s["nodePools"] = new JsonArray(new JsonObject
        {
            ["name"] = "h100", ["className"] = "gpu-l4", ["nodeCount"] = 2, ["maxNodeCount"] = 4,
            ["fabric"] = new JsonObject { ["type"] = "InfiniBand", ["infiniband"] = new JsonObject { ["fabric"] = "fabric-2" } },
        });
        edit?.Invoke(s);
    });

    /// <summary>The NebiusCluster as Crossplane observes it once provisioned, with the Secrets it publishes (the credentials in their own namespace).</summary>
    private static JsonObject ObservedNebius(bool ready) =>
        Fixtures.Observed("infrastructure.modelplane.ai/v1alpha1", "NebiusCluster", "test-cluster", Ns, ready: ready,
            spec: new JsonObject
            {
                ["kubernetesVersion"] = "1.34",
                ["nodePools"] = new JsonArray(new JsonObject
                {
                    ["name"] = "h100", ["role"] = "GPU", ["platform"] = "gpu-h100-sxm", ["preset"] = "8gpu-128vcpu-1600gb", ["diskSizeGb"] = 200,
                    ["nodeCount"] = 2, ["maxNodeCount"] = 4, ["gpu"] = new JsonObject { ["acceleratorType"] = "nvidia-h100", ["driversPreset"] = "cuda13.0" },
                    ["fabric"] = new JsonObject { ["type"] = "InfiniBand", ["infiniband"] = new JsonObject { ["fabric"] = "fabric-2" } },
                }),
            },
            status: new JsonObject
            {
                ["secrets"] = new JsonArray(
                    new JsonObject { ["type"] = "Kubeconfig", ["name"] = "test-cluster-kubeconfig-55b57", ["key"] = "kubeconfig" },
                    new JsonObject { ["type"] = "NebiusServiceAccountCredentials", ["name"] = "nebius-creds", ["key"] = "credentials.json", ["namespace"] = "crossplane-system" }),
                ["cache"] = new JsonObject { ["storageClassName"] = "modelplane-rwx-fs" },
            });

    /// <summary>What upstream's compose-inference-cluster composed for a running Nebius cluster, as observed.</summary>
    private static Dictionary<string, JsonObject> UpstreamNebiusObserved() => new(StringComparer.Ordinal)
    {
        ["nebius-cluster"] = ObservedNebius(ready: true),
        ["cluster-provider-config-kubernetes"] = FunctionHost.Yaml("""
            apiVersion: kubernetes.m.crossplane.io/v1alpha1
            kind: ClusterProviderConfig
            metadata: {name: test-cluster-cluster-kubeconfig-d0f89}
            spec:
              credentials:
                source: Secret
                secretRef: {namespace: modelplane-system, name: test-cluster-kubeconfig-55b57, key: kubeconfig}
              identity:
                type: NebiusServiceAccountCredentials
                source: Secret
                secretRef: {namespace: crossplane-system, name: nebius-creds, key: credentials.json}
            """),
        ["serving-stack"] = Fixtures.Observed("infrastructure.modelplane.ai/v1alpha1", "ServingStack", "test-cluster-serving-stack-fd00b", Ns, ready: true,
            status: new JsonObject { ["gateway"] = new JsonObject { ["address"] = "195.242.10.7" } },
            spec: new JsonObject
            {
                ["secrets"] = new JsonArray(
                    new JsonObject { ["type"] = "Kubeconfig", ["name"] = "test-cluster-kubeconfig-55b57", ["key"] = "kubeconfig" },
                    new JsonObject { ["type"] = "NebiusServiceAccountCredentials", ["name"] = "nebius-creds", ["key"] = "credentials.json", ["namespace"] = "crossplane-system" }),
            }),
        ["usage-nebius-by-backend"] = Fixtures.Observed("protection.crossplane.io/v1beta1", "Usage", "test-cluster-4nb8e", Ns, ready: true),
    };

    private const string VultrClass = "vultr: {plan: vcg-l40s-16c-180g-48vram, accelerator: {type: nvidia-l40s, count: 1}}";

    private static JsonObject Vultr(Action<JsonObject>? edit = null) => Cluster(s =>
    {
        s["cluster"] = new JsonObject { ["source"] = "Vultr", ["vultr"] = new JsonObject { ["region"] = "ewr" } };
        s["nodePools"]![0]!.AsObject().Remove("zones");
        edit?.Invoke(s);
    });

    /// <summary>The VultrCluster as Crossplane observes it once provisioned and its GPU stack validated.</summary>
    private static JsonObject ObservedVultr(bool ready) =>
        Fixtures.Observed("infrastructure.modelplane.ai/v1alpha1", "VultrCluster", "test-cluster", Ns, ready: ready,
            spec: new JsonObject
            {
                ["region"] = "ewr",
                ["kubernetesVersion"] = "v1.36.1+3",
                ["nodePools"] = new JsonArray(new JsonObject
                {
                    ["name"] = "l4-pool", ["role"] = "GPU", ["plan"] = "vcg-l40s-16c-180g-48vram", ["nodeCount"] = 2, ["maxNodeCount"] = 4,
                    ["gpu"] = new JsonObject { ["acceleratorType"] = "nvidia-l40s" },
                }),
            },
            status: new JsonObject
            {
                ["secrets"] = new JsonArray(new JsonObject { ["type"] = "Kubeconfig", ["name"] = "test-cluster-kubeconfig-55b57", ["key"] = "kubeconfig" }),
            });

    /// <summary>What upstream's compose-inference-cluster composed for a running Vultr cluster, as observed.</summary>
    private static Dictionary<string, JsonObject> UpstreamVultrObserved() => new(StringComparer.Ordinal)
    {
        ["vultr-cluster"] = ObservedVultr(ready: true),
        ["cluster-provider-config-kubernetes"] = FunctionHost.Yaml("""
            apiVersion: kubernetes.m.crossplane.io/v1alpha1
            kind: ClusterProviderConfig
            metadata: {name: test-cluster-cluster-kubeconfig-d0f89}
            spec:
              credentials:
                source: Secret
                secretRef: {namespace: modelplane-system, name: test-cluster-kubeconfig-55b57, key: kubeconfig}
            """),
        ["serving-stack"] = Fixtures.Observed("infrastructure.modelplane.ai/v1alpha1", "ServingStack", "test-cluster-serving-stack-fd00b", Ns, ready: true,
            status: new JsonObject { ["gateway"] = new JsonObject { ["address"] = "45.77.1.20" } },
            spec: new JsonObject { ["secrets"] = new JsonArray(new JsonObject { ["type"] = "Kubeconfig", ["name"] = "test-cluster-kubeconfig-55b57", ["key"] = "kubeconfig" }) }),
        ["usage-vultr-by-backend"] = Fixtures.Observed("protection.crossplane.io/v1beta1", "Usage", "test-cluster-8vt3q", Ns, ready: true),
    };

    /// <summary>What upstream's compose-inference-cluster composed for a running GKE cluster, as observed.</summary>
    private static Dictionary<string, JsonObject> UpstreamObserved() => new(StringComparer.Ordinal)
    {
        ["gke-cluster"] = ObservedGke(ready: true),
        ["cluster-provider-config-kubernetes"] = ObservedProviderConfig(),
        ["serving-stack"] = ObservedStack(ready: true, "34.55.100.10"),
        ["usage-gke-by-backend"] = Fixtures.Observed("protection.crossplane.io/v1beta1", "Usage", "test-cluster-7hq2w", Ns, ready: true),
        ["usage-replicas"] = Fixtures.Observed("protection.crossplane.io/v1beta1", "ClusterUsage", "test-cluster-p9x4k", ready: true),
    };

    public static TheoryData<Case> Cases => new()
    {
        new("gke-first-pass-composes-cluster-xr-only",
            "A GKE cluster first composes only its GKECluster, one GPU pool per node pool; it is not Ready and says it is provisioning.",
            Request(Cluster(), Required([]))),
        new("gke-credentials-pass-through",
            "The InferenceCluster's GCP credentials are handed to the GKECluster.",
            Request(Cluster(s => s["cluster"]!["gke"]!["credentials"] = new JsonObject { ["type"] = "ProviderConfig", ["name"] = "my-gcp-account" }), Required([]))),
        new("gke-ready-composes-connection-stack-and-usage",
            "Once the GKECluster is Ready, the ClusterProviderConfig (with the GCP identity), the ServingStack and the backend Usage follow, and the cache class is relayed.",
            Request(Cluster(), Required([]), new Dictionary<string, JsonObject> { ["gke-cluster"] = ObservedGke(ready: true) })),
        new("gke-backend-ready-publishes-gateway",
            "With the cluster and its serving stack Ready, the gateway address is published and nothing holds readiness back.",
            Request(Cluster(), Required([]), new Dictionary<string, JsonObject>
            {
                ["gke-cluster"] = ObservedGke(ready: true),
                ["serving-stack"] = ObservedStack(ready: true, "34.55.100.10"),
                ["cluster-provider-config-kubernetes"] = ObservedProviderConfig(),
            })),
        new("gke-not-ready-keeps-connection",
            "A Ready cluster that flaps to not Ready keeps its provider config and serving stack; the XR is not Ready meanwhile.",
            Request(Cluster(), Required([Replica()]), new Dictionary<string, JsonObject>
            {
                ["gke-cluster"] = ObservedGke(ready: false),
                ["serving-stack"] = ObservedStack(ready: true, "34.55.100.10"),
                ["cluster-provider-config-kubernetes"] = ObservedProviderConfig(),
            })),
        new("class-without-gke-block-fails-that-pool-only",
            "A pool whose class has only an EKS block is a Warning and a False condition on that pool; the other pool is applied.",
            Request(Cluster(s => s["nodePools"]!.AsArray().Add(new JsonObject { ["name"] = "eks-only", ["className"] = "gpu-l4-eks", ["zones"] = new JsonArray("us-central1-b") })),
                Required([], FunctionHost.Yaml(Class()), FunctionHost.Yaml(Class("gpu-l4-eks", "eks: {instanceType: g6.xlarge, accelerator: {type: nvidia-l4, count: 1}}"))))),
        new("class-gone-keeps-running-pool",
            "A class that disappears leaves its running pool exactly as it runs and says the pool waits for it; nothing is deleted.",
            Request(Cluster(), new Dictionary<string, IReadOnlyList<JsonObject>>
                {
                    [InferenceClusterComposer.ReplicasKey] = [Replica()],
                    [InferenceClusterComposer.ClassKey("gpu-l4")] = [],
                },
                new Dictionary<string, JsonObject> { ["gke-cluster"] = ObservedGke(ready: true) })),
        new("shrink-below-replicas-keeps-running-size",
            "Lowering a pool's maximum below the nodes its replicas claim keeps the running size and names the deployment holding it.",
            Request(Cluster(s => s["nodePools"]![0]!["maxNodeCount"] = 1), Required([Replica()]),
                new Dictionary<string, JsonObject> { ["gke-cluster"] = ObservedGke(ready: true) })),
        new("removed-pool-with-replicas-is-kept",
            "A pool removed from the spec while a deployment still runs there stays in the GKECluster and in the published pools.",
            Request(Cluster(), Required([Replica("h100-pool")]),
                new Dictionary<string, JsonObject> { ["gke-cluster"] = ObservedGke(ready: true, 4, "h100-pool") })),
        new("removed-idle-pool-is-removed",
            "A pool removed from the spec with nothing running on it is removed.",
            Request(Cluster(), Required([]),
                new Dictionary<string, JsonObject> { ["gke-cluster"] = ObservedGke(ready: true, 4, "h100-pool") })),
        new("zone-outside-region-is-rejected",
            "A zone of another region is rejected at admission, naming the field and the region.",
            Request(Cluster(s => s["nodePools"]![0]!["zones"] = new JsonArray("us-east1-b")), Required([]))),
        new("accelerator-count-the-machine-lacks",
            "Upstream's own fixture, g2-standard-48 with one L4, is rejected: that machine has four.",
            Request(Cluster(), Required([], FunctionHost.Yaml(Class(provisioning: "gke: {machineType: g2-standard-48, accelerator: {type: nvidia-l4, count: 1}}"))))),
        new("no-valid-pool-is-not-ready",
            "With no pool that can be built and nothing running, no GKECluster is composed and the XR is not Ready.",
            Request(Cluster(s => s["nodePools"]![0]!.AsObject().Remove("zones")), Required([]))),
        new("eks-first-pass-composes-cluster-xr-only",
            "An EKS cluster first composes only its EKSCluster: the class's instance type and disk, the pool's zones, no accelerator count (the instance type fixes it).",
            Request(Eks(), Required([], FunctionHost.Yaml(Class(provisioning: EksClass))))),
        new("eks-capacity-block-and-efa-pass-through",
            "A pool's Capacity Block and EFA fabric are handed to the EKSCluster pool.",
            Request(Eks(s =>
                {
                    s["nodePools"]![0]!["capacityBlock"] = new JsonObject { ["capacityReservationId"] = "cr-0123456789abcdef0" };
                    s["nodePools"]![0]!["fabric"] = new JsonObject { ["type"] = "EFA" };
                }),
                Required([], FunctionHost.Yaml(Class(provisioning: EksClass))))),
        new("eks-ready-composes-connection-stack-and-usage",
            "Once the EKSCluster is Ready, the ClusterProviderConfig (no identity: the kubeconfig carries a token), the ServingStack and the backend Usage follow, and the EFS cache class is relayed.",
            Request(Eks(), Required([], FunctionHost.Yaml(Class(provisioning: EksClass))), new Dictionary<string, JsonObject> { ["eks-cluster"] = ObservedEks(ready: true) })),
        new("eks-zone-without-subnet-keeps-running-pool",
            "A zone the EKSCluster has no subnet in is a Warning on that pool; the running pool is kept as it runs and the cluster stays.",
            Request(Eks(s => s["nodePools"]![0]!["zones"] = new JsonArray("us-west-2d")), Required([], FunctionHost.Yaml(Class(provisioning: EksClass))),
                new Dictionary<string, JsonObject> { ["eks-cluster"] = ObservedEks(ready: true) })),
        new("eks-accelerator-count-the-instance-lacks",
            "A class claiming two GPUs on a g6.xlarge (which has one) is refused, naming the count the instance has.",
            Request(Eks(), Required([], FunctionHost.Yaml(Class(provisioning: "eks: {instanceType: g6.xlarge, accelerator: {type: nvidia-l4, count: 2}}"))))),
        new("eks-switch-over-from-upstream",
            "With upstream's EKSCluster, provider config, serving stack and usages observed, every one is composed again under the same key and name.",
            Request(Eks(), Required([Replica()], FunctionHost.Yaml(Class(provisioning: EksClass))), UpstreamEksObserved())),
        new("aks-first-pass-composes-cluster-xr-only",
            "An AKS cluster first composes only its AKSCluster: the class's VM size and disk, the pool's bounds, InfiniBand as the fabric, no zones key when the pool has none.",
            Request(Aks(), Required([], FunctionHost.Yaml(Class(provisioning: AksClass))))),
        new("aks-ready-composes-connection-stack-and-usage",
            "Once the AKSCluster is Ready, the ClusterProviderConfig (no identity), the ServingStack and the backend Usage follow, and the Azure Files cache class is relayed.",
            Request(Aks(), Required([], FunctionHost.Yaml(Class(provisioning: AksClass))), new Dictionary<string, JsonObject> { ["aks-cluster"] = ObservedAks(ready: true) })),
        new("aks-pool-name-too-long-keeps-running-pool",
            "A pool AKS cannot name (here h100-pool-west) is a Warning on that pool suggesting a name that works; the running pool and the cluster stay.",
            Request(Aks(s => s["nodePools"]!.AsArray().Add(new JsonObject { ["name"] = "h100-pool-west", ["className"] = "gpu-l4" })), Required([], FunctionHost.Yaml(Class(provisioning: AksClass))),
                new Dictionary<string, JsonObject> { ["aks-cluster"] = ObservedAks(ready: true) })),
        new("aks-accelerator-count-the-vm-lacks",
            "A class claiming four GPUs on a Standard_ND96isr_H100_v5 (which has eight) is refused, naming the count the VM has.",
            Request(Aks(), Required([], FunctionHost.Yaml(Class(provisioning: "aks: {vmSize: Standard_ND96isr_H100_v5, accelerator: {type: nvidia-h100, count: 4}}"))))),
        new("aks-switch-over-from-upstream",
            "With upstream's AKSCluster, provider config, serving stack and usage observed, every one is composed again under the same key and name.",
            Request(Aks(), Required([], FunctionHost.Yaml(Class(provisioning: AksClass))), UpstreamAksObserved())),
        new("nebius-first-pass-composes-cluster-xr-only",
            "A Nebius cluster (nebius: {}) first composes only its NebiusCluster: the class's platform, preset, disk and drivers, no minimum when the pool has none, and the InfiniBand fabric.",
            Request(Nebius(), Required([], FunctionHost.Yaml(Class(provisioning: NebiusClass))))),
        new("nebius-ready-composes-connection-with-identity",
            "Once the NebiusCluster is Ready, the ClusterProviderConfig carries the Nebius identity from its own namespace, the ServingStack keeps that namespace, and the Usage follows.",
            Request(Nebius(), Required([], FunctionHost.Yaml(Class(provisioning: NebiusClass))), new Dictionary<string, JsonObject> { ["nebius-cluster"] = ObservedNebius(ready: true) })),
        new("nebius-min-without-max-keeps-running-pool",
            "A minimum without a maximum is a Warning on that pool (a Nebius group is fixed unless it has a maximum); the running pool is kept as it runs.",
            Request(Nebius(s =>
                {
                    s["nodePools"]![0]!.AsObject().Remove("maxNodeCount");
                    s["nodePools"]![0]!["minNodeCount"] = 1;
                }), Required([], FunctionHost.Yaml(Class(provisioning: NebiusClass))),
                new Dictionary<string, JsonObject> { ["nebius-cluster"] = ObservedNebius(ready: true) })),
        new("nebius-switch-over-from-upstream",
            "With upstream's NebiusCluster, provider config, serving stack and usage observed, every one is composed again under the same key and name.",
            Request(Nebius(), Required([], FunctionHost.Yaml(Class(provisioning: NebiusClass))), UpstreamNebiusObserved())),
        new("vultr-first-pass-composes-cluster-xr-only",
            "A Vultr cluster first composes only its VultrCluster: the class's plan, the pool's size and maximum, no minimum when the pool has none.",
            Request(Vultr(), Required([], FunctionHost.Yaml(Class(provisioning: VultrClass))))),
        new("vultr-credentials-pass-through",
            "The InferenceCluster's Vultr credentials are handed to the VultrCluster.",
            Request(Vultr(s => s["cluster"]!["vultr"]!["credentials"] = new JsonObject { ["type"] = "ProviderConfig", ["name"] = "my-vultr-account" }),
                Required([], FunctionHost.Yaml(Class(provisioning: VultrClass))))),
        new("vultr-ready-composes-connection-stack-and-usage",
            "Once the VultrCluster is Ready, the ClusterProviderConfig (no identity), the ServingStack and the Usage follow; no cache class is published.",
            Request(Vultr(), Required([], FunctionHost.Yaml(Class(provisioning: VultrClass))), new Dictionary<string, JsonObject> { ["vultr-cluster"] = ObservedVultr(ready: true) })),
        new("vultr-empty-pool-keeps-running-pool",
            "A pool shrunk to zero nodes (VKE pools have at least one) is a Warning on that pool; the running pool is kept as it runs.",
            Request(Vultr(s =>
                {
                    s["nodePools"]![0]!["nodeCount"] = 0;
                    s["nodePools"]![0]!.AsObject().Remove("maxNodeCount");
                }), Required([], FunctionHost.Yaml(Class(provisioning: VultrClass))),
                new Dictionary<string, JsonObject> { ["vultr-cluster"] = ObservedVultr(ready: true) })),
        new("vultr-switch-over-from-upstream",
            "With upstream's VultrCluster, provider config, serving stack and usage observed, every one is composed again under the same key and name.",
            Request(Vultr(), Required([], FunctionHost.Yaml(Class(provisioning: VultrClass))), UpstreamVultrObserved())),
        new("gke-switch-over-from-upstream",
            "With upstream's GKECluster, provider config, serving stack and usages observed, every one is composed again under the same key and name.",
            Request(Cluster(), Required([Replica()]), UpstreamObserved())),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Compose(Case c) => Golden.Match(c.Name, c.Reason, FunctionHost.Run(c.Request, InferenceClusterComposer.Composer));

    [Fact]
    public void SwitchOver_UpstreamObserved_EveryKeyStaysWithItsName()
    {
        var observed = UpstreamObserved();
        var desired = Fixtures.Desired(FunctionHost.Run(Request(Cluster(), Required([Replica()]), observed), InferenceClusterComposer.Composer));
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
    public void EksSwitchOver_UpstreamObserved_EveryKeyStaysWithItsName()
    {
        var observed = UpstreamEksObserved();
        var desired = Fixtures.Desired(FunctionHost.Run(Request(Eks(), Required([Replica()], FunctionHost.Yaml(Class(provisioning: EksClass))), observed), InferenceClusterComposer.Composer));
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
    public void AksSwitchOver_UpstreamObserved_EveryKeyStaysWithItsName()
    {
        var observed = UpstreamAksObserved();
        var desired = Fixtures.Desired(FunctionHost.Run(Request(Aks(), Required([], FunctionHost.Yaml(Class(provisioning: AksClass))), observed), InferenceClusterComposer.Composer));
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
    public void NebiusSwitchOver_UpstreamObserved_EveryKeyStaysWithItsName()
    {
        var observed = UpstreamNebiusObserved();
        var desired = Fixtures.Desired(FunctionHost.Run(Request(Nebius(), Required([], FunctionHost.Yaml(Class(provisioning: NebiusClass))), observed), InferenceClusterComposer.Composer));
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
    public void VultrSwitchOver_UpstreamObserved_EveryKeyStaysWithItsName()
    {
        var observed = UpstreamVultrObserved();
        var desired = Fixtures.Desired(FunctionHost.Run(Request(Vultr(), Required([], FunctionHost.Yaml(Class(provisioning: VultrClass))), observed), InferenceClusterComposer.Composer));
        Assert.Empty(observed.Keys.Except(desired.Keys));
        foreach (var (key, resource) in desired)
        {
            if (resource["metadata"]?["name"] is JsonValue name && observed.TryGetValue(key, out var was))
            {
                Assert.Equal(was["metadata"]!["name"]!.GetValue<string>(), name.GetValue<string>());
            }
        }
    }

    [Theory]
    [InlineData("Standard_ND96isr_H100_v5", 8)]
    [InlineData("Standard_NC24ads_A100_v4", 1)]
    [InlineData("Standard_NV36ads_A10_v5", 1)]
    [InlineData("Standard_NV6ads_A10_v5", null)]
    [InlineData("Standard_D4s_v5", null)]
    public void AzureAcceleratorCount_VmSize_GpusOrNone(string vmSize, int? want) =>
        Assert.Equal(want, AcceleratorShapes.AzureAcceleratorCount(vmSize));

    [Theory]
    [InlineData("g6.xlarge", 1)]
    [InlineData("g6e.12xlarge", 4)]
    [InlineData("g5.48xlarge", 8)]
    [InlineData("p5en.48xlarge", 8)]
    [InlineData("m6i.xlarge", null)]
    [InlineData("g4dn.xlarge", null)]
    public void Ec2AcceleratorCount_InstanceType_GpusOrNone(string instanceType, int? want) =>
        Assert.Equal(want, AcceleratorShapes.Ec2AcceleratorCount(instanceType));

    [Fact]
    public void Compose_SameRequest_ByteIdenticalResponse()
    {
        var request = Request(Cluster(), Required([Replica()]), UpstreamObserved());
        Assert.Equal(Golden.Yaml(FunctionHost.Run(request, InferenceClusterComposer.Composer)), Golden.Yaml(FunctionHost.Run(request, InferenceClusterComposer.Composer)));
    }
}
