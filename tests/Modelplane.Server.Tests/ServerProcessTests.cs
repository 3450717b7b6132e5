// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Apiextensions.Fn.Proto.V1;
using Google.Protobuf.WellKnownTypes;
using Modelplane.Sdk;
using Modelplane.Server.Tests.Support;

namespace Modelplane.Server.Tests;

/// <summary>The server executable as an operator meets it: flags, start-up refusals, metrics, raw frames, SIGTERM.</summary>
public sealed class ServerProcessTests : IDisposable
{
    private readonly HttpClient _client = GrpcWire.H2cClient();

    public static TheoryData<string> Builds => [.. ServerBuilds.All];

    public void Dispose() => _client.Dispose();

    [Theory]
    [MemberData(nameof(Builds))]
    public async Task Start_NeitherCertificatesNorInsecure_RefusesSayingWhy(string build)
    {
        using var server = ServerProcess.Launch(build, ["--address", "127.0.0.1:0"]);

        Assert.Equal(1, await server.WaitForExitAsync(TimeSpan.FromMinutes(2)));
        Assert.Equal(
            "modelplane-function: no credentials: pass --tls-certs-dir (or set TLS_SERVER_CERTS_DIR) to a directory holding tls.crt, tls.key and ca.crt, or --insecure to serve plaintext for development\n",
            server.Stderr);
    }

    [Theory]
    [MemberData(nameof(Builds))]
    public async Task Start_CertificateDirectoryWithoutFiles_RefusesNamingTheMissingFile(string build)
    {
        var empty = Directory.CreateTempSubdirectory("modelplane-empty-certs-");
        try
        {
            using var server = ServerProcess.Launch(build, ["--address", "127.0.0.1:0", "--tls-certs-dir", empty.FullName]);

            Assert.Equal(1, await server.WaitForExitAsync(TimeSpan.FromMinutes(2)));
            Assert.Equal(
                $"modelplane-function: cannot load TLS certificates: {Path.Combine(empty.FullName, "tls.crt")} does not exist; --tls-certs-dir must hold tls.crt, tls.key and ca.crt\n",
                server.Stderr);
        }
        finally
        {
            empty.Delete(recursive: true);
        }
    }

    [Theory]
    [MemberData(nameof(Builds))]
    public async Task Start_UnknownFlag_OneLineAndExitCode1(string build)
    {
        using var server = ServerProcess.Launch(build, ["--insecure", "--network", "tcp"]);

        Assert.Equal(1, await server.WaitForExitAsync(TimeSpan.FromMinutes(2)));
        Assert.Matches("^modelplane-function: [^\n]+\n$", server.Stderr);
    }

    [Theory]
    [MemberData(nameof(Builds))]
    public async Task Start_PortInUse_OneLineAndExitCode1(string build)
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        using var server = ServerProcess.Launch(build, ["--insecure", "--address", $"127.0.0.1:{port}", "--metrics-address", "none"]);

