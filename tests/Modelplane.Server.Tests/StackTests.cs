// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using Apiextensions.Fn.Proto.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Grpc.Reflection.V1Alpha;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Modelplane.Sdk;
using Modelplane.Server.Tests.Support;

namespace Modelplane.Server.Tests;

/// <summary>What the server gets from Grpc.AspNetCore and what it adds: health, reflection, parsing rules, slow bodies.</summary>
public sealed class StackTests : IAsyncLifetime
{
    private InProcessServer _server = null!;
    private readonly HttpClient _client = GrpcWire.H2cClient();
    private GrpcChannel _channel = null!;

    public async Task InitializeAsync()
    {
        _server = await InProcessServer.StartAsync([TestComposers.Ok]);
        _channel = GrpcChannel.ForAddress(_server.GrpcUri);
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Theory]
    [InlineData("")]
    [InlineData("apiextensions.fn.proto.v1.FunctionRunnerService")]
    public async Task Health_Check_Serving(string service)
    {
        var health = new Health.HealthClient(_channel);

        var reply = await health.CheckAsync(new HealthCheckRequest { Service = service });

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
    }

    [Fact]
    public async Task Reflection_ListServices_BothRunFunctionServicesHealthAndReflection()
    {
        var reflection = new ServerReflection.ServerReflectionClient(_channel);
        using var call = reflection.ServerReflectionInfo();

        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { FileContainingSymbol = "apiextensions.fn.proto.v1beta1.FunctionRunnerService" });
        await call.RequestStream.CompleteAsync();
        var replies = new List<ServerReflectionResponse>();
        await foreach (var reply in call.ResponseStream.ReadAllAsync())
        {
            replies.Add(reply);
        }

