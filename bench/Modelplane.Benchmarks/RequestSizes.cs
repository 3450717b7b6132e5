// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Buffers;
using System.Globalization;
using Apiextensions.Fn.Proto.V1;
using Modelplane.Composers;
using Modelplane.Sdk;
using Modelplane.Testing;

namespace Modelplane.Benchmarks;

/// <summary>The wire sizes of the benchmarked requests and their responses, against Crossplane's 4 MiB limit.</summary>
internal static class RequestSizes
{
    private const double FourMiB = 4 * 1024 * 1024;

    public static void Print()
    {
        var runner = new FunctionRunner(AllComposers.Registry);
        var output = new ArrayBufferWriter<byte>();
        Console.WriteLine("| request | request bytes | response bytes | request / 4 MiB |");
        Console.WriteLine("|---|---:|---:|---:|");
        foreach (var endpoints in new[] { 10, 100, 1000 })
        {
            Row($"model-service, {endpoints} endpoints", BenchRequests.ModelService(endpoints));
        }
        foreach (var clusters in new[] { 100, 1000 })
        {
            Row($"model-deployment, 10 replicas over {clusters} clusters", FleetFixtures.ScheduleRequest(clusters: clusters, otherReplicas: clusters * 5, replicas: 10));
        }
        Console.WriteLine();

        void Row(string label, RunFunctionRequest request)
        {
            var frame = RuntimeRequests.Frame(request);
            var response = RuntimeRequests.InProcess(runner, frame, output);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {label} | {frame.Length:N0} | {response:N0} | {frame.Length / FourMiB:P1} |"));
        }
    }
}
