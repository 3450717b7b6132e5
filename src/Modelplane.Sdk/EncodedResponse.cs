// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Buffers;
using System.Text;
using Apiextensions.Fn.Proto.V1;
using Google.Protobuf;

namespace Modelplane.Sdk;

/// <summary>
/// A <see cref="RunFunctionResponse"/> as the bytes that go on the wire: the very bytes
/// <see cref="FunctionRunner.Respond"/>'s message serialises to, written without building the
/// composed resources' Struct trees.
/// </summary>
/// <remarks>
/// <para>
/// At fleet scale nearly all of a response is the composed desired resources (a thousand
/// EndpointSlices and their kin). Turning each into a Struct tree for Google.Protobuf to size at every
/// level and then write was most of a call's CPU and garbage; here <see cref="StructWire"/> writes each
/// one's Struct bytes straight from its JSON, one resource at a time, into one pooled buffer. The rest
/// of the message (meta, the desired composite and whatever earlier steps desired, results,
/// conditions, context, requirements) is small and stays Google.Protobuf's to write, so the two can
/// only disagree on the part written here, which the tests compare byte for byte.
/// </para>
/// <para>
/// The message is kept as three pieces, written one after another: the head (field 1, meta, then field
/// 2's tag and length), the State body, and the tail (fields 3 to 7). Google.Protobuf writes fields in
/// number order and a message's unknown fields last, and so does this.
/// </para>
/// <para>
/// Dispose it once written, to return the pooled buffer; one that is never disposed is only garbage.
/// </para>
/// </remarks>
public sealed class EncodedResponse : IDisposable
{
    // RunFunctionResponse.desired = 2; State.composite = 1 and State.resources = 2 (a map: each entry a
    // message with key = 1, value = 2); Resource.resource = 1 (Struct), Resource.ready = 3 (enum, varint).
    private const byte DesiredTag = 0x12;
    private const byte CompositeTag = 0x0A;
    private const byte ResourceEntryTag = 0x12;
    private const byte EntryKeyTag = 0x0A;
    private const byte EntryValueTag = 0x12;
    private const byte ResourceStructTag = 0x0A;
    private const byte ResourceReadyTag = 0x18;

    // Structs nest two messages (Value, then Struct or ListValue) per JSON level; room for the deepest
    // object StructWire writes, plus the envelope.
    private const int ParseRecursionLimit = (2 * StructWire.MaxDepth) + 16;

    private readonly byte[] _head;
    private readonly byte[] _tail;
    private PooledBuffer? _state;
    private bool _disposed;

    private EncodedResponse(byte[] head, PooledBuffer? state, byte[] tail)
    {
        _head = head;
        _state = state;
        _tail = tail;
        Size = head.Length + (state?.Written.Length ?? 0) + tail.Length;
    }

    /// <summary>The message's size in bytes, without gRPC's framing.</summary>
    public int Size { get; }

    /// <summary>Wraps bytes that are already a whole response (a client's view of what it received).</summary>
    public static EncodedResponse FromBytes(byte[] bytes) => new(bytes, null, []);

    /// <summary>Encodes <paramref name="shell"/> with <paramref name="composed"/> set in its desired resources.</summary>
    /// <param name="shell">Everything but the composed resources, as <see cref="FunctionRunner.Respond"/> builds
    /// it before it sets them: its desired resources are what passes through (a key also composed keeps its
    /// place and takes the composed value). It is taken apart here; do not use it again.</param>
    /// <param name="composed">The composed resources; the keys not already desired follow in ordinal order.</param>
    /// <exception cref="InvalidOperationException">A composed resource <see cref="StructWire"/> cannot encode.</exception>
    internal static EncodedResponse Encode(RunFunctionResponse shell, IDictionary<string, DesiredResource> composed)
    {
        var desired = shell.Desired ?? new State();
        var state = new PooledBuffer(16 * 1024);
        try
        {
            if (desired.Composite is { } composite)
            {
                WriteLengthPrefixed(state, CompositeTag, composite.CalculateSize());
                composite.WriteTo(state);
            }
            foreach (var (key, value) in desired.Resources)
            {
                if (composed.TryGetValue(key, out var replacement))
                {
                    WriteComposedEntry(state, key, replacement);
                }
                else
                {
                    // A one-entry State is, on the wire, exactly that map entry with its tag.
                    new State { Resources = { { key, value } } }.WriteTo(state);
                }
            }
            foreach (var key in composed.Keys.Where(k => !desired.Resources.ContainsKey(k)).Order(StringComparer.Ordinal))
            {
                WriteComposedEntry(state, key, composed[key]);
            }
            // What is left of the State is whatever fields it carried that this build does not know;
            // Google.Protobuf writes those after the known ones, and so do we.
            desired.Composite = null;
            desired.Resources.Clear();
            if (desired.CalculateSize() > 0)
            {
                desired.WriteTo(state);
            }

            var stateLength = state.Written.Length;
            var meta = new RunFunctionResponse { Meta = shell.Meta }.ToByteArray();
            var head = new byte[meta.Length + 1 + StructWire.VarintLength((uint)stateLength)];
            meta.CopyTo(head, 0);
            head[meta.Length] = DesiredTag;
            StructWire.WriteVarint(head, meta.Length + 1, (uint)stateLength);

            shell.Meta = null;
            shell.Desired = null;
            return new EncodedResponse(head, state, shell.ToByteArray());
        }
        catch
        {
            state.Dispose();
            throw;
        }
    }

