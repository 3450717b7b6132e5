// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;

namespace Modelplane.Cel.Tests;

/// <summary>CelValue: JSON conversion, accessors, equality and rendering.</summary>
public sealed class ValueTests
{
    [Theory]
    [InlineData("3", CelKind.Int, "3")]
    [InlineData("-3", CelKind.Int, "-3")]
    [InlineData("3.0", CelKind.Int, "3")]
    [InlineData("3e2", CelKind.Int, "300")]
    [InlineData("3.5", CelKind.Double, "3.5")]
    [InlineData("1e20", CelKind.Double, "1e+20")]
    [InlineData("9223372036854775807", CelKind.Int, "9223372036854775807")]
    [InlineData("9223372036854775808", CelKind.Double, "9.223372036854776e+18")]
    [InlineData("\"x\"", CelKind.String, "\"x\"")]
    [InlineData("true", CelKind.Bool, "true")]
    [InlineData("null", CelKind.Null, "null")]
    [InlineData("[1, \"a\", null]", CelKind.List, "[1, \"a\", null]")]
    [InlineData("{\"b\": 1, \"a\": {\"c\": []}}", CelKind.Map, "{\"b\": 1, \"a\": {\"c\": []}}")]
    public void FromJson_Value_ConvertsKind(string json, CelKind kind, string rendered)
    {
        var value = CelValue.FromJson(JsonNode.Parse(json));
        Assert.Equal(kind, value.Kind);
        Assert.Equal(rendered, value.ToString());
    }

    [Fact]
    public void FromJson_ProgrammaticNodes_ConvertByValue()
    {
        var node = new JsonObject { ["n"] = 2.0, ["d"] = 2.5, ["s"] = "x", ["l"] = new JsonArray(1, 2) };
        Assert.Equal("{\"n\": 2, \"d\": 2.5, \"s\": \"x\", \"l\": [1, 2]}", CelValue.FromJson(node).ToString());
    }

    [Fact]
    public void FromJson_TooDeep_Throws()
    {
        JsonNode node = new JsonArray();
        for (var i = 0; i < 600; i++)
        {
            node = new JsonArray(node);
        }
        Assert.Throws<ArgumentException>(() => CelValue.FromJson(node));
    }

    [Fact]
    public void Accessors_WrongKind_Throw()
    {
        var value = CelValue.FromInt(1);
        Assert.Equal(1, value.AsInt());
        Assert.Throws<InvalidOperationException>(() => value.AsString());
        Assert.Throws<InvalidOperationException>(() => CelValue.FromString("a").AsBool());
    }

    [Fact]
    public void Equals_NumbersAcrossKinds_AreEqualWithMatchingHashes()
    {
        var values = new[] { CelValue.FromInt(7), CelValue.FromUint(7), CelValue.FromDouble(7.0) };
        foreach (var a in values)
        {
            foreach (var b in values)
            {
                Assert.Equal(a, b);
                Assert.Equal(a.GetHashCode(), b.GetHashCode());
            }
        }
        Assert.NotEqual(CelValue.FromInt(7), CelValue.FromString("7"));
        // NaN equals itself as a .NET value (so it can be a key), though not under CEL's ==.
        Assert.Equal(CelValue.FromDouble(double.NaN), CelValue.FromDouble(double.NaN));
    }

    [Fact]
    public void FromMap_InvalidKeys_Throw()
    {
        Assert.Throws<ArgumentException>(() => CelValue.FromMap([KeyValuePair.Create(CelValue.FromDouble(1.5), CelValue.Null)]));
        Assert.Throws<ArgumentException>(() => CelValue.FromMap([KeyValuePair.Create(CelValue.FromInt(1), CelValue.Null), KeyValuePair.Create(CelValue.FromUint(1), CelValue.Null)]));
    }

    [Fact]
    public void AsMap_Lookup_NormalizesNumbersAndKeepsOrder()
    {
        var map = CelValue.FromMap([KeyValuePair.Create(CelValue.FromInt(2), CelValue.FromString("two")), KeyValuePair.Create(CelValue.FromInt(1), CelValue.FromString("one"))]).AsMap();
        Assert.Equal("two", map[CelValue.FromDouble(2.0)].AsString());
        Assert.Equal(["2", "1"], map.Keys.Select(k => k.ToString()));
        Assert.False(map.ContainsKey(CelValue.FromString("2")));
    }

    [Fact]
    public void ToString_Values_RenderAsLiterals()
    {
        Assert.Equal("[1u, -2.5, \"q\\\"\", true, null, quantity(\"1Ki\"), semver(\"1.0.0\")]", CelValue.FromList(
        [
            CelValue.FromUint(1), CelValue.FromDouble(-2.5), CelValue.FromString("q\""), CelValue.True, CelValue.Null,
            CelValue.FromQuantity(Quantity.Parse("1Ki")), CelValue.FromVersion(SemVersion.Parse("1.0.0")),
        ]).ToString());
        Assert.Equal("{\"a\": 1}", CelValue.FromMap([KeyValuePair.Create("a", CelValue.FromInt(1))]).ToString());
    }

    [Fact]
    public void CelResult_Error_HasNoValue()
    {
        var result = CelProgram.Compile("1 / 0").Evaluate();
        Assert.True(result.IsError);
        Assert.Null(result.Value);
        Assert.False(result.IsTrue);
        Assert.Equal("division by zero", result.Error);
    }
}
