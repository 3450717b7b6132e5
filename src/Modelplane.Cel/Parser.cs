// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

namespace Modelplane.Cel;

/// <summary>A recursive-descent parser for CEL, building the evaluable tree directly.</summary>
/// <remarks>
/// The grammar is the CEL specification's, by precedence from loosest: <c>?:</c>, <c>||</c>,
/// <c>&amp;&amp;</c>, relations (<c>== != &lt; &lt;= &gt; &gt;= in</c>), <c>+ -</c>,
/// <c>* / %</c>, unary <c>! -</c>, then member access, indexing and calls. Macros are expanded
/// here: <c>has(x.f)</c> must name a field, and <c>all</c>, <c>exists</c>, <c>exists_one</c>,
/// <c>map</c> and <c>filter</c> must bind a simple variable name. Function names and argument counts
/// are checked against the function table. Expressions are untrusted (any user writing a
/// ModelDeployment writes selectors), so both the parser's own recursion (nested parentheses,
/// lists, calls) and the depth of the tree it builds (long operator chains) are capped at
/// <see cref="MaxDepth"/>; either limit is a compile error, never a stack overflow.
/// </remarks>
internal sealed class Parser
{
    public const int MaxDepth = 100;

    private readonly List<Token> _tokens;
    private int _index;
    private int _nesting;

    private Parser(List<Token> tokens) => _tokens = tokens;

    private Token Peek => _tokens[_index];

    public static Node Parse(string source)
    {
        var parser = new Parser(Lexer.Tokenize(source));
        var node = parser.ParseExpression();
        if (parser.Peek.Kind != TokenKind.End)
        {
            throw Unexpected(parser.Peek, "end of input");
        }
        return node;
    }

    /// <summary>Fails on the first identifier that is neither declared, bound by a macro, nor a type name.</summary>
    public static void CheckReferences(Node node, IReadOnlySet<string> declared, List<string> bound)
    {
        switch (node)
        {
            case IdentNode ident:
                if (!bound.Contains(ident.Name) && !declared.Contains(ident.Name) && !IdentNode.IsTypeName(ident.Name))
                {
                    throw new ParseException(ident.Position, $"undeclared reference to '{ident.Name}'");
                }
                return;
            case ComprehensionNode comprehension:
                CheckReferences(comprehension.Range, declared, bound);
                bound.Add(comprehension.Variable);
                if (comprehension.Predicate is not null)
                {
                    CheckReferences(comprehension.Predicate, declared, bound);
                }
                CheckReferences(comprehension.Body, declared, bound);
                bound.RemoveAt(bound.Count - 1);
                return;
            default:
                foreach (var child in node.Children)
                {
                    CheckReferences(child, declared, bound);
                }
                return;
        }
    }

    private static ParseException Unexpected(Token found, string expected) =>
        new(found.Start, $"expected {expected} but found {Describe(found)}");

    private static string Describe(Token token) => token.Kind switch
    {
        TokenKind.End => "end of input",
        _ when token.Text.Length > 24 => $"'{token.Text[..24]}…'",
        _ => $"'{token.Text}'",
    };

    private Token Next() => _tokens[_index == _tokens.Count - 1 ? _index : _index++];

    private bool Accept(TokenKind kind)
    {
        if (Peek.Kind != kind)
        {
            return false;
        }
        _index++;
        return true;
    }

    private void Expect(TokenKind kind, string description)
    {
        if (!Accept(kind))
        {
            throw Unexpected(Peek, description);
        }
    }

    private static T Guard<T>(T node, Token at)
        where T : Node =>
        node.Depth > MaxDepth ? throw TooDeep(at) : node;

    private static ParseException TooDeep(Token at) => new(at.Start, $"expression nests deeper than {MaxDepth} levels");

