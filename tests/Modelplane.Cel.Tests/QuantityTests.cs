// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

namespace Modelplane.Cel.Tests;

/// <summary>Kubernetes quantities: the CEL library (the behaviours test_quantity.py pins) and the C# type.</summary>
public sealed class QuantityTests
{
    [Theory]
    // Parsing and isQuantity.
    [InlineData("quantity(\"24Mi\") == quantity(\"24Mi\")", "true")]
    [InlineData("isQuantity(\"30\")", "true")]
    [InlineData("isQuantity(\"30M\")", "true")]
    [InlineData("isQuantity(\"30Mi\")", "true")]
    [InlineData("isQuantity(\"30Mx\")", "false")]
    [InlineData("isQuantity(\"30Mm\")", "false")]
    [InlineData("isQuantity(\"128e3\")", "true")]
    [InlineData("isQuantity(\"2E3\")", "true")]
    [InlineData("quantity(\"128e3\") == quantity(\"128000\")", "true")]
    [InlineData("quantity(\"2E3\") == quantity(\"2000\")", "true")]
    [InlineData("quantity(\"5E-3\") == quantity(\"5m\")", "true")]
    [InlineData("isQuantity(\"250n\")", "true")]
    [InlineData("isQuantity(\"250u\")", "true")]
    [InlineData("isQuantity(\"7.\")", "true")]
    [InlineData("isQuantity(\".25\")", "true")]
    [InlineData("isQuantity(\" 8Gi\")", "false")]
    [InlineData("isQuantity(\"8Gi \")", "false")]
    [InlineData("quantity(\"0.0000000003\") == quantity(\"0.000000001\")", "true")]
    [InlineData("quantity(\"-0.0000000003\") == quantity(\"-1n\")", "true")]
    [InlineData("isQuantity(\"2.7G\")", "true")]
    [InlineData("isQuantity(\"2.7Gi\")", "true")]
    [InlineData("isQuantity(\"2,7G\")", "false")]
    [InlineData("isQuantity(\"40000k\")", "true")]
    [InlineData("isQuantity(\"300K\")", "false")]
    [InlineData("isQuantity(\"Seven\")", "false")]
    [InlineData("isQuantity(\"Gi\")", "false")]
    [InlineData("isQuantity(\"k\")", "false")]
    [InlineData("isQuantity(\"2e\")", "false")]
    [InlineData("isQuantity(\"e2\")", "false")]
    [InlineData("isQuantity(\"2e3k\")", "false")]
    [InlineData("isQuantity(\"\")", "false")]
    // Equality is numeric.
    [InlineData("quantity(\"300M\") == quantity(\"300M\")", "true")]
    [InlineData("quantity(\"300M\") == quantity(\"0.3G\")", "true")]
    [InlineData("quantity(\"0.3G\") == quantity(\"300M\")", "true")]
    [InlineData("quantity(\"3M\") == quantity(\"0.003G\") && quantity(\"0.003G\") == quantity(\"3000k\")", "true")]
    [InlineData("quantity(\"300M\") == quantity(\"0.4G\")", "false")]
    [InlineData("quantity(\"300M\") != quantity(\"0.4G\")", "true")]
    // Ordering through the library functions.
    [InlineData("quantity(\"60M\").isLessThan(quantity(\"60Mi\"))", "true")]
    [InlineData("quantity(\"60M\").isLessThan(quantity(\"120M\"))", "true")]
    [InlineData("quantity(\"120M\").isLessThan(quantity(\"60M\"))", "false")]
    [InlineData("quantity(\"60Mi\").isGreaterThan(quantity(\"60M\"))", "true")]
    [InlineData("quantity(\"160Mi\").isGreaterThan(quantity(\"120Mi\"))", "true")]
    [InlineData("quantity(\"60M\").isGreaterThan(quantity(\"120M\"))", "false")]
    [InlineData("quantity(\"300M\").compareTo(quantity(\"0.3G\"))", "0")]
    [InlineData("quantity(\"60M\").compareTo(quantity(\"60Mi\"))", "-1")]
    [InlineData("quantity(\"60Mi\").compareTo(quantity(\"60M\"))", "1")]
    [InlineData("compareTo(quantity(\"1k\"), quantity(\"999\"))", "1")]
    // Arithmetic.
    [InlineData("quantity(\"40k\").add(quantity(\"30\")) == quantity(\"40.03k\")", "true")]
    [InlineData("quantity(\"40k\").add(30).isLessThan(quantity(\"40030\"))", "false")]
    [InlineData("quantity(\"40k\").sub(quantity(\"30\")) == quantity(\"39.97k\")", "true")]
    [InlineData("quantity(\"40k\").sub(30) == quantity(\"39970\")", "true")]
    [InlineData("quantity(\"30k\").add(5).sub(60000).asInteger()", "-29995")]
    [InlineData("quantity(\"10k\").sub(10000).sub(-7).asInteger()", "7")]
    [InlineData("add(quantity(\"1Gi\"), quantity(\"1Gi\")) == quantity(\"2Gi\")", "true")]
    [InlineData("sub(quantity(\"1\"), quantity(\"500m\"))", "quantity(\"500m\")")]
    // sign, global and member.
    [InlineData("sign(quantity(\"40k\"))", "1")]
    [InlineData("sign(quantity(\"-40k\"))", "-1")]
    [InlineData("sign(quantity(\"0\"))", "0")]
    [InlineData("quantity(\"-1m\").sign()", "-1")]
    // Binary suffixes saturate at the int64 maximum; decimal ones do not.
    [InlineData("quantity(\"8Ei\") == quantity(\"9223372036854775807\")", "true")]
    [InlineData("quantity(\"8Ei\") == quantity(\"12Ei\")", "true")]
    [InlineData("quantity(\"12Ei\") == quantity(\"120Ei\")", "true")]
    [InlineData("quantity(\"-12Ei\") == quantity(\"-9223372036854775807\")", "true")]
    [InlineData("quantity(\"7Ei\").isLessThan(quantity(\"8Ei\"))", "true")]
    [InlineData("quantity(\"7Ei\").asInteger()", "8070450532247928832")]
    [InlineData("isQuantity(\"128E\")", "true")]
    [InlineData("isQuantity(\"12E\")", "true")]
    [InlineData("quantity(\"128E\") == quantity(\"128000000000000000000\")", "true")]
    [InlineData("quantity(\"128E\").isGreaterThan(quantity(\"1Ei\"))", "true")]
    [InlineData("quantity(\"2E\") == quantity(\"2000P\")", "true")]
    // Integers and floats.
    [InlineData("quantity(\"40k\").asInteger()", "40000")]
    [InlineData("quantity(\"40\").isInteger()", "true")]
    [InlineData("quantity(\"40000000G\").isInteger()", "true")]
    [InlineData("quantity(\"1500m\").isInteger()", "false")]
    [InlineData("quantity(\"88888888888G\").isInteger()", "false")]
    [InlineData("quantity(\"88888888888G\").asInteger() > 0", "error: cannot convert 88888888888G to an integer: it is fractional or out of the int64 range")]
    [InlineData("quantity(\"1500m\").asInteger()", "error: cannot convert 1500m to an integer: it is fractional or out of the int64 range")]
    [InlineData("quantity(\"40.605k\").asApproximateFloat() == 40605.0", "true")]
    [InlineData("quantity(\"1n\").asApproximateFloat()", "1e-09")]
    // Errors are non-matches.
    [InlineData("quantity(\"30Mx\").isGreaterThan(1)", "error: invalid quantity \"30Mx\": expected a number with an optional suffix (n, u, m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei or an exponent)")]
    [InlineData("quantity(\"1\").isGreaterThan(1)", "error: no matching overload for 'isGreaterThan' applied to (kubernetes.Quantity, int)")]
    [InlineData("quantity(\"1Gi\") < quantity(\"2Gi\")", "error: no matching overload for '<' applied to (kubernetes.Quantity, kubernetes.Quantity)")]
    [InlineData("quantity(1)", "error: no matching overload for 'quantity' applied to (int)")]
    [InlineData("quantity(\"1e60\")", "error: invalid quantity \"1e60\": magnitude must be below 1e51")]
    [InlineData("quantity(\"1e999999999999\")", "error: invalid quantity \"1e999999999999\": magnitude must be below 1e51")]
    [InlineData("quantity(\"1e-999999999999\") == quantity(\"1n\")", "true")]
    [InlineData("quantity(\"1\") == semver(\"1.0.0\")", "false")]
    public void Evaluate_QuantityExpression_ReturnsExpected(string expression, string want) =>
        Assert.Equal(want, Fixtures.Run(expression));

