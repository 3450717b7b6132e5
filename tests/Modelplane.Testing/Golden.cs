// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json.Nodes;
using Apiextensions.Fn.Proto.V1;
using Google.Protobuf;
using Modelplane.Yaml;
using Xunit.Sdk;

namespace Modelplane.Testing;

/// <summary>Golden YAML files: the whole output, compared byte for byte, with a -want +got diff on failure.</summary>
/// <remarks>
/// Goldens live next to the test in <c>golden/&lt;case&gt;.yaml</c>, found through the caller's
/// source path so runs from bin/ find them. The first line is <c># &lt;reason&gt;</c>. A mismatch writes
/// <c>&lt;case&gt;.received.yaml</c> (gitignored) beside the golden. <c>UPDATE_GOLDEN=1</c> rewrites
/// goldens and refuses to run when <c>CI=true</c>: a golden accepted unread is a test deleted.
/// </remarks>
public static class Golden
{
    /// <summary>A response as golden YAML: the protobuf JSON mapping, keys sorted, lists in emitted order.</summary>
    public static string Yaml(RunFunctionResponse response) =>
        YamlJson.Write(JsonNode.Parse(JsonFormatter.Default.Format(response)));

    public static void Match(string name, string reason, RunFunctionResponse response, [CallerFilePath] string callerFile = "")
    {
        // Crossplane keeps one condition per type, the last one set: a second one of the same type
        // silently replaces what the first said, so no response may carry two.
        var repeated = response.Conditions.GroupBy(c => c.Type, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToArray();
        if (repeated.Length > 0)
        {
            throw new XunitException($"{name}: more than one condition of type {string.Join(", ", repeated)}; Crossplane keeps only the last");
        }
        MatchText(name, $"# {reason}\n{Yaml(response)}", callerFile);
    }

    /// <summary>Compares text with <c>golden/&lt;name&gt;.yaml</c> beside the calling test file.</summary>
    public static void MatchText(string name, string actual, [CallerFilePath] string callerFile = "") =>
        MatchFile(Path.Combine(Path.GetDirectoryName(callerFile)!, "golden", $"{name}.yaml"), actual);

    /// <summary>Compares text with a golden file at an explicit path.</summary>
    public static void MatchFile(string path, string actual)
    {
        if (Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1")
        {
            if (Environment.GetEnvironmentVariable("CI") == "true")
            {
                throw new XunitException("UPDATE_GOLDEN=1 is refused when CI=true: goldens are updated by a person who read the diff");
            }
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, actual);
            return;
        }
        var received = Path.ChangeExtension(path, ".received.yaml");
        if (!File.Exists(path))
        {
            File.WriteAllText(received, actual);
            throw new XunitException($"golden {path} is missing; wrote {received}. Read it, then run UPDATE_GOLDEN=1 make test");
        }
        var expected = File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal);
        if (expected == actual)
        {
            if (File.Exists(received))
            {
                File.Delete(received);
            }
            return;
        }
        File.WriteAllText(received, actual);
        throw new XunitException($"{path} differs (-want +got); wrote {received}\n{Diff.Unified(expected, actual)}");
    }
}

/// <summary>A small unified line diff for test failures.</summary>
public static class Diff
{
    public static string Unified(string want, string got, int context = 3)
    {
        var a = want.Split('\n');
        var b = got.Split('\n');
        // Longest common subsequence over lines; goldens are small enough for the quadratic table.
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
        {
            for (var j = b.Length - 1; j >= 0; j--)
            {
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            }
        }
        var lines = new List<(char Op, string Text)>();
        int x = 0, y = 0;
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y])
            {
                lines.Add((' ', a[x++]));
                y++;
            }
            else if (y < b.Length && (x == a.Length || lcs[x, y + 1] >= lcs[x + 1, y]))
            {
                lines.Add(('+', b[y++]));
            }
            else
            {
                lines.Add(('-', a[x++]));
            }
        }
        var output = new StringBuilder();
        var lastPrinted = -1;
        for (var k = 0; k < lines.Count; k++)
        {
            if (lines[k].Op == ' ')
            {
                continue;
            }
            var from = Math.Max(lastPrinted + 1, k - context);
            if (from > lastPrinted + 1 && lastPrinted >= 0)
            {
                output.Append("...\n");
            }
            var to = Math.Min(lines.Count - 1, k + context);
            for (var m = from; m <= to; m++)
            {
                output.Append(lines[m].Op).Append(lines[m].Text).Append('\n');
            }
            lastPrinted = to;
            k = to;
        }
        return output.ToString();
    }
}
