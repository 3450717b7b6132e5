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

    public static TheoryData<Case> Cases => new()
    {
        new("unknown-method", "/foo.Bar/Baz", "application/grpc", null, null, Valid, 12,
            "unknown method /foo.Bar/Baz; this server serves /apiextensions.fn.proto.v1.FunctionRunnerService/RunFunction and /apiextensions.fn.proto.v1beta1.FunctionRunnerService/RunFunction"),
        new("other-method-of-the-service", "/apiextensions.fn.proto.v1.FunctionRunnerService/Other", "application/grpc", null, null, Valid, 12,
            "unknown method /apiextensions.fn.proto.v1.FunctionRunnerService/Other"),
        new("json-content-type", GrpcWire.V1Path, "application/json", null, null, Valid, 3,
            "content-type \"application/json\" is not gRPC; send application/grpc or application/grpc+proto"),
        new("grpc-json-content-type", GrpcWire.V1Path, "application/grpc+json", null, null, Valid, 3,
            "content-type \"application/grpc+json\" is not gRPC"),
        new("unsupported-encoding", GrpcWire.V1Path, "application/grpc", "snappy", null, Valid, 12,
            "grpc-encoding \"snappy\" is not supported; use one of identity,gzip"),
        new("malformed-timeout-unit", GrpcWire.V1Path, "application/grpc", null, "10x", Valid, 3,
            "grpc-timeout \"10x\" is malformed"),
        new("timeout-with-nine-digits", GrpcWire.V1Path, "application/grpc", null, "123456789S", Valid, 3,
            "grpc-timeout \"123456789S\" is malformed"),
        new("empty-body", GrpcWire.V1Path, "application/grpc", null, null, () => [], 3,
            "invalid gRPC request: the body is empty, expected one message"),
        new("truncated-header", GrpcWire.V1Path, "application/grpc", null, null, () => [0, 0, 0], 3,
            "invalid gRPC frame: truncated header, got 3 of 5 bytes"),
        new("truncated-message", GrpcWire.V1Path, "application/grpc", null, null, () => [.. GrpcWire.Header(0, 100), .. new byte[10]], 3,
            "invalid gRPC frame: truncated message, got 10 of 100 bytes"),
        new("two-messages", GrpcWire.V1Path, "application/grpc", null, null, () => [.. Valid(), .. Valid()], 3,
            "invalid gRPC request: a unary call carries one message, got more bytes after it"),
        new("flag-two", GrpcWire.V1Path, "application/grpc", null, null, () => [.. GrpcWire.Header(2, 0)], 3,
            "invalid gRPC frame: compressed flag is 2, expected 0 or 1"),
        new("compressed-without-encoding", GrpcWire.V1Path, "application/grpc", null, null,
            () => GrpcWire.Frame(GrpcWire.Gzip([1]), compressed: true), 3,
            "invalid gRPC frame: the compressed flag is set but the call declares no grpc-encoding"),
        new("compressed-with-identity-encoding", GrpcWire.V1Path, "application/grpc", "identity", null,
            () => GrpcWire.Frame(GrpcWire.Gzip([1]), compressed: true), 3,
            "invalid gRPC frame: the compressed flag is set but the call declares no grpc-encoding"),
        new("not-gzip", GrpcWire.V1Path, "application/grpc", "gzip", null,
            () => GrpcWire.Frame([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], compressed: true), 3,
            "invalid gzip message: "),
        new("length-past-limit", GrpcWire.V1Path, "application/grpc", null, null, () => GrpcWire.Header(0, 5 * 1024 * 1024), 8,
            "received message larger than max (5242880 vs. 1048576); raise --max-recv-message-size"),
        new("message-past-limit", GrpcWire.V1Path, "application/grpc", null, null, () => GrpcWire.Frame(TwoMiB), 8,
            "received message larger than max (2097152 vs. 1048576)"),
        new("gzip-bomb-past-limit", GrpcWire.V1Path, "application/grpc", "gzip", null,
            () => GrpcWire.Frame(GrpcWire.Gzip(TwoMiB), compressed: true), 8,
            "received message larger than max after decompression (more than 1048576 bytes); raise --max-recv-message-size"),
        new("not-a-request", GrpcWire.V1Path, "application/grpc", null, null, () => GrpcWire.Frame([0xFF, 0xFF, 0xFF]), 3,
            "cannot parse RunFunctionRequest: "),
        new("truncated-gzip", GrpcWire.V1Path, "application/grpc", "gzip", null,
            () => GrpcWire.Frame(GrpcWire.Gzip(TestComposers.Request("valid", "ok").ToByteArray()).AsSpan(..^6), compressed: true), 3,
            "invalid gzip message: the compressed data is truncated or followed by other bytes"),
    };

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
        Assert.Equal("application/grpc", reply.ContentType);
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
        var reply = await GrpcWire.CallAsync(_client, _server.GrpcUri, Valid(), headers: new Dictionary<string, string> { ["grpc-encoding"] = "deflate" });

        Assert.Equal(12, reply.Status);
        Assert.Equal("identity,gzip", reply.Headers["grpc-accept-encoding"]);
    }

    [Fact]
    public async Task RunFunction_GetOnTheMethodPath_Unimplemented()
    {
        var reply = await GrpcWire.CallAsync(_client, _server.GrpcUri, new ByteArrayContent([]), method: HttpMethod.Get);

        Assert.Equal(12, reply.Status);
        Assert.Equal("method GET is not gRPC; gRPC calls are POST", reply.Message);
    }

    [Fact]
    public async Task RunFunction_NonAsciiInMessage_PercentEncodedOnTheWire()
    {
        var reply = await GrpcWire.CallAsync(_client, _server.GrpcUri, Valid(), path: "/caf%C3%A9.Service/100%25");

        Assert.Equal(12, reply.Status);
        Assert.StartsWith("unknown method /café.Service/100%; ", reply.Message, StringComparison.Ordinal);
        Assert.StartsWith("unknown method /caf%C3%A9.Service/100%25; ", reply.RawMessage, StringComparison.Ordinal);
        Assert.All(reply.RawMessage!, c => Assert.InRange(c, ' ', '~'));
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
        Assert.Equal("invalid gRPC frame: truncated header, got 3 of 5 bytes", (string?)line["error"]);
    }
}
