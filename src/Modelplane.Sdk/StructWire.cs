// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Unicode;

namespace Modelplane.Sdk;

/// <summary>
/// Writes the protobuf wire bytes of the <c>google.protobuf.Struct</c> holding a JSON object, straight
/// from the <see cref="JsonObject"/>: the very bytes <c>StructJson.ToStruct(obj).ToByteArray()</c> gives,
/// without building a Struct.
/// </summary>
/// <remarks>
/// <para>
/// A thousand-endpoint response is some 360 KB of Structs; building the Struct/Value tree only for
/// Google.Protobuf to walk it once and drop it cost more than the composer. Here the object is walked
/// twice instead. A nested message is length-prefixed, so its size must be known before its first
/// byte: the measuring pass (<see cref="Measure"/>) records, in pre-order, every object's and array's
/// body size and every key's and string's UTF-8 length in one pooled int array, and each object's
/// properties in ordinal key order in one pooled entry array; the writing pass replays both in the same
/// order, so it neither sorts nor counts again and allocates nothing.
/// </para>
/// <para>
/// The rules are <see cref="StructJson.ToStruct"/>'s, down to which scalar calls decide a value's kind
/// and number, and Google.Protobuf's encoding of what it builds: map entries in insertion (here ordinal)
/// order, each entry's key omitted when it is the empty string (proto3 default) but its value always
/// written (a message), and a Value's oneof written even when it holds a default (number 0, "", false,
/// null_value 0). Strings are encoded as Google.Protobuf encodes them, with <see cref="Encoding.UTF8"/>:
/// a lone surrogate becomes U+FFFD there and here.
/// </para>
/// <para>
/// Depth is bounded: past <see cref="MaxDepth"/> nested objects and arrays the measuring pass throws
/// <see cref="InvalidOperationException"/> before the recursion can exhaust the stack. ToStruct has no
/// such bound (it recurses until the stack ends the process); no composer nests a tenth as deep.
/// </para>
/// </remarks>
public static partial class StructWire
{
    /// <summary>Objects and arrays nested in one another, the outermost object counted; deeper input is refused.</summary>
    /// <remarks>Kubernetes objects nest a few dozen levels at most; a thousand frames of two small methods fit any stack.</remarks>
    public const int MaxDepth = 1000;

    // What Google.Protobuf encodes strings with: a lone surrogate becomes U+FFFD (EF BF BD), no throw.
    private static readonly Encoding Utf8Encoding = Encoding.UTF8;

    /// <summary>The encoded size of the Struct message body (no outer tag or length).</summary>
    public static int SizeOf(JsonObject obj)
    {
        using var measured = Measure(obj);
        return measured.Size;
    }

    /// <summary>Writes the Struct message body (no outer tag or length) to <paramref name="output"/>.</summary>
    public static void Write(JsonObject obj, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        using var measured = Measure(obj);
        measured.WriteTo(output.GetSpan(measured.Size));
        output.Advance(measured.Size);
    }

    /// <summary>The Struct message body's bytes: <c>StructJson.ToStruct(obj).ToByteArray()</c>, byte for byte.</summary>
    public static byte[] ToBytes(JsonObject obj)
    {
        using var measured = Measure(obj);
        var bytes = new byte[measured.Size];
        measured.WriteTo(bytes);
        return bytes;
    }

    /// <summary>
    /// Measures the Struct a JSON object encodes to, for a caller that writes the size (say, as a
    /// field's length prefix) before the bytes: <see cref="MeasuredStruct.Size"/>, then <see cref="MeasuredStruct.WriteTo"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The object nests deeper than <see cref="MaxDepth"/>, or
    /// holds a value <see cref="StructJson.ToValue"/> cannot read either.</exception>
    public static Measured Measure(JsonObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        return MeasuredStruct.Start(new Measured(obj));
    }

    /// <summary>
    /// A Struct measured for writing: <see cref="Size"/>, then <see cref="WriteTo"/>, once; dispose it to
    /// return its pooled arrays. What it was measured from (a node tree, JSON text) is the subclass's.
    /// </summary>
    public abstract class MeasuredStruct : IDisposable
    {
        // Pre-order: an object's or array's body size (slot taken before its children are measured),
        // then per property its key's UTF-8 length and, per string value, that string's.
        private protected int[] _sizes = ArrayPool<int>.Shared.Rent(256);
        private protected int _sizeCount;
        private bool _written;
        private bool _disposed;

        private protected MeasuredStruct()
        {
        }

        /// <summary>The encoded size of the Struct message body, in bytes.</summary>
        public int Size { get; private set; }

