// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Modelplane.Sdk.Tests;

public sealed class StructJsonTests
{
    [Theory]
    [InlineData("""{}""")]
    [InlineData("""{"s":"text"}""")]
    [InlineData("""{"s":""}""")]
    [InlineData("""{"t":true,"f":false,"n":null}""")]
    [InlineData("""{"unicode":"café ☃ 😀","escapes":"quote\" back\\ nl\n tab\t nul\u0000"}""")]
    [InlineData("""{"zero":0,"one":1,"minus":-1,"port":80,"big":9007199254740992,"small":-9007199254740992}""")]
    [InlineData("""{"half":0.5,"tenth":0.1,"third":0.3333333333333333,"neg":-2.75,"pi":3.141592653589793}""")]
    [InlineData("""{"list":[],"obj":{},"nested":[[],[[]],{"a":[{}]}]}""")]
    [InlineData("""{"mixed":[1,"two",true,null,{"k":"v"},[3.5]]}""")]
    [InlineData("""{"a":{"b":{"c":{"d":{"e":{"f":{"g":"deep"}}}}}}}""")]
    [InlineData("""{"":"empty key","a.b":"dotted","with space":1,"ключ":"юникод"}""")]
    public void RoundTrip_JsonObject_SameJsonAfterStructAndBack(string json)
    {
        var original = JsonNode.Parse(json)!.AsObject();

        var back = StructJson.ToJsonObject(StructJson.ToStruct(original));

        Assert.True(JsonNode.DeepEquals(original, back), $"{json} came back as {back.ToJsonString()}");
        Assert.Equal(Sorted(original)!.ToJsonString(), back.ToJsonString());
    }

