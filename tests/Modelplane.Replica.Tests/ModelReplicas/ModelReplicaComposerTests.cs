// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Apiextensions.Fn.Proto.V1;
using Google.Protobuf;
using Modelplane.Functions.ModelReplicas;
using Modelplane.Testing;

namespace Modelplane.Replica.Tests.ModelReplicas;

public sealed class ModelReplicaComposerTests
{
    private const string Replica = "qwen-3b7c1";
    private const string ProviderConfig = "gpu-east-cluster-kubeconfig-1f2e3";

    public static TheoryData<Case> Cases => new()
    {
        // Upstream's runner cases (test_fn.py), our data and words.
        new("cluster-ready-composes-native-deployment",
            "A resolved cluster composes the engine Deployment, its claim template and the routing surface as Objects on its provider config, with a Composing event.",
            Request(Xr([Standalone("main", selector: "device.attributes[\"gpu.nvidia.com\"].productName == \"H100\"")]), Cluster(ProviderConfig))),
        new("cluster-not-resolved-waits",
            "Before Crossplane has fetched the cluster, the replica waits: the requirement, WaitingForCluster, and no resources.",
            Request(Xr([Standalone("main")]), cluster: null)),
        new("cluster-without-provider-config-waits",
            "A cluster that has not published its provider config yet is waited for the same way.",
            Request(Xr([Standalone("main")]), Cluster(providerConfig: null))),
        new("observed-resources-marked-ready",
            "An Available workload and observed routing objects are marked ready, ModelAccepted and ModelReady turn True, and no event repeats.",
            Request(Xr([Standalone("main")]), Cluster(ProviderConfig), ObservedAll(["main"], accepted: true, ready: true))),

        // Beyond upstream's runner cases: every behaviour its backend tests check, as whole responses.
        new("accepted-workload-not-yet-serving",
            "A workload the provider has applied but that is not Available yet is Accepted and ModelStarting, and stays unready.",
            Request(Xr([Standalone("main")]), Cluster(ProviderConfig), ObservedAll(["main"], accepted: true, ready: false))),
        new("gang-engine-composes-leaderworkerset",
            "A Leader and Worker compose a LeaderWorkerSet of size 1+nodes with verbatim commands, gang env first, each member on its own pool with its own metadata and claim template.",
            Request(Xr([Gang("coder",
                Member("Leader", "head", Container("vllm/vllm-openai:v0.11.0", command: ["bash", "-c", "ray start --head && vllm serve $(MODEL)"], env: [Env("HF_TOKEN", secret: ("hf-token", "HF_TOKEN")), Env("VLLM_HOST_IP", fieldPath: "status.podIP")]), devices: [Gpus(8)], labels: ("team", "ml"), annotations: ("prometheus.io/scrape", "true")),
                Member("Worker", "frontier", Container("vllm/vllm-openai:v0.11.0", command: ["bash", "-c", "ray start --address=$(MODELPLANE_LEADER_ADDRESS):6379 --block"]), devices: [Gpus(8)], labels: ("gang", "worker"), nodes: 1))]),
                Cluster(ProviderConfig))),
        new("gang-claimless-leader-and-cached-leader-model",
            "A coordinator-only leader gets no claim but keeps pool pin and toleration; a worker without metadata has none; only the leader gets --model; size follows worker.nodes.",
            Request(Xr([Gang("big",
                Member("Leader", "cpu", Container("vllm/vllm-openai:v0.11.0", args: ["--tensor-parallel-size=8", "--nnodes=4"])),
                Member("Worker", "frontier", Container("vllm/vllm-openai:v0.11.0", args: ["--headless"]), devices: [Gpus(8)], nodes: 3), copies: 2)], cache: "qwen"),
                Cluster(ProviderConfig))),
        new("model-cache-mounted-and-model-injected",
            "A cache reference mounts its PVC read-only at /mnt/models behind an init container that waits for the hydration marker, sets HF_HUB_OFFLINE and TRANSFORMERS_OFFLINE, and appends --model=/mnt/models to a vLLM engine without a command.",
            Request(Xr([Standalone("main", args: ["--max-model-len=8192"])], cache: "qwen"), Cluster(ProviderConfig))),
        new("model-cache-with-command-not-injected",
            "An engine with its own command (SGLang) still mounts the cache but its args pass through untouched.",
            Request(Xr([Standalone("main", image: "lmsysorg/sglang:v0.5.2", command: ["python3", "-m", "sglang.launch_server"], args: ["--model-path=/mnt/models", "--host=0.0.0.0", "--port=8000"])], cache: "qwen"), Cluster(ProviderConfig))),
        new("member-metadata-pull-secrets-and-two-requests",
            "Member labels and annotations merge under the managed labels, pull secrets are copied, and two device requests share one container claim.",
            Request(Xr([Standalone("main", labels: ("team", "ml"), annotations: ("prometheus.io/scrape", "true"), pullSecret: "registry-creds",
                devices: [Gpus(1), new JsonObject { ["name"] = "nic", ["deviceClassName"] = "efa.networking.k8s.aws", ["count"] = 2 }])]), Cluster(ProviderConfig))),
        new("two-unified-engines-qualify-names",
            "Two Standalone engines get distinct workloads, selectors and claims; one pool selects both; the picker uses the first engine's block size.",
            Request(Xr([Standalone("small", args: ["--block-size", "32"], copies: 2), Standalone("large", pool: "h200", args: ["--block-size=8"])]), Cluster(ProviderConfig))),
        new("prefill-decode-composes-sidecar-and-disaggregated-picker",
            "PrefillDecode labels both engines for llm-d, adds NIXL plumbing, puts the sidecar on 8000 in front of the decode engine's own --port, and arms the decider with the decode block size.",
            Request(Xr([Standalone("kimi-prefill", command: ["vllm", "serve", "/mnt/models"], args: ["--block-size=32"], phase: "Prefill"),
                Standalone("kimi-decode", command: ["vllm", "serve", "/mnt/models"], args: ["--port=9000", "--block-size=64"], phase: "Decode", env: [Env("VLLM_NIXL_SIDE_CHANNEL_PORT", value: "6000")])],
                cache: "kimi", mode: "PrefillDecode"), Cluster(ProviderConfig))),
        new("prefill-decode-selects-engines-by-phase",
            "The decode engine is found by phase, not name (alpha decodes, beta prefills), and without --port it listens on 8001.",
            Request(Xr([Standalone("alpha", phase: "Decode"), Standalone("beta", phase: "Prefill")], mode: "PrefillDecode"), Cluster(ProviderConfig))),

        // Bad input: a Fatal result and a False condition naming the field and the fix; nothing applied, so nothing torn down.
        new("phase-without-prefill-decode-is-fatal",
            "An engine phase outside PrefillDecode is refused with the field and the fix.",
            Request(Xr([Standalone("main", phase: "Decode")]), Cluster(ProviderConfig), ObservedAll(["main"], accepted: true, ready: true))),
        new("members-neither-standalone-nor-gang-is-fatal",
            "Two Standalone members are neither a pod nor a gang: refused, naming spec.engines[0].members.",
            Request(Xr([new JsonObject { ["name"] = "main", ["members"] = new JsonArray(Member("Standalone", "a", Container("vllm/vllm-openai:v0.11.0"), devices: [Gpus(1)]), Member("Standalone", "b", Container("vllm/vllm-openai:v0.11.0"), devices: [Gpus(1)])) }]), Cluster(ProviderConfig))),
        new("decode-port-not-a-number-is-fatal",
            "A decode engine whose --port is not a number cannot be fronted by the sidecar: refused, naming the engine.",
            Request(Xr([Standalone("p", phase: "Prefill"), Standalone("d", args: ["--port=http"], phase: "Decode")], mode: "PrefillDecode"), Cluster(ProviderConfig))),
        new("wrong-typed-copies-is-fatal",
            "A field of the wrong type is a Fatal result naming it, not an internal error.",
            Request(Xr([Standalone("main", copiesNode: "two")]), Cluster(ProviderConfig))),

        // Deviation from upstream: a lost cluster does not garbage-collect what runs.
        new("cluster-lost-keeps-running-objects",
            "When the cluster is fetched but gone, the observed objects' provider config keeps them composed, with a Warning and the replica held not Ready.",
            Request(Xr([Standalone("main")]), ClusterMissing(), ObservedAll(["main"], accepted: true, ready: true))),
        new("cluster-lost-before-anything-ran-waits",
            "A missing cluster with nothing composed yet is simply waited for.",
            Request(Xr([Standalone("main")]), ClusterMissing())),

        // Criticality and model splits (docs/criticality.md).
        new("model-splits-from-services-compose-rewrites",
            "Each ModelService of the namespace whose first entry selecting the replica's labels splits models gets an InferenceModelRewrite on the pool: an exact match, or a catch-all; a service whose matching entry has no split, one selecting other labels, and one that cannot be read get none.",
            Request(Xr([Standalone("main")]), Cluster(ProviderConfig), services:
            [
                Service("chat", Entry(("modelplane.ai/deployment", "qwen"), Split("qwen-7b", ("qwen-7b", 90), ("qwen-7b-lora-support", 10)))),
                Service("batch", Entry(("modelplane.ai/cluster", "gpu-west"), Split(null, ("never", 1))), Entry(("modelplane.ai/deployment", "qwen"), Split(null, ("qwen-7b-v2", 1), ("qwen-7b", 3)))),
                Service("plain", Entry(("modelplane.ai/deployment", "qwen"), null), Entry(("modelplane.ai/cluster", "gpu-east"), Split(null, ("shadowed", 1)))),
                Service("elsewhere", Entry(("modelplane.ai/deployment", "llama"), Split(null, ("llama", 1)))),
                new JsonObject { ["apiVersion"] = "modelplane.ai/v1alpha1", ["kind"] = "ModelService", ["metadata"] = new JsonObject { ["name"] = "broken" }, ["spec"] = "not an object" },
            ])),
        new("cluster-refusing-objectives-names-it",
            "When provider-kubernetes cannot apply an InferenceObjective (the cluster lacks the CRD), CriticalityHonoured is False with ObjectivesRejected, naming the cluster, the error and the fix.",
            Request(Xr([Standalone("main")]), Cluster(ProviderConfig), Refusing(ObservedAll(["main"], accepted: true, ready: true)))),
    };