        /// <summary>Writes the Struct message body into the first <see cref="Size"/> bytes of <paramref name="destination"/>; once.</summary>
        public void WriteTo(Span<byte> destination)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_written)
            {
                throw new InvalidOperationException("a measured Struct is written once; measure again to write again");
            }
            if (destination.Length < Size)
            {
                throw new ArgumentException($"the destination holds {destination.Length} bytes; the Struct needs {Size}", nameof(destination));
            }
            _written = true;
            if (!WriteBody(destination[..Size]))
            {
                // The JSON changed between the passes (or a bug): never hand back a corrupt message.
                throw new InvalidOperationException("the JSON changed between measuring and writing its Struct");
            }
        }

        public void Dispose()
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            ArrayPool<int>.Shared.Return(_sizes);
            _sizes = [];
            Release();
            GC.SuppressFinalize(this);
        }

        // Measures, or disposes and rethrows: a failed measurement hands nothing pooled back to its caller.
        internal static T Start<T>(T measured)
            where T : MeasuredStruct
        {
            try
            {
                measured.Size = measured.MeasureRoot();
            }
            catch
            {
                measured.Dispose();
                throw;
            }
            return measured;
        }

        /// <summary>The root object's body size, recording what writing will replay.</summary>
        private protected abstract int MeasureRoot();

        /// <summary>Writes exactly <see cref="Size"/> bytes; false when the walk did not replay what measuring recorded.</summary>
        private protected abstract bool WriteBody(Span<byte> output);

        /// <summary>Returns the subclass's own pooled state.</summary>
        private protected abstract void Release();

        private protected int TakeSizeSlot() => TakeSlot(ref _sizes, ref _sizeCount);

        private protected void AddSize(int size) => RecordSize(ref _sizes, ref _sizeCount, size);
    }

    /// <summary>A measured JSON object (a node tree).</summary>
    public sealed class Measured : MeasuredStruct
    {
        private readonly JsonObject _root;
        // Per object in pre-order, its properties in ordinal key order.
        private KeyValuePair<string, JsonNode?>[] _entries = ArrayPool<KeyValuePair<string, JsonNode?>>.Shared.Rent(64);
        private int _entryCount;

        internal Measured(JsonObject root) => _root = root;

        private protected override int MeasureRoot() => MeasureObject(_root, depth: 1);

        private protected override bool WriteBody(Span<byte> output)
        {
            var cursor = new Cursor();
            var end = WriteObjectBody(output, 0, _root, ref cursor);
            return end == output.Length && cursor.Sizes == _sizeCount && cursor.Entries == _entryCount;
        }

        private protected override void Release()
        {
            ArrayPool<KeyValuePair<string, JsonNode?>>.Shared.Return(_entries, clearArray: true);
            _entries = [];
        }

        // ---- Measuring ----

        private int MeasureObject(JsonObject obj, int depth)
        {
            CheckDepth(depth);
            var slot = TakeSizeSlot();
            var count = obj.Count;
            var start = _entryCount;
            if (start + count > _entries.Length)
            {
                Grow(ref _entries, start + count, clear: true);
            }
            for (var i = 0; i < count; i++)
            {
                _entries[start + i] = obj.GetAt(i);
            }
            _entryCount = start + count;
            SortByKey(_entries.AsSpan(start, count));

            var body = 0;
            for (var i = 0; i < count; i++)
            {
                // Read back by index: measuring a child may grow (replace) the array.
                var (key, node) = _entries[start + i];
                var keyLength = Utf8Encoding.GetByteCount(key);
                AddSize(keyLength);
                var keyPart = keyLength == 0 ? 0 : 1 + VarintLength((uint)keyLength) + keyLength;
                var value = MeasureValue(node, depth);
                var entry = keyPart + 1 + VarintLength((uint)value) + value;
                body += 1 + VarintLength((uint)entry) + entry;
            }
            _sizes[slot] = body;
            return body;
        }

        private int MeasureArray(JsonArray array, int depth)
        {
            CheckDepth(depth);
            var slot = TakeSizeSlot();
            var body = 0;
            for (var i = 0; i < array.Count; i++)
            {
                var value = MeasureValue(array[i], depth);
                body += 1 + VarintLength((uint)value) + value;
            }
            _sizes[slot] = body;
            return body;
        }

        // The size of the Value message holding a node.
        private int MeasureValue(JsonNode? node, int depth)
        {
            switch (KindOf(node))
            {
                case Kind.Struct:
                    var body = MeasureObject((JsonObject)node!, depth + 1);
                    return 1 + VarintLength((uint)body) + body;
                case Kind.List:
                    var items = MeasureArray((JsonArray)node!, depth + 1);
                    return 1 + VarintLength((uint)items) + items;
                case Kind.String:
                    var length = StringLength(node!.AsValue());
                    AddSize(length);
                    return 1 + VarintLength((uint)length) + length;
                case Kind.Number:
                    return 9;
                default:
                    // true, false and null_value: a tag and one byte.
                    return 2;
            }
        }

        private static void CheckDepth(int depth)
        {
            if (depth > MaxDepth)
            {
                throw new InvalidOperationException(
                    $"cannot encode a Struct: the JSON nests objects and arrays deeper than {MaxDepth} levels");
            }
        }

        // ---- Writing: the same walk, consuming what measuring recorded ----

        private struct Cursor
        {
            public int Sizes;
            public int Entries;
        }

        private int WriteObjectBody(Span<byte> output, int at, JsonObject obj, ref Cursor cursor)
        {
            cursor.Sizes++; // this object's body size, already written by our caller when nested
            var count = obj.Count;
            var start = cursor.Entries;
            cursor.Entries += count;
            for (var i = 0; i < count; i++)
            {
                var (key, node) = _entries[start + i];
                var keyLength = _sizes[cursor.Sizes++];
                var keyPart = keyLength == 0 ? 0 : 1 + VarintLength((uint)keyLength) + keyLength;
                var kind = KindOf(node);
                var value = ValueSize(kind, cursor.Sizes);
                var entry = keyPart + 1 + VarintLength((uint)value) + value;
                output[at++] = StructTags.Fields;
                at = WriteVarint(output, at, (uint)entry);
                if (keyLength != 0)
                {
                    output[at++] = StructTags.EntryKey;
                    at = WriteVarint(output, at, (uint)keyLength);
                    at += Utf8Encoding.GetBytes(key, output.Slice(at, keyLength));
                }
                output[at++] = StructTags.EntryValue;
                at = WriteVarint(output, at, (uint)value);
                at = WriteValue(output, at, kind, node, ref cursor);
            }
            return at;
        }

        private int WriteListBody(Span<byte> output, int at, JsonArray array, ref Cursor cursor)
        {
            cursor.Sizes++;
            for (var i = 0; i < array.Count; i++)
            {
                var node = array[i];
                var kind = KindOf(node);
                output[at++] = StructTags.ListItem;
                at = WriteVarint(output, at, (uint)ValueSize(kind, cursor.Sizes));
                at = WriteValue(output, at, kind, node, ref cursor);
            }
            return at;
        }

        // The size of the Value holding a node of this kind, from what measuring recorded at `next`
        // (the node's own body or string length, when it has one).
        private int ValueSize(Kind kind, int next)
        {
            switch (kind)
            {
                case Kind.Struct or Kind.List or Kind.String:
                    var length = _sizes[next];
                    return 1 + VarintLength((uint)length) + length;
                case Kind.Number:
                    return 9;
                default:
                    return 2;
            }
        }

        // Writes the Value message's body for a node.
        private int WriteValue(Span<byte> output, int at, Kind kind, JsonNode? node, ref Cursor cursor)
        {
            switch (kind)
            {
                case Kind.Struct:
                    output[at++] = StructTags.StructValue;
                    at = WriteVarint(output, at, (uint)_sizes[cursor.Sizes]);
                    return WriteObjectBody(output, at, (JsonObject)node!, ref cursor);
                case Kind.List:
                    output[at++] = StructTags.ListValue;
                    at = WriteVarint(output, at, (uint)_sizes[cursor.Sizes]);
                    return WriteListBody(output, at, (JsonArray)node!, ref cursor);
                case Kind.String:
                    var length = _sizes[cursor.Sizes++];
                    output[at++] = StructTags.StringValue;
                    at = WriteVarint(output, at, (uint)length);
                    return WriteString(output.Slice(at, length), node!.AsValue(), at);
                case Kind.Number:
                    return WriteNumber(output, at, NumberOf(node!.AsValue()));
                case Kind.True:
                    return WriteVarintByte(output, at, StructTags.BoolValue, 1);
                case Kind.False:
                    return WriteVarintByte(output, at, StructTags.BoolValue, 0);
                default:
                    return WriteVarintByte(output, at, StructTags.NullValue, 0);
            }
        }
    }

    // ---- Shared by both measuring walks ----

    // The next slot of a pre-order size log, growing the pooled array when it is full.
    private static int TakeSlot(ref int[] sizes, ref int count)
    {
        if (count == sizes.Length)
        {
            Grow(ref sizes, count + 1, clear: false);
        }
        return count++;
    }

    private static void RecordSize(ref int[] sizes, ref int count, int size)
    {
        // Not `sizes[TakeSlot(...)] = size`: C# reads the array before the index, and taking the
        // slot may replace the array.
        var slot = TakeSlot(ref sizes, ref count);
        sizes[slot] = size;
    }

    private static void Grow<T>(ref T[] array, int needed, bool clear)
    {
        var bigger = ArrayPool<T>.Shared.Rent(Math.Max(needed, array.Length * 2));
        Array.Copy(array, bigger, array.Length);
        ArrayPool<T>.Shared.Return(array, clear);
        array = bigger;
    }

    // A Value's scalar cases: tag, then a fixed64 double or a one-byte varint.
    private static int WriteNumber(Span<byte> output, int at, double number)
    {
        output[at++] = StructTags.NumberValue;
        BinaryPrimitives.WriteInt64LittleEndian(output.Slice(at, 8), BitConverter.DoubleToInt64Bits(number));
        return at + 8;
    }

    private static int WriteVarintByte(Span<byte> output, int at, byte tag, byte value)
    {
        output[at++] = tag;
        output[at++] = value;
        return at;
    }

    // Which Value oneof case ToValue picks for a node: StructJson.ToValue's type switch, then
    // ScalarValue's GetValueKind switch (any kind it does not name is null_value).
    private enum Kind
    {
        Null,
        Struct,
        List,
        String,
        Number,
        True,
        False,
    }

    private static Kind KindOf(JsonNode? node) => node switch
    {
        null => Kind.Null,
        JsonObject => Kind.Struct,
        JsonArray => Kind.List,
        _ => node.AsValue().GetValueKind() switch
        {
            JsonValueKind.String => Kind.String,
            JsonValueKind.Number => Kind.Number,
            JsonValueKind.True => Kind.True,
            JsonValueKind.False => Kind.False,
            _ => Kind.Null,
        },
    };

    // ---- Scalars: StructJson.ScalarValue's calls, in its order ----

    // The UTF-8 length of a string value. A node parsed from text holds a JsonElement whose raw bytes
    // are already the UTF-8 we want when the string has no escapes; anything else is read as
    // ToStruct reads it (GetValue<string>).
    private static int StringLength(JsonValue value) =>
        TryRawUtf8(value, out var raw) ? raw.Length : Utf8Encoding.GetByteCount(value.GetValue<string>());

    private static int WriteString(Span<byte> destination, JsonValue value, int at)
    {
        if (TryRawUtf8(value, out var raw))
        {
            raw.CopyTo(destination);
            return at + raw.Length;
        }
        return at + Utf8Encoding.GetBytes(value.GetValue<string>(), destination);
    }

    private static bool TryRawUtf8(JsonValue value, out ReadOnlySpan<byte> utf8)
    {
        if (value.TryGetValue<JsonElement>(out var element) && element.ValueKind == JsonValueKind.String)
        {
            // The raw value of a string token, quotes included; without a backslash and once known
            // to be valid UTF-8 it is exactly what GetString would decode and Protobuf re-encode.
            var raw = JsonMarshal.GetRawUtf8Value(element);
            if (raw.Length >= 2 && raw[0] == (byte)'"' && raw[^1] == (byte)'"')
            {
                var inner = raw[1..^1];
                if (!inner.Contains((byte)'\\') && Utf8.IsValid(inner))
                {
                    utf8 = inner;
                    return true;
                }
            }
        }
        utf8 = default;
        return false;
    }

    // StructJson's own rule (which TryGetValue answers first decides the double), so the two never drift.
    private static double NumberOf(JsonValue value) => StructJson.NumberOf(value);

    internal static int VarintLength(uint value) =>
        // 7 bits a byte; (31 - lzcnt) / 7 + 1 without a branch, 0 counted as one byte.
        ((31 - System.Numerics.BitOperations.LeadingZeroCount(value | 1)) / 7) + 1;

    internal static int WriteVarint(Span<byte> output, int at, uint value)
    {
        while (value >= 0x80)
        {
            output[at++] = (byte)(value | 0x80);
            value >>= 7;
        }
        output[at++] = (byte)value;
        return at;
    }

    // ToStruct's List.Sort(CompareOrdinal): keys are unique, so any correct sort gives its order.
    // Span.Sort with a cached Comparison allocates nothing (Array.Sort with an IComparer wraps it in
    // a new delegate per call), and most objects a composer builds are small or already in order.
    private static void SortByKey(Span<KeyValuePair<string, JsonNode?>> entries)
    {
        for (var i = 1; i < entries.Length; i++)
        {
            if (string.CompareOrdinal(entries[i - 1].Key, entries[i].Key) > 0)
            {
                entries.Sort(OrdinalKeyOrder);
                return;
            }
        }
    }

    private static readonly Comparison<KeyValuePair<string, JsonNode?>> OrdinalKeyOrder =
        static (a, b) => string.CompareOrdinal(a.Key, b.Key);
}
