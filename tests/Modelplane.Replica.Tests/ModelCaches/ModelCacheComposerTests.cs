// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Apiextensions.Fn.Proto.V1;
using Google.Protobuf;
using Modelplane.Apis.ModelCaches;
using Modelplane.Functions.ModelCaches;
using Modelplane.Testing;

namespace Modelplane.Replica.Tests.ModelCaches;

public sealed class ModelCacheComposerTests
{
    private const string Gke = "modelplane-rwx";
    private const string Efs = "modelplane-rwx-efs";

    public static TheoryData<Case> Cases => new()
    {
        // Upstream's cases (test_fn.py), our data and words; a replica on the cluster makes it one the cache serves.
        new("first-pass-composes-claim-and-hydration-job",
            "A cluster a replica uses gets an RWX claim on its cache class and the hydration Job; 0/1 Pending, Hydrating, and a Staging event.",
            Request(Xr(), [Cluster("cluster-a", Gke)], [Replica("qwen-a", "cluster-a")])),
        new("revision-and-auth-secret-wire-token",
            "A revision reaches the Job as an env var; the token is copied to the cluster as a Secret the Job reads HF_TOKEN from; the Secret is required.",
            Request(Xr(revision: "main", authSecret: "hf-token"), [Cluster("cluster-a", Gke)], [Replica("qwen-a", "cluster-a")], secret: Secret("hf-token", ("HF_TOKEN", "aGZfdG9rZW4=")))),
        new("eks-cluster-claim-uses-efs-class",
            "The claim's class comes from the cluster's status.cache, here EKS's EFS class.",
            Request(Xr(), [Cluster("eks-a", Efs)], [Replica("qwen-a", "eks-a")])),
        new("bound-and-complete-reports-ready",
            "A Bound claim and a complete Job make the cluster Ready: the Job is dropped, the composite is Ready, ArtifactReady Staged, and one staged event.",
            Request(Xr(), [Cluster("cluster-a", Gke)], [Replica("qwen-a", "cluster-a")], observed: Observed(("cluster-a", bound: true, JobState.Complete)))),
        new("bound-job-running-reports-hydrating",
            "A Bound claim with the Job still running is Hydrating; the claim is marked ready, the Job kept, no event.",
            Request(Xr(), [Cluster("cluster-a", Gke)], [Replica("qwen-a", "cluster-a")], observed: Observed(("cluster-a", bound: true, JobState.Running)))),
        new("failed-job-takes-precedence-over-binding",
            "A failed Job makes the cluster Failed even though the claim is Bound; its reason reaches the cluster's message, ArtifactReady and a Warning; the token Secret goes.",
            Request(Xr(authSecret: "hf-token"), [Cluster("cluster-a", Gke)], [Replica("qwen-a", "cluster-a")], secret: Secret("hf-token", ("HF_TOKEN", "aGZfdG9rZW4=")),
                observed: Observed(("cluster-a", bound: true, JobState.Failed)))),
        new("one-of-two-ready-reports-partial",
            "Cluster a Ready (its Job dropped), b Hydrating: 1/2, Partial, composite not Ready.",
            Request(Xr(), [Cluster("cluster-a", Gke), Cluster("cluster-b", Gke)], [Replica("qwen-a", "cluster-a"), Replica("qwen-b", "cluster-b")],
                observed: Observed(("cluster-a", bound: true, JobState.Complete), ("cluster-b", bound: true, JobState.Running)))),
        new("ready-latch-survives-job-cleanup",
            "A cluster Ready in the observed status stays Ready with only its claim observed: the Job is not composed again and no event repeats.",
            Request(Xr(previous: [("cluster-a", "Ready")], ready: true), [Cluster("cluster-a", Gke)], [Replica("qwen-a", "cluster-a")], observed: Observed(("cluster-a", bound: true, JobState.Absent)))),
        new("auth-secret-unresolved-waits",
            "Before Crossplane has fetched the authSecret, only the requirements are returned.",
            Request(Xr(authSecret: "hf-token"), [Cluster("cluster-a", Gke)], [Replica("qwen-a", "cluster-a")], secret: null)),
        new("auth-secret-without-key-composes-claim-and-warns",
            "A Secret without the key: only the claim, AuthSecretMissing, the upstream warning, then the Staging event.",
            Request(Xr(authSecret: "hf-token"), [Cluster("cluster-a", Gke)], [Replica("qwen-a", "cluster-a")], secret: Secret("hf-token", ("OTHER", "eA==")))),
        new("auth-secret-empty-value-composes-claim-and-warns",
            "An empty token is missing too: the same answer as a missing key.",
            Request(Xr(authSecret: "hf-token"), [Cluster("cluster-a", Gke)], [Replica("qwen-a", "cluster-a")], secret: Secret("hf-token", ("HF_TOKEN", "")))),
        new("ready-cluster-drops-token-secret",
            "Once hydrated, the Job and the token Secret are dropped: the token leaves the cluster; only the claim stays.",
            Request(Xr(authSecret: "hf-token"), [Cluster("cluster-a", Gke)], [Replica("qwen-a", "cluster-a")], secret: Secret("hf-token", ("HF_TOKEN", "aGZfdG9rZW4=")),
                observed: Observed(("cluster-a", bound: true, JobState.Complete)))),
        new("token-rotated-away-after-ready-stays-ready",
            "A token removed after every cluster is Ready is not needed: Staged, no warning.",
            Request(Xr(authSecret: "hf-token", previous: [("cluster-a", "Ready")], ready: true), [Cluster("cluster-a", Gke)], [Replica("qwen-a", "cluster-a")],
                secret: Secret("hf-token", ("OTHER", "eA==")), observed: Observed(("cluster-a", bound: true, JobState.Absent)))),
        new("auth-missing-with-no-clusters-reports-no-clusters",
            "No cluster can hold a copy: NoClusters wins over the missing token; 0/0 with an empty list.",
            Request(Xr(authSecret: "hf-token"), [], [], secret: Secret("hf-token", ("OTHER", "eA==")))),

        // Beyond upstream: staging follows placement.
        new("on-demand-stages-only-where-replicas-run",
            "Three clusters match but replicas run only on b: only b is staged, and status says it holds a copy for those replicas.",
            Request(Xr(), [Cluster("cluster-a", Gke), Cluster("cluster-b", Gke), Cluster("cluster-c", Gke)], [Replica("qwen-b1", "cluster-b"), Replica("qwen-b0", "cluster-b")])),
        new("on-demand-without-consumers-is-idle",
            "Nothing uses the cache: nothing is composed and it is not Ready (NoConsumers), instead of staging everywhere.",
            Request(Xr(), [Cluster("cluster-a", Gke), Cluster("cluster-b", Gke)], [])),
        new("labelled-replica-of-another-cache-is-ignored",
            "A replica carrying the label but naming another cache in its spec is not a consumer.",
            Request(Xr(), [Cluster("cluster-a", Gke)], [Replica("other-a", "cluster-a", cache: "llama")])),
        new("eager-stages-every-matched-cluster",
            "staging.policy Eager keeps upstream's behaviour: every matched cluster with cache storage stages; the one with replicas says so.",
            Request(Xr(policy: "Eager"), [Cluster("cluster-a", Gke), Cluster("cluster-b", Gke), Cluster("vultr-a", storageClass: null)], [Replica("qwen-b", "cluster-b")])),
        new("idle-copy-kept-with-reclaim-timer",
            "A copy nothing uses any more keeps its claim and gets a timer Job sleeping the grace period; status says GracePeriod; the cache serves nothing so it is not Ready.",
            Request(Xr(previous: [("cluster-a", "Ready")]), [Cluster("cluster-a", Gke)], [], observed: Observed(("cluster-a", bound: true, JobState.Absent)))),
        new("idle-copy-reclaimed-when-timer-completes",
            "When the timer Job completes, the claim and timer are dropped (provider-kubernetes deletes them) and an event says why.",
            Request(Xr(previous: [("cluster-a", "Ready")]), [Cluster("cluster-a", Gke)], [],
                observed: Observed(("cluster-a", bound: true, JobState.Absent)).With("reclaim-cluster-a", Timer(JobState.Complete)))),
        new("replica-returns-during-grace-cancels-reclaim",
            "A replica back on the cluster before the timer ends drops the timer and keeps the warm copy Ready, without hydrating again.",
            Request(Xr(previous: [("cluster-a", "Ready")]), [Cluster("cluster-a", Gke)], [Replica("qwen-a", "cluster-a")],
                observed: Observed(("cluster-a", bound: true, JobState.Absent)).With("reclaim-cluster-a", Timer(JobState.Running)))),
        new("zero-grace-reclaims-at-once",
            "reclaimAfterSeconds 0 drops an idle copy at once, with no timer.",
            Request(Xr(reclaimAfter: 0, previous: [("cluster-a", "Ready")]), [Cluster("cluster-a", Gke)], [], observed: Observed(("cluster-a", bound: true, JobState.Absent)))),
        new("idle-copy-on-unmatched-cluster-kept-as-observed",
            "A copy on a cluster the selector no longer matches is re-emitted as observed through its grace period, timed on its last provider config.",
            Request(Xr(selector: ("region", "us-east"), previous: [("cluster-west", "Ready")]), [Cluster("cluster-east", Gke)], [Replica("qwen-east", "cluster-east")],
                observed: Observed(("cluster-east", bound: true, JobState.Running), ("cluster-west", bound: true, JobState.Absent)))),

        // Beyond upstream: one cluster's failure is its own, and replicas that cannot mount are named.
        new("failure-on-one-cluster-leaves-others-hydrating",
            "a's Job failed, b's runs: b keeps its Job and stays Hydrating; ArtifactReady carries a's reason; one Warning for the new failure.",
            Request(Xr(), [Cluster("cluster-a", Gke), Cluster("cluster-b", Gke)], [Replica("qwen-a", "cluster-a"), Replica("qwen-b", "cluster-b")],
                observed: Observed(("cluster-a", bound: true, JobState.Failed), ("cluster-b", bound: true, JobState.Running)))),
        new("replica-on-cluster-without-storage-is-unstageable",
            "A replica on a cluster without cache storage cannot mount the volume: nothing is composed there, the cluster stays Pending and ArtifactReady names it (Unstageable).",
            Request(Xr(), [Cluster("cluster-a", Gke), Cluster("vultr-a", storageClass: null)], [Replica("qwen-a", "cluster-a"), Replica("qwen-v", "vultr-a")],
                observed: Observed(("cluster-a", bound: true, JobState.Complete)))),

        // Bad input the XRD should have rejected.
        new("missing-hugging-face-block-is-fatal",
            "source HuggingFace without spec.huggingFace is refused with the field named; nothing is composed.",
            Request(XrWithout("huggingFace"), [Cluster("cluster-a", Gke)], [])),
    };

