// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Modelplane.Functions.ModelServices;
using Modelplane.Routing.Tests.Schema;
using Modelplane.Testing;
using static Modelplane.Routing.Tests.Fixtures;

namespace Modelplane.Routing.Tests.ModelServices;

/// <summary>Property checks at 1, 16, 17, 100 and 1,000 endpoints: valid Gateway API and shares within 1% of the declared weights.</summary>
public sealed class LargeServiceTests
{
    public static TheoryData<int, long[]> Sizes => new()
    {
        { 1, [1] },
        { 16, [1] },
        { 16, [80, 20] },
        { 17, [1] },
        { 17, [5, 3, 2] },
        { 100, [1] },
        { 100, [95, 5] },
        { 100, [5, 3, 2] },
        { 1000, [1] },
        { 1000, [80, 20] },
        { 1000, [7, 11, 13, 1] },
        { 1000, [1_000_000, 999_983, 3] },
    };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Compose_ManyEndpoints_ValidRoutesAndDeclaredShares(int count, long[] weights)
    {
        // Endpoints dealt round-robin over the entries, each entry selecting its own label.
        var perEntry = weights.Select(_ => new List<JsonObject>()).ToArray();
        for (var i = 0; i < count; i++)
        {
            var e = i % weights.Length;
            perEntry[e].Add(Endpoint($"ep-{i:0000}", backend: $"svc-{i:0000}", rewritePath: $"/{Namespace}/ep-{i:0000}/", labels: [$"entry={e}"]));
        }
        var xr = ModelService(new JsonArray(weights.Select((w, e) => (JsonNode)Entry($"entry={e}", w)).ToArray()));
        var request = ModelServiceComposerTests.Request(xr, Gateway(), perEntry.Select(l => (IReadOnlyList<JsonObject>)l).ToArray());

        var desired = GatewayApiSchemaTests.Desired(FunctionHost.Run(request, ModelServiceComposer.Composer)).ToArray();
        var routes = desired.Where(r => r["kind"]!.GetValue<string>() == "HTTPRoute").ToArray();
        foreach (var route in routes)
        {
            Assert.Empty(GatewayApiSchemas.Validate(route));
            var rules = route["spec"]!["rules"]!.AsArray();
            Assert.InRange(rules.Count, 1, 16);
            foreach (var rule in rules)
            {
                var refs = rule!["backendRefs"]!.AsArray();
                Assert.InRange(refs.Count, 1, 16);
                Assert.All(refs, r => Assert.InRange(r!["weight"]!.GetValue<int>(), 1, 1_000_000));
            }
        }
        Assert.Equal(count > 16, desired.Any(r => r["kind"]!.GetValue<string>() == "Service"));

        var shares = Shares(routes);
        Assert.Equal(count, shares.Count);
        Assert.Equal(1.0, shares.Values.Sum(), 9);
        var total = (double)weights.Where((_, e) => perEntry[e].Count > 0).Sum();
        for (var e = 0; e < weights.Length; e++)
        {
            if (perEntry[e].Count == 0)
            {
                continue;
            }
            var declared = weights[e] / total;
            var entryShare = perEntry[e].Sum(ep => shares[$"svc-{ep["metadata"]!["name"]!.GetValue<string>()[3..]}"]);
            Assert.True(Math.Abs(entryShare - declared) <= 0.01 * declared,
                $"entry {e}: share {entryShare:R}, declared {declared:R}");
            if (count > 16)
            {
                // Past upstream's range every endpoint of an entry also gets its even part within 1%.
                var even = declared / perEntry[e].Count;
                foreach (var ep in perEntry[e])
                {
                    var share = shares[$"svc-{ep["metadata"]!["name"]!.GetValue<string>()[3..]}"];
                    Assert.True(Math.Abs(share - even) <= 0.01 * even, $"{ep["metadata"]!["name"]}: share {share:R}, even {even:R}");
                }
            }
        }
    }

    // Follows the rules as a gateway would: the root rule, then through each hop header to its rule,
    // multiplying weight fractions down to the endpoints' Services.
    private static Dictionary<string, double> Shares(IReadOnlyList<JsonObject> routes)
    {
        var rules = routes.SelectMany(r => r["spec"]!["rules"]!.AsArray()).Select(r => r!.AsObject()).ToArray();
        var root = Assert.Single(rules, r => r["matches"]![0]!["headers"] is null);
        var byHop = rules.Where(r => r != root).ToDictionary(r => r["matches"]![0]!["headers"]![0]!["value"]!.GetValue<string>());
        var shares = new Dictionary<string, double>(StringComparer.Ordinal);
        Walk(root, 1.0);
        return shares;

        void Walk(JsonObject rule, double share)
        {
            var refs = rule["backendRefs"]!.AsArray();
            var sum = refs.Sum(r => r!["weight"]!.GetValue<double>());
            foreach (var backendRef in refs)
            {
                var part = share * backendRef!["weight"]!.GetValue<double>() / sum;
                var hop = (backendRef["filters"] as JsonArray ?? [])
                    .Select(f => f?["requestHeaderModifier"]?["set"]?[0]?["value"]?.GetValue<string>())
                    .FirstOrDefault(v => v is not null);
                if (hop is not null)
                {
                    Assert.Equal(ModelServiceComposer.HopServiceName(ServiceName), backendRef["name"]!.GetValue<string>());
                    Walk(byHop[hop], part);
                }
                else
                {
                    var name = backendRef["name"]!.GetValue<string>();
                    Assert.False(shares.ContainsKey(name), $"{name} is routed twice");
                    shares[name] = part;
                }
            }
        }
    }
}
