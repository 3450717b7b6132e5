// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Modelplane.Render.Engine;
using Modelplane.Render.Fleet;

namespace Modelplane.Render.Output;

/// <summary>A rendered fleet for people: the XR tree, then where replicas landed and how services route.</summary>
/// <remarks>
/// The tree shows every XR under the XR that composed it, with its Ready condition and how many
/// resources of each kind it composes; <c>--format yaml</c> prints every object instead. The summary
/// reads only what the composers wrote (ModelReplicas a ModelDeployment composed, the HTTPRoute a
/// ModelService composed, the endpoints its backendRefs name), so it shows the fleet's decisions, not
/// a second opinion about them. Everything is sorted, so two runs print the same bytes.
/// </remarks>
public static class FleetReport
{
    private const string ModelplaneApi = "modelplane.ai/v1alpha1";

    private static readonly string[] ClusterHeader = ["CLUSTER", "READY", "GATEWAY", "POOLS"];
    private static readonly string[] DeploymentHeader = ["DEPLOYMENT", "REPLICA", "CLUSTER", "POOL", "READY"];
    private static readonly string[] ServiceHeader = ["SERVICE", "ADDRESS", "BACKEND", "TIER", "WEIGHT", "URL"];

    public static string Text(FleetResult fleet, string source, bool assumeReady)
    {
        var text = new StringBuilder();
        var xrs = fleet.Renders.Count;
        var composed = fleet.Nodes.Count(n => n.Parent is not null);
        text.Append(CultureInfo.InvariantCulture,
            $"Fleet {source}: {xrs} composite resources, {composed} composed resources, {(fleet.Settled ? "settled" : "NOT settled")} after {fleet.Rounds} rounds{(assumeReady ? " (--assume-ready)" : "")}.\n\n");
        text.Append(Summary(fleet));
        text.Append("\nTREE\n");
        foreach (var root in fleet.Nodes.Where(n => n.Parent is null && fleet.Renders.ContainsKey(n.Key)))
        {
            Tree(text, fleet, root, 0);
        }
        return text.ToString();
    }

    /// <summary>Every rendered object as a YAML stream in tree order, the summary as trailing comments.</summary>
    public static IReadOnlyList<JsonNode> Documents(FleetResult fleet)
    {
        var documents = new List<JsonNode>();
        foreach (var root in fleet.Nodes.Where(n => n.Parent is null && fleet.Renders.ContainsKey(n.Key)))
        {
            Collect(documents, fleet, root);
        }
        return documents;
    }

    public static string Summary(FleetResult fleet)
    {
        var text = new StringBuilder();
        text.Append("CLUSTERS\n").Append(Writer.Table(Clusters(fleet)));
        text.Append("\nMODEL DEPLOYMENTS\n").Append(Writer.Table(Deployments(fleet)));
        text.Append("\nMODEL SERVICES\n").Append(Writer.Table(Services(fleet)));
        if (fleet.Problems.Count > 0)
        {
            text.Append("\nPROBLEMS\n");
            foreach (var problem in fleet.Problems)
            {
                text.Append("- ").Append(problem).Append('\n');
            }
        }
        return text.ToString();
    }

    private static void Tree(StringBuilder text, FleetResult fleet, FleetNode node, int depth)
    {
        var children = fleet.Children(node.Key).ToArray();
        var composites = children.Where(c => fleet.Renders.ContainsKey(c.Key)).ToArray();
        var others = children.Except(composites)
            .GroupBy(c => c.Key.Kind, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Count()} {g.Key}");
        var line = new StringBuilder(new string(' ', depth * 2));
        line.Append(node.Key);
        if (node.ResourceName is not null)
        {
            line.Append(" [").Append(node.ResourceName).Append(']');
        }
        line.Append("  ").Append(ReadyText(node.Object));
        if (fleet.Renders.TryGetValue(node.Key, out var render) && render.Error is not null)
        {
            line.Append("  error: ").Append(render.Error);
        }
        var composes = string.Join(", ", others);
        if (composes.Length > 0)
        {
            line.Append("  composes ").Append(composes);
        }
        text.Append(line).Append('\n');
        foreach (var child in composites)
        {
            Tree(text, fleet, child, depth + 1);
        }
    }

    private static void Collect(List<JsonNode> documents, FleetResult fleet, FleetNode node)
    {
        documents.Add(Objects.Clone(node.Object));
        foreach (var child in fleet.Children(node.Key))
        {
            Collect(documents, fleet, child);
        }
    }

