// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json;
using System.Text.Json.Nodes;
using Modelplane.Apis.InferenceClusters;
using Modelplane.Apis.ModelCaches;
using Modelplane.Sdk;

namespace Modelplane.Functions.ModelCaches;

/// <summary>Stages a model's weights once per InferenceCluster that needs them, and reclaims copies nothing uses.</summary>
/// <remarks>
/// <para>
/// Per cluster, upstream's shape: a ReadWriteMany claim on the cluster's cache class
/// (<c>status.cache.storageClassName</c>; a cluster without one can hold no copy) and a one-shot
/// hydration Job, wrapped in provider-kubernetes Objects on the cluster's ClusterProviderConfig
/// (<see cref="CacheManifests"/>, <see cref="CacheCopies"/>). The Hugging Face token is copied to a
/// cluster as a Secret only while its Job runs there.
/// </para>
/// <para>
/// Beyond upstream, staging follows placement. Upstream copies to every cluster the selector
/// matches, whether or not anything there will read it, and can call itself Ready before any copy
/// is. Here the cache requires the ModelReplicas that use it (the ModelDeployment labels each with
/// <c>modelplane.ai/modelcache</c>), stages where they run or are about to, and is Ready only when
/// every such cluster is hydrated. A copy nothing uses any more is kept for
/// <c>staging.reclaimAfterSeconds</c> (a replica that comes back starts warm), timed by a sleeping Job
/// on that cluster since a function has no clock, then reclaimed. <c>staging.policy: Eager</c> keeps
/// upstream's copy-everywhere behaviour. Status lists each cluster holding a copy, its phase, and
/// why it holds one (the replicas, the policy, or the grace period).
/// </para>
/// <para>
/// No cycle: the deployment reads the cache (its selector, which clusters are hydrated, which
/// failed) to place, and the cache reads the replicas the deployment composed to stage. Neither
/// waits for the other; each converges on the other's last state.
/// </para>
/// <para>
/// A failed hydration on one cluster leaves the others alone: each cluster has its own Job, the
/// failure's reason is in that cluster's status and the ArtifactReady condition, and the cluster
/// stays Failed until Kubernetes removes the finished Job and the provider runs it again.
/// </para>
/// </remarks>
public static class ModelCacheComposer
{
    public static Composer Composer { get; } = new("model-cache", Compose, "ModelCache.modelplane.ai");

    // Conditions this function owns, upstream's names and reasons, plus NoConsumers and Unstageable.
    public const string ClustersMatched = "ClustersMatched";
    public const string ArtifactReady = "ArtifactReady";
    public const string ReasonMatched = "Matched";
    public const string ReasonNoClusters = "NoClusters";
    public const string ReasonNoConsumers = "NoConsumers";
    public const string ReasonAuthSecretMissing = "AuthSecretMissing";
    public const string ReasonFailed = "Failed";
    public const string ReasonUnstageable = "Unstageable";
    public const string ReasonStaged = "Staged";
    public const string ReasonPartial = "Partial";
    public const string ReasonHydrating = "Hydrating";
    public const string ReasonInvalidSpec = "InvalidSpec";

    // Requirement keys: upstream's two, and the replicas that use the cache.
    public const string ClustersKey = "clusters";
    public const string AuthSecretKey = "auth-secret";
    public const string ReplicasKey = "replicas";

    private const string ApiVersion = "modelplane.ai/v1alpha1";

    public static Composition Compose(FunctionRequest req)
    {
        var xr = req.ReadComposite(ModelCacheJsonContext.Default.ModelCache);
        if (Problem(req, xr) is { } problem)
        {
            var message = $"invalid ModelCache \"{req.Name}\": {problem}";
            return new Composition
            {
                CompositeReady = Readiness.NotReady,
                Conditions = [Condition.False(ArtifactReady, ReasonInvalidSpec, message)],
                Results = [Result.Fatal(message, ReasonInvalidSpec)],
            };
        }
        var spec = xr.Spec!;
        var hf = spec.HuggingFace!;
        var ns = req.Namespace!;
        var requirements = Requirements(ns, req.Name, spec);
        if (!req.Required.IsResolved(ClustersKey) || !req.Required.IsResolved(ReplicasKey)
            || (hf.AuthSecret is not null && !req.Required.IsResolved(AuthSecretKey)))
        {
            // Crossplane fetches them and calls again before applying anything.
            return new Composition { Requirements = requirements };
        }

        var token = Token(req, hf.AuthSecret);
        var recipe = new CacheRecipe(
            new CacheIdentity(req.Name, ns), hf.Repo!, hf.Revision, hf.SizeGiB!.Value,
            spec.Staging?.ReclaimAfterSeconds ?? CacheStaging.DefaultReclaimAfterSeconds, token);
        var targets = Targets(req);
        var consumers = Consumers(req);
        var previous = (xr.Status?.Clusters ?? []).Where(c => c.Name is { Length: > 0 } && c.Phase is not null)
            .GroupBy(c => c.Name!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Phase!.Value, StringComparer.Ordinal);
        var copies = Copies(req, recipe, spec.Staging?.Policy ?? StagingPolicy.OnDemand, targets, consumers, previous);

        var served = copies.Where(c => c.Serves).ToArray();
        var ready = served.Count(c => c.Phase == CachePhase.Ready);
        var stageable = targets.Values.Count(t => t.Problem is null);
        var artifact = Artifact(req, hf, recipe, served, stageable);
        return new Composition
        {
            Requirements = requirements,
            Resources = Resources(req, copies),
            Status = Status(copies, ready, served.Length),
            CompositeReady = artifact.Reason == ReasonStaged ? Readiness.Ready : Readiness.NotReady,
            Conditions = [Matched(targets), artifact],
            Results = Events(req, hf, recipe, copies, served, artifact, previous),
        };
    }

