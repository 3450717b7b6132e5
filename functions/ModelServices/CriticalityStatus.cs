// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Modelplane.Apis.ModelReplicas;
using Modelplane.Apis.ModelServices;
using Modelplane.Domain;
using Modelplane.Sdk;

namespace Modelplane.Functions.ModelServices;

/// <summary>One endpoint that takes traffic, as far as criticality cares: its class and, for a replica, where it runs.</summary>
internal sealed record CriticalLeaf(string Name, string Criticality, string? Deployment, string? Cluster);

/// <summary>Which criticality a ModelService's traffic carries, and whether every cluster it reaches honours it.</summary>
/// <remarks>
/// <para>
/// Only a replica's endpoint picker orders requests by criticality, and only once the replica's
/// InferenceObjectives exist on its cluster: an older serving stack without the
/// <c>llm-d.ai</c> InferenceObjective CRD cannot hold them. Each ModelReplica reports that in its own
/// <c>CriticalityHonoured</c> condition (True once its objectives are applied, False with reason
/// <c>ObjectivesRejected</c> when the cluster refuses them). We require the replicas of every
/// deployment that serves us, by the deployment label their endpoints carry, and read that condition
/// for each serving endpoint.
/// </para>
/// <para>
/// The condition is False and names the clusters while any refuses (the fix is on the cluster), False
/// while replicas have not reported yet, and True otherwise. External providers never see
/// criticality; the message says so rather than counting them as clusters. Status lists the classes
/// the serving entries carry, the clusters reached and the ones that do not honour them.
/// </para>
/// </remarks>
internal static class CriticalityStatus
{
    public const string CriticalityHonoured = "CriticalityHonoured";
    private const string ReasonHonoured = "Honoured";
    private const string ReasonNoClusters = "NoClusters";
    private const string ReasonPending = "Pending";
    public const string ReasonClusterCannotPrioritise = "ClusterCannotPrioritise";

    // The replica's condition and its refusal reason (ModelReplica's Routing owns both).
    private const string ReplicaRejected = "ObjectivesRejected";

    private const string ReplicasRequirementPrefix = "replicas-";

    /// <summary>One requirement per deployment whose replicas serve, for their CriticalityHonoured conditions.</summary>
    public static IEnumerable<KeyValuePair<string, Requirement>> Requirements(string ns, IEnumerable<CriticalLeaf> leaves) =>
        leaves.Select(l => l.Deployment).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Select(d => KeyValuePair.Create(ReplicasRequirementPrefix + d, Requirement.Labelled(
                ModelReplica.ApiVersionValue, ModelReplica.KindValue,
                new SortedDictionary<string, string>(StringComparer.Ordinal) { [ReplicaClaims.DeploymentLabel] = d }, ns)));

    /// <summary><c>status.criticality</c> and the CriticalityHonoured condition for the endpoints that take traffic.</summary>
    public static (ModelServiceCriticality Status, Condition Condition) Evaluate(FunctionRequest req, IReadOnlyList<CriticalLeaf> leaves)
    {
        var classes = Criticality.All.Where(c => leaves.Any(l => l.Criticality == c)).ToArray();
        var replicas = leaves.Where(l => l.Cluster is not null).ToArray();
        var clusters = replicas.Select(l => l.Cluster!).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var unhonoured = new SortedSet<string>(StringComparer.Ordinal);
        var pending = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var leaf in replicas)
        {
            var reported = ReplicaCondition(req, leaf);
            if (reported?["status"]?.ToString() == "True")
            {
                continue;
            }
            (reported?["reason"]?.ToString() == ReplicaRejected ? unhonoured : pending).Add(leaf.Cluster!);
        }
        pending.ExceptWith(unhonoured);

        var status = new ModelServiceCriticality
        {
            Classes = classes,
            Clusters = clusters,
            Unhonoured = unhonoured.Count > 0 ? [.. unhonoured] : null,
        };
        var providers = leaves.Count - replicas.Length;
        var aside = providers > 0 ? $"; {providers} external provider endpoint(s) serve in arrival order, as providers do not see criticality" : "";
        var carried = string.Join(", ", classes);
        Condition condition;
        if (unhonoured.Count > 0)
        {
            condition = Condition.False(CriticalityHonoured, ReasonClusterCannotPrioritise,
                $"cluster(s) {string.Join(", ", unhonoured)} cannot order {carried} traffic: their serving stack refuses the replicas' InferenceObjectives (see each ModelReplica's CriticalityHonoured condition); upgrade the cluster's ServingStack so it installs the llm-d.ai InferenceObjective CRD, or select endpoints elsewhere{aside}");
        }
        else if (pending.Count > 0)
        {
            condition = Condition.False(CriticalityHonoured, ReasonPending,
                $"waiting for the replicas on cluster(s) {string.Join(", ", pending)} to apply their InferenceObjectives{aside}");
        }
        else if (clusters.Length == 0)
        {
            condition = Condition.True(CriticalityHonoured, ReasonNoClusters,
                leaves.Count == 0 ? "no endpoint takes traffic" : $"no self-hosted replica serves{aside}");
        }
        else
        {
            condition = Condition.True(CriticalityHonoured, ReasonHonoured,
                $"{carried} traffic is ordered by criticality on every cluster it reaches: {string.Join(", ", clusters)}{aside}");
        }
        return (status, condition);
    }

    private static JsonObject? ReplicaCondition(FunctionRequest req, CriticalLeaf leaf) =>
        req.Required.Get(ReplicasRequirementPrefix + leaf.Deployment)
            .FirstOrDefault(r => (r["metadata"] as JsonObject)?["name"]?.ToString() == leaf.Name)?["status"] is JsonObject status
            && status["conditions"] is JsonArray conditions
            ? conditions.OfType<JsonObject>().FirstOrDefault(c => c["type"]?.ToString() == CriticalityHonoured)
            : null;
}
