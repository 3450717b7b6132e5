// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Apiextensions.Fn.Proto.V1;
using Google.Protobuf;
using Modelplane.Functions.ServingStacks;
using Modelplane.Testing;
using Modelplane.Yaml;
using static Modelplane.Platform.Tests.Fixtures;

namespace Modelplane.Platform.Tests.ServingStacks;

public sealed class ServingStackComposerTests
{
    // Our data: a GKE cluster "lab-a100" whose stack lives beside its Secrets in modelplane-system.
    private const string StackName = "lab-a100-serving-stack-1c9e2";
    private const string Ns = "modelplane-system";
    private const string GkeDriverRoot = "/home/kubernetes/bin/nvidia";

    private static readonly string[] CrdKeys =
    [
        "gaie-crd-inferenceobjectives.inference.networking.x-k8s.io",
        "gaie-crd-inferencepools.inference.networking.k8s.io",
        "gaie-crd-inferencepools.inference.networking.x-k8s.io",
        "gaie-crd-inferencemodelrewrites.llm-d.ai",
        "gaie-crd-inferenceobjectives.llm-d.ai",
    ];

    private static readonly string[] ReleaseKeys =
        ["cert-manager", "envoy-gateway", "ai-gateway-crds", "ai-gateway", "prometheus", "leader-worker-set", "node-feature-discovery", "dra-driver"];

    private static readonly string[] ObjectKeys =
        [.. CrdKeys, "dra-driver-critical-pods-quota", "gateway-namespace", "gateway-proxy", "gateway-class", "gateway"];

