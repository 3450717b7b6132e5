// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

namespace Modelplane.Cel.Tests;

/// <summary>Operators, literals, conversions and error semantics, evaluated without variables.</summary>
public sealed class EvaluationTests
{
    [Theory]
    // Integer arithmetic is checked: overflow and division by zero are errors, never wrap-around.
    [InlineData("7 + 5 * 3", "22")]
    [InlineData("(7 + 5) * 3", "36")]
    [InlineData("-7 / 2", "-3")]
    [InlineData("-7 % 3", "-1")]
    [InlineData("7 % -3", "1")]
    [InlineData("9223372036854775807 + 1", "error: integer overflow")]
    [InlineData("-9223372036854775808 - 1", "error: integer overflow")]
    [InlineData("-9223372036854775808", "-9223372036854775808")]
    [InlineData("-(-9223372036854775808)", "error: integer overflow")]
    [InlineData("4611686018427387904 * 2", "error: integer overflow")]
    [InlineData("-4611686018427387904 * 2", "-9223372036854775808")]
    [InlineData("-9223372036854775808 / -1", "error: integer overflow")]
    [InlineData("-9223372036854775808 % -1", "error: integer overflow")]
    [InlineData("1 / 0", "error: division by zero")]
    [InlineData("1 % 0", "error: modulus by zero")]
    [InlineData("--3", "3")]
    [InlineData("0x1F + 0X10", "47")]
    // Unsigned arithmetic.
    [InlineData("3u + 4U", "7u")]
    [InlineData("3u - 4u", "error: integer overflow")]
    [InlineData("18446744073709551615u + 1u", "error: integer overflow")]
    [InlineData("9223372036854775808u * 2u", "error: integer overflow")]
    [InlineData("7u / 2u", "3u")]
    [InlineData("7u % 0u", "error: modulus by zero")]
    [InlineData("-1u", "error: no matching overload for '-_' applied to (uint)")]
    [InlineData("0xFFu", "255u")]
    // Doubles follow IEEE 754.
    [InlineData("1.5 + 2.25", "3.75")]
    [InlineData("1.0 / 0.0", "+Inf")]
    [InlineData("-1.0 / 0.0", "-Inf")]
    [InlineData("2.5e3", "2500")]
    [InlineData(".5 * 2.0", "1")]
    [InlineData("5.0 % 2.0", "error: no matching overload for '%' applied to (double, double)")]
    // No implicit conversions.
    [InlineData("1 + 1.0", "error: no matching overload for '+' applied to (int, double)")]
    [InlineData("1 + 1u", "error: no matching overload for '+' applied to (int, uint)")]
    [InlineData("'a' + 1", "error: no matching overload for '+' applied to (string, int)")]
    [InlineData("'ab' + 'cd'", "\"abcd\"")]
    [InlineData("[1] + [2, 3]", "[1, 2, 3]")]
    [InlineData("{'a': 1} + {'b': 2}", "error: no matching overload for '+' applied to (map, map)")]
    public void Evaluate_Arithmetic_ReturnsExpected(string expression, string want) =>
        Assert.Equal(want, Fixtures.Run(expression));