        Assert.Equal(1, await server.WaitForExitAsync(TimeSpan.FromMinutes(2)));
        Assert.Equal($"modelplane-function: cannot serve: Failed to bind to address http://127.0.0.1:{port}: address already in use\n", server.Stderr);
        Assert.Equal("", server.Stdout);
    }

    [Theory]
    [MemberData(nameof(Builds))]
    public async Task Start_UnreadableCertificate_OneLineAndExitCode1(string build)
    {
        using var certificates = new TestCertificates();
        var dir = Directory.CreateTempSubdirectory("modelplane-unreadable-certs-");
        try
        {
            foreach (var file in new[] { "tls.crt", "ca.crt" })
            {
                File.Copy(Path.Combine(certificates.ServerDirectory, file), Path.Combine(dir.FullName, file));
            }
            // Exists, but no read succeeds, even as root.
            File.CreateSymbolicLink(Path.Combine(dir.FullName, "tls.key"), "/proc/self/mem");

            using var server = ServerProcess.Launch(build, ["--address", "127.0.0.1:0", "--tls-certs-dir", dir.FullName]);

            Assert.Equal(1, await server.WaitForExitAsync(TimeSpan.FromMinutes(2)));
            Assert.Matches($"^modelplane-function: cannot load TLS certificates from {System.Text.RegularExpressions.Regex.Escape(dir.FullName)}: [^\n]+\n$", server.Stderr);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Theory]
    [MemberData(nameof(Builds))]
    public async Task Start_Version_PrintsItAndExitsZero(string build)
    {
        using var server = ServerProcess.Launch(build, ["--version"]);

        Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromMinutes(2)));
        Assert.Equal("modelplane-function 0.1.0\n", server.Stdout);
        Assert.Equal("", server.Stderr);
    }

    [Theory]
    [MemberData(nameof(Builds))]
    public async Task Start_Help_ListsEveryFlagAndExitsZero(string build)
    {
        using var server = ServerProcess.Launch(build, ["--help"]);

        Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromMinutes(2)));
        foreach (var flag in new[] { "--address", "--metrics-address", "--tls-certs-dir", "--insecure", "--debug", "--max-recv-message-size" })
        {
            Assert.Contains(flag, server.Stdout, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(Builds))]
    public async Task Start_TlsCertsDirFlag_ServesMutualTls(string build)
    {
        using var certificates = new TestCertificates();
        using var server = await ServerProcess.StartAsync(build, ["--address", "127.0.0.1:0", "--metrics-address", "none", "--tls-certs-dir", certificates.ServerDirectory]);

        var ok = await Peers.RunAsync(Peers.Python, server.Address, "unknown-composer.json", tls: certificates.Client);
        var refused = await Peers.RunAsync(Peers.Python, server.Address, "unknown-composer.json", tls: certificates.Stranger);

        Assert.Equal("mtls", server.Transport);
        Assert.Equal("OK", (string?)ok["code"]);
        Assert.Equal("UNAVAILABLE", (string?)refused["code"]);
    }

    [Theory]
    [MemberData(nameof(Builds))]
    public async Task Start_InsecureWithCertificates_ServesPlaintext(string build)
    {
        using var certificates = new TestCertificates();
        using var server = await ServerProcess.StartAsync(build, ["--insecure", "--address", "127.0.0.1:0", "--metrics-address", "none"],
            new Dictionary<string, string?> { ["TLS_SERVER_CERTS_DIR"] = certificates.ServerDirectory });

        var reply = await GrpcWire.CallAsync(_client, server.GrpcUri, GrpcWire.Frame(Request("plaintext")));

        Assert.Equal("insecure", server.Transport);
        Assert.Equal(0, reply.Status);
    }

    [Theory]
    [MemberData(nameof(Builds))]
    public async Task Start_GcConservesMemoryUnlessTheEnvironmentSaysOtherwise(string build)
    {
        // Compiled into the NativeAOT binary and written to the JIT build's runtimeconfig alike;
        // the environment variable still overrides it.
        using var configured = await ServerProcess.StartAsync(build, ["--insecure", "--address", "127.0.0.1:0", "--metrics-address", "none"]);
        using var overridden = await ServerProcess.StartAsync(build, ["--insecure", "--address", "127.0.0.1:0", "--metrics-address", "none"],
            new Dictionary<string, string?> { ["DOTNET_GCConserveMemory"] = "0" });

        Assert.Equal("workstation concurrent conserveMemory=7", configured.Gc);
        Assert.Equal("workstation concurrent conserveMemory=0", overridden.Gc);
    }

    [Theory]
    [MemberData(nameof(Builds))]
    public async Task Start_GoStyleAddress_ServesOnEveryInterface(string build)
    {
        using var server = await ServerProcess.StartAsync(build, ["--insecure", "--address", ":0", "--metrics-address", "none"]);

        var reply = await GrpcWire.CallAsync(_client, server.GrpcUri, GrpcWire.Frame(Request("go-style")));

        Assert.True(server.GrpcEndPoint.Address.Equals(IPAddress.IPv6Any) || server.GrpcEndPoint.Address.Equals(IPAddress.Any), server.GrpcEndPoint.ToString());
        Assert.Equal(0, reply.Status);
        Assert.Equal("go-style", reply.Response.Meta.Tag);
    }

    [Theory]
    [MemberData(nameof(Builds))]
    public async Task Metrics_AfterCalls_PrometheusTextAndHealth(string build)
    {
        using var server = await ServerProcess.StartInsecureAsync(build);
        using var http = new HttpClient();

        await GrpcWire.CallAsync(_client, server.GrpcUri, GrpcWire.Frame(Request("m-1")));
        await GrpcWire.CallAsync(_client, server.GrpcUri, GrpcWire.Frame(Request("m-2")));
        await GrpcWire.CallAsync(_client, server.GrpcUri, [0, 0, 0, 0, 9]);
        await server.WaitForCallLinesAsync(3);
        var metrics = await http.GetAsync(new Uri(server.MetricsUri, "/metrics"));
        var health = await http.GetStringAsync(new Uri(server.MetricsUri, "/healthz"));

        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", metrics.Content.Headers.ContentType?.ToString());
        var text = await metrics.Content.ReadAsStringAsync();
        const string V1 = "grpc_method=\"RunFunction\",grpc_service=\"apiextensions.fn.proto.v1.FunctionRunnerService\",grpc_type=\"unary\"";
        Assert.Contains($"grpc_server_started_total{{{V1}}} 3\n", text, StringComparison.Ordinal);
        Assert.Contains($"grpc_server_handled_total{{grpc_code=\"OK\",{V1}}} 2\n", text, StringComparison.Ordinal);
        Assert.Contains($"grpc_server_handled_total{{grpc_code=\"InvalidArgument\",{V1}}} 1\n", text, StringComparison.Ordinal);
        Assert.Contains($"grpc_server_handling_seconds_count{{{V1}}} 3\n", text, StringComparison.Ordinal);
        Assert.Contains("modelplane_function_calls_total{composer=\"none\",severity=\"fatal\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("\nprocess_cpu_seconds_total ", text, StringComparison.Ordinal);
        Assert.Equal("ok\n", health);
    }

    public static TheoryData<string, string, byte[], int, string> RawFrames
    {
        get
        {
            var data = new TheoryData<string, string, byte[], int, string>();
            foreach (var build in ServerBuilds.All)
            {
                data.Add(build, "empty-body", [], 3, "invalid gRPC request: ");
                data.Add(build, "truncated-header", [0, 0], 3, "invalid gRPC request: ");
                data.Add(build, "truncated-message", [0, 0, 0, 1, 0, 1, 2, 3], 3, "invalid gRPC request: ");
                data.Add(build, "two-messages", [0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 3, "invalid gRPC request: ");
                data.Add(build, "flag-three", [3, 0, 0, 0, 0], 3, "invalid gRPC request: ");
                data.Add(build, "length-past-limit", [0, 0x7F, 0, 0, 0], 8, "Received message exceeds the maximum configured message size (4 MiB); raise --max-recv-message-size");
                data.Add(build, "not-protobuf", [0, 0, 0, 0, 2, 0xFF, 0xFF], 3, "cannot parse RunFunctionRequest: ");
            }
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(RawFrames))]
    public async Task RunFunction_MalformedFrame_ClearStatusAndServerServesOn(string build, string name, byte[] body, int status, string message)
    {
        Assert.NotEmpty(name);
        using var server = await ServerProcess.StartInsecureAsync(build, "--metrics-address", "none");

        var reply = await GrpcWire.CallAsync(_client, server.GrpcUri, body);
        var after = await GrpcWire.CallAsync(_client, server.GrpcUri, GrpcWire.Frame(Request("after")));

        Assert.Equal(status, reply.Status);
        Assert.True(reply.TrailersOnly);
        Assert.StartsWith(message, reply.Message, StringComparison.Ordinal);
        Assert.Equal(0, after.Status);
        Assert.False(server.HasExited);
    }

    [Theory]
    [MemberData(nameof(Builds))]
    public async Task RunFunction_MaxRecvMessageSizeFlag_LimitsRequests(string build)
    {
        using var small = await ServerProcess.StartInsecureAsync(build, "--metrics-address", "none", "--max-recv-message-size", "1");
        using var standard = await ServerProcess.StartInsecureAsync(build, "--metrics-address", "none");
        var twoMiB = Peers.RawFile(Request("two-mib", padding: 2 * 1024 * 1024));
        var fiveMiB = Peers.RawFile(Request("five-mib", padding: 5 * 1024 * 1024));
        try
        {
            var refused = await Peers.RunAsync(Peers.Python, small.Address, raw: twoMiB);
            var accepted = await Peers.RunAsync(Peers.Python, standard.Address, raw: twoMiB);
            var pastDefault = await Peers.RunAsync(Peers.Python, standard.Address, raw: fiveMiB);

            Assert.Equal("RESOURCE_EXHAUSTED", (string?)refused["code"]);
            Assert.Contains("(1 MiB); raise --max-recv-message-size", (string?)refused["details"], StringComparison.Ordinal);
            Assert.Equal("OK", (string?)accepted["code"]);
            Assert.Equal("two-mib", (string?)accepted["response"]!["meta"]!["tag"]);
            Assert.Equal("RESOURCE_EXHAUSTED", (string?)pastDefault["code"]);
            Assert.Contains("(4 MiB); raise --max-recv-message-size", (string?)pastDefault["details"], StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(twoMiB);
            File.Delete(fiveMiB);
        }
    }

    [Theory]
    [MemberData(nameof(Builds))]
    public async Task Sigterm_CallInFlight_CompletesThenExitsZero(string build)
    {
        using var server = await ServerProcess.StartInsecureAsync(build);
        using var http = new HttpClient();
        var frame = GrpcWire.Frame(Request("in-flight"));
        using var content = new StalledContent(frame[..10], frame[10..]);

        var call = GrpcWire.CallAsync(_client, server.GrpcUri, content);
        await WaitForInFlightAsync(http, server);
        server.Signal("TERM");
        await WaitUntilRefusedAsync(server.GrpcEndPoint.Port);
        content.Release();

        var reply = await call.WaitAsync(TimeSpan.FromMinutes(2));
        Assert.Equal(0, reply.Status);
        Assert.Equal("in-flight", reply.Response.Meta.Tag);
        Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromMinutes(2)));
        Assert.Single(server.CallLines(), l => (string?)l["tag"] == "in-flight" && (string?)l["grpcStatus"] == "OK");
    }

    [Theory]
    [MemberData(nameof(Builds))]
    public async Task Sigterm_Idle_ExitsZero(string build)
    {
        using var server = await ServerProcess.StartInsecureAsync(build, "--metrics-address", "none");

        server.Signal("TERM");

        Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromMinutes(2)));
    }

    /// <summary>A request no composer claims, optionally padded with a large observed field (never echoed back).</summary>
    private static RunFunctionRequest Request(string tag, int padding = 0)
    {
        var request = new RunFunctionRequest
        {
            Meta = new RequestMeta { Tag = tag },
            Observed = new State
            {
                Composite = new Resource
                {
                    Resource_ = StructJson.ToStruct(new JsonObject
                    {
                        ["apiVersion"] = "probe.modelplane.ai/v1alpha1",
                        ["kind"] = "InteropProbe",
                        ["metadata"] = new JsonObject { ["name"] = "probe" },
                    }),
                },
            },
        };
        if (padding > 0)
        {
            request.Observed.Composite.Resource_.Fields["spec"] = Value.ForStruct(new Struct { Fields = { ["padding"] = Value.ForString(new string('p', padding)) } });
        }
        return request;
    }

    private static async Task WaitForInFlightAsync(HttpClient http, ServerProcess server)
    {
        for (var attempt = 0; attempt < 1200; attempt++)
        {
            var metrics = await http.GetStringAsync(new Uri(server.MetricsUri, "/metrics"));
            if (metrics.Contains("modelplane_function_calls_in_flight 1\n", StringComparison.Ordinal))
            {
                return;
            }
            await Task.Delay(50);
        }
        Assert.Fail("the call never showed as in flight");
    }

    private static async Task WaitUntilRefusedAsync(int port)
    {
        for (var attempt = 0; attempt < 1200; attempt++)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await socket.ConnectAsync(IPAddress.Loopback, port);
            }
            catch (SocketException)
            {
                return;
            }
            await Task.Delay(50);
        }
        Assert.Fail("the listener still accepted connections a minute after SIGTERM");
    }
}
