// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Buffers;
using System.Text.Json;
using System.Text.Unicode;
using Apiextensions.Fn.Proto.V1;

namespace Modelplane.Sdk;

/// <summary>A request that does not parse as a RunFunctionRequest; the server answers it INVALID_ARGUMENT.</summary>
public sealed class MalformedRequestException(string message) : Exception(message);

/// <summary>A RunFunctionRequest as the runner reads it: the envelope, and every required object as JSON text.</summary>
/// <param name="Envelope">Every field but the required and extra resources (which it may also hold, when the request took the full parse).</param>
/// <param name="Required">required_resources, by requirement name.</param>
/// <param name="Extra">The deprecated extra_resources, by name (Crossplane before v2.0).</param>
public sealed record DecodedRequest(RunFunctionRequest Envelope, RequiredObjects Required, RequiredObjects Extra)
{
    /// <summary>A request Google.Protobuf has parsed whole: its required objects are written as JSON from their Structs.</summary>
    public static DecodedRequest From(RunFunctionRequest request) =>
#pragma warning disable CS0612 // extra_resources is deprecated, and read only as a fallback for Crossplane before v2.0.
        new(request, RequiredObjects.FromStructs(request.RequiredResources), RequiredObjects.FromStructs(request.ExtraResources));
#pragma warning restore CS0612
}

/// <summary>Required objects by requirement name, each as UTF-8 JSON text in one shared buffer.</summary>
public sealed class RequiredObjects
{
    public static readonly RequiredObjects Empty = new(new Dictionary<string, (int, int)[]>(StringComparer.Ordinal), ReadOnlyMemory<byte>.Empty);

    private static readonly byte[] EmptyObject = "{}"u8.ToArray();

    private readonly Dictionary<string, (int Start, int Length)[]> _items;
    private readonly ReadOnlyMemory<byte> _json;

    private RequiredObjects(Dictionary<string, (int Start, int Length)[]> items, ReadOnlyMemory<byte> json)
    {
        _items = items;
        _json = json;
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
        var (start, length) = _items[name][index];
        return _json.Slice(start, length);
    }

    /// <summary>Writes each Struct with <see cref="StructJson.WriteObject"/>: for requests Google.Protobuf parsed whole.</summary>
    internal static RequiredObjects FromStructs(Google.Protobuf.Collections.MapField<string, Resources> map)
    {
        if (map.Count == 0)
        {
            return Empty;
        }
        using var builder = new Builder(4096);
        foreach (var (name, resources) in map)
        {
            builder.Add(name, resources);
        }
        return builder.Build();
    }

    /// <summary>Collects objects into one buffer as it reads map entries off the wire.</summary>
    internal sealed class Builder : IDisposable
    {
        private const byte EntryKey = (1 << 3) | 2;
        private const byte EntryValue = (2 << 3) | 2;
        private const byte Items = (1 << 3) | 2;
        private const byte ItemResource = (1 << 3) | 2;

        private readonly ArrayBufferWriter<byte> _buffer;
        private readonly Utf8JsonWriter _writer;
        private readonly Dictionary<string, (int Start, int Length)[]> _items = new(StringComparer.Ordinal);
        private readonly List<(int Start, int Length)> _current = [];

        /// <param name="capacity">About the text's size: JSON takes about as many bytes as the wire.</param>
        public Builder(int capacity)
        {
            _buffer = new ArrayBufferWriter<byte>(Math.Max(capacity, 256));
            // Depth is bounded by the reader; the writer's own structure checks are the reader's too.
            _writer = new Utf8JsonWriter(_buffer, new JsonWriterOptions { SkipValidation = true, MaxDepth = RequestDecoder.RecursionLimit });
        }

        /// <summary>Reads one map entry (name, then Resources); false when it is not in canonical form.</summary>
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
                var start = _buffer.WrittenCount;
                if (item.Length == 0)
                {
                    _buffer.Write(EmptyObject);
                }
                else
                {
                    // A required Resource carries its object alone; connection details or readiness take the full parse.
                    var i = 0;
                    if (item[i++] != ItemResource || !StructWireReader.TryLength(item, ref i, out var structLength) || i + structLength != item.Length)
                    {
                        return false;
                    }
                    _writer.Reset(_buffer);
                    if (!StructWireReader.TryWrite(item.Slice(i, structLength), _writer))
                    {
                        return false;
                    }
                    _writer.Flush();
                }
                _current.Add((start, _buffer.WrittenCount - start));
            }
            // A name sent twice keeps its last entry, as a protobuf map does.
            _items[System.Text.Encoding.UTF8.GetString(key)] = [.. _current];
            return true;
        }

        public void Add(string name, Resources resources)
        {
            _current.Clear();
            foreach (var item in resources.Items)
            {
                var start = _buffer.WrittenCount;
                _writer.Reset(_buffer);
                if (item.Resource_ is { } s)
                {
                    StructJson.WriteObject(_writer, s);
                }
                else
                {
                    _writer.WriteStartObject();
                    _writer.WriteEndObject();
                }
                _writer.Flush();
                _current.Add((start, _buffer.WrittenCount - start));
            }
            _items[name] = [.. _current];
        }

        public void Dispose() => _writer.Dispose();

        public RequiredObjects Build() => _items.Count == 0 ? Empty : new RequiredObjects(_items, _buffer.WrittenMemory);
    }
}