    // The XRD rejects these; a request that slips by still gets the field and the fix.
    private static string? Problem(FunctionRequest req, ModelCache xr)
    {
        if (req.Namespace is not { Length: > 0 })
        {
            return "metadata.namespace is empty; a ModelCache is namespaced, like the deployments that mount it";
        }
        if (xr.Spec?.HuggingFace is not { } hf)
        {
            return "spec.huggingFace is required when spec.source is HuggingFace";
        }
        if (hf.Repo is not { Length: > 0 })
        {
            return "spec.huggingFace.repo is empty; name the repository, e.g. Qwen/Qwen3-0.6B";
        }
        return hf.SizeGiB is not > 0 ? "spec.huggingFace.sizeGiB must be a positive number of GiB" : null;
    }

    private static Dictionary<string, Requirement> Requirements(string ns, string name, ModelCacheSpec spec)
    {
        var requirements = new Dictionary<string, Requirement>(StringComparer.Ordinal)
        {
            [ClustersKey] = spec.ClusterSelector?.MatchLabels is { Count: > 0 } labels
                ? Requirement.Labelled(ApiVersion, "InferenceCluster", labels)
                : Requirement.All(ApiVersion, "InferenceCluster"),
            [ReplicasKey] = Requirement.Labelled(ApiVersion, "ModelReplica", new Dictionary<string, string>(StringComparer.Ordinal) { [ModelCache.ConsumerLabel] = name }, ns),
        };
        if (spec.HuggingFace?.AuthSecret?.Name is { Length: > 0 } secret)
        {
            requirements[AuthSecretKey] = Requirement.Named("v1", "Secret", secret, ns);
        }
        return requirements;
    }

    /// <summary>Upstream's best effort: the Secret's value under the key, copied verbatim, or missing.</summary>
    private static TokenState Token(FunctionRequest req, AuthSecretReference? auth)
    {
        if (auth is null)
        {
            return new TokenState(null, Missing: false);
        }
        var key = auth.Key is { Length: > 0 } k ? k : AuthSecretReference.DefaultKey;
        var value = req.Required.Single(AuthSecretKey)?["data"] is JsonObject data && data[key] is JsonValue v && v.GetValueKind() == JsonValueKind.String
            ? v.GetValue<string>()
            : null;
        return value is { Length: > 0 } ? new TokenState(new Token(key, value), Missing: false) : new TokenState(null, Missing: true);
    }

    /// <summary>Every fetched cluster by name: stageable, or why not (upstream gates on the provider config and the cache class).</summary>
    private static SortedDictionary<string, CacheTarget> Targets(FunctionRequest req)
    {
        var targets = new SortedDictionary<string, CacheTarget>(StringComparer.Ordinal);
        var clusters = req.Required.Get(ClustersKey);
        for (var i = 0; i < clusters.Count; i++)
        {
            var at = $"required[{ClustersKey}][{i}]";
            if (clusters[i].StringAt("metadata.name", at) is not { Length: > 0 } name || targets.ContainsKey(name))
            {
                continue;
            }
            var status = clusters[i]["status"] is { } node ? FunctionRequest.Read(node, InferenceClusterJsonContext.Default.InferenceClusterStatus, $"{at}.status") : null;
            var providerConfig = status?.ProviderConfigRef?.Name is { Length: > 0 } pc ? pc : null;
            var storageClass = status?.Cache?.StorageClassName is { Length: > 0 } sc ? sc : null;
            var problem = providerConfig is null ? $"InferenceCluster {name} has not published status.providerConfigRef yet"
                : storageClass is null ? $"InferenceCluster {name} has no cache storage (status.cache.storageClassName is empty); give it a ReadWriteMany class or keep the deployment off it"
                : null;
            targets[name] = new CacheTarget(name, providerConfig, storageClass, problem);
        }
        return targets;
    }

