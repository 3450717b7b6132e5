// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Apiextensions.Fn.Proto.V1;
using Google.Protobuf;
using Modelplane.Functions.InferenceGateways;
using Modelplane.Testing;
using Modelplane.Yaml;

namespace Modelplane.Routing.Tests.InferenceGateways;

public sealed class InferenceGatewayComposerTests
{
    private static readonly string[] CrdNames = GatewayApiCrds.All.Select(c => c.Name).ToArray();

    public static TheoryData<Case> Cases => new()
    {
        // Upstream's three cases, our data and words.
        new("first-pass-composes-provider-config-and-crds",
            "Nothing observed: the Helm ProviderConfig (ready) and the eight Gateway API CRDs (not yet); Traefik and the Gateway wait.",
            Request(Gateway())),
        new("established-crds-compose-traefik-and-usages",
            "With the ProviderConfig observed and every CRD Established, Traefik and its three Usages are composed in one pass; no Gateway yet.",
            Request(Gateway(), Observed(providerConfig: true, crds: true))),
        new("ready-traefik-composes-gateway-and-address",
            "With Traefik Ready and the Gateway accepted and addressed, everything is ready, the address is published and no event repeats.",
            Request(Gateway(), Observed(providerConfig: true, crds: true, traefikReady: true, gatewayClass: true, gatewayAddress: "10.0.0.42"))),

        // Untested upstream, and beyond upstream.
        new("traefik-ready-first-time-emits-event",
            "The pass Traefik first reads Ready composes the GatewayClass and Gateway and emits a Normal event once.",
            Request(Gateway(), Observed(providerConfig: true, crds: true, traefikReady: true))),
        new("partly-established-crds-keep-traefik-waiting",
            "Until every CRD is Established Traefik is not composed, and ControllerReady counts what is missing.",
            Request(Gateway(), Observed(providerConfig: true, crds: true, skipCrd: true))),
        new("metallb-first-pass-composes-namespace",
            "MetalLB mode: its namespace comes first; its release waits for the ProviderConfig.",
            Request(Gateway(metalLb: true))),
        new("metallb-release-follows-provider-config",
            "Once the ProviderConfig is observed the MetalLB release and its Usage install beside Traefik.",
            Request(Gateway(metalLb: true), Observed(providerConfig: true))),
        new("metallb-ready-composes-pool-and-advertisement",
            "A Ready MetalLB release brings the address pool and L2 advertisement.",
            Request(Gateway(metalLb: true), Observed(providerConfig: true, crds: true, metalLbReady: true))),
        new("sticky-gates-keep-gateway-when-traefik-flaps",
            "A Traefik release that stops reading Ready does not remove the observed GatewayClass and Gateway, nor itself.",
            Request(Gateway(), Observed(providerConfig: true, traefik: true, gatewayClass: true, gatewayAddress: "10.0.0.42"))),
        new("tls-adds-https-listener-and-https-address",
            "spec.tls adds an HTTPS listener for the hostname with its certificate Secret; the address becomes https://<hostname>.",
            Request(Gateway(tls: true), Observed(providerConfig: true, crds: true, traefikReady: true, gatewayClass: true, gatewayAddress: "10.0.0.42"))),
        new("non-default-name-is-fatal",
            "An InferenceGateway not named default is refused with a Fatal result and a condition saying why and what to do.",
            Request(Gateway(name: "second"))),
        new("tls-without-secret-is-fatal",
            "spec.tls without secretName is a Fatal result naming the field.",
            Request(Gateway(tls: true, secretName: null))),
    };

    [Theory]
    [MemberData(nameof(Cases), DisableDiscoveryEnumeration = true)]
    public void Compose(Case c) => MatchEliding(c.Name, c.Reason, FunctionHost.Run(c.Request, InferenceGatewayComposer.Composer));

    [Fact]
    public void Compose_Crds_VendoredGatewayApiStandardChannelWithoutStatus()
    {
        var response = FunctionHost.Run(Request(Gateway()), InferenceGatewayComposer.Composer);
        var desired = JsonNode.Parse(JsonFormatter.Default.Format(response))!["desired"]!["resources"]!.AsObject();
        var dir = Path.Combine(SourceDir(), "..", "..", "..", "functions", "InferenceGateways", "GatewayApiCrds");
        var files = Directory.GetFiles(dir, "*.yaml").Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(8, files.Length);
        Assert.Equal(
            ["backendtlspolicies", "gatewayclasses", "gateways", "grpcroutes", "httproutes", "listenersets", "referencegrants", "tlsroutes"],
            CrdNames.Select(n => n.Split('.')[0]));
        foreach (var file in files)
        {
            var vendored = (JsonObject)YamlJson.Read(File.ReadAllText(file))!;
            var name = vendored["metadata"]!["name"]!.GetValue<string>();
            Assert.Equal("v1.5.1", vendored["metadata"]!["annotations"]!["gateway.networking.k8s.io/bundle-version"]!.GetValue<string>());
            var composed = desired[$"gateway-api-crd-{name}"]!["resource"]!.AsObject();
            Assert.False(composed.ContainsKey("status"), $"{name} must not carry a desired status");
            vendored.Remove("status");
            Assert.True(JsonNode.DeepEquals(vendored, composed), $"{name} differs from {file}");
        }
    }

