// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Modelplane.Functions.ModelServices;
using Modelplane.Routing.Tests.Schema;
using Modelplane.Testing;
using static Modelplane.Routing.Tests.Fixtures;

namespace Modelplane.Routing.Tests.ModelServices;

/// <summary>Headers are not a way in: client values of the hop and objective headers never decide where a request goes or how important it is.</summary>
/// <remarks>
/// Each test sends a client request through the composed HTTPRoutes as a Gateway API implementation
/// matches them (a rule's match needs the path prefix and every header, case-insensitive names and
/// exact values; the match with the most headers wins; ties go to the first rule), applying the
/// rule's filters and then the chosen backendRef's, and re-entering the routes when the backendRef is
/// the hop Service, as Traefik does. Every backendRef is followed, so the result is every endpoint the
/// request can reach with the headers it arrives with.
/// </remarks>
public sealed class HeaderSafetyTests
{
    private const string Path = $"/{Namespace}/{ServiceName}/v1/chat/completions";
    private const string Objective = "x-llm-d-inference-objective";
    private const string LegacyObjective = "x-gateway-inference-objective";
    private const string Requested = "x-modelplane-criticality";

    [Theory]
    [InlineData(17)]
    [InlineData(300)]
    public void Send_ClientHopHeader_StillEntersAtTheRoot(int endpoints)
    {
        var routes = Routes(endpoints, "Standard");
        var honest = Send(routes, []);
        Assert.Equal(endpoints, honest.Count);
        foreach (var hop in new[] { "1", "2", "3", "17", "root", "" })
        {
            var reached = Send(routes, new() { ["X-Modelplane-Hop"] = hop });
            // The same endpoints with the same headers: a guessed hop value picks no sub-tree.
            Assert.Equal(Describe(honest), Describe(reached));
        }
    }

    [Theory]
    [InlineData("Standard", null, "standard")]
    [InlineData("Standard", "Critical", "standard")]
    [InlineData("Standard", "critical", "standard")]
    [InlineData("Standard", "Sheddable", "sheddable")]
    [InlineData("Standard", "sheddable", "standard")]
    [InlineData("Critical", "Standard", "standard")]
    [InlineData("Critical", "standard", "critical")]
    [InlineData("Critical", "Sheddable", "sheddable")]
    [InlineData("Critical", "Urgent", "critical")]
    [InlineData("Sheddable", "Critical", "sheddable")]
    [InlineData("Sheddable", "Standard", "sheddable")]
    public void Send_ClientObjectiveHeaders_ClassOnlyLowered(string service, string? requested, string expected)
    {
        foreach (var endpoints in new[] { 3, 40 })
        {
            var routes = Routes(endpoints, service);
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
            {
                // A client trying to raise itself under both of the picker's names.
                [Objective] = "qwen-01-critical",
                [LegacyObjective] = "qwen-01-critical",
            };
            if (requested is not null)
            {
                headers[Requested] = requested;
            }
            var reached = Send(routes, headers);
            Assert.Equal(endpoints, reached.Count);
            foreach (var (backend, arrived) in reached)
            {
                var replica = backend["svc-".Length..];
                Assert.Equal($"{replica}-{expected}", arrived[Objective]);
                Assert.False(arrived.ContainsKey(LegacyObjective), $"{backend} still gets the client's {LegacyObjective}");
                Assert.False(arrived.ContainsKey("x-modelplane-hop"), $"{backend} gets the hop header");
            }
        }
    }

    private static JsonObject[] Routes(int endpoints, string criticality)
    {
        var xr = ModelService(new JsonArray(Entry("app=qwen")), criticality: criticality, uid: "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
        var request = ModelServiceComposerTests.Request(xr, Gateway(),
            [Enumerable.Range(1, endpoints).Select(i => ReplicaEndpoint($"qwen-{i:00}", "qwen", "gpu-east")).ToArray()]);
        var routes = GatewayApiSchemaTests.Desired(FunctionHost.Run(request, ModelServiceComposer.Composer))
            .Where(r => r["kind"]!.GetValue<string>() == "HTTPRoute").ToArray();
        Assert.All(routes, r => Assert.Empty(GatewayApiSchemas.Validate(r)));
        return routes;
    }

    private static string[] Describe(List<(string Backend, Dictionary<string, string> Headers)> reached) =>
        [.. reached.Select(r => r.Backend + " " + string.Join(",", r.Headers.OrderBy(h => h.Key, StringComparer.Ordinal).Select(h => $"{h.Key}={h.Value}"))).Order(StringComparer.Ordinal)];

    private static List<(string Backend, Dictionary<string, string> Headers)> Send(JsonObject[] routes, Dictionary<string, string> headers, int depth = 0)
    {
        Assert.True(depth < 8, "the request loops through the hop");
        headers = new Dictionary<string, string>(headers, StringComparer.OrdinalIgnoreCase);
        var rules = routes.SelectMany(r => r["spec"]!["rules"]!.AsArray()).Select(r => r!.AsObject()).ToArray();
        var rule = Match(rules, headers) ?? throw new Xunit.Sdk.XunitException("no rule matches: 404");
        var afterRule = Apply(rule["filters"] as JsonArray, headers);
        var reached = new List<(string, Dictionary<string, string>)>();
        foreach (var backendRef in rule["backendRefs"]!.AsArray().Select(b => b!.AsObject()))
        {
            var sent = Apply(backendRef["filters"] as JsonArray, afterRule);
            var name = backendRef["name"]!.GetValue<string>();
            if (name == ModelServiceComposer.HopServiceName(ServiceName))
            {
                reached.AddRange(Send(routes, sent, depth + 1));
            }
            else
            {
                reached.Add((name, sent));
            }
        }
        return reached;
    }

    private static JsonObject? Match(JsonObject[] rules, Dictionary<string, string> headers)
    {
        JsonObject? best = null;
        var bestHeaders = -1;
        foreach (var rule in rules)
        {
            foreach (var match in rule["matches"]!.AsArray().Select(m => m!.AsObject()))
            {
                var prefix = match["path"]!["value"]!.GetValue<string>();
                var wanted = (match["headers"] as JsonArray ?? []).Select(h => h!.AsObject()).ToArray();
                var fits = Path.StartsWith(prefix, StringComparison.Ordinal)
                    && wanted.All(h => headers.TryGetValue(h["name"]!.GetValue<string>(), out var v) && v == h["value"]!.GetValue<string>());
                if (fits && wanted.Length > bestHeaders)
                {
                    (best, bestHeaders) = (rule, wanted.Length);
                }
            }
        }
        return best;
    }

    private static Dictionary<string, string> Apply(JsonArray? filters, Dictionary<string, string> headers)
    {
        var result = new Dictionary<string, string>(headers, StringComparer.OrdinalIgnoreCase);
        foreach (var modifier in (filters ?? []).Select(f => f!["requestHeaderModifier"]).OfType<JsonObject>())
        {
            foreach (var set in modifier["set"] as JsonArray ?? [])
            {
                result[set!["name"]!.GetValue<string>()] = set["value"]!.GetValue<string>();
            }
            foreach (var remove in modifier["remove"] as JsonArray ?? [])
            {
                result.Remove(remove!.GetValue<string>());
            }
        }
        return result;
    }
}
