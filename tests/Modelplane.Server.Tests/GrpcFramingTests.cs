// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Buffers;
using System.IO.Compression;
using System.IO.Pipelines;

namespace Modelplane.Server.Tests;

public sealed class GrpcFramingTests
{
    private const int Limit = 64;

    [Theory]
    [InlineData(new byte[] { 0, 0, 0, 0, 0 }, 0, 0u)]
    [InlineData(new byte[] { 1, 0, 0, 0, 7 }, 1, 7u)]
    [InlineData(new byte[] { 0, 0, 0, 1, 0 }, 0, 256u)]
    [InlineData(new byte[] { 0, 0x12, 0x34, 0x56, 0x78, 0xFF }, 0, 0x12345678u)]
    [InlineData(new byte[] { 0, 0xFF, 0xFF, 0xFF, 0xFF }, 0, uint.MaxValue)]
    public void ParseHeader_FivePrefixBytes_FlagAndBigEndianLength(byte[] bytes, byte flag, uint length)
    {
        var (gotFlag, gotLength) = GrpcFraming.ParseHeader(new ReadOnlySequence<byte>(bytes));

        Assert.Equal(flag, gotFlag);
        Assert.Equal(length, gotLength);
    }

    [Theory]
    [InlineData(0, new byte[] { 0, 0, 0, 0, 0 })]
    [InlineData(5, new byte[] { 0, 0, 0, 0, 5 })]
    [InlineData(70000, new byte[] { 0, 0, 1, 0x11, 0x70 })]
    [InlineData(int.MaxValue, new byte[] { 0, 0x7F, 0xFF, 0xFF, 0xFF })]
    public void WriteHeader_Length_UncompressedBigEndianPrefix(int length, byte[] expected)
    {
        var header = new byte[5];

        GrpcFraming.WriteHeader(header, length);

        Assert.Equal(expected, header);
    }

    /// <summary>A request body, how it arrives (in chunks), and the message or status it reads as.</summary>
    public sealed record Case(string Name, byte[][] Chunks, string? Encoding, byte[]? Message, GrpcStatusCode? Error, string? ErrorStart = null)
    {
        public override string ToString() => Name;
    }

    private static byte[] Frame(byte flag, params byte[] message) => [flag, 0, 0, (byte)(message.Length >> 8), (byte)message.Length, .. message];

