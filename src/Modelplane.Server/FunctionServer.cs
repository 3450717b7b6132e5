// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Modelplane.Sdk;

namespace Modelplane.Server;

/// <summary>The Kestrel host: gRPC on one endpoint (HTTP/2 only), metrics and health on another (HTTP/1.1).</summary>
/// <remarks>
/// The two endpoints speak different HTTP versions, so one request pipeline tells them apart by
/// protocol alone: HTTP/2 requests are gRPC calls, HTTP/1.1 requests are scrapes and probes. Plaintext
/// gRPC is HTTP/2 with prior knowledge (h2c), because a plaintext endpoint offering both versions
/// cannot negotiate HTTP/2. On SIGTERM the host stops accepting and lets calls in flight finish.
/// </remarks>
public sealed class FunctionServer
{
    // Crossplane's reconcile gives each call at most two minutes; Kubernetes gives a pod 30 s to stop.
    private static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(25);

    private ListenOptions? _grpcListen;
    private ListenOptions? _metricsListen;

    private FunctionServer(CallLog log, string? problem, bool tls)
    {
        Log = log;
        Problem = problem;
        Tls = tls;
    }

    /// <summary>The host, or null when <see cref="Problem"/> says why it cannot start.</summary>
    public WebApplication? App { get; private set; }

    public CallLog Log { get; }

    public string? Problem { get; }

    public bool Tls { get; }

    /// <summary>The bound gRPC endpoint (with the real port when asked for port 0).</summary>
    public IPEndPoint? GrpcEndPoint => _grpcListen?.IPEndPoint;

    public IPEndPoint? MetricsEndPoint => _metricsListen?.IPEndPoint;

    public static FunctionServer Create(ServerOptions options, ComposerRegistry registry, TextWriter logOutput, TimeProvider clock)
    {
        var log = new CallLog(logOutput, clock, options.Debug);
        Microsoft.AspNetCore.Server.Kestrel.Https.HttpsConnectionAdapterOptions? tls = null;
        if (options.TlsCertsDir is not null)
        {
            var (loaded, problem) = MutualTls.Load(options.TlsCertsDir);
            if (loaded is null)
            {
                return new FunctionServer(log, problem, tls: false);
            }
            tls = loaded;
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddJsonConsole(o => o.IncludeScopes = false);
        builder.Logging.SetMinimumLevel(options.Debug ? LogLevel.Information : LogLevel.Warning);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownGrace);

        var server = new FunctionServer(log, null, tls is not null);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // We enforce --max-recv-message-size on the gRPC frame; Kestrel's 30 MB body cap would
            // otherwise answer a large call with a bare HTTP error instead of RESOURCE_EXHAUSTED.
            kestrel.Limits.MaxRequestBodySize = null;
            // Larger windows let a multi-MiB request arrive without a flow-control round trip per 64 KiB.
            kestrel.Limits.Http2.InitialConnectionWindowSize = 4 * 1024 * 1024;
            kestrel.Limits.Http2.InitialStreamWindowSize = 2 * 1024 * 1024;
            server._grpcListen = Listen(kestrel, options.Address, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                if (tls is not null)
                {
                    listen.UseHttps(tls);
                }
            });
            if (options.MetricsAddress is { } metricsAddress)
            {
                server._metricsListen = Listen(kestrel, metricsAddress, listen => listen.Protocols = HttpProtocols.Http1);
            }
        });

        var app = builder.Build();
        var metrics = new FunctionMetrics();
        var endpoint = new RunFunctionEndpoint(new FunctionRunner(registry), options, log, metrics, clock);
        app.Run(context => context.Request.Protocol == HttpProtocol.Http2
            ? endpoint.HandleAsync(context)
            : ServeOperationsAsync(context, metrics));
        server.App = app;
        return server;
    }

    /// <summary>Logs where the server listens, once it does.</summary>
    public void LogListening() =>
        Log.Info("serving",
            ("grpc", GrpcEndPoint?.ToString() ?? ""),
            ("metrics", MetricsEndPoint?.ToString() ?? "none"),
            ("transport", Tls ? "mtls" : "insecure"));

    private static ListenOptions Listen(KestrelServerOptions kestrel, ListenAddress address, Action<ListenOptions> configure)
    {
        ListenOptions? captured = null;
        void Capture(ListenOptions listen)
        {
            configure(listen);
            captured = listen;
        }
        if (address.Localhost)
        {
            kestrel.Listen(IPAddress.Loopback, address.Port, Capture);
        }
        else if (address.Address is null)
        {
            // Every interface, IPv6 and IPv4, falling back to IPv4 alone where the kernel has no IPv6
            // (a bare [::] bind would fail the start there).
            kestrel.ListenAnyIP(address.Port, Capture);
        }
        else
        {
            kestrel.Listen(address.Address, address.Port, Capture);
        }
        return captured!;
    }

    private static Task ServeOperationsAsync(HttpContext context, FunctionMetrics metrics)
    {
        var response = context.Response;
        switch (context.Request.Path.Value)
        {
            case "/metrics":
                response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
                return response.WriteAsync(metrics.Render());
            case "/healthz":
            case "/readyz":
                response.ContentType = "text/plain; charset=utf-8";
                return response.WriteAsync("ok\n");
            default:
                response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
        }
    }
}
