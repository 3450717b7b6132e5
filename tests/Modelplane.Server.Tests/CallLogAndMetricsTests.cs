// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

namespace Modelplane.Server.Tests;

public sealed class CallLogAndMetricsTests
{
    private sealed class FixedClock : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => new(2026, 3, 4, 5, 6, 7, 89, TimeSpan.Zero);
    }

    public static TheoryData<string, CallRecord, string> Lines => new()
    {
        {
            "fatal-call",
            new CallRecord
            {
                Method = RunFunctionEndpoint.V1Path,
                Tag = "t-1",
                XrApiVersion = "modelplane.ai/v1alpha1",
                XrKind = "ModelService",
                XrName = "chat",
                XrNamespace = "team-a",
                Composer = "model-service",
                DurationMs = 1.23456,
                Severities = ["Warning", "Fatal"],
            },
            """{"level":"info","ts":"2026-03-04T05:06:07.089Z","msg":"RunFunction","method":"/apiextensions.fn.proto.v1.FunctionRunnerService/RunFunction","tag":"t-1","xr-apiVersion":"modelplane.ai/v1alpha1","xr-kind":"ModelService","xr-name":"chat","xr-namespace":"team-a","composer":"model-service","durationMs":1.235,"results":["Warning","Fatal"],"grpcStatus":"ok"}"""
        },
        {
            "refusal-carries-error",
            new CallRecord { Method = "/x", Status = new GrpcStatus(GrpcStatusCode.Unimplemented, "unknown method /x") },
            """{"level":"info","ts":"2026-03-04T05:06:07.089Z","msg":"RunFunction","method":"/x","tag":"","xr-apiVersion":"","xr-kind":"","xr-name":"","composer":"","durationMs":0,"results":[],"grpcStatus":"unimplemented","error":"unknown method /x"}"""
        },
        {
            "internal-is-an-error",
            new CallRecord { Method = "/m", Tag = "quote\"and<tag>+", Status = new GrpcStatus(GrpcStatusCode.Internal, "internal error in composer: boom") },
            """{"level":"error","ts":"2026-03-04T05:06:07.089Z","msg":"RunFunction","method":"/m","tag":"quote\"and<tag>+","xr-apiVersion":"","xr-kind":"","xr-name":"","composer":"","durationMs":0,"results":[],"grpcStatus":"internal","error":"internal error in composer: boom"}"""
        },
    };

    [Theory]
    [MemberData(nameof(Lines))]
    public void Call_Record_OneJsonLine(string name, CallRecord record, string expected)
    {
        Assert.NotEmpty(name);
        using var output = new StringWriter();

        new CallLog(output, new FixedClock(), debug: false).Call(record);

        Assert.Equal(expected + "\n", output.ToString());
    }

    [Fact]
    public void Info_Fields_OneJsonLine()
    {
        using var output = new StringWriter();

        new CallLog(output, new FixedClock(), debug: true).Info("serving", ("grpc", "127.0.0.1:9443"), ("transport", "mtls"));

        Assert.Equal("""{"level":"info","ts":"2026-03-04T05:06:07.089Z","msg":"serving","grpc":"127.0.0.1:9443","transport":"mtls"}""" + "\n", output.ToString());
    }

    [Fact]
    public void Render_NoCalls_EmptyFamiliesAndZeroInFlight()
    {
        var text = new FunctionMetrics().Render();

        Assert.Equal(
            "# HELP modelplane_function_calls_total RunFunction calls, by composer and outcome.\n" +
            "# TYPE modelplane_function_calls_total counter\n" +
            "# HELP modelplane_function_call_duration_seconds RunFunction call duration, by composer and outcome.\n" +
            "# TYPE modelplane_function_call_duration_seconds histogram\n" +
            "# HELP modelplane_function_calls_in_flight RunFunction calls being answered now.\n" +
            "# TYPE modelplane_function_calls_in_flight gauge\n" +
            "modelplane_function_calls_in_flight 0\n",
            text);
    }

    [Fact]
    public void Render_Observations_CumulativeBucketsSumAndCountPerSeriesInLabelOrder()
    {
        var metrics = new FunctionMetrics();
        foreach (var (composer, outcome, seconds) in new[] { ("b", "ok", 0.0004), ("b", "ok", 0.003), ("b", "ok", 20.0), ("a", "fatal", 0.5) })
        {
            metrics.Started();
            metrics.Finished(composer, outcome, seconds);
        }
        metrics.Started();

        var lines = metrics.Render().Split('\n');

        Assert.Equal(
            ["modelplane_function_calls_total{composer=\"a\",outcome=\"fatal\"} 1", "modelplane_function_calls_total{composer=\"b\",outcome=\"ok\"} 3"],
            lines.Where(l => l.StartsWith("modelplane_function_calls_total{", StringComparison.Ordinal)));
        Assert.Equal(
            [
                "le=\"0.0005\"} 1", "le=\"0.001\"} 1", "le=\"0.0025\"} 1", "le=\"0.005\"} 2", "le=\"0.01\"} 2", "le=\"0.025\"} 2",
                "le=\"0.05\"} 2", "le=\"0.1\"} 2", "le=\"0.25\"} 2", "le=\"0.5\"} 2", "le=\"1\"} 2", "le=\"2.5\"} 2", "le=\"5\"} 2",
                "le=\"10\"} 2", "le=\"+Inf\"} 3",
            ],
            lines.Where(l => l.StartsWith("modelplane_function_call_duration_seconds_bucket{composer=\"b\"", StringComparison.Ordinal))
                .Select(l => l[(l.IndexOf("le=", StringComparison.Ordinal))..]));
        Assert.Contains("modelplane_function_call_duration_seconds_bucket{composer=\"a\",outcome=\"fatal\",le=\"0.25\"} 0", lines);
        Assert.Contains("modelplane_function_call_duration_seconds_bucket{composer=\"a\",outcome=\"fatal\",le=\"0.5\"} 1", lines);
        var sum = 0d + 0.0004 + 0.003 + 20.0; // added in observation order, as the server does
        Assert.Contains($"modelplane_function_call_duration_seconds_sum{{composer=\"b\",outcome=\"ok\"}} {sum.ToString(System.Globalization.CultureInfo.InvariantCulture)}", lines);
        Assert.Contains("modelplane_function_call_duration_seconds_count{composer=\"b\",outcome=\"ok\"} 3", lines);
        Assert.Contains("modelplane_function_calls_in_flight 1", lines);
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("quo\"te", "quo\\\"te")]
    [InlineData("back\\slash", "back\\\\slash")]
    [InlineData("new\nline", "new\\nline")]
    public void Render_LabelValue_Escaped(string composer, string escaped)
    {
        var metrics = new FunctionMetrics();
        metrics.Started();
        metrics.Finished(composer, "ok", 0.001);

        Assert.Contains($"modelplane_function_calls_total{{composer=\"{escaped}\",outcome=\"ok\"}} 1\n", metrics.Render(), StringComparison.Ordinal);
    }
}
