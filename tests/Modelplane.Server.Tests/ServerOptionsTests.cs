// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

namespace Modelplane.Server.Tests;

public sealed class ServerOptionsTests
{
    [Theory]
    [InlineData("0.0.0.0:9443", "0.0.0.0:9443")]
    [InlineData(":9443", ":9443")]
    [InlineData("*:9443", ":9443")]
    [InlineData("127.0.0.1:0", "127.0.0.1:0")]
    [InlineData("localhost:9443", "localhost:9443")]
    [InlineData("LocalHost:1", "localhost:1")]
    [InlineData("[::1]:9443", "[::1]:9443")]
    [InlineData("[::]:65535", "[::]:65535")]
    [InlineData("10.1.2.3:8080", "10.1.2.3:8080")]
    public void TryParse_ListenAddress_Parsed(string text, string expected)
    {
        Assert.True(ListenAddress.TryParse(text, out var address, out var problem), problem);
        Assert.Equal(expected, address!.ToString());
    }

    [Theory]
    [InlineData("9443", "\"9443\" has no port; use host:port, for example 0.0.0.0:9443 or :9443")]
    [InlineData("", "\"\" has no port")]
    [InlineData("host:", "\"host:\" has an invalid port \"\"; use a number from 0 to 65535")]
    [InlineData(":65536", "\":65536\" has an invalid port \"65536\"")]
    [InlineData(":-1", "\":-1\" has an invalid port \"-1\"")]
    [InlineData(":94x3", "\":94x3\" has an invalid port \"94x3\"")]
    [InlineData("example.com:9443", "\"example.com:9443\" does not name an IP address")]
    [InlineData("::1:9443", "\"::1:9443\" does not name an IP address")]
    [InlineData("300.1.1.1:9443", "\"300.1.1.1:9443\" does not name an IP address")]
    public void TryParse_BadListenAddress_ProblemSaysWhy(string text, string problemStart)
    {
        Assert.False(ListenAddress.TryParse(text, out var address, out var problem));
        Assert.Null(address);
        Assert.StartsWith(problemStart, problem, StringComparison.Ordinal);
    }

    /// <summary>A command line and environment, and the options they give.</summary>
    public sealed record Case(string Name, string[] Args, string? Environment, string Address, string? Metrics, string? CertsDir, bool Insecure, bool Debug, int MaxRecvMiB)
    {
        public override string ToString() => Name;
    }

