// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Google.Protobuf;
using Modelplane.Functions.InferenceGateways;
using Modelplane.Functions.ModelServices;
using Modelplane.Routing.Tests.ModelServices;
using Modelplane.Testing;

namespace Modelplane.Routing.Tests.Schema;

public sealed class GatewayApiSchemaTests
{
    [Fact]
    public void Validate_MinimalRoute_NoErrors() => Assert.Empty(GatewayApiSchemas.Validate(Route()));

    // Each row breaks one limit; the validator must name it, or the checks below prove nothing.
    [Theory]
    [InlineData("17-backendrefs", "spec.rules[0].backendRefs: Too many")]
    [InlineData("17-rules", "spec.rules: Too many")]
    [InlineData("weight-too-big", "spec.rules[0].backendRefs[0].weight: Invalid value: 1000001")]
    [InlineData("negative-weight", "spec.rules[0].backendRefs[0].weight: Invalid value: -1")]
    [InlineData("unknown-field", "spec.rules[0].backendRefs[0].wieght: field not declared in schema")]
    [InlineData("bad-path-type", "spec.rules[0].matches[0].path.type: Unsupported value: \"Prefix\"")]
    [InlineData("bad-header-name", "spec.rules[0].matches[0].headers[0].name: Invalid value: \"x hop\"")]
    [InlineData("missing-parent-name", "spec.parentRefs[0].name: Required value")]
    [InlineData("string-port", "spec.rules[0].backendRefs[0].port: Invalid value: \"80\": must be of type integer")]
    [InlineData("missing-port", "spec.rules[0].backendRefs[0]: Invalid value: \"object\": Must have port for Service reference")]
    [InlineData("two-rewrites", "spec.rules[0].backendRefs[0].filters: Invalid value: \"array\": URLRewrite filter cannot be repeated")]
    [InlineData("rewrite-without-prefix", "spec.rules[0]: Invalid value: \"object\": Within backendRefs, When using URLRewrite filter with")]
    public void Validate_BrokenRoute_NamesTheProblem(string breakage, string expected)
    {
        var route = Route();
        var rule = route["spec"]!["rules"]![0]!.AsObject();
        var backendRef = rule["backendRefs"]![0]!.AsObject();
        switch (breakage)
        {
            case "17-backendrefs":
                rule["backendRefs"] = new JsonArray(Enumerable.Range(0, 17).Select(i => (JsonNode)new JsonObject { ["name"] = $"s{i}", ["port"] = 80 }).ToArray());
                break;
            case "17-rules":
                route["spec"]!["rules"] = new JsonArray(Enumerable.Range(0, 17).Select(_ => rule.DeepClone()).ToArray());
                break;
            case "weight-too-big":
                backendRef["weight"] = 1_000_001;
                break;
            case "negative-weight":
                backendRef["weight"] = -1;
                break;
            case "unknown-field":
                backendRef["wieght"] = 3;
                break;
            case "bad-path-type":
                rule["matches"]![0]!["path"]!["type"] = "Prefix";
                break;
            case "bad-header-name":
                rule["matches"]![0]!["headers"] = new JsonArray(new JsonObject { ["name"] = "x hop", ["value"] = "1" });
                break;
            case "missing-parent-name":
                route["spec"]!["parentRefs"]![0]!.AsObject().Remove("name");
                break;
            case "string-port":
                backendRef["port"] = "80";
                break;
            case "missing-port":
                backendRef.Remove("port");
                break;
            case "two-rewrites":
                backendRef["filters"]!.AsArray().Add(backendRef["filters"]![0]!.DeepClone());
                break;
            case "rewrite-without-prefix":
                rule["matches"]!.AsArray().Add(new JsonObject { ["path"] = new JsonObject { ["type"] = "Exact", ["value"] = "/x" } });
                break;
        }
        var errors = GatewayApiSchemas.Validate(route);
        Assert.Contains(errors, e => e.StartsWith(expected, StringComparison.Ordinal));
    }

    public static TheoryData<Case> ServiceCases => ModelServiceComposerTests.Cases;

    [Theory]
    [MemberData(nameof(ServiceCases), DisableDiscoveryEnumeration = true)]
    public void ModelServiceCase_ComposedRoutes_ValidGatewayApi(Case c)
    {
        var routes = Desired(FunctionHost.Run(c.Request, ModelServiceComposer.Composer))
            .Where(r => r["kind"]?.GetValue<string>() == "HTTPRoute").ToArray();
        foreach (var route in routes)
        {
            Assert.Empty(GatewayApiSchemas.Validate(route));
        }
    }

