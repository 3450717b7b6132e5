// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Globalization;
using System.Text.Json.Nodes;
using Modelplane.Apis.ModelCaches;
using Modelplane.Sdk;

namespace Modelplane.Functions.ModelCaches;

/// <summary>An InferenceCluster as the cache sees it: where to reach it, its cache class, or why a copy cannot exist there.</summary>
internal sealed record CacheTarget(string Name, string? ProviderConfig, string? StorageClass, string? Problem);

/// <summary>How the hydration Job on a cluster last reported.</summary>
internal enum JobState
{
    Absent,
    Running,
    Complete,
    Failed,
}

internal sealed record JobReport(JobState State, string? Why = null);

/// <summary>What Crossplane observed of one cluster's copy.</summary>
internal sealed record CopyObservation(bool ClaimObserved, bool Bound, string? ProviderConfig, JobReport Hydrate, JobReport Timer, CachePhase? Previous);

/// <summary>What the cache wants on one cluster: its phase and why, and the remote objects by key.</summary>
/// <remarks><c>Serves</c>: the cluster counts toward readiness (a replica there uses the cache, or the policy is Eager).
/// <c>Stageable</c>: a copy can exist there. <c>Reclaimed</c>: why the copy was just reclaimed (nothing is composed for it any more), or null.</remarks>
internal sealed record ClusterCopy(
    string Name,
    CachePhase Phase,
    CopyReason Reason,
    IReadOnlyList<string> Replicas,
    string Message,
    IReadOnlyList<KeyValuePair<string, DesiredResource>> Resources,
    bool Serves,
    bool Stageable,
    string? Reclaimed = null);

/// <summary>The token to hand to hydration Jobs: none needed, present, or asked for but missing.</summary>
internal sealed record TokenState(Token? Token, bool Missing);

/// <summary>Everything a per-cluster decision needs that is the same for every cluster.</summary>
internal sealed record CacheRecipe(CacheIdentity Identity, string Repo, string? Revision, int SizeGiB, int ReclaimAfterSeconds, TokenState Token);

/// <summary>Decides, per cluster, which remote objects a copy needs and what phase it is in.</summary>
/// <remarks>
/// <para>
/// Phases are upstream's, read from what provider-kubernetes observed: Failed when the hydration Job
/// failed (over everything else), Ready when the claim is Bound and the Job completed or the cluster
/// was Ready before (the latch that survives the Job being dropped and cleaned up), Hydrating when
/// Bound, Pending otherwise. A Ready cluster loses its Job and its token; a Failed one keeps its Job
/// (so the failure stays visible until Kubernetes removes it and the provider creates it again, which
/// is the retry) but loses its token.
/// </para>
/// <para>
/// An idle copy (nothing there uses it any more) keeps its claim and gets a reclaim timer; when the
/// timer's Job finishes the copy is dropped, and provider-kubernetes deletes the claim. Kubernetes'
/// own claim protection holds the deletion while any pod still mounts it.
/// </para>
/// </remarks>
internal static class CacheCopies
{
    public static string ClaimKey(string cluster) => $"pvc-{cluster}";

    public static string HydrateKey(string cluster) => $"hydrate-{cluster}";

    public static string TokenKey(string cluster) => $"auth-{cluster}";

    public static string TimerKey(string cluster) => $"reclaim-{cluster}";

    /// <summary>A cluster a ModelReplica uses, or the Eager policy selects.</summary>
    public static ClusterCopy Wanted(CacheRecipe recipe, string cluster, CopyReason reason, IReadOnlyList<string> replicas, CacheTarget? target, CopyObservation seen, JsonObject? observedClaim)
    {
        if (target?.Problem is not null || target?.ProviderConfig is null || target.StorageClass is null)
        {
            var problem = target?.Problem ?? $"InferenceCluster {cluster} is not matched by spec.clusterSelector; add its labels to the selector or move the replicas";
            // A copy that already exists is kept as it is: losing sight of the cluster must not delete it.
            var kept = observedClaim is null ? [] : new[] { KeyValuePair.Create(ClaimKey(cluster), DesiredResource.Of(Kept(observedClaim))) };
            return new ClusterCopy(cluster, CachePhase.Pending, reason, replicas, $"cannot stage here: {problem}", kept, Serves: true, Stageable: false);
        }

        var phase = Phase(seen);
        var resources = new List<KeyValuePair<string, DesiredResource>>
        {
            KeyValuePair.Create(ClaimKey(cluster), Desired(CacheManifests.Claim(recipe.Identity, target.StorageClass, recipe.SizeGiB), target.ProviderConfig, CacheManifests.BoundCel)),
        };
        if (phase != CachePhase.Ready && !recipe.Token.Missing)
        {
            resources.Add(KeyValuePair.Create(HydrateKey(cluster), Desired(
                CacheManifests.HydrateJob(recipe.Identity, recipe.Repo, recipe.Revision, recipe.Token.Token), target.ProviderConfig, CacheManifests.CompleteCel, orphanOnDelete: true)));
            if (recipe.Token.Token is { } token && phase != CachePhase.Failed)
            {
                resources.Add(KeyValuePair.Create(TokenKey(cluster), Desired(CacheManifests.TokenSecret(recipe.Identity, token), target.ProviderConfig, celQuery: null)));
            }
        }
        return new ClusterCopy(cluster, phase, reason, replicas, Message(recipe, phase, seen), resources, Serves: true, Stageable: true);
    }