    public static TheoryData<Case> Cases => new()
    {
        new("insecure-defaults", ["--insecure"], null, "0.0.0.0:9443", ":8080", null, true, false, 4),
        new("go-style-address", ["--insecure", "--address", ":9443"], null, ":9443", ":8080", null, true, false, 4),
        new("equals-syntax", ["--insecure", "--address=127.0.0.1:1234"], null, "127.0.0.1:1234", ":8080", null, true, false, 4),
        new("certs-flag", ["--tls-certs-dir", "/tls/server"], null, "0.0.0.0:9443", ":8080", "/tls/server", false, false, 4),
        new("certs-from-environment", [], "/tls/from-env", "0.0.0.0:9443", ":8080", "/tls/from-env", false, false, 4),
        new("flag-beats-environment", ["--tls-certs-dir", "/tls/flag"], "/tls/from-env", "0.0.0.0:9443", ":8080", "/tls/flag", false, false, 4),
        new("insecure-beats-certs", ["--insecure", "--tls-certs-dir", "/tls/server"], null, "0.0.0.0:9443", ":8080", null, true, false, 4),
        new("insecure-beats-environment", ["--insecure"], "/tls/from-env", "0.0.0.0:9443", ":8080", null, true, false, 4),
        new("empty-environment-ignored", ["--insecure"], "", "0.0.0.0:9443", ":8080", null, true, false, 4),
        new("debug", ["--insecure", "--debug"], null, "0.0.0.0:9443", ":8080", null, true, true, 4),
        new("debug-short", ["--insecure", "-d"], null, "0.0.0.0:9443", ":8080", null, true, true, 4),
        new("max-recv", ["--insecure", "--max-recv-message-size", "16"], null, "0.0.0.0:9443", ":8080", null, true, false, 16),
        new("max-recv-largest", ["--insecure", "--max-recv-message-size", "2047"], null, "0.0.0.0:9443", ":8080", null, true, false, 2047),
        new("metrics-address", ["--insecure", "--metrics-address", "127.0.0.1:9090"], null, "0.0.0.0:9443", "127.0.0.1:9090", null, true, false, 4),
        new("metrics-none", ["--insecure", "--metrics-address", "none"], null, "0.0.0.0:9443", null, null, true, false, 4),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Parse_CommandLine_Options(Case c)
    {
        var outcome = ServerOptions.Parse(c.Args, c.Environment);

        Assert.Null(outcome.Output);
        Assert.Equal(0, outcome.ExitCode);
        var options = outcome.Options!;
        Assert.Equal(c.Address, options.Address.ToString());
        Assert.Equal(c.Metrics, options.MetricsAddress?.ToString());
        Assert.Equal(c.CertsDir, options.TlsCertsDir);
        Assert.Equal(c.Insecure, options.Insecure);
        Assert.Equal(c.Debug, options.Debug);
        Assert.Equal(c.MaxRecvMiB, options.MaxRecvMessageSizeMiB);
        Assert.Equal(c.MaxRecvMiB * 1024 * 1024, options.MaxRecvMessageSizeBytes);
    }

    [Theory]
    [InlineData(new string[0], null, "modelplane-function: no credentials: pass --tls-certs-dir (or set TLS_SERVER_CERTS_DIR) to a directory holding tls.crt, tls.key and ca.crt, or --insecure to serve plaintext for development")]
    [InlineData(new[] { "--tls-certs-dir", "" }, null, "modelplane-function: no credentials:")]
    [InlineData(new[] { "--insecure", "--address", "9443" }, null, "modelplane-function: invalid --address: \"9443\" has no port")]
    [InlineData(new[] { "--insecure", "--metrics-address", "somewhere" }, null, "modelplane-function: invalid --metrics-address: \"somewhere\" has no port")]
    [InlineData(new[] { "--insecure", "--max-recv-message-size", "0" }, null, "modelplane-function: invalid --max-recv-message-size 0: give a whole number of MiB from 1 to 2047")]
    [InlineData(new[] { "--insecure", "--max-recv-message-size", "2048" }, null, "modelplane-function: invalid --max-recv-message-size 2048")]
    [InlineData(new[] { "--insecure", "--max-recv-message-size", "four" }, null, "modelplane-function: ")]
    [InlineData(new[] { "--insecure", "--no-such-flag" }, null, "modelplane-function: ")]
    [InlineData(new[] { "--insecure", "extra-argument" }, null, "modelplane-function: ")]
    public void Parse_BadCommandLine_ExitCode1AndReason(string[] args, string? environment, string outputStart)
    {
        var outcome = ServerOptions.Parse(args, environment);

        Assert.Null(outcome.Options);
        Assert.Equal(1, outcome.ExitCode);
        Assert.DoesNotContain("\n", outcome.Output, StringComparison.Ordinal);
        Assert.StartsWith(outputStart, outcome.Output, StringComparison.Ordinal);
        Assert.True(outcome.Output!.Length > "modelplane-function: ".Length, "the reason is empty");
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public void Parse_Help_ExitCode0AndEveryFlag(string flag)
    {
        var outcome = ServerOptions.Parse([flag], null);

        Assert.Null(outcome.Options);
        Assert.Equal(0, outcome.ExitCode);
        foreach (var name in new[] { "--address", "--metrics-address", "--tls-certs-dir", "--insecure", "--debug", "--max-recv-message-size" })
        {
            Assert.Contains(name, outcome.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Parse_Version_PrintsTheReleaseAndExitsZero()
    {
        var outcome = ServerOptions.Parse(["--version"], null);

        Assert.Null(outcome.Options);
        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal("modelplane-function 0.1.0", outcome.Output);
    }
}
