// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

namespace Modelplane.Sdk;

/// <summary>The wire tags of <c>google.protobuf.Struct</c>, <c>Value</c> and <c>ListValue</c>, for every walk that reads or writes them.</summary>
/// <remarks>
/// A tag is (field number &lt;&lt; 3) | wire type. Struct.fields = 1, its map entry's key = 1 and value = 2,
/// and ListValue.values = 1 are length-delimited (2). Value's oneof: null_value = 1 and bool_value = 4
/// are varints (0), number_value = 2 is fixed64 (1), string_value = 3, struct_value = 5 and list_value
/// = 6 are length-delimited.
/// </remarks>
internal static class StructTags
{
    public const byte Fields = (1 << 3) | 2;
    public const byte EntryKey = (1 << 3) | 2;
    public const byte EntryValue = (2 << 3) | 2;
    public const byte ListItem = (1 << 3) | 2;
    public const byte NullValue = (1 << 3) | 0;
    public const byte NumberValue = (2 << 3) | 1;
    public const byte StringValue = (3 << 3) | 2;
    public const byte BoolValue = (4 << 3) | 0;
    public const byte StructValue = (5 << 3) | 2;
    public const byte ListValue = (6 << 3) | 2;
}