    public static TheoryData<Case> Cases => new()
    {
        // Upstream's behaviours (test_fn.py), our data and words.
        new("first-pass-composes-provider-configs-and-usages",
            "Nothing observed: both ProviderConfigs (with the GCP identity) and the two teardown Usages, all ready; the stack waits; status is empty.",
            Request(Stack())),
        new("nebius-identity-on-both-provider-configs",
            "A NebiusServiceAccountCredentials Secret becomes the identity of both ProviderConfigs, type verbatim.",
            Request(Stack(identityType: "NebiusServiceAccountCredentials", identityName: "lab-nebius-sa", identityKey: "sa.json"))),
        new("provider-configs-observed-compose-whole-stack",
            "With both ProviderConfigs observed, all 8 releases at their default versions (the GKE driver root passed to the DRA driver) and all 8 Objects arrive in one pass, none ready yet.",
            Request(Stack(), Observe(ProviderConfigs()))),
        new("default-driver-root-skips-override-keeps-quota",
            "With the driver root / the DRA driver gets no nvidiaDriverRoot value, yet the critical-pods quota is still composed.",
            Request(Stack(driverRoot: "/"), Observe(ProviderConfigs()))),
        new("gateway-without-address-is-not-ready",
            "An observed Gateway Object without Ready and without an address: it keeps its CEL readiness, is not marked ready, and status stays empty.",
            Request(Stack(), Observe(ProviderConfigs(), Gateway(ready: null, address: null)))),
        new("ready-gateway-publishes-address",
            "An observed Gateway Object Ready with an address is marked ready and its address becomes status.gateway.address.",
            Request(Stack(), Observe(ProviderConfigs(), Gateway(ready: true, address: "203.0.113.17")))),
        new("gateway-proxy-not-ready-until-observed-ready",
            "The EnvoyProxy Object observed Ready=False stays unmarked.",
            Request(Stack(), Observe(ProviderConfigs(), Remote("gateway-proxy", ready: false)))),
        new("gateway-proxy-ready-when-observed-ready",
            "The EnvoyProxy Object observed Ready=True is marked ready.",
            Request(Stack(), Observe(ProviderConfigs(), Remote("gateway-proxy", ready: true)))),
        new("third-pass-marks-what-is-observed-ready",
            "cert-manager, both AI Gateway releases and the CRDs observed Ready are marked ready; a Gateway with an address but no Ready publishes the address yet stays unmarked; the rest wait.",
            Request(Stack(), Observe(
                ProviderConfigs(),
                Releases(true, "cert-manager", "ai-gateway-crds", "ai-gateway"),
                Releases(false, "envoy-gateway", "prometheus"),
                [.. CrdKeys.SelectMany(k => Remote(k, ready: true))],
                Gateway(ready: null, address: "203.0.113.17")))),

        // Beyond upstream's tests: custom spec, kubeconfig only, sticky gates, bad input.
        new("custom-versions-class-and-listeners",
            "Versions, GatewayClass name and listeners from the spec reach the releases, the GatewayClass and the Gateway.",
            Request(Stack(versions: new JsonObject { ["certManager"] = "v1.18.0", ["envoyGateway"] = "v1.8.2", ["prometheus"] = "75.0.0", ["leaderWorkerSet"] = "v0.9.0", ["nodeFeatureDiscovery"] = "0.18.4", ["nvidiaDraDriver"] = "0.5.0" },
                gateway: new JsonObject
                {
                    ["className"] = "envoy-lab",
                    ["listeners"] = new JsonArray(
                        new JsonObject { ["name"] = "http", ["port"] = 8080, ["protocol"] = "HTTP" },
                        new JsonObject { ["name"] = "grpc", ["port"] = 9000, ["protocol"] = "TCP" }),
                }), Observe(ProviderConfigs()))),
        new("kubeconfig-only-has-no-identity",
            "A Kubeconfig Secret alone: ProviderConfigs with credentials and no identity.",
            Request(Stack(identityType: null))),
        new("identity-secret-in-own-namespace",
            "An identity Secret that names its namespace is read from there; the kubeconfig always from the ServingStack's.",
            Request(Stack(identityNamespace: "gcp-credentials"))),
        new("sticky-gate-keeps-stack-when-provider-configs-vanish",
            "ProviderConfigs missing from the observed state (a flapping cache) do not drop the observed releases and Objects; nothing runs is uninstalled.",
            Request(Stack(), Observe(Releases(true, ReleaseKeys), [.. ObjectKeys.SelectMany(k => k == "gateway" ? Gateway(ready: true, address: "203.0.113.17") : Remote(k, ready: true))]))),
        new("sticky-gate-keeps-only-what-was-observed",
            "Before the gate opens, a resource whose own key is observed stays composed, and nothing else on the cluster is added.",
            Request(Stack(), Observe(Releases(true, "cert-manager"), Gateway(ready: true, address: "203.0.113.17")))),
        new("missing-kubeconfig-is-fatal",
            "Secrets without a Kubeconfig entry are refused with a Fatal result and a False Composed condition naming the field and the fix; nothing is applied.",
            Request(Stack(kubeconfig: false), Observe(ProviderConfigs()))),
        new("secret-without-key-is-fatal",
            "A Secret entry without a key is refused, naming spec.secrets[0].key.",
            Request(Stack(kubeconfigKey: null))),
        new("duplicate-listener-name-is-fatal",
            "Two listeners with one name are refused, naming the second.",
            Request(Stack(gateway: new JsonObject
            {
                ["listeners"] = new JsonArray(
                    new JsonObject { ["name"] = "http", ["port"] = 80, ["protocol"] = "HTTP" },
                    new JsonObject { ["name"] = "http", ["port"] = 8080, ["protocol"] = "HTTP" }),
            }))),
        new("listener-port-out-of-range-is-fatal",
            "A listener port above 65535 is refused with the allowed range.",
            Request(Stack(gateway: new JsonObject { ["listeners"] = new JsonArray(new JsonObject { ["name"] = "http", ["port"] = 70000, ["protocol"] = "HTTP" }) }))),
        new("unknown-secret-type-is-fatal",
            "A Secret type outside the XRD's enum is refused, listing the types.",
            Request(Stack(identityType: "AzureWorkloadIdentity"))),
        new("misshapen-field-is-fatal",
            "spec.secrets that is not a list is refused by the typed read, naming the field.",
            Request(Raw(new JsonObject { ["secrets"] = "lab-a100-kubeconfig" }))),
    };