    private Node ParseExpression()
    {
        var start = Peek;
        if (++_nesting > MaxDepth)
        {
            throw TooDeep(start);
        }
        var node = ParseOr();
        if (Peek.Kind == TokenKind.Question)
        {
            var question = Next();
            var whenTrue = ParseOr();
            Expect(TokenKind.Colon, "':'");
            var whenFalse = ParseExpression();
            node = Guard(new ConditionalNode(node, whenTrue, whenFalse), question);
        }
        _nesting--;
        return node;
    }

    private Node ParseOr() => ParseLogical(TokenKind.Or, isAnd: false);

    private Node ParseLogical(TokenKind op, bool isAnd)
    {
        var first = isAnd ? ParseRelation() : ParseLogical(TokenKind.And, isAnd: true);
        if (Peek.Kind != op)
        {
            return first;
        }
        var at = Peek;
        var operands = new List<Node> { first };
        while (Accept(op))
        {
            operands.Add(isAnd ? ParseRelation() : ParseLogical(TokenKind.And, isAnd: true));
        }
        return Guard(new LogicalNode(isAnd, [.. operands]), at);
    }

    private Node ParseRelation()
    {
        var left = ParseAddition();
        while (true)
        {
            BinaryOp? op = Peek.Kind switch
            {
                TokenKind.Equal => BinaryOp.Equal,
                TokenKind.NotEqual => BinaryOp.NotEqual,
                TokenKind.Less => BinaryOp.Less,
                TokenKind.LessOrEqual => BinaryOp.LessOrEqual,
                TokenKind.Greater => BinaryOp.Greater,
                TokenKind.GreaterOrEqual => BinaryOp.GreaterOrEqual,
                TokenKind.In => BinaryOp.In,
                _ => null,
            };
            if (op is null)
            {
                return left;
            }
            var at = Next();
            left = Guard(new BinaryNode(op.Value, left, ParseAddition()), at);
        }
    }

    private Node ParseAddition()
    {
        var left = ParseMultiplication();
        while (Peek.Kind is TokenKind.Plus or TokenKind.Minus)
        {
            var at = Next();
            left = Guard(new BinaryNode(at.Kind == TokenKind.Plus ? BinaryOp.Add : BinaryOp.Subtract, left, ParseMultiplication()), at);
        }
        return left;
    }

    private Node ParseMultiplication()
    {
        var left = ParseUnary();
        while (Peek.Kind is TokenKind.Star or TokenKind.Slash or TokenKind.Percent)
        {
            var at = Next();
            var op = at.Kind switch
            {
                TokenKind.Star => BinaryOp.Multiply,
                TokenKind.Slash => BinaryOp.Divide,
                _ => BinaryOp.Modulo,
            };
            left = Guard(new BinaryNode(op, left, ParseUnary()), at);
        }
        return left;
    }

    private Node ParseUnary()
    {
        var at = Peek;
        if (at.Kind == TokenKind.Bang)
        {
            var count = 0;
            while (Accept(TokenKind.Bang))
            {
                count++;
            }
            var operand = ParseMember();
            for (var i = 0; i < count; i++)
            {
                operand = Guard(new NotNode(operand), at);
            }
            return operand;
        }
        if (at.Kind == TokenKind.Minus)
        {
            var count = 0;
            while (Accept(TokenKind.Minus))
            {
                count++;
            }
            Node operand;
            if (Peek.Kind is TokenKind.Int or TokenKind.Double)
            {
                // A minus directly before a number is part of the literal, which is how
                // -9223372036854775808 can be written although its magnitude overflows int64.
                operand = ParseSuffixes(NegativeLiteral(Next()));
                count--;
            }
            else
            {
                operand = ParseMember();
            }
            for (var i = 0; i < count; i++)
            {
                operand = Guard(new NegateNode(operand), at);
            }
            return operand;
        }
        return ParseMember();
    }

