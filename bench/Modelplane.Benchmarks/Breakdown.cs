// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics;
using System.Globalization;
using Apiextensions.Fn.Proto.V1;
using Google.Protobuf;
using Modelplane.Apis.ModelEndpoints;
using Modelplane.Composers;
using Modelplane.Sdk;
using Modelplane.Testing;

namespace Modelplane.Benchmarks;

/// <summary>Where the time of one call goes, stage by stage, in process (`breakdown`): medians of repeated runs.</summary>
internal static class Breakdown
{
    public static int Run()
    {
        var runner = new FunctionRunner(AllComposers.Registry);
        foreach (var (label, request) in new (string, RunFunctionRequest)[]
        {
            ("modelservice-100", WireRequests.ModelService(100)),
            ("modelservice-1000", WireRequests.ModelService(1000)),
            ("schedule-100", FleetFixtures.ScheduleRequest(clusters: 100, otherReplicas: 500, replicas: 10)),
            ("schedule-1000", FleetFixtures.ScheduleRequest(clusters: 1000, otherReplicas: 5000, replicas: 10)),
        })
        {
            var bytes = request.ToByteArray();
            var sequence = new System.Buffers.ReadOnlySequence<byte>(bytes);
            var decoded = RequestDecoder.Decode(sequence);
            var iterations = bytes.Length > 1_000_000 ? 15 : 40;
            Console.WriteLine($"{label} ({bytes.Length:N0} B)");
            Stage("parse whole (Google.Protobuf)", iterations, () => RunFunctionRequest.Parser.ParseFrom(bytes));
            // What the server runs: the envelope through Google.Protobuf, required objects straight to JSON text.
            Stage("decode as the server does (RequestDecoder)", iterations, () => RequestDecoder.Decode(sequence));
            Stage("required -> JsonObject", iterations, () =>
            {
                var r = new FunctionRequest(decoded).Required;
                return r.Names.Select(r.Get).ToArray();
            });
            if (label.StartsWith("modelservice", StringComparison.Ordinal))
            {
                Stage("endpoints -> typed", iterations, () => new FunctionRequest(decoded).Required.Read("endpoints-0", ModelEndpointJsonContext.Default.ModelEndpoint));
                Stage("endpoints -> JsonObject -> typed", iterations, () => new FunctionRequest(decoded).Required.Get("endpoints-0")
                    .Select(o => FunctionRequest.Read(o, ModelEndpointJsonContext.Default.ModelEndpoint, "")).ToArray());
            }
            // What the server runs per call, then its parts. Encode reads typed records' JSON text,
            // so it is timed before anything asks a composed resource for its JsonObject.
            Stage("all as the server: decode + run + encode", iterations, () =>
            {
                var (encoded, _) = runner.RunEncoded(RequestDecoder.Decode(sequence));
                using (encoded)
                {
                    return encoded.Size;
                }
            });
            var composer = runner.Registry.Resolve(new FunctionRequest(decoded)).Composer!;
            Stage("  of which compose", iterations, () => composer.Compose(new FunctionRequest(decoded)));
            var composition = composer.Compose(new FunctionRequest(decoded));
            Stage("  of which encode (Composition -> wire bytes)", iterations, () =>
            {
                using var encoded = FunctionRunner.Encode(decoded.Envelope, composition);
                return encoded.Size;
            });
            // For comparison, the message tree and its serialisation, as before stop 20.
            Stage("Composition -> message -> bytes (before)", iterations, () =>
                FunctionRunner.Respond(decoded.Envelope, composer.Compose(new FunctionRequest(decoded))).ToByteArray());
            Stage("run for tests and the CLI (+ read back)", iterations, () => runner.Run(decoded));
            Console.WriteLine();
        }
        return 0;
    }

    private static void Stage(string label, int iterations, Func<object> stage)
    {
        for (var i = 0; i < 3; i++)
        {
            _ = stage();
        }
        var times = new List<double>();
        var gcs = GC.CollectionCount(0);
        var gen2 = GC.CollectionCount(2);
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        for (var i = 0; i < iterations; i++)
        {
            var clock = Stopwatch.StartNew();
            _ = stage();
            times.Add(clock.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        var perCall = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / iterations;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {label,-42} {times[times.Count / 2],8:F2} ms  {perCall / 1048576.0,7:F1} MiB/call  gen0 {GC.CollectionCount(0) - gcs,4} gen2 {GC.CollectionCount(2) - gen2,3}"));
    }
}
