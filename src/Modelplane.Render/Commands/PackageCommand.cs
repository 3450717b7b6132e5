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
        Description = "The Function package's metadata file, checked too; \"\" to skip.",
        DefaultValueFactory = _ => PackageLinter.MetadataFile,
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
            BuildDir, BuildOutput,
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
                problems.AddRange(PackageLinter.LintFunction(function));
            }
            foreach (var problem in problems)
            {
                output.WriteLine(problem);
            }
            output.WriteLine(problems.Count == 0
                ? $"{path}: the Configuration package would build and install{(function.Length > 0 ? $"; {function}: the Function package metadata is valid" : "")}"
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
