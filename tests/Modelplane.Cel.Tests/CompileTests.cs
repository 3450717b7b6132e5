// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

namespace Modelplane.Cel.Tests;

/// <summary>Compile errors: where (1-based line and column, in code points) and what was expected.</summary>
public sealed class CompileTests
{
    public static TheoryData<string, string, int, int, string> Errors => new()
    {
        { "Compile_StrayCloseParen_ReportsPositionAndExpected", "not ) valid (", 1, 5, "expected end of input but found ')'" },
        { "Compile_UnclosedParen_ReportsPositionAndExpected", "(1 + 2", 1, 7, "expected ')' but found end of input" },
        { "Compile_MissingOperand_ReportsEndOfInput", "device.driver ==", 1, 17, "expected an expression but found end of input" },
        { "Compile_UnclosedCall_ReportsCommaOrParen", "size('a'", 1, 9, "expected ',' or ')' but found end of input" },
        { "Compile_UnclosedList_ReportsCommaOrBracket", "[1, 2", 1, 6, "expected ',' or ']' but found end of input" },
        { "Compile_UnclosedMap_ReportsCommaOrBrace", "{'a': 1", 1, 8, "expected ',' or '}' but found end of input" },
        { "Compile_MapWithoutColon_ReportsColon", "{'a' 1}", 1, 6, "expected ':' but found '1'" },
        { "Compile_TernaryWithoutColon_ReportsColon", "true ? 1 2", 1, 10, "expected ':' but found '2'" },
        { "Compile_DotWithoutName_ReportsName", "device.", 1, 8, "expected a field or method name after '.' but found end of input" },
        { "Compile_UnclosedIndex_ReportsBracket", "m['a'", 1, 6, "expected ']' but found end of input" },
        { "Compile_SecondLine_CountsLines", "true &&\n  (false ||", 2, 12, "expected an expression but found end of input" },
        { "Compile_AstralCharacters_CountCodePoints", "'😀😀' == ", 1, 9, "expected an expression but found end of input" },
        { "Compile_UnterminatedString_PointsAtQuote", "x == 'abc", 1, 6, "unterminated string literal" },
        { "Compile_NewlineInString_IsUnterminated", "'ab\ncd'", 1, 1, "unterminated string literal" },
        { "Compile_UnterminatedTripleQuote_PointsAtQuote", "'''abc''", 1, 1, "unterminated string literal" },
        { "Compile_BadEscape_PointsAtBackslash", "'a\\qb'", 1, 3, "invalid escape sequence '\\q'" },
        { "Compile_ShortHexEscape_IsRejected", "'\\x4'", 1, 2, "invalid escape sequence: expected 2 hexadecimal digits" },
        { "Compile_SurrogateEscape_IsRejected", "'\\ud800'", 1, 2, "invalid escape sequence: U+D800 is not a Unicode scalar value" },
        { "Compile_BytesLiteral_IsUnsupported", "b'abc'", 1, 1, "bytes literals are not supported" },
        { "Compile_SingleEquals_SuggestsDoubleEquals", "1 = 1", 1, 3, "unexpected '=': use '==' to compare" },
        { "Compile_UnknownCharacter_IsRejected", "a # b", 1, 3, "unexpected character '#'" },
        { "Compile_SingleAmpersand_IsRejected", "a & b", 1, 3, "unexpected character '&'" },
        { "Compile_IntLiteralTooLarge_IsRejected", "9223372036854775808", 1, 1, "integer literal out of range" },
        { "Compile_NegativeIntLiteralTooLarge_IsRejected", "-9223372036854775809", 1, 2, "integer literal out of range" },
        { "Compile_UintLiteralTooLarge_IsRejected", "18446744073709551616u", 1, 1, "integer literal out of range" },
        { "Compile_DoubleLiteralTooLarge_IsRejected", "1e999", 1, 1, "double literal out of range" },
        { "Compile_HexWithoutDigits_IsRejected", "0x", 1, 1, "hexadecimal literal has no digits" },
        { "Compile_ReservedWord_IsRejected", "if == 1", 1, 1, "reserved word 'if' cannot be used as a name" },
        { "Compile_UnknownFunction_IsRejected", "device.attributes.lookup('x')", 1, 19, "undeclared function 'lookup'" },
        { "Compile_WrongArity_IsRejected", "size('a', 'b')", 1, 1, "wrong number of arguments to 'size'" },
        { "Compile_MemberWrongArity_IsRejected", "quantity('1').add()", 1, 15, "wrong number of arguments to 'add'" },
        { "Compile_HasWithoutSelection_IsRejected", "has(self)", 1, 1, "has() needs a single field selection, such as has(self.spec)" },
        { "Compile_HasWithIndex_IsRejected", "has(device.attributes['gpu.nvidia.com'])", 1, 1, "has() needs a single field selection, such as has(self.spec)" },
        { "Compile_MacroVariableNotAName_IsRejected", "[1].all(1 + 1, true)", 1, 5, "the first argument of all() must be a variable name" },
        { "Compile_MacroWrongArity_IsRejected", "[1].exists(x)", 1, 5, "exists() takes 2 arguments, a variable name and an expression" },
        { "Compile_MapMacroWrongArity_IsRejected", "[1].map(x, x, x, x)", 1, 5, "map() takes 2 or 3 arguments, a variable name and an expression" },
        { "Compile_MacroAsGlobal_IsRejected", "all([1], x, true)", 1, 1, "all() is a macro and must be called on a list or map, such as x.all(v, …)" },
        { "Compile_MessageConstruction_IsUnsupported", "Pod{}", 1, 4, "message construction is not supported" },
        { "Compile_EmptyExpression_ReportsExpression", "", 1, 1, "expected an expression but found end of input" },
        { "Compile_CommentOnly_ReportsExpression", "// nothing", 1, 11, "expected an expression but found end of input" },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public void TryCompile_Invalid_ReportsPositionAndMessage(string name, string expression, int line, int column, string message)
    {
        Assert.False(CelProgram.TryCompile(expression, out var program, out var error), name);
        Assert.Null(program);
        Assert.Equal(new CelCompileError(line, column, message), error);
    }

    [Fact]
    public void Compile_Invalid_ThrowsWithFormattedMessage()
    {
        var e = Assert.Throws<CelCompileException>(() => CelProgram.Compile("(1 + 2"));
        Assert.Equal("at 1:7: expected ')' but found end of input", e.Error.ToString());
        Assert.Equal("invalid CEL expression: at 1:7: expected ')' but found end of input", e.Message);
    }

    [Theory]
    [InlineData("devcie.driver == 'x'", 1, 1, "undeclared reference to 'devcie'")]
    [InlineData("device.attributes.all(d, e != '')", 1, 26, "undeclared reference to 'e'")]
    [InlineData("[1].map(x, x) == [x]", 1, 19, "undeclared reference to 'x'")]
    public void Compile_DeclaredVariables_RejectsOtherNames(string expression, int line, int column, string message)
    {
        Assert.False(CelProgram.TryCompile(expression, ["device"], out _, out var error));
        Assert.Equal(new CelCompileError(line, column, message), error);
    }

    [Theory]
    [InlineData("device.attributes.all(d, d != '')")]
    [InlineData("[1].map(x, [2].map(y, x + y)) == [[3]]")]
    [InlineData("type(device) == map && type(1) == int")]
    [InlineData("device.driver == 'gpu.nvidia.com'")]
    public void Compile_DeclaredVariables_AcceptsBoundAndTypeNames(string expression) =>
        Assert.True(CelProgram.TryCompile(expression, ["device"], out _, out _));

    [Fact]
    public void Compile_UndeclaredNameWithoutDeclarations_FailsAtEvaluation()
    {
        var program = CelProgram.Compile("devcie.driver == 'x'");
        Assert.Equal("error: undeclared reference to 'devcie'", program.Evaluate().ToString());
    }

    // The parser's own recursion is capped: nested parentheses, lists and calls.
    [Theory]
    [InlineData(99, true)]
    [InlineData(100, false)]
    [InlineData(5000, false)]
    public void Compile_NestedParentheses_CappedAtLimit(int depth, bool ok)
    {
        var expression = new string('(', depth) + "1" + new string(')', depth);
        Assert.Equal(ok, CelProgram.TryCompile(expression, out _, out var error));
        if (!ok)
        {
            // The whole expression is the first level, so the hundredth parenthesis opens the 101st.
            Assert.Equal(new CelCompileError(1, 101, "expression nests deeper than 100 levels"), error);
        }
    }

    [Theory]
    [InlineData(100, true)]
    [InlineData(101, false)]
    [InlineData(3000, false)]
    public void Compile_NestedLists_CappedAtLimit(int depth, bool ok) =>
        Assert.Equal(ok, CelProgram.TryCompile(new string('[', depth) + new string(']', depth), out _, out _));

    // The depth of the built tree is capped too: long left-leaning operator chains.
    [Theory]
    [InlineData(" + ", 100, true)]
    [InlineData(" + ", 101, false)]
    [InlineData(" + ", 10000, false)]
    [InlineData(" == ", 101, false)]
    [InlineData(".size()", 0, true)]
    public void Compile_OperatorChain_CappedAtTreeDepth(string separator, int operands, bool ok)
    {
        var expression = separator == ".size()"
            ? "'a'" + string.Concat(Enumerable.Repeat(".size()", 99))
            : string.Join(separator, Enumerable.Repeat("1", operands));
        Assert.Equal(ok, CelProgram.TryCompile(expression, out _, out var error));
        if (!ok)
        {
            Assert.Equal("expression nests deeper than 100 levels", error!.Message);
        }
    }

    [Theory]
    [InlineData('!', 99, true)]
    [InlineData('!', 100, false)]
    [InlineData('-', 100, false)]
    [InlineData('!', 100000, false)]
    public void Compile_UnaryChain_CappedAtTreeDepth(char op, int count, bool ok) =>
        Assert.Equal(ok, CelProgram.TryCompile(new string(op, count) + "x", out _, out _));

    [Fact]
    public void Compile_LongLogicalChain_StaysShallow()
    {
        // && and || chains are flattened, so a long list of alternatives is fine.
        var expression = string.Join(" || ", Enumerable.Range(0, 2000).Select(i => $"device.driver == 'd{i}.example.com'"));
        var program = CelProgram.Compile(expression);
        Assert.True(program.Matches(Fixtures.Device("""{"driver": "d1999.example.com"}""")));
        Assert.False(program.Matches(Fixtures.Device("""{"driver": "d2000.example.com"}""")));
    }

    [Fact]
    public void Compile_Program_KeepsExpression()
    {
        var program = CelProgram.Compile("1 == 1");
        Assert.Equal("1 == 1", program.Expression);
        Assert.Equal("1 == 1", program.ToString());
    }
}
