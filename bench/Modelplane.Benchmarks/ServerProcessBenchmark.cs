// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Modelplane.Testing;

namespace Modelplane.Benchmarks;

/// <summary>The release server as a process: startup to first answered call, and RSS under load,
/// for the NativeAOT binary and, as the peer in the same run, the JIT build of the same code.</summary>
/// <remarks>
/// Startup is the time from process start to the first RunFunction answered with grpc-status 0,
/// polled every 2 ms, median of <see cref="Starts"/> starts. RSS is read from /proc after the first
/// call and after <see cref="LoadCalls"/> calls, <see cref="LoadConcurrency"/> at a time, each a
/// ModelService over 100 ready endpoints; VmHWM is the peak.
/// </remarks>
internal static class ServerProcessBenchmark
{
    private const int Starts = 7;
    private const int LoadCalls = 4000;
    private const int LoadConcurrency = 16;

    public static async Task<int> RunAsync(string binary, string dll)
    {
        var aot = await MeasureAsync("AOT", binary, []).ConfigureAwait(false);
        var jit = await MeasureAsync("JIT", "dotnet", [dll]).ConfigureAwait(false);
        Console.WriteLine();
        Console.WriteLine("| server | startup to first answer, median (ms) | RSS after first call (MiB) | RSS after load (MiB) | peak RSS (MiB) | load (calls/s) |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach (var m in new[] { aot, jit })
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {m.Label} | {m.StartupMs:F1} | {m.IdleRssMiB:F1} | {m.LoadedRssMiB:F1} | {m.PeakRssMiB:F1} | {m.CallsPerSecond:F0} |"));
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"\nAOT startup is {jit.StartupMs / aot.StartupMs:F1}x faster than JIT; AOT peak RSS is {aot.PeakRssMiB / jit.PeakRssMiB:F2}x JIT's; AOT load throughput is {aot.CallsPerSecond / jit.CallsPerSecond:F2}x JIT's."));
        return 0;
    }

    private sealed record Measurement(string Label, double StartupMs, double IdleRssMiB, double LoadedRssMiB, double PeakRssMiB, double CallsPerSecond);

    private static async Task<Measurement> MeasureAsync(string label, string fileName, string[] prefix)
    {
        var probe = RuntimeRequests.Frame(BenchRequests.ModelService(1));
        var load = RuntimeRequests.Frame(BenchRequests.ModelService(100));
        var startups = new List<double>();
        double idle = 0, loaded = 0, peak = 0, rate = 0;
        for (var run = 0; run < Starts; run++)
        {
            var port = FreePort();
            var info = new ProcessStartInfo(fileName)
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            foreach (var a in prefix.Concat(["--insecure", "--address", $"127.0.0.1:{port}", "--metrics-address", "none"]))
            {
                info.ArgumentList.Add(a);
            }
            using var client = new H2cClient(new Uri($"http://127.0.0.1:{port}"));
            var clock = Stopwatch.StartNew();
            using var process = Process.Start(info)!;
            process.ErrorDataReceived += (_, _) => { };
            process.BeginErrorReadLine();
            process.BeginOutputReadLine();
            try
            {
                while (true)
                {
                    try
                    {
                        await client.CallAsync(probe).ConfigureAwait(false);
                        break;
                    }
                    catch (HttpRequestException) when (clock.Elapsed < TimeSpan.FromSeconds(30))
                    {
                        await Task.Delay(2).ConfigureAwait(false);
                    }
                }
                startups.Add(clock.Elapsed.TotalMilliseconds);
                if (run == Starts - 1)
                {
                    idle = Rss(process.Id, "VmRSS");
                    var timer = Stopwatch.StartNew();
                    var next = 0;
                    var workers = Enumerable.Range(0, LoadConcurrency).Select(async _ =>
                    {
                        while (Interlocked.Increment(ref next) <= LoadCalls)
                        {
                            await client.CallAsync(load).ConfigureAwait(false);
                        }
                    });
                    await Task.WhenAll(workers).ConfigureAwait(false);
                    rate = LoadCalls / timer.Elapsed.TotalSeconds;
                    loaded = Rss(process.Id, "VmRSS");
                    peak = Rss(process.Id, "VmHWM");
                }
            }
            finally
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync().ConfigureAwait(false);
            }
        }
        startups.Sort();
        return new Measurement(label, startups[startups.Count / 2], idle, loaded, peak, rate);
    }

    private static double Rss(int pid, string field)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                var kib = double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
                return kib / 1024;
            }
        }
        return double.NaN;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
