// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

namespace Modelplane.Cel;

/// <summary>A node of a parsed expression, which evaluates itself.</summary>
/// <remarks>
/// The tree is immutable and shared by every evaluation of a compiled program, so programs are
/// safe to use from many threads; all per-evaluation state lives in the <see cref="EvalContext"/>
/// and the comprehension <see cref="Scope"/>. <see cref="Depth"/> is computed as the tree is built
/// so the parser can refuse trees deep enough to threaten the stack when evaluated.
/// </remarks>
internal abstract class Node(int depth)
{
    public int Depth { get; } = depth;

    public abstract IEnumerable<Node> Children { get; }

    public Val Eval(EvalContext ctx, Scope? scope) =>
        ctx.Charge(1) ? EvalCore(ctx, scope) : Val.Fail(EvalContext.CostExceeded);

    protected static int DepthOf(params ReadOnlySpan<Node> children)
    {
        var max = 0;
        foreach (var child in children)
        {
            max = Math.Max(max, child.Depth);
        }
        return max + 1;
    }

    protected abstract Val EvalCore(EvalContext ctx, Scope? scope);

    /// <summary>The worst case of evaluating this node, counting the unit <see cref="Eval"/> charges for it.</summary>
    public Estimate Estimate(CostEstimator estimator, EstimateScope? scope) => EstimateCore(estimator, scope) + 1;

    protected abstract Estimate EstimateCore(CostEstimator estimator, EstimateScope? scope);

    protected static Estimate Sum(CostEstimator estimator, EstimateScope? scope, IEnumerable<Node> nodes, long size)
    {
        var cost = 0L;
        foreach (var node in nodes)
        {
            var e = node.Estimate(estimator, scope);
            cost = Saturating.Add(cost, e.Cost);
            size = Math.Max(size, e.Size);
        }
        return new Estimate(cost, size);
    }
}

internal sealed class LiteralNode(CelValue value) : Node(1)
{
    public override IEnumerable<Node> Children => [];

    protected override Estimate EstimateCore(CostEstimator estimator, EstimateScope? scope) =>
        new(0, value.Kind == CelKind.String ? value.AsString().Length : 1);

    protected override Val EvalCore(EvalContext ctx, Scope? scope) => value;
}

internal sealed class IdentNode(string name, int position) : Node(1)
{
    // Type names resolve to type values unless a variable of the same name shadows them.
    private static readonly Dictionary<string, CelValue> TypeNames = new[]
    {
        "int", "uint", "double", "bool", "string", "bytes", "list", "map", "null_type", "type",
    }.ToDictionary(n => n, CelValue.FromTypeName, StringComparer.Ordinal);

    public string Name { get; } = name;

    public int Position { get; } = position;

    public override IEnumerable<Node> Children => [];

    public static bool IsTypeName(string name) => TypeNames.ContainsKey(name);

    protected override Estimate EstimateCore(CostEstimator estimator, EstimateScope? scope) =>
        new(0, scope is not null && scope.TryGet(Name, out var bound) ? bound : estimator.VariableSize);

    protected override Val EvalCore(EvalContext ctx, Scope? scope)
    {
        if (scope is not null && scope.TryGet(Name, out var bound))
        {
            return bound;
        }
        if (ctx.Variables.TryGetValue(Name, out var variable))
        {
            return variable;
        }
        return TypeNames.TryGetValue(Name, out var type) ? type : Val.Fail($"undeclared reference to '{Name}'");
    }
}

internal sealed class SelectNode(Node operand, string name) : Node(operand.Depth + 1)
{
    public override IEnumerable<Node> Children => [operand];

    public Node Operand => operand;

    public string Name => name;

    // A field of a variable is bounded like the variable; a field of a map literal by the map.
    protected override Estimate EstimateCore(CostEstimator estimator, EstimateScope? scope) => operand.Estimate(estimator, scope);

    protected override Val EvalCore(EvalContext ctx, Scope? scope)
    {
        var target = operand.Eval(ctx, scope);
        return target.IsError ? target : Operators.Select(target.Value, name);
    }
}

/// <summary>The <c>has(x.f)</c> macro: whether the map <c>x</c> has the key <c>f</c>.</summary>
internal sealed class HasNode(Node operand, string name) : Node(operand.Depth + 1)
{
    public override IEnumerable<Node> Children => [operand];

    protected override Estimate EstimateCore(CostEstimator estimator, EstimateScope? scope) =>
        operand.Estimate(estimator, scope) with { Size = 1 };

