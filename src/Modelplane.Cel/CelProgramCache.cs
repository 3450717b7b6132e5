// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace Modelplane.Cel;

/// <summary>A thread-safe cache of compiled programs, keyed by expression text.</summary>
/// <remarks>
/// The scheduler compiles the same few selectors on every reconcile of every ModelDeployment;
/// caching makes that a dictionary lookup. Failures are cached as well, so an invalid selector
/// is parsed once, not once per reconcile. Every program in one cache is compiled against the same
/// variable declarations. The cache is bounded: when it reaches <see cref="MaxEntries"/> it is
/// emptied and refilled, which keeps memory flat in a long-running server whose users keep editing
/// selectors, and costs only recompilation.
/// </remarks>
public sealed class CelProgramCache
{
    /// <summary>Far more distinct expressions than a control plane holds at once.</summary>
    public const int MaxEntries = 4096;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly string[]? _variables;

    /// <summary>A cache whose programs resolve names at evaluation.</summary>
    public CelProgramCache()
        : this(null)
    {
    }

    /// <summary>A cache whose programs may reference only <paramref name="variables"/> (all names, when null).</summary>
    public CelProgramCache(IEnumerable<string>? variables) => _variables = variables?.ToArray();

    public int Count => _entries.Count;

    /// <summary>The compiled program for an expression, compiling it on first use.</summary>
    public bool TryGet(string expression, [NotNullWhen(true)] out CelProgram? program, [NotNullWhen(false)] out CelCompileError? error)
    {
        ArgumentNullException.ThrowIfNull(expression);
        if (!_entries.TryGetValue(expression, out var entry))
        {
            if (_entries.Count >= MaxEntries)
            {
                _entries.Clear();
            }
            // Compiling is pure, so two threads racing here at worst compile the same text twice.
            entry = _entries.GetOrAdd(expression, Compile);
        }
        if (entry.Program is not null)
        {
            program = entry.Program;
            error = null;
            return true;
        }
        program = null;
        error = entry.Error!;
        return false;
    }

    /// <summary>The compiled program for an expression.</summary>
    /// <exception cref="CelCompileException">The expression is not valid.</exception>
    public CelProgram GetOrCompile(string expression) =>
        TryGet(expression, out var program, out var error) ? program : throw new CelCompileException(error);

    private Entry Compile(string expression) =>
        CelProgram.TryCompile(expression, _variables, out var program, out var error) ? new Entry(program, null) : new Entry(null, error);

    private sealed record Entry(CelProgram? Program, CelCompileError? Error);
}