    [Theory]
    [MemberData(nameof(Cases), DisableDiscoveryEnumeration = true)]
    public void Compose(Case c) => Golden.Match(c.Name, c.Reason, FunctionHost.Run(c.Request, ModelReplicaComposer.Composer));

    [Fact]
    public void Compose_SameRequestTwice_ByteIdenticalResponses()
    {
        var request = Request(Xr([Standalone("p", phase: "Prefill"), Standalone("d", phase: "Decode")], cache: "kimi", mode: "PrefillDecode"), Cluster(ProviderConfig));
        Assert.Equal(
            FunctionHost.Run(request, ModelReplicaComposer.Composer).ToByteArray(),
            FunctionHost.Run(request, ModelReplicaComposer.Composer).ToByteArray());
    }

    [Fact]
    public void Compose_CoLocatedReplicas_DisjointRemoteNames()
    {
        static HashSet<string> Names(string replica)
        {
            var xr = Xr([Standalone("prefill", phase: "Prefill"), Standalone("decode", phase: "Decode")], mode: "PrefillDecode");
            xr["metadata"]!["name"] = replica;
            var response = FunctionHost.Run(Request(xr, Cluster(ProviderConfig)), ModelReplicaComposer.Composer);
            return response.Desired.Resources.Values
                .Select(r => r.Resource_.Fields["spec"].StructValue.Fields["forProvider"].StructValue.Fields["manifest"].StructValue.Fields["metadata"].StructValue.Fields["name"].StringValue)
                .ToHashSet(StringComparer.Ordinal);
        }

        var a = Names("dep-cluster-a");
        var b = Names("dep-cluster-b");
        // Two workloads, two claim templates, the pool, the route, the picker's six objects sharing <replica>-epp, three objectives.
        Assert.Equal(10, a.Count);
        Assert.Empty(a.Intersect(b));
    }

