// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Buffers;
using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Unicode;
using Google.Protobuf.WellKnownTypes;

namespace Modelplane.Sdk;

/// <summary>Writes a <c>google.protobuf.Struct</c>'s wire bytes as JSON text, with no Struct or Value objects between.</summary>
/// <remarks>
/// <para>
/// A fleet-scale request is mostly required objects (a thousand ModelEndpoints, a thousand
/// InferenceClusters), and the composers read them as JSON. Parsing them into Google.Protobuf's
/// object model first cost most of a call's time and garbage: a Struct, a map entry and a Value per
/// field, all alive at once, so each gen0 collection copied the whole tree on. Reading the wire
/// straight into a <see cref="Utf8JsonWriter"/> leaves only the text.
/// </para>
/// <para>
/// It reads the canonical form every protobuf encoder writes: a map entry's key then its value, one
/// kind per Value, no unknown fields, no key twice in one object. Anything else (or a string that is
/// not UTF-8, or nesting past <see cref="MaxJsonDepth"/>) makes <see cref="TryWrite"/> return false,
/// and the caller parses those bytes with Google.Protobuf instead, whose semantics (last value
/// wins, unknown fields ignored) and refusals stay the reference. Both ways give the same text: the
/// keys in wire order and numbers as <see cref="StructJson.WriteObject"/> prints them. The same walk
/// with no writer checks bytes the decoder keeps for later (<see cref="IsReadable"/>), and its pieces
/// (<see cref="TryNextEntry"/>, <see cref="TryKind"/>, <see cref="WriteValue"/>) serve the typed
/// reads from wire bytes (<see cref="ElementReads.TryReadStruct{T}"/>).
/// </para>
/// </remarks>
public static class StructWireReader
{
    /// <summary>JSON nesting the fast path takes; deeper objects go to the Google.Protobuf path, which takes 500.</summary>
    public const int MaxJsonDepth = 40;


    /// <summary>Writes the Struct in <paramref name="wire"/> as one JSON object; false when it is not in canonical form.</summary>
    /// <remarks>On false the writer holds a partial value: reset it before writing again.</remarks>
    public static bool TryWrite(ReadOnlySpan<byte> wire, Utf8JsonWriter writer) => Guarded(wire, writer);

    /// <summary>Whether the Struct in <paramref name="wire"/> can be read later without the full parse.</summary>
    /// <remarks>
    /// The decoder keeps required objects as wire bytes and reads each only when a composer asks, often
    /// only a few of its fields (<see cref="ElementReads.TryReadStruct{T}"/>). What would make the
    /// request not parse must still be refused now, so this walks every level: framing, one kind per
    /// Value, UTF-8, depth. A key given twice parses (the last wins), so it is left to the reads, which
    /// refuse it and read that object through Google.Protobuf (<see cref="ToJson"/>).
    /// </remarks>
    internal static bool IsReadable(ReadOnlySpan<byte> wire) => Guarded(wire, writer: null);

