// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

namespace Modelplane.Cel;

internal enum BinaryOp
{
    Add,
    Subtract,
    Multiply,
    Divide,
    Modulo,
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    In,
}

/// <summary>CEL's operators over <see cref="CelValue"/>s.</summary>
/// <remarks>
/// CEL has no implicit conversions: <c>1 + 1.0</c> is an error, and integer arithmetic that
/// overflows 64 bits is an error rather than wrapping. Equality and ordering are heterogeneous
/// across int, uint and double and exact (2⁶³−1 is not equal to the double 2⁶³, though a naive
/// conversion would say so). Quantities and versions support <c>==</c> and <c>!=</c> only; ordering
/// them with <c>&lt;</c> is an error here as it is a type error in Kubernetes, so a selector that
/// works here also works on the workload cluster, where its text is copied into the ResourceClaim.
/// </remarks>
internal static class Operators
{
    public const string Overflow = "integer overflow";

    public static string Symbol(BinaryOp op) => op switch
    {
        BinaryOp.Add => "+",
        BinaryOp.Subtract => "-",
        BinaryOp.Multiply => "*",
        BinaryOp.Divide => "/",
        BinaryOp.Modulo => "%",
        BinaryOp.Equal => "==",
        BinaryOp.NotEqual => "!=",
        BinaryOp.Less => "<",
        BinaryOp.LessOrEqual => "<=",
        BinaryOp.Greater => ">",
        BinaryOp.GreaterOrEqual => ">=",
        _ => "in",
    };

    public static string NoOverload(string function, params ReadOnlySpan<CelValue> args)
    {
        var types = new string[args.Length];
        for (var i = 0; i < args.Length; i++)
        {
            types[i] = args[i].TypeName;
        }
        return $"no matching overload for '{function}' applied to ({string.Join(", ", types)})";
    }

    public static Val Binary(BinaryOp op, CelValue left, CelValue right, EvalContext ctx) => op switch
    {
        BinaryOp.Equal => CelValue.FromBool(Equal(left, right, nanEqualsNaN: false)),
        BinaryOp.NotEqual => CelValue.FromBool(!Equal(left, right, nanEqualsNaN: false)),
        BinaryOp.Less or BinaryOp.LessOrEqual or BinaryOp.Greater or BinaryOp.GreaterOrEqual => Relation(op, left, right),
        BinaryOp.In => In(left, right, ctx),
        _ => Arithmetic(op, left, right, ctx),
    };

    public static bool Equal(CelValue a, CelValue b, bool nanEqualsNaN)
    {
        if (IsNumber(a) && IsNumber(b))
        {
            if (nanEqualsNaN && a.Kind == CelKind.Double && b.Kind == CelKind.Double && double.IsNaN(a.AsDouble()) && double.IsNaN(b.AsDouble()))
            {
                return true;
            }
            return CompareNumbers(a, b) == 0;
        }
        if (a.Kind != b.Kind)
        {
            return false;
        }
        switch (a.Kind)
        {
            case CelKind.Null:
                return true;
            case CelKind.Bool:
                return a.AsBool() == b.AsBool();
            case CelKind.String:
                return string.Equals(a.AsString(), b.AsString(), StringComparison.Ordinal);
            case CelKind.Type:
                return string.Equals(a.AsTypeName(), b.AsTypeName(), StringComparison.Ordinal);
            case CelKind.Quantity:
                return a.AsQuantity() == b.AsQuantity();
            case CelKind.Version:
                return a.AsVersion() == b.AsVersion();
            case CelKind.List:
                var left = a.ListItems;
                var right = b.ListItems;
                if (left.Length != right.Length)
                {
                    return false;
                }
                for (var i = 0; i < left.Length; i++)
                {
                    if (!Equal(left[i], right[i], nanEqualsNaN))
                    {
                        return false;
                    }
                }
                return true;
            case CelKind.Map:
                var x = a.MapEntries;
                var y = b.MapEntries;
                if (x.Count != y.Count)
                {
                    return false;
                }
                foreach (var (key, value) in x)
                {
                    if (!y.ContainsKey(key) || !y.TryGetValue(key, out var other) || !Equal(value, other, nanEqualsNaN))
                    {
                        return false;
                    }
                }
                return true;
            default:
                return false;
        }
    }

