// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf.WellKnownTypes;

namespace Modelplane.Sdk;

/// <summary>Converts between <c>google.protobuf.Struct</c> and <see cref="JsonNode"/>, exactly.</summary>
/// <remarks>
/// Struct numbers are IEEE doubles, so a Kubernetes integer such as <c>port: 80</c> arrives as
/// 80.0. We print every integral double in the exactly representable range (|x| ≤ 2^53) as an
/// integer (a <see cref="long"/> node), so what a composer reads and what the YAML shows is <c>80</c>,
/// never <c>80.0</c>; every
/// other double prints in its shortest round-trip form, so JSON → Struct → JSON keeps every value a
/// double can hold. Doubles JSON cannot hold (NaN, ±Infinity) become the strings the protobuf JSON
/// mapping uses for them. Object keys are written to Structs in ordinal order, so the same JSON
/// always yields the same bytes whatever order a composer built it in. The walk is recursive; its
/// depth is bounded by the protobuf parser's recursion limit on the way in, and by our own composers
/// on the way out. Because an integral number is a <see cref="long"/> node and any other a
/// <see cref="double"/> node, composers read numbers through <see cref="JsonReads"/> or typed records
/// (both accept either), never with <c>GetValue&lt;double&gt;()</c>, which only converts its own type.
/// </remarks>
public static class StructJson
{
    // 2^53: past it, not every integer is a double, so an integral double may not be the integer
    // someone wrote; we still print it as an integer only while the two agree exactly.
    private const double MaxExactInteger = 9007199254740992d;

    /// <summary>The JSON object a Struct holds.</summary>
    public static JsonObject ToJsonObject(Struct value)
    {
        var obj = new JsonObject();
        foreach (var (key, field) in value.Fields)
        {
            obj[key] = ToJsonNode(field);
        }
        return obj;
    }

    /// <summary>The JSON value a protobuf Value holds; JSON null is returned as C# null.</summary>
    public static JsonNode? ToJsonNode(Value value) => value.KindCase switch
    {
        Value.KindOneofCase.StructValue => ToJsonObject(value.StructValue),
        Value.KindOneofCase.ListValue => ToJsonArray(value.ListValue),
        Value.KindOneofCase.StringValue => JsonValue.Create(value.StringValue),
        Value.KindOneofCase.BoolValue => JsonValue.Create(value.BoolValue),
        Value.KindOneofCase.NumberValue => NumberNode(value.NumberValue),
        // NullValue and an unset kind both mean JSON null (the protobuf JSON mapping does the same).
        _ => null,
    };

    /// <summary>The Struct holding a JSON object.</summary>
    public static Struct ToStruct(JsonObject obj)
    {
        var result = new Struct();
        foreach (var (key, node) in SortedProperties(obj))
        {
            result.Fields.Add(key, ToValue(node));
        }
        return result;
    }

    /// <summary>Writes a Struct as JSON text: the very text <see cref="ToJsonObject"/>'s object would serialise to.</summary>
    /// <remarks>
    /// For typed reads, which would otherwise build a <see cref="JsonObject"/> tree only for
    /// System.Text.Json to write it out as text and read it back: at a thousand required objects
    /// the tree is most of a call's garbage. Keys keep their wire order and numbers take the same
    /// integer-or-double form as the tree's, so a typed read sees the same JSON either way.
    /// </remarks>
    public static void WriteObject(Utf8JsonWriter writer, Struct value)
    {
        writer.WriteStartObject();
        foreach (var (key, field) in value.Fields)
        {
            writer.WritePropertyName(key);
            WriteValue(writer, field);
        }
        writer.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter writer, Value value)
    {
        switch (value.KindCase)
        {
            case Value.KindOneofCase.StructValue:
                WriteObject(writer, value.StructValue);
                break;
            case Value.KindOneofCase.ListValue:
                writer.WriteStartArray();
                foreach (var item in value.ListValue.Values)
                {
                    WriteValue(writer, item);
                }
                writer.WriteEndArray();
                break;
            case Value.KindOneofCase.StringValue:
                writer.WriteStringValue(value.StringValue);
                break;
            case Value.KindOneofCase.BoolValue:
                writer.WriteBooleanValue(value.BoolValue);
                break;
            case Value.KindOneofCase.NumberValue:
                WriteNumber(writer, value.NumberValue);
                break;
            default:
                writer.WriteNullValue();
                break;
        }
    }