    [Theory]
    [MemberData(nameof(Cases), DisableDiscoveryEnumeration = true)]
    public void Compose(Case c) => Golden.Match(c.Name, c.Reason, FunctionHost.Run(c.Request, ModelCacheComposer.Composer));

    [Fact]
    public void Compose_SameRequestTwice_ByteIdenticalResponses()
    {
        var request = Request(Xr(authSecret: "hf-token"), [Cluster("cluster-a", Gke), Cluster("cluster-b", Efs)], [Replica("qwen-a", "cluster-a"), Replica("qwen-b", "cluster-b")],
            secret: Secret("hf-token", ("HF_TOKEN", "aGZfdG9rZW4=")), observed: Observed(("cluster-a", bound: true, JobState.Failed)));
        Assert.Equal(
            FunctionHost.Run(request, ModelCacheComposer.Composer).ToByteArray(),
            FunctionHost.Run(request, ModelCacheComposer.Composer).ToByteArray());
    }

    [Fact]
    public void Compose_RepoWithShellCharacters_NeverInTheScript()
    {
        var xr = Xr();
        xr["spec"]!["huggingFace"]!["repo"] = "evil/$(rm -rf /)";
        var response = FunctionHost.Run(Request(xr, [Cluster("cluster-a", Gke)], [Replica("qwen-a", "cluster-a")]), ModelCacheComposer.Composer);
        var job = response.Desired.Resources["hydrate-cluster-a"].Resource_.ToString();
        var script = response.Desired.Resources["hydrate-cluster-a"].Resource_.Fields["spec"].StructValue.Fields["forProvider"].StructValue.Fields["manifest"].StructValue
            .Fields["spec"].StructValue.Fields["template"].StructValue.Fields["spec"].StructValue.Fields["containers"].ListValue.Values[0].StructValue.Fields["command"].ListValue.Values[2].StringValue;
        Assert.DoesNotContain("rm -rf", script, StringComparison.Ordinal);
        Assert.Contains("rm -rf", job, StringComparison.Ordinal);
    }

