// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Modelplane.Cel;

namespace Modelplane.Benchmarks;

/// <summary>A stream of distinct large DRA selectors through the compiled-CEL cache: memory stays bounded.</summary>
/// <remarks>
/// Every invocation compiles <see cref="Batch"/> selectors of about 10 KB that no earlier invocation
/// used, as a tenant editing selectors (or an attacker) would send them, through one process-wide
/// cache with the scheduler's limits. Before the cache was bounded in bytes it kept 4,096 programs
/// whatever their size. The allocation column shows the compile cost per selector batch; the cleanup
/// prints the row that matters, RSS and the cache's own estimate after the whole stream, which must
/// stay near <see cref="CelProgramCache.MaxBytes"/> plus the runtime's baseline however long it runs.
/// Run with <c>--filter *CelCacheMemory*</c>.
/// </remarks>
[MemoryDiagnoser]
public class CelCacheMemoryBenchmarks
{
    private const int Batch = 64;

    private static readonly string Padding = new('x', 10_000);

    private readonly CelProgramCache _cache = new(["device"], CelLimits.DeviceSelector);
    private long _next;
    private long _peakRss;

    [Benchmark]
    public int CompileDistinctTenKilobyteSelectors()
    {
        var matched = 0;
        for (var i = 0; i < Batch; i++)
        {
            var selector = $"device.driver == 'gpu.nvidia.com' && device.attributes['gpu.nvidia.com'].productName != '{Padding}{_next++}'";
            matched += _cache.TryGet(selector, out _, out _) ? 1 : 0;
        }
        _peakRss = Math.Max(_peakRss, Environment.WorkingSet);
        return matched;
    }

    [GlobalCleanup]
    public void Report()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        using var self = Process.GetCurrentProcess();
        Console.WriteLine(
            $"// CelCacheMemory: {_next:N0} distinct ~10 KB selectors; peak RSS {_peakRss >> 20} MiB, RSS after GC {self.WorkingSet64 >> 20} MiB; "
            + $"cache {_cache.Bytes >> 20} MiB in {_cache.Count:N0} entries (bound {CelProgramCache.MaxBytes >> 20} MiB)");
    }
}