    private static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(data);
        }
        return output.ToArray();
    }

    // What gzip(1) and zlib write for no data (.NET's GZipStream writes nothing at all).
    private static readonly byte[] EmptyGzip = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0];

    public static TheoryData<Case> Cases => new()
    {
        new("one-frame", [Frame(0, 1, 2, 3)], null, [1, 2, 3], null),
        new("empty-message", [Frame(0)], null, [], null),
        new("byte-by-byte", Frame(0, 9, 8, 7).Select(b => new[] { b }).ToArray(), null, [9, 8, 7], null),
        new("header-split-from-message", [[0, 0, 0], [0, 2, 5], [6]], null, [5, 6], null),
        new("exactly-the-limit", [Frame(0, new byte[Limit])], null, new byte[Limit], null),
        new("gzip", [Frame(1, Gzip([4, 5, 6]))], "gzip", [4, 5, 6], null),
        new("gzip-encoding-uncompressed-frame", [Frame(0, 4, 5)], "gzip", [4, 5], null),
        new("gzip-exactly-the-limit", [Frame(1, Gzip(new byte[Limit]))], "gzip", new byte[Limit], null),
        new("empty-body", [], null, null, GrpcStatusCode.InvalidArgument, "invalid gRPC request: the body is empty"),
        new("truncated-header", [[0, 0]], null, null, GrpcStatusCode.InvalidArgument, "invalid gRPC frame: truncated header, got 2 of 5 bytes"),
        new("truncated-message", [[0, 0, 0, 0, 9, 1, 2]], null, null, GrpcStatusCode.InvalidArgument, "invalid gRPC frame: truncated message, got 2 of 9 bytes"),
        new("trailing-bytes", [[.. Frame(0, 1), 0]], null, null, GrpcStatusCode.InvalidArgument, "invalid gRPC request: a unary call carries one message"),
        new("two-frames", [Frame(0, 1), Frame(0, 2)], null, null, GrpcStatusCode.InvalidArgument, "invalid gRPC request: a unary call carries one message"),
        new("flag-two", [Frame(2, 1)], null, null, GrpcStatusCode.InvalidArgument, "invalid gRPC frame: compressed flag is 2, expected 0 or 1"),
        new("flag-255", [Frame(255)], null, null, GrpcStatusCode.InvalidArgument, "invalid gRPC frame: compressed flag is 255"),
        new("one-past-the-limit", [Frame(0, new byte[Limit + 1])], null, null, GrpcStatusCode.ResourceExhausted, "received message larger than max (65 vs. 64)"),
        new("length-claims-4-GiB", [[0, 0xFF, 0xFF, 0xFF, 0xFF]], null, null, GrpcStatusCode.ResourceExhausted, "received message larger than max (4294967295 vs. 64)"),
        new("compressed-no-encoding", [Frame(1, Gzip([1]))], null, null, GrpcStatusCode.InvalidArgument, "invalid gRPC frame: the compressed flag is set but the call declares no grpc-encoding"),
        new("compressed-identity", [Frame(1, Gzip([1]))], "identity", null, GrpcStatusCode.InvalidArgument, "invalid gRPC frame: the compressed flag is set but the call declares no grpc-encoding"),
        new("compressed-not-gzip", [Frame(1, 1, 2, 3)], "gzip", null, GrpcStatusCode.InvalidArgument, "invalid gzip message: "),
        new("gzip-header-only", [Frame(1, Gzip(new byte[40])[..10])], "gzip", null, GrpcStatusCode.InvalidArgument, "invalid gzip message: "),
        new("gzip-without-trailer", [Frame(1, Gzip([1, 2, 3])[..^8])], "gzip", null, GrpcStatusCode.InvalidArgument, "invalid gzip message: the compressed data is truncated"),
        new("gzip-trailer-cut-short", [Frame(1, Gzip([1, 2, 3])[..^1])], "gzip", null, GrpcStatusCode.InvalidArgument, "invalid gzip message: the compressed data is truncated"),
        new("gzip-then-garbage", [Frame(1, [.. Gzip([1, 2, 3]), 9, 9])], "gzip", null, GrpcStatusCode.InvalidArgument, "invalid gzip message: the compressed data is truncated or followed by other bytes"),
        new("gzip-empty-message", [Frame(1, EmptyGzip)], "gzip", [], null),
        new("compressed-zero-bytes", [Frame(1)], "gzip", null, GrpcStatusCode.InvalidArgument, "invalid gzip message: the compressed data is truncated"),
        new("gzip-one-past-the-limit", [Frame(1, Gzip(new byte[Limit + 1]))], "gzip", null, GrpcStatusCode.ResourceExhausted, "received message larger than max after decompression (more than 64 bytes)"),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task ReadUnaryAsync_Body_MessageOrStatus(Case c)
    {
        var pipe = new Pipe();
        var writing = Task.Run(async () =>
        {
            foreach (var chunk in c.Chunks)
            {
                await pipe.Writer.WriteAsync(chunk);
            }
            await pipe.Writer.CompleteAsync();
        });

        var frame = await GrpcFraming.ReadUnaryAsync(pipe.Reader, Limit, c.Encoding, CancellationToken.None);
        await writing;

        if (c.Error is null)
        {
            Assert.Null(frame.Error);
            Assert.Equal(c.Message, frame.Message.ToArray());
        }
        else
        {
            Assert.NotNull(frame.Error);
            Assert.Equal(c.Error, frame.Error.Value.Code);
            Assert.StartsWith(c.ErrorStart!, frame.Error.Value.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ReadUnaryAsync_LengthPastLimit_AnswersBeforeTheBodyEnds()
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(new byte[] { 0, 0, 0x10, 0, 0 });

        // The writer is never completed: the refusal must come from the prefix alone.
        var frame = await GrpcFraming.ReadUnaryAsync(pipe.Reader, Limit, null, CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(GrpcStatusCode.ResourceExhausted, frame.Error?.Code);
    }

    [Fact]
    public async Task ReadUnaryAsync_Cancelled_ThrowsOperationCanceled()
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(new byte[] { 0, 0, 0 });
        using var cancel = new CancellationTokenSource();

        var reading = GrpcFraming.ReadUnaryAsync(pipe.Reader, Limit, null, cancel.Token).AsTask();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reading);
    }
}
