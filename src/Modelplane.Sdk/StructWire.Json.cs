// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Modelplane.Sdk;

public static partial class StructWire
{
    /// <summary>
    /// Measures the Struct that JSON text holding one object encodes to: the bytes
    /// <c>StructJson.ToStruct((JsonObject)JsonNode.Parse(json))</c> gives, without the node tree.
    /// </summary>
    /// <remarks>
    /// For typed records, which System.Text.Json writes as text far faster than it builds a
    /// <see cref="System.Text.Json.Nodes.JsonObject"/> (whose nodes then materialise one dictionary and
    /// one string at a time as they are read). The text is parsed once into a <see cref="JsonDocument"/>
    /// (pooled); keys and strings without escapes are copied as the raw UTF-8 they already are.
    /// </remarks>
    /// <exception cref="JsonException">The text is not JSON, or nests deeper than <see cref="MaxDepth"/>.</exception>
    /// <exception cref="InvalidOperationException">The text is not an object, or holds a string ToStruct cannot read either.</exception>
    public static MeasuredJson MeasureJson(ReadOnlyMemory<byte> utf8Json)
    {
        var document = JsonDocument.Parse(utf8Json, new JsonDocumentOptions { MaxDepth = MaxDepth });
        var kind = document.RootElement.ValueKind;
        if (kind != JsonValueKind.Object)
        {
            document.Dispose();
            throw new InvalidOperationException($"cannot encode a Struct from JSON text holding {kind}, not an object");
        }
        return MeasuredStruct.Start(new MeasuredJson(document));
    }

    /// <summary>Measured JSON text; disposing it also returns its document.</summary>
    public sealed class MeasuredJson : MeasuredStruct
    {
        private readonly JsonDocument _document;
        // Per object in pre-order, its properties in ordinal key order.
        private Property[] _entries = ArrayPool<Property>.Shared.Rent(64);
        private int _entryCount;

        internal MeasuredJson(JsonDocument document) => _document = document;

        private protected override int MeasureRoot() => MeasureObject(_document.RootElement);

        private protected override bool WriteBody(Span<byte> output)
        {
            var sizes = 0;
            var entries = 0;
            var end = WriteObjectBody(output, 0, _document.RootElement, ref sizes, ref entries);
            return end == output.Length && sizes == _sizeCount && entries == _entryCount;
        }

        private protected override void Release()
        {
            _document.Dispose();
            ArrayPool<Property>.Shared.Return(_entries, clearArray: true);
            _entries = [];
        }

        // One property, and its key decoded when the text holds it escaped or outside printable ASCII;
        // otherwise the key is read as raw UTF-8 from the text, whose byte order is then UTF-16 ordinal order.
        private readonly struct Property(JsonProperty property, string? key)
        {
            public JsonElement Value => property.Value;

            public ReadOnlySpan<byte> RawKey => JsonMarshal.GetRawUtf8PropertyName(property);

            public string? Key { get; } = key;

            public int KeyLength => Key is null ? RawKey.Length : Utf8Encoding.GetByteCount(Key);

            public string KeyText => Key ?? System.Text.Encoding.ASCII.GetString(RawKey);
        }

        // ---- Measuring ----

        private int MeasureObject(JsonElement obj)
        {
            var slot = TakeSizeSlot();
            var start = _entryCount;
            foreach (var property in obj.EnumerateObject())
            {
                if (_entryCount == _entries.Length)
                {
                    Grow(ref _entries, _entryCount + 1, clear: true);
                }
                var raw = JsonMarshal.GetRawUtf8PropertyName(property);
                _entries[_entryCount++] = raw.IndexOfAnyExceptInRange((byte)0x20, (byte)0x7E) < 0 && !raw.Contains((byte)'\\')
                    ? new Property(property, null)
                    : new Property(property, property.Name);
            }
            var count = _entryCount - start;
            SortProperties(_entries.AsSpan(start, count));
            // JSON text may repeat a key; JsonNode.Parse refuses that, and so do we.
            for (var i = 1; i < count; i++)
            {
                if (CompareKeys(_entries[start + i - 1], _entries[start + i]) == 0)
                {
                    throw new InvalidOperationException($"cannot encode a Struct: the JSON object repeats the key \"{_entries[start + i].KeyText}\"");
                }
            }

            var body = 0;
            for (var i = 0; i < count; i++)
            {
                var property = _entries[start + i];
                var keyLength = property.KeyLength;
                AddSize(keyLength);
                var keyPart = keyLength == 0 ? 0 : 1 + VarintLength((uint)keyLength) + keyLength;
                var value = MeasureValue(property.Value);
                var entry = keyPart + 1 + VarintLength((uint)value) + value;
                body += 1 + VarintLength((uint)entry) + entry;
            }
            _sizes[slot] = body;
            return body;
        }

        private int MeasureArray(JsonElement array)
        {
            var slot = TakeSizeSlot();
            var body = 0;
            foreach (var item in array.EnumerateArray())
            {
                var value = MeasureValue(item);
                body += 1 + VarintLength((uint)value) + value;
            }
            _sizes[slot] = body;
            return body;
        }

        private int MeasureValue(JsonElement value)
        {
            switch (value.ValueKind)
            {
                case JsonValueKind.Object:
                    var body = MeasureObject(value);
                    return 1 + VarintLength((uint)body) + body;
                case JsonValueKind.Array:
                    var items = MeasureArray(value);
                    return 1 + VarintLength((uint)items) + items;
                case JsonValueKind.String:
                    var length = StringLength(value);
                    AddSize(length);
                    return 1 + VarintLength((uint)length) + length;
                case JsonValueKind.Number:
                    return 9;
                default:
                    return 2;
            }
        }

        // ---- Writing: the same walk, consuming what measuring recorded ----

