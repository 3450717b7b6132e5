// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Apiextensions.Fn.Proto.V1;
using Google.Protobuf;
using Modelplane.Functions.ServingStacks;
using Modelplane.Functions.Usages;
using Modelplane.Sdk;
using Modelplane.Testing;
using static Modelplane.Platform.Tests.ServingStacks.ServingStackComposerTests;

namespace Modelplane.Platform.Tests.Pipeline;

/// <summary>The ServingStack Composition's two steps chained as Crossplane runs them: serving-stack, then usages.</summary>
public sealed class ServingStackPipelineTests
{
    private static readonly ComposerRegistry Registry = new([ServingStackComposer.Composer, UsagesComposer.Composer]);

    [Fact]
    public void Pipeline_FirstPass_NoConsumersYetSoNoProviderConfigUsages()
    {
        var response = RunPipeline(Request(Stack()));
        Fixtures.MatchEliding("first-pass-pipeline", "First pass through both steps: the ProviderConfigs and teardown Usages pass the usages step unchanged.", response);
        Assert.DoesNotContain(response.Desired.Resources.Keys, k => k.StartsWith(UsagesComposer.UsageKeyPrefix, StringComparison.Ordinal));
    }

    [Fact]
    public void Pipeline_GateOpen_EveryReleaseAndObjectGetsAUsageOfItsProviderConfig()
    {
        var response = RunPipeline(Request(Stack(), Observe(ProviderConfigs())));
        Fixtures.MatchEliding("gate-open-pipeline", "With the ProviderConfigs observed, the usages step labels all 18 releases and Objects and adds a ready usage-pc-<key> for each.", response);

        var resources = JsonNode.Parse(JsonFormatter.Default.Format(response))!["desired"]!["resources"]!.AsObject();
        var consumers = resources.Where(kv => kv.Value!["resource"]!["spec"]?["providerConfigRef"] is not null).Select(kv => kv.Key).ToArray();
        Assert.Equal(18, consumers.Length);
        foreach (var key in consumers)
        {
            Assert.Equal(key, resources[key]!["resource"]!["metadata"]!["labels"]![UsagesComposer.ConsumerLabel]!.GetValue<string>());
            var usage = resources[UsagesComposer.UsageKeyPrefix + key]!;
            Assert.Equal("READY_TRUE", usage["ready"]!.GetValue<string>());
            Assert.Equal(resources[key]!["resource"]!["spec"]!["providerConfigRef"]!["name"]!.GetValue<string>(), usage["resource"]!["spec"]!["of"]!["resourceRef"]!["name"]!.GetValue<string>());
        }
        // The teardown Usages still select the labelled Objects and the envoy-gateway Release.
        Assert.Equal("gateway", resources["gateway"]!["resource"]!["metadata"]!["labels"]!["modelplane.ai/resource"]!.GetValue<string>());
        Assert.Equal("envoy-gateway", resources["envoy-gateway"]!["resource"]!["metadata"]!["labels"]!["modelplane.ai/resource"]!.GetValue<string>());
    }

    [Fact]
    public void Pipeline_ReadyResourceRelabelled_StaysReady()
    {
        var response = RunPipeline(Request(Stack(), Observe(ProviderConfigs(), [("cert-manager", Fixtures.Observed("helm.m.crossplane.io/v1beta1", "Release", "cm", "modelplane-system", ready: true))])));
        Assert.Equal(Ready.True, response.Desired.Resources["cert-manager"].Ready);
        Assert.Equal("cert-manager", response.Desired.Resources["cert-manager"].Resource_.Fields["metadata"].StructValue.Fields["labels"].StructValue.Fields[UsagesComposer.ConsumerLabel].StringValue);
    }

    // Each step gets the previous step's desired state, as Crossplane hands it on.
    private static RunFunctionResponse RunPipeline(RunFunctionRequest first)
    {
        var stack = FunctionHost.Run(Registry, first);
        var second = first.Clone();
        second.Input = StructJson.ToStruct(new JsonObject
        {
            ["apiVersion"] = ComposerRegistry.InputApiVersion,
            ["kind"] = ComposerRegistry.InputKind,
            ["composer"] = UsagesComposer.Name,
        });
        second.Desired = stack.Desired.Clone();
        var usages = FunctionHost.Run(Registry, second);
        Assert.Empty(usages.Results);
        return usages;
    }
}
