// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.CommandLine;
using Modelplane.Render.Docs;
using Modelplane.Render.Engine;
using Modelplane.Render.Output;

namespace Modelplane.Render.Commands;

/// <summary><c>modelplane docs</c>: writes the API reference pages (one per XR) from the package's XRDs, or with <c>--check</c> says which differ.</summary>
/// <remarks>
/// Refuses to write while any spec or status field lacks a description: a reference page with an
/// empty cell documents nothing. <c>--check</c> writes nothing and exits 1 when a page is missing,
/// stale or extra, or a field lacks a description; <c>make docs</c> writes.
/// </remarks>
public static class DocsCommand
{
    private static readonly Option<string> PackageDir = new("--package")
    {
        Description = "The Configuration package whose XRDs are documented.",
        DefaultValueFactory = _ => "package",
    };

    private static readonly Option<string> OutDir = new("--out")
    {
        Description = "Where the pages go.",
        DefaultValueFactory = _ => Path.Combine("docs", "reference"),
    };

    private static readonly Option<bool> Check = new("--check")
    {
        Description = "Write nothing; exit 1 naming every page that differs from what the XRDs give and every field without a description.",
    };

    public static Command Command { get; } = Create();

    private static Command Create()
    {
        var command = new Command("docs", "Generate the API reference (docs/reference/<plural>.md) from the package's XRDs.")
        {
            PackageDir, OutDir, Check,
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
            var manifests = Manifests.Load(parse.GetValue(PackageDir)!);
            var outDir = parse.GetValue(OutDir)!;
            var undescribed = ReferenceDocs.Undescribed(manifests).ToArray();
            foreach (var field in undescribed)
            {
                error.WriteLine($"no description: {field}");
            }
            var pages = ReferenceDocs.Generate(manifests);
            if (parse.GetValue(Check))
            {
                var existing = Directory.Exists(outDir) ? Directory.GetFiles(outDir, "*.md").Select(Path.GetFileName).OfType<string>() : [];
                var drifted = pages.Where(p => !File.Exists(Path.Combine(outDir, p.Key)) || File.ReadAllText(Path.Combine(outDir, p.Key)) != p.Value).Select(p => p.Key)
                    .Concat(existing.Where(f => !pages.ContainsKey(f))).Order(StringComparer.Ordinal).ToArray();
                foreach (var file in drifted)
                {
                    error.WriteLine($"differs from the XRDs: {Path.Combine(outDir, file)} (run make docs)");
                }
                output.WriteLine($"{pages.Count} pages checked: {drifted.Length} differ, {undescribed.Length} fields without a description");
                return drifted.Length == 0 && undescribed.Length == 0 ? Writer.ExitOk : Writer.ExitError;
            }
            if (undescribed.Length > 0)
            {
                return Writer.Fail(error, $"{undescribed.Length} fields have no description; describe them in the XRDs first");
            }
            Directory.CreateDirectory(outDir);
            foreach (var stale in Directory.GetFiles(outDir, "*.md").Where(f => !pages.ContainsKey(Path.GetFileName(f))))
            {
                File.Delete(stale);
            }
            foreach (var (file, text) in pages)
            {
                File.WriteAllText(Path.Combine(outDir, file), text);
            }
            output.WriteLine($"wrote {pages.Count} pages to {outDir}");
            return Writer.ExitOk;
        }
        catch (RenderException e)
        {
            return Writer.Fail(error, e.Message);
        }
    }
}
