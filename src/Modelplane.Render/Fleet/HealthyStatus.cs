// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Modelplane.Render.Engine;

namespace Modelplane.Render.Fleet;

/// <summary>The status a healthy cluster would report for a composed object: what <c>--assume-ready</c> observes.</summary>
/// <remarks>
/// Composers gate later resources on what earlier ones report: a Release or Object that is
/// <c>Ready=True</c>, a CRD that is <c>Established</c>, a Gateway with an address, an HTTPRoute a
/// parent <c>Accepted</c>. With no cluster there is nobody to report it, so the fleet render can
/// assume the answer a healthy fleet gives. Every object gets <c>Ready</c> and <c>Synced</c>; a few
/// kinds also get the fields their controllers write. Addresses are made up but deterministic: a hash
/// of the object's identity picks one in 198.18.0.0/15, the range RFC 2544 sets aside for benchmarks,
/// so they never look like a real endpoint and never change between runs.
/// </remarks>
public static class HealthyStatus
{
    private const string ControllerName = "modelplane.ai/render-assume-ready";

    /// <summary>The status of <paramref name="resource"/> once its controllers have done their work.</summary>
    /// <param name="resource">The object as applied (desired state plus Crossplane's metadata).</param>
    /// <param name="identity">What makes it unique in the fleet, for the made-up addresses.</param>
    public static JsonObject For(JsonObject resource, string identity)
    {
        var status = new JsonObject { ["conditions"] = new JsonArray(Ready(), Synced()) };
        var group = Objects.Group(Objects.ApiVersion(resource));
        var spec = resource["spec"] as JsonObject;
        switch (group, Objects.Kind(resource))
        {
            case ("apiextensions.k8s.io", "CustomResourceDefinition"):
                Add(status, True("Established", "InitialNamesAccepted"), True("NamesAccepted", "NoConflicts"));
                break;
            case ("gateway.networking.k8s.io", "GatewayClass"):
                Add(status, True("Accepted", "Accepted"));
                break;
            case ("gateway.networking.k8s.io", "Gateway"):
                Add(status, True("Accepted", "Accepted"), True("Programmed", "Programmed"));
                status["addresses"] = new JsonArray(new JsonObject { ["type"] = "IPAddress", ["value"] = Address(identity) });
                break;
            case ("gateway.networking.k8s.io", "HTTPRoute" or "GRPCRoute"):
                status["parents"] = Parents(spec);
                break;
            case ("apps", "Deployment" or "StatefulSet"):
            case ("leaderworkerset.x-k8s.io", "LeaderWorkerSet"):
                Add(status, True("Available", "MinimumReplicasAvailable"), True("Progressing", "NewReplicaSetAvailable"));
                break;
            case ("", "PersistentVolumeClaim"):
                status["phase"] = "Bound";
                break;
            case ("batch", "Job"):
                Add(status, True("Complete", "CompletionsReached"));
                status["succeeded"] = 1;
                break;
            case ("", "Service") when Objects.String(spec?["type"]) == "LoadBalancer":
                status["loadBalancer"] = new JsonObject { ["ingress"] = new JsonArray(new JsonObject { ["ip"] = Address(identity) }) };
                break;
            case ("kubernetes.crossplane.io" or "kubernetes.m.crossplane.io", "Object"):
                // provider-kubernetes reports the remote object as it observed it.
                if ((spec?["forProvider"] as JsonObject)?["manifest"] is JsonObject manifest)
                {
                    var remote = Objects.Clone(manifest);
                    remote["status"] = For(manifest, identity);
                    status["atProvider"] = new JsonObject { ["manifest"] = remote };
                }
                break;
            case ("helm.crossplane.io" or "helm.m.crossplane.io", "Release"):
                status["atProvider"] = new JsonObject { ["state"] = "deployed", ["revision"] = 1 };
                break;
        }
        return status;
    }

    /// <summary>A made-up address in 198.18.0.0/15 that only <paramref name="identity"/> gets.</summary>
    public static string Address(string identity)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(identity));
        // 198.18.0.0/15: the second octet is 18 or 19; avoid .0 and .255 in the last octet.
        return string.Create(CultureInfo.InvariantCulture, $"198.{18 + (hash[0] & 1)}.{hash[1]}.{1 + (hash[2] % 254)}");
    }

    private static JsonArray Parents(JsonObject? spec)
    {
        var parents = new JsonArray();
        foreach (var parentRef in (spec?["parentRefs"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            parents.Add((JsonNode)new JsonObject
            {
                ["parentRef"] = parentRef.DeepClone(),
                ["controllerName"] = ControllerName,
                ["conditions"] = new JsonArray(True("Accepted", "Accepted"), True("ResolvedRefs", "ResolvedRefs")),
            });
        }
        return parents;
    }

    private static JsonObject Ready() => True("Ready", "Available");

    private static JsonObject Synced() => True("Synced", "ReconcileSuccess");

    private static JsonObject True(string type, string reason) => PipelineRenderer.ConditionJson(type, "True", reason, null);

    private static void Add(JsonObject status, params JsonObject[] conditions)
    {
        var list = (JsonArray)status["conditions"]!;
        foreach (var condition in conditions)
        {
            list.Add((JsonNode)condition);
        }
    }
}
