// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text;
using Google.Protobuf;

namespace Modelplane.Testing;

/// <summary>Protobuf bytes written by hand, for requests no encoder writes: a key given twice, an unknown field.</summary>
public static class WireBytes
{
    /// <summary>A length-delimited field: tag, length, body.</summary>
    public static byte[] Tagged(int field, byte[] body)
    {
        using var output = new MemoryStream();
        var stream = new CodedOutputStream(output);
        stream.WriteTag(field, WireFormat.WireType.LengthDelimited);
        stream.WriteBytes(ByteString.CopyFrom(body));
        stream.Flush();
        return output.ToArray();
    }

    /// <summary>One Struct entry: its key, then a Value's bytes.</summary>
    public static byte[] Entry(string key, byte[] value) => Tagged(1, Concat(Tagged(1, Encoding.UTF8.GetBytes(key)), Tagged(2, value)));

    /// <summary>A Value holding a Struct with these entries.</summary>
    public static byte[] StructValue(byte[] fields) => Tagged(5, fields);

    public static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(p => p)];
}
