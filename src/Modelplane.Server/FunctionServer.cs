// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Net;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Modelplane.Sdk;
using Prometheus;

namespace Modelplane.Server;

/// <summary>The host: Grpc.AspNetCore on one Kestrel endpoint (HTTP/2 only), metrics and probes on another (HTTP/1.1).</summary>
/// <remarks>
/// The gRPC endpoint serves RunFunction (v1 and v1beta1), grpc.health.v1 and server reflection;
/// plaintext it is HTTP/2 with prior knowledge (h2c), as Crossplane's Development runtime and
/// <c>crossplane render</c> call it. The two endpoints speak different HTTP versions, so requests are
/// told apart by protocol alone. Kestrel's minimum data rates are off: on HTTP/2 a slow body would
/// abort the whole connection, and Crossplane multiplexes every call on one; a slow call ends at
/// its own deadline instead, and only that stream is reset. On SIGTERM the host stops accepting and
/// lets calls in flight finish.
/// </remarks>
public sealed class FunctionServer
{
    // Crossplane's reconcile gives each call at most two minutes; Kubernetes gives a pod 30 s to stop.
    private static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(25);

    private ListenOptions? _grpcListen;
    private ListenOptions? _metricsListen;

    // Until the listeners are bound, the framework's own lines stay quiet: a start-up failure is
    // reported by Program as one line, not as a logged stack trace before it.
    private volatile bool _started;

    private FunctionServer(string? problem, bool tls)
    {
        Problem = problem;
        Tls = tls;
    }

    /// <summary>The host, or null when <see cref="Problem"/> says why it cannot start.</summary>
    public WebApplication? App { get; private set; }

    public string? Problem { get; }

    public bool Tls { get; }

    /// <summary>The bound gRPC endpoint (with the real port when asked for port 0).</summary>
    public IPEndPoint? GrpcEndPoint => _grpcListen?.IPEndPoint;

    public IPEndPoint? MetricsEndPoint => _metricsListen?.IPEndPoint;

    public FunctionMetrics Metrics { get; } = new();

