// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics;
using System.IO.Pipelines;
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
/// <para>
/// One correction: Grpc.AspNetCore answers a request it cannot read (a truncated or doubled frame, a
/// bad compressed flag, data that is not gzip, a content type that is not gRPC) with INTERNAL or
/// UNKNOWN, which Crossplane reports as a function bug. Before such a trailers-only answer leaves,
/// we turn it into INVALID_ARGUMENT saying the request is at fault; only a composer exception keeps
/// INTERNAL. A message over the limit keeps RESOURCE_EXHAUSTED and learns which flag raises it.
/// </para>
/// </remarks>
public sealed class CallObserver(RequestDelegate next, FunctionMetrics metrics, ILoggerFactory loggers, int maxRecvMiB)
{
    private readonly ILogger _log = loggers.CreateLogger(Log.Category);

    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var method = context.GetEndpoint()?.Metadata.GetMetadata<GrpcMethodMetadata>()?.Method;
        var call = new CallRecord { Method = context.Request.Path.Value ?? "" };
        context.Features.Set(call);
        var body = context.Features.Get<IRequestBodyPipeFeature>();
        if (body is not null)
        {
            context.Features.Set<IRequestBodyPipeFeature>(new WatchedBody(body.Reader, call));
        }
        context.Response.OnStarting(CorrectStatus, context);
        if (method is not null)
        {
            metrics.Started(method.ServiceName, method.Name);
        }
        StatusCode code;
        string message;
        try
        {
            await next(context).ConfigureAwait(false);
            (code, message) = StatusOf(context, maxRecvMiB);
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
                metrics.Handled(method.ServiceName, method.Name, CallRecord.CodeName(StatusOf(context, maxRecvMiB).Code), Stopwatch.GetElapsedTime(started).TotalSeconds);
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

    private Task CorrectStatus(object state)
    {
        var context = (HttpContext)state;
        var headers = context.Response.Headers;
        if (context.Features.Get<CallRecord>() is { } call && headers.TryGetValue("grpc-status", out var status))
        {
            var message = headers.TryGetValue("grpc-message", out var m) ? Uri.UnescapeDataString(m.ToString()) : "";
            var (code, corrected) = Correct(call, status.ToString(), message, maxRecvMiB);
            headers["grpc-status"] = code;
            headers["grpc-message"] = Uri.EscapeDataString(corrected);
        }
        return Task.CompletedTask;
    }

    /// <summary>The status a trailers-only answer leaves with: a request Grpc.AspNetCore could not read is INVALID_ARGUMENT.</summary>
    private static (string Code, string Message) Correct(CallRecord call, string code, string message, int maxRecvMiB)
    {
        if (call.Handled)
        {
            return (code, message);
        }
        return code switch
        {
            "2" or "13" when !call.ClientWentAway => ("3", message.Length == 0 || message == "Exception was thrown by handler."
                ? "invalid gRPC request: the message could not be read (its frame, compressed flag or compressed data is malformed)"
                : $"invalid gRPC request: {message}"),
            "8" when !message.EndsWith("--max-recv-message-size", StringComparison.Ordinal) =>
                ("8", $"{message.TrimEnd('.')} ({maxRecvMiB} MiB); raise --max-recv-message-size"),
            _ => (code, message),
        };
    }

    /// <summary>The status Grpc.AspNetCore answered with; a call it never finished was cancelled by its client.</summary>
    public static (StatusCode Code, string Message) StatusOf(HttpContext context, int maxRecvMiB)
    {
        // A trailers-only answer carries the status in its headers (where it may have been corrected).
        var headers = context.Response.Headers;
        var trailers = headers.ContainsKey("grpc-status") ? null : context.Features.Get<IHttpResponseTrailersFeature>()?.Trailers;
        var status = headers.TryGetValue("grpc-status", out var h) ? h.ToString()
            : trailers is not null && trailers.TryGetValue("grpc-status", out var t) ? t.ToString()
            : null;
        if (status is null || !int.TryParse(status, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var code))
        {
            return context.RequestAborted.IsCancellationRequested || context.Features.Get<CallRecord>()?.ClientWentAway == true
                ? (StatusCode.Cancelled, "the client went away")
                : (StatusCode.Unknown, "no status was written");
        }
        if (code is 2 or 13 && context.Features.Get<CallRecord>() is { Handled: false, ClientWentAway: true })
        {
            // Grpc.AspNetCore calls a read cut short by the client UNKNOWN; nobody heard it.
            return (StatusCode.Cancelled, "the client went away while the request arrived");
        }
        var message = trailers is null ? (headers.TryGetValue("grpc-message", out var hm) ? hm.ToString() : "")
            : trailers.TryGetValue("grpc-message", out var tm) ? tm.ToString() : "";
        if (trailers is null && context.Features.Get<CallRecord>() is { } call)
        {
            // The headers may not have left yet: report what they will say.
            var (corrected, text) = Correct(call, status, Uri.UnescapeDataString(message), maxRecvMiB);
            return ((StatusCode)int.Parse(corrected, System.Globalization.CultureInfo.InvariantCulture), text);
        }
        return ((StatusCode)code, Uri.UnescapeDataString(message));
    }
}

/// <summary>The request body as Grpc.AspNetCore reads it, noting when a read fails because the client went away.</summary>
internal sealed class WatchedBody(PipeReader inner, CallRecord call) : IRequestBodyPipeFeature
{
    public PipeReader Reader { get; } = new WatchedReader(inner, call);

    private sealed class WatchedReader(PipeReader inner, CallRecord call) : PipeReader
    {
        public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
        {
            var read = inner.ReadAsync(cancellationToken);
            return read.IsCompletedSuccessfully ? read : Watch(read);
        }

        public override bool TryRead(out ReadResult result)
        {
            try
            {
                return inner.TryRead(out result);
            }
            catch (IOException)
            {
                call.ClientWentAway = true;
                throw;
            }
        }

        public override void AdvanceTo(SequencePosition consumed) => inner.AdvanceTo(consumed);

        public override void AdvanceTo(SequencePosition consumed, SequencePosition examined) => inner.AdvanceTo(consumed, examined);

        public override void CancelPendingRead() => inner.CancelPendingRead();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        private async ValueTask<ReadResult> Watch(ValueTask<ReadResult> read)
        {
            try
            {
                return await read.ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException)
            {
                // "The client reset the request stream", or the connection closed under the read.
                call.ClientWentAway = true;
                throw;
            }
        }
    }
}
