// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using Microsoft.Extensions.Logging;

namespace Modelplane.Server;

/// <summary>Everything the server itself logs, as source-generated <see cref="LoggerMessage"/> methods.</summary>
/// <remarks>
/// The console's JSON formatter writes each as one line with the named values under <c>State</c>,
/// which is what log pipelines query: a call's tag, XR identity, composer, result severities, gRPC
/// status and duration (the Go SDK's <c>xr-version</c>, <c>xr-kind</c>, <c>xr-name</c>). Event ids are stable.
/// </remarks>
public static partial class Log
{
    public const string Category = "Modelplane.Server";

    public const int CallEvent = 1;
    public const int ServingEvent = 2;
    public const int TlsRefusedEvent = 3;
    public const int StoppingEvent = 4;

    /// <summary>One line per call: info when answered, warning when refused, error for a composer bug (with its stack).</summary>
    [LoggerMessage(EventId = CallEvent, EventName = "RunFunction",
        Message = "{method} {grpcStatus} tag={tag} xr={xrApiVersion} {xrKind} {xrNamespace}/{xrName} composer={composer} results={results} durationMs={durationMs} error={error}")]
    public static partial void Call(ILogger logger, LogLevel level, Exception? exception, string method, string grpcStatus, string tag,
        string xrApiVersion, string xrKind, string? xrNamespace, string xrName, string composer, string results, double durationMs, string error);

    [LoggerMessage(EventId = ServingEvent, EventName = "Serving", Level = LogLevel.Information,
        Message = "serving gRPC on {grpc} ({transport}), metrics on {metrics}, gc {gc}")]
    public static partial void Serving(ILogger logger, string grpc, string transport, string metrics, string gc);

    /// <summary>A TLS client refused in the handshake: it never reaches a call, so this is its only trace.</summary>
    [LoggerMessage(EventId = TlsRefusedEvent, EventName = "TlsClientRefused", Level = LogLevel.Warning,
        Message = "refused TLS client {remote}: {reason}")]
    public static partial void TlsClientRefused(ILogger logger, string remote, string reason);

    [LoggerMessage(EventId = StoppingEvent, EventName = "Stopping", Level = LogLevel.Information,
        Message = "stopping: no new connections, calls in flight finish")]
    public static partial void Stopping(ILogger logger);
}
