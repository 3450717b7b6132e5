// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Modelplane.Cel;

/// <summary>A callable function: its name, how many arguments it takes (a receiver counts as the first) and its body.</summary>
internal sealed record FunctionSpec(string Name, int MinArgs, int MaxArgs, Func<CelValue[], EvalContext, Val> Invoke);

/// <summary>The functions expressions may call.</summary>
/// <remarks>
/// Every function can be called in either style, <c>f(x, y)</c> or <c>x.f(y)</c>: the receiver is
/// simply the first argument. That is what Modelplane accepts for the quantity and semver
/// libraries, and being uniform costs nothing. Names and argument counts are checked when an
/// expression compiles, so a misspelt function is a compile error with a position rather than a
/// selector that silently never matches; argument types are checked when it runs. The set is
/// the DRA selector environment (Kubernetes' quantity and semver libraries) plus the standard
/// functions and the Kubernetes string extensions that XRD validation rules use.
/// </remarks>
internal static class Functions
{
    // RE2 guarantees linear-time matching; the non-backtracking engine gives the same guarantee
    // and rejects the constructs RE2 lacks (backreferences, lookaround). The cost charge (text ×
    // pattern) and the call's budget are what bound the work; the timeout is a backstop for calls
    // without a budget, long enough that building an automaton on a loaded machine never hits it.
    // Patterns go through Re2.Translate first, where the two dialects read the same text differently.
    private static readonly TimeSpan RegexTimeout = TimeSpan.FromSeconds(1);

    private static readonly Dictionary<string, FunctionSpec> Table = new FunctionSpec[]
    {
        // Standard library and Kubernetes string extensions.
        new("size", 1, 1, Size),
        new("startsWith", 2, 2, (a, _) => Strings("startsWith", a, (s, p) => CelValue.FromBool(s.StartsWith(p, StringComparison.Ordinal)))),
        new("endsWith", 2, 2, (a, _) => Strings("endsWith", a, (s, p) => CelValue.FromBool(s.EndsWith(p, StringComparison.Ordinal)))),
        new("contains", 2, 2, (a, _) => Strings("contains", a, (s, p) => CelValue.FromBool(s.Contains(p, StringComparison.Ordinal)))),
        new("matches", 2, 2, Matches),
        new("lowerAscii", 1, 1, (a, _) => a[0].Kind == CelKind.String ? CelValue.FromString(MapAscii(a[0].AsString(), upper: false)) : Val.Fail(Operators.NoOverload("lowerAscii", a))),
        new("upperAscii", 1, 1, (a, _) => a[0].Kind == CelKind.String ? CelValue.FromString(MapAscii(a[0].AsString(), upper: true)) : Val.Fail(Operators.NoOverload("upperAscii", a))),
        new("trim", 1, 1, (a, _) => a[0].Kind == CelKind.String ? CelValue.FromString(a[0].AsString().Trim()) : Val.Fail(Operators.NoOverload("trim", a))),
        new("split", 2, 3, Split),
        new("join", 1, 2, Join),
        new("replace", 3, 4, Replace),
        new("indexOf", 2, 3, (a, c) => IndexOf(a, c, last: false)),
        new("lastIndexOf", 2, 3, (a, c) => IndexOf(a, c, last: true)),
        new("substring", 2, 3, Substring),
        new("charAt", 2, 2, CharAt),

        // Conversions and types.
        new("int", 1, 1, (a, _) => ToInt(a[0])),
        new("uint", 1, 1, (a, _) => ToUint(a[0])),
        new("double", 1, 1, (a, _) => ToDouble(a[0])),
        new("string", 1, 1, (a, _) => ToStringValue(a[0])),
        new("bool", 1, 1, (a, _) => ToBool(a[0])),
        new("type", 1, 1, (a, _) => CelValue.FromTypeName(a[0].TypeName)),
        new("dyn", 1, 1, (a, _) => a[0]),

        // Kubernetes quantity library.
        new("quantity", 1, 1, (a, _) => ParseQuantity(a[0])),
        new("isQuantity", 1, 1, (a, _) => IsQuantity(a[0])),
        new("sign", 1, 1, (a, _) => OnQuantity("sign", a, q => CelValue.FromInt(q.Sign))),
        new("isInteger", 1, 1, (a, _) => OnQuantity("isInteger", a, q => CelValue.FromBool(q.IsInteger))),
        new("asInteger", 1, 1, (a, _) => OnQuantity("asInteger", a, q => q.TryGetInt64(out var n) ? CelValue.FromInt(n) : Val.Fail($"cannot convert {q} to an integer: it is fractional or out of the int64 range"))),
        new("asApproximateFloat", 1, 1, (a, _) => OnQuantity("asApproximateFloat", a, q => CelValue.FromDouble(q.ToDouble()))),
        new("add", 2, 2, (a, _) => QuantityArithmetic("add", a, (x, y) => x.Add(y))),
        new("sub", 2, 2, (a, _) => QuantityArithmetic("sub", a, (x, y) => x.Subtract(y))),

        // Kubernetes semver library.
        new("semver", 1, 2, ParseVersion),
        new("isSemver", 1, 2, IsVersion),
        new("major", 1, 1, (a, _) => OnVersion("major", a, v => v.Major)),
        new("minor", 1, 1, (a, _) => OnVersion("minor", a, v => v.Minor)),
        new("patch", 1, 1, (a, _) => OnVersion("patch", a, v => v.Patch)),

        // Shared by quantities and versions, dispatched on the first argument.
        new("compareTo", 2, 2, (a, _) => Compare("compareTo", a, c => CelValue.FromInt(c))),
        new("isGreaterThan", 2, 2, (a, _) => Compare("isGreaterThan", a, c => CelValue.FromBool(c > 0))),
        new("isLessThan", 2, 2, (a, _) => Compare("isLessThan", a, c => CelValue.FromBool(c < 0))),
    }.ToDictionary(f => f.Name, StringComparer.Ordinal);

