// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Apiextensions.Fn.Proto.V1;
using Google.Protobuf;

namespace Modelplane.Server.Tests.Support;

/// <summary>TLS material a client presents: the CA it trusts, and optionally its own certificate and key.</summary>
public sealed record ClientTls(string Ca, string? Cert, string? Key, string ServerName);

/// <summary>The two independent gRPC clients, run as processes: Python grpcio and Node grpc-js.</summary>
/// <remarks>
/// Python is Debian's /usr/bin/python3, the only interpreter that sees python3-grpcio (the python3
/// first on PATH may be another build). Its message classes are built from the descriptor of our
/// proto file at run time, because generated code must match the protobuf runtime's version. Node
/// uses the official TypeScript function SDK's own generated messages, so a field number we got
/// wrong would show up there.
/// </remarks>
public static class Peers
{
    public const string Python = "python";
    public const string Node = "node";

    public const string PythonInterpreter = "/usr/bin/python3";

    public static IReadOnlyList<string> All { get; } = [Python, Node];

    private static readonly Lazy<string> Descriptor = new(() =>
    {
        // The FileDescriptorProto compiled into our messages, i.e. proto/fn/v1/run_function.proto.
        var path = Path.Combine(Path.GetTempPath(), $"modelplane-run-function-{Environment.ProcessId}.pb");
        File.WriteAllBytes(path, RunFunctionRequest.Descriptor.File.SerializedData.ToByteArray());
        AppDomain.CurrentDomain.ProcessExit += (_, _) => File.Delete(path);
        return path;
    });

    /// <summary>Runs one call (or the fuzz run) and returns the client's JSON output.</summary>
    public static async Task<JsonObject> RunAsync(string peer, string address, string? fixture = null, string method = "v1",
        ClientTls? tls = null, bool gzip = false, string? raw = null, string? fuzz = null)
    {
        var args = new List<string>();
        string program;
        if (peer == Python)
        {
            Assert.True(File.Exists(PythonInterpreter), $"{PythonInterpreter} is missing; run scripts/install-test-deps.sh");
            program = PythonInterpreter;
            args.AddRange([Repository.Interop("python", "client.py"), "--descriptor", Descriptor.Value]);
            if (raw is not null)
            {
                args.AddRange(["--raw", raw]);
            }
            if (fuzz is not null)
            {
                args.AddRange(["--fuzz", fuzz]);
            }
        }
        else
        {
            Assert.True(Directory.Exists(Repository.Interop("node", "node_modules", "@crossplane-org", "function-sdk-typescript")),
                "tests/interop/node/node_modules is missing; run scripts/install-test-deps.sh");
            Assert.True(raw is null && fuzz is null, "the Node client sends fixtures only");
            program = "node";
            args.Add(Repository.Interop("node", "client.mjs"));
        }
        args.AddRange(["--address", address, "--method", method]);
        if (fixture is not null)
        {
            args.AddRange(["--request", Repository.Interop("fixtures", fixture)]);
        }
        if (gzip)
        {
            args.Add("--gzip");
        }
        if (tls is not null)
        {
            args.AddRange(["--ca", tls.Ca, "--server-name", tls.ServerName]);
            if (tls.Cert is not null)
            {
                args.AddRange(["--cert", tls.Cert, "--key", tls.Key!]);
            }
        }

        using var client = new ChildProcess(program, args);
        var exit = await client.WaitForExitAsync(TimeSpan.FromMinutes(5));
        Assert.True(exit == 0, $"{client.CommandLine} exited with {exit}\nstdout:\n{client.Stdout}\nstderr:\n{client.Stderr}");
        var output = client.Stdout.Trim();
        Assert.False(output.Length == 0, $"{client.CommandLine} printed nothing\nstderr:\n{client.Stderr}");
        return (JsonObject)JsonNode.Parse(output)!;
    }

    /// <summary>
    /// A response as either client prints it, in one form: Python writes Struct numbers as 80.0 and
    /// the TTL as "60s", ts-proto writes 80 and {"seconds": 60}. Keys are sorted; nothing else changes.
    /// </summary>
    public static JsonObject CanonicalResponse(JsonObject response)
    {
        var canonical = (JsonObject)Canonical(response)!;
        if (canonical["meta"]?["ttl"] is JsonObject ttl)
        {
            canonical["meta"]!["ttl"] = $"{(double)ttl["seconds"]! + ((double?)ttl["nanos"] ?? 0) / 1e9}s";
        }
        return canonical;
    }

    public static JsonNode? Canonical(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, Canonical(p.Value)))),
        JsonArray a => new JsonArray(a.Select(Canonical).ToArray()),
        JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.Number => JsonValue.Create((double)v),
        null => null,
        _ => node.DeepClone(),
    };

    /// <summary>Writes bytes to a temporary file for <c>--raw</c>; the caller deletes it.</summary>
    public static string RawFile(IMessage message) => RawFile(message.ToByteArray());

    public static string RawFile(byte[] bytes)
    {
        var path = Path.Combine(Path.GetTempPath(), $"modelplane-raw-{Guid.NewGuid():N}.bin");
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
