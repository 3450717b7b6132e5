// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Unicode;

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
/// and the caller parses that request with Google.Protobuf instead, whose semantics (last value
/// wins, unknown fields ignored) and refusals stay the reference. Both ways give the same text: the
/// keys in wire order and numbers as <see cref="StructJson.WriteObject"/> prints them.
/// </para>
/// </remarks>
public static class StructWireReader
{
    /// <summary>JSON nesting the fast path takes; deeper objects go to the Google.Protobuf path, which takes 500.</summary>
    public const int MaxJsonDepth = 40;

    // Tags: (field number << 3) | wire type.
    private const byte StructFields = (1 << 3) | 2;
    private const byte EntryKey = (1 << 3) | 2;
    private const byte EntryValue = (2 << 3) | 2;
    private const byte NullValue = (1 << 3) | 0;
    private const byte NumberValue = (2 << 3) | 1;
    private const byte StringValue = (3 << 3) | 2;
    private const byte BoolValue = (4 << 3) | 0;
    private const byte StructValue = (5 << 3) | 2;
    private const byte ListValue = (6 << 3) | 2;
    private const byte ListValues = (1 << 3) | 2;

    // Objects with more keys than this check for a repeated key with a set instead of pairwise.
    private const int PairwiseKeys = 16;

    /// <summary>Writes the Struct in <paramref name="wire"/> as one JSON object; false when it is not in canonical form.</summary>
    /// <remarks>On false the writer holds a partial value: reset it before writing again.</remarks>
    public static bool TryWrite(ReadOnlySpan<byte> wire, Utf8JsonWriter writer)
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

    private static bool WriteStruct(ReadOnlySpan<byte> wire, Utf8JsonWriter writer, int depth)
    {
        if (depth > MaxJsonDepth)
        {
            return false;
        }
        writer.WriteStartObject();
        var keyCount = 0;
        Span<(int Start, int Length)> firstKeys = stackalloc (int, int)[PairwiseKeys];
        HashSet<string>? manyKeys = null;
        var position = 0;
        while (position < wire.Length)
        {
            if (wire[position++] != StructFields || !TryLength(wire, ref position, out var entryLength))
            {
                return false;
            }
            var entryStart = position;
            position += entryLength;
            var entryBytes = wire.Slice(entryStart, entryLength);
            // An entry is its key then its value, each once.
            var at = 0;
            if (entryBytes.Length == 0 || entryBytes[at++] != EntryKey || !TryLength(entryBytes, ref at, out var keyLength))
            {
                return false;
            }
            var keyStart = at;
            at += keyLength;
            if (at >= entryBytes.Length || entryBytes[at++] != EntryValue || !TryLength(entryBytes, ref at, out var valueLength) || at + valueLength != entryBytes.Length)
            {
                return false;
            }
            var keyBytes = entryBytes.Slice(keyStart, keyLength);
            if (!Utf8.IsValid(keyBytes))
            {
                return false;
            }
            if (!IsFirst(wire, entryStart + keyStart, keyBytes, firstKeys, keyCount, ref manyKeys))
            {
                return false;
            }
            keyCount++;
            writer.WritePropertyName(keyBytes);
            if (!WriteValue(entryBytes.Slice(at, valueLength), writer, depth))
            {
                return false;
            }
        }
        writer.WriteEndObject();
        return true;

        static bool IsFirst(ReadOnlySpan<byte> all, int start, ReadOnlySpan<byte> key, Span<(int Start, int Length)> first, int count, ref HashSet<string>? many)
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
    }

    private static bool WriteValue(ReadOnlySpan<byte> value, Utf8JsonWriter writer, int depth)
    {
        if (value.Length == 0)
        {
            // No kind set: JSON null, as the protobuf JSON mapping reads it.
            writer.WriteNullValue();
            return true;
        }
        var at = 1;
        switch (value[0])
        {
            case NullValue:
                if (!TryVarint(value, ref at, out _) || at != value.Length)
                {
                    return false;
                }
                writer.WriteNullValue();
                return true;
            case NumberValue:
                if (value.Length != 9)
                {
                    return false;
                }
                StructJson.WriteNumber(writer, BinaryPrimitives.ReadDoubleLittleEndian(value[1..]));
                return true;
            case BoolValue:
                if (!TryVarint(value, ref at, out var flag) || at != value.Length)
                {
                    return false;
                }
                writer.WriteBooleanValue(flag != 0);
                return true;
            case StringValue:
                if (!TryLength(value, ref at, out var textLength) || at + textLength != value.Length)
                {
                    return false;
                }
                var utf8 = value.Slice(at, textLength);
                if (!Utf8.IsValid(utf8))
                {
                    return false;
                }
                writer.WriteStringValue(utf8);
                return true;
            case StructValue:
                if (!TryLength(value, ref at, out var innerLength) || at + innerLength != value.Length)
                {
                    return false;
                }
                return WriteStruct(value.Slice(at, innerLength), writer, depth + 1);
            case ListValue:
                if (!TryLength(value, ref at, out var listLength) || at + listLength != value.Length)
                {
                    return false;
                }
                return WriteList(value.Slice(at, listLength), writer, depth + 1);
            default:
                return false;
        }
    }

    private static bool WriteList(ReadOnlySpan<byte> list, Utf8JsonWriter writer, int depth)
    {
        if (depth > MaxJsonDepth)
        {
            return false;
        }
        writer.WriteStartArray();
        var position = 0;
        while (position < list.Length)
        {
            if (list[position++] != ListValues || !TryLength(list, ref position, out var itemLength))
            {
                return false;
            }
            if (!WriteValue(list.Slice(position, itemLength), writer, depth))
            {
                return false;
            }
            position += itemLength;
        }
        writer.WriteEndArray();
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
