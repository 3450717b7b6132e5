// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Modelplane.Apis.ModelCaches;
using Modelplane.Kubernetes.Meta;
using Modelplane.Kubernetes.Core;
using Modelplane.Kubernetes.Crossplane;
using Modelplane.Sdk;

namespace Modelplane.Functions.ModelCaches;

/// <summary>Who the cache is on every workload cluster: its remote names and the label they all carry.</summary>
/// <remarks>The names include the namespace so same-named caches of two namespaces never share a volume; they are upstream's.</remarks>
internal sealed record CacheIdentity(string Name, string Namespace)
{
    public string Claim => ModelCache.ClaimName(Namespace, Name);

    public string HydrateJob => ChildName.Of("modelcache", Namespace, Name, "hydrate");

    public string TokenSecret => ChildName.Of("modelcache", Namespace, Name, "auth");

    public string ReclaimTimer => ChildName.Of("modelcache", Namespace, Name, "reclaim");

    public SortedDictionary<string, string> Labels => new(StringComparer.Ordinal) { [ModelCache.ConsumerLabel] = Name };
}

/// <summary>The token as the workload cluster's Secret carries it: the key, and the base64 value copied verbatim.</summary>
internal sealed record Token(string Key, string Base64);

/// <summary>The remote objects of one cluster's copy, each in its provider-kubernetes Object envelope.</summary>
/// <remarks>
/// <para>
/// The volume is a ReadWriteMany claim on the cluster's cache class, Ready once Bound. The hydration
/// Job downloads the repository into it and writes a marker file last, so an interrupted download
/// resumes and a partial directory (or <c>lost+found</c>) is never taken for a copy. The repository and
/// revision reach the script as environment variables, never spliced into it, so no repository name
/// can run as shell.
/// </para>
/// <para>
/// The Job's Object may observe, create and update but never delete: once the copy is Ready we drop it,
/// which orphans the remote Job, and its own <c>ttlSecondsAfterFinished</c> removes it together with the
/// pod that pins the claim. The token Secret's Object may delete, so dropping it when hydration ends
/// removes the token from the cluster.
/// </para>
/// <para>
/// The reclaim timer is how a pure function waits: it cannot read a clock, so an idle copy gets a Job
/// on its own cluster that sleeps for the grace period. When that Job completes the copy is reclaimed;
/// when a replica returns first, the timer is dropped (and deleted) and the copy stays.
/// </para>
/// </remarks>
internal static class CacheManifests
{
    public const string RemoteNamespace = "default";
    private const string ArtifactVolume = "artifact";
    private const string ArtifactPath = "/mnt/artifact";
    private const string RepoEnv = "MODELPLANE_REPO";
    private const string RevisionEnv = "MODELPLANE_REVISION";
    private const string TokenEnv = "HF_TOKEN";

    // Three retries cover a flaky mirror; more would hide a wrong repo for minutes.
    private const int HydrateBackoffLimit = 3;

    // Long enough to read the finished Job's status, short enough that the pod pinning the claim goes soon.
    public const int HydrateTtlSeconds = 180;

    // The hf CLI arrived in huggingface_hub 0.34.
    private const string HydrateScript =
        "set -e\n"
        + "if [ -f " + ArtifactPath + "/" + ModelCache.HydratedMarker + " ]; then echo \"already hydrated, skipping\"; exit 0; fi\n"
        + "pip install --quiet 'huggingface_hub>=0.34'\n"
        + "hf download \"$" + RepoEnv + "\" ${" + RevisionEnv + ":+--revision \"$" + RevisionEnv + "\"} --local-dir " + ArtifactPath + "\n"
        + "touch " + ArtifactPath + "/" + ModelCache.HydratedMarker + "\n";

    // Remote readiness: has() keeps the query false rather than failing before the status exists.
    public const string BoundCel = "has(object.status.phase) && object.status.phase == \"Bound\"";
    public const string CompleteCel = "has(object.status.conditions) && object.status.conditions.exists(c, c.type == \"Complete\" && c.status == \"True\")";

    private static readonly string[] OrphanOnDelete = ["Observe", "Create", "Update", "LateInitialize"];

