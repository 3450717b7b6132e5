// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using Prometheus;

namespace Modelplane.Server;

/// <summary>The server's metrics, on prometheus-net, named as Crossplane's own Go functions export them.</summary>
/// <remarks>
/// The <c>grpc_server_*</c> families are go-grpc-prometheus's (what Crossplane's functions serve through
/// the Go SDK), so the same dashboards and alerts work: started and handled counters labelled by
/// service, method and type, handled also by <c>grpc_code</c>, and a handling-seconds histogram. Only
/// methods the server registers are counted, so a caller cannot mint label values with made-up paths.
/// Ours add the composer's view: calls answered per composer and worst result severity (severity and
/// gRPC code never share a label: a Fatal result travels in an OK call), and the composer's time.
/// Each server has its own registry, so several in one process (the tests) count apart.
/// </remarks>
public sealed class FunctionMetrics
{
    // Composers answer in well under a millisecond to tens of milliseconds; Crossplane gives a call two minutes.
    private static readonly double[] Buckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120];

    // In go-grpc-prometheus's exposition order.
    private static readonly string[] MethodLabels = ["grpc_method", "grpc_service", "grpc_type"];
    private static readonly string[] HandledLabels = ["grpc_code", "grpc_method", "grpc_service", "grpc_type"];

    private readonly Counter _started;
    private readonly Counter _handled;
    private readonly Histogram _handling;
    private readonly Counter _calls;
    private readonly Histogram _composeSeconds;
    private readonly Gauge _inFlight;

    public FunctionMetrics()
    {
        Registry = Metrics.NewCustomRegistry();
        // Process figures (CPU, memory, threads, open handles, start time, GC counts) from the runtime itself.
        DotNetStats.Register(Registry);
        var factory = Metrics.WithCustomRegistry(Registry);
        _started = factory.CreateCounter("grpc_server_started_total", "Total number of RPCs started on the server.", MethodLabels);
        _handled = factory.CreateCounter("grpc_server_handled_total", "Total number of RPCs completed on the server, regardless of success or failure.", HandledLabels);
        _handling = factory.CreateHistogram("grpc_server_handling_seconds", "Histogram of response latency (seconds) of gRPC that had been application-level handled by the server.",
            new HistogramConfiguration { LabelNames = MethodLabels, Buckets = Buckets });
        _calls = factory.CreateCounter("modelplane_function_calls_total", "RunFunction calls answered, by composer and worst result severity (none when there were no results).",
            ["composer", "severity"]);
        _composeSeconds = factory.CreateHistogram("modelplane_function_compose_seconds", "Time a composer took, answer built, by composer.",
            new HistogramConfiguration { LabelNames = ["composer"], Buckets = Buckets });
        _inFlight = factory.CreateGauge("modelplane_function_calls_in_flight", "RunFunction calls being answered now.");
    }

    public CollectorRegistry Registry { get; }

    public void Started(string service, string method)
    {
        _inFlight.Inc();
        _started.WithLabels(method, service, "unary").Inc();
    }

    public void Handled(string service, string method, string code, double seconds)
    {
        _inFlight.Dec();
        _handled.WithLabels(code, method, service, "unary").Inc();
        _handling.WithLabels(method, service, "unary").Observe(seconds);
    }

    /// <summary>A call a composer answered (OK on the wire), whatever its results said.</summary>
    public void Composed(string composer, string outcome, double seconds)
    {
        _calls.WithLabels(composer, outcome == "ok" ? "none" : outcome).Inc();
        _composeSeconds.WithLabels(composer).Observe(seconds);
    }
}