    /// <summary>Writes the message to <paramref name="output"/> (say, the transport's pooled buffer).</summary>
    public void WriteTo(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        ObjectDisposedException.ThrowIf(_disposed, this);
        output.Write(_head);
        if (_state is { } state)
        {
            output.Write(state.Written);
        }
        output.Write(_tail);
    }

    public byte[] ToByteArray()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var bytes = new byte[Size];
        _head.CopyTo(bytes, 0);
        var at = _head.Length;
        if (_state is { } state)
        {
            state.Written.CopyTo(bytes.AsSpan(at));
            at += state.Written.Length;
        }
        _tail.CopyTo(bytes, at);
        return bytes;
    }

    /// <summary>The message these bytes encode, as Crossplane will read it.</summary>
    public RunFunctionResponse ToMessage()
    {
        var response = new RunFunctionResponse();
        var input = CodedInputStream.CreateWithLimits(new MemoryStream(ToByteArray(), writable: false), int.MaxValue, ParseRecursionLimit);
        response.MergeFrom(input);
        return response;
    }

    public void Dispose()
    {
        _disposed = true;
        _state?.Dispose();
        _state = null;
    }

    // Field tag, then the length of what follows.
    private static void WriteLengthPrefixed(PooledBuffer output, byte tag, int length)
    {
        var span = output.GetSpan(6);
        span[0] = tag;
        output.Advance(StructWire.WriteVarint(span, 1, (uint)length));
    }

    // A map entry: {key = 1 (omitted when empty, as for any proto3 default), value = 2: Resource
    // {resource = 1: the Struct, ready = 3 unless unspecified}}.
    private static void WriteComposedEntry(PooledBuffer output, string key, DesiredResource desired)
    {
        // A typed record's text while nobody has taken its object; else the object.
        using var measured = desired.TryGetJson(out var json) ? StructWire.MeasureJson(json) : (StructWire.MeasuredStruct)StructWire.Measure(desired.Resource);
        var structSize = measured.Size;
        var ready = (uint)FunctionRunner.ToProto(desired.Ready);
        var resourceSize = 1 + StructWire.VarintLength((uint)structSize) + structSize
            + (ready == 0 ? 0 : 1 + StructWire.VarintLength(ready));
        var keyBytes = Encoding.UTF8.GetByteCount(key);
        var keySize = keyBytes == 0 ? 0 : 1 + StructWire.VarintLength((uint)keyBytes) + keyBytes;
        var entrySize = keySize + 1 + StructWire.VarintLength((uint)resourceSize) + resourceSize;
        var total = 1 + StructWire.VarintLength((uint)entrySize) + entrySize;

        var span = output.GetSpan(total)[..total];
        span[0] = ResourceEntryTag;
        var at = StructWire.WriteVarint(span, 1, (uint)entrySize);
        if (keyBytes > 0)
        {
            span[at++] = EntryKeyTag;
            at = StructWire.WriteVarint(span, at, (uint)keyBytes);
            at += Encoding.UTF8.GetBytes(key, span[at..]);
        }
        span[at++] = EntryValueTag;
        at = StructWire.WriteVarint(span, at, (uint)resourceSize);
        span[at++] = ResourceStructTag;
        at = StructWire.WriteVarint(span, at, (uint)structSize);
        measured.WriteTo(span[at..]);
        at += structSize;
        if (ready != 0)
        {
            span[at++] = ResourceReadyTag;
            at = StructWire.WriteVarint(span, at, ready);
        }
        if (at != total)
        {
            throw new InvalidOperationException($"desired resource \"{key}\" wrote {at} bytes where it measured {total}");
        }
        output.Advance(total);
    }

    // A growing buffer rented from the shared pool: a fleet-scale response is a megabyte or two, written
    // once and dropped, which is what the pool is for.
    private sealed class PooledBuffer(int initialCapacity) : IBufferWriter<byte>, IDisposable
    {
        private byte[] _array = ArrayPool<byte>.Shared.Rent(initialCapacity);
        private int _written;

        public ReadOnlySpan<byte> Written => _array.AsSpan(0, _written);

        public void Advance(int count) => _written += count;

        public Memory<byte> GetMemory(int sizeHint = 0)
        {
            Reserve(sizeHint);
            return _array.AsMemory(_written);
        }

        public Span<byte> GetSpan(int sizeHint = 0)
        {
            Reserve(sizeHint);
            return _array.AsSpan(_written);
        }

        public void Dispose()
        {
            if (_array.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(_array);
                _array = [];
            }
        }

        private void Reserve(int sizeHint)
        {
            var needed = Math.Max(sizeHint, 1);
            if (_array.Length - _written >= needed)
            {
                return;
            }
            ObjectDisposedException.ThrowIf(_array.Length == 0, this);
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_array.Length * 2, _written + needed));
            _array.AsSpan(0, _written).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_array);
            _array = larger;
        }
    }
}
