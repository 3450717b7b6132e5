// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Buffers.Binary;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using Apiextensions.Fn.Proto.V1;
using Google.Protobuf;

namespace Modelplane.Server.Tests.Support;

/// <summary>One gRPC call as seen on the wire: HTTP status, headers, the framed body and the status.</summary>
public sealed record GrpcReply(
    HttpStatusCode HttpStatus,
    string? ContentType,
    int Status,
    string Message,
    string? RawMessage,
    bool TrailersOnly,
    byte[] Body,
    IReadOnlyDictionary<string, string> Headers)
{
    /// <summary>The response message, which must be exactly one uncompressed frame.</summary>
    public RunFunctionResponse Response
    {
        get
        {
            const int HeaderSize = GrpcWire.HeaderSize;
            Assert.True(Body.Length >= HeaderSize, $"expected a framed message, got {Body.Length} bytes");
            Assert.Equal(0, Body[0]);
            var length = BinaryPrimitives.ReadUInt32BigEndian(Body.AsSpan(1, 4));
            Assert.Equal(Body.Length - HeaderSize, (int)length);
            return RunFunctionResponse.Parser.ParseFrom(Body, HeaderSize, (int)length);
        }
    }
}

/// <summary>A small gRPC client on HttpClient: h2c with prior knowledge, frames built by hand.</summary>
/// <remarks>
/// The server leaves the wire to Grpc.AspNetCore; the tests keep this hand-made client so they can
/// send what no real client would (truncated frames, two messages, bad flags, garbage bytes) and read
/// trailers-only answers exactly as they arrive.
/// </remarks>
public static class GrpcWire
{
    /// <summary>A gRPC message prefix: a compressed flag and a big-endian length.</summary>
    public const int HeaderSize = 5;

    public const string V1Path = "/apiextensions.fn.proto.v1.FunctionRunnerService/RunFunction";
    public const string V1Beta1Path = "/apiextensions.fn.proto.v1beta1.FunctionRunnerService/RunFunction";

    /// <summary>A 5-byte-prefixed gRPC frame around <paramref name="message"/>.</summary>
    public static byte[] Frame(ReadOnlySpan<byte> message, bool compressed = false)
    {
        var frame = new byte[HeaderSize + message.Length];
        frame[0] = compressed ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)message.Length);
        message.CopyTo(frame.AsSpan(HeaderSize));
        return frame;
    }

    public static byte[] Frame(IMessage message) => Frame(message.ToByteArray());

    /// <summary>Just a frame header claiming <paramref name="length"/> bytes.</summary>
    public static byte[] Header(byte flag, uint length)
    {
        var header = new byte[HeaderSize];
        header[0] = flag;
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(1), length);
        return header;
    }

    public static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(data);
        }
        return output.ToArray();
    }

    /// <summary>An HttpClient that speaks HTTP/2 with prior knowledge over plaintext.</summary>
    public static HttpClient H2cClient() => new(new SocketsHttpHandler { AllowAutoRedirect = false })
    {
        DefaultRequestVersion = HttpVersion.Version20,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        Timeout = TimeSpan.FromMinutes(2),
    };

    public static Task<GrpcReply> CallAsync(HttpClient client, Uri server, byte[] body, string path = V1Path,
        string contentType = "application/grpc", IReadOnlyDictionary<string, string>? headers = null, CancellationToken cancellationToken = default) =>
        CallAsync(client, server, new ByteArrayContent(body), path, contentType, headers, HttpMethod.Post, cancellationToken);

    public static async Task<GrpcReply> CallAsync(HttpClient client, Uri server, HttpContent content, string path = V1Path,
        string contentType = "application/grpc", IReadOnlyDictionary<string, string>? headers = null, HttpMethod? method = null,
        CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(method ?? HttpMethod.Post, new Uri(server, path))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        request.Headers.TE.Add(new TransferCodingWithQualityHeaderValue("trailers"));
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        var all = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            all[name] = string.Join(",", values);
        }
        var trailersOnly = all.ContainsKey("grpc-status");
        var statusSource = trailersOnly ? all : response.TrailingHeaders.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
        Assert.True(statusSource.TryGetValue("grpc-status", out var statusText), "the response carries no grpc-status");
        statusSource.TryGetValue("grpc-message", out var rawMessage);
        return new GrpcReply(
            response.StatusCode,
            response.Content.Headers.ContentType?.ToString(),
            int.Parse(statusText!, System.Globalization.CultureInfo.InvariantCulture),
            rawMessage is null ? "" : Uri.UnescapeDataString(rawMessage),
            rawMessage,
            trailersOnly,
            body,
            all);
    }
}

/// <summary>A request body that sends a prefix, then waits until released (or cancelled) before the rest.</summary>
/// <remarks>The server sees a call whose message is still arriving, for deadline, cancellation and shutdown tests.</remarks>
public sealed class StalledContent(byte[] prefix, byte[] rest) : HttpContent
{
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _prefixSent = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once the prefix has been handed to the connection.</summary>
    public Task PrefixSent => _prefixSent.Task;

    public void Release() => _release.TrySetResult();

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        await stream.WriteAsync(prefix, cancellationToken);
        await stream.FlushAsync(cancellationToken);
        _prefixSent.TrySetResult();
        // Bounded: a test that forgets to release fails instead of hanging.
        await _release.Task.WaitAsync(TimeSpan.FromMinutes(2), cancellationToken);
        await stream.WriteAsync(rest, cancellationToken);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
