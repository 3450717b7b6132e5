// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text;

namespace Modelplane.Cel;

/// <summary>Rewrites the RE2 constructs whose .NET meaning differs, so <c>matches()</c> agrees with Kubernetes.</summary>
/// <remarks>
/// <para>
/// Kubernetes evaluates <c>matches()</c> with RE2. .NET's syntax is nearly a superset, but two
/// differences change results on realistic input. Outside multi-line mode RE2's <c>$</c> matches only
/// at the end of the text, while .NET's also matches before a final newline, so a YAML block scalar
/// such as <c>"value\n"</c> would pass <c>^[a-z]+$</c> here and fail on the API server; we rewrite
/// <c>$</c> as <c>\z</c>. And RE2's <c>\d</c>, <c>\w</c> and <c>\s</c> are ASCII classes where .NET's
/// are Unicode ones; we spell them out. Constructs RE2 lacks (backreferences, lookaround) are
/// refused by the non-backtracking engine. Remaining known differences, all exotic for label and
/// name validation: <c>\b</c> uses Unicode word characters, and case folding under <c>(?i)</c> is
/// .NET's.
/// </para>
/// <para>
/// RE2 matches code points where .NET matches UTF-16 units, so <c>.</c> and negated classes would
/// see a character outside the Basic Multilingual Plane (an emoji, a CJK extension ideograph) as
/// two: <c>^.$</c> would fail on one emoji and <c>^.{1,63}$</c> would count it twice. Each becomes
/// "a surrogate pair, or what it was", so one code point is one match.
/// </para>
/// </remarks>
internal static class Re2
{
    private const string Word = "0-9A-Za-z_";
    private const string Space = "\t\n\f\r ";

    // "A surrogate pair, or": put before an alternative that matches one UTF-16 unit other than a
    // surrogate, it makes the whole match exactly one code point (never half of one).
    private const string PairOr = @"(?:[\uD800-\uDBFF][\uDC00-\uDFFF]|";
    private const string Surrogates = @"\uD800-\uDFFF";

    public static string Translate(string pattern)
    {
        var multiline = HasFlag(pattern, 'm');
        var dotAll = HasFlag(pattern, 's');
        var text = new StringBuilder(pattern.Length + 8);
        var inClass = false;
        var classStart = -1;
        var negatedAt = -1;
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '\\' && i + 1 < pattern.Length)
            {
                var next = pattern[++i];
                var replacement = (next, inClass) switch
                {
                    ('d', true) => "0-9",
                    ('d', false) => "[0-9]",
                    ('D', false) => $"{PairOr}[^0-9{Surrogates}])",
                    ('w', true) => Word,
                    ('w', false) => $"[{Word}]",
                    ('W', false) => $"{PairOr}[^{Word}{Surrogates}])",
                    ('s', true) => Space,
                    ('s', false) => $"[{Space}]",
                    ('S', false) => $"{PairOr}[^{Space}{Surrogates}])",
                    _ => null,
                };
                text.Append(replacement ?? $"\\{next}");
                continue;
            }
            if (inClass)
            {
                // A ']' straight after '[' or '[^' is a literal, not the end of the class.
                if (c == ']' && i > classStart)
                {
                    inClass = false;
                    if (negatedAt >= 0)
                    {
                        text.Insert(negatedAt, PairOr);
                        text.Append(Surrogates).Append(c).Append(')');
                        negatedAt = -1;
                        continue;
                    }
                }
                text.Append(c);
                continue;
            }
            if (c == '[')
            {
                inClass = true;
                classStart = i + 1 < pattern.Length && pattern[i + 1] == '^' ? i + 2 : i + 1;
                negatedAt = classStart == i + 2 ? text.Length : -1;
                text.Append(c);
                if (classStart == i + 2)
                {
                    text.Append('^');
                    i++;
                }
                continue;
            }
            text.Append(c switch
            {
                '$' when !multiline => "\\z",
                '.' => dotAll ? $"{PairOr}[^{Surrogates}])" : $"{PairOr}[^\n{Surrogates}])",
                _ => c.ToString(),
            });
        }
        return text.ToString();
    }

    // True when a flag group such as (?m) or (?im:…) turns the flag on.
    private static bool HasFlag(string pattern, char flag)
    {
        for (var i = pattern.IndexOf("(?", StringComparison.Ordinal); i >= 0; i = pattern.IndexOf("(?", i + 2, StringComparison.Ordinal))
        {
            for (var j = i + 2; j < pattern.Length && char.IsAsciiLetter(pattern[j]); j++)
            {
                if (pattern[j] == flag)
                {
                    return true;
                }
            }
        }
        return false;
    }
}