    protected override Val EvalCore(EvalContext ctx, Scope? scope)
    {
        var target = operand.Eval(ctx, scope);
        return target.IsError ? target : Operators.Has(target.Value, name);
    }
}

internal sealed class IndexNode(Node operand, Node index) : Node(DepthOf(operand, index))
{
    public override IEnumerable<Node> Children => [operand, index];

    protected override Estimate EstimateCore(CostEstimator estimator, EstimateScope? scope)
    {
        var target = operand.Estimate(estimator, scope);
        return new Estimate(Saturating.Add(target.Cost, index.Estimate(estimator, scope).Cost), target.Size);
    }

    protected override Val EvalCore(EvalContext ctx, Scope? scope)
    {
        var target = operand.Eval(ctx, scope);
        if (target.IsError)
        {
            return target;
        }
        var key = index.Eval(ctx, scope);
        return key.IsError ? key : Operators.Index(target.Value, key.Value);
    }
}

internal sealed class NotNode(Node operand) : Node(operand.Depth + 1)
{
    public override IEnumerable<Node> Children => [operand];

    protected override Estimate EstimateCore(CostEstimator estimator, EstimateScope? scope) => operand.Estimate(estimator, scope);

    protected override Val EvalCore(EvalContext ctx, Scope? scope)
    {
        var value = operand.Eval(ctx, scope);
        return value.IsError ? value : Operators.Not(value.Value);
    }
}

internal sealed class NegateNode(Node operand) : Node(operand.Depth + 1)
{
    public override IEnumerable<Node> Children => [operand];

    protected override Estimate EstimateCore(CostEstimator estimator, EstimateScope? scope) => operand.Estimate(estimator, scope);

    protected override Val EvalCore(EvalContext ctx, Scope? scope)
    {
        var value = operand.Eval(ctx, scope);
        return value.IsError ? value : Operators.Negate(value.Value);
    }
}

internal sealed class BinaryNode(BinaryOp op, Node left, Node right) : Node(DepthOf(left, right))
{
    public override IEnumerable<Node> Children => [left, right];

    // Concatenation is charged by the length it builds and `in` by the list it scans (Operators).
    protected override Estimate EstimateCore(CostEstimator estimator, EstimateScope? scope)
    {
        var l = left.Estimate(estimator, scope);
        var r = right.Estimate(estimator, scope);
        var cost = Saturating.Add(l.Cost, r.Cost);
        return op switch
        {
            BinaryOp.Add => new Estimate(Saturating.Add(cost, Saturating.Add(l.Size, r.Size)), Saturating.Add(l.Size, r.Size)),
            BinaryOp.In => new Estimate(Saturating.Add(cost, r.Size), 1),
            BinaryOp.Equal or BinaryOp.NotEqual or BinaryOp.Less or BinaryOp.LessOrEqual or BinaryOp.Greater or BinaryOp.GreaterOrEqual => new Estimate(cost, 1),
            _ => new Estimate(cost, Math.Max(l.Size, r.Size)),
        };
    }

    protected override Val EvalCore(EvalContext ctx, Scope? scope)
    {
        var l = left.Eval(ctx, scope);
        if (l.IsError)
        {
            return l;
        }
        var r = right.Eval(ctx, scope);
        return r.IsError ? r : Operators.Binary(op, l.Value, r.Value, ctx);
    }
}

/// <summary><c>a &amp;&amp; b &amp;&amp; …</c> or <c>a || b || …</c>, flattened so long chains stay shallow.</summary>
/// <remarks>
/// CEL's logical operators are commutative over errors: <c>false &amp;&amp; error</c> and
/// <c>error &amp;&amp; false</c> are both false, and only when no operand decides the result does an
/// error (the first one met) come out. Operands are evaluated left to right and evaluation stops at
/// the first deciding operand, so a guard such as <c>"d" in m &amp;&amp; m["d"].x</c> still works.
/// </remarks>
internal sealed class LogicalNode(bool isAnd, Node[] operands) : Node(DepthOf(operands))
{
    public override IEnumerable<Node> Children => operands;

    // Every operand may have to run: the one that decides may be the last.
    protected override Estimate EstimateCore(CostEstimator estimator, EstimateScope? scope) => Sum(estimator, scope, operands, 1) with { Size = 1 };

