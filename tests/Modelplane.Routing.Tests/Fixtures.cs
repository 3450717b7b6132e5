// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;

namespace Modelplane.Routing.Tests;

/// <summary>Fixture builders for routing objects, with fixed names and addresses.</summary>
internal static class Fixtures
{
    public const string Namespace = "ml-team";
    public const string ServiceName = "test-service";
    public const string GatewayAddress = "34.55.100.10";

    public static JsonObject Labels(params string[] pairs)
    {
        var labels = new JsonObject();
        foreach (var pair in pairs)
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            labels[pair[..eq]] = pair[(eq + 1)..];
        }
        return labels;
    }

    /// <summary>A <c>spec.endpoints[]</c> entry selecting <paramref name="labels"/> (<c>key=value</c>).</summary>
    public static JsonObject Entry(string[] labels, long? weight = null, long? priority = null, string? criticality = null, JsonObject? models = null)
    {
        var entry = new JsonObject { ["selector"] = new JsonObject { ["matchLabels"] = Labels(labels) } };
        if (criticality is not null)
        {
            entry["criticality"] = criticality;
        }
        if (models is not null)
        {
            entry["models"] = models;
        }
        if (weight is not null)
        {
            entry["weight"] = weight;
        }
        if (priority is not null)
        {
            entry["priority"] = priority;
        }
        return entry;
    }

    public static JsonObject Entry(string label, long? weight = null, long? priority = null, string? criticality = null, JsonObject? models = null) =>
        Entry([label], weight, priority, criticality, models);

    /// <summary>A ModelDeployment's endpoint: its replica's identity labels and its rewrite to the replica's path.</summary>
    public static JsonObject ReplicaEndpoint(string name, string deployment, string cluster, string? backend = null) =>
        Endpoint(name, backend: backend ?? $"svc-{name}", url: $"http://10.20.0.1/{Namespace}/{name}/v1", rewritePath: $"/{Namespace}/{name}/",
            labels: [$"app={deployment}", $"modelplane.ai/deployment={deployment}", $"modelplane.ai/cluster={cluster}", "modelplane.ai/replica-index=0"]);

    /// <summary>A ModelReplica as the ModelService requires it, with its CriticalityHonoured condition when given.</summary>
    public static JsonObject Replica(string name, string deployment, string cluster, string? honoured = null, string? reason = null)
    {
        var replica = new JsonObject
        {
            ["apiVersion"] = "modelplane.ai/v1alpha1",
            ["kind"] = "ModelReplica",
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["namespace"] = Namespace,
                ["labels"] = new JsonObject { ["modelplane.ai/deployment"] = deployment, ["modelplane.ai/cluster"] = cluster },
            },
            ["spec"] = new JsonObject { ["clusterName"] = cluster },
        };
        if (honoured is not null)
        {
            replica["status"] = new JsonObject { ["conditions"] = new JsonArray(Condition("CriticalityHonoured", honoured, reason, "from the replica")) };
        }
        return replica;
    }

    public static JsonObject ModelService(JsonArray entries, string name = ServiceName, JsonArray? conditions = null, string? criticality = null, string? uid = null, JsonObject? overflow = null)
    {
        var xr = new JsonObject
        {
            ["apiVersion"] = "modelplane.ai/v1alpha1",
            ["kind"] = "ModelService",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = Namespace },
            ["spec"] = new JsonObject { ["endpoints"] = entries },
        };
        if (criticality is not null)
        {
            xr["spec"]!["criticality"] = criticality;
        }
        if (uid is not null)
        {
            xr["metadata"]!["uid"] = uid;
        }
        if (overflow is not null)
        {
            xr["spec"]!["overflow"] = overflow;
        }
        if (conditions is not null)
        {
            xr["status"] = new JsonObject { ["conditions"] = conditions };
        }
        return xr;
    }

    /// <summary>A ModelEndpoint as Crossplane returns it for a requirement.</summary>
    public static JsonObject Endpoint(
        string name,
        string? backend = null,
        string url = "http://10.0.0.1/v1",
        string? rewritePath = null,
        string ns = Namespace,
        int? port = null,
        string? hostname = null,
        string[]? labels = null)
    {
        var spec = new JsonObject { ["url"] = url };
        if (rewritePath is not null)
        {
            spec["rewritePath"] = rewritePath;
        }
        var endpoint = new JsonObject
        {
            ["apiVersion"] = "modelplane.ai/v1alpha1",
            ["kind"] = "ModelEndpoint",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns, ["labels"] = Labels(labels ?? ["app=test"]) },
            ["spec"] = spec,
        };
        if (backend is not null)
        {
            var routing = new JsonObject { ["backendName"] = backend };
            if (port is not null)
            {
                routing["port"] = port;
            }
            if (hostname is not null)
            {
                routing["hostname"] = hostname;
            }
            endpoint["status"] = new JsonObject { ["routing"] = routing };
        }
        return endpoint;
    }

    /// <summary>The InferenceGateway <c>default</c>, with <paramref name="address"/> in its status when given.</summary>
    public static JsonObject Gateway(string? address = GatewayAddress, string chart = "40.2.0")
    {
        var gateway = new JsonObject
        {
            ["apiVersion"] = "modelplane.ai/v1alpha1",
            ["kind"] = "InferenceGateway",
            ["metadata"] = new JsonObject { ["name"] = "default" },
            ["spec"] = new JsonObject { ["backend"] = "Traefik", ["traefik"] = new JsonObject { ["version"] = chart } },
        };
        if (address is not null)
        {
            gateway["status"] = new JsonObject { ["address"] = address };
        }
        return gateway;
    }

    /// <summary>An observed object: a name and status conditions (and any extra status).</summary>
    public static JsonObject Observed(string apiVersion, string kind, string name, string? ns = null, JsonArray? conditions = null, JsonObject? status = null)
    {
        var metadata = new JsonObject { ["name"] = name };
        if (ns is not null)
        {
            metadata["namespace"] = ns;
        }
        var observed = new JsonObject { ["apiVersion"] = apiVersion, ["kind"] = kind, ["metadata"] = metadata };
        status ??= [];
        if (conditions is not null)
        {
            status["conditions"] = conditions;
        }
        if (status.Count > 0)
        {
            observed["status"] = status;
        }
        return observed;
    }

    /// <summary>An observed HTTPRoute whose parent reports Accepted and ResolvedRefs.</summary>
    public static JsonObject ObservedRoute(string name = "test-service-x7k2p", bool resolved = true, string? resolvedMessage = null) =>
        Observed("gateway.networking.k8s.io/v1", "HTTPRoute", name, Namespace, status: new JsonObject
        {
            ["parents"] = new JsonArray(new JsonObject
            {
                ["controllerName"] = "traefik.io/gateway-controller",
                ["parentRef"] = new JsonObject { ["name"] = "modelplane", ["namespace"] = "modelplane-system" },
                ["conditions"] = new JsonArray(
                    Condition("Accepted", "True", "Accepted"),
                    resolved
                        ? Condition("ResolvedRefs", "True", "ResolvedRefs")
                        : Condition("ResolvedRefs", "False", "BackendNotFound", resolvedMessage)),
            }),
        });
}