    /// <summary>The replicas that mount the cache, by cluster, names in order; a labelled replica that names another cache is not one.</summary>
    private static SortedDictionary<string, List<string>> Consumers(FunctionRequest req)
    {
        var consumers = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        var replicas = req.Required.Get(ReplicasKey);
        for (var i = 0; i < replicas.Count; i++)
        {
            var at = $"required[{ReplicasKey}][{i}]";
            if (replicas[i].StringAt("spec.modelCacheRef.name", at) != req.Name
                || replicas[i].StringAt("spec.clusterName", at) is not { Length: > 0 } cluster
                || replicas[i].StringAt("metadata.name", at) is not { Length: > 0 } name)
            {
                continue;
            }
            if (!consumers.TryGetValue(cluster, out var names))
            {
                consumers[cluster] = names = [];
            }
            names.Add(name);
        }
        foreach (var names in consumers.Values)
        {
            names.Sort(StringComparer.Ordinal);
        }
        return consumers;
    }

    /// <summary>One decision per cluster that must hold a copy or still does, in name order.</summary>
    private static List<ClusterCopy> Copies(
        FunctionRequest req, CacheRecipe recipe, StagingPolicy policy, SortedDictionary<string, CacheTarget> targets,
        SortedDictionary<string, List<string>> consumers, Dictionary<string, CachePhase> previous)
    {
        var wanted = new SortedDictionary<string, CopyReason>(StringComparer.Ordinal);
        if (policy == StagingPolicy.Eager)
        {
            foreach (var target in targets.Values.Where(t => t.Problem is null))
            {
                wanted[target.Name] = CopyReason.Eager;
            }
        }
        foreach (var cluster in consumers.Keys)
        {
            wanted[cluster] = CopyReason.Replicas;
        }
        var idle = req.Observed.Keys
            .Where(k => k.StartsWith("pvc-", StringComparison.Ordinal) && !wanted.ContainsKey(k[4..]))
            .Select(k => k[4..]);

        var copies = new List<ClusterCopy>();
        foreach (var cluster in wanted.Keys.Concat(idle).Distinct().Order(StringComparer.Ordinal))
        {
            var claim = req.Observed.GetValueOrDefault(CacheCopies.ClaimKey(cluster));
            var seen = new CopyObservation(
                claim is not null,
                claim?.Resource.StringAt("status.atProvider.manifest.status.phase") == "Bound",
                claim?.Resource.StringAt("spec.providerConfigRef.name"),
                CacheCopies.Job(req.Observed.GetValueOrDefault(CacheCopies.HydrateKey(cluster))),
                CacheCopies.Job(req.Observed.GetValueOrDefault(CacheCopies.TimerKey(cluster))),
                previous.TryGetValue(cluster, out var p) ? p : null);
            var target = targets.GetValueOrDefault(cluster);
            copies.Add(wanted.TryGetValue(cluster, out var reason)
                ? CacheCopies.Wanted(recipe, cluster, reason, consumers.GetValueOrDefault(cluster) ?? [], target, seen, claim?.Resource)
                : CacheCopies.Idle(recipe, cluster, target, seen, claim!.Resource));
        }
        return copies;
    }

    // Every key is marked ready once its observed Object is, as upstream marks the keys it composes.
    private static Dictionary<string, DesiredResource> Resources(FunctionRequest req, List<ClusterCopy> copies)
    {
        var resources = new Dictionary<string, DesiredResource>(StringComparer.Ordinal);
        foreach (var (key, resource) in copies.SelectMany(c => c.Resources))
        {
            resources[key] = req.Observed.TryGetValue(key, out var o) && o.IsReady ? resource with { Ready = Readiness.Ready } : resource;
        }
        return resources;
    }

    private static JsonObject Status(List<ClusterCopy> copies, int ready, int served)
    {
        var status = new ModelCacheStatus
        {
            Summary = new CacheSummary { Ready = $"{ready}/{served}" },
            Clusters = copies.Where(c => c.Reclaimed is null).Select(c => new CacheClusterStatus
            {
                Name = c.Name,
                Phase = c.Phase,
                Reason = c.Reason,
                Replicas = c.Replicas.Count > 0 ? c.Replicas : null,
                Message = c.Message,
            }).ToArray(),
        };
        return Composition.StatusOf(status, ModelCacheJsonContext.Default.ModelCacheStatus);
    }

