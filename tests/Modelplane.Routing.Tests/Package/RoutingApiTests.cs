// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Modelplane.Apis.InferenceGateways;
using Modelplane.Apis.ModelEndpoints;
using Modelplane.Apis.ModelServices;
using Modelplane.Composers;
using Modelplane.Yaml;

namespace Modelplane.Routing.Tests.Package;

/// <summary>The three routing XRDs and Compositions: names, steps, and no drift from the C# records.</summary>
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

    public static TheoryData<string, string> Records => new()
    {
        { "inferencegateways", nameof(InferenceGateway) },
        { "modelendpoints", nameof(ModelEndpoint) },
        { "modelservices", nameof(ModelService) },
    };

    [Theory]
    [MemberData(nameof(Records))]
    public void Definition_SpecAndStatus_SameFieldsAsRecord(string plural, string record)
    {
        var schema = Load(plural, "definition.yaml")["spec"]!["versions"]![0]!["schema"]!["openAPIV3Schema"]!.AsObject();
        JsonTypeInfo info = record switch
        {
            nameof(InferenceGateway) => InferenceGatewayJsonContext.Default.InferenceGateway,
            nameof(ModelEndpoint) => ModelEndpointJsonContext.Default.ModelEndpoint,
            _ => ModelServiceJsonContext.Default.ModelService,
        };
        var problems = new List<string>();
        foreach (var part in new[] { "spec", "status" })
        {
            var property = info.Properties.Single(p => p.Name == part);
            Compare(schema["properties"]![part]!.AsObject(), info.Options.GetTypeInfo(property.PropertyType), part, problems);
        }
        Assert.Empty(problems);
    }

    private static void Compare(JsonObject schema, JsonTypeInfo info, string path, List<string> problems)
    {
        if (schema["type"]?.GetValue<string>() == "array")
        {
            var element = info.Type.GetInterfaces().Concat([info.Type]).First(t => t.IsGenericType && t.GetGenericTypeDefinition() == typeof(IEnumerable<>)).GetGenericArguments()[0];
            Compare(schema["items"]!.AsObject(), info.Options.GetTypeInfo(element), $"{path}[]", problems);
            return;
        }
        if (schema["properties"] is not JsonObject properties)
        {
            return;
        }
        if (info.Kind != JsonTypeInfoKind.Object)
        {
            problems.Add($"{path}: the XRD has properties, the record has {info.Type.Name}");
            return;
        }
        var recordNames = info.Properties.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var (name, child) in properties)
        {
            var property = info.Properties.FirstOrDefault(p => p.Name == name);
            if (property is null)
            {
                problems.Add($"{path}.{name}: in the XRD, not in {info.Type.Name}");
                continue;
            }
            Compare(child!.AsObject(), info.Options.GetTypeInfo(property.PropertyType), $"{path}.{name}", problems);
        }
        foreach (var name in recordNames.Where(n => !properties.ContainsKey(n)))
        {
            problems.Add($"{path}.{name}: in {info.Type.Name}, not in the XRD");
        }
    }

    private static JsonObject Load(string plural, string file) =>
        (JsonObject)YamlJson.Read(File.ReadAllText(Path.Combine(RepoRoot(), "package", "apis", plural, file)))!;

    private static string RepoRoot([CallerFilePath] string path = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", "..", ".."));
}
