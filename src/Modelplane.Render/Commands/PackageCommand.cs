// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.CommandLine;
using Modelplane.Composers;
using Modelplane.Render.Engine;
using Modelplane.Render.Output;
using Modelplane.Render.Packaging;

namespace Modelplane.Render.Commands;

/// <summary><c>modelplane package lint|build</c>: the Crossplane packages, checked and written offline.</summary>
public static class PackageCommand
{
    private static readonly Argument<string> LintPath = new("path")
    {
        Description = "The Configuration package: its directory, or a package stream built from it.",
        DefaultValueFactory = _ => "package",
    };

    private static readonly Option<string> FunctionMetadata = new("--function")
    {
        Description = "The Function package (its directory, or its metadata file alone), checked too; \"\" to skip.",
        DefaultValueFactory = _ => PackageLinter.FunctionPackageDir,
    };

    private static readonly Argument<string> BuildDir = new("dir")
    {
        Description = "The Configuration package directory.",
        DefaultValueFactory = _ => "package",
    };

    private static readonly Option<string> BuildOutput = new("--output", "-o")
    {
        Description = "Where to write the package stream.",
        DefaultValueFactory = _ => "artifacts/package/modelplane.yaml",
    };

    private static readonly Option<string?> Registry = new("--registry")
    {
        Description = "Registry and owner the packages are pushed to (e.g. ghcr.io/acme): the Function dependency becomes <registry>/function-modelplane and every functionRef.name the name Crossplane derives from it. Unset: the package as written.",
    };

    private static readonly Option<string?> Version = new("--version")
    {
        Description = "With --registry: the exact version the Configuration pins its Function to (the tag make push uses).",
    };

    private static readonly Option<string?> Stage = new("--stage")
    {
        Description = "With --registry: the directory to write the rewritten Configuration package root to (for crossplane xpkg build --package-root).",
    };

    public static Command Command { get; } = Create();

    private static Command Create()
    {
        var lint = new Command("lint", "Check what crossplane xpkg build and an install would: allowed kinds, metadata first, XRD and Composition pairs, functionRef names, registered composers.")
        {
            LintPath, FunctionMetadata,
        };
        lint.SetAction(Lint);
        var build = new Command("build", "Write the Configuration's package stream (the metadata object first, then every object), and print its path.")
        {
            BuildDir, BuildOutput, Registry, Version, Stage,
        };
        build.SetAction(Build);
        return new Command("package", "Check and build the Crossplane packages.") { lint, build };
    }

    private static int Lint(ParseResult parse)
    {
        var output = parse.InvocationConfiguration.Output;
        var error = parse.InvocationConfiguration.Error;
        try
        {
            var path = parse.GetValue(LintPath)!;
            var problems = PackageLinter.LintConfiguration(path, AllComposers.Registry).ToList();
            var function = parse.GetValue(FunctionMetadata)!;
            if (function.Length > 0)
            {
                problems.AddRange(PackageLinter.LintFunction(function, AllComposers.Registry));
            }
            foreach (var problem in problems)
            {
                output.WriteLine(problem);
            }
            output.WriteLine(problems.Count == 0
                ? $"{path}: the Configuration package would build and install{(function.Length > 0 ? $"; {function}: the Function package is valid" : "")}"
                : $"{problems.Count} {(problems.Count == 1 ? "problem" : "problems")}");
            return problems.Count == 0 ? Writer.ExitOk : Writer.ExitError;
        }
        catch (RenderException e)
        {
            return Writer.Fail(error, e.Message);
        }
    }

    private static int Build(ParseResult parse)
    {
        var output = parse.InvocationConfiguration.Output;
        var error = parse.InvocationConfiguration.Error;
        try
        {
            var dir = parse.GetValue(BuildDir)!;
            var problems = PackageLinter.LintConfiguration(dir, AllComposers.Registry);
            if (problems.Count > 0)
            {
                return Writer.Fail(error, $"cannot build {dir}: {string.Join("; ", problems)}");
            }
            if (parse.GetValue(Registry) is { Length: > 0 } registry)
            {
                var version = parse.GetValue(Version) ?? throw new RenderException("--registry needs --version: the Configuration pins its Function to an exact version");
                var stage = parse.GetValue(Stage) ?? throw new RenderException("--registry needs --stage: the directory the rewritten package root is written to");
                PackageBuilder.Stage(dir, stage, new PackageTarget(registry, version));
                var staged = PackageLinter.LintConfiguration(stage, AllComposers.Registry);
                if (staged.Count > 0)
                {
                    return Writer.Fail(error, $"cannot build {dir} for {registry}: {string.Join("; ", staged)}");
                }
                dir = stage;
            }
            var file = parse.GetValue(BuildOutput)!;
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(file))!);
            File.WriteAllText(file, PackageLinter.Build(dir));
            output.WriteLine(file);
            return Writer.ExitOk;
        }
        catch (RenderException e)
        {
            return Writer.Fail(error, e.Message);
        }
    }
}
