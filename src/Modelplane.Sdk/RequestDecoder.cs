// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Unicode;
using Apiextensions.Fn.Proto.V1;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Modelplane.Sdk;

/// <summary>Turns a request's bytes into a <see cref="DecodedRequest"/>, or refuses them with <see cref="MalformedRequestException"/>.</summary>
/// <remarks>
/// <para>
/// Most of a fleet-scale request is its required resources (a thousand ModelEndpoints or
/// InferenceClusters), which composers read as typed records or JSON. Those stay wire bytes, checked
/// here for everything that would make the request not parse (<see cref="StructWireReader.IsReadable"/>)
/// and read only when a composer asks (<see cref="RequiredObjects"/>); Google.Protobuf parses only the
/// rest, the envelope. A request that is not in the form the fast path reads (an unknown field or
/// connection details on a required item, very deep nesting, bytes that do not parse) is parsed whole
/// by Google.Protobuf instead, so its meaning and its refusal are exactly the library's, then its
/// required objects are written as JSON from the parsed Structs. An object that parses but is not
/// canonical (a key given twice) is parsed alone by Google.Protobuf when first read: the same text
/// either way.
/// </para>
/// <para>
/// Two things Google.Protobuf does differently from protobuf-go, which Crossplane and the Go SDK use:
/// </para>
/// <list type="bullet">
/// <item>It refuses nesting deeper than 100 messages, where Go allows 10,000. A Struct costs two
/// levels per JSON level (Struct, then Value), so 100 is about 50 JSON levels: a CustomResourceDefinition
/// we compose comes back as an observed resource with only a few levels to spare. We parse with the
/// default first (the fast span path) and only a request it refuses for depth is parsed again with
/// <see cref="RecursionLimit"/>, which the parse and everything after it (JSON conversion, the
/// composers) survive on a thread-pool stack; a test sends a request at the limit.</item>
/// <item>It decodes invalid UTF-8 in string fields to U+FFFD without a word, where proto3 says such a
/// message does not parse. We check every string field against the message descriptors, so a mangled
/// label is refused naming its field instead of being written back to the cluster changed.</item>
/// </list>
/// </remarks>
public static class RequestDecoder
{
    /// <summary>Message nesting we accept: 1,000 levels, about 500 levels of JSON.</summary>
    public const int RecursionLimit = 1000;

    private const int ExtraResourcesField = 6;
    private const int RequiredResourcesField = 8;