    private static List<IReadOnlyList<string>> Clusters(FleetResult fleet)
    {
        var rows = new List<IReadOnlyList<string>> { ClusterHeader };
        foreach (var cluster in Of(fleet, "InferenceCluster"))
        {
            var status = cluster.Object["status"] as JsonObject;
            // A pool the cluster counts over its size says so here, not only in its condition.
            var over = Objects.Condition(cluster.Object, "PoolsWithinSize") is { } fits && Objects.String(fits["status"]) == "False" ? Objects.String(fits["message"]) : "";
            var pools = ((status?["gpuPools"] as JsonArray)?.OfType<JsonObject>() ?? [])
                .Select(p => $"{Objects.String(p["name"])}: {Number(p["nodes"])} {(Number(p["nodes"]) == "1" ? "node" : "nodes")}"
                    + (over.Contains($"pool {Objects.String(p["name"])} is over", StringComparison.Ordinal) ? " (OVER SIZE)" : ""));
            rows.Add([
                cluster.Key.Name,
                ReadyText(cluster.Object),
                Or(Objects.String((status?["gateway"] as JsonObject)?["address"])),
                Or(string.Join(", ", pools)),
            ]);
        }
        return rows;
    }

    private static List<IReadOnlyList<string>> Deployments(FleetResult fleet)
    {
        var rows = new List<IReadOnlyList<string>> { DeploymentHeader };
        foreach (var deployment in Of(fleet, "ModelDeployment"))
        {
            var name = $"{deployment.Key.Namespace}/{deployment.Key.Name}";
            var replicas = fleet.Children(deployment.Key).Where(c => c.Key.Kind == "ModelReplica").OrderBy(c => c.Key.Name, StringComparer.Ordinal).ToArray();
            foreach (var replica in replicas)
            {
                var spec = replica.Object["spec"] as JsonObject;
                var pools = ((spec?["engines"] as JsonArray)?.OfType<JsonObject>() ?? [])
                    .SelectMany(e => (e["members"] as JsonArray)?.OfType<JsonObject>() ?? [])
                    .Select(m => Objects.String(m["nodePoolName"]))
                    .Where(p => p.Length > 0)
                    .Distinct(StringComparer.Ordinal);
                rows.Add([name, replica.Key.Name, Or(Objects.String(spec?["clusterName"])), Or(string.Join(",", pools)), ReadyText(replica.Object)]);
            }
            var wanted = Number((deployment.Object["spec"] as JsonObject)?["replicas"]);
            if (long.TryParse(wanted, CultureInfo.InvariantCulture, out var want) && want > replicas.Length)
            {
                rows.Add([name, $"{want - replicas.Length} of {want} not placed", "-", "-", Why(fleet, deployment, "ReplicasScheduled")]);
            }
            else if (Objects.Condition(deployment.Object, "ReplicasScheduled") is { } scheduled && Objects.String(scheduled["status"]) == "False")
            {
                // Placed but not settled right: a blocked rollout, an overcommitted pool.
                rows.Add([name, "(not settled)", "-", "-", Why(fleet, deployment, "ReplicasScheduled")]);
            }
        }
        return rows;
    }

