// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Runtime.CompilerServices;

namespace Modelplane.Testing;

/// <summary>Every YAML file the repository holds as a spec (goldens, examples, the package), for rows that must hold over all of them.</summary>
public static class RepositoryYaml
{
    /// <summary>The files' paths from the repository root, in ordinal order.</summary>
    public static List<string> Paths()
    {
        var data = new List<string>();
        var root = Root();
        foreach (var folder in new[] { "tests", "examples", "package" })
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(root, folder), "*.yaml", SearchOption.AllDirectories)
                .Where(f => !f.EndsWith(".received.yaml", StringComparison.Ordinal)
                    && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
                .Order(StringComparer.Ordinal))
            {
                data.Add(Path.GetRelativePath(root, file));
            }
        }
        return data;
    }

    /// <summary>The repository's root: two levels above this file.</summary>
    public static string Root() => RootAbove();

    // The caller's path is this file's only when the call is made here.
    private static string RootAbove([CallerFilePath] string self = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(self)!, "..", ".."));
}