    /// <summary>Decodes a request; throws <see cref="MalformedRequestException"/> when it does not parse.</summary>
    public static DecodedRequest Decode(ReadOnlySequence<byte> payload)
    {
        if (payload.IsSingleSegment)
        {
            if (TryDecodeCanonical(payload.FirstSpan) is { } decoded)
            {
                return decoded;
            }
        }
        else
        {
            // The transport hands a large body over in several buffers; one copy makes it a span.
            var length = checked((int)payload.Length);
            var copy = ArrayPool<byte>.Shared.Rent(length);
            try
            {
                payload.CopyTo(copy);
                if (TryDecodeCanonical(copy.AsSpan(0, length)) is { } decoded)
                {
                    return decoded;
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(copy);
            }
        }
        return DecodedRequest.From(Parse(payload));
    }

    /// <summary>Decodes a request built in code (the render CLI, tests) the way the server decodes one off the wire.</summary>
    public static DecodedRequest Decode(RunFunctionRequest request) => Decode(new ReadOnlySequence<byte>(request.ToByteArray()));

    /// <summary>The fast path: the envelope through Google.Protobuf, required objects checked and kept as wire bytes; null to take the full parse.</summary>
    private static DecodedRequest? TryDecodeCanonical(ReadOnlySpan<byte> bytes)
    {
        List<(int Field, int Start, int Length)>? maps = null;
        List<(int Start, int Length)>? envelopeParts = null;
        var position = 0;
        var partStart = 0;
        while (position < bytes.Length)
        {
            var fieldStart = position;
            if (!StructWireReader.TryVarint(bytes, ref position, out var tag))
            {
                return null;
            }
            var number = tag >> 3;
            if ((tag & 7) == 2 && number is ExtraResourcesField or RequiredResourcesField)
            {
                if (!StructWireReader.TryLength(bytes, ref position, out var length))
                {
                    return null;
                }
                (maps ??= []).Add(((int)number, position, length));
                position += length;
                // The envelope is every other field, in order.
                if (fieldStart > partStart)
                {
                    (envelopeParts ??= []).Add((partStart, fieldStart - partStart));
                }
                partStart = position;
            }
            else if (!SkipField(bytes, ref position, (int)(tag & 7)))
            {
                return null;
            }
        }
        if (maps is null)
        {
            // No required objects to read as JSON: the full parse is all there is to do.
            return null;
        }
        if (bytes.Length > partStart)
        {
            (envelopeParts ??= []).Add((partStart, bytes.Length - partStart));
        }
        var envelopeBytes = new byte[envelopeParts?.Sum(p => p.Length) ?? 0];
        var written = 0;
        foreach (var (start, length) in envelopeParts ?? [])
        {
            bytes.Slice(start, length).CopyTo(envelopeBytes.AsSpan(written));
            written += length;
        }
        if (TryParseEnvelope(envelopeBytes) is not { } envelope)
        {
            return null;
        }
        using var required = new RequiredObjects.Builder(maps.Where(m => m.Field == RequiredResourcesField).Sum(m => m.Length));
        using var extra = new RequiredObjects.Builder(maps.Where(m => m.Field == ExtraResourcesField).Sum(m => m.Length));
        foreach (var (field, start, length) in maps)
        {
            if (!(field == RequiredResourcesField ? required : extra).TryAddEntry(bytes.Slice(start, length)))
            {
                return null;
            }
        }
        return new DecodedRequest(envelope, required.Build(), extra.Build());
    }

    private static RunFunctionRequest? TryParseEnvelope(byte[] bytes)
    {
        RunFunctionRequest envelope;
        try
        {
            envelope = RunFunctionRequest.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException)
        {
            return null;
        }
        return FindInvalidUtf8(new ReadOnlySequence<byte>(bytes), RunFunctionRequest.Descriptor) is null ? envelope : null;
    }

    private static bool SkipField(ReadOnlySpan<byte> bytes, ref int position, int wire)
    {
        switch (wire)
        {
            case 0:
                return StructWireReader.TryVarint(bytes, ref position, out _);
            case 1:
                position += 8;
                return position <= bytes.Length;
            case 5:
                position += 4;
                return position <= bytes.Length;
            case 2:
                if (!StructWireReader.TryLength(bytes, ref position, out var length))
                {
                    return false;
                }
                position += length;
                return true;
            default:
                return false;
        }
    }

    /// <summary>The whole request through Google.Protobuf; throws <see cref="MalformedRequestException"/> when it does not parse.</summary>
    public static RunFunctionRequest Parse(ReadOnlySequence<byte> payload)
    {
        RunFunctionRequest request;
        try
        {
            request = ParseNested(payload);
        }
        catch (InvalidProtocolBufferException e) when (!IsTooDeep(e) && FindInvalidUtf8(payload, RunFunctionRequest.Descriptor) is { } invalid)
        {
            // Google.Protobuf refuses invalid UTF-8 but does not say where; we do.
            throw Refuse($"cannot parse RunFunctionRequest: field {invalid} is not valid UTF-8; proto3 strings must be UTF-8 ({e.Message.TrimEnd('.')})");
        }
        catch (InvalidProtocolBufferException e)
        {
            throw Refuse($"cannot parse RunFunctionRequest: {e.Message}");
        }
        if (FindInvalidUtf8(payload, RunFunctionRequest.Descriptor) is { } field)
        {
            throw Refuse($"cannot parse RunFunctionRequest: field {field} is not valid UTF-8; proto3 strings must be UTF-8");
        }
        return request;
    }

    private static RunFunctionRequest ParseNested(ReadOnlySequence<byte> payload)
    {
        try
        {
            return RunFunctionRequest.Parser.ParseFrom(payload);
        }
        catch (InvalidProtocolBufferException e) when (IsTooDeep(e))
        {
            // Only the stream form takes a recursion limit; deep requests are rare, so they alone pay for it.
            using var stream = new SequenceStream(payload);
            using var input = CodedInputStream.CreateWithLimits(stream, int.MaxValue, RecursionLimit);
            var request = new RunFunctionRequest();
            request.MergeFrom(input);
            return request;
        }
    }

    private static bool IsTooDeep(InvalidProtocolBufferException e) => e.Message.Contains("levels of nesting", StringComparison.Ordinal);

    private static MalformedRequestException Refuse(string message) => new(message);

    /// <summary>The path of the first string field holding invalid UTF-8, or null when every one is valid.</summary>
    /// <remarks>
    /// Walks the wire bytes with the message descriptors (the parse has already accepted them, so
    /// the walk only needs to tell strings from bytes and nested messages). Struct and Value levels are
    /// named as JSON paths: <c>observed.composite.resource.metadata.labels.team</c>.
    /// </remarks>
    public static string? FindInvalidUtf8(ReadOnlySequence<byte> data, MessageDescriptor descriptor)
    {
        var path = Find(data, descriptor, 0);
        return path is null ? null : path.StartsWith('.') ? path[1..] : path;
    }

    private static string? Find(ReadOnlySequence<byte> data, MessageDescriptor descriptor, int depth)
    {
        // The walk recurses once per message level: past the parser's own limit the request is refused
        // for its depth anyway, and following it further would overflow the stack (20,000 nested lists).
        if (depth > RecursionLimit)
        {
            return null;
        }
        var reader = new SequenceReader<byte>(data);
        while (!reader.End)
        {
            var start = reader.Consumed;
            if (!TryReadVarint(ref reader, out var tag))
            {
                return null;
            }
            var number = (int)(tag >> 3);
            switch ((int)(tag & 7))
            {
                case 0:
                    if (!TryReadVarint(ref reader, out _))
                    {
                        return null;
                    }
                    break;
                case 1:
                    reader.Advance(Math.Min(8, reader.Remaining));
                    break;
                case 5:
                    reader.Advance(Math.Min(4, reader.Remaining));
                    break;
                case 2:
                    if (!TryReadVarint(ref reader, out var length) || (ulong)reader.Remaining < length)
                    {
                        return null;
                    }
                    var value = reader.UnreadSequence.Slice(0, (long)length);
                    reader.Advance((long)length);
                    if (descriptor.FindFieldByNumber(number) is { } field && Check(data, start, field, value, depth) is { } inner)
                    {
                        return inner;
                    }
                    break;
                default:
                    // Groups are not proto3; the parse accepted the bytes, so there is nothing of ours here.
                    return null;
            }
        }
        return null;
    }

    private static string? Check(ReadOnlySequence<byte> message, long fieldStart, FieldDescriptor field, ReadOnlySequence<byte> value, int depth)
    {
        switch (field.FieldType)
        {
            case FieldType.String:
                return IsValid(value) ? null : Segment(message, fieldStart, field, key: null);
            case FieldType.Message when field.IsMap:
                {
                    var keyField = field.MessageType.FindFieldByNumber(1);
                    var valueField = field.MessageType.FindFieldByNumber(2);
                    var (key, valueBytes) = MapEntry(value);
                    // The key's text is only needed to name a field that failed: most calls never build it.
                    if (key is { } rawKey && keyField.FieldType == FieldType.String && !IsValid(rawKey))
                    {
                        return Segment(message, fieldStart, field, KeyText(rawKey)) + " (its key)";
                    }
                    if (valueBytes is { } v)
                    {
                        var inner = valueField.FieldType switch
                        {
                            FieldType.String => IsValid(v) ? null : "",
                            FieldType.Message => Find(v, valueField.MessageType, depth + 1),
                            _ => null,
                        };
                        if (inner is not null)
                        {
                            return Segment(message, fieldStart, field, key is { } k ? KeyText(k) : "") + inner;
                        }
                    }
                    return null;
                }
            case FieldType.Message:
                return Find(value, field.MessageType, depth + 1) is { } path ? Segment(message, fieldStart, field, key: null) + path : null;
            default:
                return null;
        }
    }

    // How one field appears in the path. Struct and Value are JSON in disguise, so they read as JSON paths.
    private static string Segment(ReadOnlySequence<byte> message, long fieldStart, FieldDescriptor field, string? key)
    {
        var container = field.ContainingType.FullName;
        if (container == "google.protobuf.Struct")
        {
            return IsPlainKey(key!) ? $".{key}" : $"[\"{key}\"]";
        }
        if (container == "google.protobuf.Value")
        {
            return "";
        }
        if (field.IsMap)
        {
            return $".{field.Name}[\"{key}\"]";
        }
        if (field.IsRepeated)
        {
            var index = Occurrences(message, fieldStart, field.FieldNumber);
            return container == "google.protobuf.ListValue"
                ? string.Create(CultureInfo.InvariantCulture, $"[{index}]")
                : string.Create(CultureInfo.InvariantCulture, $".{field.Name}[{index}]");
        }
        return $".{field.Name}";
    }

    private static bool IsPlainKey(string key) =>
        key.Length > 0 && key.All(c => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '-' or '_' or '/');

    // How many times a repeated field occurred before the one at fieldStart: its index.
    private static int Occurrences(ReadOnlySequence<byte> message, long fieldStart, int number)
    {
        var reader = new SequenceReader<byte>(message.Slice(0, fieldStart));
        var count = 0;
        while (!reader.End && TryReadVarint(ref reader, out var tag))
        {
            if ((int)(tag >> 3) == number)
            {
                count++;
            }
            if (!Skip(ref reader, (int)(tag & 7)))
            {
                break;
            }
        }
        return count;
    }

    private static string KeyText(ReadOnlySequence<byte> key) => Encoding.UTF8.GetString(key);

    private static (ReadOnlySequence<byte>? Key, ReadOnlySequence<byte>? Value) MapEntry(ReadOnlySequence<byte> entry)
    {
        ReadOnlySequence<byte>? key = null;
        ReadOnlySequence<byte>? value = null;
        var reader = new SequenceReader<byte>(entry);
        while (!reader.End && TryReadVarint(ref reader, out var tag))
        {
            var wire = (int)(tag & 7);
            if (wire == 2 && TryReadVarint(ref reader, out var length) && (ulong)reader.Remaining >= length)
            {
                var bytes = reader.UnreadSequence.Slice(0, (long)length);
                reader.Advance((long)length);
                if ((tag >> 3) == 1)
                {
                    key = bytes;
                }
                else if ((tag >> 3) == 2)
                {
                    value = bytes;
                }
            }
            else if (wire == 2 || !Skip(ref reader, wire))
            {
                break;
            }
        }
        return (key, value);
    }

    private static bool Skip(ref SequenceReader<byte> reader, int wire)
    {
        switch (wire)
        {
            case 0:
                return TryReadVarint(ref reader, out _);
            case 1:
                return reader.TryAdvance(8);
            case 5:
                return reader.TryAdvance(4);
            case 2:
                return TryReadVarint(ref reader, out var length) && (ulong)reader.Remaining >= length && reader.TryAdvance((long)length);
            default:
                return false;
        }
    }

    private static bool TryAdvance(this ref SequenceReader<byte> reader, long count)
    {
        if (reader.Remaining < count)
        {
            return false;
        }
        reader.Advance(count);
        return true;
    }

    private static bool IsValid(ReadOnlySequence<byte> bytes)
    {
        if (bytes.IsSingleSegment)
        {
            return Utf8.IsValid(bytes.FirstSpan);
        }
        // A string split across transport buffers: rare, and short-lived.
        var copy = ArrayPool<byte>.Shared.Rent((int)bytes.Length);
        try
        {
            bytes.CopyTo(copy);
            return Utf8.IsValid(copy.AsSpan(0, (int)bytes.Length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(copy);
        }
    }

    private static bool TryReadVarint(ref SequenceReader<byte> reader, out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (!reader.TryRead(out var b))
            {
                return false;
            }
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>A read-only stream over a byte sequence, for the one parser entry that takes a recursion limit.</summary>
    private sealed class SequenceStream(ReadOnlySequence<byte> data) : Stream
    {
        private readonly long _length = data.Length;
        private ReadOnlySequence<byte> _rest = data;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => _length;

        public override long Position
        {
            get => _length - _rest.Length;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = (int)Math.Min(buffer.Length, _rest.Length);
            _rest.Slice(0, n).CopyTo(buffer);
            _rest = _rest.Slice(n);
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