    private static Condition Matched(SortedDictionary<string, CacheTarget> targets)
    {
        var stageable = targets.Values.Where(t => t.Problem is null).Select(t => t.Name).ToArray();
        return stageable.Length > 0
            ? Condition.True(ClustersMatched, ReasonMatched, $"{Plural(stageable.Length, "cluster")} can hold a copy: {string.Join(", ", stageable)}")
            : Condition.False(ClustersMatched, ReasonNoClusters,
                "no InferenceCluster matches spec.clusterSelector with a provider config and cache storage (status.cache.storageClassName)");
    }

    // Upstream's order: no clusters, missing token, a failure, all Ready, some Ready, none; plus ours.
    private static Condition Artifact(FunctionRequest req, HuggingFaceSource hf, CacheRecipe recipe, ClusterCopy[] served, int stageable)
    {
        var ready = served.Count(c => c.Phase == CachePhase.Ready);
        if (stageable == 0 && served.Length == 0)
        {
            return Condition.False(ArtifactReady, ReasonNoClusters, "no cluster can hold a copy");
        }
        if (served.Length == 0)
        {
            return Condition.False(ArtifactReady, ReasonNoConsumers,
                "no ModelReplica uses the cache; it stages to a cluster when a ModelDeployment places a replica there (staging.policy OnDemand), or set staging.policy Eager to stage everywhere it matches");
        }
        if (recipe.Token.Missing && ready < served.Length)
        {
            return Condition.False(ArtifactReady, ReasonAuthSecretMissing, $"{TokenMissing(req, hf)}; create it or fix spec.huggingFace.authSecret");
        }
        if (served.Where(c => c.Phase == CachePhase.Failed).ToArray() is { Length: > 0 } failed)
        {
            var each = string.Join("; ", failed.Select(c => $"{c.Name}: {c.Message}"));
            return Condition.False(ArtifactReady, ReasonFailed, $"hydration failed on {Plural(failed.Length, "cluster")} ({ready}/{served.Length} hydrated; the others continue): {each}");
        }
        if (served.Where(c => !c.Stageable).ToArray() is { Length: > 0 } stuck)
        {
            var each = string.Join("; ", stuck.Select(c => $"{c.Name} ({string.Join(", ", c.Replicas)}): {c.Message}"));
            return Condition.False(ArtifactReady, ReasonUnstageable, $"ModelReplicas run where no copy can exist, so their volume cannot mount: {each}");
        }
        var names = string.Join(", ", served.Select(c => c.Name));
        if (ready == served.Length)
        {
            return Condition.True(ArtifactReady, ReasonStaged, $"hydrated on every cluster it serves: {names}");
        }
        var waiting = string.Join(", ", served.Where(c => c.Phase != CachePhase.Ready).Select(c => $"{c.Name} ({c.Phase})"));
        return ready > 0
            ? Condition.False(ArtifactReady, ReasonPartial, $"{ready}/{served.Length} clusters hydrated; waiting for {waiting}")
            : Condition.False(ArtifactReady, ReasonHydrating, $"waiting for {waiting}");
    }

    // Upstream's order: the warning first, then staging news. Failures and reclaims are ours.
    private static List<Result> Events(
        FunctionRequest req, HuggingFaceSource hf, CacheRecipe recipe, List<ClusterCopy> copies, ClusterCopy[] served,
        Condition artifact, Dictionary<string, CachePhase> previous)
    {
        var results = new List<Result>();
        if (artifact.Reason == ReasonAuthSecretMissing)
        {
            results.Add(Result.Warning(TokenMissing(req, hf)));
        }
        foreach (var failed in served.Where(c => c.Phase == CachePhase.Failed && previous.GetValueOrDefault(c.Name) != CachePhase.Failed))
        {
            results.Add(Result.Warning($"hydration of {recipe.Repo} failed on {failed.Name}: {failed.Message}", ReasonFailed));
        }
        var staging = served.Where(c => c.Stageable && !req.Observed.ContainsKey(CacheCopies.ClaimKey(c.Name))).Select(c => c.Name).ToArray();
        if (staging.Length > 0)
        {
            results.Add(Result.Normal($"Staging {recipe.Repo} to {staging.Length} clusters: {string.Join(", ", staging)}"));
        }
        if (artifact.Reason == ReasonStaged && req.Composite.ConditionStatus("Ready") != "True")
        {
            results.Add(Result.Normal($"Artifact staged on all {served.Length} clusters"));
        }
        foreach (var reclaimed in copies.Where(c => c.Reclaimed is not null))
        {
            results.Add(Result.Normal($"Reclaiming the copy on {reclaimed.Name}: {reclaimed.Reclaimed}"));
        }
        return results;
    }

    private static string TokenMissing(FunctionRequest req, HuggingFaceSource hf) =>
        $"authSecret {req.Namespace}/{hf.AuthSecret!.Name} is missing or has no key '{(hf.AuthSecret.Key is { Length: > 0 } k ? k : AuthSecretReference.DefaultKey)}'";

    private static string Plural(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";
}
