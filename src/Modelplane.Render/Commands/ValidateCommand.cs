// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.CommandLine;
using Modelplane.Render.Engine;
using Modelplane.Render.Output;
using Modelplane.Render.Validation;

namespace Modelplane.Render.Commands;

/// <summary><c>modelplane validate PATH...</c>: every XR checked against its XRD's schema and CEL rules, offline.</summary>
/// <remarks>
/// XRDs come from <c>--package</c> (default <c>package</c>) and from the paths themselves. Objects of
/// kinds no XRD defines (Secrets, the XRDs themselves) are counted and skipped. Each error is one line,
/// <c>FILE: KIND NAME: FIELD: MESSAGE</c>; the last line counts what was checked. Exit code 1 when
/// anything is invalid.
/// </remarks>
public static class ValidateCommand
{
    private static readonly Argument<string[]> Paths = new("path")
    {
        Description = "YAML files or directories of them holding the XRs to validate.",
        Arity = ArgumentArity.OneOrMore,
    };

    private static readonly Option<string> PackageDir = new("--package")
    {
        Description = "The Configuration package whose XRDs define the schemas.",
        DefaultValueFactory = _ => "package",
    };

    public static Command Command { get; } = Create();

    private static Command Create()
    {
        var command = new Command("validate", "Validate XRs against their XRDs' OpenAPI schemas and CEL rules, as the API server would.")
        {
            Paths, PackageDir,
        };
        command.SetAction(Run);
        return command;
    }

    private static int Run(ParseResult parse)
    {
        var output = parse.InvocationConfiguration.Output;
        var error = parse.InvocationConfiguration.Error;
        try
        {
            var manifests = Manifests.Load(parse.GetValue(Paths)!);
            var packageDir = parse.GetValue(PackageDir)!;
            var schemas = XrdSchemas.From(Directory.Exists(packageDir) ? Manifests.Load(packageDir).Concat(manifests) : manifests);
            var (checkedCount, errors) = (0, 0);
            foreach (var manifest in manifests.Where(m => schemas.Defines(m.Object)))
            {
                checkedCount++;
                foreach (var problem in schemas.Validate(manifest.Object))
                {
                    errors++;
                    output.WriteLine($"{manifest.Source}: {Describe(manifest)}: {problem}");
                }
            }
            output.WriteLine($"{checkedCount} resources validated against {schemas.Count} XRDs ({manifests.Count - checkedCount} of other kinds skipped): {errors} {(errors == 1 ? "error" : "errors")}");
            return errors == 0 ? Writer.ExitOk : Writer.ExitError;
        }
        catch (RenderException e)
        {
            return Writer.Fail(error, e.Message);
        }
    }

    private static string Describe(Manifest m) => m.Namespace.Length == 0 ? $"{m.Kind} {m.Name}" : $"{m.Kind} {m.Namespace}/{m.Name}";
}
