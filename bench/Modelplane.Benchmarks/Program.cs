// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using Modelplane.Benchmarks;

// `aot <binary> <dll>`: startup to first answered call and RSS under load, AOT against JIT.
if (args is ["aot", var binary, var dll, ..])
{
    return await ServerProcessBenchmark.RunAsync(binary, dll).ConfigureAwait(false);
}

// `wire-requests <dir>`: the requests of the over-the-wire suite (bench/wire), as protobuf files.
if (args is ["wire-requests", var directory, ..])
{
    return WireRequests.Write(directory);
}

// `breakdown`: where one call's time goes, stage by stage, in process.
if (args is ["breakdown", ..])
{
    return Breakdown.Run();
}

if (args is ["sizes", ..])
{
    RequestSizes.Print();
    return 0;
}

// Short runs: 2 cores, and every figure we quote is a ratio to a floor measured in the same run,
// which is stable across runs even when absolute times are not. The generated project's build may
// wait on a busy 2-core machine far beyond BenchmarkDotNet's two-minute default.
var config = ManualConfig.Create(DefaultConfig.Instance)
    .WithBuildTimeout(TimeSpan.FromMinutes(20))
    .AddJob(Job.ShortRun.WithWarmupCount(3).WithIterationCount(8).WithLaunchCount(1))
    .WithOptions(ConfigOptions.JoinSummary)
    .HideColumns("Error", "StdDev", "RatioSD", "Alloc Ratio");
BenchmarkSwitcher.FromAssembly(typeof(RuntimeBenchmarks).Assembly).Run(args, config);
return 0;