    [Fact]
    public void Composer_Registration_NamesModelReplica()
    {
        Assert.Equal("model-replica", ModelReplicaComposer.Composer.Name);
        Assert.Equal(["ModelReplica.modelplane.ai"], ModelReplicaComposer.Composer.Kinds);
    }

    private static RunFunctionRequest Request(
        JsonObject xr, IReadOnlyList<JsonObject>? cluster, IReadOnlyDictionary<string, JsonObject>? observed = null, IReadOnlyList<JsonObject>? services = null)
    {
        var required = new Dictionary<string, IReadOnlyList<JsonObject>>();
        if (cluster is not null)
        {
            required["cluster"] = cluster;
            required["model-services"] = services ?? [];
        }
        return FunctionHost.Request("model-replica", xr, required: cluster is null ? null : required, observed: observed);
    }

    private static JsonObject Service(string name, params JsonObject[] entries) => new()
    {
        ["apiVersion"] = "modelplane.ai/v1alpha1",
        ["kind"] = "ModelService",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "ml-team" },
        ["spec"] = new JsonObject { ["endpoints"] = new JsonArray(entries) },
    };

    private static JsonObject Entry((string Key, string Value) label, JsonObject? models)
    {
        var entry = new JsonObject { ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { [label.Key] = label.Value } } };
        if (models is not null)
        {
            entry["models"] = models;
        }
        return entry;
    }

    private static JsonObject Split(string? match, params (string Name, int Weight)[] targets)
    {
        var split = new JsonObject { ["targets"] = new JsonArray([.. targets.Select(t => (JsonNode)new JsonObject { ["name"] = t.Name, ["weight"] = t.Weight })]) };
        if (match is not null)
        {
            split["match"] = match;
        }
        return split;
    }

    /// <summary>The observed state with the Sheddable objective's Object refused by the cluster, as provider-kubernetes reports a missing CRD.</summary>
    private static Dictionary<string, JsonObject> Refusing(Dictionary<string, JsonObject> observed)
    {
        var refused = Observed(accepted: false, ready: false);
        refused["status"]!["conditions"]!.AsArray().Add(new JsonObject
        {
            ["type"] = "Synced",
            ["status"] = "False",
            ["reason"] = "ReconcileError",
            ["message"] = "cannot create object: no matches for kind \"InferenceObjective\" in version \"llm-d.ai/v1alpha2\"",
        });
        observed["objective-sheddable"] = refused;
        return observed;
    }

    private static JsonObject Xr(JsonObject[] engines, string? cache = null, string? mode = null)
    {
        var spec = new JsonObject { ["clusterName"] = "gpu-east", ["engines"] = new JsonArray([.. engines]) };
        if (cache is not null)
        {
            spec["modelCacheRef"] = new JsonObject { ["name"] = cache };
        }
        if (mode is not null)
        {
            spec["serving"] = new JsonObject { ["mode"] = mode };
        }
        return new JsonObject
        {
            ["apiVersion"] = "modelplane.ai/v1alpha1",
            ["kind"] = "ModelReplica",
            ["metadata"] = new JsonObject
            {
                ["name"] = Replica,
                ["namespace"] = "ml-team",
                ["labels"] = new JsonObject { ["modelplane.ai/deployment"] = "qwen", ["modelplane.ai/cluster"] = "gpu-east", ["modelplane.ai/replica-index"] = "0" },
            },
            ["spec"] = spec,
        };
    }

    private static JsonObject Standalone(
        string name, string pool = "frontier", string image = "vllm/vllm-openai:v0.11.0", string[]? command = null, string[]? args = null,
        int? copies = null, JsonNode? copiesNode = null, string? phase = null, JsonObject[]? env = null, string? selector = null,
        (string, string)? labels = null, (string, string)? annotations = null, string? pullSecret = null, JsonObject[]? devices = null)
    {
        var engine = new JsonObject
        {
            ["name"] = name,
            ["members"] = new JsonArray(Member("Standalone", pool, Container(image, command, args, env), devices ?? [Gpus(1, selector)], labels, annotations, pullSecret: pullSecret)),
        };
        if ((copiesNode ?? (copies is { } c ? JsonValue.Create(c) : null)) is { } n)
        {
            engine["copies"] = n;
        }
        if (phase is not null)
        {
            engine["phase"] = phase;
        }
        return engine;
    }

    private static JsonObject Gang(string name, JsonObject leader, JsonObject worker, int? copies = null)
    {
        var engine = new JsonObject { ["name"] = name, ["members"] = new JsonArray(leader, worker) };
        if (copies is { } c)
        {
            engine["copies"] = c;
        }
        return engine;
    }

    private static JsonObject Member(
        string role, string pool, JsonObject container, JsonObject[]? devices = null, (string, string)? labels = null,
        (string, string)? annotations = null, int? nodes = null, string? pullSecret = null)
    {
        var template = new JsonObject { ["spec"] = new JsonObject { ["containers"] = new JsonArray(container) } };
        if (labels is not null || annotations is not null)
        {
            var metadata = new JsonObject();
            if (labels is var (lk, lv))
            {
                metadata["labels"] = new JsonObject { [lk] = lv };
            }
            if (annotations is var (ak, av))
            {
                metadata["annotations"] = new JsonObject { [ak] = av };
            }
            template["metadata"] = metadata;
        }
        if (pullSecret is not null)
        {
            template["spec"]!["imagePullSecrets"] = new JsonArray(new JsonObject { ["name"] = pullSecret });
        }
        var member = new JsonObject { ["role"] = role, ["nodePoolName"] = pool, ["template"] = template };
        if (devices is { Length: > 0 })
        {
            member["deviceRequests"] = new JsonArray([.. devices]);
        }
        if (nodes is { } n)
        {
            member["worker"] = new JsonObject { ["nodes"] = n };
        }
        return member;
    }

    private static JsonObject Container(string image, string[]? command = null, string[]? args = null, JsonObject[]? env = null)
    {
        var container = new JsonObject { ["name"] = "engine", ["image"] = image };
        if (command is not null)
        {
            container["command"] = new JsonArray([.. command.Select(c => JsonValue.Create(c))]);
        }
        if (args is not null)
        {
            container["args"] = new JsonArray([.. args.Select(a => JsonValue.Create(a))]);
        }
        if (env is not null)
        {
            container["env"] = new JsonArray([.. env]);
        }
        return container;
    }

    private static JsonObject Env(string name, string? value = null, (string Name, string Key)? secret = null, string? fieldPath = null)
    {
        var env = new JsonObject { ["name"] = name };
        if (value is not null)
        {
            env["value"] = value;
        }
        if (secret is var (sn, sk))
        {
            env["valueFrom"] = new JsonObject { ["secretKeyRef"] = new JsonObject { ["name"] = sn, ["key"] = sk } };
        }
        if (fieldPath is not null)
        {
            env["valueFrom"] = new JsonObject { ["fieldRef"] = new JsonObject { ["fieldPath"] = fieldPath } };
        }
        return env;
    }

    private static JsonObject Gpus(int count, string? selector = null)
    {
        var request = new JsonObject { ["name"] = "gpu", ["deviceClassName"] = "gpu.nvidia.com", ["count"] = count };
        if (selector is not null)
        {
            request["selectors"] = new JsonArray(new JsonObject { ["cel"] = selector });
        }
        return request;
    }

    private static JsonObject[] Cluster(string? providerConfig)
    {
        var cluster = new JsonObject
        {
            ["apiVersion"] = "modelplane.ai/v1alpha1",
            ["kind"] = "InferenceCluster",
            ["metadata"] = new JsonObject { ["name"] = "gpu-east" },
        };
        if (providerConfig is not null)
        {
            cluster["status"] = new JsonObject { ["providerConfigRef"] = new JsonObject { ["name"] = providerConfig } };
        }
        return [cluster];
    }

    private static JsonObject[] ClusterMissing() => [];

    /// <summary>Every key a one-engine Unified replica composes, observed as provider-kubernetes reports it.</summary>
    private static Dictionary<string, JsonObject> ObservedAll(string[] engines, bool accepted, bool ready)
    {
        var observed = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var engine in engines)
        {
            observed[$"model-serving-{engine}"] = Observed(accepted, ready);
            observed[$"resource-claim-{engine}-standalone"] = Observed(accepted: true, ready: true);
        }
        foreach (var key in new[] { "inference-pool", "model-route", "epp-serviceaccount", "epp-role", "epp-rolebinding", "epp-config", "epp", "epp-service", "objective-critical", "objective-standard", "objective-sheddable" })
        {
            observed[key] = Observed(accepted: true, ready: key != "epp");
        }
        return observed;
    }

    private static JsonObject Observed(bool accepted, bool ready)
    {
        var status = new JsonObject
        {
            ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = ready ? "True" : "False", ["reason"] = ready ? "Available" : "Unavailable" }),
        };
        if (accepted)
        {
            status["atProvider"] = new JsonObject { ["manifest"] = new JsonObject { ["kind"] = "Deployment" } };
        }
        return new JsonObject
        {
            ["apiVersion"] = "kubernetes.m.crossplane.io/v1alpha1",
            ["kind"] = "Object",
            ["metadata"] = new JsonObject { ["name"] = "observed-object" },
            ["spec"] = new JsonObject { ["providerConfigRef"] = new JsonObject { ["kind"] = "ClusterProviderConfig", ["name"] = ProviderConfig } },
            ["status"] = status,
        };
    }
}