    [Theory]
    // Equality is heterogeneous across numbers and exact.
    [InlineData("1 == 1.0", "true")]
    [InlineData("1u == 1", "true")]
    [InlineData("1 == 1.5", "false")]
    [InlineData("-1 == 18446744073709551615u", "false")]
    [InlineData("9223372036854775807 == 9223372036854775807.0", "false")]
    [InlineData("9007199254740993 == 9007199254740992.0", "false")]
    [InlineData("double('NaN') == double('NaN')", "false")]
    [InlineData("double('NaN') != double('NaN')", "true")]
    [InlineData("1 == '1'", "false")]
    [InlineData("null == null", "true")]
    [InlineData("null == 0", "false")]
    [InlineData("[1, 'a'] == [1.0, 'a']", "true")]
    [InlineData("[1] == [1, 1]", "false")]
    [InlineData("{'a': 1, 'b': [2]} == {'b': [2], 'a': 1}", "true")]
    [InlineData("{'a': 1} == {'a': 2}", "false")]
    [InlineData("{'a': 1} == {'b': 1}", "false")]
    // Ordering.
    [InlineData("1 < 1.5", "true")]
    [InlineData("2u > 1", "true")]
    [InlineData("-1 < 0u", "true")]
    [InlineData("9223372036854775807 < 9223372036854775808.0", "true")]
    [InlineData("18446744073709551615u < 18446744073709551616.0", "true")]
    [InlineData("2.5 >= 2", "true")]
    [InlineData("-2.5 < -2", "true")]
    [InlineData("double('NaN') < 1.0", "false")]
    [InlineData("double('NaN') >= 1.0", "false")]
    [InlineData("'apple' < 'banana'", "true")]
    [InlineData("'b' <= 'apple'", "false")]
    [InlineData("'\\uffff' < '\\U0001F600'", "true")]
    [InlineData("false < true", "true")]
    [InlineData("[1] < [2]", "error: no matching overload for '<' applied to (list, list)")]
    [InlineData("1 < 'a'", "error: no matching overload for '<' applied to (int, string)")]
    [InlineData("null < null", "error: no matching overload for '<' applied to (null_type, null_type)")]
    public void Evaluate_Comparison_ReturnsExpected(string expression, string want) =>
        Assert.Equal(want, Fixtures.Run(expression));

    [Theory]
    // && and || are commutative over errors: a deciding operand wins wherever it is.
    [InlineData("1 / 0 == 1 || true", "true")]
    [InlineData("true || 1 / 0 == 1", "true")]
    [InlineData("1 / 0 == 1 && false", "false")]
    [InlineData("false && 1 / 0 == 1", "false")]
    [InlineData("1 / 0 == 1 || false", "error: division by zero")]
    [InlineData("true && 1 / 0 == 1", "error: division by zero")]
    [InlineData("1 / 0 == 1 || 2 % 0 == 1", "error: division by zero")]
    [InlineData("'a' || true", "true")]
    [InlineData("'a' && true", "error: no matching overload for '&&' applied to (string)")]
    [InlineData("true && true && false && true", "false")]
    [InlineData("false || false || true", "true")]
    [InlineData("!true", "false")]
    [InlineData("!!true", "true")]
    [InlineData("!1", "error: no matching overload for '!_' applied to (int)")]
    // The conditional evaluates only the branch it takes.
    [InlineData("true ? 1 : 2", "1")]
    [InlineData("false ? 1 / 0 : 2", "2")]
    [InlineData("false ? 1 : true ? 2 : 3", "2")]
    [InlineData("1 ? 1 : 2", "error: no matching overload for '_?_:_' applied to (int)")]
    public void Evaluate_Logic_ReturnsExpected(string expression, string want) =>
        Assert.Equal(want, Fixtures.Run(expression));

