// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Modelplane.Composers;
using Modelplane.Server.Tests.Support;

namespace Modelplane.Server.Tests;

/// <summary>The servers the interop tests share: per build, one plaintext and one with mutual TLS.</summary>
public sealed class InteropServers : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<(string Build, bool Tls), ServerProcess> _servers = [];

    public TestCertificates Certificates { get; } = new();

    /// <summary>The running server for a build, started on first use.</summary>
    public async Task<ServerProcess> GetAsync(string build, bool tls)
    {
        await _gate.WaitAsync();
        try
        {
            if (_servers.TryGetValue((build, tls), out var running) && !running.HasExited)
            {
                return running;
            }
            // Mutual TLS is configured as Crossplane does it: TLS_SERVER_CERTS_DIR, no flags.
            var server = tls
                ? await ServerProcess.StartAsync(build, ["--address", "127.0.0.1:0", "--metrics-address", "none"],
                    new Dictionary<string, string?> { ["TLS_SERVER_CERTS_DIR"] = Certificates.ServerDirectory })
                : await ServerProcess.StartInsecureAsync(build, "--metrics-address", "none");
            Assert.Equal(tls ? "mtls" : "insecure", server.Transport);
            _servers[(build, tls)] = server;
            return server;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose()
    {
        foreach (var server in _servers.Values)
        {
            server.Dispose();
        }
        Certificates.Dispose();
        _gate.Dispose();
    }
}

/// <summary>
/// The server executable (JIT build, and the NativeAOT binary when MODELPLANE_AOT_BINARY names one)
/// called by two independent gRPC implementations: Python grpcio and Node grpc-js with the official
/// TypeScript function SDK's messages.
/// </summary>
/// <remarks>
/// The composer registry grows as functions land, so these tests use requests no composer claims (an
/// XR kind nobody registers, a composer name nobody has) and compute the list of names the server
/// must offer from the registry it hosts.
/// </remarks>
public sealed class InteropTests(InteropServers servers) : IClassFixture<InteropServers>
{
    private static readonly string Known = AllComposers.Registry.Names.Count == 0 ? "(none)" : string.Join(", ", AllComposers.Registry.Names);

    public static TheoryData<string> Builds => [.. ServerBuilds.All];

    public static TheoryData<string, string> BuildsAndPeers
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var build in ServerBuilds.All)
            {
                foreach (var peer in Peers.All)
                {
                    data.Add(build, peer);
                }
            }
            return data;
        }
    }

    public static TheoryData<string, string, string> BuildsPeersAndMethods
    {
        get
        {
            var data = new TheoryData<string, string, string>();
            foreach (var build in ServerBuilds.All)
            {
                foreach (var peer in Peers.All)
                {
                    data.Add(build, peer, "v1");
                    data.Add(build, peer, "v1beta1");
                }
            }
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(BuildsPeersAndMethods))]
    public async Task RunFunction_NoInputAndUnclaimedKind_FatalNamingComposersAndStatePassedThrough(string build, string peer, string method)
    {
        var server = await servers.GetAsync(build, tls: false);

        var output = await Peers.RunAsync(peer, server.Address, "no-input.json", method);

        Assert.Equal("OK", (string?)output["code"]);
        var message = $"cannot compose: no composer for InteropProbe.probe.modelplane.ai and the step has no input; name one with input.composer, one of: {Known}";
        AssertResponse(Fixture("no-input.json"), message, (JsonObject)output["response"]!);
        var line = await WaitForCallLineAsync(server, "interop-no-input", method);
        Assert.Equal("probe.modelplane.ai/v1alpha1", (string?)line["xrApiVersion"]);
        Assert.Equal("InteropProbe", (string?)line["xrKind"]);
        Assert.Equal("chat", (string?)line["xrName"]);
        Assert.Equal("team-a", (string?)line["xrNamespace"]);
        Assert.Equal("Fatal", (string?)line["results"]);
        // Credentials and connection details never reach the log (the fixture's, base64 or not).
        foreach (var secret in new[] { "credential-secret-value", "Y3JlZGVudGlhbC1zZWNyZXQtdmFsdWU", "observed-secret-value", "b2JzZXJ2ZWQtc2VjcmV0LXZhbHVl", "desired-secret", "ZGVzaXJlZC1zZWNyZXQ" })
        {
            Assert.DoesNotContain(secret, server.Stderr, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(BuildsAndPeers))]
    public async Task RunFunction_UnknownComposerInInput_FatalNamingItAndWhatExists(string build, string peer)
    {
        var server = await servers.GetAsync(build, tls: false);

        var output = await Peers.RunAsync(peer, server.Address, "unknown-composer.json");

        Assert.Equal("OK", (string?)output["code"]);
        AssertResponse(Fixture("unknown-composer.json"),
            $"cannot compose: unknown composer \"no-such-composer\" in step input; this server has: {Known}", (JsonObject)output["response"]!);
    }

    [Theory]
    [MemberData(nameof(BuildsAndPeers))]
    public async Task RunFunction_WrongTypesWhereObjectsAndStringsBelong_FatalNotInternal(string build, string peer)
    {
        var server = await servers.GetAsync(build, tls: false);

        var output = await Peers.RunAsync(peer, server.Address, "wrong-types.json");

        Assert.Equal("OK", (string?)output["code"]);
        AssertResponse(Fixture("wrong-types.json"),
            $"cannot compose: invalid step input: field \"composer\" must be a string naming one of: {Known}", (JsonObject)output["response"]!);
    }

    [Theory]
    [MemberData(nameof(BuildsAndPeers))]
    public async Task RunFunction_GzipCompressedCall_Answered(string build, string peer)
    {
        var server = await servers.GetAsync(build, tls: false);

        var output = await Peers.RunAsync(peer, server.Address, "unknown-composer.json", gzip: true);

        Assert.Equal("OK", (string?)output["code"]);
        Assert.Equal("interop-unknown-composer", (string?)output["response"]!["meta"]!["tag"]);
    }

    [Theory]
    [MemberData(nameof(BuildsAndPeers))]
    public async Task RunFunction_UnknownMethod_Unimplemented(string build, string peer)
    {
        var server = await servers.GetAsync(build, tls: false);

        var output = await Peers.RunAsync(peer, server.Address, "no-input.json", "/apiextensions.fn.proto.v2.FunctionRunnerService/RunFunction");

        Assert.Equal("UNIMPLEMENTED", (string?)output["code"]);
        Assert.Equal("Service is unimplemented.", (string?)output["details"]);
    }

    [Theory]
    [MemberData(nameof(BuildsAndPeers))]
    public async Task RunFunction_MutualTlsClientSignedByCa_Answered(string build, string peer)
    {
        var server = await servers.GetAsync(build, tls: true);

        var output = await Peers.RunAsync(peer, server.Address, "no-input.json", tls: servers.Certificates.Client);

        Assert.Equal("OK", (string?)output["code"]);
        var message = $"cannot compose: no composer for InteropProbe.probe.modelplane.ai and the step has no input; name one with input.composer, one of: {Known}";
        AssertResponse(Fixture("no-input.json"), message, (JsonObject)output["response"]!);
    }

    public enum Refused
    {
        NoClientCertificate,
        ClientSignedByAnotherCa,
        ClientCertificateForServerAuthOnly,
        PlaintextClient,
    }

    public static TheoryData<string, string, Refused> RefusedClients
    {
        get
        {
            var data = new TheoryData<string, string, Refused>();
            foreach (var build in ServerBuilds.All)
            {
                foreach (var peer in Peers.All)
                {
                    foreach (var client in Enum.GetValues<Refused>())
                    {
                        data.Add(build, peer, client);
                    }
                }
            }
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(RefusedClients))]
    public async Task RunFunction_MutualTlsClientWithoutCaSignedClientCertificate_Refused(string build, string peer, Refused client)
    {
        var server = await servers.GetAsync(build, tls: true);
        var tls = client switch
        {
            Refused.NoClientCertificate => servers.Certificates.Anonymous,
            Refused.ClientSignedByAnotherCa => servers.Certificates.Stranger,
            Refused.ClientCertificateForServerAuthOnly => servers.Certificates.ServerAuthOnly,
            _ => null,
        };
        var before = server.CallLines().Count;

        var output = await Peers.RunAsync(peer, server.Address, "no-input.json", tls: tls);

        Assert.Equal("UNAVAILABLE", (string?)output["code"]);
        // Refused in the handshake: the server never saw a call.
        Assert.Equal(before, server.CallLines().Count);
        Assert.False(server.HasExited);
    }

    [Theory]
    [MemberData(nameof(BuildsAndPeers))]
    public async Task RunFunction_TlsClientToPlaintextServer_Unavailable(string build, string peer)
    {
        var server = await servers.GetAsync(build, tls: false);

        var output = await Peers.RunAsync(peer, server.Address, "no-input.json", tls: servers.Certificates.Client);

        Assert.Equal("UNAVAILABLE", (string?)output["code"]);
    }

    [Theory]
    [MemberData(nameof(Builds))]
    public async Task RunFunction_MalformedAndRandomRequests_ClearStatusOrFatalNeverInternal(string build)
    {
        var server = await servers.GetAsync(build, tls: false);

        var output = await Peers.RunAsync(Peers.Python, server.Address, "no-input.json", fuzz: "20260301:300");

        Assert.True(output["bad"]!.AsArray().Count == 0, output["bad"]!.ToJsonString());
        var codes = output["codes"]!.AsObject();
        Assert.Equal((int)output["cases"]!, codes.Sum(c => (int)c.Value!));
        // The run reached both the parser's refusals and the runner's Fatal results, and the limit.
        Assert.True((int?)codes["OK"] > 20, output.ToJsonString());
        Assert.True((int?)codes["INVALID_ARGUMENT"] > 20, output.ToJsonString());
        Assert.True((int?)codes["RESOURCE_EXHAUSTED"] >= 1, output.ToJsonString());
        Assert.Equal("OK", (string?)output["after"]);
        Assert.False(server.HasExited);
        // Neither our call lines nor the framework's (Kestrel, Grpc.AspNetCore) report an error.
        Assert.DoesNotContain("\"LogLevel\":\"Error\"", server.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("\"LogLevel\":\"Critical\"", server.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("\"grpcStatus\":\"Internal\"", server.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("\"grpcStatus\":\"Unknown\"", server.Stderr, StringComparison.Ordinal);
    }

    private static JsonObject Fixture(string name) =>
        (JsonObject)JsonNode.Parse(File.ReadAllText(Repository.Interop("fixtures", name)))!;

    /// <summary>
    /// Compares a whole response with what the protocol requires for a request no composer claims:
    /// tag echoed, TTL 60 s, desired state and context passed through unchanged, one Fatal result
    /// and one False Composed condition carrying <paramref name="message"/>.
    /// </summary>
    private static void AssertResponse(JsonObject request, string message, JsonObject got)
    {
        var want = new JsonObject
        {
            ["meta"] = new JsonObject { ["tag"] = request["meta"]!["tag"]!.DeepClone(), ["ttl"] = "60s" },
            ["desired"] = request["desired"]?.DeepClone() ?? new JsonObject(),
            ["results"] = new JsonArray(new JsonObject
            {
                ["severity"] = "SEVERITY_FATAL",
                ["message"] = message,
                ["reason"] = "UnknownComposer",
                ["target"] = "TARGET_COMPOSITE",
            }),
            ["conditions"] = new JsonArray(new JsonObject
            {
                ["type"] = "Composed",
                ["status"] = "STATUS_CONDITION_FALSE",
                ["reason"] = "UnknownComposer",
                ["message"] = message,
                ["target"] = "TARGET_COMPOSITE",
            }),
        };
        if (request["context"] is { } context)
        {
            want["context"] = context.DeepClone();
        }
        Assert.Equal(Peers.CanonicalResponse(want).ToJsonString(), Peers.CanonicalResponse(got).ToJsonString());
    }

    private static async Task<JsonObject> WaitForCallLineAsync(ServerProcess server, string tag, string method)
    {
        var path = method == "v1" ? GrpcWire.V1Path : GrpcWire.V1Beta1Path;
        var line = await server.WaitForLineAsync(
            l => l.Contains($"\"tag\":\"{tag}\"", StringComparison.Ordinal) && l.Contains($"\"method\":\"{path}\"", StringComparison.Ordinal),
            TimeSpan.FromSeconds(60));
        return LogLines.Parse(line)!;
    }
}
