// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Numerics;
using System.Text;

namespace Modelplane.Cel;

/// <summary>How a <see cref="Quantity"/> was written, which decides how it is printed.</summary>
public enum QuantityFormat
{
    /// <summary>Plain numbers and the decimal SI suffixes n, u, m, k, M, G, T, P, E.</summary>
    DecimalSI,

    /// <summary>The binary suffixes Ki, Mi, Gi, Ti, Pi, Ei.</summary>
    BinarySI,

    /// <summary>A decimal exponent such as <c>1e3</c> or <c>5E-2</c>.</summary>
    DecimalExponent,
}

/// <summary>A Kubernetes resource quantity such as <c>141Gi</c>, <c>500m</c> or <c>1e3</c>.</summary>
/// <remarks>
/// The value is held exactly as a whole number of nano-units (10⁻⁹), because that is the finest
/// scale Kubernetes keeps: parsing rounds anything finer up, away from zero, so a request for a
/// sliver of a resource still asks for some (<c>0.0000000004</c> equals <c>1n</c>). Binary-suffixed
/// values saturate at ±(2⁶³−1) as <c>resource.ParseQuantity</c> does, so <c>8Ei</c>, <c>10Ei</c> and
/// <c>100Ei</c> are all 9223372036854775807; decimal values do not (<c>256E</c> keeps its value).
/// Comparison and equality look at the value only (<c>200M</c> equals <c>0.2G</c>); the format is
/// remembered solely to print the canonical form Kubernetes would (<c>1.5Gi</c> prints as
/// <c>1536Mi</c>, <c>1.5</c> as <c>1500m</c>).
/// Parsing follows Modelplane's reading of the Kubernetes grammar: a number
/// (<c>[+-]?(\d+(\.\d*)?|\.\d+)</c>) then one optional suffix, no whitespace. A bare suffix such as
/// <c>Mi</c> is rejected (Kubernetes reads it as zero, which only ever hides a typo). Values of
/// 10⁵¹ or more are rejected too: Modelplane computes at 60 significant digits including the nine
/// below the point, and an unbounded exponent (<c>1e999999999</c>) would otherwise cost unbounded
/// memory.
/// </remarks>
public readonly struct Quantity : IEquatable<Quantity>, IComparable<Quantity>
{
    private static readonly BigInteger NanosPerUnit = 1_000_000_000;

    // resource.ParseQuantity caps binary quantities at the int64 maximum, in whole units.
    private static readonly BigInteger MaxBinaryNanos = long.MaxValue * NanosPerUnit;

    // 60 significant digits at nano scale: the precision Modelplane's Decimal context works in.
    private static readonly BigInteger NanoLimit = BigInteger.Pow(10, LimitDigits);

    private const int LimitDigits = 60;

    // Exponents are read up to this magnitude; any larger one is out of range or rounds to a single
    // nano-unit anyway, and stopping there keeps the arithmetic in an int.
    private const int ExponentCap = 100_000_000;

    private static readonly (string Suffix, int Power)[] BinarySuffixes =
    [
        ("Ki", 10), ("Mi", 20), ("Gi", 30), ("Ti", 40), ("Pi", 50), ("Ei", 60),
    ];

    private readonly BigInteger _nanos;

    private Quantity(BigInteger nanos, QuantityFormat format)
    {
        _nanos = nanos;
        Format = format;
    }

    /// <summary>The format the quantity was written in; it affects <see cref="ToString"/> only.</summary>
    public QuantityFormat Format { get; }

    /// <summary>−1, 0 or 1.</summary>
    public int Sign => _nanos.Sign;

    /// <summary>True when the value is a whole number that fits in a 64-bit signed integer.</summary>
    public bool IsInteger => TryGetInt64(out _);

    internal BigInteger Nanos => _nanos;

    /// <summary>A whole-number quantity.</summary>
    public static Quantity FromInt64(long value, QuantityFormat format = QuantityFormat.DecimalSI) =>
        new(value * NanosPerUnit, format);

    /// <summary>Parses a quantity; throws <see cref="FormatException"/> when it is not one.</summary>
    public static Quantity Parse(string s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return TryParse(s, out var q, out var error) ? q : throw new FormatException(error);
    }

    /// <summary>Parses a quantity without throwing.</summary>
    public static bool TryParse([NotNullWhen(true)] string? s, out Quantity quantity) =>
        TryParse(s, out quantity, out _);

    internal static bool TryParse([NotNullWhen(true)] string? s, out Quantity quantity, [NotNullWhen(false)] out string? error)
    {
        quantity = default;
        if (s is null || s.Length == 0)
        {
            error = "invalid quantity \"\": empty string";
            return false;
        }

        // Binary suffixes first, so "Mi" is never read as the decimal "M" followed by junk.
        foreach (var (suffix, power) in BinarySuffixes)
        {
            if (s.EndsWith(suffix, StringComparison.Ordinal))
            {
                if (!TryParseNumber(s.AsSpan(0, s.Length - 2), out var mantissa, out var scale))
                {
                    break;
                }
                var nanos = RoundAwayFromZero(mantissa * BigInteger.Pow(2, power) * NanosPerUnit, BigInteger.Pow(10, scale));
                if (BigInteger.Abs(nanos) > MaxBinaryNanos)
                {
                    nanos = nanos.Sign * MaxBinaryNanos;
                }
                // Kubernetes prints a binary quantity below one unit in decimal (0.5Ki is 512, not 0.5Ki).
                var format = BigInteger.Abs(nanos) < NanosPerUnit && !nanos.IsZero ? QuantityFormat.DecimalSI : QuantityFormat.BinarySI;
                quantity = new Quantity(nanos, format);
                error = null;
                return true;
            }
        }

        // A decimal exponent: the first e/E after the first character, followed by [+-]?digits.
        var e = s.AsSpan(1).IndexOfAny('e', 'E') + 1;
        if (e > 0 && IsExponent(s.AsSpan(e + 1)) && TryParseNumber(s.AsSpan(0, e), out var m, out var sc))
        {
            return Scaled(s, m, (int)Math.Clamp((long)ParseExponent(s.AsSpan(e + 1)) - sc, int.MinValue / 2, int.MaxValue / 2), QuantityFormat.DecimalExponent, out quantity, out error);
        }

        var last = s[^1];
        var siExponent = last switch
        {
            'n' => -9,
            'u' => -6,
            'm' => -3,
            'k' => 3,
            'M' => 6,
            'G' => 9,
            'T' => 12,
            'P' => 15,
            'E' => 18,
            _ => (int?)null,
        };
        var number = siExponent is null ? s.AsSpan() : s.AsSpan(0, s.Length - 1);
        if (TryParseNumber(number, out var mantissa2, out var scale2))
        {
            return Scaled(s, mantissa2, (siExponent ?? 0) - scale2, QuantityFormat.DecimalSI, out quantity, out error);
        }

        error = $"invalid quantity \"{s}\": expected a number with an optional suffix (n, u, m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei or an exponent)";
        return false;
    }

    /// <summary>The sum; the result keeps this quantity's format unless this one is zero.</summary>
    public Quantity Add(Quantity other) => new(_nanos + other._nanos, _nanos.IsZero ? other.Format : Format);

    /// <summary>The difference; the result keeps this quantity's format unless this one is zero.</summary>
    public Quantity Subtract(Quantity other) => new(_nanos - other._nanos, _nanos.IsZero ? other.Format : Format);

    /// <summary>The value as a whole number, when it is one and fits in 64 bits.</summary>
    public bool TryGetInt64(out long value)
    {
        var whole = BigInteger.DivRem(_nanos, NanosPerUnit, out var remainder);
        if (remainder.IsZero && whole >= long.MinValue && whole <= long.MaxValue)
        {
            value = (long)whole;
            return true;
        }
        value = 0;
        return false;
    }

    /// <summary>The nearest double to the value.</summary>
    public double ToDouble() =>
        // Parsing the exact decimal text gives the correctly rounded double; dividing two doubles would not.
        double.Parse(ToPlainDecimal(), NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);

    public int CompareTo(Quantity other) => _nanos.CompareTo(other._nanos);

    public bool Equals(Quantity other) => _nanos == other._nanos;

    public override bool Equals(object? obj) => obj is Quantity other && Equals(other);

    public override int GetHashCode() => _nanos.GetHashCode();

    public static bool operator ==(Quantity left, Quantity right) => left.Equals(right);

    public static bool operator !=(Quantity left, Quantity right) => !left.Equals(right);

    public static bool operator <(Quantity left, Quantity right) => left.CompareTo(right) < 0;

    public static bool operator <=(Quantity left, Quantity right) => left.CompareTo(right) <= 0;

    public static bool operator >(Quantity left, Quantity right) => left.CompareTo(right) > 0;

    public static bool operator >=(Quantity left, Quantity right) => left.CompareTo(right) >= 0;

    /// <summary>The canonical form Kubernetes prints: no fractional digits, the largest suffix that keeps the value exact.</summary>
    public override string ToString()
    {
        if (_nanos.IsZero)
        {
            return "0";
        }

        var format = Format;
        if (format == QuantityFormat.BinarySI
            && (BigInteger.Abs(_nanos) < 1024 * NanosPerUnit || !(_nanos % NanosPerUnit).IsZero))
        {
            // Small or fractional binary values would need a fraction of Ki; show them in decimal.
            format = QuantityFormat.DecimalSI;
        }

        if (format == QuantityFormat.BinarySI)
        {
            var units = _nanos / NanosPerUnit;
            var power = 0;
            while (power < BinarySuffixes.Length && BigInteger.Abs(units) >= 1024 && (units % 1024).IsZero)
            {
                units /= 1024;
                power++;
            }
            return units.ToString(CultureInfo.InvariantCulture) + (power == 0 ? "" : BinarySuffixes[power - 1].Suffix);
        }

        // Strip trailing zeros into the exponent, then step back to a multiple of three.
        var mantissa = _nanos;
        var exponent = -9;
        while (BigInteger.Abs(mantissa) >= 10 && (mantissa % 10).IsZero)
        {
            mantissa /= 10;
            exponent++;
        }
        while (exponent % 3 != 0)
        {
            mantissa *= 10;
            exponent--;
        }

        if (format == QuantityFormat.DecimalExponent)
        {
            return mantissa.ToString(CultureInfo.InvariantCulture)
                + (exponent == 0 ? "" : "e" + exponent.ToString(CultureInfo.InvariantCulture));
        }

        // There is no suffix above E; Kubernetes then drops the suffix and prints a wrong value, so
        // we keep E and let the mantissa grow instead.
        if (exponent > 18)
        {
            mantissa *= BigInteger.Pow(10, exponent - 18);
            exponent = 18;
        }
        var suffix = exponent switch
        {
            -9 => "n",
            -6 => "u",
            -3 => "m",
            0 => "",
            3 => "k",
            6 => "M",
            9 => "G",
            12 => "T",
            15 => "P",
            _ => "E",
        };
        return mantissa.ToString(CultureInfo.InvariantCulture) + suffix;
    }

    // The value written out in plain decimal, e.g. "-1.5" or "0.000000001".
    private string ToPlainDecimal()
    {
        var whole = BigInteger.DivRem(BigInteger.Abs(_nanos), NanosPerUnit, out var fraction);
        var text = new StringBuilder();
        if (_nanos.Sign < 0)
        {
            text.Append('-');
        }
        text.Append(whole.ToString(CultureInfo.InvariantCulture));
        if (!fraction.IsZero)
        {
            text.Append('.').Append(fraction.ToString("D9", CultureInfo.InvariantCulture).TrimEnd('0'));
        }
        return text.ToString();
    }

    // value = mantissa × 10^exponent, rounded away from zero to nano-units, then range-checked.
    private static bool Scaled(string s, BigInteger mantissa, int exponent, QuantityFormat format, out Quantity quantity, [NotNullWhen(false)] out string? error)
    {
        quantity = default;
        var shift = (long)exponent + 9;
        BigInteger nanos;
        if (mantissa.IsZero)
        {
            nanos = BigInteger.Zero;
        }
        else if (shift >= LimitDigits)
        {
            // Already at least 10^60 nano-units; don't build the power to find out by how much.
            error = OutOfRange(s);
            return false;
        }
        else if (shift >= 0)
        {
            nanos = mantissa * BigInteger.Pow(10, (int)shift);
        }
        else if (-shift > BigInteger.Abs(mantissa).GetBitLength())
        {
            // 10^-shift exceeds 2^bits > |mantissa|: a non-zero sliver, which rounds up to one nano-unit.
            nanos = mantissa.Sign;
        }
        else
        {
            nanos = RoundAwayFromZero(mantissa, BigInteger.Pow(10, (int)-shift));
        }

        if (BigInteger.Abs(nanos) >= NanoLimit)
        {
            error = OutOfRange(s);
            return false;
        }
        quantity = new Quantity(nanos, format);
        error = null;
        return true;
    }

    private static string OutOfRange(string s) => $"invalid quantity \"{s}\": magnitude must be below 1e51";

    private static BigInteger RoundAwayFromZero(BigInteger dividend, BigInteger divisor)
    {
        var quotient = BigInteger.DivRem(dividend, divisor, out var remainder);
        return remainder.IsZero ? quotient : quotient + dividend.Sign;
    }

    // [+-]?(\d+(\.\d*)?|\.\d+) → the digits as an integer and how many of them follow the point.
    private static bool TryParseNumber(ReadOnlySpan<char> text, out BigInteger mantissa, out int scale)
    {
        mantissa = BigInteger.Zero;
        scale = 0;
        var negative = false;
        if (text.Length > 0 && (text[0] == '+' || text[0] == '-'))
        {
            negative = text[0] == '-';
            text = text[1..];
        }

        var point = text.IndexOf('.');
        var integral = point < 0 ? text : text[..point];
        var fraction = point < 0 ? [] : text[(point + 1)..];
        if ((integral.Length == 0 && fraction.Length == 0) || !IsDigits(integral) || !IsDigits(fraction))
        {
            return false;
        }

        var digits = string.Concat(integral, fraction);
        mantissa = BigInteger.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
        if (negative)
        {
            mantissa = -mantissa;
        }
        scale = fraction.Length;
        return true;
    }

    private static bool IsDigits(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }
        return true;
    }

    // [eE] already consumed: [+-]?\d+
    private static bool IsExponent(ReadOnlySpan<char> text)
    {
        if (text.Length > 0 && (text[0] == '+' || text[0] == '-'))
        {
            text = text[1..];
        }
        return text.Length > 0 && IsDigits(text);
    }

    private static int ParseExponent(ReadOnlySpan<char> text)
    {
        var negative = text[0] == '-';
        if (text[0] == '+' || text[0] == '-')
        {
            text = text[1..];
        }
        var value = 0;
        foreach (var c in text)
        {
            // Past the clamp the exact value no longer matters, and stopping avoids overflow.
            value = Math.Min(value * 10 + (c - '0'), ExponentCap);
        }
        return negative ? -value : value;
    }
}