    public static Val Relation(BinaryOp op, CelValue a, CelValue b)
    {
        int cmp;
        if (IsNumber(a) && IsNumber(b))
        {
            var numeric = CompareNumbers(a, b);
            if (numeric is null)
            {
                // NaN is unordered: every comparison with it is false.
                return CelValue.False;
            }
            cmp = numeric.Value;
        }
        else if (a.Kind == CelKind.String && b.Kind == CelKind.String)
        {
            cmp = Conversions.CompareCodePoints(a.AsString(), b.AsString());
        }
        else if (a.Kind == CelKind.Bool && b.Kind == CelKind.Bool)
        {
            cmp = a.AsBool().CompareTo(b.AsBool());
        }
        else
        {
            return Val.Fail(NoOverload(Symbol(op), a, b));
        }
        return CelValue.FromBool(op switch
        {
            BinaryOp.Less => cmp < 0,
            BinaryOp.LessOrEqual => cmp <= 0,
            BinaryOp.Greater => cmp > 0,
            _ => cmp >= 0,
        });
    }

    public static Val Negate(CelValue a) => a.Kind switch
    {
        CelKind.Int when a.AsInt() == long.MinValue => Val.Fail(Overflow),
        CelKind.Int => CelValue.FromInt(-a.AsInt()),
        CelKind.Double => CelValue.FromDouble(-a.AsDouble()),
        _ => Val.Fail(NoOverload("-_", a)),
    };

    public static Val Not(CelValue a) =>
        a.Kind == CelKind.Bool ? CelValue.FromBool(!a.AsBool()) : Val.Fail(NoOverload("!_", a));

    public static Val In(CelValue element, CelValue container, EvalContext ctx)
    {
        switch (container.Kind)
        {
            case CelKind.List:
                var items = container.ListItems;
                if (!ctx.Charge(items.Length))
                {
                    return Val.Fail(EvalContext.CostExceeded);
                }
                foreach (var item in items)
                {
                    if (Equal(element, item, nanEqualsNaN: false))
                    {
                        return CelValue.True;
                    }
                }
                return CelValue.False;
            case CelKind.Map:
                return CelValue.FromBool(container.MapEntries.ContainsKey(element));
            default:
                return Val.Fail(NoOverload("in", element, container));
        }
    }

    public static Val Index(CelValue container, CelValue index)
    {
        switch (container.Kind)
        {
            case CelKind.List:
                var items = container.ListItems;
                long? position = index.Kind switch
                {
                    CelKind.Int => index.AsInt(),
                    CelKind.Uint when index.AsUint() <= long.MaxValue => (long)index.AsUint(),
                    CelKind.Double when Math.Truncate(index.AsDouble()) == index.AsDouble() && Math.Abs(index.AsDouble()) < 9.2e18 => (long)index.AsDouble(),
                    _ => null,
                };
                if (position is null)
                {
                    return Val.Fail(index.Kind is CelKind.Uint or CelKind.Double ? $"invalid list index {index}" : NoOverload("_[_]", container, index));
                }
                if (position < 0 || position >= items.Length)
                {
                    return Val.Fail($"index {position} out of range for a list of size {items.Length}");
                }
                return items[position.Value];
            case CelKind.Map:
                return container.MapEntries.TryGetValue(index, out var value) ? value : Val.Fail($"no such key: {index}");
            default:
                return Val.Fail(NoOverload("_[_]", container, index));
        }
    }

    public static Val Select(CelValue operand, string field)
    {
        if (operand.Kind != CelKind.Map)
        {
            return Val.Fail($"type '{operand.TypeName}' does not support field selection");
        }
        return operand.MapEntries.TryGetValue(CelValue.FromString(field), out var value) ? value : Val.Fail($"no such key: '{field}'");
    }

    public static Val Has(CelValue operand, string field) =>
        operand.Kind == CelKind.Map
            ? CelValue.FromBool(operand.MapEntries.ContainsKey(CelValue.FromString(field)))
            : Val.Fail($"type '{operand.TypeName}' does not support field presence tests");

    private static bool IsNumber(CelValue v) => v.Kind is CelKind.Int or CelKind.Uint or CelKind.Double;

    private static Val Arithmetic(BinaryOp op, CelValue a, CelValue b, EvalContext ctx)
    {
        switch (a.Kind, b.Kind)
        {
            case (CelKind.Int, CelKind.Int):
                return IntArithmetic(op, a.AsInt(), b.AsInt());
            case (CelKind.Uint, CelKind.Uint):
                return UintArithmetic(op, a.AsUint(), b.AsUint());
            case (CelKind.Double, CelKind.Double) when op != BinaryOp.Modulo:
                var x = a.AsDouble();
                var y = b.AsDouble();
                return CelValue.FromDouble(op switch
                {
                    BinaryOp.Add => x + y,
                    BinaryOp.Subtract => x - y,
                    BinaryOp.Multiply => x * y,
                    _ => x / y,
                });
            case (CelKind.String, CelKind.String) when op == BinaryOp.Add:
                // Charged before building, so an over-limit concatenation allocates nothing.
                return ctx.Charge((long)a.AsString().Length + b.AsString().Length)
                    ? CelValue.FromString(a.AsString() + b.AsString())
                    : Val.Fail(EvalContext.CostExceeded);
            case (CelKind.List, CelKind.List) when op == BinaryOp.Add:
                return ctx.Charge((long)a.ListItems.Length + b.ListItems.Length)
                    ? CelValue.FromArray([.. a.ListItems, .. b.ListItems])
                    : Val.Fail(EvalContext.CostExceeded);
            default:
                return Val.Fail(NoOverload(Symbol(op), a, b));
        }
    }

