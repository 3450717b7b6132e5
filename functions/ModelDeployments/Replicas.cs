// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Globalization;
using System.Text.Json.Nodes;
using Modelplane.Apis.ModelDeployments;
using Modelplane.Apis.ModelReplicas;
using Modelplane.Domain;
using Modelplane.Sdk;

namespace Modelplane.Functions.ModelDeployments;

/// <summary>The ModelReplicas and ModelEndpoints a deployment composes, and the observed ones it reads back.</summary>
internal static class Replicas
{
    public const string ApiVersion = "modelplane.ai/v1alpha1";
    public const string EndpointKind = "ModelEndpoint";

    // Desired-resource keys. Crossplane matches observed to desired by key, so a replica keeps its
    // key (and its object) exactly as long as it keeps its identity.
    public static string ReplicaKey(string cluster, int index) => $"replica-{cluster}-{index}";

    public static string EndpointKey(string cluster, int index) => $"endpoint-{cluster}-{index}";

    /// <summary>This deployment's observed ModelReplicas: composed resources of the kind, whatever their key.</summary>
    /// <remarks>
    /// Reading them from the observed composed resources rather than listing ModelReplicas makes
    /// ownership exact (they are this XR's children: another namespace's deployment of the same name
    /// never shows up) and costs the request nothing.
    /// </remarks>
    public static IReadOnlyList<OwnReplica> Observed(FunctionRequest req)
    {
        var own = new List<OwnReplica>();
        foreach (var (key, observed) in req.Observed)
        {
            var resource = observed.Resource;
            if (resource.StringAt("kind") != ModelReplica.KindValue
                || resource.StringAt("apiVersion") is not { } apiVersion || !apiVersion.StartsWith("modelplane.ai/", StringComparison.Ordinal))
            {
                continue;
            }
            own.Add(FromObserved(key, resource, observed.IsReady));
        }
        return own;
    }

    /// <summary>One observed ModelReplica as the scheduler reads it.</summary>
    public static OwnReplica FromObserved(string key, JsonObject resource, bool ready)
    {
        var replica = FunctionRequest.Read(resource, ModelReplicaJsonContext.Default.ModelReplica, $"observed[{key}]");
        var labels = replica.Metadata?.Labels;
        var index = labels?.GetValueOrDefault(ReplicaClaims.IndexLabel) is { } text
            && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed : 0;
        return new OwnReplica(
            key,
            replica.Metadata?.Name ?? "",
            replica.Metadata?.Namespace ?? "",
            replica.Spec?.ClusterName ?? "",
            index,
            replica.Metadata?.Generation,
            replica.Spec ?? new ModelReplicaSpec(),
            ready);
    }

    /// <summary>The labels of a replica and its endpoint: the template's first, the managed ones winning.</summary>
    public static SortedDictionary<string, string> Labels(DeploymentTemplate? template, string deployment, string cluster, int index)
    {
        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in template?.Metadata?.Labels ?? new Dictionary<string, string>())
        {
            labels[key] = value;
        }
        labels[ReplicaClaims.DeploymentLabel] = deployment;
        labels[ReplicaClaims.ClusterLabel] = cluster;
        labels[ReplicaClaims.IndexLabel] = index.ToString(CultureInfo.InvariantCulture);
        return labels;
    }

    /// <summary>The ModelReplica for a placement: the current template with the scheduler's pools and device requests.</summary>
    public static ModelReplica Replica(string name, string ns, IReadOnlyDictionary<string, string> labels, DeploymentTemplateSpec spec, DeploymentPlan plan, Placement placement) => new()
    {
        Metadata = new ModelReplicaMetadata { Name = name, Namespace = ns, Labels = labels },
        Spec = new ModelReplicaSpec
        {
            ClusterName = placement.Cluster,
            ModelCacheRef = spec.ModelCacheRef is { } cache ? new ModelCacheReference { Name = cache.Name } : null,
            Serving = spec.Serving,
            Engines = plan.Engines.Zip(placement.Engines, (engine, placed) => new ReplicaEngine
            {
                Name = engine.Name,
                Copies = engine.Copies,
                Phase = engine.Source.Phase,
                Members = engine.Members.Zip(placed.Members, (member, at) => new ReplicaMember
                {
                    Role = member.Role,
                    NodePoolName = at.Pool,
                    DeviceRequests = at.Requests.Count == 0 ? null : at.Requests.Select(r => new ReplicaDeviceRequest
                    {
                        Name = r.Name,
                        DeviceClassName = r.DeviceClassName,
                        Count = r.Count,
                        Selectors = r.Cels.Select(c => new CelSelector { Cel = c }).ToArray(),
                    }).ToArray(),
                    Worker = member.Source.Worker,
                    Template = member.Source.Template,
                }).ToArray(),
            }).ToArray(),
        },
    };

    /// <summary>The ModelEndpoint routing to a replica through its cluster's gateway (plain http; TLS ends at the control-plane edge).</summary>
    public static JsonObject Endpoint(string name, string ns, IReadOnlyDictionary<string, string> labels, string gateway)
    {
        var rewritePath = $"/{ns}/{name}/";
        var labelObject = new JsonObject();
        foreach (var (key, value) in labels)
        {
            labelObject[key] = value;
        }
        return new JsonObject
        {
            ["apiVersion"] = ApiVersion,
            ["kind"] = EndpointKind,
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns, ["labels"] = labelObject },
            ["spec"] = new JsonObject { ["url"] = $"http://{gateway}{rewritePath}v1", ["rewritePath"] = rewritePath },
        };
    }

    /// <summary>An observed ModelReplica or ModelEndpoint re-emitted as it is, to keep it while the template cannot be placed.</summary>
    /// <remarks>
    /// Only what this composer wrote comes back: apiVersion, kind, name, namespace, labels (without
    /// Crossplane's own <c>crossplane.io/</c> ones) and spec (without Crossplane's <c>spec.crossplane</c>).
    /// Those are the fields of its last desired state, so Crossplane's apply changes nothing.
    /// </remarks>
    public static JsonObject Kept(JsonObject observed)
    {
        var metadata = new JsonObject
        {
            ["name"] = observed.StringAt("metadata.name"),
            ["namespace"] = observed.StringAt("metadata.namespace"),
        };
        if (observed.StringMapAt("metadata.labels") is { } labels)
        {
            var kept = new JsonObject();
            foreach (var (key, value) in labels.Where(l => !l.Key.StartsWith("crossplane.io/", StringComparison.Ordinal)))
            {
                kept[key] = value;
            }
            metadata["labels"] = kept;
        }
        var result = new JsonObject
        {
            ["apiVersion"] = observed.StringAt("apiVersion"),
            ["kind"] = observed.StringAt("kind"),
            ["metadata"] = metadata,
        };
        if (observed.ObjectAt("spec")?.DeepClone() is JsonObject spec)
        {
            spec.Remove("crossplane");
            result["spec"] = spec;
        }
        return result;
    }
}