    [Theory]
    [InlineData("30Mx")]
    [InlineData("30Mm")]
    [InlineData("300K")]
    [InlineData("2,7G")]
    [InlineData("Seven")]
    [InlineData("Gi")]
    [InlineData("")]
    [InlineData("+")]
    [InlineData(".")]
    [InlineData("1.2.3")]
    [InlineData("１２")]
    public void Parse_Malformed_Rejects(string text)
    {
        Assert.False(Quantity.TryParse(text, out _));
        Assert.Throws<FormatException>(() => Quantity.Parse(text));
    }

    [Theory]
    [InlineData("0", "0")]
    [InlineData("-0", "0")]
    [InlineData("1.5", "1500m")]
    [InlineData("-0.5", "-500m")]
    [InlineData(".5", "500m")]
    [InlineData("5.", "5")]
    [InlineData("+5", "5")]
    [InlineData("0.1", "100m")]
    [InlineData("100m", "100m")]
    [InlineData("1000", "1k")]
    [InlineData("1.5k", "1500")]
    [InlineData("12Mi", "12Mi")]
    [InlineData("1.5Gi", "1536Mi")]
    [InlineData("1024Ki", "1Mi")]
    [InlineData("1536Ki", "1536Ki")]
    [InlineData("0.5Ki", "512")]
    [InlineData("1.0001Ki", "1024102400u")]
    [InlineData("-1Ki", "-1Ki")]
    [InlineData("8Ei", "9223372036854775807")]
    [InlineData("1e3", "1e3")]
    [InlineData("1E3", "1e3")]
    [InlineData("1500e-3", "1500e-3")]
    [InlineData("1e-3", "1e-3")]
    [InlineData("1E", "1E")]
    [InlineData("1000E", "1000E")]
    [InlineData("0.0000000004", "1n")]
    [InlineData("81559Mi", "81559Mi")]
    public void ToString_Parsed_IsCanonical(string text, string want) =>
        Assert.Equal(want, Quantity.Parse(text).ToString());

