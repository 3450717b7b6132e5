// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Net;
using Google.Protobuf;
using Modelplane.Server.Tests.Support;

namespace Modelplane.Server.Tests;

/// <summary>Calls the server must refuse: each gets a trailers-only answer with a clear status and message.</summary>
public sealed class InProcessRejectionTests : IAsyncLifetime
{
    private const int LimitMiB = 1;

    private InProcessServer _server = null!;
    private readonly HttpClient _client = GrpcWire.H2cClient();

    public async Task InitializeAsync() =>
        _server = await InProcessServer.StartAsync([TestComposers.Ok], maxRecvMessageSizeMiB: LimitMiB);

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    /// <summary>One refusal: what is sent, and the status and message expected back.</summary>
    public sealed record Case(string Name, string Path, string ContentType, string? Encoding, string? Timeout, Func<byte[]> Body, int Status, string Message)
    {
        public override string ToString() => Name;
    }

    private static byte[] Valid() => GrpcWire.Frame(TestComposers.Request("valid", "ok"));

    private static readonly byte[] TwoMiB = new byte[2 * 1024 * 1024];

    // Grpc.AspNetCore words the framing refusals; the server turns its INTERNAL and UNKNOWN for
    // requests it cannot read into INVALID_ARGUMENT, so no malformed request looks like a bug.
    public static TheoryData<Case> Cases => new()
    {
        new("unknown-method", "/foo.Bar/Baz", "application/grpc", null, null, Valid, 12, "Service is unimplemented."),
        new("other-method-of-the-service", "/apiextensions.fn.proto.v1.FunctionRunnerService/Other", "application/grpc", null, null, Valid, 12,
            "Method is unimplemented."),
        new("json-content-type", GrpcWire.V1Path, "application/json", null, null, Valid, 3,
            "invalid gRPC request: Content-Type 'application/json' is not supported."),
        new("unsupported-encoding", GrpcWire.V1Path, "application/grpc", "snappy", null, () => GrpcWire.Frame([1, 2, 3], compressed: true), 12,
            "Unsupported grpc-encoding value 'snappy'."),
        new("empty-body", GrpcWire.V1Path, "application/grpc", null, null, () => [], 3, "invalid gRPC request: "),
        new("truncated-header", GrpcWire.V1Path, "application/grpc", null, null, () => [0, 0, 0], 3, "invalid gRPC request: "),
        new("truncated-message", GrpcWire.V1Path, "application/grpc", null, null, () => [.. GrpcWire.Header(0, 100), .. new byte[10]], 3,
            "invalid gRPC request: "),
        new("two-messages", GrpcWire.V1Path, "application/grpc", null, null, () => [.. Valid(), .. Valid()], 3, "invalid gRPC request: "),
        new("flag-two", GrpcWire.V1Path, "application/grpc", null, null, () => [.. GrpcWire.Header(2, 0)], 3, "invalid gRPC request: "),
        new("compressed-without-encoding", GrpcWire.V1Path, "application/grpc", null, null,
            () => GrpcWire.Frame(GrpcWire.Gzip([1]), compressed: true), 3, "invalid gRPC request: "),
        new("compressed-with-identity-encoding", GrpcWire.V1Path, "application/grpc", "identity", null,
            () => GrpcWire.Frame(GrpcWire.Gzip([1]), compressed: true), 3, "invalid gRPC request: "),
        new("not-gzip", GrpcWire.V1Path, "application/grpc", "gzip", null,
            () => GrpcWire.Frame([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], compressed: true), 3, "invalid gRPC request: "),
        new("length-past-limit", GrpcWire.V1Path, "application/grpc", null, null, () => GrpcWire.Header(0, 5 * 1024 * 1024), 8,
            "Received message exceeds the maximum configured message size (1 MiB); raise --max-recv-message-size"),
        new("message-past-limit", GrpcWire.V1Path, "application/grpc", null, null, () => GrpcWire.Frame(TwoMiB), 8,
            "Received message exceeds the maximum configured message size (1 MiB); raise --max-recv-message-size"),
        new("gzip-bomb-past-limit", GrpcWire.V1Path, "application/grpc", "gzip", null,
            () => GrpcWire.Frame(GrpcWire.Gzip(TwoMiB), compressed: true), 8,
            "Received message exceeds the maximum configured message size (1 MiB); raise --max-recv-message-size"),
        new("not-a-request", GrpcWire.V1Path, "application/grpc", null, null, () => GrpcWire.Frame([0xFF, 0xFF, 0xFF]), 3,
            "cannot parse RunFunctionRequest: "),
        new("garbage-bytes", GrpcWire.V1Path, "application/grpc", null, null, () => GrpcWire.Frame(Garbage()), 3,
            "cannot parse RunFunctionRequest: "),
    };

