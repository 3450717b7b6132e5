// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using Modelplane.Composers;
using Modelplane.Render.Engine;
using Modelplane.Render.Packaging;
using Modelplane.Render.Tests.Support;
using Modelplane.Sdk;
using Modelplane.Yaml;

namespace Modelplane.Render.Tests;

/// <summary>The package check: what crossplane xpkg build and an install would reject, on the real packages and on broken copies.</summary>
public sealed class PackageTests
{
    private const string Meta = """
        apiVersion: meta.pkg.crossplane.io/v1
        kind: Configuration
        metadata: {name: test}
        spec:
          crossplane: {version: ">=v2.3.0"}
          dependsOn:
          - apiVersion: pkg.crossplane.io/v1
            kind: Function
            package: xpkg.crossplane.io/modelplane/function-modelplane
            version: v0.1.0
        """;

    private const string Xrd = """
        apiVersion: apiextensions.crossplane.io/v2
        kind: CompositeResourceDefinition
        metadata: {name: webs.test.modelplane.ai}
        spec:
          group: test.modelplane.ai
          names: {kind: Web, plural: webs}
          scope: Namespaced
          versions:
          - name: v1alpha1
            served: true
            referenceable: true
            schema:
              openAPIV3Schema: {type: object, properties: {spec: {type: object}}}
        """;

    private static readonly ComposerRegistry WebOnly = new([TestPipeline.Web]);

