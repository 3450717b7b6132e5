// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Modelplane.Apis.InferenceClusters;
using Modelplane.Apis.ModelDeployments;
using Modelplane.Apis.ModelReplicas;
using Modelplane.Apis.ModelServices;
using Modelplane.Kubernetes.Crossplane;
using Modelplane.Sdk;

namespace Modelplane.Functions.ModelReplicas;

/// <summary>Deploys one ModelReplica's engines and routing on its InferenceCluster, through provider-kubernetes Objects.</summary>
/// <remarks>
/// <para>
/// A replica is pinned to one cluster. We require that InferenceCluster for the name of the
/// ClusterProviderConfig that reaches it, and wrap everything we place there in a namespaced
/// <c>Object</c>. Each engine becomes a Deployment (one Standalone member) or a LeaderWorkerSet (a
/// Leader and a Worker spanning nodes), with one DRA ResourceClaimTemplate per member that claims
/// devices (<see cref="Workloads"/>). Every replica is then fronted by an HTTPRoute, an InferencePool
/// and an endpoint picker (<see cref="Routing"/>); PrefillDecode differs only in the picker's
/// configuration and in the decode engine's sidecar.
/// </para>
/// <para>
/// Readiness: an engine's Object is Ready when its workload reports <c>Available</c>; every other
/// Object is ready once it is observed. So the replica is Ready, and the ModelDeployment publishes its
/// ModelEndpoint, when every engine serves and every routing object exists. ModelAccepted says the
/// provider has applied every workload; ModelReady says they all serve.
/// </para>
/// <para>
/// A spec we cannot build from is a Fatal result: Crossplane applies nothing, so what runs keeps
/// running. Unlike upstream, a cluster that disappears or loses its provider config does not drop
/// the replica's objects: while observed Objects name a provider config we keep composing on it and
/// warn, since an empty desired state would delete every remote workload.
/// </para>
/// </remarks>
public static class ModelReplicaComposer
{
    public static Composer Composer { get; } = new("model-replica", Compose, "ModelReplica.modelplane.ai");

    // Conditions this function owns, upstream's names.
    public const string ModelAccepted = "ModelAccepted";
    public const string ModelReady = "ModelReady";
    public const string ReasonAccepted = "Accepted";
    public const string ReasonDeploying = "Deploying";
    public const string ReasonWaitingForCluster = "WaitingForCluster";
    public const string ReasonInvalidSpec = "InvalidSpec";
    public const string ReasonServing = "Serving";
    public const string ReasonModelStarting = "ModelStarting";
    public const string ReasonWaitingForModel = "WaitingForModel";

    // The requirement key, upstream's literal; the cluster is cluster-scoped, fetched by name.
    public const string ClusterKey = "cluster";
    private const string ClusterApiVersion = "modelplane.ai/v1alpha1";
    private const string ClusterKind = "InferenceCluster";

    // Remote Object readiness: Deployments and LWSs publish Available, not Ready; has() keeps the
    // query false rather than failing before the remote status exists.
    public const string AvailableCel =
        "has(object.status.conditions) && object.status.conditions.exists(c, c.type == \"Available\" && c.status == \"True\")";

    private const string WaitingForCluster = "Waiting for cluster to be resolved";
    private const string WaitingForProviderConfig = "Waiting for cluster providerConfigRef";