    // Bytes no client would send: a fixed pseudo-random run, the same every time.
    private static byte[] Garbage()
    {
        var bytes = new byte[4096];
        new Random(20261202).NextBytes(bytes);
        return bytes;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task RunFunction_BadCall_TrailersOnlyStatusWithMessage(Case c)
    {
        var headers = new Dictionary<string, string>();
        if (c.Encoding is not null)
        {
            headers["grpc-encoding"] = c.Encoding;
        }
        if (c.Timeout is not null)
        {
            headers["grpc-timeout"] = c.Timeout;
        }

        var reply = await GrpcWire.CallAsync(_client, _server.GrpcUri, c.Body(), c.Path, c.ContentType, headers);

        Assert.Equal(c.Status, reply.Status);
        Assert.StartsWith(c.Message, reply.Message, StringComparison.Ordinal);
        Assert.True(reply.TrailersOnly, "a refusal is trailers-only");
        Assert.Empty(reply.Body);
        if (reply.HttpStatus == HttpStatusCode.OK)
        {
            Assert.Equal("application/grpc", reply.ContentType);
        }
        // The server keeps serving after every refusal.
        var after = await GrpcWire.CallAsync(_client, _server.GrpcUri, Valid());
        Assert.Equal(0, after.Status);
    }

    [Fact]
    public async Task RunFunction_JsonContentType_Http415()
    {
        var reply = await GrpcWire.CallAsync(_client, _server.GrpcUri, Valid(), contentType: "application/json");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, reply.HttpStatus);
    }

    [Fact]
    public async Task RunFunction_UnsupportedEncoding_AdvertisesWhatIsAccepted()
    {
        var reply = await GrpcWire.CallAsync(_client, _server.GrpcUri, GrpcWire.Frame([1], compressed: true),
            headers: new Dictionary<string, string> { ["grpc-encoding"] = "deflate-nope" });

        Assert.Equal(12, reply.Status);
        Assert.Contains("gzip", reply.Headers["grpc-accept-encoding"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10x")]
    [InlineData("123456789S")]
    public async Task RunFunction_MalformedTimeout_IgnoredAndAnswered(string timeout)
    {
        // Grpc.AspNetCore ignores a grpc-timeout it cannot read (as grpc-go does not): the call runs without a deadline.
        var reply = await GrpcWire.CallAsync(_client, _server.GrpcUri, Valid(), headers: new Dictionary<string, string> { ["grpc-timeout"] = timeout });

        Assert.Equal(0, reply.Status);
        Assert.Equal("valid", reply.Response.Meta.Tag);
    }

    [Fact]
    public async Task RunFunction_MultiMemberGzip_Decoded()
    {
        // Two gzip members back to back are one valid gzip stream (RFC 1952 §2.2); pigz and some
        // proxies write them. The request, split in two, must decode whole.
        var message = TestComposers.Request("multi-member", "ok").ToByteArray();
        byte[] twoMembers = [.. GrpcWire.Gzip(message[..(message.Length / 2)]), .. GrpcWire.Gzip(message[(message.Length / 2)..])];

        var reply = await GrpcWire.CallAsync(_client, _server.GrpcUri, GrpcWire.Frame(twoMembers, compressed: true),
            headers: new Dictionary<string, string> { ["grpc-encoding"] = "gzip" });

        Assert.Equal(0, reply.Status);
        Assert.Equal("multi-member", reply.Response.Meta.Tag);
    }

    [Fact]
    public async Task RunFunction_LengthPastLimit_RefusedBeforeTheBodyArrives()
    {
        // Only the prefix is sent; the rest would never come. The answer must not wait for it.
        using var content = new StalledContent(GrpcWire.Header(0, 64 * 1024 * 1024), []);

        var reply = await GrpcWire.CallAsync(_client, _server.GrpcUri, content);

        Assert.Equal(8, reply.Status);
        content.Release();
    }

    [Fact]
    public async Task RunFunction_RefusedCall_LoggedWithStatusAndReason()
    {
        await GrpcWire.CallAsync(_client, _server.GrpcUri, [0, 0, 0]);

        var line = await _server.WaitForCallLineAsync(l => (string?)l["grpcStatus"] == "InvalidArgument");

        Assert.Equal("Warning", (string?)line["LogLevel"]);
        Assert.StartsWith("invalid gRPC request: ", (string?)line["error"], StringComparison.Ordinal);
    }
}