    [Theory]
    [MemberData(nameof(ServiceCases), DisableDiscoveryEnumeration = true)]
    public void ModelServiceCase_ComposedTraefikObjects_ValidAgainstVendoredCrds(Case c)
    {
        var traefik = Desired(FunctionHost.Run(c.Request, ModelServiceComposer.Composer))
            .Where(r => r["apiVersion"]?.GetValue<string>()?.StartsWith("traefik.io/", StringComparison.Ordinal) == true).ToArray();
        foreach (var resource in traefik)
        {
            Assert.Empty(TraefikSchemas.Validate(resource));
        }
    }

    [Fact]
    public void ModelServiceCases_ComposeBothTraefikKinds()
    {
        var kinds = ((IEnumerable<object[]>)ServiceCases).Select(r => (Case)r[0])
            .SelectMany(c => Desired(FunctionHost.Run(c.Request, ModelServiceComposer.Composer)))
            .Where(r => r["apiVersion"]?.GetValue<string>() == "traefik.io/v1alpha1")
            .Select(r => r["kind"]!.GetValue<string>()).Distinct().Order(StringComparer.Ordinal);
        Assert.Equal(TraefikSchemas.Kinds.Order(StringComparer.Ordinal), kinds);
    }

    // Each row breaks a failover as the API server (or Traefik) would refuse it; the check must say so.
    [Theory]
    [InlineData("two-modes", "spec: 2 modes set")]
    [InlineData("no-fallback", "spec.failover.fallback: Required value")]
    [InlineData("bad-kind", "spec.failover.fallback.kind: Unsupported value: \"Traefikservice\"")]
    [InlineData("mirroring", "spec.mirroring: field not declared in schema")]
    [InlineData("status-number", "spec.failover.errors.status[0]: Invalid value: 429")]
    public void Validate_BrokenFailover_NamesTheProblem(string breakage, string expected)
    {
        var service = FunctionHost.Yaml("""
            apiVersion: traefik.io/v1alpha1
            kind: TraefikService
            metadata: {name: f, namespace: ml-team}
            spec:
              failover:
                service: {name: svc-1, port: 80}
                fallback: {kind: TraefikService, name: others}
                errors: {status: ["429"], maxRequestBodyBytes: 1024}
            """);
        Assert.Empty(TraefikSchemas.Validate(service));
        var failover = service["spec"]!["failover"]!.AsObject();
        switch (breakage)
        {
            case "two-modes":
                service["spec"]!["weighted"] = new JsonObject { ["services"] = new JsonArray() };
                break;
            case "no-fallback":
                failover.Remove("fallback");
                break;
            case "bad-kind":
                failover["fallback"]!["kind"] = "Traefikservice";
                break;
            case "mirroring":
                service["spec"]!["mirroring"] = new JsonObject { ["name"] = "x" };
                break;
            case "status-number":
                failover["errors"]!["status"] = new JsonArray(429);
                break;
        }
        Assert.Contains(TraefikSchemas.Validate(service), e => e.StartsWith(expected, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void InferenceGateway_ComposedGatewayAndClass_ValidGatewayApi(bool tls)
    {
        var xr = FunctionHost.Yaml($$"""
            apiVersion: modelplane.ai/v1alpha1
            kind: InferenceGateway
            metadata: {name: default}
            spec:
              backend: Traefik
              traefik: {version: "40.2.0"}
              {{(tls ? "tls: {hostname: models.example.com, secretName: models-tls}" : "")}}
            """);
        var observed = new Dictionary<string, JsonObject>(StringComparer.Ordinal)
        {
            ["traefik"] = Fixtures.Observed("helm.m.crossplane.io/v1beta1", "Release", "t", "modelplane-system",
                conditions: new JsonArray(Condition("Ready", "True", "Available"))),
        };
        var gatewayApi = Desired(FunctionHost.Run(FunctionHost.Request(InferenceGatewayComposer.Name, xr, observed: observed), InferenceGatewayComposer.Composer))
            .Where(r => r["apiVersion"]?.GetValue<string>() == "gateway.networking.k8s.io/v1").ToArray();
        Assert.Equal(["Gateway", "GatewayClass"], gatewayApi.Select(r => r["kind"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        foreach (var resource in gatewayApi)
        {
            Assert.Empty(GatewayApiSchemas.Validate(resource));
        }
    }

    internal static IEnumerable<JsonObject> Desired(Apiextensions.Fn.Proto.V1.RunFunctionResponse response) =>
        (JsonNode.Parse(JsonFormatter.Default.Format(response))!["desired"]?["resources"] as JsonObject ?? [])
            .OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => kv.Value!["resource"]!.AsObject());

    private static JsonObject Route() => FunctionHost.Yaml("""
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {namespace: ml-team}
        spec:
          parentRefs:
          - {name: modelplane, namespace: modelplane-system}
          rules:
          - matches:
            - path: {type: PathPrefix, value: /ml-team/svc/}
            backendRefs:
            - name: svc-1
              port: 80
              weight: 1
              filters:
              - type: URLRewrite
                urlRewrite:
                  path: {type: ReplacePrefixMatch, replacePrefixMatch: /v1/}
        """);
}