    public static bool TryGet(string name, out FunctionSpec? spec) => Table.TryGetValue(name, out spec);

    private static Val Size(CelValue[] a, EvalContext ctx) => a[0].Kind switch
    {
        CelKind.String => CelValue.FromInt(Conversions.CodePointCount(a[0].AsString())),
        CelKind.List => CelValue.FromInt(a[0].ListItems.Length),
        CelKind.Map => CelValue.FromInt(a[0].MapEntries.Count),
        _ => Val.Fail(Operators.NoOverload("size", a)),
    };

    private static Val Strings(string name, CelValue[] a, Func<string, string, CelValue> body) =>
        a[0].Kind == CelKind.String && a[1].Kind == CelKind.String
            ? body(a[0].AsString(), a[1].AsString())
            : Val.Fail(Operators.NoOverload(name, a));

    private static Val Matches(CelValue[] a, EvalContext ctx)
    {
        if (a[0].Kind != CelKind.String || a[1].Kind != CelKind.String)
        {
            return Val.Fail(Operators.NoOverload("matches", a));
        }
        var input = a[0].AsString();
        var pattern = a[1].AsString();
        if (!ctx.Charge(CostModel.Matches(Conversions.CodePointCount(input), Conversions.CodePointCount(pattern))))
        {
            return Val.Fail(EvalContext.CostExceeded);
        }
        ctx.Budget?.ThrowIfExhausted();
        try
        {
            // Static IsMatch goes through Regex's own bounded cache, so a rule applied to every
            // label key compiles its pattern once. The timeout is part of the cache key, so it stays
            // constant (a budget's remaining time would make every call a miss and a fresh compile):
            // a call overruns its budget by at most one timeout.
            var matched = Regex.IsMatch(input, Re2.Translate(pattern), RegexOptions.CultureInvariant | RegexOptions.NonBacktracking, RegexTimeout);
            ctx.Budget?.ThrowIfExhausted();
            return CelValue.FromBool(matched);
        }
        catch (RegexMatchTimeoutException)
        {
            // Out of the call's budget rather than the per-match backstop: end the call, not just this match.
            ctx.Budget?.ThrowIfExhausted();
            return Val.Fail($"regular expression {pattern} timed out");
        }
        catch (NotSupportedException e)
        {
            return Val.Fail($"unsupported regular expression {pattern}: {e.Message}");
        }
        catch (ArgumentException e)
        {
            return Val.Fail($"invalid regular expression {pattern}: {e.Message}");
        }
    }

