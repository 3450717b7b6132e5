// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Modelplane.Server;

/// <summary>What one RunFunction call is logged as.</summary>
public sealed record CallRecord
{
    public string Method { get; init; } = "";
    public string Tag { get; init; } = "";
    public string XrApiVersion { get; init; } = "";
    public string XrKind { get; init; } = "";
    public string XrName { get; init; } = "";
    public string? XrNamespace { get; init; }
    public string Composer { get; init; } = "";
    public double DurationMs { get; init; }
    public IReadOnlyList<string> Severities { get; init; } = [];
    public GrpcStatus Status { get; init; } = GrpcStatus.Ok;
}

/// <summary>One structured JSON line per call, and the server's own lifecycle lines, on stderr.</summary>
/// <remarks>
/// Written by hand with <see cref="Utf8JsonWriter"/> rather than through a logging framework so the
/// line's fields are exactly what operators query (tag, XR identity, composer, duration, result
/// severities) and nothing else: the request's credentials, connection details and resource bodies
/// never reach this type, so they cannot be logged by accident. Timestamps come from the
/// <see cref="TimeProvider"/>, as the Go SDK's zap lines carry <c>ts</c>.
/// </remarks>
public sealed class CallLog(TextWriter output, TimeProvider clock, bool debug)
{
    // Log lines are read by people and log pipelines, not embedded in HTML: '+', '<' and quotes
    // need no escaping, and escaping them makes messages harder to read.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly Lock _gate = new();

    public bool Debug => debug;

    public void Call(CallRecord call)
    {
        Write(call.Status.Code == GrpcStatusCode.Internal ? "error" : "info", "RunFunction", w =>
        {
            w.WriteString("method", call.Method);
            w.WriteString("tag", call.Tag);
            w.WriteString("xr-apiVersion", call.XrApiVersion);
            w.WriteString("xr-kind", call.XrKind);
            w.WriteString("xr-name", call.XrName);
            if (call.XrNamespace is not null)
            {
                w.WriteString("xr-namespace", call.XrNamespace);
            }
            w.WriteString("composer", call.Composer);
            w.WriteNumber("durationMs", Math.Round(call.DurationMs, 3));
            w.WriteStartArray("results");
            foreach (var severity in call.Severities)
            {
                w.WriteStringValue(severity);
            }
            w.WriteEndArray();
            w.WriteString("grpcStatus", call.Status.CodeName);
            if (call.Status.Message.Length > 0)
            {
                w.WriteString("error", call.Status.Message);
            }
        });
    }

    public void Info(string message, params (string Key, string Value)[] fields) => Write("info", message, fields);

    public void Error(string message, params (string Key, string Value)[] fields) => Write("error", message, fields);

    private void Write(string level, string message, (string Key, string Value)[] fields) =>
        Write(level, message, w =>
        {
            foreach (var (key, value) in fields)
            {
                w.WriteString(key, value);
            }
        });

    private void Write(string level, string message, Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("level", level);
            w.WriteString("ts", clock.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture));
            w.WriteString("msg", message);
            body(w);
            w.WriteEndObject();
        }
        var line = Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        lock (_gate)
        {
            output.WriteLine(line);
            output.Flush();
        }
    }
}
