// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace Modelplane.Server;

/// <summary>Call counts and a duration histogram per composer and outcome, in Prometheus text format.</summary>
/// <remarks>
/// Hand-written because no Prometheus client restores here, and because the shape is small: one
/// counter and one histogram, labelled by composer and outcome (ok, normal, warning, fatal, or a gRPC
/// status such as invalid_argument). Buckets span 0.5 ms to 10 s: composers answer in well under a
/// millisecond to tens of milliseconds, and Crossplane's reconcile gives up after two minutes.
/// Updates are lock-free (Interlocked), so metrics cost the hot path a few atomic adds.
/// </remarks>
public sealed class FunctionMetrics
{
    private static readonly double[] Buckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly ConcurrentDictionary<(string Composer, string Outcome), Series> _series = new();
    private long _inFlight;

    public void Started() => Interlocked.Increment(ref _inFlight);

    public void Finished(string composer, string outcome, double seconds)
    {
        Interlocked.Decrement(ref _inFlight);
        _series.GetOrAdd((composer, outcome), static _ => new Series()).Observe(seconds);
    }

    /// <summary>The exposition text, series in label order so scrapes diff cleanly.</summary>
    public string Render()
    {
        var text = new StringBuilder();
        var ordered = _series.OrderBy(s => s.Key.Composer, StringComparer.Ordinal).ThenBy(s => s.Key.Outcome, StringComparer.Ordinal).ToArray();
        text.Append("# HELP modelplane_function_calls_total RunFunction calls, by composer and outcome.\n");
        text.Append("# TYPE modelplane_function_calls_total counter\n");
        foreach (var ((composer, outcome), series) in ordered)
        {
            text.Append(CultureInfo.InvariantCulture, $"modelplane_function_calls_total{{composer=\"{Escape(composer)}\",outcome=\"{Escape(outcome)}\"}} {series.Count}\n");
        }
        text.Append("# HELP modelplane_function_call_duration_seconds RunFunction call duration, by composer and outcome.\n");
        text.Append("# TYPE modelplane_function_call_duration_seconds histogram\n");
        foreach (var ((composer, outcome), series) in ordered)
        {
            var labels = $"composer=\"{Escape(composer)}\",outcome=\"{Escape(outcome)}\"";
            long cumulative = 0;
            for (var i = 0; i < Buckets.Length; i++)
            {
                cumulative += Interlocked.Read(ref series.BucketCounts[i]);
                text.Append(CultureInfo.InvariantCulture, $"modelplane_function_call_duration_seconds_bucket{{{labels},le=\"{Buckets[i]}\"}} {cumulative}\n");
            }
            text.Append(CultureInfo.InvariantCulture, $"modelplane_function_call_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {series.Count}\n");
            text.Append(CultureInfo.InvariantCulture, $"modelplane_function_call_duration_seconds_sum{{{labels}}} {series.Sum}\n");
            text.Append(CultureInfo.InvariantCulture, $"modelplane_function_call_duration_seconds_count{{{labels}}} {series.Count}\n");
        }
        text.Append("# HELP modelplane_function_calls_in_flight RunFunction calls being answered now.\n");
        text.Append("# TYPE modelplane_function_calls_in_flight gauge\n");
        text.Append(CultureInfo.InvariantCulture, $"modelplane_function_calls_in_flight {Interlocked.Read(ref _inFlight)}\n");
        return text.ToString();
    }

    private static string Escape(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private sealed class Series
    {
        public readonly long[] BucketCounts = new long[Buckets.Length];
        private long _count;
        private long _sumBits;

        public long Count => Interlocked.Read(ref _count);

        public double Sum => BitConverter.Int64BitsToDouble(Interlocked.Read(ref _sumBits));

        public void Observe(double seconds)
        {
            for (var i = 0; i < Buckets.Length; i++)
            {
                if (seconds <= Buckets[i])
                {
                    Interlocked.Increment(ref BucketCounts[i]);
                    break;
                }
            }
            Interlocked.Increment(ref _count);
            long seen, next;
            do
            {
                seen = Interlocked.Read(ref _sumBits);
                next = BitConverter.DoubleToInt64Bits(BitConverter.Int64BitsToDouble(seen) + seconds);
            }
            while (Interlocked.CompareExchange(ref _sumBits, next, seen) != seen);
        }
    }
}
