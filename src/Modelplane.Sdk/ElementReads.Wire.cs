// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Modelplane.Sdk;

public static partial class ElementReads
{
    // The contract's fields of one object at a time: small, so kept per thread and reused.
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_kept;

    [ThreadStatic]
    private static Utf8JsonWriter? t_keptWriter;

    private static readonly ConcurrentDictionary<JsonTypeInfo, WireContract?> WireContracts = new();

    /// <summary>A record read from a <c>google.protobuf.Struct</c>'s wire bytes, keeping only the fields its contract has.</summary>
    /// <remarks>
    /// <para>
    /// A ModelService reads six fields of each ModelEndpoint, which the API server sends with
    /// annotations, managed fields and conditions besides. Writing every object out as JSON text, then
    /// tokenising all of it twice (once to check, once to deserialise), was most of a fleet-scale call.
    /// Here one walk over the wire bytes steps over what the contract does not name (a length prefix
    /// says how far), checks what it does as <see cref="TryRead{T}(ReadOnlySpan{byte}, JsonTypeInfo{T}, int, out T)"/>
    /// checks text, and writes only that as JSON, which is then deserialised.
    /// </para>
    /// <para>
    /// Leaving fields out changes nothing only when the deserialiser would pass over them anyway, so a
    /// contract that could see them (extension data, case-insensitive names, unmapped members refused,
    /// polymorphism) is not read this way; nor is a contract key given twice. Each false sends the
    /// object to the text read, which is always safe.
    /// </para>
    /// </remarks>
    /// <param name="structWire">The Struct's bytes, which <see cref="StructWireReader.IsReadable"/> has passed.</param>
    /// <param name="typeInfo">The record's contract.</param>
    /// <param name="value">The record, when the read succeeds.</param>
    public static bool TryReadStruct<T>(ReadOnlySpan<byte> structWire, JsonTypeInfo<T> typeInfo, [NotNullWhen(true)] out T? value)
    {
        value = default;
        var kept = t_kept ??= new ArrayBufferWriter<byte>(1024);
        kept.ResetWrittenCount();
        var writer = t_keptWriter ??= new Utf8JsonWriter(kept, new JsonWriterOptions { SkipValidation = true, MaxDepth = RequestDecoder.RecursionLimit });
        writer.Reset(kept);
        try
        {
            if (!KeepObject(structWire, typeInfo, writer, 0))
            {
                return false;
            }
            writer.Flush();
            value = JsonSerializer.Deserialize(kept.WrittenSpan, typeInfo);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NotSupportedException or ArgumentException)
        {
            // ArgumentException: the writer refusing a string that is not UTF-8.
            return false;
        }
        finally
        {
            // A large object's buffer is not kept for the thread's lifetime.
            if (kept.Capacity > MaxKeptBytes)
            {
                t_kept = null;
                t_keptWriter = null;
            }
        }
        return value is not null;
    }

    private const int MaxKeptBytes = 1 << 20;

    // One Value checked against its contract and written; as CleanText, on wire bytes.
    private static bool KeepValue(ReadOnlySpan<byte> value, JsonTypeInfo info, Utf8JsonWriter writer, int depth)
    {
        if (!StructWireReader.TryKind(value, out var kind, out var inner))
        {
            return false;
        }
        if (depth > MaxContractDepth)
        {
            return StructWireReader.WriteValue(value, writer, depth);
        }
        switch (info.Kind)
        {
            case JsonTypeInfoKind.Object when kind == StructTags.StructValue:
                return KeepObject(inner, info, writer, depth);
            case JsonTypeInfoKind.Enumerable when kind == StructTags.ListValue && info.ElementType is { } itemType:
                var itemInfo = IsContract(itemType) ? info.Options.GetTypeInfo(itemType) : null;
                writer.WriteStartArray();
                var position = 0;
                while (position < inner.Length)
                {
                    if (!StructWireReader.TryNextItem(inner, ref position, out var item) || !StructWireReader.TryKind(item, out var itemKind, out _))
                    {
                        return false;
                    }
                    if ((IsNull(itemKind) && !MayBeNull(itemType)) || IsEnumNumber(itemKind, itemType)
                        || !KeepOrWrite(item, itemKind, itemInfo, writer, depth))
                    {
                        return false;
                    }
                }
                writer.WriteEndArray();
                return true;
            case JsonTypeInfoKind.Dictionary when kind == StructTags.StructValue && info.ElementType is { } valueType:
                var valueInfo = IsContract(valueType) ? info.Options.GetTypeInfo(valueType) : null;
                writer.WriteStartObject();
                Span<(int Start, int Length)> firstKeys = stackalloc (int, int)[StructWireReader.PairwiseKeys];
                HashSet<string>? manyKeys = null;
                var count = 0;
                var at = 0;
                while (at < inner.Length)
                {
                    if (!StructWireReader.TryNextEntry(inner, ref at, out var keyStart, out var key, out var entryValue)
                        || !StructWireReader.TryKind(entryValue, out var valueKind, out _)
                        || !StructWireReader.IsFirstKey(inner, keyStart, key, firstKeys, count++, ref manyKeys))
                    {
                        return false;
                    }
                    if (IsNull(valueKind) && !MayBeNull(valueType))
                    {
                        return false;
                    }
                    writer.WritePropertyName(key);
                    if (!KeepOrWrite(entryValue, valueKind, valueInfo, writer, depth))
                    {
                        return false;
                    }
                }
                writer.WriteEndObject();
                return true;
            default:
                // A value of another shape than the contract's: written as it is, for the deserialiser to refuse.
                return StructWireReader.WriteValue(value, writer, depth);
        }
    }