    public static Composition Compose(FunctionRequest req)
    {
        var xr = req.ReadComposite(ModelReplicaJsonContext.Default.ModelReplica);
        if (ReplicaCheck.Problem(xr) is { } problem)
        {
            var message = $"invalid ModelReplica \"{req.Name}\": {problem}";
            return new Composition
            {
                Requirements = xr.Spec?.ClusterName is { Length: > 0 } c ? Requirements(c, req.Namespace) : new Dictionary<string, Requirement>(),
                Conditions = [Condition.False(ModelAccepted, ReasonInvalidSpec, message), Condition.False(ModelReady, ReasonWaitingForModel)],
                Results = [Result.Fatal(message, ReasonInvalidSpec)],
            };
        }
        var spec = xr.Spec!;
        var requirements = Requirements(spec.ClusterName!, req.Namespace);
        var (providerConfig, waiting) = ProviderConfig(req, spec.ClusterName!);
        var kept = req.Observed.Keys.Where(k => req.Observed[k].Resource.StringAt("spec.providerConfigRef.name") is { Length: > 0 }).ToArray();
        var lastProviderConfig = kept.Length > 0 ? req.Observed[kept[0]].Resource.StringAt("spec.providerConfigRef.name") : null;
        if (providerConfig is null && (lastProviderConfig is null || !req.Required.IsResolved(ClusterKey)))
        {
            return new Composition
            {
                Requirements = requirements,
                Conditions = [Condition.False(ModelAccepted, ReasonWaitingForCluster), Condition.False(ModelReady, ReasonWaitingForModel)],
                Results = [Result.Normal(waiting!)],
            };
        }

        var replica = new ReplicaIdentity(req.Name, xr.Metadata!.Namespace!, spec.ModelCacheRef?.Name is { Length: > 0 } cache ? ChildName.Of("modelcache", xr.Metadata.Namespace!, cache) : null);
        var manifests = Manifests(replica, spec, Routing.Splits(req.Required.Get(Routing.ServicesKey), xr.Metadata.Labels));
        var workloadKeys = spec.Engines!.Select(e => Workloads.WorkloadKey(e.Name!)).ToArray();
        var resources = Desired(manifests, providerConfig ?? lastProviderConfig!, workloadKeys, req.Observed);
        if (providerConfig is null)
        {
            // The cluster is gone or unreachable: keep what runs, but never call it Ready.
            var why = waiting == WaitingForCluster ? "it was not found" : "it publishes no status.providerConfigRef";
            var message = $"cannot reach InferenceCluster \"{spec.ClusterName}\": {why}; keeping the replica's objects on their last provider config \"{lastProviderConfig}\" until it returns";
            return new Composition
            {
                Requirements = requirements,
                Resources = resources,
                CompositeReady = Readiness.NotReady,
                Conditions = [Condition.False(ModelAccepted, ReasonWaitingForCluster, message), Condition.False(ModelReady, ReasonWaitingForModel)],
                Results = [Result.Warning(message, ReasonWaitingForCluster)],
            };
        }
        return new Composition
        {
            Requirements = requirements,
            Resources = resources,
            Conditions = [Accepted(workloadKeys, req.Observed), Ready(workloadKeys, req.Observed), Routing.Honoured(req.Observed, spec.ClusterName!)],
            Results = workloadKeys.Any(req.Observed.ContainsKey) ? [] : [Result.Normal($"Composing {FirstImage(spec)} on {spec.ClusterName}")],
        };
    }

    // The namespace's ModelServices too: their model splits become the pool's InferenceModelRewrites.
    private static Dictionary<string, Requirement> Requirements(string cluster, string? ns)
    {
        var requirements = new Dictionary<string, Requirement>(StringComparer.Ordinal)
        {
            [ClusterKey] = Requirement.Named(ClusterApiVersion, ClusterKind, cluster),
        };
        if (ns is { Length: > 0 })
        {
            requirements[Routing.ServicesKey] = Routing.ServicesRequirement(ns);
        }
        return requirements;
    }

    /// <summary>The cluster's provider config name, or null and why we are waiting for it.</summary>
    private static (string? Name, string? Waiting) ProviderConfig(FunctionRequest req, string cluster)
    {
        var found = req.Required.Read(ClusterKey, InferenceClusterJsonContext.Default.InferenceCluster)
            .FirstOrDefault(c => c.Metadata?.Name is null || c.Metadata.Name == cluster);
        if (found is null)
        {
            return (null, WaitingForCluster);
        }
        return found.Status?.ProviderConfigRef?.Name is { Length: > 0 } name ? (name, null) : (null, WaitingForProviderConfig);
    }