    private static List<IReadOnlyList<string>> Services(FleetResult fleet)
    {
        var rows = new List<IReadOnlyList<string>> { ServiceHeader };
        foreach (var service in Of(fleet, "ModelService"))
        {
            var name = $"{service.Key.Namespace}/{service.Key.Name}";
            var address = Or(Objects.String((service.Object["status"] as JsonObject)?["address"]));
            var entries = ((service.Object["spec"] as JsonObject)?["endpoints"] as JsonArray)?.OfType<JsonObject>().ToArray() ?? [];
            var backends = 0;
            var shown = new HashSet<string>(StringComparer.Ordinal);
            foreach (var route in fleet.Children(service.Key).Where(c => c.Key.Kind == "HTTPRoute"))
            {
                var rules = ((route.Object["spec"] as JsonObject)?["rules"] as JsonArray)?.OfType<JsonObject>() ?? [];
                foreach (var backendRef in rules.SelectMany(r => (r["backendRefs"] as JsonArray)?.OfType<JsonObject>() ?? []))
                {
                    var backend = Objects.String(backendRef["name"]);
                    var endpoint = EndpointFor(fleet, route.Key.Namespace, backend);
                    var weight = backendRef["weight"] is null ? "1" : Number(backendRef["weight"]);
                    // A route repeats its backends once per criticality a client may lower to; the split is the same.
                    if (!shown.Add($"{backend}\n{weight}"))
                    {
                        continue;
                    }
                    rows.Add([
                        name,
                        address,
                        endpoint is null ? $"Service {backend}" : $"{endpoint.Key.Namespace}/{endpoint.Key.Name}",
                        endpoint is null ? "-" : Tier(entries, endpoint.Object),
                        weight,
                        endpoint is null ? "-" : Or(Objects.String((endpoint.Object["spec"] as JsonObject)?["url"])),
                    ]);
                    backends++;
                }
            }
            // Endpoints the entries select that take no traffic now: a lower tier, or not ready yet.
            var routed = rows.Skip(1).Where(r => r[0] == name).Select(r => r[2]).ToHashSet(StringComparer.Ordinal);
            foreach (var endpoint in Of(fleet, "ModelEndpoint").Where(e => e.Key.Namespace == service.Key.Namespace))
            {
                var id = $"{endpoint.Key.Namespace}/{endpoint.Key.Name}";
                var tier = Tier(entries, endpoint.Object);
                if (tier != "-" && !routed.Contains(id))
                {
                    rows.Add([name, address, $"{id} (standby)", tier, "0", Or(Objects.String((endpoint.Object["spec"] as JsonObject)?["url"]))]);
                    backends++;
                }
            }
            if (backends == 0)
            {
                rows.Add([name, address, "(none)", "-", "-", Why(fleet, service, "EndpointsResolved", "RoutingReady")]);
            }
        }
        return rows;
    }

    // The ModelEndpoint whose composed Service a backendRef names.
    private static FleetNode? EndpointFor(FleetResult fleet, string ns, string backend) =>
        Of(fleet, "ModelEndpoint").FirstOrDefault(e =>
            e.Key.Namespace == ns
            && Objects.String(((e.Object["status"] as JsonObject)?["routing"] as JsonObject)?["backendName"]) == backend);

    // The tier of the first spec.endpoints entry whose selector matches the endpoint: its priority when
    // the API has one (lower is preferred), else 0, one tier for every entry.
    private static string Tier(IReadOnlyList<JsonObject> entries, JsonObject endpoint)
    {
        var labels = Objects.Labels(endpoint);
        foreach (var entry in entries)
        {
            var wanted = ((entry["selector"] as JsonObject)?["matchLabels"] as JsonObject) ?? [];
            if (wanted.All(w => labels.TryGetValue(w.Key, out var v) && v == Objects.String(w.Value)))
            {
                return entry["priority"] is { } priority ? Number(priority) : "0";
            }
        }
        return "-";
    }

    private static string Why(FleetResult fleet, FleetNode node, params string[] conditionTypes)
    {
        if (!fleet.Renders.TryGetValue(node.Key, out var render))
        {
            return $"not rendered: the package has no Composition for {node.Key.Kind}";
        }
        if (render.Error is not null)
        {
            return render.Error;
        }
        // The first condition that is not True says why; else the first that explains itself.
        var conditions = conditionTypes.Select(t => Objects.Condition(node.Object, t)).OfType<JsonObject>().ToArray();
        if (conditions.FirstOrDefault(c => Objects.String(c["status"]) != "True") is { } failing)
        {
            var message = Objects.String(failing["message"]);
            return message.Length == 0 ? Objects.String(failing["reason"]) : $"{Objects.String(failing["reason"])}: {message}";
        }
        return conditions.Select(c => Objects.String(c["message"])).FirstOrDefault(m => m.Length > 0) ?? "-";
    }

    private static IEnumerable<FleetNode> Of(FleetResult fleet, string kind) =>
        fleet.Nodes.Where(n => n.Key.ApiVersion == ModelplaneApi && n.Key.Kind == kind).OrderBy(n => n.Key);

    private static string ReadyText(JsonObject obj)
    {
        var ready = Objects.Condition(obj, "Ready");
        if (ready is null)
        {
            return "-";
        }
        var status = Objects.String(ready["status"]);
        return status == "True" ? "Ready" : $"NotReady({Objects.String(ready["reason"])})";
    }

    private static string Number(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.Number ? v.ToJsonString() : Or(Objects.String(node));

    private static string Or(string value) => value.Length == 0 ? "-" : value;
}
