// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Modelplane.Cel;

/// <summary>The kinds of value a CEL expression works with.</summary>
public enum CelKind
{
    Null,
    Bool,
    Int,
    Uint,
    Double,
    String,
    List,
    Map,
    Quantity,
    Version,

    /// <summary>A type, as returned by <c>type(x)</c> and named by <c>int</c>, <c>string</c>, ….</summary>
    Type,
}

/// <summary>An immutable CEL value: what variables hold and what expressions produce.</summary>
/// <remarks>
/// One sealed class with a kind tag rather than a class per kind keeps the public surface to a
/// handful of factories and accessors, and lets the evaluator switch on <see cref="Kind"/> instead
/// of type-testing. <see cref="Equals(CelValue)"/> is CEL's heterogeneous equality (1, 1u and 1.0
/// are equal, values of unrelated kinds are not), except that NaN equals itself so that values can
/// serve as dictionary keys; the <c>==</c> operator inside expressions keeps NaN unequal. Maps keep
/// insertion order, so iterating one (the <c>all</c>/<c>exists</c> macros over a map's keys) is
/// deterministic.
/// </remarks>
public sealed class CelValue : IEquatable<CelValue>
{
    // Deeper JSON than this is refused rather than risk the stack; the API server stops far earlier.
    internal const int MaxJsonDepth = 512;

    private readonly long _bits;
    private readonly object? _ref;

    private CelValue(CelKind kind, long bits, object? reference)
    {
        Kind = kind;
        _bits = bits;
        _ref = reference;
    }

    public static CelValue Null { get; } = new(CelKind.Null, 0, null);

    public static CelValue True { get; } = new(CelKind.Bool, 1, null);

    public static CelValue False { get; } = new(CelKind.Bool, 0, null);

    public CelKind Kind { get; }

    /// <summary>The CEL type name: <c>int</c>, <c>string</c>, <c>kubernetes.Quantity</c>, ….</summary>
    public string TypeName => Kind switch
    {
        CelKind.Null => "null_type",
        CelKind.Bool => "bool",
        CelKind.Int => "int",
        CelKind.Uint => "uint",
        CelKind.Double => "double",
        CelKind.String => "string",
        CelKind.List => "list",
        CelKind.Map => "map",
        CelKind.Quantity => "kubernetes.Quantity",
        CelKind.Version => "kubernetes.Semver",
        _ => "type",
    };

    public static CelValue FromBool(bool value) => value ? True : False;

    public static CelValue FromInt(long value) => new(CelKind.Int, value, null);

    public static CelValue FromUint(ulong value) => new(CelKind.Uint, unchecked((long)value), null);

    public static CelValue FromDouble(double value) => new(CelKind.Double, BitConverter.DoubleToInt64Bits(value), null);

