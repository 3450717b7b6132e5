// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Globalization;
using System.Text;

namespace Modelplane.Cel;

/// <summary>Text conversions shared by the evaluator and value printing.</summary>
/// <remarks>
/// CEL's reference implementation is Go, and <c>string(1.5)</c> there is Go's <c>%g</c>: the
/// shortest digits that round-trip, in exponent form when the decimal exponent is below −4 or at
/// least 6 (<c>1e+06</c>, <c>1e-05</c>, <c>123456</c>). .NET's round-trip format gives the same
/// digits but switches to exponent form at other thresholds, so we re-lay the digits out ourselves.
/// </remarks>
internal static class Conversions
{
    public static string FormatDouble(double d)
    {
        if (double.IsNaN(d))
        {
            return "NaN";
        }
        if (double.IsInfinity(d))
        {
            return d > 0 ? "+Inf" : "-Inf";
        }
        if (d == 0)
        {
            return double.IsNegative(d) ? "-0" : "0";
        }

        // Shortest round-trip digits and the position of the decimal point: value = 0.digits × 10^point.
        var roundTrip = Math.Abs(d).ToString("R", CultureInfo.InvariantCulture);
        var e = roundTrip.IndexOf('E', StringComparison.Ordinal);
        var mantissa = e < 0 ? roundTrip : roundTrip[..e];
        var exponent = e < 0 ? 0 : int.Parse(roundTrip.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        var point = (dot < 0 ? mantissa.Length : dot) + exponent;
        var digits = mantissa.Replace(".", "", StringComparison.Ordinal);
        var leading = digits.Length - digits.TrimStart('0').Length;
        digits = digits.TrimStart('0').TrimEnd('0');
        point -= leading;

        var text = new StringBuilder();
        if (d < 0)
        {
            text.Append('-');
        }
        var x = point - 1;
        if (x < -4 || x >= 6)
        {
            text.Append(digits[0]);
            if (digits.Length > 1)
            {
                text.Append('.').Append(digits, 1, digits.Length - 1);
            }
            text.Append('e').Append(x < 0 ? '-' : '+').Append(Math.Abs(x).ToString("D2", CultureInfo.InvariantCulture));
        }
        else if (point <= 0)
        {
            text.Append("0.").Append('0', -point).Append(digits);
        }
        else if (point >= digits.Length)
        {
            text.Append(digits).Append('0', point - digits.Length);
        }
        else
        {
            text.Append(digits, 0, point).Append('.').Append(digits, point, digits.Length - point);
        }
        return text.ToString();
    }

    /// <summary>Appends a string as a double-quoted CEL literal.</summary>
    public static void Quote(StringBuilder text, string value)
    {
        text.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"':
                    text.Append("\\\"");
                    break;
                case '\\':
                    text.Append("\\\\");
                    break;
                case '\n':
                    text.Append("\\n");
                    break;
                case '\r':
                    text.Append("\\r");
                    break;
                case '\t':
                    text.Append("\\t");
                    break;
                case < ' ':
                    text.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                    break;
                default:
                    text.Append(c);
                    break;
            }
        }
        text.Append('"');
    }

    /// <summary>The number of Unicode code points, which is what CEL calls a string's size.</summary>
    public static int CodePointCount(string s)
    {
        var count = 0;
        for (var i = 0; i < s.Length; i++)
        {
            if (!(char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])))
            {
                count++;
            }
        }
        return count;
    }

    /// <summary>The string as code points, for functions that index by code point.</summary>
    public static int[] CodePoints(string s)
    {
        var points = new List<int>(s.Length);
        foreach (var rune in s.EnumerateRunes())
        {
            points.Add(rune.Value);
        }
        return [.. points];
    }

    public static string FromCodePoints(ReadOnlySpan<int> points)
    {
        var text = new StringBuilder(points.Length);
        foreach (var p in points)
        {
            text.Append(char.ConvertFromUtf32(p));
        }
        return text.ToString();
    }

    /// <summary>Orders strings by code point, as CEL does; UTF-16 order differs past U+FFFF.</summary>
    public static int CompareCodePoints(string a, string b)
    {
        var i = 0;
        var j = 0;
        while (i < a.Length && j < b.Length)
        {
            Rune.DecodeFromUtf16(a.AsSpan(i), out var ra, out var na);
            Rune.DecodeFromUtf16(b.AsSpan(j), out var rb, out var nb);
            if (ra.Value != rb.Value)
            {
                return ra.Value < rb.Value ? -1 : 1;
            }
            i += na;
            j += nb;
        }
        return (a.Length - i).CompareTo(b.Length - j) switch { < 0 => -1, > 0 => 1, _ => 0 };
    }
}
