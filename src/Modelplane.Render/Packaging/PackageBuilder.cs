// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Modelplane.Render.Engine;
using Modelplane.Yaml;

namespace Modelplane.Render.Packaging;

/// <summary>Where the packages go: one registry prefix and one version name the image, the Function and the Configuration.</summary>
/// <param name="Registry">Registry and owner, e.g. <c>ghcr.io/acme</c>; the Function is <c>&lt;Registry&gt;/function-modelplane</c>.</param>
/// <param name="Version">The tag both packages are pushed with and the Configuration pins its Function to.</param>
public sealed record PackageTarget(string Registry, string Version)
{
    public const string FunctionRepository = "function-modelplane";
    public const string ConfigurationRepository = "modelplane";

    /// <summary>The Function package reference the Configuration depends on (no tag: dependsOn carries the version).</summary>
    public string FunctionPackage => $"{Registry.TrimEnd('/')}/{FunctionRepository}";

    public string ConfigurationPackage => $"{Registry.TrimEnd('/')}/{ConfigurationRepository}";

    /// <summary>The name Crossplane gives the installed Function, which every functionRef.name must use.</summary>
    public string FunctionName => PackageLinter.ToDnsLabel(PackageLinter.RepositoryPath(FunctionPackage));
}

/// <summary>Stages the Configuration package for a <see cref="PackageTarget"/>: the Function dependency and every functionRef follow the registry.</summary>
/// <remarks>
/// Crossplane names a dependency after its repository path, so a Function pushed to another registry
/// owner installs under another name, and a Composition whose functionRef still names the old one
/// never runs. The source tree names the canonical package (and <c>modelplane render</c> runs that
/// name in process); the staged copy rewrites the dependency's package and version and every step
/// that called the old name, in one pass, so the set stays consistent. Objects are written one file
/// per source file, through the same YAML writer as everything else, so the stage is deterministic.
/// </remarks>
public static class PackageBuilder
{
    public static void Stage(string packageDir, string stageDir, PackageTarget target)
    {
        var stream = PackageLinter.Stream(packageDir);
        var meta = stream.FirstOrDefault(m => m.Kind == "Configuration" && Objects.Group(m.ApiVersion) == PackageLinter.MetaGroup)
            ?? throw new RenderException($"cannot stage {packageDir}: it has no Configuration metadata");
        var renamed = RewriteFunctionDependency(meta.Object, target);
        if (Directory.Exists(stageDir))
        {
            Directory.Delete(stageDir, recursive: true);
        }
        foreach (var group in stream.GroupBy(m => m.Source))
        {
            var relative = Directory.Exists(packageDir) ? Path.GetRelativePath(packageDir, group.Key) : Path.GetFileName(group.Key);
            var file = Path.Combine(stageDir, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            var objects = group.Select(m =>
            {
                var o = ReferenceEquals(m, meta) ? m.Object : Objects.Clone(m.Object);
                if (m.Kind == "Composition" && renamed is { } names)
                {
                    RewriteFunctionRefs(o, names.From, names.To);
                }
                return (JsonNode)o;
            });
            File.WriteAllText(file, YamlJson.WriteAll(objects));
        }
    }

    // Points the (single) Function dependency at the target and returns the name change it implies.
    private static (string From, string To)? RewriteFunctionDependency(JsonObject meta, PackageTarget target)
    {
        var dependsOn = (meta["spec"] as JsonObject)?["dependsOn"] as JsonArray ?? [];
        var functions = dependsOn.OfType<JsonObject>().Where(d => Objects.String(d["kind"]) == "Function").ToArray();
        if (functions.Length != 1)
        {
            throw new RenderException($"cannot stage the Configuration: it must depend on exactly one Function, found {functions.Length}");
        }
        var from = PackageLinter.ToDnsLabel(PackageLinter.RepositoryPath(Objects.String(functions[0]["package"])));
        functions[0]["package"] = target.FunctionPackage;
        functions[0]["version"] = target.Version;
        return (from, target.FunctionName);
    }

    private static void RewriteFunctionRefs(JsonObject composition, string from, string to)
    {
        foreach (var step in ((composition["spec"] as JsonObject)?["pipeline"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            if (step["functionRef"] is JsonObject functionRef && Objects.String(functionRef["name"]) == from)
            {
                functionRef["name"] = to;
            }
        }
    }
}
