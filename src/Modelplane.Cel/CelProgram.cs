// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics.CodeAnalysis;

namespace Modelplane.Cel;

/// <summary>A compiled CEL expression: a DRA device selector or an XRD validation rule.</summary>
/// <remarks>
/// <para>
/// Compiling parses the expression, expands macros and checks function names and argument counts,
/// so every syntax problem is reported once, with a position, before anything is evaluated; the
/// scheduler turns that into <c>InvalidNodeSelector</c>. There is no static type checker: type
/// mismatches (<c>"a" + 1</c>, <c>quantity("1") &lt; quantity("2")</c>) are evaluation errors. When
/// the caller names the variables the expression may use, an undeclared name is a compile error
/// too, which turns a misspelt <c>devcie.driver</c> into a clear message instead of a selector that
/// never matches.
/// </para>
/// <para>
/// Evaluation never throws. Errors are values that propagate through CEL's operators; the result
/// is either a value or an error message (<see cref="CelResult"/>), and <see cref="Matches"/>
/// counts anything but a boolean <c>true</c> as no match, as DRA does. Each evaluation is bounded
/// by a cost budget, and regular expressions by a timeout, so a hostile expression cannot stall
/// the scheduler. A program is immutable and may be evaluated from many threads at once.
/// </para>
/// <para>
/// Variables are a plain name → <see cref="CelValue"/> map: <c>device</c> for selectors (see
/// <see cref="CelDevice"/>), <c>self</c> and <c>oldSelf</c> for validation rules (see
/// <see cref="CelValue.FromJson"/>).
/// </para>
/// </remarks>
public sealed class CelProgram
{
    private static readonly IReadOnlyDictionary<string, CelValue> NoVariables = new Dictionary<string, CelValue>();

    private readonly Node _root;

    private CelProgram(string expression, Node root, long? estimatedCost)
    {
        Expression = expression;
        _root = root;
        EstimatedCost = estimatedCost;
        NodeCount = CountNodes(root);
    }

    /// <summary>The static worst-case cost, when the program was compiled with <see cref="CelLimits"/>.</summary>
    public long? EstimatedCost { get; }

    /// <summary>Nodes in the compiled tree, for sizing caches.</summary>
    public int NodeCount { get; }

    /// <summary>Roughly what the program holds in memory: its text and its tree.</summary>
    /// <remarks>
    /// Measured: the text (two bytes a character), string literals copied out of it (two more at
    /// most), and about 100 bytes a node for object headers, fields and child arrays.
    /// </remarks>
    public long EstimatedBytes => 64 + (4L * Expression.Length) + (100L * NodeCount);

    /// <summary>The source text the program was compiled from.</summary>
    public string Expression { get; }

    /// <summary>Compiles an expression, resolving names only when it is evaluated.</summary>
    /// <exception cref="CelCompileException">The expression is not valid CEL.</exception>
    public static CelProgram Compile(string expression) => Compile(expression, null);

    /// <summary>Compiles an expression that may reference only the given variables (all names, when null).</summary>
    /// <exception cref="CelCompileException">The expression is not valid CEL or uses an undeclared name.</exception>
    public static CelProgram Compile(string expression, IEnumerable<string>? variables) =>
        TryCompile(expression, variables, out var program, out var error) ? program : throw new CelCompileException(error);

    /// <summary>Compiles an expression without throwing, resolving names only when it is evaluated.</summary>
    public static bool TryCompile(
        string expression,
        [NotNullWhen(true)] out CelProgram? program,
        [NotNullWhen(false)] out CelCompileError? error) =>
        TryCompile(expression, null, out program, out error);

    /// <summary>Compiles an expression without throwing; with <paramref name="variables"/>, other names are compile errors.</summary>
    public static bool TryCompile(
        string expression,
        IEnumerable<string>? variables,
        [NotNullWhen(true)] out CelProgram? program,
        [NotNullWhen(false)] out CelCompileError? error) =>
        TryCompile(expression, variables, null, out program, out error);

    /// <summary>
    /// Compiles an expression without throwing; with <paramref name="limits"/>, an expression whose
    /// static worst-case cost is over the limit is a compile error, as Kubernetes refuses such a DRA selector.
    /// </summary>
    public static bool TryCompile(
        string expression,
        IEnumerable<string>? variables,
        CelLimits? limits,
        [NotNullWhen(true)] out CelProgram? program,
        [NotNullWhen(false)] out CelCompileError? error)
    {
        ArgumentNullException.ThrowIfNull(expression);
        try
        {
            var root = Parser.Parse(expression);
            if (variables is not null)
            {
                Parser.CheckReferences(root, variables.ToHashSet(StringComparer.Ordinal), []);
            }
            long? estimate = null;
            if (limits is not null)
            {
                estimate = root.Estimate(new CostEstimator(limits.VariableSize), null).Cost;
                if (estimate > limits.MaxEstimatedCost)
                {
                    program = null;
                    error = new CelCompileError(1, 1, $"estimated worst-case cost {FormatCost(estimate.Value)} exceeds the limit of {FormatCost(limits.MaxEstimatedCost)}; "
                        + "make it cheaper: fewer or shorter regular expressions, smaller lists in comprehensions, less nesting");
                    return false;
                }
            }
            program = new CelProgram(expression, root, estimate);
            error = null;
            return true;
        }
        catch (ParseException e)
        {
            program = null;
            error = CelCompileError.At(expression, e.Position, e.Message);
            return false;
        }
    }

