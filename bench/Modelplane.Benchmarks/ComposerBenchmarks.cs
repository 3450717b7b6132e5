// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Buffers;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Modelplane.Composers;
using Modelplane.Sdk;
using Modelplane.Testing;

namespace Modelplane.Benchmarks;

/// <summary>ModelService over 10, 100 and 1,000 ready endpoints, as a ratio to the echo floor of the same request.</summary>
/// <remarks>
/// The request is <see cref="BenchRequests.ModelService"/>, the one the routing tests check. Its
/// floor parses the same bytes and answers with <c>response.To(req)</c>, so the ratio is what the
/// composer (and the Struct ⇄ JSON conversion it causes) adds over protobuf and framing alone.
/// </remarks>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByParams)]
public class ModelServiceBenchmarks
{
    private readonly ArrayBufferWriter<byte> _output = new();
    private readonly FunctionRunner _runner = new(AllComposers.Registry);
    private byte[] _frame = [];

    [Params(10, 100, 1000)]
    public int Endpoints { get; set; }

    [GlobalSetup]
    public void Setup() => _frame = RuntimeRequests.Frame(BenchRequests.ModelService(Endpoints));

    [Benchmark(Baseline = true, Description = "echo floor (same request)")]
    public int EchoFloor() => RuntimeRequests.EchoFloor(_frame, _output);

    [Benchmark(Description = "model-service")]
    public int Compose() => RuntimeRequests.InProcess(_runner, _frame, _output);
}

/// <summary>Scheduling 10 replicas (three CEL selectors on every member) over 100 and 1,000 clusters
/// running five other replicas each, as a ratio to the echo floor of the same request.</summary>
/// <remarks>
/// The request is <see cref="FleetFixtures.ScheduleRequest"/>, the one the fleet-scale test checks
/// for size. The composer's CEL programs are cached across calls, as in the server, so the rows show
/// the steady cost of a reconcile, not the first compile.
/// </remarks>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByParams)]
public class SchedulingBenchmarks
{
    private readonly ArrayBufferWriter<byte> _output = new();
    private readonly FunctionRunner _runner = new(AllComposers.Registry);
    private byte[] _frame = [];

    [Params(100, 1000)]
    public int Clusters { get; set; }

    [GlobalSetup]
    public void Setup() => _frame = RuntimeRequests.Frame(FleetFixtures.ScheduleRequest(clusters: Clusters, otherReplicas: Clusters * 5, replicas: 10));

    [Benchmark(Baseline = true, Description = "echo floor (same request)")]
    public int EchoFloor() => RuntimeRequests.EchoFloor(_frame, _output);

    [Benchmark(Description = "model-deployment, 10 replicas")]
    public int Schedule() => RuntimeRequests.InProcess(_runner, _frame, _output);
}