    // The object's fields the contract names, checked and written; the rest stepped over.
    private static bool KeepObject(ReadOnlySpan<byte> fields, JsonTypeInfo info, Utf8JsonWriter writer, int depth)
    {
        if (WireContracts.GetOrAdd(info, WireContract.Of) is not { } contract)
        {
            return false;
        }
        writer.WriteStartObject();
        var seen = 0UL;
        var position = 0;
        while (position < fields.Length)
        {
            if (!StructWireReader.TryNextEntry(fields, ref position, out _, out var key, out var value))
            {
                return false;
            }
            if (contract.Find(key) is not { } index)
            {
                continue;
            }
            var property = contract.Properties[index];
            var bit = 1UL << (index & 63);
            if ((seen & bit) != 0 || !StructWireReader.TryKind(value, out var kind, out _))
            {
                return false;
            }
            seen |= bit;
            writer.WritePropertyName(contract.Names[index]);
            if (IsNull(kind))
            {
                writer.WriteNullValue();
                continue;
            }
            if (IsEnumNumber(kind, property.PropertyType) || (kind == StructTags.NumberValue && OutOfRange(value, property)))
            {
                return false;
            }
            if (!KeepOrWrite(value, kind, contract.Contracts[index], writer, depth))
            {
                return false;
            }
        }
        writer.WriteEndObject();
        return true;
    }

    // A contract's value is checked one level down; anything else is written whole.
    private static bool KeepOrWrite(ReadOnlySpan<byte> value, byte kind, JsonTypeInfo? contract, Utf8JsonWriter writer, int depth)
    {
        if (contract is null || IsNull(kind))
        {
            return StructWireReader.WriteValue(value, writer, depth);
        }
        return KeepValue(value, contract, writer, depth + 1);
    }

    private static bool IsNull(byte kind) => kind is 0 or StructTags.NullValue;

    private static bool IsEnumNumber(byte kind, Type type) =>
        kind == StructTags.NumberValue && (Nullable.GetUnderlyingType(type) ?? type).IsEnum;

    // As the text read's check, which applies to numbers that read as a whole long.
    private static bool OutOfRange(ReadOnlySpan<byte> value, JsonPropertyInfo property)
    {
        if (value.Length != 9)
        {
            return false;
        }
        var number = BinaryPrimitives.ReadDoubleLittleEndian(value[1..]);
        return double.IsInteger(number) && number >= long.MinValue && number < 9.2233720368547758E18 && OutOfRange((long)number, property);
    }

    /// <summary>A contract's properties by UTF-8 name, or null when leaving out fields it does not name could change the read.</summary>
    private sealed class WireContract
    {
        public required JsonPropertyInfo[] Properties { get; init; }

        public required byte[][] Utf8Names { get; init; }

        public required JsonEncodedText[] Names { get; init; }

        public required JsonTypeInfo?[] Contracts { get; init; }

        public int? Find(ReadOnlySpan<byte> key)
        {
            // Contracts are small (our largest has a dozen properties): a scan beats hashing the key.
            for (var i = 0; i < Utf8Names.Length; i++)
            {
                if (key.SequenceEqual(Utf8Names[i]))
                {
                    return i;
                }
            }
            return null;
        }

        public static WireContract? Of(JsonTypeInfo info)
        {
            if (info.Kind != JsonTypeInfoKind.Object || info.PolymorphismOptions is not null || info.Options.PropertyNameCaseInsensitive
                || (info.UnmappedMemberHandling ?? info.Options.UnmappedMemberHandling) == JsonUnmappedMemberHandling.Disallow
                || info.Properties.Any(p => p.IsExtensionData))
            {
                return null;
            }
            var properties = info.Properties.ToArray();
            return new WireContract
            {
                Properties = properties,
                Utf8Names = [.. properties.Select(p => Encoding.UTF8.GetBytes(p.Name))],
                Names = [.. properties.Select(p => JsonEncodedText.Encode(p.Name))],
                Contracts = [.. properties.Select(p => IsContract(p.PropertyType) ? info.Options.GetTypeInfo(p.PropertyType) : null)],
            };
        }
    }
}