    protected override Val EvalCore(EvalContext ctx, Scope? scope)
    {
        string? error = null;
        foreach (var operand in operands)
        {
            var value = operand.Eval(ctx, scope);
            if (!value.IsError && value.Value.Kind == CelKind.Bool)
            {
                if (value.Value.AsBool() != isAnd)
                {
                    return value.Value;
                }
                continue;
            }
            error ??= value.IsError ? value.Error : Operators.NoOverload(isAnd ? "&&" : "||", value.Value);
            if (error == EvalContext.CostExceeded)
            {
                break;
            }
        }
        return error is null ? CelValue.FromBool(isAnd) : Val.Fail(error);
    }
}

internal sealed class ConditionalNode(Node condition, Node whenTrue, Node whenFalse) : Node(DepthOf(condition, whenTrue, whenFalse))
{
    public override IEnumerable<Node> Children => [condition, whenTrue, whenFalse];

    protected override Estimate EstimateCore(CostEstimator estimator, EstimateScope? scope)
    {
        var c = condition.Estimate(estimator, scope);
        var t = whenTrue.Estimate(estimator, scope);
        var f = whenFalse.Estimate(estimator, scope);
        return new Estimate(Saturating.Add(c.Cost, Math.Max(t.Cost, f.Cost)), Math.Max(t.Size, f.Size));
    }

    protected override Val EvalCore(EvalContext ctx, Scope? scope)
    {
        var c = condition.Eval(ctx, scope);
        if (c.IsError)
        {
            return c;
        }
        if (c.Value.Kind != CelKind.Bool)
        {
            return Val.Fail(Operators.NoOverload("_?_:_", c.Value));
        }
        return (c.Value.AsBool() ? whenTrue : whenFalse).Eval(ctx, scope);
    }
}

internal sealed class ListNode(Node[] items) : Node(DepthOf(items))
{
    public override IEnumerable<Node> Children => items;

    protected override Estimate EstimateCore(CostEstimator estimator, EstimateScope? scope) => Sum(estimator, scope, items, items.Length);

    protected override Val EvalCore(EvalContext ctx, Scope? scope)
    {
        var values = new CelValue[items.Length];
        for (var i = 0; i < items.Length; i++)
        {
            var v = items[i].Eval(ctx, scope);
            if (v.IsError)
            {
                return v;
            }
            values[i] = v.Value;
        }
        return CelValue.FromArray(values);
    }
}

internal sealed class MapNode(Node[] keys, Node[] values) : Node(DepthOf([.. keys, .. values]))
{
    public override IEnumerable<Node> Children => [.. keys, .. values];

    protected override Estimate EstimateCore(CostEstimator estimator, EstimateScope? scope) => Sum(estimator, scope, Children, keys.Length);

    protected override Val EvalCore(EvalContext ctx, Scope? scope)
    {
        var map = new CelMap();
        for (var i = 0; i < keys.Length; i++)
        {
            var key = keys[i].Eval(ctx, scope);
            if (key.IsError)
            {
                return key;
            }
            var value = values[i].Eval(ctx, scope);
            if (value.IsError)
            {
                return value;
            }
            if (!CelMap.IsValidKey(key.Value))
            {
                return Val.Fail($"unsupported map key type {key.Value.TypeName}");
            }
            if (!map.TryAdd(key.Value, value.Value))
            {
                return Val.Fail($"duplicate map key {key.Value}");
            }
        }
        return CelValue.FromMap(map);
    }
}

/// <summary>A function call; <c>x.f(y)</c> arrives here as <c>f(x, y)</c>.</summary>
internal sealed class CallNode(FunctionSpec function, Node[] args) : Node(DepthOf(args))
{
    public override IEnumerable<Node> Children => args;

    protected override Estimate EstimateCore(CostEstimator estimator, EstimateScope? scope) =>
        CostEstimator.Call(function.Name, Array.ConvertAll(args, a => a.Estimate(estimator, scope)));

    protected override Val EvalCore(EvalContext ctx, Scope? scope)
    {
        var values = new CelValue[args.Length];
        for (var i = 0; i < args.Length; i++)
        {
            var v = args[i].Eval(ctx, scope);
            if (v.IsError)
            {
                return v;
            }
            values[i] = v.Value;
        }
        return function.Invoke(values, ctx);
    }
}

internal enum MacroKind
{
    All,
    Exists,
    ExistsOne,
    Map,
    Filter,
}

