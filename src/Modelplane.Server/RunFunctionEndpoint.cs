// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Globalization;
using Apiextensions.Fn.Proto.V1;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using Modelplane.Sdk;

namespace Modelplane.Server;

/// <summary>The gRPC unary call layer: RunFunction over HTTP/2, on Kestrel, without grpc-dotnet.</summary>
/// <remarks>
/// grpc-dotnet's server packages do not restore here, and one unary method needs little of them:
/// check the content type and method, honour <c>grpc-timeout</c> and cancellation, read one
/// length-prefixed message, answer with one message and a <c>grpc-status</c> trailer. Every refusal
/// is a trailers-only response (a single HEADERS frame carrying the status) with a message that says
/// what to fix. The deprecated v1beta1 service carries byte-identical messages, so both paths parse
/// into the v1 types. A composer exception is the one INTERNAL: it is a bug, logged with its stack.
/// </remarks>
public sealed class RunFunctionEndpoint(FunctionRunner runner, ServerOptions options, CallLog log, FunctionMetrics metrics, TimeProvider clock)
{
    public const string V1Path = "/apiextensions.fn.proto.v1.FunctionRunnerService/RunFunction";
    public const string V1Beta1Path = "/apiextensions.fn.proto.v1beta1.FunctionRunnerService/RunFunction";

    // What we can decode; advertised on every response so clients know gzip is welcome.
    private const string AcceptEncoding = "identity,gzip";

    private static readonly GrpcStatus Cancelled = new(GrpcStatusCode.Cancelled, "the client cancelled the call");

    public async Task HandleAsync(HttpContext context)
    {
        var started = clock.GetTimestamp();
        metrics.Started();
        var record = new CallRecord { Method = context.Request.Path.Value ?? "" };
        try
        {
            record = await ServeAsync(context, record).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away (RST_STREAM or a closed connection): nobody is left to answer.
            record = record with { Status = Cancelled };
        }
        catch (IOException e)
        {
            // Reading the message fails this way when the client resets the stream or drops the
            // connection while it is still arriving ("The client reset the request stream."), and
            // Kestrel cancels RequestAborted only afterwards: a cancellation too, not a bug.
            record = record with { Status = new GrpcStatus(GrpcStatusCode.Cancelled, $"the client went away: {e.Message}") };
        }
        finally
        {
            var elapsed = clock.GetElapsedTime(started);
            record = record with { DurationMs = elapsed.TotalMilliseconds };
            metrics.Finished(record.Composer.Length == 0 ? "none" : record.Composer,
                record.Status.Code == GrpcStatusCode.Ok ? OutcomeOf(record.Severities) : record.Status.CodeName,
                elapsed.TotalSeconds);
            log.Call(record);
        }
    }

