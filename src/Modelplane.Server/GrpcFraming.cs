// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.IO.Pipelines;

namespace Modelplane.Server;

/// <summary>gRPC's length-prefixed messages: a compressed flag byte, a 4-byte big-endian length, the bytes.</summary>
/// <remarks>
/// A unary call carries exactly one message. We read the whole request body (the client half-closes
/// after its one message), reject a length past the limit as soon as the prefix arrives, so a
/// client cannot make us buffer more than the limit, and treat anything but exactly one complete
/// frame as a malformed request. Compressed frames are decoded for gzip, with the decoded size held
/// to the same limit, so a small bomb cannot become a large message.
/// </remarks>
public static class GrpcFraming
{
    public const int HeaderSize = 5;

    /// <summary>A decoded request message, or the status that says why there is none.</summary>
    public readonly record struct Frame(ReadOnlySequence<byte> Message, GrpcStatus? Error, byte[]? Owned = null);

    /// <summary>Reads the one message of a unary request body.</summary>
    public static async ValueTask<Frame> ReadUnaryAsync(PipeReader reader, int maxMessageSize, string? encoding, CancellationToken cancellationToken)
    {
        long expected = -1;
        var compressed = false;
        while (true)
        {
            var read = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = read.Buffer;
            if (expected < 0 && buffer.Length >= HeaderSize)
            {
                var (flag, length) = ParseHeader(buffer);
                if (flag > 1)
                {
                    return Fail(reader, buffer, GrpcStatusCode.InvalidArgument, $"invalid gRPC frame: compressed flag is {flag}, expected 0 or 1");
                }
                if (length > maxMessageSize)
                {
                    return Fail(reader, buffer, GrpcStatusCode.ResourceExhausted,
                        $"received message larger than max ({length.ToString(CultureInfo.InvariantCulture)} vs. {maxMessageSize.ToString(CultureInfo.InvariantCulture)}); raise --max-recv-message-size");
                }
                expected = length;
                compressed = flag == 1;
            }
            if (expected >= 0 && buffer.Length > HeaderSize + expected)
            {
                return Fail(reader, buffer, GrpcStatusCode.InvalidArgument, "invalid gRPC request: a unary call carries one message, got more bytes after it");
            }
            if (read.IsCompleted || read.IsCanceled)
            {
                if (buffer.Length == 0)
                {
                    return Fail(reader, buffer, GrpcStatusCode.InvalidArgument, "invalid gRPC request: the body is empty, expected one message");
                }
                if (expected < 0)
                {
                    return Fail(reader, buffer, GrpcStatusCode.InvalidArgument,
                        $"invalid gRPC frame: truncated header, got {buffer.Length.ToString(CultureInfo.InvariantCulture)} of 5 bytes");
                }
                if (buffer.Length < HeaderSize + expected)
                {
                    return Fail(reader, buffer, GrpcStatusCode.InvalidArgument,
                        $"invalid gRPC frame: truncated message, got {(buffer.Length - HeaderSize).ToString(CultureInfo.InvariantCulture)} of {expected.ToString(CultureInfo.InvariantCulture)} bytes");
                }
                var message = buffer.Slice(HeaderSize, expected);
                if (!compressed)
                {
                    // The caller parses straight from the pipe's buffers and then completes the reader.
                    return new Frame(message, null);
                }
                var decoded = Decompress(message, encoding, maxMessageSize);
                reader.AdvanceTo(buffer.End);
                return decoded;
            }
            // Nothing consumed, everything examined: wait for more bytes.
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>The compressed flag and length of a frame header.</summary>
    public static (byte Flag, uint Length) ParseHeader(ReadOnlySequence<byte> buffer)
    {
        Span<byte> header = stackalloc byte[HeaderSize];
        buffer.Slice(0, HeaderSize).CopyTo(header);
        return (header[0], BinaryPrimitives.ReadUInt32BigEndian(header[1..]));
    }

    /// <summary>Writes a frame header for an uncompressed message of <paramref name="length"/> bytes.</summary>
    public static void WriteHeader(Span<byte> destination, int length)
    {
        destination[0] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(destination[1..], (uint)length);
    }

    private static Frame Decompress(ReadOnlySequence<byte> message, string? encoding, int maxMessageSize)
    {
        if (encoding is null or "identity")
        {
            return new Frame(default, new GrpcStatus(GrpcStatusCode.InvalidArgument,
                "invalid gRPC frame: the compressed flag is set but the call declares no grpc-encoding"));
        }
        try
        {
            using var input = new MemoryStream(message.ToArray());
            using var gzip = new GZipStream(input, CompressionMode.Decompress);
            using var output = new MemoryStream();
            var chunk = new byte[81920];
            int n;
            while ((n = gzip.Read(chunk, 0, chunk.Length)) > 0)
            {
                if (output.Length + n > maxMessageSize)
                {
                    return new Frame(default, new GrpcStatus(GrpcStatusCode.ResourceExhausted,
                        $"received message larger than max after decompression (more than {maxMessageSize.ToString(CultureInfo.InvariantCulture)} bytes); raise --max-recv-message-size"));
                }
                output.Write(chunk, 0, n);
            }
            // GZipStream returns what it has when the input ends early, so a truncated message would
            // parse as a shorter one. A whole gzip member ends with the decoded length mod 2^32 (ISIZE).
            if (message.Length < GzipMinimumLength || TrailerLength(message) != (uint)output.Length)
            {
                return new Frame(default, new GrpcStatus(GrpcStatusCode.InvalidArgument,
                    "invalid gzip message: the compressed data is truncated or followed by other bytes"));
            }
            var bytes = output.ToArray();
            return new Frame(new ReadOnlySequence<byte>(bytes), null, bytes);
        }
        catch (InvalidDataException e)
        {
            return new Frame(default, new GrpcStatus(GrpcStatusCode.InvalidArgument, $"invalid gzip message: {e.Message}"));
        }
    }

    // A 10-byte header, an empty deflate block at least, and the 8-byte CRC32 and ISIZE trailer.
    private const int GzipMinimumLength = 18;

    private static uint TrailerLength(ReadOnlySequence<byte> message)
    {
        Span<byte> trailer = stackalloc byte[4];
        message.Slice(message.Length - 4).CopyTo(trailer);
        return BinaryPrimitives.ReadUInt32LittleEndian(trailer);
    }

    private static Frame Fail(PipeReader reader, ReadOnlySequence<byte> buffer, GrpcStatusCode code, string message)
    {
        reader.AdvanceTo(buffer.End);
        return new Frame(default, new GrpcStatus(code, message));
    }
}
