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
            var response = runner.Run(decoded).Response;
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
            Stage("run (request view + compose + respond)", iterations, () => runner.Run(decoded));
            var composer = runner.Registry.Resolve(new FunctionRequest(decoded)).Composer!;
            var composition = composer.Compose(new FunctionRequest(decoded));
            Stage("  of which compose", iterations, () => composer.Compose(new FunctionRequest(decoded)));
            Stage("  of which respond (Composition -> message)", iterations, () => FunctionRunner.Respond(decoded.Envelope, composition));
            Stage("serialise response", iterations, () => response.ToByteArray());
            Stage("all: decode + run + serialise", iterations, () => runner.Run(RequestDecoder.Decode(sequence)).Response.ToByteArray());
            if (label.StartsWith("modelservice", StringComparison.Ordinal))
            {
                // The response's desired resources as the composer hands them over, then encoded the
                // way Respond does today (a Struct tree, serialised) and straight to wire bytes.
                var viewed = new FunctionRequest(decoded);
                var desired = runner.Registry.Resolve(viewed).Composer!.Compose(viewed).Resources.Values.Select(d => d.Resource).ToArray();
                Stage("desired resources -> Struct -> bytes (today)", iterations, () =>
                {
                    var total = 0;
                    foreach (var resource in desired)
                    {
                        total += StructJson.ToStruct(resource).ToByteArray().Length;
                    }
                    return total;
                });
                Stage("desired resources -> wire bytes (StructWire)", iterations, () =>
                {
                    var total = 0;
                    foreach (var resource in desired)
                    {
                        total += StructWire.ToBytes(resource).Length;
                    }
                    return total;
                });
            }
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