    private async Task<CallRecord> ServeAsync(HttpContext context, CallRecord record)
    {
        var request = context.Request;
        var path = request.Path.Value;
        if (path != V1Path && path != V1Beta1Path)
        {
            return Refuse(context, record, GrpcStatusCode.Unimplemented,
                $"unknown method {path}; this server serves {V1Path} and {V1Beta1Path}");
        }
        if (!HttpMethods.IsPost(request.Method))
        {
            return Refuse(context, record, GrpcStatusCode.Unimplemented, $"method {request.Method} is not gRPC; gRPC calls are POST");
        }
        if (!IsGrpcContentType(request.ContentType))
        {
            context.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            return Refuse(context, record, GrpcStatusCode.InvalidArgument,
                $"content-type \"{request.ContentType}\" is not gRPC; send application/grpc or application/grpc+proto", setStatusCode: false);
        }
        var encoding = request.Headers["grpc-encoding"].ToString();
        if (encoding.Length > 0 && encoding != "identity" && encoding != "gzip")
        {
            context.Response.Headers["grpc-accept-encoding"] = AcceptEncoding;
            return Refuse(context, record, GrpcStatusCode.Unimplemented,
                $"grpc-encoding \"{encoding}\" is not supported; use one of {AcceptEncoding}");
        }
        TimeSpan? deadline = null;
        var timeoutHeader = request.Headers["grpc-timeout"].ToString();
        if (timeoutHeader.Length > 0)
        {
            if (!TryParseTimeout(timeoutHeader, out var timeout))
            {
                return Refuse(context, record, GrpcStatusCode.InvalidArgument,
                    $"grpc-timeout \"{timeoutHeader}\" is malformed; send up to 8 digits and a unit H, M, S, m, u or n");
            }
            deadline = timeout;
        }

        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        if (deadline is { } d)
        {
            cancellation.CancelAfter(d);
        }
        try
        {
            return await CallAsync(context, record, encoding.Length == 0 ? null : encoding, cancellation.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested && cancellation.IsCancellationRequested)
        {
            return Refuse(context, record, GrpcStatusCode.DeadlineExceeded, DeadlineMessage(timeoutHeader));
        }
    }

    private async Task<CallRecord> CallAsync(HttpContext context, CallRecord record, string? encoding, CancellationToken cancellationToken)
    {
        var reader = context.Request.BodyReader;
        var frame = await GrpcFraming.ReadUnaryAsync(reader, options.MaxRecvMessageSizeBytes, encoding, cancellationToken).ConfigureAwait(false);
        if (frame.Error is { } error)
        {
            return Refuse(context, record, error.Code, error.Message);
        }

        RunFunctionRequest proto;
        try
        {
            proto = RunFunctionRequest.Parser.ParseFrom(frame.Message);
        }
        catch (InvalidProtocolBufferException e)
        {
            return Refuse(context, record, GrpcStatusCode.InvalidArgument, $"cannot parse RunFunctionRequest: {e.Message}");
        }
        finally
        {
            if (frame.Owned is null)
            {
                reader.AdvanceTo(frame.Message.End);
            }
        }

        record = record with { Tag = proto.Meta?.Tag ?? "" };
        if (cancellationToken.IsCancellationRequested)
        {
            return Abandoned(context, Identify(record, proto));
        }
        RunFunctionResponse response;
        RunSummary summary;
        try
        {
            (response, summary) = runner.Run(proto, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A composer bug. Say so plainly, log the stack, and keep serving.
            log.Error("composer failed", ("exception", e.ToString()));
            return Refuse(context, Identify(record, proto), GrpcStatusCode.Internal, $"internal error in composer: {e.GetType().Name}: {e.Message}");
        }
        record = Identify(record, proto) with
        {
            Composer = summary.Composer ?? "",
            Severities = summary.Severities.Select(SeverityName).ToArray(),
        };
        if (cancellationToken.IsCancellationRequested)
        {
            return Abandoned(context, record);
        }

        await WriteResponseAsync(context, response, cancellationToken).ConfigureAwait(false);
        return record;
    }

    private static async Task WriteResponseAsync(HttpContext context, RunFunctionResponse response, CancellationToken cancellationToken)
    {
        var http = context.Response;
        http.StatusCode = StatusCodes.Status200OK;
        http.ContentType = "application/grpc";
        http.Headers["grpc-accept-encoding"] = AcceptEncoding;
        var size = response.CalculateSize();
        var writer = http.BodyWriter;
        GrpcFraming.WriteHeader(writer.GetSpan(GrpcFraming.HeaderSize), size);
        writer.Advance(GrpcFraming.HeaderSize);
        // Straight into the pipe's pooled segments: one span of the whole message would be a fresh
        // array per call, and past 85 KB a large-object-heap one.
        response.WriteTo(writer);
        http.AppendTrailer("grpc-status", "0");
        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private static string DeadlineMessage(string timeoutHeader) =>
        $"deadline exceeded: the call's grpc-timeout of {timeoutHeader} passed before the answer was ready";

    // The call was cancelled or ran out of time while we worked on it: say which, and keep what we
    // know of it (tag, XR, composer) for the log line, which an exception here would lose.
    private static CallRecord Abandoned(HttpContext context, CallRecord record) =>
        context.RequestAborted.IsCancellationRequested
            ? record with { Status = Cancelled }
            : Refuse(context, record, GrpcStatusCode.DeadlineExceeded, DeadlineMessage(context.Request.Headers["grpc-timeout"].ToString()));

    private static CallRecord Identify(CallRecord record, RunFunctionRequest proto)
    {
        var composite = proto.Observed?.Composite?.Resource_;
        if (composite is null)
        {
            return record;
        }
        return record with
        {
            XrApiVersion = StringField(composite, "apiVersion") ?? "",
            XrKind = StringField(composite, "kind") ?? "",
            XrName = composite.Fields.TryGetValue("metadata", out var m) && m.StructValue is { } meta ? StringField(meta, "name") ?? "" : "",
            XrNamespace = composite.Fields.TryGetValue("metadata", out var n) && n.StructValue is { } meta2 ? StringField(meta2, "namespace") : null,
        };
    }

    private static string? StringField(Google.Protobuf.WellKnownTypes.Struct s, string key) =>
        s.Fields.TryGetValue(key, out var v) && v.KindCase == Google.Protobuf.WellKnownTypes.Value.KindOneofCase.StringValue ? v.StringValue : null;

    private static CallRecord Refuse(HttpContext context, CallRecord record, GrpcStatusCode code, string message, bool setStatusCode = true)
    {
        var response = context.Response;
        if (!response.HasStarted)
        {
            if (setStatusCode)
            {
                response.StatusCode = StatusCodes.Status200OK;
            }
            response.ContentType = "application/grpc";
            // Trailers-only: the status travels in the one HEADERS frame that ends the stream.
            response.Headers["grpc-status"] = ((int)code).ToString(CultureInfo.InvariantCulture);
            response.Headers["grpc-message"] = GrpcStatus.EncodeMessage(message);
        }
        return record with { Status = new GrpcStatus(code, message) };
    }

    /// <summary>Whether a content type is gRPC: <c>application/grpc</c>, optionally <c>+proto</c> or with parameters.</summary>
    public static bool IsGrpcContentType(string? contentType)
    {
        if (contentType is null || !contentType.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        var rest = contentType.AsSpan("application/grpc".Length);
        return rest.IsEmpty || rest[0] == ';' || rest.StartsWith("+proto", StringComparison.OrdinalIgnoreCase) && (rest.Length == 6 || rest[6] == ';');
    }

    /// <summary>Parses a <c>grpc-timeout</c> header: at most 8 digits and a unit (H, M, S, m, u, n).</summary>
    public static bool TryParseTimeout(string header, out TimeSpan timeout)
    {
        timeout = default;
        if (header.Length is < 2 or > 9)
        {
            return false;
        }
        var digits = header.AsSpan(0, header.Length - 1);
        foreach (var c in digits)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }
        var value = long.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
        double? ticks = header[^1] switch
        {
            'H' => value * (double)TimeSpan.TicksPerHour,
            'M' => value * (double)TimeSpan.TicksPerMinute,
            'S' => value * (double)TimeSpan.TicksPerSecond,
            'm' => value * (double)TimeSpan.TicksPerMillisecond,
            'u' => value * 10d,
            'n' => value / 100d,
            _ => null,
        };
        if (ticks is null)
        {
            return false;
        }
        // An hour-scale deadline past CancelAfter's range means "no practical deadline".
        timeout = TimeSpan.FromTicks((long)Math.Min(ticks.Value, TimeSpan.FromDays(24).Ticks));
        return true;
    }

    private static string SeverityName(Severity severity) => severity switch
    {
        Severity.Fatal => "Fatal",
        Severity.Warning => "Warning",
        Severity.Normal => "Normal",
        _ => "Unspecified",
    };

    private static string OutcomeOf(IReadOnlyList<string> severities) =>
        severities.Contains("Fatal") ? "fatal"
        : severities.Contains("Warning") || severities.Contains("Unspecified") ? "warning"
        : severities.Contains("Normal") ? "normal"
        : "ok";
}
