// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Apiextensions.Fn.Proto.V1;

namespace Modelplane.Sdk.Tests;

public sealed class ComposerRegistryTests
{
    private static readonly Composer Service = new("model-service", _ => new Composition(), "ModelService.modelplane.ai");
    private static readonly Composer Endpoint = new("model-endpoint", _ => new Composition(), "ModelEndpoint.modelplane.ai", "LegacyEndpoint.modelplane.ai");
    private static readonly Composer Usages = new("usages", _ => new Composition());
    private static readonly Composer Core = new("core", _ => new Composition(), "ConfigMap.");

    private static readonly ComposerRegistry Registry = new([Usages, Service, Endpoint, Core]);

    private static FunctionRequest Request(string? apiVersion, string? kind, string? input)
    {
        var xr = new JsonObject { ["metadata"] = new JsonObject { ["name"] = "x" } };
        if (apiVersion is not null)
        {
            xr["apiVersion"] = apiVersion;
        }
        if (kind is not null)
        {
            xr["kind"] = kind;
        }
        var proto = new RunFunctionRequest { Observed = new State { Composite = new Resource { Resource_ = StructJson.ToStruct(xr) } } };
        if (input is not null)
        {
            proto.Input = StructJson.ParseStruct(input);
        }
        return new FunctionRequest(proto);
    }

    [Theory]
    [InlineData("modelplane.ai/v1alpha1", "ModelService", null, "model-service")]
    [InlineData("modelplane.ai/v1", "ModelService", null, "model-service")]
    [InlineData("modelplane.ai/v1alpha1", "ModelEndpoint", null, "model-endpoint")]
    [InlineData("modelplane.ai/v1alpha1", "LegacyEndpoint", null, "model-endpoint")]
    [InlineData("v1", "ConfigMap", null, "core")]
    [InlineData("modelplane.ai/v1alpha1", "ModelService", """{}""", "model-service")]
    [InlineData("modelplane.ai/v1alpha1", "ModelService", """{"apiVersion":"fn.modelplane.ai/v1alpha1","kind":"Compose","composer":"usages"}""", "usages")]
    [InlineData("other.io/v1", "Other", """{"composer":"model-endpoint"}""", "model-endpoint")]
    [InlineData(null, null, """{"composer":"usages"}""", "usages")]
    public void Resolve_InputOrKind_Composer(string? apiVersion, string? kind, string? input, string expected)
    {
        var (composer, problem) = Registry.Resolve(Request(apiVersion, kind, input));

        Assert.Null(problem);
        Assert.Equal(expected, composer!.Name);
    }

    private const string Known = "core, model-endpoint, model-service, usages";

    [Theory]
    [InlineData("other.io/v1", "Other", null, $"no composer for Other.other.io and the step has no input; name one with input.composer, one of: {Known}")]
    [InlineData("modelplane.ai/v1alpha1", "modelservice", null, $"no composer for modelservice.modelplane.ai and the step has no input; name one with input.composer, one of: {Known}")]
    [InlineData(null, null, null, $"no composer for a composite with no apiVersion and kind and the step has no input; name one with input.composer, one of: {Known}")]
    [InlineData("modelplane.ai/v1alpha1", "ModelService", """{"composer":"model-services"}""", $"unknown composer \"model-services\" in step input; this server has: {Known}")]
    [InlineData("modelplane.ai/v1alpha1", "ModelService", """{"composer":""}""", $"unknown composer \"\" in step input; this server has: {Known}")]
    [InlineData("modelplane.ai/v1alpha1", "ModelService", """{"kind":"Compose"}""", $"invalid step input: field \"composer\" is missing; set it to one of: {Known}")]
    [InlineData("modelplane.ai/v1alpha1", "ModelService", """{"composer":null}""", $"invalid step input: field \"composer\" is missing; set it to one of: {Known}")]
    [InlineData("modelplane.ai/v1alpha1", "ModelService", """{"composer":42}""", $"invalid step input: field \"composer\" must be a string naming one of: {Known}")]
    [InlineData("modelplane.ai/v1alpha1", "ModelService", """{"composer":["usages"]}""", $"invalid step input: field \"composer\" must be a string naming one of: {Known}")]
    [InlineData("modelplane.ai/v1alpha1", "ModelService", """{"composer":{"name":"usages"}}""", $"invalid step input: field \"composer\" must be a string naming one of: {Known}")]
    public void Resolve_NothingMatches_ProblemListingComposers(string? apiVersion, string? kind, string? input, string expected)
    {
        var (composer, problem) = Registry.Resolve(Request(apiVersion, kind, input));

        Assert.Null(composer);
        Assert.Equal(expected, problem);
    }

    [Fact]
    public void Resolve_EmptyRegistry_ProblemSaysNone()
    {
        var (composer, problem) = new ComposerRegistry([]).Resolve(Request("a.io/v1", "A", null));

        Assert.Null(composer);
        Assert.Equal("no composer for A.a.io and the step has no input; name one with input.composer, one of: (none)", problem);
    }

    [Fact]
    public void Names_AnyRegistrationOrder_OrdinalOrder()
    {
        Assert.Equal(["core", "model-endpoint", "model-service", "usages"], Registry.Names);
        Assert.Equal(["core", "model-endpoint", "model-service", "usages"], Registry.All.Select(c => c.Name));
    }

    [Fact]
    public void TryGet_Name_ComposerOrFalse()
    {
        Assert.True(Registry.TryGet("usages", out var usages));
        Assert.Same(Usages, usages);
        Assert.False(Registry.TryGet("Usages", out _));
    }

    [Fact]
    public void Constructor_NameTwice_Refused()
    {
        var e = Assert.Throws<ArgumentException>(() => new ComposerRegistry([Usages, new Composer("usages", _ => new Composition())]));

        Assert.StartsWith("composer \"usages\" is registered twice", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_KindTwice_Refused()
    {
        var e = Assert.Throws<ArgumentException>(() => new ComposerRegistry([Service, new Composer("other", _ => new Composition(), "ModelService.modelplane.ai")]));

        Assert.StartsWith("kind \"ModelService.modelplane.ai\" has two default composers", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("modelplane.ai/v1alpha1", "ModelService", "ModelService.modelplane.ai")]
    [InlineData("gateway.networking.k8s.io/v1", "HTTPRoute", "HTTPRoute.gateway.networking.k8s.io")]
    [InlineData("v1", "ConfigMap", "ConfigMap.")]
    [InlineData("", "", ".")]
    [InlineData("a/b/c", "K", "K.a")]
    public void KindKey_ApiVersionAndKind_KindDotGroup(string apiVersion, string kind, string expected) =>
        Assert.Equal(expected, ComposerRegistry.KindKey(apiVersion, kind));
}
