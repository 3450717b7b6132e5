// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Apiextensions.Fn.Proto.V1;
using Modelplane.Functions.Usages;
using Modelplane.Sdk;
using Modelplane.Testing;

namespace Modelplane.Platform.Tests.Usages;

public sealed class UsagesComposerTests
{
    private const string Ns = "modelplane-system";
    private const string Pc = "lab-h100-cluster-5e0c1";

    public static TheoryData<Case> Cases => new()
    {
        // Upstream's three cases (compose-usages test_fn.py), our data and words.
        new("labels-consumers-and-composes-usage-per-provider-config",
            "Two Releases and an Object naming a ProviderConfig are labelled (keeping their labels and readiness) and each gets a ready usage-pc-<key>; an Object without providerConfigRef and the ProviderConfig pass through untouched.",
            Request(Xr(Ns), Earlier(
                ("cert-manager", Release("cert-manager"), Ready.True),
                ("prometheus", Release("kube-prometheus-stack", labels: new JsonObject { ["team"] = "observability" }), Ready.Unspecified),
                ("gateway-namespace", KubeObject(Pc), Ready.Unspecified),
                ("local-object", KubeObject(null), Ready.Unspecified),
                ("provider-config-helm", ProviderConfig(), Ready.True)))),
        new("no-namespace-passes-desired-through",
            "A composite without a namespace has nowhere for a namespaced Usage: the desired state comes back unchanged.",
            Request(Xr(null), Earlier(("cert-manager", Release("cert-manager"), Ready.True)))),
        new("no-consumers-adds-nothing",
            "Only a ProviderConfig desired: nothing is added.",
            Request(Xr(Ns), Earlier(("provider-config-helm", ProviderConfig(), Ready.True)))),

        // Beyond upstream's tests.
        new("existing-usage-key-warns-and-skips-consumer",
            "An earlier step's usage-pc-<key> is kept, the consumer is neither labelled nor given a second Usage, and a warning says why.",
            Request(Xr(Ns), Earlier(
                ("cert-manager", Release("cert-manager"), Ready.Unspecified),
                ("usage-pc-cert-manager", ProviderConfig(), Ready.True)))),
        new("other-groups-and-cluster-scoped-providers-untouched",
            "A classic (cluster-scoped) provider-helm Release, a Deployment and a Usage pass through untouched.",
            Request(Xr(Ns), Earlier(
                ("legacy-release", Release("legacy", apiVersion: "helm.crossplane.io/v1beta1"), Ready.Unspecified),
                ("deployment", new JsonObject { ["apiVersion"] = "apps/v1", ["kind"] = "Deployment", ["spec"] = new JsonObject { ["providerConfigRef"] = new JsonObject { ["name"] = Pc } } }, Ready.Unspecified),
                ("usage-gateway-class-by-gateway", new JsonObject { ["apiVersion"] = "protection.crossplane.io/v1beta1", ["kind"] = "Usage" }, Ready.True)))),
        new("misshapen-consumer-is-fatal",
            "A Release whose providerConfigRef.name is not a string is refused, naming the desired resource and field.",
            Request(Xr(Ns), Earlier(("cert-manager", new JsonObject
            {
                ["apiVersion"] = "helm.m.crossplane.io/v1beta1",
                ["kind"] = "Release",
                ["spec"] = new JsonObject { ["providerConfigRef"] = new JsonObject { ["name"] = 7 } },
            }, Ready.Unspecified)))),
    };

    [Theory]
    [MemberData(nameof(Cases), DisableDiscoveryEnumeration = true)]
    public void Compose(Case c) => Golden.Match(c.Name, c.Reason, FunctionHost.Run(c.Request, UsagesComposer.Composer));

    [Fact]
    public void Registry_UsagesHasNoDefaultKind_StepMustNameIt()
    {
        var registry = new ComposerRegistry([UsagesComposer.Composer]);
        var (composer, problem) = registry.Resolve(new FunctionRequest(FunctionHost.Request(null, Xr(Ns))));
        Assert.Null(composer);
        Assert.Contains("usages", problem, StringComparison.Ordinal);
    }

    private static JsonObject Xr(string? ns)
    {
        var metadata = new JsonObject { ["name"] = "lab-h100" };
        if (ns is not null)
        {
            metadata["namespace"] = ns;
        }
        return new JsonObject { ["apiVersion"] = "infrastructure.modelplane.ai/v1alpha1", ["kind"] = "ServingStack", ["metadata"] = metadata };
    }

    private static JsonObject Release(string chart, JsonObject? labels = null, string apiVersion = "helm.m.crossplane.io/v1beta1")
    {
        var release = new JsonObject
        {
            ["apiVersion"] = apiVersion,
            ["kind"] = "Release",
            ["spec"] = new JsonObject
            {
                ["providerConfigRef"] = new JsonObject { ["kind"] = "ProviderConfig", ["name"] = Pc },
                ["forProvider"] = new JsonObject { ["chart"] = new JsonObject { ["name"] = chart } },
            },
        };
        if (labels is not null)
        {
            release["metadata"] = new JsonObject { ["labels"] = labels };
        }
        return release;
    }

    private static JsonObject KubeObject(string? providerConfig)
    {
        var spec = new JsonObject { ["forProvider"] = new JsonObject { ["manifest"] = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = "modelplane-system" } } } };
        if (providerConfig is not null)
        {
            spec["providerConfigRef"] = new JsonObject { ["kind"] = "ProviderConfig", ["name"] = providerConfig };
        }
        return new JsonObject { ["apiVersion"] = "kubernetes.m.crossplane.io/v1alpha1", ["kind"] = "Object", ["spec"] = spec };
    }

    private static JsonObject ProviderConfig() => new()
    {
        ["apiVersion"] = "helm.m.crossplane.io/v1beta1",
        ["kind"] = "ProviderConfig",
        ["metadata"] = new JsonObject { ["name"] = Pc },
    };

    private static (string Key, JsonObject Resource, Ready Ready)[] Earlier(params (string Key, JsonObject Resource, Ready Ready)[] resources) => resources;

    // Earlier steps' desired resources, with the readiness they set.
    private static RunFunctionRequest Request(JsonObject xr, (string Key, JsonObject Resource, Ready Ready)[] desired)
    {
        var request = FunctionHost.Request(UsagesComposer.Name, xr);
        foreach (var (key, resource, ready) in desired)
        {
            request.Desired.Resources.Add(key, new Resource { Resource_ = StructJson.ToStruct(resource), Ready = ready });
        }
        return request;
    }
}