    // The same cases as NumberNode, in the same order.
    internal static void WriteNumber(Utf8JsonWriter writer, double number)
    {
        if (double.IsNaN(number))
        {
            writer.WriteStringValue("NaN");
        }
        else if (double.IsInfinity(number))
        {
            writer.WriteStringValue(number > 0 ? "Infinity" : "-Infinity");
        }
        else if (number == Math.Floor(number) && Math.Abs(number) <= MaxExactInteger)
        {
            writer.WriteNumberValue((long)number);
        }
        else
        {
            writer.WriteNumberValue(number);
        }
    }

    /// <summary>The protobuf Value holding a JSON value (C# null is JSON null).</summary>
    public static Value ToValue(JsonNode? node)
    {
        switch (node)
        {
            case null:
                return Value.ForNull();
            case JsonObject obj:
                return Value.ForStruct(ToStruct(obj));
            case JsonArray array:
                var list = new ListValue();
                foreach (var item in array)
                {
                    list.Values.Add(ToValue(item));
                }
                return new Value { ListValue = list };
            default:
                return ScalarValue(node.AsValue());
        }
    }

    /// <summary>Parses JSON text into a Struct; the text must hold an object.</summary>
    public static Struct ParseStruct(string json) =>
        JsonNode.Parse(json) is JsonObject obj
            ? ToStruct(obj)
            : throw new JsonException("expected a JSON object");

    private static JsonArray ToJsonArray(ListValue list)
    {
        var array = new JsonArray();
        foreach (var item in list.Values)
        {
            array.Add(ToJsonNode(item));
        }
        return array;
    }

    private static JsonValue NumberNode(double number)
    {
        if (double.IsNaN(number))
        {
            return JsonValue.Create("NaN");
        }
        if (double.IsInfinity(number))
        {
            return JsonValue.Create(number > 0 ? "Infinity" : "-Infinity");
        }
        if (number == Math.Floor(number) && Math.Abs(number) <= MaxExactInteger)
        {
            // -0.0 is integral too; JSON has no negative zero integer, so it prints as 0.
            return JsonValue.Create((long)number);
        }
        return JsonValue.Create(number);
    }

    private static Value ScalarValue(JsonValue value)
    {
        switch (value.GetValueKind())
        {
            case JsonValueKind.String:
                return Value.ForString(value.GetValue<string>());
            case JsonValueKind.True:
                return Value.ForBool(true);
            case JsonValueKind.False:
                return Value.ForBool(false);
            case JsonValueKind.Number:
                return Value.ForNumber(NumberOf(value));
            default:
                return Value.ForNull();
        }
    }

    internal static double NumberOf(JsonValue value)
    {
        // A node parsed from text holds a JsonElement; one built in code holds the CLR number it was
        // made from. Both read as double without loss of what a double can represent.
        if (value.TryGetValue<double>(out var d))
        {
            return d;
        }
        if (value.TryGetValue<long>(out var l))
        {
            return l;
        }
        if (value.TryGetValue<int>(out var i))
        {
            return i;
        }
        if (value.TryGetValue<decimal>(out var m))
        {
            return (double)m;
        }
        if (value.TryGetValue<ulong>(out var u))
        {
            return u;
        }
        if (value.TryGetValue<float>(out var f))
        {
            return f;
        }
        return double.Parse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    private static List<KeyValuePair<string, JsonNode?>> SortedProperties(JsonObject obj)
    {
        var properties = new List<KeyValuePair<string, JsonNode?>>(obj.Count);
        properties.AddRange(obj);
        properties.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        return properties;
    }
}
