// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text;
using System.Text.Json.Nodes;
using Modelplane.Yaml;

namespace Modelplane.Render.Output;

/// <summary>The CLI's one output channel: YAML streams and tables on stdout, one-line errors on stderr.</summary>
/// <remarks>
/// YAML goes through <see cref="YamlJson"/>: keys sorted, two-space block style, LF, each document
/// opened by <c>---</c>, so the same input always prints the same bytes. Errors are one line,
/// <c>modelplane: error: ...</c>, and a non-zero exit code, so scripts can tell failure from output.
/// </remarks>
public static class Writer
{
    public const int ExitOk = 0;
    public const int ExitError = 1;

    public static void Yaml(TextWriter output, IEnumerable<JsonNode?> documents) => output.Write(YamlJson.WriteAll(documents));

    public static int Fail(TextWriter error, string message)
    {
        error.WriteLine($"modelplane: error: {message}");
        return ExitError;
    }

    /// <summary>Rows as left-aligned columns two spaces apart; the first row is the header.</summary>
    public static string Table(IReadOnlyList<IReadOnlyList<string>> rows)
    {
        var widths = new int[rows.Max(r => r.Count)];
        foreach (var row in rows)
        {
            for (var i = 0; i < row.Count; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }
        var text = new StringBuilder();
        foreach (var row in rows)
        {
            var line = new StringBuilder();
            for (var i = 0; i < row.Count; i++)
            {
                line.Append(i == row.Count - 1 ? row[i] : row[i].PadRight(widths[i] + 2));
            }
            text.Append(line.ToString().TrimEnd()).Append('\n');
        }
        return text.ToString();
    }
}