    /// <summary>Builds the host; <paramref name="logging"/> replaces the JSON console on stderr (tests capture lines).</summary>
    public static FunctionServer Create(ServerOptions options, ComposerRegistry registry, Action<ILoggingBuilder>? logging = null)
    {
        MutualTls? tls = null;
        if (options.TlsCertsDir is not null)
        {
            var (loaded, problem) = MutualTls.Load(options.TlsCertsDir);
            if (loaded is null)
            {
                return new FunctionServer(problem, tls: false);
            }
            tls = loaded;
        }

        var server = new FunctionServer(null, tls is not null);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (logging is null)
        {
            builder.Logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = false;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
                // Read by people and log pipelines, not embedded in HTML: '+', '<' and quotes stay readable.
                o.JsonWriterOptions = new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
            });
            // Logs go to stderr, as the Go SDK's do; stdout stays for --help and --version.
            builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        }
        else
        {
            logging(builder.Logging);
        }
        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        builder.Logging.AddFilter((category, level) => server.Logs(category, level, options.Debug));
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownGrace);

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // Grpc.AspNetCore enforces --max-recv-message-size per message, with a gRPC status.
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Limits.MinRequestBodyDataRate = null;
            kestrel.Limits.MinResponseDataRate = null;
            // Larger windows let a multi-MiB request arrive without a flow-control round trip per 64 KiB.
            kestrel.Limits.Http2.InitialConnectionWindowSize = 4 * 1024 * 1024;
            kestrel.Limits.Http2.InitialStreamWindowSize = 2 * 1024 * 1024;
            var log = kestrel.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(Log.Category);
            server._grpcListen = Listen(kestrel, options.Address, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                if (tls is not null)
                {
                    listen.UseHttps(new TlsHandshakeCallbackOptions
                    {
                        OnConnection = context => ValueTask.FromResult(tls.HandshakeOptions(
                            reason => Log.TlsClientRefused(log, context.Connection.RemoteEndPoint?.ToString() ?? "unknown", reason))),
                    });
                }
            });
            if (options.MetricsAddress is { } metricsAddress)
            {
                server._metricsListen = Listen(kestrel, metricsAddress, listen => listen.Protocols = HttpProtocols.Http1);
            }
        });

        builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = options.MaxRecvMessageSizeBytes;
            // Crossplane's client takes what it is sent; the response check is the composers' business.
            grpc.MaxSendMessageSize = null;
        });
        // Serving while the process can answer: the overall status and the RunFunction service,
        // computed on each Check rather than from a cache filled later.
        builder.Services.AddGrpcHealthChecks(health =>
        {
            health.UseHealthChecksCache = false;
            health.Services.Map("", _ => true);
            health.Services.Map(V1Binding.ServiceName, _ => true);
            health.Services.Map(V1Beta1Binding.ServiceName, _ => true);
        }).AddCheck("process", () => Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Healthy());
        builder.Services.AddGrpcReflection();
        builder.Services.AddSingleton(new FunctionCallHandler(new FunctionRunner(registry)));

        var app = builder.Build();
        // Scrapes and probes arrive on the HTTP/1.1 metrics endpoint and never reach gRPC.
        app.MapWhen(context => !HttpProtocol.IsHttp2(context.Request.Protocol), operations =>
        {
            operations.UseMetricServer(settings => settings.Registry = server.Metrics.Registry, "/metrics");
            operations.Run(ServeProbeAsync);
        });
        app.UseRouting();
        var observerLog = app.Services.GetRequiredService<ILoggerFactory>();
        app.Use(next => new CallObserver(next, server.Metrics, observerLog, options.MaxRecvMessageSizeMiB).InvokeAsync);
        app.MapGrpcService<FunctionRunnerV1Service>();
        app.MapGrpcService<FunctionRunnerV1Beta1Service>();
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        app.Lifetime.ApplicationStarted.Register(() => server._started = true);
        app.Lifetime.ApplicationStopping.Register(() => Log.Stopping(app.Logger));
        server.App = app;
        return server;
    }

    /// <summary>Logs where the server listens, once it does.</summary>
    public void LogServing()
    {
        var log = App!.Services.GetRequiredService<ILoggerFactory>().CreateLogger(Log.Category);
        var grpc = GrpcEndPoint?.ToString() ?? "";
        var metrics = MetricsEndPoint?.ToString() ?? "none";
        var gc = GcMode();
        Log.Serving(log, grpc, Tls ? "mtls" : "insecure", metrics, gc);
    }

    /// <summary>The garbage collector's mode as the runtime took it, for the serving line: memory under load depends on it.</summary>
    internal static string GcMode()
    {
        // The JIT runtime and NativeAOT name these differently (ConcurrentGC or Concurrent,
        // GCConserveMem or ConserveMemory); either answers.
        var settings = GC.GetConfigurationVariables();
        string Setting(params string[] names) =>
            names.Select(n => settings.TryGetValue(n, out var value) ? Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) : null)
                .FirstOrDefault(v => v is not null) ?? "unknown";
        var kind = System.Runtime.GCSettings.IsServerGC ? "server" : "workstation";
        var concurrent = Setting("ConcurrentGC", "Concurrent") is "True" or "true" ? "concurrent" : "blocking";
        return $"{kind} {concurrent} conserveMemory={Setting("GCConserveMem", "ConserveMemory")}";
    }

    private bool Logs(string? category, LogLevel level, bool debug)
    {
        if (category is not null && category.StartsWith(Log.Category, StringComparison.Ordinal))
        {
            return level >= LogLevel.Information;
        }
        if (category == "Grpc.AspNetCore.Server.ServerCallHandler" && !debug)
        {
            // Its errors are requests it could not read (our handler lets no other exception out);
            // the call's own line reports them, as INVALID_ARGUMENT.
            return false;
        }
        return _started && level >= (debug ? LogLevel.Debug : LogLevel.Warning);
    }

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

    private static Task ServeProbeAsync(HttpContext context)
    {
        var response = context.Response;
        switch (context.Request.Path.Value)
        {
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
