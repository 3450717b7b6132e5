// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using Apiextensions.Fn.Proto.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Modelplane.Sdk;

namespace Modelplane.Server;

/// <summary>What one gRPC call is logged and counted as; the handler fills it in, the call log reads it.</summary>
/// <remarks>
/// Only identity and outcome are kept: the request's credentials, connection details and resource
/// bodies never reach this type, so they cannot be logged by accident.
/// </remarks>
public sealed class CallRecord
{
    public string Method { get; init; } = "";
    public string Tag { get; private set; } = "";
    public string XrApiVersion { get; private set; } = "";
    public string XrKind { get; private set; } = "";
    public string XrName { get; private set; } = "";
    public string? XrNamespace { get; private set; }
    public string Composer { get; private set; } = "";
    public IReadOnlyList<Severity> Severities { get; private set; } = [];
    public string Outcome { get; private set; } = "";

    /// <summary>The composer's exception when it had a bug, for the log line's stack.</summary>
    public Exception? Bug { get; private set; }

    /// <summary>Whether the request parsed and reached the handler; before that, every failure is the request's.</summary>
    public bool Handled { get; private set; }

    /// <summary>Whether reading the request failed because the client reset the stream or dropped the connection.</summary>
    public bool ClientWentAway { get; set; }

    public void Identify(RunFunctionRequest request)
    {
        Handled = true;
        Tag = request.Meta?.Tag ?? "";
        if (request.Observed?.Composite?.Resource_ is not { } composite)
        {
            return;
        }
        XrApiVersion = StringField(composite, "apiVersion") ?? "";
        XrKind = StringField(composite, "kind") ?? "";
        if (composite.Fields.TryGetValue("metadata", out var m) && m.StructValue is { } meta)
        {
            XrName = StringField(meta, "name") ?? "";
            XrNamespace = StringField(meta, "namespace");
        }
    }

    /// <summary>Seconds the runner took (composer and answer), when it ran.</summary>
    public double ComposeSeconds { get; private set; }

    public void Composed(RunSummary summary, double seconds)
    {
        ComposeSeconds = seconds;
        Composer = summary.Composer ?? "";
        Severities = summary.Severities;
        Outcome = summary.Outcome;
    }

    public void Failed(Exception bug) => Bug = bug;

    /// <summary>Result severities as the log shows them: <c>Warning,Fatal</c>.</summary>
    public string Results => string.Join(',', Severities.Select(SeverityName));

    private static string? StringField(Struct s, string key) =>
        s.Fields.TryGetValue(key, out var v) && v.KindCase == Value.KindOneofCase.StringValue ? v.StringValue : null;

    private static string SeverityName(Severity severity) => severity switch
    {
        Severity.Fatal => "Fatal",
        Severity.Warning => "Warning",
        Severity.Normal => "Normal",
        _ => "Unspecified",
    };

    /// <summary>A status code as Go's gRPC names it (<c>Canceled</c>, <c>InvalidArgument</c>): the <c>grpc_code</c> label of go-grpc-prometheus.</summary>
    public static string CodeName(StatusCode code) => code switch
    {
        StatusCode.OK => "OK",
        StatusCode.Cancelled => "Canceled",
        StatusCode.Unknown => "Unknown",
        StatusCode.InvalidArgument => "InvalidArgument",
        StatusCode.DeadlineExceeded => "DeadlineExceeded",
        StatusCode.NotFound => "NotFound",
        StatusCode.AlreadyExists => "AlreadyExists",
        StatusCode.PermissionDenied => "PermissionDenied",
        StatusCode.ResourceExhausted => "ResourceExhausted",
        StatusCode.FailedPrecondition => "FailedPrecondition",
        StatusCode.Aborted => "Aborted",
        StatusCode.OutOfRange => "OutOfRange",
        StatusCode.Unimplemented => "Unimplemented",
        StatusCode.Internal => "Internal",
        StatusCode.Unavailable => "Unavailable",
        StatusCode.DataLoss => "DataLoss",
        StatusCode.Unauthenticated => "Unauthenticated",
        _ => ((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