    /// <summary>Every remote manifest by key: engines and their claims in spec order, then routing.</summary>
    private static List<KeyValuePair<string, (JsonObject Manifest, bool Workload)>> Manifests(
        ReplicaIdentity replica, ModelReplicaSpec spec, IReadOnlyList<(string Service, ModelSplit Split)> splits)
    {
        var engines = spec.Engines!;
        var disaggregated = spec.Serving?.Mode == ServingMode.PrefillDecode;
        var manifests = new List<KeyValuePair<string, (JsonObject, bool)>>();
        var built = engines.Select(e => Workloads.Build(replica, e, disaggregated ? Disaggregation(e) : null)).ToArray();
        foreach (var engine in built)
        {
            manifests.Add(KeyValuePair.Create(engine.Key, (engine.Workload, true)));
            manifests.AddRange(engine.Claims.Select(c => KeyValuePair.Create(c.Key, (c.Value, false))));
        }
        // The prefix-cache producer must assume the block size of the engine that holds the cache:
        // the first engine's, or under PrefillDecode the decode engine's.
        var cacheHolder = disaggregated ? Array.FindIndex(engines.ToArray(), e => e.Phase == EnginePhase.Decode) : 0;
        var blockSize = EngineArgs.BlockSize(built[cacheHolder].ServingArgs);
        var config = disaggregated ? EppConfig.Disaggregated(blockSize) : EppConfig.Unified(blockSize);
        manifests.AddRange(Routing.Resources(replica, config, splits).Select(r => KeyValuePair.Create(r.Key, (r.Value, r.Key == Routing.EppKey))));
        return manifests;
    }

    private static Disaggregation Disaggregation(ReplicaEngine engine) =>
        engine.Phase == EnginePhase.Decode
            ? new(EnginePhase.Decode, EngineArgs.DecodePort(Workloads.ServingMember(engine).Template!.Spec!.Containers![0].Args ?? [])!.Value)
            : new(EnginePhase.Prefill, Workloads.EnginePort);

    /// <summary>Each manifest in its Object envelope, marked ready as upstream does: workloads when Ready, the rest once observed.</summary>
    private static Dictionary<string, DesiredResource> Desired(
        List<KeyValuePair<string, (JsonObject Manifest, bool Available)>> manifests, string providerConfig,
        string[] workloadKeys, IReadOnlyDictionary<string, ObservedResource> observed)
    {
        var resources = new Dictionary<string, DesiredResource>(StringComparer.Ordinal);
        foreach (var (key, (manifest, available)) in manifests)
        {
            var envelope = new KubernetesObject
            {
                Spec = new KubernetesObjectSpec
                {
                    ProviderConfigRef = new Modelplane.Kubernetes.Crossplane.ProviderConfigReference { Kind = "ClusterProviderConfig", Name = providerConfig },
                    Readiness = available
                        ? new ObjectReadiness { Policy = ObjectReadiness.DeriveFromCelQuery, CelQuery = AvailableCel }
                        : new ObjectReadiness { Policy = ObjectReadiness.SuccessfulCreate },
                    ForProvider = new ObjectParameters { Manifest = manifest },
                },
            };
            bool? ready = !observed.TryGetValue(key, out var seen) ? null
                : workloadKeys.Contains(key) ? (seen.IsReady ? true : null)
                : true;
            resources[key] = DesiredResource.From(envelope, ProviderKubernetesJsonContext.Default.KubernetesObject, ready);
        }
        return resources;
    }

    private static Condition Accepted(string[] workloadKeys, IReadOnlyDictionary<string, ObservedResource> observed) =>
        workloadKeys.All(k => IsAccepted(k, observed))
            ? Condition.True(ModelAccepted, ReasonAccepted)
            : Condition.False(ModelAccepted, ReasonDeploying);

    private static Condition Ready(string[] workloadKeys, IReadOnlyDictionary<string, ObservedResource> observed) =>
        workloadKeys.All(k => observed.TryGetValue(k, out var o) && o.IsReady) ? Condition.True(ModelReady, ReasonServing)
        : workloadKeys.All(k => IsAccepted(k, observed)) ? Condition.False(ModelReady, ReasonModelStarting)
        : Condition.False(ModelReady, ReasonWaitingForModel);

    /// <summary>Provider-kubernetes has seen the remote object once it reports the manifest it observed.</summary>
    private static bool IsAccepted(string key, IReadOnlyDictionary<string, ObservedResource> observed) =>
        observed.TryGetValue(key, out var o) && o.Resource.ObjectAt("status.atProvider.manifest", key) is { Count: > 0 };

    private static string? FirstImage(ModelReplicaSpec spec) =>
        spec.Engines![0].Members![0].Template!.Spec!.Containers![0].Image;
}
