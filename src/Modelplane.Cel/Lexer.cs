// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Globalization;
using System.Text;

namespace Modelplane.Cel;

internal enum TokenKind
{
    End,
    Ident,
    Int,
    Uint,
    Double,
    String,
    True,
    False,
    Null,
    In,
    LParen,
    RParen,
    LBracket,
    RBracket,
    LBrace,
    RBrace,
    Dot,
    Comma,
    Colon,
    Question,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    Bang,
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    And,
    Or,
}

/// <summary>One token: its kind, where it starts (a UTF-16 offset), its source text and its literal value.</summary>
internal readonly record struct Token(TokenKind Kind, int Start, string Text, ulong IntValue = 0, double DoubleValue = 0, string? StringValue = null);

/// <summary>A syntax error at a source offset; <see cref="CelProgram"/> turns it into a <see cref="CelCompileError"/>.</summary>
// CA1064 wants exceptions public; this one is the parser's unwinding mechanism and never leaves the assembly.
#pragma warning disable CA1064
internal sealed class ParseException(int position, string message) : Exception(message)
#pragma warning restore CA1064
{
    public int Position { get; } = position;
}

/// <summary>Splits CEL source into tokens, following the CEL language definition's lexical rules.</summary>
/// <remarks>
/// Strings support every CEL form: single, double and triple quotes, the <c>r</c> raw prefix and
/// the escapes <c>\n \t \\ \" \' \` \? \a \b \f \r \v</c>, <c>\xHH</c>, <c>\uHHHH</c>,
/// <c>\UHHHHHHHH</c> and three-digit octal. Bytes literals (<c>b"…"</c>) are refused: nothing a
/// selector or validation rule reads is bytes. Integer literals keep their magnitude unsigned so the
/// parser can accept <c>-9223372036854775808</c>, whose magnitude alone does not fit in an int64.
/// </remarks>
internal sealed class Lexer
{
    // Reserved by the CEL specification for future use; using one as a name is an error.
    private static readonly HashSet<string> Reserved = new(StringComparer.Ordinal)
    {
        "as", "break", "const", "continue", "else", "for", "function", "if", "import", "let", "loop",
        "package", "namespace", "return", "var", "void", "while",
    };

    private readonly string _source;
    private readonly List<Token> _tokens = [];
    private int _pos;

    private Lexer(string source) => _source = source;

    public static bool IsReserved(string name) => Reserved.Contains(name);

    public static List<Token> Tokenize(string source)
    {
        var lexer = new Lexer(source);
        lexer.Run();
        return lexer._tokens;
    }

    private void Run()
    {
        while (true)
        {
            SkipWhitespaceAndComments();
            if (_pos >= _source.Length)
            {
                _tokens.Add(new Token(TokenKind.End, _pos, ""));
                return;
            }
            var start = _pos;
            var c = _source[_pos];
            if (char.IsAsciiLetter(c) || c == '_')
            {
                LexWord(start);
            }
            else if (char.IsAsciiDigit(c) || (c == '.' && char.IsAsciiDigit(PeekChar(1))))
            {
                LexNumber(start);
            }
            else if (c is '"' or '\'')
            {
                LexString(start, raw: false);
            }
            else
            {
                LexPunctuation(start, c);
            }
        }
    }

    private char PeekChar(int ahead) => _pos + ahead < _source.Length ? _source[_pos + ahead] : '\0';

    private void SkipWhitespaceAndComments()
    {
        while (_pos < _source.Length)
        {
            var c = _source[_pos];
            if (c is ' ' or '\t' or '\n' or '\r' or '\f')
            {
                _pos++;
            }
            else if (c == '/' && PeekChar(1) == '/')
            {
                while (_pos < _source.Length && _source[_pos] != '\n')
                {
                    _pos++;
                }
            }
            else
            {
                return;
            }
        }
    }