    [Fact]
    public void LintConfiguration_RepositoryPackage_WouldBuildAndInstall()
    {
        var problems = PackageLinter.LintConfiguration(Repo.Path("package"), AllComposers.Registry);

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void LintFunction_FunctionPackage_IsOneFunctionAndTheInputCrdListingEveryComposer()
    {
        var problems = PackageLinter.LintFunction(Repo.Path("function-package"), AllComposers.Registry);

        Assert.True(problems.Count == 0, string.Join("\n", problems));
        var function = Manifests.LoadOne(Repo.Path("function-package", "crossplane.yaml"), "Function");
        Assert.Equal(("meta.pkg.crossplane.io/v1", "Function", "function-modelplane"), (function.ApiVersion, function.Kind, function.Name));
        Assert.Equal(
            ["Function", "CustomResourceDefinition"],
            PackageLinter.Stream(Repo.Path("function-package")).Select(m => m.Kind));
    }

    [Fact]
    public void LintFunction_StrayObjectOrComposerEnumDrift_IsReported()
    {
        using var dir = Repo.Temp();
        var copy = dir.Copy(Repo.Path("function-package"), "fn");
        dir.Write("fn/extra.yaml", "{apiVersion: v1, kind: ConfigMap, metadata: {name: stray}}");

        var problems = PackageLinter.LintFunction(copy, new ComposerRegistry([TestPipeline.Web]));

        Assert.Equal(2, problems.Count);
        Assert.Equal($"{copy}/extra.yaml: v1 ConfigMap stray is not allowed in a Function package; only its metadata and CRDs (the step input's) are", problems[0]);
        Assert.EndsWith("must list exactly the registered composers (web)", problems[1], StringComparison.Ordinal);
    }

    [Fact]
    public void LintConfiguration_DependencyVersionRange_IsReported()
    {
        using var dir = Package(Composition("modelplane-function-modelplane", "web"));
        dir.Write("crossplane.yaml", Meta.Replace("version: v0.1.0", "version: \">=v0.1.0\"", StringComparison.Ordinal));

        var problems = PackageLinter.LintConfiguration(dir.Path, WebOnly);

        Assert.Equal([$"{dir.Path}/crossplane.yaml: dependsOn xpkg.crossplane.io/modelplane/function-modelplane version \">=v0.1.0\" is a range; pin the exact version it was tested with, e.g. v1.2.3"], problems);
    }

    [Theory]
    [InlineData("ghcr.io/acme", "ghcr.io/acme/function-modelplane", "acme-function-modelplane")]
    [InlineData("localhost:5000/ml-platform", "localhost:5000/ml-platform/function-modelplane", "ml-platform-function-modelplane")]
    [InlineData("xpkg.crossplane.io/modelplane/", "xpkg.crossplane.io/modelplane/function-modelplane", "modelplane-function-modelplane")]
    public void PackageTarget_NamesFollowTheRegistry(string registry, string package, string name)
    {
        var target = new PackageTarget(registry, "v1.0.0");

        Assert.Equal((package, name), (target.FunctionPackage, target.FunctionName));
    }

    [Fact]
    public void Build_WithRegistry_RewritesTheDependencyAndEveryFunctionRefTogether()
    {
        using var dir = Repo.Temp();
        var stage = Path.Combine(dir.Path, "stage");
        var output = Path.Combine(dir.Path, "modelplane.yaml");

        var run = CliRun.Of("package", "build", Repo.Path("package"), "--output", output, "--registry", "ghcr.io/acme", "--version", "v1.2.3", "--stage", stage);

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Empty(PackageLinter.LintConfiguration(stage, AllComposers.Registry));
        var stream = Manifests.Load(output);
        var function = Assert.Single((System.Text.Json.Nodes.JsonArray)stream[0].Object["spec"]!["dependsOn"]!, d => Objects.String(d!["kind"]) == "Function")!;
        Assert.Equal(("ghcr.io/acme/function-modelplane", "v1.2.3"), (Objects.String(function["package"]), Objects.String(function["version"])));
        var refs = stream.Where(m => m.Kind == "Composition")
            .SelectMany(c => ((System.Text.Json.Nodes.JsonArray)c.Object["spec"]!["pipeline"]!).Select(s => Objects.String(s!["functionRef"]!["name"])))
            .Distinct().ToArray();
        Assert.Equal(["acme-function-modelplane"], refs);
        Assert.Equal(Manifests.Load(Repo.Path("package")).Count, stream.Count);
    }

    [Fact]
    public void LintConfiguration_RepositoryPackage_DependsOnTheFunctionEveryStepNames()
    {
        var meta = Manifests.LoadOne(Repo.Path("package", "crossplane.yaml"), "Configuration");
        var packages = YamlJson.Write(meta.Object["spec"]!["dependsOn"]);
        Assert.Contains("package: xpkg.crossplane.io/modelplane/function-modelplane", packages, StringComparison.Ordinal);
        Assert.Equal(FunctionRuntimes.BuiltInFunction, PackageLinter.ToDnsLabel(PackageLinter.RepositoryPath("xpkg.crossplane.io/modelplane/function-modelplane")));
    }

    [Fact]
    public void LintConfiguration_SmallValidPackage_HasNoProblems()
    {
        using var dir = Package(Composition("modelplane-function-modelplane", "web"));

        Assert.Empty(PackageLinter.LintConfiguration(dir.Path, WebOnly));
    }

    [Fact]
    public void LintConfiguration_XrdWithoutComposition_IsReported()
    {
        using var dir = Package(composition: null);

        var problems = PackageLinter.LintConfiguration(dir.Path, null);

        Assert.Equal([$"{dir.Path}/apis/webs/definition.yaml: XRD webs.test.modelplane.ai has no Composition; nothing would compose Web"], problems);
    }

    [Fact]
    public void LintConfiguration_WrongFunctionRef_NamesTheNameCrossplaneDerives()
    {
        using var dir = Package(Composition("function-modelplane", "web"));

        var problems = PackageLinter.LintConfiguration(dir.Path, null);

        Assert.Equal([$"{dir.Path}/apis/webs/composition.yaml: Composition webs.test.modelplane.ai step compose-web: functionRef.name \"function-modelplane\" is not a Function dependency's name (xpkg.crossplane.io/modelplane/function-modelplane installs as \"modelplane-function-modelplane\")"], problems);
    }

    [Fact]
    public void LintConfiguration_DisallowedKind_IsReported()
    {
        using var dir = Package(Composition("modelplane-function-modelplane", "web"));
        dir.Write("apis/webs/crd.yaml", "{apiVersion: apiextensions.k8s.io/v1, kind: CustomResourceDefinition, metadata: {name: things.example.org}}");

        var problems = PackageLinter.LintConfiguration(dir.Path, WebOnly);

        Assert.Equal([$"{dir.Path}/apis/webs/crd.yaml: apiextensions.k8s.io/v1 CustomResourceDefinition things.example.org is not allowed in a Configuration package; only XRDs, Compositions, ManagedResourceActivationPolicies and Operations are"], problems);
    }

    [Fact]
    public void LintConfiguration_StreamWhoseMetadataIsNotFirst_IsReported()
    {
        using var dir = Repo.Temp();
        var stream = dir.Write("package.yaml", $"{Xrd}\n---\n{Meta}\n---\n{Composition("modelplane-function-modelplane", "web")}");

        var problems = PackageLinter.LintConfiguration(stream, WebOnly);

        Assert.Equal([$"{stream}: the package must open with its metadata object (a meta.pkg.crossplane.io Configuration in crossplane.yaml), found CompositeResourceDefinition webs.test.modelplane.ai"], problems);
    }

    [Fact]
    public void LintConfiguration_UnknownAndUnusedComposers_AreReported()
    {
        using var dir = Package(Composition("modelplane-function-modelplane", "webb"));

        var problems = PackageLinter.LintConfiguration(dir.Path, new ComposerRegistry([TestPipeline.Web, TestPipeline.Guard]));

        Assert.Equal(
        [
            $"{dir.Path}/apis/webs/composition.yaml: Composition webs.test.modelplane.ai step compose-webb names composer \"webb\", which is not registered (registered: guard, web)",
            $"{dir.Path}: composer \"guard\" is registered but no Composition step uses it",
            $"{dir.Path}: composer \"web\" is registered but no Composition step uses it",
        ], problems);
    }

    [Fact]
    public void LintConfiguration_RepositoryCopyMissingAComposition_Fails()
    {
        using var dir = Repo.Temp();
        var copy = dir.Copy(Repo.Path("package"), "package");
        var composition = Directory.EnumerateFiles(Path.Combine(copy, "apis"), "composition.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal).First();
        var xrd = Manifests.LoadOne(Path.Combine(Path.GetDirectoryName(composition)!, "definition.yaml"), "XRD");
        File.Delete(composition);

        var problems = PackageLinter.LintConfiguration(copy, null);

        Assert.Contains(problems, p => p.EndsWith($"XRD {xrd.Name} has no Composition; nothing would compose {xrd.Object["spec"]!["names"]!["kind"]}", StringComparison.Ordinal));
    }

    [Fact]
    public void Build_Stream_OpensWithTheMetadataAndHoldsEveryObject()
    {
        using var dir = Package(Composition("modelplane-function-modelplane", "web"));

        var stream = Manifests.Parse(PackageLinter.Build(dir.Path), "stream");

        Assert.Equal(["Configuration", "Composition", "CompositeResourceDefinition"], stream.Select(m => m.Kind));
        Assert.Equal(PackageLinter.Build(dir.Path), PackageLinter.Build(dir.Path));
    }

    [Fact]
    public void PackageCli_LintAndBuild_ReportAndWrite()
    {
        using var dir = Package(Composition("function-modelplane", "web"));
        var lint = CliRun.Of("package", "lint", dir.Path, "--function", Repo.Path("function-package", "crossplane.yaml"));
        Assert.Equal(1, lint.ExitCode);
        Assert.Contains("functionRef.name \"function-modelplane\" is not a Function dependency's name", lint.Output, StringComparison.Ordinal);
        Assert.Matches(@"\n\d+ problems\n$", lint.Output);

        var build = CliRun.Of("package", "build", dir.Path, "--output", Path.Combine(dir.Path, "out", "p.yaml"));
        Assert.Equal(1, build.ExitCode);
        Assert.StartsWith($"modelplane: error: cannot build {dir.Path}: ", build.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(dir.Path, "out", "p.yaml")));
    }

    [Theory]
    [InlineData("modelplane/function-modelplane", "modelplane-function-modelplane")]
    [InlineData("crossplane-contrib/function-patch-and-transform", "crossplane-contrib-function-patch-and-transform")]
    [InlineData("modelplane/modelplane_compose-model-deployment", "modelplane-modelplanecompose-model-deployment")]
    [InlineData("Upper/Case_Name", "pper-aseame")]
    [InlineData("/leading/and/trailing/", "leading-and-trailing")]
    [InlineData("a23456789012345678901234567890123456789012345678901234567890123456789", "a23456789012345678901234567890123456789012345678901234567890123")]
    public void ToDnsLabel_MatchesCrossplane(string path, string want) => Assert.Equal(want, PackageLinter.ToDnsLabel(path));

    [Theory]
    [InlineData("xpkg.crossplane.io/modelplane/function-modelplane", "modelplane/function-modelplane")]
    [InlineData("xpkg.upbound.io/upbound/provider-helm:v1.4.0", "upbound/provider-helm")]
    [InlineData("localhost:5000/team/fn@sha256:abc", "team/fn")]
    [InlineData("localhost/team/fn", "team/fn")]
    [InlineData("team/fn:v1", "team/fn")]
    public void RepositoryPath_DropsRegistryTagAndDigest(string package, string want) => Assert.Equal(want, PackageLinter.RepositoryPath(package));

    private static TempDir Package(string? composition)
    {
        var dir = Repo.Temp();
        dir.Write("crossplane.yaml", Meta);
        dir.Write("apis/webs/definition.yaml", Xrd);
        if (composition is not null)
        {
            dir.Write("apis/webs/composition.yaml", composition);
        }
        return dir;
    }

    private static string Composition(string function, string composer) => $$"""
        apiVersion: apiextensions.crossplane.io/v1
        kind: Composition
        metadata: {name: webs.test.modelplane.ai}
        spec:
          compositeTypeRef: {apiVersion: test.modelplane.ai/v1alpha1, kind: Web}
          mode: Pipeline
          pipeline:
          - step: compose-{{composer}}
            functionRef: {name: {{function}}}
            input: {apiVersion: fn.modelplane.ai/v1alpha1, kind: Compose, composer: {{composer}}}
        """;
}