/// <summary>The comprehension macros: <c>all</c>, <c>exists</c>, <c>exists_one</c>, <c>map</c> and <c>filter</c>.</summary>
/// <remarks>
/// Lists iterate their elements and maps their keys, in order. <c>all</c> and <c>exists</c> absorb
/// errors as <c>&amp;&amp;</c> and <c>||</c> do (one false element makes <c>all</c> false whatever
/// the others do); <c>exists_one</c>, <c>map</c> and <c>filter</c> fail on the first error.
/// </remarks>
internal sealed class ComprehensionNode(MacroKind kind, Node range, string variable, Node? predicate, Node body)
    : Node(predicate is null ? DepthOf(range, body) : DepthOf(range, predicate, body))
{
    public override IEnumerable<Node> Children => predicate is null ? [range, body] : [range, predicate, body];

    public Node Range => range;

    public string Variable => variable;

    public Node? Predicate => predicate;

    public Node Body => body;

    // Each step charges one unit and runs the predicate and the body with the variable bound to an
    // element, which is at most as large as the range; nested comprehensions multiply.
    protected override Estimate EstimateCore(CostEstimator estimator, EstimateScope? scope)
    {
        var source = range.Estimate(estimator, scope);
        var inner = new EstimateScope(scope, variable, source.Size);
        var step = body.Estimate(estimator, inner);
        var stepCost = Saturating.Add(1, step.Cost);
        if (predicate is not null)
        {
            stepCost = Saturating.Add(stepCost, predicate.Estimate(estimator, inner).Cost);
        }
        var cost = Saturating.Add(source.Cost, Saturating.Multiply(source.Size, stepCost));
        var size = kind switch
        {
            MacroKind.Map => Math.Max(source.Size, step.Size),
            MacroKind.Filter => source.Size,
            _ => 1,
        };
        return new Estimate(cost, size);
    }

    protected override Val EvalCore(EvalContext ctx, Scope? scope)
    {
        var source = range.Eval(ctx, scope);
        if (source.IsError)
        {
            return source;
        }
        IEnumerable<CelValue> elements = source.Value.Kind switch
        {
            CelKind.List => source.Value.ListItems,
            CelKind.Map => source.Value.MapEntries.Keys,
            _ => [],
        };
        if (source.Value.Kind is not (CelKind.List or CelKind.Map))
        {
            return Val.Fail($"cannot iterate over {source.Value.TypeName}");
        }

        string? error = null;
        var count = 0;
        var results = new List<CelValue>();
        foreach (var element in elements)
        {
            if (!ctx.Charge(1))
            {
                return Val.Fail(EvalContext.CostExceeded);
            }
            var inner = new Scope(scope, variable, element);
            if (predicate is not null)
            {
                // map(x, p, t): keep the elements p accepts, then transform them.
                var keep = Test(predicate, ctx, inner);
                if (keep.IsError)
                {
                    return keep;
                }
                if (!keep.Value.AsBool())
                {
                    continue;
                }
            }
            var v = kind == MacroKind.Map ? body.Eval(ctx, inner) : Test(body, ctx, inner);
            switch (kind)
            {
                case MacroKind.All or MacroKind.Exists:
                    if (v.IsError)
                    {
                        error ??= v.Error;
                        if (error == EvalContext.CostExceeded)
                        {
                            return v;
                        }
                    }
                    else if (v.Value.AsBool() == (kind == MacroKind.Exists))
                    {
                        return v.Value;
                    }
                    break;
                case MacroKind.ExistsOne:
                    if (v.IsError)
                    {
                        return v;
                    }
                    count += v.Value.AsBool() ? 1 : 0;
                    break;
                case MacroKind.Map:
                    if (v.IsError)
                    {
                        return v;
                    }
                    results.Add(v.Value);
                    break;
                default:
                    if (v.IsError)
                    {
                        return v;
                    }
                    if (v.Value.AsBool())
                    {
                        results.Add(element);
                    }
                    break;
            }
        }

        return kind switch
        {
            MacroKind.All or MacroKind.Exists => error is null ? CelValue.FromBool(kind == MacroKind.All) : Val.Fail(error),
            MacroKind.ExistsOne => CelValue.FromBool(count == 1),
            _ => CelValue.FromArray([.. results]),
        };
    }

    // A predicate must yield a bool; anything else is an error.
    private static Val Test(Node node, EvalContext ctx, Scope scope)
    {
        var v = node.Eval(ctx, scope);
        return v.IsError || v.Value.Kind == CelKind.Bool ? v : Val.Fail($"predicate result must be bool, not {v.Value.TypeName}");
    }
}