    [Theory]
    [InlineData("2 in [1, 2, 3]", "true")]
    [InlineData("2.0 in [1, 2, 3]", "true")]
    [InlineData("4 in [1, 2, 3]", "false")]
    [InlineData("'a' in {'a': 1}", "true")]
    [InlineData("1 in {'a': 1}", "false")]
    [InlineData("1.0 in {1: 'x'}", "true")]
    [InlineData("'a' in 'abc'", "error: no matching overload for 'in' applied to (string, string)")]
    [InlineData("[10, 20, 30][1]", "20")]
    [InlineData("[10, 20, 30][1u]", "20")]
    [InlineData("[10, 20, 30][2.0]", "30")]
    [InlineData("[10, 20, 30][3]", "error: index 3 out of range for a list of size 3")]
    [InlineData("[10, 20, 30][-1]", "error: index -1 out of range for a list of size 3")]
    [InlineData("[10][0.5]", "error: invalid list index 0.5")]
    [InlineData("[10]['a']", "error: no matching overload for '_[_]' applied to (list, string)")]
    [InlineData("{'a': 1}['a']", "1")]
    [InlineData("{'a': 1}['b']", "error: no such key: \"b\"")]
    [InlineData("{1: 'x'}[1u]", "\"x\"")]
    [InlineData("{1: 'x'}[1.0]", "\"x\"")]
    [InlineData("{true: 'yes'}[true]", "\"yes\"")]
    [InlineData("{'a': {'b': 2}}.a.b", "2")]
    [InlineData("{'a': 1}.b", "error: no such key: 'b'")]
    [InlineData("'abc'.b", "error: type 'string' does not support field selection")]
    [InlineData("has({'a': 1}.a)", "true")]
    [InlineData("has({'a': 1}.b)", "false")]
    [InlineData("has([1].a)", "error: type 'list' does not support field presence tests")]
    [InlineData("{'a': 1, 'a': 2}", "error: duplicate map key \"a\"")]
    [InlineData("{1.5: 'x'}", "error: unsupported map key type double")]
    [InlineData("{'a': 1, }", "{\"a\": 1}")]
    [InlineData("[1, 2, ]", "[1, 2]")]
    [InlineData("[]", "[]")]
    [InlineData("{}", "{}")]
    public void Evaluate_Collections_ReturnsExpected(string expression, string want) =>
        Assert.Equal(want, Fixtures.Run(expression));

    [Theory]
    [InlineData("'\\x41\\u00e9\\U0001F600\\101' == 'Aé😀A'", "true")]
    [InlineData("'\\a\\b\\f\\n\\r\\t\\v\\\\\\?\\\"\\'\\`' == \"\\x07\\x08\\x0c\\x0a\\x0d\\x09\\x0b\\x5c?\\x22\\x27\\x60\"", "true")]
    [InlineData("r'\\d+' == '\\\\d+'", "true")]
    [InlineData("R\"\\n\" == '\\\\n'", "true")]
    [InlineData("'''it's''' == \"it's\"", "true")]
    [InlineData("\"\"\"two\nlines\"\"\" == 'two\\nlines'", "true")]
    [InlineData("'a' // trailing comment", "\"a\"")]
    [InlineData("'tab\\there'", "\"tab\\there\"")]
    [InlineData("'\\x01'", "\"\\x01\"")]
    public void Evaluate_StringLiterals_Unescape(string expression, string want) =>
        Assert.Equal(want, Fixtures.Run(expression));

