// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Reflection;

namespace Modelplane.Server;

/// <summary>Where to listen: an IP address (or every interface, or localhost) and a port.</summary>
public sealed record ListenAddress(IPAddress? Address, int Port, bool Localhost = false)
{
    /// <summary>Parses <c>host:port</c>, <c>[v6]:port</c>, Go-style <c>:port</c> (every interface) and <c>localhost:port</c>.</summary>
    public static bool TryParse(string text, out ListenAddress? address, out string? problem)
    {
        address = null;
        problem = null;
        var colon = text.LastIndexOf(':');
        if (colon < 0)
        {
            problem = $"\"{text}\" has no port; use host:port, for example 0.0.0.0:9443 or :9443";
            return false;
        }
        var host = text[..colon];
        var portText = text[(colon + 1)..];
        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            problem = $"\"{text}\" has an invalid port \"{portText}\"; use a number from 0 to 65535";
            return false;
        }
        if (host.Length == 0 || host == "*")
        {
            address = new ListenAddress(null, port);
            return true;
        }
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            address = new ListenAddress(null, port, Localhost: true);
            return true;
        }
        var bare = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        if (!IPAddress.TryParse(bare, out var ip) || (bare.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[')))
        {
            problem = $"\"{text}\" does not name an IP address; use an IPv4 address, [IPv6], localhost, or nothing (every interface)";
            return false;
        }
        address = new ListenAddress(ip, port);
        return true;
    }

    public override string ToString() =>
        Localhost ? $"localhost:{Port}"
        : Address is null ? $":{Port}"
        : Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{Address}]:{Port}"
        : $"{Address}:{Port}";
}

/// <summary>The server's flags, named as in Crossplane's Go, Python and TypeScript SDKs.</summary>
/// <remarks>
/// With neither certificates nor <c>--insecure</c> the server refuses to start: a function that
/// silently served plaintext inside a cluster would accept any caller. When both are given,
/// <c>--insecure</c> wins, as the function specification says.
/// </remarks>
public sealed record ServerOptions
{
    public const int DefaultMaxRecvMessageSizeMiB = 4;

    public required ListenAddress Address { get; init; }

    public ListenAddress? MetricsAddress { get; init; }

    public string? TlsCertsDir { get; init; }

    public bool Insecure { get; init; }

    public bool Debug { get; init; }

    public int MaxRecvMessageSizeMiB { get; init; } = DefaultMaxRecvMessageSizeMiB;

    public int MaxRecvMessageSizeBytes => MaxRecvMessageSizeMiB * 1024 * 1024;

    /// <summary>What <c>--version</c> prints: the program and its release, without build metadata.</summary>
    public static string VersionLine
    {
        get
        {
            var version = typeof(ServerOptions).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
            var plus = version.IndexOf('+', StringComparison.Ordinal);
            return $"modelplane-function {(plus < 0 ? version : version[..plus])}";
        }
    }

    /// <summary>The outcome of parsing: options to serve with, or text to print and an exit code.</summary>
    public sealed record ParseOutcome(ServerOptions? Options, string? Output, int ExitCode);

    /// <summary>Parses the command line; <paramref name="tlsCertsDirFromEnvironment"/> is TLS_SERVER_CERTS_DIR.</summary>
    public static ParseOutcome Parse(string[] args, string? tlsCertsDirFromEnvironment)
    {
        var address = new Option<string>("--address")
        {
            Description = "Address to serve gRPC on: host:port, [v6]:port or :port for every interface.",
            DefaultValueFactory = _ => "0.0.0.0:9443",
        };
        var metricsAddress = new Option<string>("--metrics-address")
        {
            Description = "Address to serve /metrics and /healthz on, or \"none\".",
            DefaultValueFactory = _ => ":8080",
        };
        var tlsCertsDir = new Option<string?>("--tls-certs-dir")
        {
            Description = "Directory holding tls.crt, tls.key and ca.crt for mutual TLS (env TLS_SERVER_CERTS_DIR).",
        };
        var insecure = new Option<bool>("--insecure") { Description = "Serve plaintext HTTP/2 (h2c); for crossplane render and development." };
        var debug = new Option<bool>("--debug", "-d") { Description = "Log every call's details and framework messages." };
        var maxRecv = new Option<int>("--max-recv-message-size")
        {
            Description = "Largest request message to accept, in MiB.",
            DefaultValueFactory = _ => DefaultMaxRecvMessageSizeMiB,
        };
        var root = new RootCommand("modelplane-function: Modelplane's Crossplane composition functions, one gRPC server.")
        {
            address, metricsAddress, tlsCertsDir, insecure, debug, maxRecv,
        };
        // System.CommandLine adds its own --version, which needs an invocation pipeline; ours is answered above.
        foreach (var builtIn in root.Options.OfType<VersionOption>().ToArray())
        {
            root.Options.Remove(builtIn);
        }
        root.Options.Add(new Option<bool>("--version") { Description = "Print the version and exit." });

        if (args.Any(a => a is "--version"))
        {
            return new ParseOutcome(null, VersionLine, 0);
        }
        if (args.Any(a => a is "--help" or "-h" or "-?"))
        {
            using var help = new StringWriter(CultureInfo.InvariantCulture);
            root.Parse(["--help"]).Invoke(new InvocationConfiguration { Output = help });
            return new ParseOutcome(null, help.ToString(), 0);
        }

        var result = root.Parse(args);
        if (result.Errors.Count > 0)
        {
            return Error(string.Join("; ", result.Errors.Select(e => e.Message)));
        }
        if (!ListenAddress.TryParse(result.GetValue(address)!, out var listen, out var problem))
        {
            return Error($"invalid --address: {problem}");
        }
        ListenAddress? metrics = null;
        var metricsText = result.GetValue(metricsAddress)!;
        if (!string.Equals(metricsText, "none", StringComparison.OrdinalIgnoreCase)
            && !ListenAddress.TryParse(metricsText, out metrics, out problem))
        {
            return Error($"invalid --metrics-address: {problem}");
        }
        var size = result.GetValue(maxRecv);
        if (size is < 1 or > 2047)
        {
            return Error($"invalid --max-recv-message-size {size}: give a whole number of MiB from 1 to 2047");
        }
        var certs = result.GetValue(tlsCertsDir);
        if (string.IsNullOrEmpty(certs))
        {
            certs = string.IsNullOrEmpty(tlsCertsDirFromEnvironment) ? null : tlsCertsDirFromEnvironment;
        }
        var isInsecure = result.GetValue(insecure);
        if (!isInsecure && certs is null)
        {
            return Error("no credentials: pass --tls-certs-dir (or set TLS_SERVER_CERTS_DIR) to a directory holding tls.crt, tls.key and ca.crt, or --insecure to serve plaintext for development");
        }
        return new ParseOutcome(new ServerOptions
        {
            Address = listen!,
            MetricsAddress = metrics,
            TlsCertsDir = isInsecure ? null : certs,
            Insecure = isInsecure,
            Debug = result.GetValue(debug),
            MaxRecvMessageSizeMiB = size,
        }, null, 0);
    }

    // Exit 1 with one line, as every start-up failure does (a port in use, unreadable certificates).
    private static ParseOutcome Error(string message) => new(null, $"modelplane-function: {message}", 1);
}
