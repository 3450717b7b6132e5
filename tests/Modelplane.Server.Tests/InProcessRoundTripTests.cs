// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Net;
using System.Text.Json.Nodes;
using Apiextensions.Fn.Proto.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Modelplane.Sdk;
using Modelplane.Server.Tests.Support;

namespace Modelplane.Server.Tests;

/// <summary>The real server on loopback, called over h2c: answers, errors, logs and metrics.</summary>
public sealed class InProcessRoundTripTests : IAsyncLifetime
{
    private const string Secret = "hunter2-credential";
    private const string ConnectionSecret = "s3cret-connection";

    private InProcessServer _server = null!;
    private readonly HttpClient _client = GrpcWire.H2cClient();

    public async Task InitializeAsync() =>
        _server = await InProcessServer.StartAsync([TestComposers.Ok, TestComposers.Throws, TestComposers.Typed]);

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Theory]
    [InlineData(GrpcWire.V1Path)]
    [InlineData(GrpcWire.V1Beta1Path)]
    public async Task RunFunction_ComposerByInput_AnswersWholeResponseInOneFrameAndOkTrailer(string path)
    {
        var request = TestComposers.Request("round-trip", "ok");
        request.Desired.Resources["earlier"] = new Resource { Resource_ = StructJson.ParseStruct("""{"apiVersion":"v1","kind":"Secret"}"""), Ready = Ready.False };
        request.Context = StructJson.ParseStruct("""{"from-earlier-step":{"n":1}}""");

        var reply = await GrpcWire.CallAsync(_client, _server.GrpcUri, GrpcWire.Frame(request), path);

        Assert.Equal(HttpStatusCode.OK, reply.HttpStatus);
        Assert.Equal("application/grpc", reply.ContentType);
        Assert.False(reply.TrailersOnly);
        Assert.Equal(0, reply.Status);
        var want = new RunFunctionResponse
        {
            Meta = new ResponseMeta { Tag = "round-trip", Ttl = Duration.FromTimeSpan(TimeSpan.FromSeconds(60)) },
            Desired = new State
            {
                Composite = new Resource { Resource_ = StructJson.ParseStruct("""{"status":{"phase":"Composed"}}""") },
                Resources =
                {
                    ["earlier"] = new Resource { Resource_ = StructJson.ParseStruct("""{"apiVersion":"v1","kind":"Secret"}"""), Ready = Ready.False },
                    ["configmap"] = new Resource { Resource_ = StructJson.ParseStruct("""{"apiVersion":"v1","kind":"ConfigMap","data":{"port":"80"}}"""), Ready = Ready.True },
                },
            },
            Context = StructJson.ParseStruct("""{"from-earlier-step":{"n":1}}"""),
            Conditions = { new Apiextensions.Fn.Proto.V1.Condition { Type = "RoutingReady", Status = Status.ConditionTrue, Reason = "RouteConfigured", Target = Target.Composite } },
            Results = { new Apiextensions.Fn.Proto.V1.Result { Severity = Severity.Normal, Message = "composed one ConfigMap", Target = Target.Composite } },
        };
        Assert.Equal(want, reply.Response);
    }

    [Fact]
    public async Task RunFunction_V1AndV1Beta1_AnswerTheSameBytes()
    {
        var frame = GrpcWire.Frame(TestComposers.Request("same", "ok"));

        var v1 = await GrpcWire.CallAsync(_client, _server.GrpcUri, frame, GrpcWire.V1Path);
        var v1beta1 = await GrpcWire.CallAsync(_client, _server.GrpcUri, frame, GrpcWire.V1Beta1Path);

        Assert.Equal(0, v1.Status);
        Assert.Equal(v1.Body, v1beta1.Body);
    }

    [Fact]
    public async Task RunFunction_NoInputAndKnownKind_FallsBackToKindComposer()
    {
        var reply = await GrpcWire.CallAsync(_client, _server.GrpcUri, GrpcWire.Frame(TestComposers.Request("by-kind", composer: null)));

        Assert.Equal(0, reply.Status);
        Assert.Equal("composed one ConfigMap", Assert.Single(reply.Response.Results).Message);
    }

    [Fact]
    public async Task RunFunction_NoInputAndUnknownKind_FatalNamingRegisteredComposers()
    {
        var request = TestComposers.Request("unknown-kind", composer: null);
        request.Observed.Composite.Resource_.Fields["kind"] = Value.ForString("Other");

        var reply = await GrpcWire.CallAsync(_client, _server.GrpcUri, GrpcWire.Frame(request));

        Assert.Equal(0, reply.Status);
        const string Message = "cannot compose: no composer for Other.modelplane.ai and the step has no input; name one with input.composer, one of: ok, throws, typed";
        Assert.Equal(
            new Apiextensions.Fn.Proto.V1.Result { Severity = Severity.Fatal, Message = Message, Reason = "UnknownComposer", Target = Target.Composite },
            Assert.Single(reply.Response.Results));
        Assert.Equal(
            new Apiextensions.Fn.Proto.V1.Condition { Type = "Composed", Status = Status.ConditionFalse, Reason = "UnknownComposer", Message = Message, Target = Target.Composite },
            Assert.Single(reply.Response.Conditions));
        Assert.Equal("unknown-kind", reply.Response.Meta.Tag);
    }

    [Fact]
    public async Task RunFunction_ComposerThrows_InternalWithTypeAndMessageAndErrorLogLines()
    {
        var reply = await GrpcWire.CallAsync(_client, _server.GrpcUri, GrpcWire.Frame(TestComposers.Request("bug", "throws")));

        Assert.Equal(13, reply.Status);
        Assert.True(reply.TrailersOnly);
        Assert.Empty(reply.Body);
        Assert.Equal("internal error in composer: InvalidOperationException: boom: index 3 out of range", reply.Message);
        var call = await _server.WaitForCallLineAsync(l => (string?)l["tag"] == "bug");
        Assert.Equal("Error", (string?)call["LogLevel"]);
        Assert.Equal("Internal", (string?)call["grpcStatus"]);
        Assert.Equal("ModelService", (string?)call["xrKind"]);
        // One line: the call and the bug's stack together.
        Assert.Contains("System.InvalidOperationException: boom", (string?)call["Exception"], StringComparison.Ordinal);
        Assert.Single(_server.LogLines(), l => ((string?)l["Exception"])?.Contains("boom", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task RunFunction_TypedFieldOfWrongType_FatalNamingFieldNotInternal()
    {
        var request = TestComposers.Request("typed", "typed", new JsonObject { ["replicas"] = "three" });

        var reply = await GrpcWire.CallAsync(_client, _server.GrpcUri, GrpcWire.Frame(request));

        Assert.Equal(0, reply.Status);
        const string Message = "invalid ModelService \"chat\": field spec.replicas: expected an integer, got a string; correct the field and apply again";
        Assert.Equal(
            new Apiextensions.Fn.Proto.V1.Result { Severity = Severity.Fatal, Message = Message, Reason = "InvalidInput", Target = Target.Composite },
            Assert.Single(reply.Response.Results));
        Assert.Equal(Status.ConditionFalse, Assert.Single(reply.Response.Conditions).Status);
    }

    [Fact]
    public async Task RunFunction_GzipFrame_DecodedAndAnswered()
    {
        var message = TestComposers.Request("gzip", "ok").ToByteArray();

        var reply = await GrpcWire.CallAsync(_client, _server.GrpcUri, GrpcWire.Frame(GrpcWire.Gzip(message), compressed: true),
            headers: new Dictionary<string, string> { ["grpc-encoding"] = "gzip" });

        Assert.Equal(0, reply.Status);
        Assert.Equal("gzip", reply.Response.Meta.Tag);
    }

    [Fact]
    public async Task RunFunction_IdentityEncodingUncompressedFrame_Answered()
    {
        var reply = await GrpcWire.CallAsync(_client, _server.GrpcUri, GrpcWire.Frame(TestComposers.Request("identity", "ok")),
            contentType: "application/grpc+proto", headers: new Dictionary<string, string> { ["grpc-encoding"] = "identity" });

        Assert.Equal(0, reply.Status);
        Assert.Equal("identity", reply.Response.Meta.Tag);
    }

    [Fact]
    public async Task RunFunction_LargeDesiredState_PassedThroughWhole()
    {
        var request = TestComposers.Request("large", "ok");
        var big = new JsonObject();
        for (var i = 0; i < 20_000; i++)
        {
            big[$"key-{i:D5}"] = $"value-{i}-{new string('x', 64)}";
        }
        request.Desired.Resources["big"] = new Resource { Resource_ = StructJson.ToStruct(new JsonObject { ["data"] = big }) };

        var reply = await GrpcWire.CallAsync(_client, _server.GrpcUri, GrpcWire.Frame(request));

        Assert.Equal(0, reply.Status);
        Assert.True(reply.Body.Length > 1_500_000, $"response is {reply.Body.Length} bytes");
        Assert.Equal(request.Desired.Resources["big"], reply.Response.Desired.Resources["big"]);
    }

    [Fact]
    public async Task RunFunction_ConcurrentCalls_EachAnsweredWithItsOwnTag()
    {
        var calls = Enumerable.Range(0, 24).Select(i =>
            GrpcWire.CallAsync(_client, _server.GrpcUri, GrpcWire.Frame(TestComposers.Request($"concurrent-{i}", "ok")))).ToArray();

        var replies = await Task.WhenAll(calls);

        Assert.Equal(
            Enumerable.Range(0, 24).Select(i => $"concurrent-{i}"),
            replies.Select(r => r.Response.Meta.Tag));
    }

    [Fact]
    public async Task CallLog_OneLinePerCall_IdentifiesCallWithoutCredentialsOrConnectionDetails()
    {
        var request = TestComposers.Request("logged", "ok");
        request.Credentials["registry"] = new Credentials { CredentialData = new CredentialData { Data = { ["password"] = ByteString.CopyFromUtf8(Secret) } } };
        request.Observed.Composite.ConnectionDetails["password"] = ByteString.CopyFromUtf8(ConnectionSecret);
        request.Desired.Resources["db"] = new Resource { Resource_ = new Struct(), ConnectionDetails = { ["password"] = ByteString.CopyFromUtf8(ConnectionSecret) } };

        var reply = await GrpcWire.CallAsync(_client, _server.GrpcUri, GrpcWire.Frame(request));

        Assert.Equal(0, reply.Status);
        var line = await _server.WaitForCallLineAsync(l => (string?)l["tag"] == "logged");
        Assert.Equal(
            ["LogLevel", "EventId", "Category", "Message", "method", "grpcStatus", "tag", "xrApiVersion", "xrKind", "xrNamespace", "xrName", "composer", "results", "durationMs", "error"],
            line.Select(p => p.Key));
        Assert.Equal("Information", (string?)line["LogLevel"]);
        Assert.Equal(GrpcWire.V1Path, (string?)line["method"]);
        Assert.Equal("modelplane.ai/v1alpha1", (string?)line["xrApiVersion"]);
        Assert.Equal("ModelService", (string?)line["xrKind"]);
        Assert.Equal("chat", (string?)line["xrName"]);
        Assert.Equal("team-a", (string?)line["xrNamespace"]);
        Assert.Equal("ok", (string?)line["composer"]);
        Assert.True((double)line["durationMs"]! >= 0);
        Assert.Equal("Normal", (string?)line["results"]);
        Assert.Equal("OK", (string?)line["grpcStatus"]);
        Assert.Equal("", (string?)line["error"]);
        Assert.Single(_server.CallLines(), l => (string?)l["tag"] == "logged");
        var log = _server.Log;
        foreach (var secret in new[] { Secret, ConnectionSecret })
        {
            Assert.DoesNotContain(secret, log, StringComparison.Ordinal);
            Assert.DoesNotContain(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(secret)), log, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Metrics_AfterCalls_GrpcFamiliesPerCodeAndOursPerComposerAndSeverity()
    {
        await GrpcWire.CallAsync(_client, _server.GrpcUri, GrpcWire.Frame(TestComposers.Request("m1", "ok")));
        await GrpcWire.CallAsync(_client, _server.GrpcUri, GrpcWire.Frame(TestComposers.Request("m2", "ok")));
        await GrpcWire.CallAsync(_client, _server.GrpcUri, GrpcWire.Frame(TestComposers.Request("m3", "typed", new JsonObject { ["replicas"] = "x" })));
        await GrpcWire.CallAsync(_client, _server.GrpcUri, GrpcWire.Frame(TestComposers.Request("m4", "nobody")));
        await GrpcWire.CallAsync(_client, _server.GrpcUri, [1, 2, 3]);
        // Metrics are recorded after each answer goes out, just before its log line.
        await _server.WaitForCallLinesAsync(5);

        using var http = new HttpClient();
        var metrics = await http.GetStringAsync(new Uri(_server.MetricsUri, "/metrics"));

        // Ours: per composer and worst result severity, for calls a composer answered.
        Assert.Contains("modelplane_function_calls_total{composer=\"ok\",severity=\"normal\"} 2\n", metrics, StringComparison.Ordinal);
        Assert.Contains("modelplane_function_calls_total{composer=\"typed\",severity=\"fatal\"} 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains("modelplane_function_calls_total{composer=\"none\",severity=\"fatal\"} 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains("modelplane_function_compose_seconds_count{composer=\"ok\"} 2\n", metrics, StringComparison.Ordinal);
        Assert.Contains("# TYPE modelplane_function_compose_seconds histogram\n", metrics, StringComparison.Ordinal);
        // go-grpc-prometheus's: the refused request is counted by its gRPC code, never by a severity.
        const string V1 = "grpc_method=\"RunFunction\",grpc_service=\"apiextensions.fn.proto.v1.FunctionRunnerService\",grpc_type=\"unary\"";
        Assert.Contains($"grpc_server_started_total{{{V1}}} 5\n", metrics, StringComparison.Ordinal);
        Assert.Contains($"grpc_server_handled_total{{grpc_code=\"OK\",{V1}}} 4\n", metrics, StringComparison.Ordinal);
        Assert.Contains($"grpc_server_handled_total{{grpc_code=\"InvalidArgument\",{V1}}} 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains($"grpc_server_handling_seconds_count{{{V1}}} 5\n", metrics, StringComparison.Ordinal);
        Assert.Contains($"grpc_server_handling_seconds_bucket{{{V1},le=\"+Inf\"}} 5\n", metrics, StringComparison.Ordinal);
        Assert.Contains("# TYPE grpc_server_handling_seconds histogram\n", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain("severity=\"invalid", metrics, StringComparison.Ordinal);
        // Process figures.
        Assert.Contains("\nprocess_cpu_seconds_total ", metrics, StringComparison.Ordinal);
        Assert.Contains("\nprocess_working_set_bytes ", metrics, StringComparison.Ordinal);
        Assert.Contains("modelplane_function_calls_in_flight 0\n", metrics, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/healthz", HttpStatusCode.OK, "ok\n")]
    [InlineData("/readyz", HttpStatusCode.OK, "ok\n")]
    [InlineData("/nothing-here", HttpStatusCode.NotFound, "")]
    public async Task Operations_Path_AnswersOnTheMetricsPort(string path, HttpStatusCode status, string body)
    {
        using var http = new HttpClient();

        using var response = await http.GetAsync(new Uri(_server.MetricsUri, path));

        Assert.Equal(status, response.StatusCode);
        Assert.Equal(body, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Operations_MetricsPort_DoesNotServeGrpc()
    {
        using var http = new HttpClient();

        using var response = await http.PostAsync(new Uri(_server.MetricsUri, GrpcWire.V1Path), new ByteArrayContent(GrpcWire.Frame(TestComposers.Request("x", "ok"))));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotContain(_server.CallLines(), l => (string?)l["tag"] == "x");
    }
}
