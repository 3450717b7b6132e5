// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Net.Sockets;
using Modelplane.Server.Tests.Support;

namespace Modelplane.Server.Tests;

/// <summary>Deadlines, client cancellation and graceful shutdown, with calls held open by the test.</summary>
/// <remarks>
/// Nothing here waits on a clock: a call is held open by a request body that has not finished
/// arriving, or by a composer blocked on a gate, and the test decides when it goes on.
/// </remarks>
public sealed class InProcessLifetimeTests : IAsyncLifetime
{
    private readonly GateComposer _gate = new();
    private InProcessServer _server = null!;
    private readonly HttpClient _client = GrpcWire.H2cClient();

    public async Task InitializeAsync() =>
        _server = await InProcessServer.StartAsync([TestComposers.Ok, _gate.Composer]);

    public async Task DisposeAsync()
    {
        _gate.Dispose();
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task RunFunction_DeadlinePassesWhileTheMessageArrives_DeadlineExceeded()
    {
        var frame = GrpcWire.Frame(TestComposers.Request("slow-body", "ok"));
        using var content = new StalledContent(frame[..3], frame[3..]);

        // The body never completes before the deadline, so the answer can only be the deadline. The
        // server ends the stream once it has answered; the client may see that reset first.
        try
        {
            var reply = await GrpcWire.CallAsync(_client, _server.GrpcUri, content, headers: new Dictionary<string, string> { ["grpc-timeout"] = "200m" });
            Assert.Equal(4, reply.Status);
            Assert.Equal("Deadline Exceeded", reply.Message);
            Assert.True(reply.TrailersOnly);
        }
        catch (Exception e) when (e is OperationCanceledException or HttpRequestException)
        {
            // Reset before the status was read: the log line below still has to say why.
        }
        content.Release();
        var line = await _server.WaitForCallLineAsync(l => (string?)l["grpcStatus"] == "DeadlineExceeded");
        Assert.Equal("Warning", (string?)line["LogLevel"]);
    }

    [Fact]
    public async Task RunFunction_GenerousDeadline_Answered()
    {
        var reply = await GrpcWire.CallAsync(_client, _server.GrpcUri, GrpcWire.Frame(TestComposers.Request("deadline-ok", "ok")),
            headers: new Dictionary<string, string> { ["grpc-timeout"] = "5M" });

        Assert.Equal(0, reply.Status);
        Assert.Equal("deadline-ok", reply.Response.Meta.Tag);
    }

    [Fact]
    public async Task RunFunction_ClientCancelsWhileTheMessageArrives_LoggedCancelledAndServerServesOn()
    {
        var frame = GrpcWire.Frame(TestComposers.Request("cancelled", "ok"));
        using var content = new StalledContent(frame[..7], frame[7..]);
        using var cancel = new CancellationTokenSource();

        var call = GrpcWire.CallAsync(_client, _server.GrpcUri, content, cancellationToken: cancel.Token);
        await content.PrefixSent.WaitAsync(TimeSpan.FromSeconds(60));
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        var line = await _server.WaitForCallLineAsync(l => (string?)l["grpcStatus"] != "OK");
        Assert.Equal("Canceled", (string?)line["grpcStatus"]);
        Assert.Equal("Information", (string?)line["LogLevel"]);
        var after = await GrpcWire.CallAsync(_client, _server.GrpcUri, GrpcWire.Frame(TestComposers.Request("after", "ok")));
        Assert.Equal(0, after.Status);
    }

    [Fact]
    public async Task RunFunction_ClientCancelsWhileTheComposerRuns_LoggedCancelled()
    {
        using var cancel = new CancellationTokenSource();
        var call = GrpcWire.CallAsync(_client, _server.GrpcUri, GrpcWire.Frame(TestComposers.Request("cancel-in-composer", "gate")),
            cancellationToken: cancel.Token);
        await _gate.Entered.WaitAsync(TimeSpan.FromSeconds(60));

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        // The server learns of the reset asynchronously; the composer is released only once it has,
        // which the server shows by answering further calls (the reset frame precedes them on the connection).
        var after = await GrpcWire.CallAsync(_client, _server.GrpcUri, GrpcWire.Frame(TestComposers.Request("after", "ok")));
        Assert.Equal(0, after.Status);
        _gate.Release();

        var line = await _server.WaitForCallLineAsync(l => (string?)l["tag"] == "cancel-in-composer");
        Assert.Equal("Canceled", (string?)line["grpcStatus"]);
        // The answer was never written, yet the record still names the XR it was for.
        Assert.Equal("ModelService", (string?)line["xrKind"]);
        Assert.Equal("chat", (string?)line["xrName"]);
        Assert.Equal("team-a", (string?)line["xrNamespace"]);
    }

    [Fact]
    public async Task Shutdown_CallInFlight_CompletesWhileNewConnectionsAreRefused()
    {
        var call = GrpcWire.CallAsync(_client, _server.GrpcUri, GrpcWire.Frame(TestComposers.Request("in-flight", "gate")));
        await _gate.Entered.WaitAsync(TimeSpan.FromSeconds(60));

        var stopping = _server.Server.App!.StopAsync();
        await WaitUntilRefusedAsync(_server.Server.GrpcEndPoint!.Port);
        Assert.False(stopping.IsCompleted, "the host stopped while a call was in flight");
        _gate.Release();

        var reply = await call.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(0, reply.Status);
        Assert.Equal("in-flight", reply.Response.Meta.Tag);
        Assert.Equal("released", Assert.Single(reply.Response.Results).Message);
        await stopping.WaitAsync(TimeSpan.FromSeconds(60));
    }

    private static async Task WaitUntilRefusedAsync(int port)
    {
        for (var attempt = 0; attempt < 600; attempt++)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await socket.ConnectAsync(System.Net.IPAddress.Loopback, port);
            }
            catch (SocketException)
            {
                return;
            }
            await Task.Delay(50);
        }
        Assert.Fail("the listener still accepted connections 30 s after shutdown began");
    }
}
