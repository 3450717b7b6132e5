// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Modelplane.Server;

/// <summary>Middleware around every gRPC call: time it, count it, and log its one line once the status is known.</summary>
/// <remarks>
/// It sits outside Grpc.AspNetCore so it sees every outcome, including the ones no interceptor sees:
/// a request that does not parse, an unknown method, a deadline that passed while the message arrived.
/// The status is read back from what Grpc.AspNetCore wrote (the <c>grpc-status</c> trailer, or the
/// header of a trailers-only answer); the wire format itself stays Grpc.AspNetCore's business.
/// </remarks>
public sealed class CallObserver(RequestDelegate next, FunctionMetrics metrics, ILoggerFactory loggers)
{
    private readonly ILogger _log = loggers.CreateLogger(Log.Category);

    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var method = context.GetEndpoint()?.Metadata.GetMetadata<GrpcMethodMetadata>()?.Method;
        var call = new CallRecord { Method = context.Request.Path.Value ?? "" };
        context.Features.Set(call);
        if (method is not null)
        {
            metrics.Started(method.ServiceName, method.Name);
        }
        StatusCode code;
        string message;
        try
        {
            await next(context).ConfigureAwait(false);
            (code, message) = StatusOf(context);
        }
        catch (Exception e) when (context.RequestAborted.IsCancellationRequested && e is OperationCanceledException or IOException)
        {
            (code, message) = (StatusCode.Cancelled, "the client went away");
        }
        finally
        {
            if (method is not null)
            {
                // Any status not written (an exception escaping the pipeline) counts as UNKNOWN.
                metrics.Handled(method.ServiceName, method.Name, CallRecord.CodeName(StatusOf(context).Code), Stopwatch.GetElapsedTime(started).TotalSeconds);
            }
        }
        if (code == StatusCode.OK && call.Outcome.Length > 0)
        {
            metrics.Composed(call.Composer.Length == 0 ? "none" : call.Composer, call.Outcome, call.ComposeSeconds);
        }
        var level = code switch
        {
            StatusCode.OK or StatusCode.Cancelled => LogLevel.Information,
            StatusCode.Internal when call.Bug is not null => LogLevel.Error,
            _ => LogLevel.Warning,
        };
        if (_log.IsEnabled(level))
        {
            var durationMs = Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 3);
            var codeName = CallRecord.CodeName(code);
            var results = call.Results;
            Log.Call(_log, level, call.Bug, call.Method, codeName, call.Tag, call.XrApiVersion, call.XrKind, call.XrNamespace, call.XrName,
                call.Composer, results, durationMs, message);
        }
    }

    /// <summary>The status Grpc.AspNetCore answered with; a call it never finished was cancelled by its client.</summary>
    public static (StatusCode Code, string Message) StatusOf(HttpContext context)
    {
        var trailers = context.Features.Get<IHttpResponseTrailersFeature>()?.Trailers;
        var status = trailers is not null && trailers.TryGetValue("grpc-status", out var t) ? t.ToString()
            : context.Response.Headers.TryGetValue("grpc-status", out var h) ? h.ToString()
            : null;
        if (status is null || !int.TryParse(status, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var code))
        {
            return context.RequestAborted.IsCancellationRequested ? (StatusCode.Cancelled, "the client went away") : (StatusCode.Unknown, "no status was written");
        }
        var message = trailers is not null && trailers.TryGetValue("grpc-message", out var tm) ? tm.ToString()
            : context.Response.Headers.TryGetValue("grpc-message", out var hm) ? hm.ToString()
            : "";
        return ((StatusCode)code, Uri.UnescapeDataString(message));
    }
}