    private static Val IntArithmetic(BinaryOp op, long x, long y)
    {
        switch (op)
        {
            case BinaryOp.Add:
                return (y > 0 ? x > long.MaxValue - y : x < long.MinValue - y) ? Val.Fail(Overflow) : CelValue.FromInt(x + y);
            case BinaryOp.Subtract:
                return (y < 0 ? x > long.MaxValue + y : x < long.MinValue + y) ? Val.Fail(Overflow) : CelValue.FromInt(x - y);
            case BinaryOp.Multiply:
                var high = Math.BigMul(x, y, out var low);
                return high != (low >> 63) ? Val.Fail(Overflow) : CelValue.FromInt(low);
            case BinaryOp.Divide:
                if (y == 0)
                {
                    return Val.Fail("division by zero");
                }
                return x == long.MinValue && y == -1 ? Val.Fail(Overflow) : CelValue.FromInt(x / y);
            default:
                if (y == 0)
                {
                    return Val.Fail("modulus by zero");
                }
                return x == long.MinValue && y == -1 ? Val.Fail(Overflow) : CelValue.FromInt(x % y);
        }
    }

    private static Val UintArithmetic(BinaryOp op, ulong x, ulong y)
    {
        switch (op)
        {
            case BinaryOp.Add:
                return x > ulong.MaxValue - y ? Val.Fail(Overflow) : CelValue.FromUint(x + y);
            case BinaryOp.Subtract:
                return y > x ? Val.Fail(Overflow) : CelValue.FromUint(x - y);
            case BinaryOp.Multiply:
                var high = Math.BigMul(x, y, out var low);
                return high != 0 ? Val.Fail(Overflow) : CelValue.FromUint(low);
            case BinaryOp.Divide:
                return y == 0 ? Val.Fail("division by zero") : CelValue.FromUint(x / y);
            default:
                return y == 0 ? Val.Fail("modulus by zero") : CelValue.FromUint(x % y);
        }
    }

    // Exact comparison across int, uint and double; null when either side is NaN.
    private static int? CompareNumbers(CelValue a, CelValue b)
    {
        switch (a.Kind, b.Kind)
        {
            case (CelKind.Int, CelKind.Int):
                return a.AsInt().CompareTo(b.AsInt());
            case (CelKind.Uint, CelKind.Uint):
                return a.AsUint().CompareTo(b.AsUint());
            case (CelKind.Double, CelKind.Double):
                var x = a.AsDouble();
                var y = b.AsDouble();
                return double.IsNaN(x) || double.IsNaN(y) ? null : x.CompareTo(y);
            case (CelKind.Int, CelKind.Uint):
                return a.AsInt() < 0 ? -1 : ((ulong)a.AsInt()).CompareTo(b.AsUint());
            case (CelKind.Uint, CelKind.Int):
                return b.AsInt() < 0 ? 1 : a.AsUint().CompareTo((ulong)b.AsInt());
            case (CelKind.Int, CelKind.Double):
                return CompareIntDouble(a.AsInt(), b.AsDouble());
            case (CelKind.Double, CelKind.Int):
                return -CompareIntDouble(b.AsInt(), a.AsDouble());
            case (CelKind.Uint, CelKind.Double):
                return CompareUintDouble(a.AsUint(), b.AsDouble());
            default:
                return -CompareUintDouble(b.AsUint(), a.AsDouble());
        }
    }

    private static int? CompareIntDouble(long i, double d)
    {
        if (double.IsNaN(d))
        {
            return null;
        }
        if (d >= 9.2233720368547758e18)
        {
            return -1;
        }
        if (d < -9.2233720368547758e18)
        {
            return 1;
        }
        var whole = Math.Truncate(d);
        var c = i.CompareTo((long)whole);
        return c != 0 ? Math.Sign(c) : -Math.Sign(d - whole);
    }

    private static int? CompareUintDouble(ulong u, double d)
    {
        if (double.IsNaN(d))
        {
            return null;
        }
        if (d < 0)
        {
            return 1;
        }
        if (d >= 1.8446744073709552e19)
        {
            return -1;
        }
        var whole = Math.Truncate(d);
        var c = u.CompareTo((ulong)whole);
        return c != 0 ? Math.Sign(c) : -Math.Sign(d - whole);
    }
}
