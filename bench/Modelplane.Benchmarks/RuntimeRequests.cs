// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Apiextensions.Fn.Proto.V1;
using Google.Protobuf;
using Modelplane.Sdk;

namespace Modelplane.Benchmarks;

/// <summary>Requests of a chosen size, the floor every figure is divided by, and an h2c client.</summary>
internal static class RuntimeRequests
{
    /// <summary>A composer doing typical work: read the XR and every observed resource, emit one desired resource each.</summary>
    public static readonly Composer Mirror = new("mirror", request =>
    {
        var resources = new Dictionary<string, DesiredResource>(StringComparer.Ordinal);
        foreach (var (key, observed) in request.Observed)
        {
            resources[key] = DesiredResource.Of(new JsonObject
            {
                ["apiVersion"] = observed.Resource["apiVersion"]?.DeepClone(),
                ["kind"] = observed.Resource["kind"]?.DeepClone(),
                ["spec"] = observed.Resource["spec"]?.DeepClone(),
            }, ready: observed.IsReady);
        }
        return new Composition
        {
            Resources = resources,
            Status = new JsonObject { ["observed"] = request.Observed.Count },
            Conditions = [Modelplane.Sdk.Condition.True("Mirrored", "Mirrored")],
        };
    });

    /// <summary>A request whose XR observes <paramref name="resources"/> composed ConfigMap-like objects.</summary>
    public static RunFunctionRequest Request(int resources, string composer = "mirror")
    {
        var request = new RunFunctionRequest
        {
            Meta = new RequestMeta { Tag = "bench" },
            Input = StructJson.ToStruct(new JsonObject { ["apiVersion"] = ComposerRegistry.InputApiVersion, ["kind"] = ComposerRegistry.InputKind, ["composer"] = composer }),
            Observed = new State
            {
                Composite = new Resource
                {
                    Resource_ = StructJson.ToStruct(new JsonObject
                    {
                        ["apiVersion"] = "bench.modelplane.ai/v1alpha1",
                        ["kind"] = "Bench",
                        ["metadata"] = new JsonObject { ["name"] = "bench", ["namespace"] = "default" },
                        ["spec"] = new JsonObject { ["resources"] = resources },
                    }),
                },
            },
            Desired = new State(),
        };
        for (var i = 0; i < resources; i++)
        {
            request.Observed.Resources.Add($"resource-{i:D5}", new Resource
            {
                Resource_ = StructJson.ToStruct(new JsonObject
                {
                    ["apiVersion"] = "v1",
                    ["kind"] = "ConfigMap",
                    ["metadata"] = new JsonObject { ["name"] = $"bench-{i}", ["namespace"] = "default", ["labels"] = new JsonObject { ["app"] = "bench" } },
                    ["spec"] = new JsonObject { ["index"] = i, ["weight"] = 1 + (i % 7), ["url"] = $"http://10.0.{i / 250}.{i % 250}:8000/v1/" },
                    ["status"] = new JsonObject { ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = "True" }) },
                }),
            });
        }
        return request;
    }

    /// <summary>The floor: the same bytes through framing and protobuf only. Parse, answer with
    /// <c>response.To(req)</c> (tag, TTL, pass-through), serialise, frame; no composer.</summary>
    public static int EchoFloor(byte[] frame, ArrayBufferWriter<byte> output)
    {
        var request = RunFunctionRequest.Parser.ParseFrom(frame.AsSpan(FrameHeaderSize));
        var response = FunctionRunner.Respond(request, new Composition());
        return WriteFrame(response, output);
    }

    /// <summary>The same bytes through framing, protobuf and the runner with its composer.</summary>
    public static int InProcess(FunctionRunner runner, byte[] frame, ArrayBufferWriter<byte> output)
    {
        var request = RunFunctionRequest.Parser.ParseFrom(frame.AsSpan(FrameHeaderSize));
        var (response, _) = runner.Run(request);
        return WriteFrame(response, output);
    }

    // A gRPC message prefix: a compressed flag and a big-endian length (the benchmark builds frames by hand).
    public const int FrameHeaderSize = 5;

    public static void WriteFrameHeader(Span<byte> header, int size)
    {
        header[0] = 0;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(header[1..], (uint)size);
    }

    public static byte[] Frame(IMessage message)
    {
        var size = message.CalculateSize();
        var bytes = new byte[FrameHeaderSize + size];
        WriteFrameHeader(bytes, size);
        message.WriteTo(bytes.AsSpan(FrameHeaderSize));
        return bytes;
    }

    private static int WriteFrame(RunFunctionResponse response, ArrayBufferWriter<byte> output)
    {
        output.ResetWrittenCount();
        var size = response.CalculateSize();
        var span = output.GetSpan(FrameHeaderSize + size);
        WriteFrameHeader(span, size);
        response.WriteTo(span.Slice(FrameHeaderSize, size));
        output.Advance(FrameHeaderSize + size);
        return FrameHeaderSize + size;
    }
}

/// <summary>A minimal unary gRPC client over h2c (HTTP/2 with prior knowledge), as Crossplane's render uses.</summary>
internal sealed class H2cClient(Uri address) : IDisposable
{
    private static readonly MediaTypeHeaderValue Grpc = new("application/grpc");

    private readonly HttpClient _http = new(new SocketsHttpHandler { EnableMultipleHttp2Connections = true })
    {
        Timeout = TimeSpan.FromSeconds(30),
    };

    /// <summary>Calls RunFunction with a framed request and returns the framed response's length.</summary>
    public async Task<int> CallAsync(byte[] frame)
    {
        // The client's default version applies only to requests it builds itself, so say it here.
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(address, Modelplane.Server.V1Binding.RunFunction.FullName))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(frame),
        };
        request.Content.Headers.ContentType = Grpc;
        request.Headers.TryAddWithoutValidation("te", "trailers");
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead).ConfigureAwait(false);
        var body = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
        var status = response.TrailingHeaders.TryGetValues("grpc-status", out var s) ? s.First()
            : response.Headers.TryGetValues("grpc-status", out var h) ? h.First() : null;
        if (status != "0")
        {
            throw new InvalidOperationException($"RunFunction failed: HTTP {(int)response.StatusCode} {response.Version}, grpc-status {status ?? "(none)"}");
        }
        return body.Length;
    }

    public void Dispose() => _http.Dispose();
}
