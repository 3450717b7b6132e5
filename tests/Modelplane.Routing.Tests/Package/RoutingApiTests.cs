// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Modelplane.Composers;
using Modelplane.Yaml;

namespace Modelplane.Routing.Tests.Package;

/// <summary>The three routing XRDs and Compositions: names and steps (drift from the records: Render.Tests ApiDriftTests).</summary>
public sealed class RoutingApiTests
{
    public static TheoryData<string, string, string, string> Apis => new()
    {
        { "inferencegateways", "InferenceGateway", "ig", "inference-gateway" },
        { "modelendpoints", "ModelEndpoint", "me", "model-endpoint" },
        { "modelservices", "ModelService", "ms", "model-service" },
    };

    [Theory]
    [MemberData(nameof(Apis))]
    public void Definition_NamesAsUpstream(string plural, string kind, string shortName, string composer)
    {
        var xrd = Load(plural, "definition.yaml");
        Assert.Equal("apiextensions.crossplane.io/v2", xrd["apiVersion"]!.GetValue<string>());
        Assert.Equal($"{plural}.modelplane.ai", xrd["metadata"]!["name"]!.GetValue<string>());
        var names = xrd["spec"]!["names"]!;
        Assert.Equal((kind, plural), (names["kind"]!.GetValue<string>(), names["plural"]!.GetValue<string>()));
        Assert.Equal([shortName], names["shortNames"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal(["crossplane", "modelplane"], names["categories"]!.AsArray().Select(n => n!.GetValue<string>()));
        var version = Assert.Single(xrd["spec"]!["versions"]!.AsArray())!;
        Assert.Equal(("v1alpha1", true, true), (version["name"]!.GetValue<string>(), version["served"]!.GetValue<bool>(), version["referenceable"]!.GetValue<bool>()));
        Assert.NotEmpty(composer);
    }

    [Theory]
    [MemberData(nameof(Apis))]
    public void Composition_OneStepNamingOurComposer(string plural, string kind, string shortName, string composer)
    {
        var composition = Load(plural, "composition.yaml");
        Assert.Equal(("apiextensions.crossplane.io/v1", "Composition"), (composition["apiVersion"]!.GetValue<string>(), composition["kind"]!.GetValue<string>()));
        Assert.Equal($"{plural}.modelplane.ai", composition["metadata"]!["name"]!.GetValue<string>());
        Assert.Equal(kind, composition["spec"]!["compositeTypeRef"]!["kind"]!.GetValue<string>());
        Assert.Equal("Pipeline", composition["spec"]!["mode"]!.GetValue<string>());
        var step = Assert.Single(composition["spec"]!["pipeline"]!.AsArray())!;
        Assert.Equal($"compose-{composer}", step["step"]!.GetValue<string>());
        Assert.Equal("modelplane-function-modelplane", step["functionRef"]!["name"]!.GetValue<string>());
        Assert.Equal(composer, step["input"]!["composer"]!.GetValue<string>());
        Assert.True(AllComposers.Registry.TryGet(composer, out var registered));
        Assert.Equal([$"{kind}.modelplane.ai"], registered.Kinds);
        Assert.NotEmpty(shortName);
    }

    private static JsonObject Load(string plural, string file) =>
        (JsonObject)YamlJson.Read(File.ReadAllText(Path.Combine(RepoRoot(), "package", "apis", plural, file)))!;

    private static string RepoRoot([CallerFilePath] string path = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", "..", ".."));
}
