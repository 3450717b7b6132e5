// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.Unicode;
using Apiextensions.Fn.Proto.V1;

namespace Modelplane.Sdk;

/// <summary>A request that does not parse as a RunFunctionRequest; the server answers it INVALID_ARGUMENT.</summary>
public sealed class MalformedRequestException(string message) : Exception(message);

/// <summary>A RunFunctionRequest as the runner reads it: the envelope, and every required object as wire bytes or JSON text (<see cref="RequiredObjects"/>).</summary>
/// <param name="Envelope">Every field but the required and extra resources (which it may also hold, when the request took the full parse).</param>
/// <param name="Required">required_resources, by requirement name.</param>
/// <param name="Extra">The deprecated extra_resources, by name (Crossplane before v2.0).</param>
/// <remarks>
/// Disposing it gives the required objects' buffer back to the pool (the server does, once the response
/// is encoded); reading a required object after that throws. A request that is never disposed only
/// leaves its buffer to the GC.
/// </remarks>
public sealed record DecodedRequest(RunFunctionRequest Envelope, RequiredObjects Required, RequiredObjects Extra) : IDisposable
{
    public void Dispose()
    {
        Required.Release();
        Extra.Release();
    }

    /// <summary>A request Google.Protobuf has parsed whole: its required objects are written as JSON from their Structs.</summary>
    public static DecodedRequest From(RunFunctionRequest request) =>
#pragma warning disable CS0612 // extra_resources is deprecated, and read only as a fallback for Crossplane before v2.0.
        new(request, RequiredObjects.FromStructs(request.RequiredResources), RequiredObjects.FromStructs(request.ExtraResources));
#pragma warning restore CS0612
}

/// <summary>Required objects by requirement name, each kept as its Struct's wire bytes or as JSON text, in one shared buffer.</summary>
/// <remarks>
/// On the fast path the objects stay wire bytes, checked to parse but not converted: a composer
/// often reads a few fields of each (a ModelService reads six of a ModelEndpoint's many), and
/// <see cref="ElementReads.TryReadStruct{T}"/> reads just those. JSON text is written only for
/// an object someone asks to see whole, once. A request Google.Protobuf parsed whole keeps text.
/// </remarks>
public sealed class RequiredObjects
{
    public static readonly RequiredObjects Empty = new(new Dictionary<string, (int, int)[]>(StringComparer.Ordinal), ReadOnlyMemory<byte>.Empty, wire: false);

    private readonly Dictionary<string, (int Start, int Length)[]> _items;
    private readonly bool _wire;
    private ReadOnlyMemory<byte> _data;

    // The pool's array behind _data, until Release gives it back.
    private byte[]? _rented;
    private bool _released;

    // The text of wire objects asked for whole, by requirement then index.
    private Dictionary<string, byte[]?[]>? _texts;

    private RequiredObjects(Dictionary<string, (int Start, int Length)[]> items, ReadOnlyMemory<byte> data, bool wire, byte[]? rented = null)
    {
        _items = items;
        _data = data;
        _wire = wire;
        _rented = rented;
    }

    /// <summary>Gives a pooled buffer back; the objects cannot be read after.</summary>
    internal void Release()
    {
        if (_rented is { } rented)
        {
            _rented = null;
            _released = true;
            _data = default;
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>The requirement names present.</summary>
    public IEnumerable<string> Names => _items.Keys;

    public bool Contains(string name) => _items.ContainsKey(name);

    /// <summary>The number of objects for a requirement, or -1 when it is absent.</summary>
    public int Count(string name) => _items.TryGetValue(name, out var items) ? items.Length : -1;

    /// <summary>One object's JSON text.</summary>
    public ReadOnlySpan<byte> Json(string name, int index) => JsonMemory(name, index).Span;

    /// <summary>One object's JSON text, for readers that keep a reference to it (a <see cref="JsonDocument"/>).</summary>
    public ReadOnlyMemory<byte> JsonMemory(string name, int index)
    {
        ObjectDisposedException.ThrowIf(_released, this);
        var (start, length) = _items[name][index];
        if (!_wire)
        {
            return _data.Slice(start, length);
        }
        _texts ??= new Dictionary<string, byte[]?[]>(StringComparer.Ordinal);
        if (!_texts.TryGetValue(name, out var texts))
        {
            _texts[name] = texts = new byte[]?[_items[name].Length];
        }
        return texts[index] ??= StructWireReader.ToJson(_data.Span.Slice(start, length));
    }

    /// <summary>One object read as <typeparamref name="T"/>, or false when it needs the careful read (<see cref="FunctionRequest.Read{T}"/>).</summary>
    /// <remarks>
    /// A wire object is read from its bytes: by the caller's own reader when it has one, else keeping only the
    /// contract's fields. One those refuse (a key given twice) is tried again from its text.
    /// </remarks>
    internal bool TryRead<T>(string name, int index, JsonTypeInfo<T> typeInfo, WireRead<T>? fromWire, int maxDepth, [NotNullWhen(true)] out T? value)
    {
        ObjectDisposedException.ThrowIf(_released, this);
        if (_wire)
        {
            var (start, length) = _items[name][index];
            var wire = _data.Span.Slice(start, length);
            if ((fromWire is not null && fromWire(wire, out value)) || ElementReads.TryReadStruct(wire, typeInfo, out value))
            {
                return true;
            }
        }
        return ElementReads.TryRead(Json(name, index), typeInfo, maxDepth, out value);
    }

    /// <summary>Writes each Struct with <see cref="StructJson.WriteObject"/>: for requests Google.Protobuf parsed whole.</summary>
    internal static RequiredObjects FromStructs(Google.Protobuf.Collections.MapField<string, Resources> map)
    {
        if (map.Count == 0)
        {
            return Empty;
        }
        var buffer = new ArrayBufferWriter<byte>(4096);
        var items = new Dictionary<string, (int Start, int Length)[]>(StringComparer.Ordinal);
        using var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true, MaxDepth = RequestDecoder.RecursionLimit });
        foreach (var (name, resources) in map)
        {
            var spans = new (int Start, int Length)[resources.Items.Count];
            for (var i = 0; i < spans.Length; i++)
            {
                var start = buffer.WrittenCount;
                writer.Reset(buffer);
                if (resources.Items[i].Resource_ is { } s)
                {
                    StructJson.WriteObject(writer, s);
                }
                else
                {
                    writer.WriteStartObject();
                    writer.WriteEndObject();
                }
                writer.Flush();
                spans[i] = (start, buffer.WrittenCount - start);
            }
            items[name] = spans;
        }
        return new RequiredObjects(items, buffer.WrittenMemory, wire: false);
    }

