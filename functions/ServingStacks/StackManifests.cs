// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Modelplane.Apis.ServingStacks;

namespace Modelplane.Functions.ServingStacks;

/// <summary>The manifests a serving stack applies to its workload cluster, besides the CRDs and charts.</summary>
internal static class StackManifests
{
    // Pods of these priority classes are admitted outside kube-system only with a quota that names
    // them; GKE enforces it for the DRA kubelet plugin, and elsewhere the quota is harmless.
    private const string CriticalPodsLimit = "1000";

    public static JsonObject Namespace(string name) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Namespace",
        ["metadata"] = new JsonObject { ["name"] = name },
    };

    public static JsonObject CriticalPodsQuota(string ns) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "ResourceQuota",
        ["metadata"] = new JsonObject { ["name"] = "allow-critical-pods", ["namespace"] = ns },
        ["spec"] = new JsonObject
        {
            ["hard"] = new JsonObject { ["pods"] = CriticalPodsLimit },
            ["scopeSelector"] = new JsonObject
            {
                ["matchExpressions"] = new JsonArray(new JsonObject
                {
                    ["scopeName"] = "PriorityClass",
                    ["operator"] = "In",
                    ["values"] = new JsonArray("system-node-critical", "system-cluster-critical"),
                }),
            },
        },
    };

    // externalTrafficPolicy Cluster: the Kubernetes default Local drops traffic on load balancers
    // (Nebius's) that send to nodes without a proxy pod.
    public static JsonObject EnvoyProxy(string name, string ns) => new()
    {
        ["apiVersion"] = "gateway.envoyproxy.io/v1alpha1",
        ["kind"] = "EnvoyProxy",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
        ["spec"] = new JsonObject
        {
            ["provider"] = new JsonObject
            {
                ["type"] = "Kubernetes",
                ["kubernetes"] = new JsonObject { ["envoyService"] = new JsonObject { ["externalTrafficPolicy"] = "Cluster" } },
            },
        },
    };

    public static JsonObject GatewayClass(string className, string controllerName, string proxyName, string proxyNamespace) => new()
    {
        ["apiVersion"] = "gateway.networking.k8s.io/v1",
        ["kind"] = "GatewayClass",
        ["metadata"] = new JsonObject { ["name"] = className },
        ["spec"] = new JsonObject
        {
            ["controllerName"] = controllerName,
            ["parametersRef"] = new JsonObject
            {
                ["group"] = "gateway.envoyproxy.io",
                ["kind"] = "EnvoyProxy",
                ["name"] = proxyName,
                ["namespace"] = proxyNamespace,
            },
        },
    };

    public static JsonObject Gateway(string name, string ns, string className, IReadOnlyList<StackListener> listeners) => new()
    {
        ["apiVersion"] = "gateway.networking.k8s.io/v1",
        ["kind"] = "Gateway",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
        ["spec"] = new JsonObject
        {
            ["gatewayClassName"] = className,
            ["listeners"] = new JsonArray([.. listeners.Select(l => (JsonNode)new JsonObject
            {
                ["name"] = l.Name,
                ["port"] = l.Port,
                ["protocol"] = l.Protocol,
                // ModelReplica HTTPRoutes live in their own namespaces.
                ["allowedRoutes"] = new JsonObject { ["namespaces"] = new JsonObject { ["from"] = "All" } },
            })]),
        },
    };
}
