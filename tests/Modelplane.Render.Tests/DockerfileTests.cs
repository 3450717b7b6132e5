// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics;
using System.Text.RegularExpressions;
using Modelplane.Render.Tests.Support;

namespace Modelplane.Render.Tests;

/// <summary>What the Dockerfile promises that can be checked without Docker: ports, user, entrypoint, pins, platforms, context.</summary>
/// <remarks>
/// There is no Docker engine where these run, so the image is never built here. What the Dockerfile
/// says is checked against the server it packages: the ports it exposes are the defaults the server's
/// <c>--help</c> prints, every flag its entrypoint passes is one the server knows, Crossplane's runtime
/// UID is the user, base images are pinned by digest, and .dockerignore admits every path a COPY reads.
/// </remarks>
public sealed partial class DockerfileTests
{
    private static readonly string Dockerfile = File.ReadAllText(Repo.Path("Dockerfile"));

    private static readonly string[] Instructions = Regex.Replace(Dockerfile, @"\\\n", " ")
        .Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToArray();

    private static readonly Lazy<string> ServerHelp = new(() => Run("--help"));

    [Fact]
    public void Expose_IsTheServersDefaultGrpcAndMetricsPorts()
    {
        var exposed = Instructions.Single(i => i.StartsWith("EXPOSE ", StringComparison.Ordinal))["EXPOSE ".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var grpc = DefaultOf("--address");
        var metrics = DefaultOf("--metrics-address");

        Assert.Equal([grpc[(grpc.LastIndexOf(':') + 1)..], metrics[(metrics.LastIndexOf(':') + 1)..]], exposed);
    }

    [Fact]
    public void EntrypointFlags_AreFlagsTheServerKnows()
    {
        var entrypoint = Instructions.Last(i => i.StartsWith("ENTRYPOINT ", StringComparison.Ordinal));
        var args = JsonArgs().Matches(entrypoint).Select(m => m.Groups[1].Value).ToArray();

        Assert.Equal("/function", args[0]);
        Assert.Contains("COPY --from=build /out/modelplane-function /function", Instructions);
        foreach (var flag in args.Skip(1).Where(a => a.StartsWith('-')).Select(a => a.Split('=')[0]))
        {
            Assert.Contains($" {flag} ", ServerHelp.Value, StringComparison.Ordinal);
        }
        // Crossplane serves functions over mTLS: the image must not force plaintext.
        Assert.DoesNotContain("--insecure", args);
        Assert.Contains("env TLS_SERVER_CERTS_DIR", ServerHelp.Value, StringComparison.Ordinal);
    }

    [Fact]
    public void User_IsCrossplanesRuntimeUidAndNotRoot() =>
        Assert.Equal("USER 2000:2000", Instructions.Last(i => i.StartsWith("USER ", StringComparison.Ordinal)));

    [Fact]
    public void BaseImages_ArePinnedByDigest_AndTheBuildCrossCompiles()
    {
        var froms = Instructions.Where(i => i.StartsWith("FROM ", StringComparison.Ordinal)).ToArray();

        Assert.Equal(2, froms.Length);
        Assert.All(froms, f => Assert.Matches(@"@sha256:[0-9a-f]{64}( |$)", f));
        Assert.StartsWith("FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:10.0-noble@", froms[0], StringComparison.Ordinal);
        Assert.StartsWith("FROM mcr.microsoft.com/dotnet/runtime-deps:10.0-noble-chiseled@", froms[1], StringComparison.Ordinal);
        Assert.Contains("amd64) rid=linux-x64 ;; arm64) rid=linux-arm64", Dockerfile, StringComparison.Ordinal);
        Assert.Contains("-r \"$rid\"", Dockerfile, StringComparison.Ordinal);
    }

    [Fact]
    public void DockerIgnore_AdmitsEveryCopiedPathAndNothingBulky()
    {
        var ignore = File.ReadAllLines(Repo.Path(".dockerignore")).Where(l => l.Length > 0 && !l.StartsWith('#')).ToArray();
        var admitted = ignore.Where(l => l.StartsWith('!')).Select(l => l[1..].TrimEnd('/')).ToHashSet(StringComparer.Ordinal);
        var copied = Instructions.Where(i => i.StartsWith("COPY ", StringComparison.Ordinal) && !i.Contains("--from", StringComparison.Ordinal))
            .SelectMany(i => i.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..^1]).Select(p => p.TrimEnd('/')).ToArray();

        Assert.Equal("*", ignore[0]);
        Assert.All(copied, p => Assert.Contains(p, admitted));
        Assert.All(copied, p => Assert.True(File.Exists(Repo.Path(p)) || Directory.Exists(Repo.Path(p)), $"{p} is copied but does not exist"));
        Assert.DoesNotContain("artifacts", admitted);
        Assert.DoesNotContain("tests", admitted);
    }

    private static string DefaultOf(string flag)
    {
        var line = ServerHelp.Value.Split('\n').Single(l => l.TrimStart().StartsWith(flag + " ", StringComparison.Ordinal));
        return DefaultValue().Match(line).Groups[1].Value;
    }

    // The server as built beside these tests (the test project references it), asked for its help.
    private static string Run(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "modelplane-function.dll"));
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, process.StandardError.ReadToEnd());
        return output;
    }

    [GeneratedRegex(@"""([^""]*)""")]
    private static partial Regex JsonArgs();

    [GeneratedRegex(@"\[default: ([^\]]+)\]")]
    private static partial Regex DefaultValue();
}