    [Theory]
    [MemberData(nameof(Cases), DisableDiscoveryEnumeration = true)]
    public void Compose(Case c) => MatchEliding(c.Name, c.Reason, FunctionHost.Run(c.Request, ServingStackComposer.Composer));

    [Fact]
    public void Compose_Crds_VendoredGaieV101AndRouterV090WithoutStatusOrCreationTimestamp()
    {
        var desired = Desired(FunctionHost.Run(Request(Stack(), Observe(ProviderConfigs())), ServingStackComposer.Composer));
        var files = Directory.GetFiles(Path.Combine(RepoRoot(), "functions", "ServingStacks", "GaieCrds"), "*.yaml").Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(5, files.Length);
        foreach (var file in files)
        {
            var vendored = (JsonObject)YamlJson.Read(File.ReadAllText(file))!;
            var name = vendored["metadata"]!["name"]!.GetValue<string>();
            // GAIE's bundle names its release; llm-d-router v0.9.0's files carry the tag's "main-dev".
            var (annotation, version) = name.EndsWith(".llm-d.ai", StringComparison.Ordinal)
                ? ("llm-d.ai/bundle-version", "main-dev")
                : ("inference.networking.k8s.io/bundle-version", "v1.0.1");
            Assert.Equal(version, vendored["metadata"]!["annotations"]![annotation]!.GetValue<string>());
            var composed = desired[$"gaie-crd-{name}"]!["resource"]!["spec"]!["forProvider"]!["manifest"]!.AsObject();
            Assert.False(composed.ContainsKey("status"), $"{name} must not carry a status");
            Assert.False(composed["metadata"]!.AsObject().ContainsKey("creationTimestamp"), $"{name} must not carry a creationTimestamp");
            vendored.Remove("status");
            vendored["metadata"]!.AsObject().Remove("creationTimestamp");
            Assert.True(JsonNode.DeepEquals(vendored, composed), $"{name} differs from {file}");
        }
    }

    [Fact]
    public void Compose_SameRequestTwice_ByteIdenticalResponses()
    {
        var request = Request(Stack(), Observe(ProviderConfigs(), Gateway(ready: true, address: "203.0.113.17")));
        Assert.Equal(
            FunctionHost.Run(request, ServingStackComposer.Composer).ToByteArray(),
            FunctionHost.Run(request, ServingStackComposer.Composer).ToByteArray());
    }

    [Fact]
    public void Compose_GateOpen_EveryReleaseAndObjectNamesTheProviderConfigOfTheStackName()
    {
        var desired = Desired(FunctionHost.Run(Request(Stack(), Observe(ProviderConfigs())), ServingStackComposer.Composer));
        string[] want = ["provider-config-helm", "provider-config-kubernetes", "usage-envoy-gw-by-gateway-class", "usage-gateway-class-by-gateway", .. ReleaseKeys, .. ObjectKeys];
        Assert.Equal(want.Order(StringComparer.Ordinal), desired.Select(kv => kv.Key).Order(StringComparer.Ordinal));
        foreach (var key in ReleaseKeys.Concat(ObjectKeys))
        {
            Assert.Equal("lab-a100-serving-stack-1c9e2-cluster-e3797", desired[key]!["resource"]!["spec"]!["providerConfigRef"]!["name"]!.GetValue<string>());
        }
    }

