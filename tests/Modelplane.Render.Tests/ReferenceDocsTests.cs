// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Modelplane.Render.Docs;
using Modelplane.Render.Engine;
using Modelplane.Render.Tests.Support;

namespace Modelplane.Render.Tests;

/// <summary>docs/reference is what the XRDs give (make docs), and every spec and status field has a description.</summary>
public sealed class ReferenceDocsTests
{
    private static IReadOnlyList<Manifest> Package() => Manifests.Load(Repo.Path("package"));

    [Fact]
    public void ReferencePages_MatchTheXrds()
    {
        var pages = ReferenceDocs.Generate(Package());
        var dir = Repo.Path("docs", "reference");
        Assert.Equal(pages.Keys, Directory.GetFiles(dir, "*.md").Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.All(pages, p => Assert.True(File.ReadAllText(Path.Combine(dir, p.Key)) == p.Value,
            $"docs/reference/{p.Key} differs from what package/apis gives; run make docs"));
    }

    [Fact]
    public void EveryXrdField_HasADescription() => Assert.Empty(ReferenceDocs.Undescribed(Package()));

    [Fact]
    public void EveryXrd_HasAPage() =>
        Assert.Equal(
            Directory.GetDirectories(Repo.Path("package", "apis")).Select(d => Path.GetFileName(d) + ".md").Append("README.md").Order(StringComparer.Ordinal),
            ReferenceDocs.Generate(Package()).Keys);

    // The checks above prove something only if a missing description and a changed field are seen.
    [Fact]
    public void Undescribed_FieldWithoutDescription_IsNamed()
    {
        var package = Package().Select(m => m with { Object = m.Object.DeepClone().AsObject() }).ToArray();
        var service = package.Single(m => m.Kind == "CompositeResourceDefinition" && m.Name == "modelservices.modelplane.ai");
        Spec(service)["properties"]!["endpoints"]!["items"]!["properties"]!["weight"]!.AsObject().Remove("description");
        Assert.Equal(["ModelService: spec.endpoints[].weight"], ReferenceDocs.Undescribed(package));
    }

    [Fact]
    public void Generate_ChangedBound_ChangesThePage()
    {
        var package = Package().Select(m => m with { Object = m.Object.DeepClone().AsObject() }).ToArray();
        var before = ReferenceDocs.Generate(package)["modelservices.md"];
        var service = package.Single(m => m.Kind == "CompositeResourceDefinition" && m.Name == "modelservices.modelplane.ai");
        Spec(service)["properties"]!["endpoints"]!["items"]!["properties"]!["weight"]!["maximum"] = 100;
        var after = ReferenceDocs.Generate(package)["modelservices.md"];
        Assert.Contains("| `spec.endpoints[].weight` | integer |  | `1` | 1-1000000 |", before, StringComparison.Ordinal);
        Assert.Contains("| `spec.endpoints[].weight` | integer |  | `1` | 1-100 |", after, StringComparison.Ordinal);
    }

    [Fact]
    public void Generate_Page_HasColumnsRequiredDefaultsAndRules()
    {
        var page = ReferenceDocs.Generate(Package())["modelservices.md"];
        Assert.Contains("| ADDRESS | string | `.status.address` |", page, StringComparison.Ordinal);
        Assert.Contains("| `spec.endpoints` | array of object | yes |", page, StringComparison.Ordinal);
        Assert.Contains("| `spec.criticality` | string |  | `Standard` | `Critical`, `Standard`, `Sheddable` |", page, StringComparison.Ordinal);
        Assert.Contains("* `spec.endpoints[].models.targets`: each target names a different model", page, StringComparison.Ordinal);
        // Prose angle brackets are escaped so a Markdown renderer does not swallow them as HTML.
        Assert.Contains("http://&lt;gateway&gt;/&lt;namespace&gt;/&lt;service&gt;/", page, StringComparison.Ordinal);
    }

    [Fact]
    public void DocsCheck_CurrentTree_ExitsZero()
    {
        var run = CliRun.Of("docs", "--check", "--package", Repo.Path("package"), "--out", Repo.Path("docs", "reference"));
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("0 differ, 0 fields without a description", run.Output, StringComparison.Ordinal);
    }

    private static JsonObject Spec(Manifest xrd) =>
        xrd.Object["spec"]!["versions"]![0]!["schema"]!["openAPIV3Schema"]!["properties"]!["spec"]!.AsObject();
}
