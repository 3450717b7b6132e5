// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace Modelplane.Cel;

/// <summary>A thread-safe cache of compiled programs, keyed by expression text, bounded in entries and in bytes.</summary>
/// <remarks>
/// <para>
/// The scheduler compiles the same few selectors on every reconcile of every ModelDeployment;
/// caching makes that a dictionary lookup. Failures are cached as well, so an invalid selector
/// is parsed once, not once per reconcile. Every program in one cache is compiled against the same
/// variable declarations and limits.
/// </para>
/// <para>
/// The cache is bounded twice: by <see cref="MaxEntries"/> and by <see cref="MaxBytes"/> of
/// estimated program size (<see cref="CelProgram.EstimatedBytes"/>), and a program larger than
/// <see cref="MaxProgramBytes"/> is compiled every time and never kept. A count alone let 4,096
/// programs of 10 KB selectors hold gigabytes in a server whose users kept sending new ones. When
/// either bound is reached the cache is emptied and refilled: a long-running server stays flat,
/// and the price is only recompilation.
/// </para>
/// </remarks>
public sealed class CelProgramCache
{
    /// <summary>Far more distinct expressions than a control plane holds at once.</summary>
    public const int MaxEntries = 4096;

    /// <summary>Thousands of ordinary selectors (a few KB compiled each), a few MB of a server's memory.</summary>
    public const long MaxBytes = 16L << 20;

    /// <summary>A program this large (a selector of about 30 KB) is compiled for each use and not kept.</summary>
    public const long MaxProgramBytes = 256L << 10;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly string[]? _variables;
    private readonly CelLimits? _limits;
    private long _bytes;

    /// <summary>A cache whose programs resolve names at evaluation.</summary>
    public CelProgramCache()
        : this(null)
    {
    }

    /// <summary>A cache whose programs may reference only <paramref name="variables"/> (all names, when null).</summary>
    public CelProgramCache(IEnumerable<string>? variables)
        : this(variables, null)
    {
    }

    /// <summary>A cache whose programs may reference only <paramref name="variables"/> and must fit <paramref name="limits"/>.</summary>
    public CelProgramCache(IEnumerable<string>? variables, CelLimits? limits)
    {
        _variables = variables?.ToArray();
        _limits = limits;
    }

    public int Count => _entries.Count;

    /// <summary>The estimated bytes of what the cache holds.</summary>
    public long Bytes
    {
        get
        {
            lock (_entries)
            {
                return _bytes;
            }
        }
    }

    /// <summary>The compiled program for an expression, compiling it on first use.</summary>
    public bool TryGet(string expression, [NotNullWhen(true)] out CelProgram? program, [NotNullWhen(false)] out CelCompileError? error)
    {
        ArgumentNullException.ThrowIfNull(expression);
        if (!_entries.TryGetValue(expression, out var entry))
        {
            // Compiling is pure, so two threads racing here at worst compile the same text twice.
            entry = Compile(expression);
            if (entry.Bytes <= MaxProgramBytes)
            {
                entry = Keep(expression, entry);
            }
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

    // Misses are rare (a new selector), so one lock around the bookkeeping costs nothing that matters
    // and keeps the byte count exact.
    private Entry Keep(string expression, Entry entry)
    {
        lock (_entries)
        {
            if (_entries.TryGetValue(expression, out var existing))
            {
                return existing;
            }
            if (_entries.Count >= MaxEntries || _bytes + entry.Bytes > MaxBytes)
            {
                _entries.Clear();
                _bytes = 0;
            }
            _entries[expression] = entry;
            _bytes += entry.Bytes;
            return entry;
        }
    }

    private Entry Compile(string expression) =>
        CelProgram.TryCompile(expression, _variables, _limits, out var program, out var error)
            ? new Entry(program, null, program.EstimatedBytes)
            : new Entry(null, error, 64 + (2L * expression.Length) + (2L * error.Message.Length));

    private sealed record Entry(CelProgram? Program, CelCompileError? Error, long Bytes);
}