    [Fact]
    public void Compose_SameRequestTwice_ByteIdenticalResponses()
    {
        var request = Request(Gateway(tls: true, metalLb: true), Observed(providerConfig: true, crds: true, traefikReady: true, metalLbReady: true));
        Assert.Equal(
            FunctionHost.Run(request, InferenceGatewayComposer.Composer).ToByteArray(),
            FunctionHost.Run(request, InferenceGatewayComposer.Composer).ToByteArray());
    }

    /// <summary>Goldens with each CRD's 1 MB spec replaced by its SHA-256, so they stay reviewable and still exact.</summary>
    internal static void MatchEliding(string name, string reason, RunFunctionResponse response, [CallerFilePath] string callerFile = "") =>
        Golden.MatchText(name, $"# {reason}\n{YamlJson.Write(ElideCrds(response))}", callerFile);

    internal static JsonNode ElideCrds(RunFunctionResponse response)
    {
        var json = JsonNode.Parse(JsonFormatter.Default.Format(response))!;
        if (json["desired"]?["resources"] is JsonObject resources)
        {
            foreach (var (_, resource) in resources)
            {
                if (resource?["resource"] is JsonObject obj && obj["kind"]?.GetValue<string>() == "CustomResourceDefinition" && obj["spec"] is { } spec)
                {
                    var digest = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(spec.ToJsonString())));
                    obj["spec"] = $"elided: sha256 {digest}";
                }
            }
        }
        return json;
    }

    private static string SourceDir([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;

    private static JsonObject Gateway(string name = "default", bool metalLb = false, bool tls = false, string? secretName = "models-example-com-tls")
    {
        var traefik = new JsonObject { ["version"] = "40.2.0" };
        if (metalLb)
        {
            traefik["loadBalancer"] = "MetalLB";
            traefik["metallb"] = new JsonObject { ["addressPool"] = "172.18.255.200-172.18.255.250" };
        }
        var spec = new JsonObject { ["backend"] = "Traefik", ["traefik"] = traefik };
        if (tls)
        {
            var t = new JsonObject { ["hostname"] = "models.example.com" };
            if (secretName is not null)
            {
                t["secretName"] = secretName;
            }
            spec["tls"] = t;
        }
        return new JsonObject
        {
            ["apiVersion"] = "modelplane.ai/v1alpha1",
            ["kind"] = "InferenceGateway",
            ["metadata"] = new JsonObject { ["name"] = name },
            ["spec"] = spec,
        };
    }

    private static Dictionary<string, JsonObject> Observed(
        bool providerConfig = false, bool crds = false, bool skipCrd = false, bool traefik = false, bool traefikReady = false,
        bool gatewayClass = false, string? gatewayAddress = null, bool metalLbReady = false)
    {
        var observed = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        if (providerConfig)
        {
            observed["provider-config-helm"] = Fixtures.Observed("helm.m.crossplane.io/v1beta1", "ProviderConfig", "modelplane-in-cluster", "modelplane-system");
        }
        if (crds)
        {
            foreach (var crd in skipCrd ? CrdNames.Skip(1) : CrdNames)
            {
                observed[$"gateway-api-crd-{crd}"] = Fixtures.Observed("apiextensions.k8s.io/v1", "CustomResourceDefinition", crd,
                    conditions: new JsonArray(Condition("Established", "True", "InitialNamesAccepted")));
            }
        }
        if (traefik || traefikReady)
        {
            observed["traefik"] = Fixtures.Observed("helm.m.crossplane.io/v1beta1", "Release", "default-traefik-8x2kq", "modelplane-system",
                conditions: new JsonArray(Condition("Ready", traefikReady ? "True" : "False", traefikReady ? "Available" : "Unavailable")));
        }
        if (metalLbReady)
        {
            observed["metallb"] = Fixtures.Observed("helm.m.crossplane.io/v1beta1", "Release", "default-metallb-4vq9s", "modelplane-system",
                conditions: new JsonArray(Condition("Ready", "True", "Available")));
        }
        if (gatewayClass)
        {
            observed["gateway-class"] = Fixtures.Observed("gateway.networking.k8s.io/v1", "GatewayClass", "traefik",
                conditions: new JsonArray(Condition("Accepted", "True", "Accepted")));
        }
        if (gatewayAddress is not null)
        {
            observed["gateway"] = Fixtures.Observed("gateway.networking.k8s.io/v1", "Gateway", "modelplane", "modelplane-system",
                conditions: new JsonArray(Condition("Accepted", "True", "Accepted")),
                status: new JsonObject { ["addresses"] = new JsonArray(new JsonObject { ["type"] = "IPAddress", ["value"] = gatewayAddress }) });
        }
        return observed;
    }

    private static RunFunctionRequest Request(JsonObject xr, Dictionary<string, JsonObject>? observed = null) =>
        FunctionHost.Request(InferenceGatewayComposer.Name, xr, observed: observed);
}