    private static LiteralNode NegativeLiteral(Token number)
    {
        if (number.Kind == TokenKind.Double)
        {
            return new LiteralNode(CelValue.FromDouble(-number.DoubleValue));
        }
        if (number.IntValue > (ulong)long.MaxValue + 1)
        {
            throw new ParseException(number.Start, "integer literal out of range");
        }
        return new LiteralNode(CelValue.FromInt(unchecked(-(long)number.IntValue)));
    }

    private Node ParseMember() => ParseSuffixes(ParsePrimary());

    private Node ParseSuffixes(Node node)
    {
        while (true)
        {
            var at = Peek;
            if (Accept(TokenKind.Dot))
            {
                var name = Peek;
                if (name.Kind != TokenKind.Ident)
                {
                    throw Unexpected(name, "a field or method name after '.'");
                }
                Next();
                if (Accept(TokenKind.LParen))
                {
                    var args = ParseList(TokenKind.RParen, "')'");
                    node = Guard(MemberCall(node, name, args), at);
                }
                else
                {
                    node = Guard(new SelectNode(node, PropertyName(name.Text)), at);
                }
            }
            else if (Accept(TokenKind.LBracket))
            {
                var index = ParseExpression();
                Expect(TokenKind.RBracket, "']'");
                node = Guard(new IndexNode(node, index), at);
            }
            else
            {
                return node;
            }
        }
    }

    private Node ParsePrimary()
    {
        var token = Next();
        switch (token.Kind)
        {
            case TokenKind.Dot:
                // A leading dot names the root scope: .device is device.
                var rooted = Next();
                return rooted.Kind == TokenKind.Ident ? Identifier(rooted) : throw Unexpected(rooted, "a name after '.'");
            case TokenKind.Ident:
                return Identifier(token);
            case TokenKind.LParen:
                var inner = ParseExpression();
                Expect(TokenKind.RParen, "')'");
                return inner;
            case TokenKind.LBracket:
                return Guard(new ListNode([.. ParseList(TokenKind.RBracket, "']'")]), token);
            case TokenKind.LBrace:
                return ParseMap(token);
            case TokenKind.Int:
                return token.IntValue > long.MaxValue
                    ? throw new ParseException(token.Start, "integer literal out of range")
                    : new LiteralNode(CelValue.FromInt((long)token.IntValue));
            case TokenKind.Uint:
                return new LiteralNode(CelValue.FromUint(token.IntValue));
            case TokenKind.Double:
                return new LiteralNode(CelValue.FromDouble(token.DoubleValue));
            case TokenKind.String:
                return new LiteralNode(CelValue.FromString(token.StringValue!));
            case TokenKind.True:
                return new LiteralNode(CelValue.True);
            case TokenKind.False:
                return new LiteralNode(CelValue.False);
            case TokenKind.Null:
                return new LiteralNode(CelValue.Null);
            default:
                throw Unexpected(token, "an expression");
        }
    }

    private Node Identifier(Token name)
    {
        if (Lexer.IsReserved(name.Text))
        {
            throw new ParseException(name.Start, $"reserved word '{name.Text}' cannot be used as a name");
        }
        if (Accept(TokenKind.LParen))
        {
            return Guard(GlobalCall(name, ParseList(TokenKind.RParen, "')'")), name);
        }
        if (Peek.Kind == TokenKind.LBrace)
        {
            throw new ParseException(Peek.Start, "message construction is not supported");
        }
        return new IdentNode(name.Text, name.Start);
    }

    // Comma-separated expressions up to the closing token; a trailing comma is allowed.
    private List<Node> ParseList(TokenKind close, string closeDescription)
    {
        var items = new List<Node>();
        while (!Accept(close))
        {
            items.Add(ParseExpression());
            if (!Accept(TokenKind.Comma))
            {
                Expect(close, closeDescription == "')'" ? "',' or ')'" : "',' or ']'");
                break;
            }
        }
        return items;
    }