    /// <summary>A cluster that holds a copy nothing uses any more: kept through the grace period, then reclaimed.</summary>
    public static ClusterCopy Idle(CacheRecipe recipe, string cluster, CacheTarget? target, CopyObservation seen, JsonObject observedClaim)
    {
        var grace = recipe.ReclaimAfterSeconds;
        var providerConfig = target?.Problem is null && target?.ProviderConfig is { } pc ? pc : seen.ProviderConfig;
        var phase = seen.Bound ? seen.Previous ?? CachePhase.Hydrating : CachePhase.Pending;
        if (grace == 0 || providerConfig is null)
        {
            var why = grace == 0 ? "no ModelReplica uses it and staging.reclaimAfterSeconds is 0" : "no ModelReplica uses it and its cluster has no provider config to time the grace period";
            return new ClusterCopy(cluster, phase, CopyReason.GracePeriod, [], why, [], Serves: false, Stageable: false, Reclaimed: why);
        }
        if (seen.Timer.State is JobState.Complete or JobState.Failed)
        {
            var why = $"no ModelReplica has used it for {Duration(grace)}";
            return new ClusterCopy(cluster, phase, CopyReason.GracePeriod, [], why, [], Serves: false, Stageable: false, Reclaimed: why);
        }
        var claim = target?.Problem is null && target?.StorageClass is { } storageClass
            ? Desired(CacheManifests.Claim(recipe.Identity, storageClass, recipe.SizeGiB), providerConfig, CacheManifests.BoundCel)
            : DesiredResource.Of(Kept(observedClaim));
        var timer = Desired(CacheManifests.ReclaimTimer(recipe.Identity, grace), providerConfig, CacheManifests.CompleteCel);
        return new ClusterCopy(
            cluster, phase, CopyReason.GracePeriod, [],
            $"no ModelReplica uses the copy; it is reclaimed {Duration(grace)} after that unless one returns",
            [KeyValuePair.Create(ClaimKey(cluster), claim), KeyValuePair.Create(TimerKey(cluster), timer)],
            Serves: false, Stageable: true);
    }

    /// <summary>Upstream's precedence: Failed, then Ready (or latched Ready while Bound), then Hydrating while Bound, else Pending.</summary>
    public static CachePhase Phase(CopyObservation seen) => seen switch
    {
        { Hydrate.State: JobState.Failed } => CachePhase.Failed,
        { Bound: true, Hydrate.State: JobState.Complete } => CachePhase.Ready,
        { Bound: true, Previous: CachePhase.Ready } => CachePhase.Ready,
        { Bound: true } => CachePhase.Hydrating,
        _ => CachePhase.Pending,
    };

    /// <summary>How a Job reported, from the manifest provider-kubernetes observed.</summary>
    public static JobReport Job(ObservedResource? observed)
    {
        if (observed?.Resource.At("status.atProvider.manifest") is not JsonObject manifest)
        {
            return new JobReport(JobState.Absent);
        }
        if (manifest.At("status.conditions") is JsonArray conditions)
        {
            foreach (var condition in conditions.OfType<JsonObject>())
            {
                if (Text(condition["status"]) != "True")
                {
                    continue;
                }
                switch (Text(condition["type"]))
                {
                    case "Failed":
                        var reason = Text(condition["reason"]);
                        var message = Text(condition["message"]);
                        var why = string.Join(": ", new[] { reason, message }.Where(s => s is { Length: > 0 }));
                        return new JobReport(JobState.Failed, why.Length > 0 ? why : "the Job reports Failed");
                    case "Complete":
                        return new JobReport(JobState.Complete);
                }
            }
        }
        return new JobReport(JobState.Running);
    }

    /// <summary>A duration as people write it: 1h, 30m, 90s, 1h30m.</summary>
    public static string Duration(int seconds)
    {
        if (seconds <= 0)
        {
            return "0s";
        }
        var parts = new List<string>(3);
        var (h, m, s) = (seconds / 3600, seconds % 3600 / 60, seconds % 60);
        if (h > 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{h}h"));
        }
        if (m > 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{m}m"));
        }
        if (s > 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{s}s"));
        }
        return string.Concat(parts);
    }

    private static string Message(CacheRecipe recipe, CachePhase phase, CopyObservation seen) => phase switch
    {
        CachePhase.Ready => "weights hydrated",
        CachePhase.Failed => $"hydration Job failed: {seen.Hydrate.Why}; Kubernetes removes the failed Job after {CacheManifests.HydrateTtlSeconds}s and it runs again (delete Job {recipe.Identity.HydrateJob} in namespace {CacheManifests.RemoteNamespace} to retry now)",
        _ when recipe.Token.Missing => "waiting for the authSecret's token before hydrating",
        CachePhase.Hydrating => $"downloading {recipe.Repo} into the volume",
        _ => "waiting for the PersistentVolumeClaim to bind",
    };

    // Readiness is set by the composer from what was observed, the same way for every key.
    private static DesiredResource Desired(JsonObject manifest, string providerConfig, string? celQuery, bool orphanOnDelete = false) =>
        DesiredResource.Of(CacheManifests.Envelope(manifest, providerConfig, celQuery, orphanOnDelete));

    // An observed Object re-emitted as it runs: its identity and spec, never its status or Crossplane's metadata.
    private static JsonObject Kept(JsonObject observed)
    {
        var kept = new JsonObject
        {
            ["apiVersion"] = observed["apiVersion"]?.DeepClone(),
            ["kind"] = observed["kind"]?.DeepClone(),
        };
        if (observed["spec"] is JsonObject spec)
        {
            kept["spec"] = spec.DeepClone();
        }
        return kept;
    }

    private static string? Text(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String ? v.GetValue<string>() : null;
}