    /// <summary>Collects objects' Struct bytes into one pooled buffer as it reads map entries off the wire.</summary>
    /// <remarks>The buffer goes to the <see cref="RequiredObjects"/> it builds; disposing a builder that built nothing returns it.</remarks>
    internal sealed class Builder : IDisposable
    {
        private const byte EntryKey = (1 << 3) | 2;
        private const byte EntryValue = (2 << 3) | 2;
        private const byte Items = (1 << 3) | 2;
        private const byte ItemResource = (1 << 3) | 2;

        private readonly Dictionary<string, (int Start, int Length)[]> _items = new(StringComparer.Ordinal);
        private readonly List<(int Start, int Length)> _current = [];
        private byte[]? _buffer;
        private int _written;

        /// <param name="capacity">The map entries' size on the wire, which the objects' bytes do not exceed.</param>
        public Builder(int capacity) => _buffer = ArrayPool<byte>.Shared.Rent(capacity);

        /// <summary>Reads one map entry (name, then Resources); false when it is not in a form the fast path reads.</summary>
        public bool TryAddEntry(ReadOnlySpan<byte> entry)
        {
            var at = 0;
            if (entry.Length == 0 || entry[at++] != EntryKey || !StructWireReader.TryLength(entry, ref at, out var keyLength))
            {
                return false;
            }
            var key = entry.Slice(at, keyLength);
            at += keyLength;
            if (at >= entry.Length || entry[at++] != EntryValue || !StructWireReader.TryLength(entry, ref at, out var valueLength)
                || at + valueLength != entry.Length || !Utf8.IsValid(key))
            {
                return false;
            }
            var resources = entry.Slice(at, valueLength);
            _current.Clear();
            var position = 0;
            while (position < resources.Length)
            {
                if (resources[position++] != Items || !StructWireReader.TryLength(resources, ref position, out var itemLength))
                {
                    return false;
                }
                var item = resources.Slice(position, itemLength);
                position += itemLength;
                var structBytes = ReadOnlySpan<byte>.Empty;
                if (item.Length > 0)
                {
                    // A required Resource carries its object alone; connection details or readiness take the full parse.
                    var i = 0;
                    if (item[i++] != ItemResource || !StructWireReader.TryLength(item, ref i, out var structLength) || i + structLength != item.Length)
                    {
                        return false;
                    }
                    structBytes = item.Slice(i, structLength);
                    if (!StructWireReader.IsReadable(structBytes))
                    {
                        return false;
                    }
                }
                // No bytes is the empty Struct: {}.
                _current.Add((_written, structBytes.Length));
                structBytes.CopyTo(_buffer.AsSpan(_written));
                _written += structBytes.Length;
            }
            // A name sent twice keeps its last entry, as a protobuf map does.
            _items[System.Text.Encoding.UTF8.GetString(key)] = [.. _current];
            return true;
        }

        public RequiredObjects Build()
        {
            if (_items.Count == 0)
            {
                return Empty;
            }
            var built = new RequiredObjects(_items, _buffer.AsMemory(0, _written), wire: true, _buffer);
            _buffer = null;
            return built;
        }

        public void Dispose()
        {
            if (_buffer is { } buffer)
            {
                _buffer = null;
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }
}