    private MapNode ParseMap(Token open)
    {
        var keys = new List<Node>();
        var values = new List<Node>();
        while (!Accept(TokenKind.RBrace))
        {
            keys.Add(ParseExpression());
            Expect(TokenKind.Colon, "':'");
            values.Add(ParseExpression());
            if (!Accept(TokenKind.Comma))
            {
                Expect(TokenKind.RBrace, "',' or '}'");
                break;
            }
        }
        return Guard(new MapNode([.. keys], [.. values]), open);
    }

    private static Node GlobalCall(Token name, List<Node> args)
    {
        if (name.Text == "has")
        {
            // has() tests a field; has(m["k"]) is a compile error in Kubernetes as well; use "k" in m.
            return args is [SelectNode select]
                ? new HasNode(select.Operand, select.Name)
                : throw new ParseException(name.Start, "has() needs a single field selection, such as has(self.spec)");
        }
        if (MacroOf(name.Text) is not null)
        {
            throw new ParseException(name.Start, $"{name.Text}() is a macro and must be called on a list or map, such as x.{name.Text}(v, …)");
        }
        return Call(name, args);
    }

    private static Node MemberCall(Node target, Token name, List<Node> args)
    {
        var macro = MacroOf(name.Text);
        if (macro is null)
        {
            return Call(name, [target, .. args]);
        }
        var expected = macro == MacroKind.Map ? "2 or 3" : "2";
        if (args.Count != 2 && !(macro == MacroKind.Map && args.Count == 3))
        {
            throw new ParseException(name.Start, $"{name.Text}() takes {expected} arguments, a variable name and an expression");
        }
        if (args[0] is not IdentNode variable)
        {
            throw new ParseException(name.Start, $"the first argument of {name.Text}() must be a variable name");
        }
        return args.Count == 3
            ? new ComprehensionNode(MacroKind.Map, target, variable.Name, args[1], args[2])
            : new ComprehensionNode(macro.Value, target, variable.Name, null, args[1]);
    }

    private static CallNode Call(Token name, List<Node> args)
    {
        if (!Functions.TryGet(name.Text, out var function) || function is null)
        {
            throw new ParseException(name.Start, $"undeclared function '{name.Text}'");
        }
        if (args.Count < function.MinArgs || args.Count > function.MaxArgs)
        {
            throw new ParseException(name.Start, $"wrong number of arguments to '{name.Text}'");
        }
        return new CallNode(function, [.. args]);
    }

    private static MacroKind? MacroOf(string name) => name switch
    {
        "all" => MacroKind.All,
        "exists" => MacroKind.Exists,
        "exists_one" => MacroKind.ExistsOne,
        "map" => MacroKind.Map,
        "filter" => MacroKind.Filter,
        _ => null,
    };
    // Kubernetes escapes schema property names that are not CEL identifiers: a reserved word w is
    // written __w__ (upjet's "has(self.forProvider.__namespace__)"), and "__", ".", "-" and "/"
    // inside a name are __underscores__, __dot__, __dash__ and __slash__.
    private static readonly HashSet<string> ReservedWords = new(StringComparer.Ordinal)
    {
        "true", "false", "null", "in", "as", "break", "const", "continue", "else", "for", "function", "if",
        "import", "let", "loop", "package", "namespace", "return", "var", "void", "while",
    };

    internal static string PropertyName(string name)
    {
        if (!name.Contains("__", StringComparison.Ordinal))
        {
            return name;
        }
        if (name.Length > 4 && name.StartsWith("__", StringComparison.Ordinal) && name.EndsWith("__", StringComparison.Ordinal)
            && ReservedWords.Contains(name[2..^2]))
        {
            return name[2..^2];
        }
        return name.Replace("__underscores__", "\u0000", StringComparison.Ordinal)
            .Replace("__dot__", ".", StringComparison.Ordinal)
            .Replace("__dash__", "-", StringComparison.Ordinal)
            .Replace("__slash__", "/", StringComparison.Ordinal)
            .Replace("\u0000", "__", StringComparison.Ordinal);
    }
}
