// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Apiextensions.Fn.Proto.V1;
using Google.Protobuf;
using Modelplane.Functions.ModelEndpoints;
using Modelplane.Testing;

namespace Modelplane.Routing.Tests.ModelEndpoints;

public sealed class ModelEndpointComposerTests
{
    private const string InvalidMessage =
        "invalid spec.url \"not-a-url\": it has no scheme (http:// or https://); set spec.url to http(s)://host[:port]/...";

    public static TheoryData<Case> Cases => new()
    {
        // Upstream's eight cases, our data and words.
        new("ip-url-first-pass-composes-service-only",
            "An IP URL composes the Service first; the EndpointSlice waits for the Service's generated name.",
            Request(Xr("http://34.55.100.10/v1"))),
        new("ip-url-second-pass-composes-endpointslice",
            "Once the Service is observed it is ready and an IPv4 EndpointSlice labelled with its name is composed; no backend yet.",
            Request(Xr("http://34.55.100.10/v1"), service: "my-service")),
        new("ip-url-third-pass-publishes-backend",
            "With both observed, status.routing names the Service (with its port) and RoutingReady is True.",
            Request(Xr("http://34.55.100.10/v1"), service: "my-service", slice: true)),
        new("fqdn-https-url-first-pass-uses-port-443",
            "An https URL without a port routes to 443 and marks the port appProtocol https.",
            Request(Xr("https://api.together.xyz/v1"))),
        new("fqdn-url-publishes-backend-and-hostname",
            "An FQDN endpoint gets an FQDN slice, and its status carries the Host header a route sends.",
            Request(Xr("https://api.together.xyz/v1"), service: "together-svc", slice: true)),
        new("ipv6-url-composes-ipv6-endpointslice",
            "A bracketed IPv6 host becomes an IPv6 slice address without brackets.",
            Request(Xr("http://[2001:db8::1]/v1"), service: "v6-svc", slice: true)),
        new("invalid-url-warns-and-composes-nothing",
            "A URL with no scheme is a False RoutingReady naming the problem, a Warning, nothing composed, and the endpoint not Ready.",
            Request(Xr("not-a-url"))),
        new("non-integer-port-warns-and-composes-nothing",
            "A port that is not a number is refused the same way.",
            Request(Xr("https://host.example.com:abc"))),

        // Beyond upstream.
        new("invalid-url-edit-keeps-last-valid-backend",
            "Editing a routed endpoint's URL to garbage keeps its Service, slice and backend routing (rebuilt from what we observe) while it reads not Ready.",
            Request(Xr("not-a-url"), service: "together-svc", slice: true, sliceAddress: ("FQDN", "api.together.xyz", 443), appProtocol: "https")),
        new("invalid-url-warning-not-repeated",
            "When the XR already carries the same InvalidURL condition, no second Warning event is emitted.",
            Request(Xr("not-a-url", conditions: new JsonArray(Condition("RoutingReady", "False", "InvalidURL", InvalidMessage))))),
        new("https-custom-port-uses-app-protocol",
            "https on a port other than 443 keeps TLS through appProtocol https, which upstream lost.",
            Request(Xr("https://models.example.com:8443/v1"), service: "custom-svc", slice: true)),
        new("loopback-url-refused",
            "A loopback address, which an EndpointSlice cannot hold, is refused with the reason instead of failing at apply.",
            Request(Xr("http://127.0.0.1:8000/v1"))),
        new("wrong-typed-url-is-fatal",
            "spec.url of the wrong type is a Fatal result and a False Composed condition naming the field, not an INTERNAL error.",
            Request(XrWithUrl(42))),
    };

    [Theory]
    [MemberData(nameof(Cases), DisableDiscoveryEnumeration = true)]
    public void Compose(Case c) => Golden.Match(c.Name, c.Reason, FunctionHost.Run(c.Request, ModelEndpointComposer.Composer));

    [Fact]
    public void Compose_SameRequestTwice_ByteIdenticalResponses()
    {
        var request = Request(Xr("https://api.together.xyz/v1"), service: "together-svc", slice: true);
        Assert.Equal(
            FunctionHost.Run(request, ModelEndpointComposer.Composer).ToByteArray(),
            FunctionHost.Run(request, ModelEndpointComposer.Composer).ToByteArray());
    }

    private static JsonObject Xr(string url, JsonArray? conditions = null) => XrWithUrl(url, conditions);

    private static JsonObject XrWithUrl(JsonNode url, JsonArray? conditions = null)
    {
        var xr = new JsonObject
        {
            ["apiVersion"] = "modelplane.ai/v1alpha1",
            ["kind"] = "ModelEndpoint",
            ["metadata"] = new JsonObject { ["name"] = "test-endpoint", ["namespace"] = Fixtures.Namespace },
            ["spec"] = new JsonObject { ["url"] = url },
        };
        if (conditions is not null)
        {
            xr["status"] = new JsonObject { ["conditions"] = conditions };
        }
        return xr;
    }

    private static RunFunctionRequest Request(
        JsonObject xr, string? service = null, bool slice = false,
        (string Type, string Address, int Port)? sliceAddress = null, string? appProtocol = null)
    {
        var observed = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        if (service is not null)
        {
            var port = new JsonObject { ["port"] = sliceAddress?.Port ?? 80, ["protocol"] = "TCP" };
            if (appProtocol is not null)
            {
                port["appProtocol"] = appProtocol;
            }
            var svc = Fixtures.Observed("v1", "Service", service, Fixtures.Namespace);
            svc["spec"] = new JsonObject { ["ports"] = new JsonArray(port) };
            observed["service"] = svc;
        }
        if (slice)
        {
            var s = Fixtures.Observed("discovery.k8s.io/v1", "EndpointSlice", $"{service}-abcde", Fixtures.Namespace);
            if (sliceAddress is { } a)
            {
                s["addressType"] = a.Type;
                s["endpoints"] = new JsonArray(new JsonObject { ["addresses"] = new JsonArray(a.Address), ["conditions"] = new JsonObject { ["ready"] = true } });
                s["ports"] = new JsonArray(new JsonObject { ["name"] = "", ["port"] = a.Port, ["protocol"] = "TCP" });
            }
            observed["endpointslice"] = s;
        }
        return FunctionHost.Request(ModelEndpointComposer.Name, xr, observed: observed);
    }
}
