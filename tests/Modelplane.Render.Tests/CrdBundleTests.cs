// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Modelplane.Render.Tests.Support;
using Modelplane.Sdk;
using Modelplane.Yaml;

namespace Modelplane.Render.Tests;

/// <summary>Each embedded CRD bundle (<c>crds.json</c>) is exactly what its vendored YAML files generate.</summary>
/// <remarks>
/// Composers read their CRDs as JSON so the server carries no YAML parser (<see cref="EmbeddedCrds"/>);
/// the YAML stays the source of truth. A mismatch writes nothing unless <c>UPDATE_GOLDEN=1</c>, which
/// regenerates the file; read its diff like a golden's.
/// </remarks>
public sealed class CrdBundleTests
{
    public static TheoryData<string, string, string[]> Bundles => new()
    {
        {
            "functions/InferenceGateways/GatewayApiCrds", "v1.5.1",
            ["https://github.com/kubernetes-sigs/gateway-api config/crd/standard at v1.5.1 (e7677b70ae75d14a4448fba94870e7deea6cf0ad)"]
        },
        {
            "functions/ServingStacks/GaieCrds", "gateway-api-inference-extension v1.0.1, llm-d-router v0.9.0",
            [
                "https://github.com/kubernetes-sigs/gateway-api-inference-extension config/crd/bases at v1.0.1 (2b313acffd1c76cbbdebd739ba89ce20a80aea8a)",
                "https://github.com/llm-d/llm-d-router config/crd/bases at v0.9.0 (5f4e762f341a5196393ce79f8a57c3e1900c4a6b)",
            ]
        },
    };

    [Theory]
    [MemberData(nameof(Bundles))]
    public void Bundle_Json_IsGeneratedFromTheVendoredYaml(string folder, string version, string[] sources)
    {
        var dir = Repo.Path(folder.Split('/'));
        var want = Generate(dir, version, sources);
        var path = Path.Combine(dir, EmbeddedCrds.FileName);
        if (Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1" && Environment.GetEnvironmentVariable("CI") != "true")
        {
            File.WriteAllText(path, want);
        }
        Assert.True(File.Exists(path) && File.ReadAllText(path) == want,
            $"{folder}/{EmbeddedCrds.FileName} is not what its YAML files generate; run UPDATE_GOLDEN=1 dotnet test tests/Modelplane.Render.Tests --filter CrdBundleTests and read the diff");
    }

    [Fact]
    public void Bundles_CoverEveryVendoredFolder() =>
        Assert.Equal(
            Directory.GetFiles(Repo.Path("functions"), EmbeddedCrds.FileName, SearchOption.AllDirectories)
                .Select(f => Path.GetRelativePath(Repo.Root, Path.GetDirectoryName(f)!).Replace('\\', '/')).Order(StringComparer.Ordinal),
            Bundles.Select(row => (string)row[0]).Order(StringComparer.Ordinal));

    // Header fields first, then one CRD per line: small diffs when a release changes one file.
    private static string Generate(string dir, string version, string[] sources)
    {
        var files = Directory.GetFiles(dir, "*.yaml").Order(StringComparer.Ordinal).ToArray();
        var crds = files.SelectMany(f => YamlJson.ReadAll(File.ReadAllText(f)).OfType<JsonObject>())
            .Where(o => (string?)o["kind"] == "CustomResourceDefinition")
            .ToArray();
        var compact = new JsonSerializerOptions { WriteIndented = false };
        var text = new StringBuilder();
        text.Append("{\n");
        text.Append($"  \"generatedFrom\": {JsonSerializer.Serialize("the *.yaml files beside this one, by tests/Modelplane.Render.Tests/CrdBundleTests.cs; do not edit")},\n");
        text.Append($"  \"version\": {JsonSerializer.Serialize(version)},\n");
        text.Append($"  \"sources\": {new JsonArray([.. sources.Select(s => (JsonNode)s)]).ToJsonString(compact)},\n");
        var sums = new JsonObject();
        foreach (var f in files)
        {
            sums[Path.GetFileName(f)] = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(f)));
        }
        text.Append($"  \"sha256\": {sums.ToJsonString(compact)},\n");
        text.Append("  \"crds\": [\n");
        text.Append(string.Join(",\n", crds.Select(c => "    " + c.ToJsonString(compact))));
        text.Append("\n  ]\n}\n");
        return text.ToString();
    }
}