    [Fact]
    public void Composer_Registration_NamesModelCache()
    {
        Assert.Equal("model-cache", ModelCacheComposer.Composer.Name);
        Assert.Equal(["ModelCache.modelplane.ai"], ModelCacheComposer.Composer.Kinds);
    }

    public static TheoryData<bool, string, string?, CachePhase> Phases => new()
    {
        { false, "Absent", null, CachePhase.Pending },
        { false, "Running", "Ready", CachePhase.Pending },
        { true, "Running", null, CachePhase.Hydrating },
        { true, "Complete", null, CachePhase.Ready },
        { true, "Absent", "Ready", CachePhase.Ready },
        { true, "Absent", "Failed", CachePhase.Hydrating },
        { true, "Failed", "Ready", CachePhase.Failed },
        { false, "Failed", null, CachePhase.Failed },
    };

    [Theory]
    [MemberData(nameof(Phases))]
    public void Phase_Observation_UpstreamPrecedence(bool bound, string job, string? previous, CachePhase want) =>
        Assert.Equal(want, CacheCopies.Phase(new CopyObservation(true, bound, "pc", new JobReport(Enum.Parse<JobState>(job)), new JobReport(JobState.Absent),
            previous is null ? null : Enum.Parse<CachePhase>(previous))));

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(90, "1m30s")]
    [InlineData(3600, "1h")]
    [InlineData(5430, "1h30m30s")]
    [InlineData(86400, "24h")]
    public void Duration_Seconds_AsPeopleWriteIt(int seconds, string want) => Assert.Equal(want, CacheCopies.Duration(seconds));

    private static RunFunctionRequest Request(
        JsonObject xr, JsonObject[] clusters, JsonObject[] replicas, JsonObject[]? secret = null, IReadOnlyDictionary<string, JsonObject>? observed = null)
    {
        var required = new Dictionary<string, IReadOnlyList<JsonObject>>
        {
            ["clusters"] = clusters,
            ["replicas"] = replicas,
        };
        if (secret is not null)
        {
            required["auth-secret"] = secret;
        }
        return FunctionHost.Request("model-cache", xr, required, observed);
    }

    private static JsonObject Xr(
        string? revision = null, string? authSecret = null, string? policy = null, int? reclaimAfter = null,
        (string, string)? selector = null, (string Cluster, string Phase)[]? previous = null, bool ready = false)
    {
        var hf = new JsonObject { ["repo"] = "Qwen/Qwen3-0.6B", ["sizeGiB"] = 20 };
        if (revision is not null)
        {
            hf["revision"] = revision;
        }
        if (authSecret is not null)
        {
            hf["authSecret"] = new JsonObject { ["name"] = authSecret };
        }
        var spec = new JsonObject { ["source"] = "HuggingFace", ["huggingFace"] = hf };
        if (selector is var (k, v))
        {
            spec["clusterSelector"] = new JsonObject { ["matchLabels"] = new JsonObject { [k] = v } };
        }
        if (policy is not null || reclaimAfter is not null)
        {
            var staging = new JsonObject();
            if (policy is not null)
            {
                staging["policy"] = policy;
            }
            if (reclaimAfter is { } seconds)
            {
                staging["reclaimAfterSeconds"] = seconds;
            }
            spec["staging"] = staging;
        }
        var xr = new JsonObject
        {
            ["apiVersion"] = "modelplane.ai/v1alpha1",
            ["kind"] = "ModelCache",
            ["metadata"] = new JsonObject { ["name"] = "qwen", ["namespace"] = "ml-team" },
            ["spec"] = spec,
        };
        if (previous is not null || ready)
        {
            var status = new JsonObject();
            if (previous is not null)
            {
                status["clusters"] = new JsonArray([.. previous.Select(p => (JsonNode)new JsonObject { ["name"] = p.Cluster, ["phase"] = p.Phase })]);
            }
            if (ready)
            {
                status["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = "True", ["reason"] = "Available" });
            }
            xr["status"] = status;
        }
        return xr;
    }

    private static JsonObject XrWithout(string field)
    {
        var xr = Xr();
        ((JsonObject)xr["spec"]!).Remove(field);
        return xr;
    }

    private static JsonObject Cluster(string name, string? storageClass, string? providerConfig = "")
    {
        var status = new JsonObject
        {
            ["providerConfigRef"] = new JsonObject { ["name"] = providerConfig is "" ? $"{name}-cluster-kubeconfig" : providerConfig },
        };
        if (storageClass is not null)
        {
            status["cache"] = new JsonObject { ["storageClassName"] = storageClass };
        }
        return new JsonObject
        {
            ["apiVersion"] = "modelplane.ai/v1alpha1",
            ["kind"] = "InferenceCluster",
            ["metadata"] = new JsonObject { ["name"] = name },
            ["status"] = status,
        };
    }

    private static JsonObject Replica(string name, string cluster, string cache = "qwen") => new()
    {
        ["apiVersion"] = "modelplane.ai/v1alpha1",
        ["kind"] = "ModelReplica",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "ml-team", ["labels"] = new JsonObject { [ModelCache.ConsumerLabel] = "qwen" } },
        ["spec"] = new JsonObject { ["clusterName"] = cluster, ["modelCacheRef"] = new JsonObject { ["name"] = cache } },
    };

    private static JsonObject[] Secret(string name, (string Key, string Value) data) =>
    [
        new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Secret",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "ml-team" },
            ["data"] = new JsonObject { [data.Key] = data.Value },
        },
    ];

    /// <summary>Each cluster's claim (Bound or not) and hydration Job as provider-kubernetes reports them.</summary>
    private static ObservedSet Observed(params (string Cluster, bool bound, JobState Job)[] clusters)
    {
        var observed = new ObservedSet();
        foreach (var (cluster, bound, job) in clusters)
        {
            observed[$"pvc-{cluster}"] = ObjectWith($"{cluster}-cluster-kubeconfig", bound,
                new JsonObject { ["apiVersion"] = "v1", ["kind"] = "PersistentVolumeClaim", ["metadata"] = new JsonObject { ["name"] = ModelCache.ClaimName("ml-team", "qwen"), ["namespace"] = "default" } },
                bound ? new JsonObject { ["phase"] = "Bound" } : new JsonObject { ["phase"] = "Pending" });
            if (job != JobState.Absent)
            {
                observed[$"hydrate-{cluster}"] = JobObject(cluster, job);
            }
        }
        return observed;
    }

    private static JsonObject Timer(JobState state) => JobObject("timer", state);

    private static JsonObject JobObject(string cluster, JobState state)
    {
        var conditions = state switch
        {
            JobState.Complete => new JsonArray(new JsonObject { ["type"] = "Complete", ["status"] = "True" }),
            JobState.Failed => new JsonArray(new JsonObject { ["type"] = "Failed", ["status"] = "True", ["reason"] = "BackoffLimitExceeded", ["message"] = "Job has reached the specified backoff limit" }),
            _ => new JsonArray(),
        };
        return ObjectWith($"{cluster}-cluster-kubeconfig", state == JobState.Complete,
            new JsonObject { ["apiVersion"] = "batch/v1", ["kind"] = "Job" }, new JsonObject { ["conditions"] = conditions });
    }

    private static JsonObject ObjectWith(string providerConfig, bool ready, JsonObject manifest, JsonObject remoteStatus)
    {
        var remote = manifest.DeepClone().AsObject();
        remote["status"] = remoteStatus;
        return new JsonObject
        {
            ["apiVersion"] = "kubernetes.m.crossplane.io/v1alpha1",
            ["kind"] = "Object",
            ["spec"] = new JsonObject
            {
                ["providerConfigRef"] = new JsonObject { ["kind"] = "ClusterProviderConfig", ["name"] = providerConfig },
                ["forProvider"] = new JsonObject { ["manifest"] = manifest },
            },
            ["status"] = new JsonObject
            {
                ["atProvider"] = new JsonObject { ["manifest"] = remote },
                ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = ready ? "True" : "False" }),
            },
        };
    }

    private sealed class ObservedSet : Dictionary<string, JsonObject>
    {
        public ObservedSet() : base(StringComparer.Ordinal)
        {
        }

        public ObservedSet With(string key, JsonObject value)
        {
            this[key] = value;
            return this;
        }
    }
}