    private void LexWord(int start)
    {
        while (_pos < _source.Length && (char.IsAsciiLetterOrDigit(_source[_pos]) || _source[_pos] == '_'))
        {
            _pos++;
        }
        var word = _source[start.._pos];

        // A string prefix: r/R for raw strings; b/B would be bytes, which we do not support.
        if (_pos < _source.Length && _source[_pos] is '"' or '\'' && word.Length <= 2 && word.All(ch => ch is 'r' or 'R' or 'b' or 'B'))
        {
            if (word.Any(ch => ch is 'b' or 'B'))
            {
                throw new ParseException(start, "bytes literals are not supported");
            }
            if (word.Length == 1)
            {
                LexString(start, raw: true);
                return;
            }
        }

        var kind = word switch
        {
            "true" => TokenKind.True,
            "false" => TokenKind.False,
            "null" => TokenKind.Null,
            "in" => TokenKind.In,
            _ => TokenKind.Ident,
        };
        _tokens.Add(new Token(kind, start, word));
    }

    private void LexNumber(int start)
    {
        if (_source[_pos] == '0' && PeekChar(1) is 'x' or 'X')
        {
            _pos += 2;
            var digitsStart = _pos;
            while (_pos < _source.Length && char.IsAsciiHexDigit(_source[_pos]))
            {
                _pos++;
            }
            if (_pos == digitsStart)
            {
                throw new ParseException(start, "hexadecimal literal has no digits");
            }
            if (!ulong.TryParse(_source.AsSpan(digitsStart, _pos - digitsStart), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex))
            {
                throw new ParseException(start, "integer literal out of range");
            }
            AddInteger(start, hex);
            return;
        }

        SkipDigits();
        var isDouble = false;
        if (PeekChar(0) == '.' && char.IsAsciiDigit(PeekChar(1)))
        {
            isDouble = true;
            _pos++;
            SkipDigits();
        }
        if (PeekChar(0) is 'e' or 'E'
            && (char.IsAsciiDigit(PeekChar(1)) || (PeekChar(1) is '+' or '-' && char.IsAsciiDigit(PeekChar(2)))))
        {
            isDouble = true;
            _pos += 2;
            SkipDigits();
        }

        var text = _source[start.._pos];
        if (isDouble)
        {
            var value = double.Parse(text, NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture);
            if (double.IsInfinity(value))
            {
                throw new ParseException(start, "double literal out of range");
            }
            _tokens.Add(new Token(TokenKind.Double, start, text, DoubleValue: value));
            return;
        }
        if (!ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var magnitude))
        {
            throw new ParseException(start, "integer literal out of range");
        }
        AddInteger(start, magnitude);
    }

    private void AddInteger(int start, ulong magnitude)
    {
        if (PeekChar(0) is 'u' or 'U')
        {
            _pos++;
            _tokens.Add(new Token(TokenKind.Uint, start, _source[start.._pos], IntValue: magnitude));
            return;
        }
        _tokens.Add(new Token(TokenKind.Int, start, _source[start.._pos], IntValue: magnitude));
    }

    private void SkipDigits()
    {
        while (_pos < _source.Length && char.IsAsciiDigit(_source[_pos]))
        {
            _pos++;
        }
    }

    private void LexString(int start, bool raw)
    {
        var quote = _source[_pos];
        var triple = PeekChar(1) == quote && PeekChar(2) == quote;
        _pos += triple ? 3 : 1;
        var value = new StringBuilder();
        while (true)
        {
            if (_pos >= _source.Length)
            {
                throw new ParseException(start, "unterminated string literal");
            }
            var c = _source[_pos];
            if (c == quote && (!triple || (PeekChar(1) == quote && PeekChar(2) == quote)))
            {
                _pos += triple ? 3 : 1;
                break;
            }
            if (!triple && c is '\n' or '\r')
            {
                throw new ParseException(start, "unterminated string literal");
            }
            if (c == '\\' && !raw)
            {
                LexEscape(value);
                continue;
            }
            value.Append(c);
            _pos++;
        }
        _tokens.Add(new Token(TokenKind.String, start, _source[start.._pos], StringValue: value.ToString()));
    }

    private void LexEscape(StringBuilder value)
    {
        var start = _pos;
        var c = PeekChar(1);
        _pos += 2;
        switch (c)
        {
            case '\\' or '?' or '"' or '\'' or '`':
                value.Append(c);
                return;
            case 'a':
                value.Append('\a');
                return;
            case 'b':
                value.Append('\b');
                return;
            case 'f':
                value.Append('\f');
                return;
            case 'n':
                value.Append('\n');
                return;
            case 'r':
                value.Append('\r');
                return;
            case 't':
                value.Append('\t');
                return;
            case 'v':
                value.Append('\v');
                return;
            case 'x' or 'X':
                AppendCodePoint(value, start, ReadHex(start, 2));
                return;
            case 'u':
                AppendCodePoint(value, start, ReadHex(start, 4));
                return;
            case 'U':
                AppendCodePoint(value, start, ReadHex(start, 8));
                return;
            case >= '0' and <= '3' when PeekChar(0) is >= '0' and <= '7' && PeekChar(1) is >= '0' and <= '7':
                var octal = ((c - '0') * 64) + ((PeekChar(0) - '0') * 8) + (PeekChar(1) - '0');
                _pos += 2;
                value.Append((char)octal);
                return;
            default:
                throw new ParseException(start, c == '\0' && start + 1 >= _source.Length
                    ? "unterminated string literal"
                    : $"invalid escape sequence '\\{c}'");
        }
    }

    private int ReadHex(int start, int digits)
    {
        if (_pos + digits > _source.Length
            || !int.TryParse(_source.AsSpan(_pos, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
        {
            throw new ParseException(start, $"invalid escape sequence: expected {digits} hexadecimal digits");
        }
        _pos += digits;
        return code;
    }

    private static void AppendCodePoint(StringBuilder value, int start, int code)
    {
        if (code > 0x10FFFF || code < 0 || (code >= 0xD800 && code <= 0xDFFF))
        {
            throw new ParseException(start, $"invalid escape sequence: U+{code:X} is not a Unicode scalar value");
        }
        value.Append(char.ConvertFromUtf32(code));
    }

    private void LexPunctuation(int start, char c)
    {
        var next = PeekChar(1);
        (TokenKind Kind, int Length) token = c switch
        {
            '(' => (TokenKind.LParen, 1),
            ')' => (TokenKind.RParen, 1),
            '[' => (TokenKind.LBracket, 1),
            ']' => (TokenKind.RBracket, 1),
            '{' => (TokenKind.LBrace, 1),
            '}' => (TokenKind.RBrace, 1),
            '.' => (TokenKind.Dot, 1),
            ',' => (TokenKind.Comma, 1),
            ':' => (TokenKind.Colon, 1),
            '?' => (TokenKind.Question, 1),
            '+' => (TokenKind.Plus, 1),
            '-' => (TokenKind.Minus, 1),
            '*' => (TokenKind.Star, 1),
            '/' => (TokenKind.Slash, 1),
            '%' => (TokenKind.Percent, 1),
            '!' when next == '=' => (TokenKind.NotEqual, 2),
            '!' => (TokenKind.Bang, 1),
            '=' when next == '=' => (TokenKind.Equal, 2),
            '<' when next == '=' => (TokenKind.LessOrEqual, 2),
            '<' => (TokenKind.Less, 1),
            '>' when next == '=' => (TokenKind.GreaterOrEqual, 2),
            '>' => (TokenKind.Greater, 1),
            '&' when next == '&' => (TokenKind.And, 2),
            '|' when next == '|' => (TokenKind.Or, 2),
            _ => throw new ParseException(start, c == '=' ? "unexpected '=': use '==' to compare" : $"unexpected character '{c}'"),
        };
        _pos += token.Length;
        _tokens.Add(new Token(token.Kind, start, _source.Substring(start, token.Length)));
    }
}
