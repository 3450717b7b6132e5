// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Buffers;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Modelplane.Sdk;
using Microsoft.Extensions.Logging;
using Modelplane.Server;

namespace Modelplane.Benchmarks;

/// <summary>RunFunction latency and throughput, in process and over h2c, as ratios to the echo floor.</summary>
/// <remarks>
/// Each request size gets its own floor: the same framed bytes parsed, answered by
/// <c>response.To(req)</c> and serialised, with no composer. The in-process row adds the runner and a
/// composer that converts every observed Struct to JSON and back (typical composer work); the wire
/// rows add HTTP/2, Kestrel and the client. Throughput runs 32 calls at once on the 2 cores.
/// </remarks>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByParams)]
public class RuntimeBenchmarks
{
    private const int Concurrency = 32;

    private readonly ArrayBufferWriter<byte> _output = new();
    private byte[] _frame = [];
    private FunctionRunner _runner = null!;
    private FunctionServer _server = null!;
    private H2cClient _client = null!;

    [Params(1, 100, 1000)]
    public int ObservedResources { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var registry = new ComposerRegistry([RuntimeRequests.Mirror]);
        _runner = new FunctionRunner(registry);
        _frame = RuntimeRequests.Frame(RuntimeRequests.Request(ObservedResources));
        var options = new ServerOptions
        {
            Address = new ListenAddress(System.Net.IPAddress.Loopback, 0),
            Insecure = true,
            MaxRecvMessageSizeMiB = 64,
        };
        _server = FunctionServer.Create(options, registry, logging => logging.ClearProviders());
        _server.App!.StartAsync().GetAwaiter().GetResult();
        _client = new H2cClient(new Uri($"http://127.0.0.1:{_server.GrpcEndPoint!.Port}"));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _client.Dispose();
        _server.App!.StopAsync().GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true, Description = "echo floor (framing + protobuf)")]
    public int EchoFloor() => RuntimeRequests.EchoFloor(_frame, _output);

    [Benchmark(Description = "RunFunction in process")]
    public int InProcess() => RuntimeRequests.InProcess(_runner, _frame, _output);

    [Benchmark(Description = "RunFunction over h2c")]
    public Task<int> OverWire() => _client.CallAsync(_frame);

    [Benchmark(OperationsPerInvoke = Concurrency, Description = "RunFunction over h2c, 32 concurrent")]
    public async Task<int> OverWireConcurrent()
    {
        var calls = new Task<int>[Concurrency];
        for (var i = 0; i < calls.Length; i++)
        {
            calls[i] = _client.CallAsync(_frame);
        }
        var sizes = await Task.WhenAll(calls).ConfigureAwait(false);
        return sizes[0];
    }
}
