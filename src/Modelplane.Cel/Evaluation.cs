// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics.CodeAnalysis;

namespace Modelplane.Cel;

/// <summary>What evaluating a node yields: a value, or the message of the error it ran into.</summary>
/// <remarks>
/// CEL errors are values, not exceptions: <c>error || true</c> is <c>true</c>, and the
/// <c>all</c>/<c>exists</c> macros absorb errors the same way. Returning them keeps that logic
/// plain, and keeps exceptions (which cost microseconds each) off the scheduler's hot path, where a
/// selector that reads an attribute most devices lack fails on nearly every device it sees.
/// </remarks>
internal readonly struct Val
{
    private Val(CelValue? value, string? error)
    {
        Value = value;
        Error = error;
    }

    public CelValue? Value { get; }

    public string? Error { get; }

    [MemberNotNullWhen(true, nameof(Error))]
    [MemberNotNullWhen(false, nameof(Value))]
    public bool IsError => Error is not null;

    public static Val Fail(string message) => new(null, message);

    public static Val Of(CelValue value) => new(value, null);

    public static implicit operator Val(CelValue value) => new(value, null);
}

/// <summary>The state of one evaluation: the variables, the cost spent so far and the call's time budget.</summary>
internal sealed class EvalContext(IReadOnlyDictionary<string, CelValue> variables, CelBudget? budget = null)
{
    // One unit per node visited, per comprehension step and per character or element built or
    // scanned; regular expressions are charged as cel-go charges them (text x pattern, see
    // CostModel). Kubernetes caps a DRA selector at 1,000,000 units of its own cost model; the same
    // number bounds what a hostile expression can make the scheduler do.
    public const long CostLimit = 1_000_000;

    public const string CostExceeded = "evaluation cost limit exceeded";

    // Reading the clock on every node would cost more than most nodes do; every 256 charges is at
    // most a few microseconds of work between two looks.
    private const int ClockInterval = 256;

    private long _cost;
    private int _sinceClock;

    public IReadOnlyDictionary<string, CelValue> Variables { get; } = variables;

    public CelBudget? Budget { get; } = budget;

    /// <summary>Spends cost; false once the budget is exhausted.</summary>
    /// <exception cref="OperationCanceledException">The call was cancelled.</exception>
    /// <exception cref="CelTimeBudgetExceededException">The call's wall-clock budget ran out.</exception>
    public bool Charge(long units)
    {
        _cost += units;
        if (Budget is not null && ++_sinceClock >= ClockInterval)
        {
            _sinceClock = 0;
            Budget.ThrowIfExhausted();
        }
        return _cost <= CostLimit;
    }

    /// <summary>Whether <paramref name="units"/> more would still fit, without spending them.</summary>
    public bool CanAfford(long units) => _cost + units <= CostLimit;
}

/// <summary>A comprehension variable binding, chained to the enclosing ones.</summary>
internal sealed class Scope(Scope? parent, string name, CelValue value)
{
    public bool TryGet(string identifier, [NotNullWhen(true)] out CelValue? bound)
    {
        for (var scope = this; scope is not null; scope = scope.Parent)
        {
            if (scope.Name == identifier)
            {
                bound = scope.Value;
                return true;
            }
        }
        bound = null;
        return false;
    }

    private Scope? Parent { get; } = parent;

    private string Name { get; } = name;

    private CelValue Value { get; } = value;
}