    public static JsonObject Claim(CacheIdentity cache, string storageClass, int sizeGiB) => Json(new PersistentVolumeClaim
    {
        Metadata = new ObjectMeta { Name = cache.Claim, Namespace = RemoteNamespace, Labels = cache.Labels },
        Spec = new PersistentVolumeClaimSpec
        {
            AccessModes = ["ReadWriteMany"],
            StorageClassName = storageClass,
            Resources = new VolumeResourceRequirements
            {
                Requests = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["storage"] = string.Create(CultureInfo.InvariantCulture, $"{sizeGiB}Gi") },
            },
        },
    }, CacheManifestJsonContext.Default.PersistentVolumeClaim);

    public static JsonObject HydrateJob(CacheIdentity cache, string repo, string? revision, Token? token)
    {
        var env = new List<EnvVar> { new() { Name = RepoEnv, Value = repo } };
        if (revision is { Length: > 0 })
        {
            env.Add(new EnvVar { Name = RevisionEnv, Value = revision });
        }
        if (token is not null)
        {
            env.Add(new EnvVar { Name = TokenEnv, ValueFrom = new EnvVarSource { SecretKeyRef = new KeySelector { Name = cache.TokenSecret, Key = token.Key } } });
        }
        return Json(new Job
        {
            Metadata = new ObjectMeta { Name = cache.HydrateJob, Namespace = RemoteNamespace, Labels = cache.Labels },
            Spec = new JobSpec
            {
                BackoffLimit = HydrateBackoffLimit,
                TtlSecondsAfterFinished = HydrateTtlSeconds,
                Template = new PodTemplateSpec
                {
                    Metadata = new ObjectMeta { Labels = cache.Labels },
                    Spec = new PodSpec
                    {
                        RestartPolicy = "OnFailure",
                        Containers =
                        [
                            new Container
                            {
                                Name = "hydrate",
                                Image = ModelCache.ToolImage,
                                Command = ["/bin/sh", "-c", HydrateScript],
                                Env = env,
                                VolumeMounts = [new VolumeMount { Name = ArtifactVolume, MountPath = ArtifactPath }],
                            },
                        ],
                        Volumes = [new Volume { Name = ArtifactVolume, PersistentVolumeClaim = new PersistentVolumeClaimVolumeSource { ClaimName = cache.Claim } }],
                    },
                },
            },
        }, CacheManifestJsonContext.Default.Job);
    }

    public static JsonObject TokenSecret(CacheIdentity cache, Token token) => Json(new Secret
    {
        Metadata = new ObjectMeta { Name = cache.TokenSecret, Namespace = RemoteNamespace, Labels = cache.Labels },
        Type = "Opaque",
        Data = new SortedDictionary<string, string>(StringComparer.Ordinal) { [token.Key] = token.Base64 },
    }, CacheManifestJsonContext.Default.Secret);

    public static JsonObject ReclaimTimer(CacheIdentity cache, int seconds) => Json(new Job
    {
        Metadata = new ObjectMeta { Name = cache.ReclaimTimer, Namespace = RemoteNamespace, Labels = cache.Labels },
        Spec = new JobSpec
        {
            BackoffLimit = HydrateBackoffLimit,
            Template = new PodTemplateSpec
            {
                Metadata = new ObjectMeta { Labels = cache.Labels },
                Spec = new PodSpec
                {
                    RestartPolicy = "OnFailure",
                    Containers =
                    [
                        new Container
                        {
                            Name = "grace-period",
                            Image = ModelCache.ToolImage,
                            Command = ["sleep", seconds.ToString(CultureInfo.InvariantCulture)],
                        },
                    ],
                },
            },
        },
    }, CacheManifestJsonContext.Default.Job);

    /// <summary>A manifest in its Object envelope on the cluster's provider config.</summary>
    public static JsonObject Envelope(JsonObject manifest, string providerConfig, string? celQuery, bool orphanOnDelete = false)
    {
        var envelope = (JsonObject)JsonSerializer.SerializeToNode(new KubernetesObject
        {
            Spec = new KubernetesObjectSpec
            {
                ProviderConfigRef = new ProviderConfigReference { Kind = "ClusterProviderConfig", Name = providerConfig },
                Readiness = celQuery is null
                    ? null
                    : new ObjectReadiness { Policy = ObjectReadiness.DeriveFromCelQuery, CelQuery = celQuery },
                ForProvider = new ObjectParameters { Manifest = manifest },
            },
        }, ProviderKubernetesJsonContext.Default.KubernetesObject)!;
        if (orphanOnDelete)
        {
            ((JsonObject)envelope["spec"]!)["managementPolicies"] = new JsonArray([.. OrphanOnDelete.Select(p => (JsonNode)JsonValue.Create(p))]);
        }
        return envelope;
    }

    private static JsonObject Json<T>(T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo) =>
        (JsonObject)JsonSerializer.SerializeToNode(value, typeInfo)!;
}

internal sealed record PersistentVolumeClaim
{
    public string ApiVersion { get; init; } = "v1";

    public string Kind { get; init; } = "PersistentVolumeClaim";

    public ObjectMeta? Metadata { get; init; }

    public PersistentVolumeClaimSpec? Spec { get; init; }
}

internal sealed record PersistentVolumeClaimSpec
{
    public IReadOnlyList<string>? AccessModes { get; init; }

    public string? StorageClassName { get; init; }

    public VolumeResourceRequirements? Resources { get; init; }
}

internal sealed record VolumeResourceRequirements
{
    public IReadOnlyDictionary<string, string>? Requests { get; init; }
}

internal sealed record Job
{
    public string ApiVersion { get; init; } = "batch/v1";

    public string Kind { get; init; } = "Job";

    public ObjectMeta? Metadata { get; init; }

    public JobSpec? Spec { get; init; }
}

internal sealed record JobSpec
{
    public int? BackoffLimit { get; init; }

    public int? TtlSecondsAfterFinished { get; init; }

    public PodTemplateSpec? Template { get; init; }
}

internal sealed record Secret
{
    public string ApiVersion { get; init; } = "v1";

    public string Kind { get; init; } = "Secret";

    public ObjectMeta? Metadata { get; init; }

    public string? Type { get; init; }

    public IReadOnlyDictionary<string, string>? Data { get; init; }
}

/// <summary>Source-generated JSON for the remote objects a cache composes.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(PersistentVolumeClaim))]
[JsonSerializable(typeof(Job))]
[JsonSerializable(typeof(Secret))]
internal sealed partial class CacheManifestJsonContext : JsonSerializerContext;
