// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Modelplane.Sdk;

namespace Modelplane.Server.Tests.Support;

/// <summary>The real <see cref="FunctionServer"/> on loopback port 0, with the composers a test registers.</summary>
public sealed class InProcessServer : IAsyncDisposable
{
    private readonly CapturingLoggerProvider _log;

    private InProcessServer(FunctionServer server, CapturingLoggerProvider log)
    {
        Server = server;
        _log = log;
    }

    public FunctionServer Server { get; }

    public Uri GrpcUri => new($"http://{Server.GrpcEndPoint}");

    public Uri MetricsUri => new($"http://{Server.MetricsEndPoint}");

    /// <summary>Everything the server logged so far, one line each, for failure messages.</summary>
    public string Log => string.Join('\n', _log.Lines.Select(l => l.ToJsonString()));

    public static async Task<InProcessServer> StartAsync(IEnumerable<Composer> composers, int maxRecvMessageSizeMiB = ServerOptions.DefaultMaxRecvMessageSizeMiB)
    {
        var options = new ServerOptions
        {
            Address = new ListenAddress(IPAddress.Loopback, 0),
            MetricsAddress = new ListenAddress(IPAddress.Loopback, 0),
            Insecure = true,
            MaxRecvMessageSizeMiB = maxRecvMessageSizeMiB,
        };
        var log = new CapturingLoggerProvider();
        var server = FunctionServer.Create(options, new ComposerRegistry(composers), logging => logging.AddProvider(log));
        Assert.Null(server.Problem);
        await server.App!.StartAsync();
        return new InProcessServer(server, log);
    }

    /// <summary>The RunFunction log lines so far.</summary>
    public IReadOnlyList<JsonObject> CallLines() => LogLines().Where(Support.LogLines.IsCall).ToArray();

    public IReadOnlyList<JsonObject> LogLines() => _log.Lines;

    /// <summary>Waits (bounded) for the log line of a call; the server logs after answering.</summary>
    public async Task<JsonObject> WaitForCallLineAsync(Func<JsonObject, bool> match)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var line = CallLines().FirstOrDefault(match);
            if (line is not null)
            {
                return line;
            }
            Assert.True(DateTime.UtcNow < deadline, $"no matching RunFunction log line within 60 s; log:\n{Log}");
            await Task.Delay(20);
        }
    }

    /// <summary>Waits (bounded) until <paramref name="count"/> calls have been logged.</summary>
    public async Task<IReadOnlyList<JsonObject>> WaitForCallLinesAsync(int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var lines = CallLines();
            if (lines.Count >= count)
            {
                return lines;
            }
            Assert.True(DateTime.UtcNow < deadline, $"fewer than {count} RunFunction log lines within 60 s; log:\n{Log}");
            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await Server.App!.StopAsync(stop.Token);
        await Server.App.DisposeAsync();
    }
}