    [Theory]
    [InlineData("1Ki", QuantityFormat.BinarySI)]
    [InlineData("0.5Ki", QuantityFormat.BinarySI)]
    [InlineData("0.0005Ki", QuantityFormat.DecimalSI)]
    [InlineData("1k", QuantityFormat.DecimalSI)]
    [InlineData("1", QuantityFormat.DecimalSI)]
    [InlineData("1e3", QuantityFormat.DecimalExponent)]
    public void Parse_Suffix_SetsFormat(string text, QuantityFormat want) =>
        Assert.Equal(want, Quantity.Parse(text).Format);

    [Theory]
    [InlineData("1Ki", "1024", "2Ki")]
    [InlineData("1024", "1Ki", "2048")]
    [InlineData("0", "1Ki", "1Ki")]
    [InlineData("0", "1e3", "1e3")]
    public void Add_Formats_KeepLeftUnlessZero(string left, string right, string want) =>
        Assert.Equal(want, Quantity.Parse(left).Add(Quantity.Parse(right)).ToString());

    [Fact]
    public void Operators_CompareByValue()
    {
        var small = Quantity.Parse("50M");
        var large = Quantity.Parse("50Mi");
        Assert.True(small < large);
        Assert.True(large >= small);
        Assert.True(Quantity.Parse("200M") == Quantity.Parse("0.2G"));
        Assert.Equal(Quantity.Parse("200M").GetHashCode(), Quantity.Parse("0.2G").GetHashCode());
        Assert.Equal(-1, Quantity.Parse("-3").Sign);
        Assert.Equal(0, default(Quantity).Sign);
        Assert.Equal("0", default(Quantity).ToString());
    }

    [Theory]
    [InlineData("9223372036854775807", true, 9223372036854775807L)]
    [InlineData("-9223372036854775808", true, -9223372036854775808L)]
    [InlineData("9223372036854775808", false, 0L)]
    [InlineData("2.5", false, 0L)]
    [InlineData("3k", true, 3000L)]
    public void TryGetInt64_Range_ReportsWhole(string text, bool ok, long want)
    {
        Assert.Equal(ok, Quantity.Parse(text).TryGetInt64(out var value));
        Assert.Equal(want, value);
        Assert.Equal(ok, Quantity.Parse(text).IsInteger);
    }

    [Fact]
    public void FromInt64_Value_RoundTrips()
    {
        Assert.Equal(Quantity.Parse("42"), Quantity.FromInt64(42));
        Assert.Equal("42", Quantity.FromInt64(42).ToString());
        Assert.Equal(0.001, Quantity.Parse("1m").ToDouble());
    }
}
