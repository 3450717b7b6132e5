// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics;

namespace Modelplane.Cel;

/// <summary>The wall-clock budget and cancellation of one call that evaluates CEL, shared by all its evaluations.</summary>
/// <remarks>
/// <para>
/// The cost limit bounds the work one evaluation may do, and the static estimate refuses selectors
/// whose worst case is over it before they run; the budget is the backstop for what neither model
/// sees (a regular expression whose automaton is slow to build, a machine under load). It starts
/// when it is made, so one budget per RunFunction call bounds every selector that call evaluates,
/// and it carries the call's <see cref="CancellationToken"/>, so work stops once the caller is gone.
/// </para>
/// <para>
/// Running out is not an evaluation error, which a selector would absorb as "no match" and so
/// silently change the answer with the machine's speed: it is an exception
/// (<see cref="CelTimeBudgetExceededException"/>, or <see cref="OperationCanceledException"/> when
/// the call was cancelled) that ends the whole call, for the caller to report.
/// </para>
/// </remarks>
public sealed class CelBudget
{
    /// <summary>Far above what a real call spends on CEL (milliseconds, even on a loaded machine), below Crossplane's call timeout.</summary>
    public static readonly TimeSpan DefaultLimit = TimeSpan.FromSeconds(10);

    private readonly long _deadline;

    public CelBudget(TimeSpan limit, CancellationToken cancellationToken = default)
    {
        Limit = limit;
        CancellationToken = cancellationToken;
        _deadline = Stopwatch.GetTimestamp() + (long)(limit.TotalSeconds * Stopwatch.Frequency);
    }

    /// <summary>A budget of <see cref="DefaultLimit"/> for a call with the given cancellation.</summary>
    public static CelBudget For(CancellationToken cancellationToken) => new(DefaultLimit, cancellationToken);

    public TimeSpan Limit { get; }

    public CancellationToken CancellationToken { get; }

    /// <summary>What is left of the budget; zero once it has run out.</summary>
    public TimeSpan Remaining
    {
        get
        {
            var left = _deadline - Stopwatch.GetTimestamp();
            return left <= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds((double)left / Stopwatch.Frequency);
        }
    }

    /// <summary>Throws when the call was cancelled or the budget has run out.</summary>
    public void ThrowIfExhausted()
    {
        CancellationToken.ThrowIfCancellationRequested();
        if (Stopwatch.GetTimestamp() > _deadline)
        {
            throw new CelTimeBudgetExceededException(Limit);
        }
    }
}

/// <summary>CEL evaluation ran past its call's wall-clock budget.</summary>
public sealed class CelTimeBudgetExceededException : TimeoutException
{
    public CelTimeBudgetExceededException()
        : this(CelBudget.DefaultLimit)
    {
    }

    public CelTimeBudgetExceededException(string message)
        : base(message)
    {
    }

    public CelTimeBudgetExceededException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public CelTimeBudgetExceededException(TimeSpan limit)
        : base($"evaluating CEL took longer than its budget of {limit.TotalMilliseconds:0} ms per call")
    {
    }
}