    [Theory]
    [InlineData("1e-7", "1E-07")]
    [InlineData("1.5e300", "1.5E+300")]
    [InlineData("1.7976931348623157e308", "1.7976931348623157E+308")]
    [InlineData("5e-324", "5E-324")]
    [InlineData("80.0", "80")]
    [InlineData("-0.0", "0")]
    [InlineData("1e2", "100")]
    [InlineData("123456789012", "123456789012")]
    [InlineData("0.30000000000000004", "0.30000000000000004")]
    public void RoundTrip_Number_ShortestFormOfTheSameDouble(string number, string expected)
    {
        var back = StructJson.ToJsonObject(StructJson.ParseStruct($$"""{"n":{{number}}}"""));

        Assert.Equal($$"""{"n":{{expected}}}""", back.ToJsonString());
        Assert.Equal(
            double.Parse(number, System.Globalization.CultureInfo.InvariantCulture),
            double.Parse(back["n"]!.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData(80d, "80")]
    [InlineData(-0d, "0")]
    [InlineData(-7d, "-7")]
    [InlineData(1e15, "1000000000000000")]
    [InlineData(9007199254740992d, "9007199254740992")]
    [InlineData(-9007199254740992d, "-9007199254740992")]
    [InlineData(9007199254740994d, "9007199254740994")]
    [InlineData(1e20, "1E+20")]
    [InlineData(80.5, "80.5")]
    [InlineData(0.1, "0.1")]
    [InlineData(double.MaxValue, "1.7976931348623157E+308")]
    [InlineData(double.Epsilon, "5E-324")]
    public void ToJsonNode_NumberValue_IntegralWithoutFraction(double number, string expected) =>
        Assert.Equal(expected, StructJson.ToJsonNode(Value.ForNumber(number))!.ToJsonString());

    [Theory]
    [InlineData(double.NaN, "\"NaN\"")]
    [InlineData(double.PositiveInfinity, "\"Infinity\"")]
    [InlineData(double.NegativeInfinity, "\"-Infinity\"")]
    public void ToJsonNode_NonFiniteNumber_ProtobufJsonMappingString(double number, string expected) =>
        Assert.Equal(expected, StructJson.ToJsonNode(Value.ForNumber(number))!.ToJsonString());

    [Fact]
    public void ToValue_StringNaN_StaysAString() =>
        Assert.Equal(Value.ForString("NaN"), StructJson.ToValue(JsonValue.Create("NaN")));

    [Fact]
    public void ToJsonNode_NullAndUnsetKind_JsonNull()
    {
        Assert.Null(StructJson.ToJsonNode(Value.ForNull()));
        Assert.Null(StructJson.ToJsonNode(new Value()));
    }

    public static TheoryData<string, JsonNode, double> ClrNumbers => new()
    {
        { "int", JsonValue.Create(42), 42 },
        { "long", JsonValue.Create(9007199254740993L), 9007199254740992 },
        { "short", JsonValue.Create((short)-12), -12 },
        { "byte", JsonValue.Create((byte)255), 255 },
        { "uint", JsonValue.Create(4000000000u), 4000000000 },
        { "ulong", JsonValue.Create(ulong.MaxValue), 18446744073709551615d },
        { "float", JsonValue.Create(1.5f), 1.5 },
        { "double", JsonValue.Create(0.1), 0.1 },
        { "decimal", JsonValue.Create(1.1m), 1.1 },
        { "parsed", JsonNode.Parse("12.25")!, 12.25 },
    };

    [Theory]
    [MemberData(nameof(ClrNumbers))]
    public void ToValue_NumberBuiltInCode_DoubleOfTheSameValue(string name, JsonNode number, double expected)
    {
        var value = StructJson.ToValue(number);

        Assert.True(value.KindCase == Value.KindOneofCase.NumberValue, name);
        Assert.Equal(expected, value.NumberValue);
    }

    [Fact]
    public void ToStruct_SameObjectBuiltInDifferentOrders_SameBytesAndOrdinalKeyOrder()
    {
        var forward = new JsonObject { ["b"] = 1, ["a"] = new JsonObject { ["z"] = 1, ["y"] = 2 }, ["B"] = 3, ["_"] = 4, ["é"] = 5, ["aa"] = 6 };
        var backward = new JsonObject { ["aa"] = 6, ["é"] = 5, ["_"] = 4, ["B"] = 3, ["a"] = new JsonObject { ["y"] = 2, ["z"] = 1 }, ["b"] = 1 };

        var one = StructJson.ToStruct(forward);
        var two = StructJson.ToStruct(backward);

        Assert.Equal(one.ToByteArray(), two.ToByteArray());
        Assert.Equal(["B", "_", "a", "aa", "b", "é"], one.Fields.Keys);
        Assert.Equal(["y", "z"], one.Fields["a"].StructValue.Fields.Keys);
        Assert.Equal(StructJson.ToJsonObject(one).ToJsonString(), StructJson.ToJsonObject(two).ToJsonString());
    }

    [Fact]
    public void ToStruct_ListOrder_Kept()
    {
        var list = StructJson.ToStruct(new JsonObject { ["l"] = new JsonArray(3, 1, 2, "b", "a") }).Fields["l"].ListValue.Values;

        Assert.Equal([Value.ForNumber(3), Value.ForNumber(1), Value.ForNumber(2), Value.ForString("b"), Value.ForString("a")], list);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("1")]
    [InlineData("\"text\"")]
    [InlineData("null")]
    public void ParseStruct_NotAnObject_JsonException(string json) =>
        Assert.Throws<JsonException>(() => StructJson.ParseStruct(json));

    [Fact]
    public void ToJsonObject_DeepStruct_Converted()
    {
        var inner = new Struct { Fields = { ["leaf"] = Value.ForString("x") } };
        for (var i = 0; i < 40; i++)
        {
            inner = new Struct { Fields = { ["n"] = Value.ForStruct(inner) } };
        }

        var json = StructJson.ToJsonObject(inner);

        Assert.Equal("x", (string?)json.At(string.Join('.', Enumerable.Repeat("n", 40)) + ".leaf"));
    }

    private static JsonNode? Sorted(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, Sorted(p.Value)))),
        JsonArray a => new JsonArray(a.Select(Sorted).ToArray()),
        null => null,
        _ => node.DeepClone(),
    };
}
