// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Modelplane.Render.Tests.Support;
using Modelplane.Yaml;
using YamlDotNet.Core;

namespace Modelplane.Render.Tests;

/// <summary>YAML written to crash the CLI: each is one line on stderr and exit code 1, through the CLI's own entry point.</summary>
public sealed class HostileYamlTests
{
    // 647 bytes that expand to 9⁹ (387 million) strings if aliases are followed without limit.
    private static readonly string AliasBomb = string.Join("\n",
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]",
        "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]",
        "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]",
        "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]",
        "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]",
        "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]",
        "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]",
        "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]",
        "i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]",
        "apiVersion: modelplane.ai/v1alpha1",
        "kind: ModelDeployment",
        "metadata: {name: bomb}") + "\n";

    public static TheoryData<string, string, string> Inputs() => new()
    {
        { "deep flow nesting", new string('[', 100_000), "YAML nested deeper than 256 levels" },
        { "deep block nesting", string.Concat(Enumerable.Range(0, 300).Select(i => new string(' ', i) + "a:\n")) + new string(' ', 300) + "b: 1\n", "YAML nested deeper than 256 levels" },
        { "alias bomb", AliasBomb, "YAML expands to more than 5,000,000 nodes (aliases count at their full size); refusing it" },
        { "infinity", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {a: .inf}\n", "the YAML float .inf has no JSON form and Kubernetes refuses it; quote it (\".inf\") to mean the string" },
        { "not a number", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {a: .NaN}\n", "the YAML float .NaN has no JSON form" },
        { "negative infinity", "x: -.Inf\n", "the YAML float -.Inf has no JSON form" },
        { "huge float", "x: 1e999\n", "the number 1e999 is out of range for a JSON number" },
        { "unknown alias", "x: *nothing\n", "alias *nothing names no anchor" },
    };

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Render_HostileXr_OneLineAndExitOne(string name, string yaml, string message)
    {
        using var temp = Repo.Temp();
        var xr = temp.Write("xr.yaml", yaml);
        var run = CliRun.Of("render", xr, Repo.Path("package", "apis", "modeldeployments", "composition.yaml"));
        AssertOneLine(name, run, message);
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Validate_HostileFile_OneLineAndExitOne(string name, string yaml, string message)
    {
        using var temp = Repo.Temp();
        var file = temp.Write("xr.yaml", yaml);
        var run = CliRun.Of("validate", file);
        AssertOneLine(name, run, message);
    }

    [Theory]
    // The limits leave real documents alone: anchors and aliases, 256 levels, ordinary floats.
    [InlineData("base: &b {x: 1}\ncopy: *b\n", """{"base":{"x":1},"copy":{"x":1}}""")]
    [InlineData("a: 1.5e3\nb: -0.25\nc: '.inf'\nd: \".nan\"\n", """{"a":1500,"b":-0.25,"c":".inf","d":".nan"}""")]
    [InlineData("? 80\n: http\ntrue: yes\n", """{"80":"http","true":"yes"}""")]
    public void Read_OrdinaryDocuments_Unchanged(string yaml, string json) =>
        Assert.Equal(json, YamlJson.Read(yaml)!.ToJsonString());

    [Fact]
    public void Read_ExactlyTheDepthLimit_IsAccepted()
    {
        var node = YamlJson.Read(new string('[', YamlJson.MaxDepth) + new string(']', YamlJson.MaxDepth));
        var depth = 0;
        for (var n = node; n is JsonArray { Count: > 0 } a; n = a[0])
        {
            depth++;
        }
        Assert.Equal(YamlJson.MaxDepth - 1, depth);
        Assert.Throws<YamlException>(() => YamlJson.Read(new string('[', YamlJson.MaxDepth + 1) + new string(']', YamlJson.MaxDepth + 1)));
    }

    private static void AssertOneLine(string name, CliRun run, string message)
    {
        Assert.True(run.ExitCode == 1, $"{name}: exit code {run.ExitCode}, stderr: {run.Error}");
        var lines = run.Error.TrimEnd('\n').Split('\n');
        Assert.True(lines.Length == 1, $"{name}: {lines.Length} lines on stderr:\n{run.Error}");
        Assert.Contains(message, lines[0], StringComparison.Ordinal);
    }
}
