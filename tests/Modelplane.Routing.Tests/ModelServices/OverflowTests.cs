// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Modelplane.Functions.ModelServices;
using Modelplane.Routing.Tests.Schema;
using Modelplane.Testing;

namespace Modelplane.Routing.Tests.ModelServices;

/// <summary>What overflow of Sheddable traffic may never do, checked over every ModelService case, and its pure helpers.</summary>
public sealed class OverflowTests
{
    public static TheoryData<Case> ServiceCases => ModelServiceComposerTests.Cases;

    // Every Service a TraefikService sends to is the backend of an endpoint the service's own entries
    // selected in its namespace: overflow never reaches a provider the service did not list.
    [Theory]
    [MemberData(nameof(ServiceCases), DisableDiscoveryEnumeration = true)]
    public void EveryCase_TraefikServicesReachOnlySelectedEndpoints(Case c)
    {
        var listed = c.Request.RequiredResources
            .Where(kv => kv.Key.StartsWith("endpoints-", StringComparison.Ordinal))
            .SelectMany(kv => kv.Value.Items)
            .Select(r => Modelplane.Sdk.StructJson.ToJsonObject(r.Resource_))
            .Where(e => e["metadata"]?["namespace"]?.GetValue<string>() == Fixtures.Namespace)
            .Select(e => e["status"]?["routing"]?["backendName"]?.GetValue<string>()).OfType<string>()
            .ToHashSet(StringComparer.Ordinal);
        var desired = GatewayApiSchemaTests.Desired(FunctionHost.Run(c.Request, ModelServiceComposer.Composer)).ToArray();
        var services = desired.Where(r => r["kind"]?.GetValue<string>() == "TraefikService").SelectMany(Children)
            .Where(child => (child["kind"]?.GetValue<string>() ?? "Service") == "Service")
            .Select(child => child["name"]!.GetValue<string>());
        Assert.All(services, s => Assert.Contains(s, listed));
    }

    [Fact]
    public void CriticalService_OnlySheddableCopyFailsOver_ToListedProviderLast()
    {
        var c = ((IEnumerable<object[]>)ModelServiceComposerTests.Cases).Select(r => (Case)r[0]).Single(k => k.Name == "critical-never-overflows-to-unlisted-provider");
        var desired = GatewayApiSchemaTests.Desired(FunctionHost.Run(c.Request, ModelServiceComposer.Composer)).ToArray();
        var rules = desired.Where(r => r["kind"]?.GetValue<string>() == "HTTPRoute").SelectMany(r => r["spec"]!["rules"]!.AsArray()).OfType<JsonObject>().ToArray();
        Assert.Equal(3, rules.Length);
        foreach (var rule in rules)
        {
            var requested = rule["matches"]![0]!["headers"]?[0]?["value"]?.GetValue<string>();
            var kinds = rule["backendRefs"]!.AsArray().Select(b => b!["kind"]?.GetValue<string>() ?? "Service").ToArray();
            Assert.Equal(2, kinds.Length);
            // Critical (no header) and Standard keep plain Services to the replicas; Sheddable fails over.
            Assert.All(kinds, k => Assert.Equal(requested == "Sheddable" ? "TraefikService" : "Service", k));
            Assert.DoesNotContain(rule["backendRefs"]!.AsArray(), b => b!["name"]!.GetValue<string>() == "svc-together");
        }
        // The provider is reached only as the last fallback of a chain that tries the other placement first.
        var byName = desired.Where(r => r["kind"]?.GetValue<string>() == "TraefikService")
            .ToDictionary(r => r["metadata"]!["name"]!.GetValue<string>(), StringComparer.Ordinal);
        var tier = byName.Values.Single(t => Children(t).Any(ch => ch["name"]?.GetValue<string>() == "svc-together"));
        Assert.NotNull(tier["spec"]!["weighted"]);
        var chains = byName.Values.Where(t => t["spec"]!["failover"]?["fallback"]?["name"]?.GetValue<string>() == tier["metadata"]!["name"]!.GetValue<string>()).ToArray();
        Assert.Equal(2, chains.Length);
        Assert.All(chains, ch => Assert.NotNull(byName[ch["spec"]!["failover"]!["service"]!["name"]!.GetValue<string>()]["spec"]!["weighted"]));
    }

    [Theory]
    [InlineData("40.2.0", 40)]
    [InlineData("v41.0.1", 41)]
    [InlineData("39", 39)]
    [InlineData("latest", null)]
    [InlineData("", null)]
    [InlineData("-40.0.0", null)]
    public void ChartMajor_Version_Major(string chart, int? expected) => Assert.Equal(expected, Overflow.ChartMajor(chart));

    [Theory]
    [InlineData("/ml-team/qwen-a1b2c/", "/ml-team/chat/v1/chat/completions", "/ml-team/qwen-a1b2c/v1/chat/completions")]
    [InlineData("/openai/v1", "/ml-team/chat/chat/completions", "/openai/v1/chat/completions")]
    [InlineData("/", "/ml-team/chat/v1/models", "/v1/models")]
    public void PathRewrite_AsTraefikAppliesIt_SameAsReplacePrefixMatch(string rewrite, string request, string expected)
    {
        var m = Overflow.PathRewrite("ml-team", "chat", rewrite);
        // Traefik's replacePathRegex: Go's regexp.ReplaceAllString with $1; .NET's Regex.Replace reads $1 alike.
        Assert.Equal(expected, System.Text.RegularExpressions.Regex.Replace(request, m.Regex!, m.Replacement!));
    }

    [Fact]
    public void PathRewrite_DottedName_MatchesOnlyLiteralDot()
    {
        var m = Overflow.PathRewrite("ml-team", "chat.v2", "/v1/");
        Assert.DoesNotMatch(m.Regex!, "/ml-team/chatxv2/models");
        Assert.Matches(m.Regex!, "/ml-team/chat.v2/models");
    }

    private static IEnumerable<JsonObject> Children(JsonObject traefikService)
    {
        var spec = traefikService["spec"]!;
        if (spec["weighted"]?["services"] is JsonArray services)
        {
            return services.OfType<JsonObject>();
        }
        return new[] { spec["failover"]?["service"], spec["failover"]?["fallback"] }.OfType<JsonObject>();
    }
}