    public static CelValue FromString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new(CelKind.String, 0, value);
    }

    public static CelValue FromQuantity(Quantity value) => new(CelKind.Quantity, 0, value);

    public static CelValue FromVersion(SemVersion value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new(CelKind.Version, 0, value);
    }

    public static CelValue FromList(IEnumerable<CelValue> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        return new(CelKind.List, 0, items.ToArray());
    }

    /// <summary>A map; keys must be bool, int, uint or string values and distinct.</summary>
    public static CelValue FromMap(IEnumerable<KeyValuePair<CelValue, CelValue>> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var map = new CelMap();
        foreach (var (key, value) in entries)
        {
            if (!CelMap.IsValidKey(key))
            {
                throw new ArgumentException($"a map key must be bool, int, uint or string, not {key.TypeName}", nameof(entries));
            }
            if (!map.TryAdd(key, value))
            {
                throw new ArgumentException($"duplicate map key {key}", nameof(entries));
            }
        }
        return new(CelKind.Map, 0, map);
    }

    /// <summary>A string-keyed map, the shape of a JSON object.</summary>
    public static CelValue FromMap(IEnumerable<KeyValuePair<string, CelValue>> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        return FromMap(entries.Select(e => KeyValuePair.Create(FromString(e.Key), e.Value)));
    }

    /// <summary>
    /// Converts JSON into CEL: objects become maps, arrays lists, integral numbers int, other
    /// numbers double; strings, booleans and null map to themselves.
    /// </summary>
    /// <exception cref="ArgumentException">The JSON nests deeper than 512 levels.</exception>
    public static CelValue FromJson(JsonNode? node) => ConvertJson(node, 0);

    public bool AsBool() => Kind == CelKind.Bool ? _bits != 0 : throw WrongKind(CelKind.Bool);

    public long AsInt() => Kind == CelKind.Int ? _bits : throw WrongKind(CelKind.Int);

    public ulong AsUint() => Kind == CelKind.Uint ? unchecked((ulong)_bits) : throw WrongKind(CelKind.Uint);

    public double AsDouble() => Kind == CelKind.Double ? BitConverter.Int64BitsToDouble(_bits) : throw WrongKind(CelKind.Double);

    public string AsString() => Kind == CelKind.String ? (string)_ref! : throw WrongKind(CelKind.String);

    public IReadOnlyList<CelValue> AsList() => Kind == CelKind.List ? (CelValue[])_ref! : throw WrongKind(CelKind.List);

    /// <summary>The map's entries, in insertion order.</summary>
    public IReadOnlyDictionary<CelValue, CelValue> AsMap() => Kind == CelKind.Map ? (CelMap)_ref! : throw WrongKind(CelKind.Map);

    public Quantity AsQuantity() => Kind == CelKind.Quantity ? (Quantity)_ref! : throw WrongKind(CelKind.Quantity);

    public SemVersion AsVersion() => Kind == CelKind.Version ? (SemVersion)_ref! : throw WrongKind(CelKind.Version);

    /// <summary>The name of the type a <see cref="CelKind.Type"/> value stands for.</summary>
    public string AsTypeName() => Kind == CelKind.Type ? (string)_ref! : throw WrongKind(CelKind.Type);

    public bool Equals(CelValue? other) => other is not null && Operators.Equal(this, other, nanEqualsNaN: true);

    public override bool Equals(object? obj) => obj is CelValue other && Equals(other);

    public override int GetHashCode()
    {
        switch (Kind)
        {
            case CelKind.Bool:
                return _bits.GetHashCode();
            case CelKind.Int:
                return _bits.GetHashCode();
            case CelKind.Uint:
                return unchecked((ulong)_bits) <= long.MaxValue ? _bits.GetHashCode() : unchecked((ulong)_bits).GetHashCode();
            case CelKind.Double:
                // Integral doubles hash like the equal int or uint, as heterogeneous equality demands.
                var d = AsDouble();
                if (Math.Truncate(d) == d && d >= -9.2233720368547758e18 && d < 9.2233720368547758e18)
                {
                    return ((long)d).GetHashCode();
                }
                if (Math.Truncate(d) == d && d >= 0 && d < 1.8446744073709552e19)
                {
                    return ((ulong)d).GetHashCode();
                }
                return double.IsNaN(d) ? 0 : d.GetHashCode();
            case CelKind.String:
            case CelKind.Type:
                return StringComparer.Ordinal.GetHashCode((string)_ref!);
            case CelKind.List:
                return ((CelValue[])_ref!).Length;
            case CelKind.Map:
                return ((CelMap)_ref!).Count;
            case CelKind.Quantity:
            case CelKind.Version:
                return _ref!.GetHashCode();
            default:
                return 0;
        }
    }

    /// <summary>The value written as a CEL literal where one exists, e.g. <c>"a"</c>, <c>1u</c>, <c>quantity("1Gi")</c>.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        Write(text);
        return text.ToString();
    }

    internal static CelValue FromTypeName(string name) => new(CelKind.Type, 0, name);

    internal static CelValue FromMap(CelMap map) => new(CelKind.Map, 0, map);

    internal static CelValue FromArray(CelValue[] items) => new(CelKind.List, 0, items);

    internal CelValue[] ListItems => (CelValue[])_ref!;

    internal CelMap MapEntries => (CelMap)_ref!;

    private InvalidOperationException WrongKind(CelKind wanted) =>
        new($"the value is {TypeName}, not {new CelValue(wanted, 0, null).TypeName}");

    private void Write(StringBuilder text)
    {
        switch (Kind)
        {
            case CelKind.Null:
                text.Append("null");
                break;
            case CelKind.Bool:
                text.Append(AsBool() ? "true" : "false");
                break;
            case CelKind.Int:
                text.Append(_bits.ToString(CultureInfo.InvariantCulture));
                break;
            case CelKind.Uint:
                text.Append(AsUint().ToString(CultureInfo.InvariantCulture)).Append('u');
                break;
            case CelKind.Double:
                text.Append(Conversions.FormatDouble(AsDouble()));
                break;
            case CelKind.String:
                Conversions.Quote(text, AsString());
                break;
            case CelKind.List:
                text.Append('[');
                var items = ListItems;
                for (var i = 0; i < items.Length; i++)
                {
                    text.Append(i == 0 ? "" : ", ");
                    items[i].Write(text);
                }
                text.Append(']');
                break;
            case CelKind.Map:
                text.Append('{');
                var first = true;
                foreach (var (key, value) in MapEntries)
                {
                    text.Append(first ? "" : ", ");
                    first = false;
                    key.Write(text);
                    text.Append(": ");
                    value.Write(text);
                }
                text.Append('}');
                break;
            case CelKind.Quantity:
                text.Append("quantity(\"").Append(AsQuantity().ToString()).Append("\")");
                break;
            case CelKind.Version:
                text.Append("semver(\"").Append(AsVersion().ToString()).Append("\")");
                break;
            default:
                text.Append(AsTypeName());
                break;
        }
    }

    private static CelValue ConvertJson(JsonNode? node, int depth)
    {
        if (depth > MaxJsonDepth)
        {
            throw new ArgumentException($"JSON nests deeper than {MaxJsonDepth} levels", nameof(node));
        }
        switch (node)
        {
            case null:
                return Null;
            case JsonObject obj:
                var map = new CelMap();
                foreach (var (key, child) in obj)
                {
                    map.TryAdd(FromString(key), ConvertJson(child, depth + 1));
                }
                return FromMap(map);
            case JsonArray array:
                var items = new CelValue[array.Count];
                for (var i = 0; i < items.Length; i++)
                {
                    items[i] = ConvertJson(array[i], depth + 1);
                }
                return FromArray(items);
            default:
                return FromJsonValue(node.AsValue());
        }
    }

    private static CelValue FromJsonValue(JsonValue value)
    {
        switch (value.GetValueKind())
        {
            case JsonValueKind.String:
                return FromString(value.GetValue<string>());
            case JsonValueKind.True:
                return True;
            case JsonValueKind.False:
                return False;
            case JsonValueKind.Number:
                // The JSON text, not the CLR type behind the node, decides int versus double.
                var text = value.ToJsonString();
                if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole))
                {
                    return FromInt(whole);
                }
                var d = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
                return Math.Truncate(d) == d && d >= -9.2233720368547758e18 && d < 9.2233720368547758e18 ? FromInt((long)d) : FromDouble(d);
            default:
                return Null;
        }
    }
}