        Assert.Equal(2, replies.Count);
        Assert.Equal(
            ["apiextensions.fn.proto.v1.FunctionRunnerService", "apiextensions.fn.proto.v1beta1.FunctionRunnerService", "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection"],
            replies[0].ListServicesResponse.Service.Select(s => s.Name).Order(StringComparer.Ordinal));
        // The v1beta1 service is described over the v1 messages, so a reflecting client can call it.
        var files = replies[1].FileDescriptorResponse.FileDescriptorProto.Select(b => Google.Protobuf.Reflection.FileDescriptorProto.Parser.ParseFrom(b)).ToArray();
        var beta = Assert.Single(files, f => f.Package == "apiextensions.fn.proto.v1beta1");
        var method = Assert.Single(Assert.Single(beta.Service).Method);
        Assert.Equal(".apiextensions.fn.proto.v1.RunFunctionRequest", method.InputType);
        Assert.Equal(".apiextensions.fn.proto.v1.RunFunctionResponse", method.OutputType);
    }

    [Fact]
    public async Task RunFunction_GrpcNetClient_Answered()
    {
        var invoker = _channel.CreateCallInvoker();

        var reply = await invoker.AsyncUnaryCall(V1Beta1Binding.RunFunction, null, new CallOptions(), RequestDecoder.Decode(TestComposers.Request("net-client", "ok")));

        Assert.Equal("net-client", reply.ToMessage().Meta.Tag);
    }

    [Fact]
    public async Task RunFunction_InvalidUtf8InALabel_InvalidArgumentNamingTheField()
    {
        var request = TestComposers.Request("utf8", "ok");
        request.Observed.Composite.Resource_.Fields["metadata"].StructValue.Fields["labels"] =
            Value.ForStruct(new Struct { Fields = { ["team"] = Value.ForString("a-MARK-b") } });
        var bytes = request.ToByteArray();
        var at = bytes.AsSpan().IndexOf("MARK"u8);
        bytes[at] = 0xFF; // a byte that never starts a UTF-8 sequence

        var reply = await GrpcWire.CallAsync(_client, _server.GrpcUri, GrpcWire.Frame(bytes));

        Assert.Equal(3, reply.Status);
        Assert.StartsWith("cannot parse RunFunctionRequest: field observed.composite.resource.metadata.labels.team is not valid UTF-8; proto3 strings must be UTF-8",
            reply.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, string?> Utf8Paths => new()
    {
        { "valid", null },
        { "tag", "meta.tag" },
        { "input-key", "input[\"k\uFFFDy\"] (its key)" },
        { "list-item", "desired.resources[\"cm\"].resource.items[1]" },
        { "credential-name", "credentials[\"r\uFFFDg\"] (its key)" },
    };

    [Theory]
    [MemberData(nameof(Utf8Paths))]
    public void FindInvalidUtf8_Request_PathOfTheField(string name, string? expected)
    {
        var request = new RunFunctionRequest { Meta = new RequestMeta { Tag = name == "tag" ? "t-MARK" : "t" } };
        request.Input = new Struct { Fields = { [name == "input-key" ? "kMARKy" : "k"] = Value.ForString("v") } };
        request.Desired = new State();
        request.Desired.Resources["cm"] = new Resource
        {
            Resource_ = new Struct { Fields = { ["items"] = Value.ForList(Value.ForString("a"), Value.ForString(name == "list-item" ? "bMARK" : "b")) } },
        };
        request.Credentials[name == "credential-name" ? "rMARKg" : "reg"] = new Credentials { CredentialData = new CredentialData { Data = { ["k"] = ByteString.CopyFrom(0xFF, 0xFE) } } };
        var bytes = request.ToByteArray();
        var at = bytes.AsSpan().IndexOf("MARK"u8);
        if (at >= 0)
        {
            // Replace the four marker bytes with one invalid byte and three ASCII ones, keeping lengths.
            bytes[at] = 0xFF;
            "ARK"u8.CopyTo(bytes.AsSpan(at + 1));
        }

        var path = RequestDecoder.FindInvalidUtf8(new System.Buffers.ReadOnlySequence<byte>(bytes), RunFunctionRequest.Descriptor);

        Assert.Equal(expected?.Replace("\uFFFD", "\uFFFDARK", StringComparison.Ordinal), path);
    }

    [Fact]
    public async Task RunFunction_NestingDeeperThanProtobufDefault_Answered()
    {
        // 300 JSON levels: 600 message levels, past Google.Protobuf's default of 100.
        var reply = await GrpcWire.CallAsync(_client, _server.GrpcUri, GrpcWire.Frame(Nested("deep", 300)));

        Assert.Equal(0, reply.Status);
        Assert.Equal("deep", reply.Response.Meta.Tag);
        Assert.Equal("composed one ConfigMap", Assert.Single(reply.Response.Results).Message);
    }

    [Fact]
    public async Task RunFunction_NestingPastTheLimit_InvalidArgument()
    {
        var reply = await GrpcWire.CallAsync(_client, _server.GrpcUri, GrpcWire.Frame(Nested("too-deep", RequestDecoder.RecursionLimit)));

        Assert.Equal(3, reply.Status);
        Assert.StartsWith("cannot parse RunFunctionRequest: Protocol message had too many levels of nesting", reply.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Kestrel_MinimumDataRates_Off()
    {
        var kestrel = _server.Server.App!.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value;

        Assert.Null(kestrel.Limits.MinRequestBodyDataRate);
        Assert.Null(kestrel.Limits.MinResponseDataRate);
    }

    [Fact]
    public async Task RunFunction_SlowBody_OtherCallsOnTheConnectionAnswered()
    {
        // Kestrel's default (240 bytes/s after a 5 s grace) would abort the whole HTTP/2 connection
        // once this body stalls past the grace; every call Crossplane multiplexes on it would fail.
        var frame = GrpcWire.Frame(TestComposers.Request("slow", "ok"));
        using var content = new StalledContent(frame[..8], frame[8..]);
        var slow = GrpcWire.CallAsync(_client, _server.GrpcUri, content);
        await content.PrefixSent.WaitAsync(TimeSpan.FromSeconds(60));
        await Task.Delay(TimeSpan.FromSeconds(7));

        var other = await GrpcWire.CallAsync(_client, _server.GrpcUri, GrpcWire.Frame(TestComposers.Request("meanwhile", "ok")));
        content.Release();
        var reply = await slow.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(0, other.Status);
        Assert.Equal("meanwhile", other.Response.Meta.Tag);
        Assert.Equal(0, reply.Status);
        Assert.Equal("slow", reply.Response.Meta.Tag);
    }

    [Fact]
    public void Run_CancelledToken_StopsBeforeComposing()
    {
        var composed = 0;
        var runner = new FunctionRunner(new ComposerRegistry([new Composer("counted", _ => { composed++; return new Composition(); })]));
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.Throws<OperationCanceledException>(() => runner.Run(TestComposers.Request("cancelled", "counted"), cancelled.Token));
        Assert.Equal(0, composed);
        Assert.NotNull(runner.Run(TestComposers.Request("not-cancelled", "counted"), CancellationToken.None).Response);
        Assert.Equal(1, composed);
    }

    // A request whose input nests `levels` JSON objects: {"n": {"n": ... "leaf"}}.
    private static RunFunctionRequest Nested(string tag, int levels)
    {
        var value = Value.ForString("leaf");
        for (var i = 0; i < levels; i++)
        {
            value = Value.ForStruct(new Struct { Fields = { ["n"] = value } });
        }
        var request = TestComposers.Request(tag, "ok");
        request.Input.Fields["deep"] = value;
        return request;
    }
}
