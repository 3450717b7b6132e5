// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json;
using System.Text.Json.Nodes;
using Modelplane.Functions.InferenceGateways;

namespace Modelplane.Routing.Tests.Schema;

/// <summary>The Gateway API v1 schemas of the CRDs the InferenceGateway installs, and the CEL rules our output could break.</summary>
internal static class GatewayApiSchemas
{
    private static readonly Lazy<Dictionary<string, JsonObject>> ByKind = new(() =>
        GatewayApiCrds.All.ToDictionary(
            c => c.Crd["spec"]!["names"]!["kind"]!.GetValue<string>(),
            c => c.Crd["spec"]!["versions"]!.AsArray().Single(v => v!["name"]!.GetValue<string>() == "v1")!["schema"]!["openAPIV3Schema"]!.AsObject(),
            StringComparer.Ordinal));

    /// <summary>Schema errors of a composed <c>gateway.networking.k8s.io/v1</c> object, plus the hand-checked CEL rules.</summary>
    public static IReadOnlyList<string> Validate(JsonObject resource)
    {
        Assert.Equal("gateway.networking.k8s.io/v1", resource["apiVersion"]!.GetValue<string>());
        var kind = resource["kind"]!.GetValue<string>();
        var errors = OpenApiValidator.Validate(resource, ByKind.Value[kind]).ToList();
        if (kind == "HTTPRoute")
        {
            errors.AddRange(GatewayApiRules.HttpRoute(resource));
        }
        return errors;
    }
}

/// <summary>The HTTPRoute CEL rules (Gateway API v1.5.1) that the routes we compose could violate, checked by hand.</summary>
internal static class GatewayApiRules
{
    public static IEnumerable<string> HttpRoute(JsonObject route)
    {
        var rules = route["spec"]?["rules"] as JsonArray ?? [];
        var matches = rules.Sum(r => (r?["matches"] as JsonArray)?.Count ?? 0);
        if (matches > 128)
        {
            yield return $"spec.rules: {matches} matches in total, at most 128 allowed";
        }
        for (var r = 0; r < rules.Count; r++)
        {
            var refs = rules[r]?["backendRefs"] as JsonArray ?? [];
            for (var b = 0; b < refs.Count; b++)
            {
                var at = $"spec.rules[{r}].backendRefs[{b}]";
                var backendRef = refs[b]!.AsObject();
                var isService = (backendRef["group"]?.GetValue<string>() ?? "") == "" && (backendRef["kind"]?.GetValue<string>() ?? "Service") == "Service";
                if (isService && !backendRef.ContainsKey("port"))
                {
                    yield return $"{at}: must specify port for a Service reference";
                }
                var filters = (backendRef["filters"] as JsonArray ?? []).Select(f => f!["type"]!.GetValue<string>()).ToArray();
                foreach (var type in filters.GroupBy(t => t).Where(g => g.Count() > 1 && g.Key != "RequestMirror" && g.Key != "ExtensionRef"))
                {
                    yield return $"{at}.filters: {type.Key} may appear at most once";
                }
                if (filters.Contains("URLRewrite") && filters.Contains("RequestRedirect"))
                {
                    yield return $"{at}.filters: URLRewrite and RequestRedirect cannot be combined";
                }
                var prefixRewrite = (backendRef["filters"] as JsonArray ?? [])
                    .Any(f => f?["urlRewrite"]?["path"]?["type"]?.GetValue<string>() == "ReplacePrefixMatch");
                var ruleMatches = rules[r]?["matches"] as JsonArray ?? [];
                if (prefixRewrite && !(ruleMatches.Count == 1 && ruleMatches[0]?["path"]?["type"]?.GetValue<string>() == "PathPrefix"))
                {
                    yield return $"{at}: ReplacePrefixMatch needs exactly one PathPrefix match in its rule";
                }
                if (backendRef["weight"] is JsonValue w && w.GetValueKind() == JsonValueKind.Number && double.Parse(w.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture) is < 0 or > 1_000_000)
                {
                    yield return $"{at}.weight: outside 0-1000000";
                }
            }
        }
    }
}
