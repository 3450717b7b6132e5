// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Modelplane.Apis.AksClusters;
using Modelplane.Apis.EksClusters;
using Modelplane.Apis.GkeClusters;
using Modelplane.Apis.InferenceClasses;
using Modelplane.Apis.InferenceClusters;
using Modelplane.Apis.InferenceGateways;
using Modelplane.Apis.ModelCaches;
using Modelplane.Apis.ModelDeployments;
using Modelplane.Apis.ModelEndpoints;
using Modelplane.Apis.ModelReplicas;
using Modelplane.Apis.ModelServices;
using Modelplane.Apis.NebiusClusters;
using Modelplane.Apis.ServingStacks;
using Modelplane.Apis.VultrClusters;
using Modelplane.Render.Tests.Support;
using Modelplane.Yaml;

namespace Modelplane.Render.Tests;

/// <summary>Every XRD under package/apis against the record composers read it into: the same fields, both ways.</summary>
/// <remarks>
/// XRDs are the API people review and records are what code reads, both written by hand; this walks
/// each XRD's <c>spec</c> and <c>status</c> schema beside the record's source-generated JSON contract and
/// fails on a property present on one side only, so neither can drift (the role of upstream's
/// <c>extra="forbid"</c> check of its docs against generated models). A schema node without
/// <c>properties</c> (a map, or <c>x-kubernetes-preserve-unknown-fields</c>) is not descended into, and
/// the fields Crossplane adds to every XR (<c>spec.crossplane</c>, <c>status.conditions</c>) may be read
/// without being declared.
/// </remarks>
public sealed class ApiDriftTests
{
    private static readonly string[] Names =
    [
        "inferenceclasses", "inferenceclusters", "inferencegateways", "modelcaches", "modeldeployments",
        "modelendpoints", "modelreplicas", "modelservices", "servingstacks",
        // Provisioning: the per-cloud cluster XRs.
        "gkeclusters", "eksclusters", "aksclusters", "nebiusclusters", "vultrclusters",
    ];

    public static TheoryData<string> Plurals => new(Names);

    [Theory]
    [MemberData(nameof(Plurals))]
    public void Definition_SpecAndStatus_SameFieldsAsRecord(string plural)
    {
        var schema = (JsonObject)YamlJson.Read(File.ReadAllText(Repo.Path("package", "apis", plural, "definition.yaml")))!
            ["spec"]!["versions"]![0]!["schema"]!["openAPIV3Schema"]!;
        var info = Record(plural);
        var problems = new List<string>();
        foreach (var part in new[] { "spec", "status" })
        {
            var property = info.Properties.SingleOrDefault(p => p.Name == part);
            var partSchema = schema["properties"]?[part] as JsonObject;
            if (property is null)
            {
                if (partSchema?["properties"] is JsonObject)
                {
                    problems.Add($"{part}: in the XRD, not in {info.Type.Name}");
                }
                continue;
            }
            if (partSchema is null)
            {
                problems.Add($"{part}: in {info.Type.Name}, not in the XRD");
                continue;
            }
            Compare(partSchema, info.Options.GetTypeInfo(property.PropertyType), part, problems);
        }
        Assert.True(problems.Count == 0, $"{plural}:\n{string.Join("\n", problems)}");
    }

    [Fact]
    public void Plurals_CoverEveryDefinition() =>
        Assert.Equal(
            Directory.GetDirectories(Repo.Path("package", "apis")).Where(d => File.Exists(System.IO.Path.Combine(d, "definition.yaml")))
                .Select(d => System.IO.Path.GetFileName(d)).Order(StringComparer.Ordinal),
            Names.Order(StringComparer.Ordinal));

    private static JsonTypeInfo Record(string plural) => plural switch
    {
        "inferenceclasses" => InferenceClassJsonContext.Default.InferenceClass,
        "inferenceclusters" => InferenceClusterJsonContext.Default.InferenceCluster,
        "inferencegateways" => InferenceGatewayJsonContext.Default.InferenceGateway,
        "modelcaches" => ModelCacheJsonContext.Default.ModelCache,
        "modeldeployments" => ModelDeploymentJsonContext.Default.ModelDeployment,
        "modelendpoints" => ModelEndpointJsonContext.Default.ModelEndpoint,
        "modelreplicas" => ModelReplicaJsonContext.Default.ModelReplica,
        "modelservices" => ModelServiceJsonContext.Default.ModelService,
        "servingstacks" => ServingStackJsonContext.Default.ServingStack,
        "gkeclusters" => GkeClusterJsonContext.Default.GkeCluster,
        "eksclusters" => EksClusterJsonContext.Default.EksCluster,
        "aksclusters" => AksClusterJsonContext.Default.AksCluster,
        "nebiusclusters" => NebiusClusterJsonContext.Default.NebiusCluster,
        "vultrclusters" => VultrClusterJsonContext.Default.VultrCluster,
        _ => throw new ArgumentOutOfRangeException(nameof(plural), plural, "no record for this XRD"),
    };

    // Crossplane adds these to every XR's generated CRD, so an XRD does not declare them and a
    // record may still read them.
    private static bool CrossplaneAdds(string path, string name) =>
        (path, name) is ("status", "conditions") or ("spec", "crossplane");

    // An integer's minimum and maximum are on the record too, as [Range], because the typed read
    // refuses out-of-range counts where the API server did not check them (render, direct calls).
    private static void CompareBounds(JsonObject schema, JsonPropertyInfo property, string path, List<string> problems)
    {
        if ((string?)schema["type"] != "integer")
        {
            return;
        }
        var want = schema["minimum"] is null && schema["maximum"] is null
            ? "no bounds"
            : $"[{(long?)schema["minimum"] ?? int.MinValue}, {(long?)schema["maximum"] ?? int.MaxValue}]";
        var range = property.AttributeProvider?.GetCustomAttributes(typeof(RangeAttribute), inherit: false).OfType<RangeAttribute>().SingleOrDefault();
        var got = range is null ? "no bounds" : $"[{range.Minimum}, {range.Maximum}]";
        if (want != got)
        {
            problems.Add($"{path}: the XRD bounds it {want}, the record's [Range] {got}");
        }
    }

    private static void Compare(JsonObject schema, JsonTypeInfo info, string path, List<string> problems)
    {
        if ((string?)schema["type"] == "array" && schema["items"] is JsonObject items)
        {
            var element = info.Type.GetInterfaces().Concat([info.Type])
                .FirstOrDefault(t => t.IsGenericType && t.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0];
            if (element is null)
            {
                problems.Add($"{path}: the XRD has a list, the record has {info.Type.Name}");
                return;
            }
            Compare(items, info.Options.GetTypeInfo(element), $"{path}[]", problems);
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
        foreach (var (name, child) in properties)
        {
            var property = info.Properties.FirstOrDefault(p => p.Name == name);
            if (property is null)
            {
                problems.Add($"{path}.{name}: in the XRD, not in {info.Type.Name}");
                continue;
            }
            CompareBounds(child!.AsObject(), property, $"{path}.{name}", problems);
            Compare(child!.AsObject(), info.Options.GetTypeInfo(property.PropertyType), $"{path}.{name}", problems);
        }
        foreach (var property in info.Properties.Where(p => !properties.ContainsKey(p.Name) && !CrossplaneAdds(path, p.Name)))
        {
            problems.Add($"{path}.{property.Name}: in {info.Type.Name}, not in the XRD");
        }
    }
}
