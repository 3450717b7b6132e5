// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Modelplane.Sdk;

/// <summary>The entries of a <c>google.protobuf.Struct</c>'s wire bytes, one at a time: for readers of a record's few fields.</summary>
/// <remarks>
/// For a <see cref="WireRead{T}"/> over bytes the decoder has checked (<see cref="StructWireReader.IsReadable"/>).
/// <see cref="MoveNext"/> stops at the end or at an entry not framed canonically; <see cref="Failed"/>
/// tells the two apart.
/// </remarks>
public ref struct StructEntries
{
    private readonly ReadOnlySpan<byte> _fields;
    private int _position;

    public StructEntries(ReadOnlySpan<byte> fields)
    {
        _fields = fields;
        _position = 0;
    }

    /// <summary>The current entry's key, as UTF-8.</summary>
    public ReadOnlySpan<byte> Key { get; private set; }

    /// <summary>The current entry's Value bytes, for <see cref="StructValues"/>.</summary>
    public ReadOnlySpan<byte> Value { get; private set; }

    /// <summary>True when an entry was not framed canonically: the reader should step aside.</summary>
    public bool Failed { get; private set; }

    public bool MoveNext()
    {
        if (Failed || _position >= _fields.Length)
        {
            return false;
        }
        if (!StructWireReader.TryNextEntry(_fields, ref _position, out _, out var key, out var value))
        {
            Failed = true;
            return false;
        }
        Key = key;
        Value = value;
        return true;
    }
}

/// <summary>Reads one <c>google.protobuf.Value</c>'s wire bytes as a given kind; false for any other kind.</summary>
public static class StructValues
{
    /// <summary>The Value as a string; false for null or any other kind.</summary>
    public static bool TryString(ReadOnlySpan<byte> value, [NotNullWhen(true)] out string? text)
    {
        text = null;
        var at = 1;
        if (value.IsEmpty || value[0] != StructTags.StringValue || !StructWireReader.TryLength(value, ref at, out var length) || at + length != value.Length)
        {
            return false;
        }
        text = Encoding.UTF8.GetString(value.Slice(at, length));
        return true;
    }

    /// <summary>The Value as a number that is a whole <see cref="int"/>; false for a fraction, one out of range, or any other kind.</summary>
    public static bool TryInt32(ReadOnlySpan<byte> value, out int number)
    {
        number = 0;
        if (value.Length != 9 || value[0] != StructTags.NumberValue)
        {
            return false;
        }
        var d = BinaryPrimitives.ReadDoubleLittleEndian(value[1..]);
        if (!double.IsInteger(d) || d < int.MinValue || d > int.MaxValue)
        {
            return false;
        }
        number = (int)d;
        return true;
    }

    /// <summary>The Value as a Struct: its entries' bytes, for a <see cref="StructEntries"/>.</summary>
    public static bool TryStruct(ReadOnlySpan<byte> value, out ReadOnlySpan<byte> fields)
    {
        fields = default;
        if (!StructWireReader.TryKind(value, out var kind, out var inner) || kind != StructTags.StructValue)
        {
            return false;
        }
        fields = inner;
        return true;
    }
}

/// <summary>A record read straight from a required object's Struct wire bytes; false to leave it to the contract's read.</summary>
/// <remarks>
/// For the few records a fleet-scale call reads a thousand of. It must give exactly the record the
/// contract's read gives, or false: on false the object takes <see cref="ElementReads"/> and, failing
/// that, the careful read, so the safe answer to anything unexpected (a null, a key given twice, a
/// kind it does not read) is false.
/// </remarks>
public delegate bool WireRead<T>(ReadOnlySpan<byte> structWire, [NotNullWhen(true)] out T? value);