    /// <summary>True only when the selector evaluates to boolean true for the device.</summary>
    /// <remarks>A malformed device (see <see cref="CelDevice.Error"/>), an evaluation error or a non-boolean result is no match.</remarks>
    /// <exception cref="OperationCanceledException">The budget's call was cancelled.</exception>
    /// <exception cref="CelTimeBudgetExceededException">The budget ran out.</exception>
    public bool Matches(CelDevice device, CelBudget? budget = null) => Evaluate(device, budget).IsTrue;

    /// <summary>Evaluates the program with <c>device</c> bound to the device.</summary>
    /// <exception cref="OperationCanceledException">The budget's call was cancelled.</exception>
    /// <exception cref="CelTimeBudgetExceededException">The budget ran out.</exception>
    public CelResult Evaluate(CelDevice device, CelBudget? budget = null)
    {
        ArgumentNullException.ThrowIfNull(device);
        return device.Error is not null ? CelResult.Failure(device.Error) : Evaluate(device.Variables, budget);
    }

    /// <summary>Evaluates the program with the given variables (none, when null); only a budget makes it throw.</summary>
    /// <exception cref="OperationCanceledException">The budget's call was cancelled.</exception>
    /// <exception cref="CelTimeBudgetExceededException">The budget ran out.</exception>
    public CelResult Evaluate(IReadOnlyDictionary<string, CelValue>? variables = null, CelBudget? budget = null)
    {
        try
        {
            budget?.ThrowIfExhausted();
            var result = _root.Eval(new EvalContext(variables ?? NoVariables, budget), null);
            return result.IsError ? CelResult.Failure(result.Error) : CelResult.Success(result.Value);
        }
        catch (Exception e) when (e is not OperationCanceledException and not CelTimeBudgetExceededException)
        {
            // Only a bug in this library gets here; a selector must still never crash the scheduler.
            return CelResult.Failure($"internal error evaluating CEL: {e.Message}");
        }
    }

    public override string ToString() => Expression;

    private static string FormatCost(long cost) => cost.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);

    private static int CountNodes(Node root)
    {
        var count = 0;
        var pending = new Stack<Node>();
        pending.Push(root);
        while (pending.TryPop(out var node))
        {
            count++;
            foreach (var child in node.Children)
            {
                pending.Push(child);
            }
        }
        return count;
    }
}

/// <summary>What a compiled program may cost, and how large the values its variables hold may be.</summary>
/// <param name="VariableSize">The bound on any value read from a variable: string length, list or map size.</param>
/// <param name="MaxEstimatedCost">The largest static worst-case cost accepted.</param>
public sealed record CelLimits(long VariableSize, long MaxEstimatedCost)
{
    /// <summary>
    /// DRA device selectors: attribute strings and versions are at most 64 characters and a device has
    /// at most 32 attributes and capacities (resource.k8s.io), and Kubernetes refuses a selector whose
    /// estimated cost is over 1,000,000.
    /// </summary>
    public static CelLimits DeviceSelector { get; } = new(64, EvalContext.CostLimit);
}

/// <summary>Where and why an expression failed to compile.</summary>
/// <param name="Line">1-based line number.</param>
/// <param name="Column">1-based column, counted in Unicode code points.</param>
/// <param name="Message">What was wrong, e.g. <c>expected ')' but found end of input</c>.</param>
public sealed record CelCompileError(int Line, int Column, string Message)
{
    public override string ToString() => $"at {Line}:{Column}: {Message}";

    internal static CelCompileError At(string source, int offset, string message)
    {
        var line = 1;
        var lineStart = 0;
        offset = Math.Clamp(offset, 0, source.Length);
        for (var i = 0; i < offset; i++)
        {
            if (source[i] == '\n')
            {
                line++;
                lineStart = i + 1;
            }
        }
        return new CelCompileError(line, Conversions.CodePointCount(source[lineStart..offset]) + 1, message);
    }
}

/// <summary>Thrown by <see cref="CelProgram.Compile(string)"/> when the expression is not valid.</summary>
public sealed class CelCompileException : Exception
{
    public CelCompileException()
        : this(new CelCompileError(1, 1, "invalid CEL expression"))
    {
    }

    public CelCompileException(string message)
        : this(new CelCompileError(1, 1, message))
    {
    }

    public CelCompileException(string message, Exception innerException)
        : base(message, innerException) => Error = new CelCompileError(1, 1, message);

    public CelCompileException(CelCompileError error)
        : base($"invalid CEL expression: {error}") => Error = error ?? throw new ArgumentNullException(nameof(error));

    public CelCompileError Error { get; }
}

/// <summary>The outcome of an evaluation: a value, or the message of the error that stopped it.</summary>
public sealed class CelResult
{
    private CelResult(CelValue? value, string? error)
    {
        Value = value;
        Error = error;
    }

    public CelValue? Value { get; }

    public string? Error { get; }

    [MemberNotNullWhen(true, nameof(Error))]
    [MemberNotNullWhen(false, nameof(Value))]
    public bool IsError => Error is not null;

    /// <summary>True when the result is the boolean <c>true</c>, the only result that counts as a match.</summary>
    public bool IsTrue => Value is { Kind: CelKind.Bool } v && v.AsBool();

    public override string ToString() => IsError ? $"error: {Error}" : Value.ToString();

    internal static CelResult Success(CelValue value) => new(value, null);

    internal static CelResult Failure(string error) => new(null, error);
}