        private int WriteObjectBody(Span<byte> output, int at, JsonElement obj, ref int sizes, ref int entries)
        {
            sizes++; // this object's body size
            var start = entries;
            var count = obj.GetPropertyCount();
            entries += count;
            for (var i = 0; i < count; i++)
            {
                var property = _entries[start + i];
                var keyLength = _sizes[sizes++];
                var keyPart = keyLength == 0 ? 0 : 1 + VarintLength((uint)keyLength) + keyLength;
                var kind = property.Value.ValueKind;
                var value = ValueSize(kind, sizes);
                var entry = keyPart + 1 + VarintLength((uint)value) + value;
                output[at++] = StructTags.Fields;
                at = WriteVarint(output, at, (uint)entry);
                if (keyLength != 0)
                {
                    output[at++] = StructTags.EntryKey;
                    at = WriteVarint(output, at, (uint)keyLength);
                    if (property.Key is null)
                    {
                        property.RawKey.CopyTo(output.Slice(at, keyLength));
                        at += keyLength;
                    }
                    else
                    {
                        at += Utf8Encoding.GetBytes(property.Key, output.Slice(at, keyLength));
                    }
                }
                output[at++] = StructTags.EntryValue;
                at = WriteVarint(output, at, (uint)value);
                at = WriteValue(output, at, property.Value, ref sizes, ref entries);
            }
            return at;
        }

        private int WriteListBody(Span<byte> output, int at, JsonElement array, ref int sizes, ref int entries)
        {
            sizes++;
            foreach (var item in array.EnumerateArray())
            {
                output[at++] = StructTags.ListItem;
                at = WriteVarint(output, at, (uint)ValueSize(item.ValueKind, sizes));
                at = WriteValue(output, at, item, ref sizes, ref entries);
            }
            return at;
        }

        private int ValueSize(JsonValueKind kind, int next)
        {
            switch (kind)
            {
                case JsonValueKind.Object or JsonValueKind.Array or JsonValueKind.String:
                    var length = _sizes[next];
                    return 1 + VarintLength((uint)length) + length;
                case JsonValueKind.Number:
                    return 9;
                default:
                    return 2;
            }
        }

        private int WriteValue(Span<byte> output, int at, JsonElement value, ref int sizes, ref int entries)
        {
            switch (value.ValueKind)
            {
                case JsonValueKind.Object:
                    output[at++] = StructTags.StructValue;
                    at = WriteVarint(output, at, (uint)_sizes[sizes]);
                    return WriteObjectBody(output, at, value, ref sizes, ref entries);
                case JsonValueKind.Array:
                    output[at++] = StructTags.ListValue;
                    at = WriteVarint(output, at, (uint)_sizes[sizes]);
                    return WriteListBody(output, at, value, ref sizes, ref entries);
                case JsonValueKind.String:
                    var length = _sizes[sizes++];
                    output[at++] = StructTags.StringValue;
                    at = WriteVarint(output, at, (uint)length);
                    return WriteString(output.Slice(at, length), value, at);
                case JsonValueKind.Number:
                    return WriteNumber(output, at, NumberOf(value));
                case JsonValueKind.True:
                    return WriteVarintByte(output, at, StructTags.BoolValue, 1);
                case JsonValueKind.False:
                    return WriteVarintByte(output, at, StructTags.BoolValue, 0);
                default:
                    return WriteVarintByte(output, at, StructTags.NullValue, 0);
            }
        }

        private static void SortProperties(Span<Property> properties)
        {
            for (var i = 1; i < properties.Length; i++)
            {
                if (CompareKeys(properties[i - 1], properties[i]) > 0)
                {
                    properties.Sort(KeyOrder);
                    return;
                }
            }
        }

        private static readonly Comparison<Property> KeyOrder = CompareKeys;

        // UTF-16 ordinal order, as ToStruct sorts: printable ASCII compares the same byte by byte.
        private static int CompareKeys(Property a, Property b) =>
            a.Key is null && b.Key is null
                ? a.RawKey.SequenceCompareTo(b.RawKey)
                : string.CompareOrdinal(a.KeyText, b.KeyText);
    }

    // ---- Scalars from JSON text: what a parsed JsonValue gives StructJson.ScalarValue ----

    private static int StringLength(JsonElement value) =>
        TryRawUtf8(value, out var raw) ? raw.Length : Utf8Encoding.GetByteCount(value.GetString()!);

    private static int WriteString(Span<byte> destination, JsonElement value, int at)
    {
        if (TryRawUtf8(value, out var raw))
        {
            raw.CopyTo(destination);
            return at + raw.Length;
        }
        return at + Utf8Encoding.GetBytes(value.GetString()!, destination);
    }

    // A string token without a backslash is, between its quotes, the UTF-8 GetString would decode
    // and Protobuf re-encode (JsonDocument has checked it is valid UTF-8).
    private static bool TryRawUtf8(JsonElement value, out ReadOnlySpan<byte> utf8)
    {
        var raw = JsonMarshal.GetRawUtf8Value(value);
        if (raw.Length >= 2 && raw[0] == (byte)'"' && raw[^1] == (byte)'"' && !raw.Contains((byte)'\\'))
        {
            utf8 = raw[1..^1];
            return true;
        }
        utf8 = default;
        return false;
    }

    // A parsed node's NumberOf: TryGetValue<double> is JsonElement.TryGetDouble, which refuses only
    // numbers beyond a double's range; every later TryGetValue refuses those too, so the text's
    // double.Parse (an infinity) decides.
    private static double NumberOf(JsonElement value) =>
        value.TryGetDouble(out var d)
            ? d
            : double.Parse(JsonMarshal.GetRawUtf8Value(value), NumberStyles.Float, CultureInfo.InvariantCulture);
}