    internal static JsonObject Stack(
        bool kubeconfig = true, string? kubeconfigKey = "kubeconfig", string? identityType = "GoogleApplicationCredentials",
        string identityName = "lab-a100-gcp-sa", string identityKey = "credentials.json", string? identityNamespace = null,
        string? driverRoot = GkeDriverRoot, JsonObject? versions = null, JsonObject? gateway = null)
    {
        var secrets = new JsonArray();
        if (kubeconfig)
        {
            var entry = new JsonObject { ["type"] = "Kubeconfig", ["name"] = "lab-a100-kubeconfig" };
            if (kubeconfigKey is not null)
            {
                entry["key"] = kubeconfigKey;
            }
            secrets.Add((JsonNode)entry);
        }
        if (identityType is not null)
        {
            var entry = new JsonObject { ["type"] = identityType, ["name"] = identityName, ["key"] = identityKey };
            if (identityNamespace is not null)
            {
                entry["namespace"] = identityNamespace;
            }
            secrets.Add((JsonNode)entry);
        }
        var spec = new JsonObject { ["secrets"] = secrets };
        if (driverRoot is not null)
        {
            spec["nvidiaDriverRoot"] = driverRoot;
        }
        if (versions is not null)
        {
            spec["versions"] = versions;
        }
        if (gateway is not null)
        {
            spec["gateway"] = gateway;
        }
        return Raw(spec);
    }

    private static JsonObject Raw(JsonObject spec) => new()
    {
        ["apiVersion"] = "infrastructure.modelplane.ai/v1alpha1",
        ["kind"] = "ServingStack",
        ["metadata"] = new JsonObject { ["name"] = StackName, ["namespace"] = Ns },
        ["spec"] = spec,
    };

    internal static (string Key, JsonObject Resource)[] ProviderConfigs() =>
    [
        ("provider-config-kubernetes", Observed("kubernetes.m.crossplane.io/v1alpha1", "ProviderConfig", "lab-a100-serving-stack-1c9e2-cluster-e3797", Ns)),
        ("provider-config-helm", Observed("helm.m.crossplane.io/v1beta1", "ProviderConfig", "lab-a100-serving-stack-1c9e2-cluster-e3797", Ns)),
    ];

    private static (string Key, JsonObject Resource)[] Releases(bool ready, params string[] keys) =>
        [.. keys.Select(k => (k, Observed("helm.m.crossplane.io/v1beta1", "Release", $"{StackName}-{k}", Ns, ready)))];

    private static (string Key, JsonObject Resource)[] Remote(string key, bool? ready) =>
        [(key, Observed("kubernetes.m.crossplane.io/v1alpha1", "Object", $"{StackName}-{key}", Ns, ready))];

    // provider-kubernetes reports the remote Gateway under status.atProvider.manifest.
    private static (string Key, JsonObject Resource)[] Gateway(bool? ready, string? address)
    {
        var remoteStatus = new JsonObject();
        if (address is not null)
        {
            remoteStatus["addresses"] = new JsonArray(new JsonObject { ["type"] = "IPAddress", ["value"] = address });
        }
        var status = new JsonObject
        {
            ["atProvider"] = new JsonObject
            {
                ["manifest"] = new JsonObject
                {
                    ["apiVersion"] = "gateway.networking.k8s.io/v1",
                    ["kind"] = "Gateway",
                    ["metadata"] = new JsonObject { ["name"] = "inference-gateway", ["namespace"] = "modelplane-system" },
                    ["status"] = remoteStatus,
                },
            },
        };
        return [("gateway", Observed("kubernetes.m.crossplane.io/v1alpha1", "Object", $"{StackName}-gateway", Ns, ready, status))];
    }

    internal static Dictionary<string, JsonObject> Observe(params (string Key, JsonObject Resource)[][] groups) =>
        groups.SelectMany(g => g).ToDictionary(p => p.Key, p => p.Resource, StringComparer.Ordinal);

    internal static RunFunctionRequest Request(JsonObject xr, Dictionary<string, JsonObject>? observed = null) =>
        FunctionHost.Request(ServingStackComposer.Name, xr, observed: observed);

    private static JsonObject Desired(RunFunctionResponse response) =>
        JsonNode.Parse(JsonFormatter.Default.Format(response))!["desired"]!["resources"]!.AsObject();

    private static string RepoRoot([CallerFilePath] string path = "") => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", "..", ".."));
}