    private static string MapAscii(string s, bool upper)
    {
        var chars = s.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (upper && char.IsAsciiLetterLower(chars[i]))
            {
                chars[i] = (char)(chars[i] - 'a' + 'A');
            }
            else if (!upper && char.IsAsciiLetterUpper(chars[i]))
            {
                chars[i] = (char)(chars[i] - 'A' + 'a');
            }
        }
        return new string(chars);
    }

    // Go's strings.SplitN: n < 0 splits everywhere, n == 0 yields nothing, n > 0 yields at most n parts.
    private static Val Split(CelValue[] a, EvalContext ctx)
    {
        if (a[0].Kind != CelKind.String || a[1].Kind != CelKind.String || (a.Length == 3 && a[2].Kind != CelKind.Int))
        {
            return Val.Fail(Operators.NoOverload("split", a));
        }
        var s = a[0].AsString();
        var separator = a[1].AsString();
        var limit = a.Length == 3 ? a[2].AsInt() : -1;
        if (!ctx.Charge(s.Length))
        {
            return Val.Fail(EvalContext.CostExceeded);
        }
        if (limit == 0)
        {
            return CelValue.FromArray([]);
        }
        var max = limit < 0 || limit > int.MaxValue ? int.MaxValue : (int)limit;
        string[] parts;
        if (separator.Length == 0)
        {
            var points = Conversions.CodePoints(s);
            var count = Math.Min(points.Length, max);
            parts = new string[count];
            for (var i = 0; i < count; i++)
            {
                parts[i] = i == count - 1 ? Conversions.FromCodePoints(points.AsSpan(i)) : char.ConvertFromUtf32(points[i]);
            }
        }
        else
        {
            parts = s.Split(separator, max);
        }
        return CelValue.FromArray(Array.ConvertAll(parts, CelValue.FromString));
    }

    private static Val Join(CelValue[] a, EvalContext ctx)
    {
        if (a[0].Kind != CelKind.List || (a.Length == 2 && a[1].Kind != CelKind.String))
        {
            return Val.Fail(Operators.NoOverload("join", a));
        }
        var items = a[0].ListItems;
        var parts = new string[items.Length];
        for (var i = 0; i < items.Length; i++)
        {
            if (items[i].Kind != CelKind.String)
            {
                return Val.Fail($"join needs a list of strings, found {items[i].TypeName}");
            }
            parts[i] = items[i].AsString();
        }
        var separator = a.Length == 2 ? a[1].AsString() : "";
        var length = Saturating.Multiply(separator.Length, Math.Max(0, parts.Length - 1));
        foreach (var part in parts)
        {
            length = Saturating.Add(length, part.Length);
        }
        return ctx.Charge(length) ? CelValue.FromString(string.Join(separator, parts)) : Val.Fail(EvalContext.CostExceeded);
    }

    // Go's strings.Replace: at most n replacements (all when n < 0); an empty needle matches
    // before every code point and at the end.
    private static Val Replace(CelValue[] a, EvalContext ctx)
    {
        if (a[0].Kind != CelKind.String || a[1].Kind != CelKind.String || a[2].Kind != CelKind.String || (a.Length == 4 && a[3].Kind != CelKind.Int))
        {
            return Val.Fail(Operators.NoOverload("replace", a));
        }
        var s = a[0].AsString();
        var needle = a[1].AsString();
        var replacement = a[2].AsString();
        var remaining = a.Length == 4 && a[3].AsInt() >= 0 ? a[3].AsInt() : long.MaxValue;
        // Count first, build second: the result can be the input times the replacement, and building
        // 50 MB to find it is over the limit is the work the limit exists to prevent.
        var occurrences = Math.Min(remaining, needle.Length == 0 ? Conversions.CodePointCount(s) + 1L : CountOccurrences(s, needle));
        var resultLength = Saturating.Add(s.Length - (occurrences * needle.Length), Saturating.Multiply(occurrences, replacement.Length));
        if (!ctx.Charge(Saturating.Add(s.Length, resultLength)))
        {
            return Val.Fail(EvalContext.CostExceeded);
        }
        var text = new StringBuilder((int)resultLength);
        if (needle.Length == 0)
        {
            foreach (var rune in s.EnumerateRunes())
            {
                if (remaining-- > 0)
                {
                    text.Append(replacement);
                }
                text.Append(rune.ToString());
            }
            if (remaining > 0)
            {
                text.Append(replacement);
            }
        }
        else
        {
            var start = 0;
            while (remaining-- > 0)
            {
                var found = s.IndexOf(needle, start, StringComparison.Ordinal);
                if (found < 0)
                {
                    break;
                }
                text.Append(s, start, found - start).Append(replacement);
                start = found + needle.Length;
            }
            text.Append(s, start, s.Length - start);
        }
        return CelValue.FromString(text.ToString());
    }

    // Non-overlapping, left to right, as strings.Replace finds them.
    private static long CountOccurrences(string s, string needle)
    {
        long count = 0;
        for (var i = s.IndexOf(needle, StringComparison.Ordinal); i >= 0; i = s.IndexOf(needle, i + needle.Length, StringComparison.Ordinal))
        {
            count++;
        }
        return count;
    }

    // Positions are code-point indices; the optional third argument is where the search starts
    // (indexOf) or the last position a match may start at (lastIndexOf).
    private static Val IndexOf(CelValue[] a, EvalContext ctx, bool last)
    {
        var name = last ? "lastIndexOf" : "indexOf";
        if (a[0].Kind != CelKind.String || a[1].Kind != CelKind.String || (a.Length == 3 && a[2].Kind != CelKind.Int))
        {
            return Val.Fail(Operators.NoOverload(name, a));
        }
        var s = Conversions.CodePoints(a[0].AsString());
        var sub = Conversions.CodePoints(a[1].AsString());
        if (!ctx.Charge((long)s.Length * Math.Max(1, sub.Length)))
        {
            return Val.Fail(EvalContext.CostExceeded);
        }
        var offset = a.Length == 3 ? a[2].AsInt() : last ? s.Length : 0;
        if (offset < 0 || offset > s.Length)
        {
            return Val.Fail($"{name}: index {offset} out of range for a string of size {s.Length}");
        }
        if (last)
        {
            for (var i = (int)Math.Min(offset, s.Length - sub.Length); i >= 0; i--)
            {
                if (s.AsSpan(i, sub.Length).SequenceEqual(sub))
                {
                    return CelValue.FromInt(i);
                }
            }
        }
        else
        {
            for (var i = (int)offset; i + sub.Length <= s.Length; i++)
            {
                if (s.AsSpan(i, sub.Length).SequenceEqual(sub))
                {
                    return CelValue.FromInt(i);
                }
            }
        }
        return CelValue.FromInt(-1);
    }

    private static Val Substring(CelValue[] a, EvalContext ctx)
    {
        if (a[0].Kind != CelKind.String || a[1].Kind != CelKind.Int || (a.Length == 3 && a[2].Kind != CelKind.Int))
        {
            return Val.Fail(Operators.NoOverload("substring", a));
        }
        var s = Conversions.CodePoints(a[0].AsString());
        var start = a[1].AsInt();
        var end = a.Length == 3 ? a[2].AsInt() : s.Length;
        if (start < 0 || start > s.Length || end < start || end > s.Length)
        {
            return Val.Fail($"substring: range [{start}, {end}) out of range for a string of size {s.Length}");
        }
        return ctx.Charge(s.Length) ? CelValue.FromString(Conversions.FromCodePoints(s.AsSpan((int)start, (int)(end - start)))) : Val.Fail(EvalContext.CostExceeded);
    }

    private static Val CharAt(CelValue[] a, EvalContext ctx)
    {
        if (a[0].Kind != CelKind.String || a[1].Kind != CelKind.Int)
        {
            return Val.Fail(Operators.NoOverload("charAt", a));
        }
        var s = Conversions.CodePoints(a[0].AsString());
        var i = a[1].AsInt();
        if (i < 0 || i > s.Length)
        {
            return Val.Fail($"charAt: index {i} out of range for a string of size {s.Length}");
        }
        return CelValue.FromString(i == s.Length ? "" : char.ConvertFromUtf32(s[i]));
    }

    private static Val ToInt(CelValue v)
    {
        switch (v.Kind)
        {
            case CelKind.Int:
                return v;
            case CelKind.Uint:
                return v.AsUint() > long.MaxValue ? Val.Fail(Operators.Overflow) : CelValue.FromInt((long)v.AsUint());
            case CelKind.Double:
                // Both bounds exclusive, as in cel-go: the double nearest 2⁶³−1 is 2⁶³ itself.
                var d = v.AsDouble();
                return double.IsNaN(d) || d <= -9.2233720368547758e18 || d >= 9.2233720368547758e18
                    ? Val.Fail(Operators.Overflow)
                    : CelValue.FromInt((long)d);
            case CelKind.String:
                return long.TryParse(v.AsString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)
                    ? CelValue.FromInt(n)
                    : Val.Fail($"cannot convert \"{v.AsString()}\" to int");
            default:
                return Val.Fail(Operators.NoOverload("int", v));
        }
    }

    private static Val ToUint(CelValue v)
    {
        switch (v.Kind)
        {
            case CelKind.Uint:
                return v;
            case CelKind.Int:
                return v.AsInt() < 0 ? Val.Fail(Operators.Overflow) : CelValue.FromUint((ulong)v.AsInt());
            case CelKind.Double:
                var d = v.AsDouble();
                return double.IsNaN(d) || d < 0 || d >= 1.8446744073709552e19
                    ? Val.Fail(Operators.Overflow)
                    : CelValue.FromUint((ulong)d);
            case CelKind.String:
                return ulong.TryParse(v.AsString(), NumberStyles.None, CultureInfo.InvariantCulture, out var n)
                    ? CelValue.FromUint(n)
                    : Val.Fail($"cannot convert \"{v.AsString()}\" to uint");
            default:
                return Val.Fail(Operators.NoOverload("uint", v));
        }
    }

    private static Val ToDouble(CelValue v)
    {
        switch (v.Kind)
        {
            case CelKind.Double:
                return v;
            case CelKind.Int:
                return CelValue.FromDouble(v.AsInt());
            case CelKind.Uint:
                return CelValue.FromDouble(v.AsUint());
            case CelKind.String:
                var s = v.AsString();
                var special = s.ToLowerInvariant() switch
                {
                    "nan" or "+nan" or "-nan" => double.NaN,
                    "inf" or "+inf" or "infinity" or "+infinity" => double.PositiveInfinity,
                    "-inf" or "-infinity" => double.NegativeInfinity,
                    _ => (double?)null,
                };
                if (special is not null)
                {
                    return CelValue.FromDouble(special.Value);
                }
                return double.TryParse(s, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var d)
                    ? CelValue.FromDouble(d)
                    : Val.Fail($"cannot convert \"{s}\" to double");
            default:
                return Val.Fail(Operators.NoOverload("double", v));
        }
    }

    private static Val ToStringValue(CelValue v) => v.Kind switch
    {
        CelKind.String => v,
        CelKind.Int => CelValue.FromString(v.AsInt().ToString(CultureInfo.InvariantCulture)),
        CelKind.Uint => CelValue.FromString(v.AsUint().ToString(CultureInfo.InvariantCulture)),
        CelKind.Double => CelValue.FromString(Conversions.FormatDouble(v.AsDouble())),
        CelKind.Bool => CelValue.FromString(v.AsBool() ? "true" : "false"),
        CelKind.Quantity => CelValue.FromString(v.AsQuantity().ToString()),
        CelKind.Version => CelValue.FromString(v.AsVersion().ToString()),
        _ => Val.Fail(Operators.NoOverload("string", v)),
    };

    // Go's strconv.ParseBool spellings.
    private static Val ToBool(CelValue v) => v.Kind switch
    {
        CelKind.Bool => v,
        CelKind.String => v.AsString() switch
        {
            "1" or "t" or "T" or "true" or "TRUE" or "True" => CelValue.True,
            "0" or "f" or "F" or "false" or "FALSE" or "False" => CelValue.False,
            _ => Val.Fail($"cannot convert \"{v.AsString()}\" to bool"),
        },
        _ => Val.Fail(Operators.NoOverload("bool", v)),
    };

    private static Val ParseQuantity(CelValue v)
    {
        if (v.Kind != CelKind.String)
        {
            return Val.Fail(Operators.NoOverload("quantity", v));
        }
        return Quantity.TryParse(v.AsString(), out var q, out var error) ? CelValue.FromQuantity(q) : Val.Fail(error);
    }

    private static Val IsQuantity(CelValue v) =>
        v.Kind == CelKind.String ? CelValue.FromBool(Quantity.TryParse(v.AsString(), out _)) : Val.Fail(Operators.NoOverload("isQuantity", v));

    private static Val OnQuantity(string name, CelValue[] a, Func<Quantity, Val> body) =>
        a[0].Kind == CelKind.Quantity ? body(a[0].AsQuantity()) : Val.Fail(Operators.NoOverload(name, a));

    // add and sub take a quantity or an int on the right; the int is a whole-unit quantity.
    private static Val QuantityArithmetic(string name, CelValue[] a, Func<Quantity, Quantity, Quantity> body)
    {
        if (a[0].Kind != CelKind.Quantity)
        {
            return Val.Fail(Operators.NoOverload(name, a));
        }
        return a[1].Kind switch
        {
            CelKind.Quantity => CelValue.FromQuantity(body(a[0].AsQuantity(), a[1].AsQuantity())),
            CelKind.Int => CelValue.FromQuantity(body(a[0].AsQuantity(), Quantity.FromInt64(a[1].AsInt(), QuantityFormat.DecimalExponent))),
            _ => Val.Fail(Operators.NoOverload(name, a)),
        };
    }

    private static Val ParseVersion(CelValue[] a, EvalContext ctx)
    {
        if (a[0].Kind != CelKind.String || (a.Length == 2 && a[1].Kind != CelKind.Bool))
        {
            return Val.Fail(Operators.NoOverload("semver", a));
        }
        var normalize = a.Length == 2 && a[1].AsBool();
        return SemVersion.TryParse(a[0].AsString(), normalize, out var version, out var error) ? CelValue.FromVersion(version) : Val.Fail(error);
    }

    private static Val IsVersion(CelValue[] a, EvalContext ctx)
    {
        if (a[0].Kind != CelKind.String || (a.Length == 2 && a[1].Kind != CelKind.Bool))
        {
            return Val.Fail(Operators.NoOverload("isSemver", a));
        }
        return CelValue.FromBool(SemVersion.TryParse(a[0].AsString(), a.Length == 2 && a[1].AsBool(), out _));
    }

    private static Val OnVersion(string name, CelValue[] a, Func<SemVersion, ulong> part)
    {
        if (a[0].Kind != CelKind.Version)
        {
            return Val.Fail(Operators.NoOverload(name, a));
        }
        var value = part(a[0].AsVersion());
        return value > long.MaxValue ? Val.Fail(Operators.Overflow) : CelValue.FromInt((long)value);
    }

    private static Val Compare(string name, CelValue[] a, Func<int, CelValue> result) => (a[0].Kind, a[1].Kind) switch
    {
        (CelKind.Quantity, CelKind.Quantity) => result(Math.Sign(a[0].AsQuantity().CompareTo(a[1].AsQuantity()))),
        (CelKind.Version, CelKind.Version) => result(a[0].AsVersion().CompareTo(a[1].AsVersion())),
        _ => Val.Fail(Operators.NoOverload(name, a)),
    };
}