    [Theory]
    [InlineData("int(2.9)", "2")]
    [InlineData("int(-2.9)", "-2")]
    [InlineData("int(9.3e18)", "error: integer overflow")]
    [InlineData("int(9223372036854775807.0)", "error: integer overflow")]
    [InlineData("int(18446744073709551615u)", "error: integer overflow")]
    [InlineData("int('-42')", "-42")]
    [InlineData("int('4.2')", "error: cannot convert \"4.2\" to int")]
    [InlineData("int(' 42')", "error: cannot convert \" 42\" to int")]
    [InlineData("uint(42)", "42u")]
    [InlineData("uint(-1)", "error: integer overflow")]
    [InlineData("uint('7')", "7u")]
    [InlineData("uint('+7')", "error: cannot convert \"+7\" to uint")]
    [InlineData("double(3)", "3")]
    [InlineData("double('1e3')", "1000")]
    [InlineData("double('-Infinity')", "-Inf")]
    [InlineData("double('one')", "error: cannot convert \"one\" to double")]
    [InlineData("string(42)", "\"42\"")]
    [InlineData("string(42u)", "\"42\"")]
    [InlineData("string(1.5)", "\"1.5\"")]
    [InlineData("string(100.0)", "\"100\"")]
    [InlineData("string(123456.0)", "\"123456\"")]
    [InlineData("string(1000000.0)", "\"1e+06\"")]
    [InlineData("string(1234567.0)", "\"1.234567e+06\"")]
    [InlineData("string(0.0001)", "\"0.0001\"")]
    [InlineData("string(0.00001)", "\"1e-05\"")]
    [InlineData("string(-0.0)", "\"-0\"")]
    [InlineData("string(1e100)", "\"1e+100\"")]
    [InlineData("string(true)", "\"true\"")]
    [InlineData("string(quantity('1.5Gi'))", "\"1536Mi\"")]
    [InlineData("string(semver('1.2.3-rc.1'))", "\"1.2.3-rc.1\"")]
    [InlineData("string([1])", "error: no matching overload for 'string' applied to (list)")]
    [InlineData("bool('true') && bool('T') && !bool('0')", "true")]
    [InlineData("bool('yes')", "error: cannot convert \"yes\" to bool")]
    [InlineData("dyn(5) == 5", "true")]
    [InlineData("type(1) == int", "true")]
    [InlineData("type(1u) == uint && type(1.0) == double && type('') == string && type(true) == bool", "true")]
    [InlineData("type([]) == list && type({}) == map && type(null) == null_type && type(int) == type", "true")]
    [InlineData("type(1) == string", "false")]
    [InlineData("type(quantity('1'))", "kubernetes.Quantity")]
    [InlineData("type(semver('1.0.0')) == type(semver('2.0.0'))", "true")]
    public void Evaluate_Conversions_ReturnsExpected(string expression, string want) =>
        Assert.Equal(want, Fixtures.Run(expression));

    [Fact]
    public void Evaluate_ExponentialComprehension_StopsAtCostLimit()
    {
        // Six nested maps over ten elements would build a million-element result.
        var ten = "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]";
        var expression = $"{ten}.map(a, {ten}.map(b, {ten}.map(c, {ten}.map(d, {ten}.map(e, {ten}.map(f, 1)))))).size() > 0";
        Assert.Equal("error: evaluation cost limit exceeded", Fixtures.Run(expression));
    }

    [Fact]
    public void Evaluate_StringDoubling_StopsAtCostLimit()
    {
        // Each level doubles the string; twenty levels would be a million characters per element.
        var expression = "['ab']" + string.Concat(Enumerable.Repeat(".map(s, s + s)", 25)) + ".size() == 1";
        Assert.Equal("error: evaluation cost limit exceeded", Fixtures.Run(expression));
    }

    [Fact]
    public void Evaluate_CostLimitInsideOr_IsNotAbsorbed()
    {
        var ten = "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]";
        var expensive = $"{ten}.map(a, {ten}.map(b, {ten}.map(c, {ten}.map(d, {ten}.map(e, {ten}.map(f, 1)))))).size() > 0";
        Assert.Equal("error: evaluation cost limit exceeded", Fixtures.Run($"{expensive} || true"));
    }

    [Fact]
    public void Evaluate_Variables_AreLookedUpByName()
    {
        var variables = new Dictionary<string, CelValue>
        {
            ["replicas"] = CelValue.FromInt(3),
            ["int"] = CelValue.FromString("shadowed"),
        };
        Assert.Equal("true", Fixtures.Run("replicas * 2 == 6", variables));
        Assert.Equal("\"shadowed\"", Fixtures.Run("int", variables));
        Assert.Equal("error: undeclared reference to 'missing'", Fixtures.Run("missing", variables));
    }

    [Fact]
    public void Evaluate_SameProgramConcurrently_IsIndependent()
    {
        var program = CelProgram.Compile("[1, 2, 3].map(x, x * n).filter(y, y > n) == [n * 2, n * 3]");
        Parallel.For(0, 200, i =>
        {
            var result = program.Evaluate(new Dictionary<string, CelValue> { ["n"] = CelValue.FromInt(i + 1) });
            Assert.True(result.IsTrue, result.ToString());
        });
    }
}