    /// <summary>One object's JSON text from its Struct's wire bytes, as the full parse would write it.</summary>
    /// <remarks>For bytes <see cref="IsReadable"/> passed: those not in canonical form (a key given twice) take Google.Protobuf's parse.</remarks>
    internal static byte[] ToJson(ReadOnlySpan<byte> wire)
    {
        var buffer = new ArrayBufferWriter<byte>(Math.Max(wire.Length + (wire.Length >> 2), 16));
        using var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true, MaxDepth = RequestDecoder.RecursionLimit });
        if (!TryWrite(wire, writer))
        {
            buffer.ResetWrittenCount();
            writer.Reset(buffer);
            StructJson.WriteObject(writer, Struct.Parser.ParseFrom(wire));
        }
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static bool Guarded(ReadOnlySpan<byte> wire, Utf8JsonWriter? writer)
    {
        try
        {
            return WriteStruct(wire, writer, 1);
        }
        catch (ArgumentException)
        {
            // Utf8JsonWriter refuses a key or string that is not valid UTF-8.
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    // With no writer, only checks: see IsReadable.
    private static bool WriteStruct(ReadOnlySpan<byte> wire, Utf8JsonWriter? writer, int depth)
    {
        if (depth > MaxJsonDepth)
        {
            return false;
        }
        writer?.WriteStartObject();
        var keyCount = 0;
        Span<(int Start, int Length)> firstKeys = stackalloc (int, int)[PairwiseKeys];
        HashSet<string>? manyKeys = null;
        var position = 0;
        while (position < wire.Length)
        {
            if (!TryNextEntry(wire, ref position, out var keyStart, out var keyBytes, out var valueBytes))
            {
                return false;
            }
            if (!Utf8.IsValid(keyBytes))
            {
                return false;
            }
            if (writer is not null)
            {
                if (!IsFirstKey(wire, keyStart, keyBytes, firstKeys, keyCount, ref manyKeys))
                {
                    return false;
                }
                keyCount++;
                writer.WritePropertyName(keyBytes);
            }
            if (!WriteValue(valueBytes, writer, depth))
            {
                return false;
            }
        }
        writer?.WriteEndObject();
        return true;
    }

    /// <summary>Reads the Struct entry at <paramref name="position"/>: its key (starting at <paramref name="keyStart"/> in <paramref name="wire"/>) and its Value's bytes.</summary>
    /// <remarks>False when the entry is not framed canonically: one key, then one value, nothing else.</remarks>
    internal static bool TryNextEntry(ReadOnlySpan<byte> wire, scoped ref int position, out int keyStart, out ReadOnlySpan<byte> key, out ReadOnlySpan<byte> value)
    {
        keyStart = 0;
        key = value = default;
        if (wire[position++] != StructTags.Fields || !TryLength(wire, ref position, out var entryLength))
        {
            return false;
        }
        var entryStart = position;
        position += entryLength;
        var entry = wire.Slice(entryStart, entryLength);
        var at = 0;
        if (entry.Length == 0 || entry[at++] != StructTags.EntryKey || !TryLength(entry, ref at, out var keyLength))
        {
            return false;
        }
        keyStart = entryStart + at;
        key = entry.Slice(at, keyLength);
        at += keyLength;
        if (at >= entry.Length || entry[at++] != StructTags.EntryValue || !TryLength(entry, ref at, out var valueLength) || at + valueLength != entry.Length)
        {
            return false;
        }
        value = entry.Slice(at, valueLength);
        return true;
    }

    /// <summary>Reads the ListValue item at <paramref name="position"/>.</summary>
    internal static bool TryNextItem(ReadOnlySpan<byte> list, scoped ref int position, out ReadOnlySpan<byte> item)
    {
        item = default;
        if (list[position++] != StructTags.ListItem || !TryLength(list, ref position, out var itemLength))
        {
            return false;
        }
        item = list.Slice(position, itemLength);
        position += itemLength;
        return true;
    }

    /// <summary>A Value's kind (its one field's tag; 0 for none, which reads as null) and, for a Struct or a list, the bytes inside.</summary>
    /// <remarks>False when a Struct or list's length does not frame the rest; the other kinds are checked by <see cref="WriteValue"/>.</remarks>
    internal static bool TryKind(ReadOnlySpan<byte> value, out byte kind, out ReadOnlySpan<byte> inner)
    {
        inner = default;
        kind = value.IsEmpty ? (byte)0 : value[0];
        if (kind is not (StructTags.StructValue or StructTags.ListValue))
        {
            return true;
        }
        var at = 1;
        if (!TryLength(value, ref at, out var innerLength) || at + innerLength != value.Length)
        {
            return false;
        }
        inner = value.Slice(at, innerLength);
        return true;
    }

    /// <summary>Space for the keys an object's first <see cref="PairwiseKeys"/> entries are checked against.</summary>
    internal const int PairwiseKeys = 16;

    /// <summary>Whether <paramref name="key"/> (at <paramref name="start"/> in <paramref name="all"/>) is the first of its name among an object's keys so far.</summary>
    /// <remarks>Pairwise for the first <see cref="PairwiseKeys"/> keys, recorded in <paramref name="first"/>; a set past them.</remarks>
    internal static bool IsFirstKey(ReadOnlySpan<byte> all, int start, ReadOnlySpan<byte> key, Span<(int Start, int Length)> first, int count, ref HashSet<string>? many)
    {
        if (count < PairwiseKeys)
        {
            for (var i = 0; i < count; i++)
            {
                if (all.Slice(first[i].Start, first[i].Length).SequenceEqual(key))
                {
                    return false;
                }
            }
            first[count] = (start, key.Length);
            return true;
        }
        if (many is null)
        {
            many = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (s, l) in first)
            {
                many.Add(Convert.ToHexString(all.Slice(s, l)));
            }
        }
        return many.Add(Convert.ToHexString(key));
    }

    /// <summary>Writes one Value (or, with no writer, checks it) at JSON depth <paramref name="depth"/>; false when it is not in canonical form.</summary>
    internal static bool WriteValue(ReadOnlySpan<byte> value, Utf8JsonWriter? writer, int depth)
    {
        if (value.Length == 0)
        {
            // No kind set: JSON null, as the protobuf JSON mapping reads it.
            writer?.WriteNullValue();
            return true;
        }
        var at = 1;
        switch (value[0])
        {
            case StructTags.NullValue:
                if (!TryVarint(value, ref at, out _) || at != value.Length)
                {
                    return false;
                }
                writer?.WriteNullValue();
                return true;
            case StructTags.NumberValue:
                if (value.Length != 9)
                {
                    return false;
                }
                if (writer is not null)
                {
                    StructJson.WriteNumber(writer, BinaryPrimitives.ReadDoubleLittleEndian(value[1..]));
                }
                return true;
            case StructTags.BoolValue:
                if (!TryVarint(value, ref at, out var flag) || at != value.Length)
                {
                    return false;
                }
                writer?.WriteBooleanValue(flag != 0);
                return true;
            case StructTags.StringValue:
                if (!TryLength(value, ref at, out var textLength) || at + textLength != value.Length)
                {
                    return false;
                }
                var utf8 = value.Slice(at, textLength);
                if (!Utf8.IsValid(utf8))
                {
                    return false;
                }
                writer?.WriteStringValue(utf8);
                return true;
            case StructTags.StructValue:
                return TryKind(value, out _, out var fields) && WriteStruct(fields, writer, depth + 1);
            case StructTags.ListValue:
                return TryKind(value, out _, out var items) && WriteList(items, writer, depth + 1);
            default:
                return false;
        }
    }

    private static bool WriteList(ReadOnlySpan<byte> list, Utf8JsonWriter? writer, int depth)
    {
        if (depth > MaxJsonDepth)
        {
            return false;
        }
        writer?.WriteStartArray();
        var position = 0;
        while (position < list.Length)
        {
            if (!TryNextItem(list, ref position, out var item) || !WriteValue(item, writer, depth))
            {
                return false;
            }
        }
        writer?.WriteEndArray();
        return true;
    }

    /// <summary>Reads a length prefix and checks that many bytes follow.</summary>
    internal static bool TryLength(ReadOnlySpan<byte> data, ref int position, out int length)
    {
        length = default;
        if (!TryVarint(data, ref position, out var value) || value > (ulong)(data.Length - position))
        {
            return false;
        }
        length = (int)value;
        return true;
    }

    internal static bool TryVarint(ReadOnlySpan<byte> data, ref int position, out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < 64 && position < data.Length; shift += 7)
        {
            var b = data[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return true;
            }
        }
        return false;
    }
}
