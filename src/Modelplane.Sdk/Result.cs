// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using Apiextensions.Fn.Proto.V1;

namespace Modelplane.Sdk;

/// <summary>A result a composer reports: an event (Normal, Warning) or a Fatal stop of the pipeline.</summary>
/// <remarks>
/// Crossplane turns Normal and Warning results into events, so a composer reports them on
/// transitions, not on every call. Fatal stops the pipeline with nothing applied, which is what bad
/// input the XRD cannot reject needs: nothing that already runs is torn down. The target is explicit,
/// as in the Go SDK; a Fatal result cannot target the claim.
/// </remarks>
public sealed record Result(Severity Severity, string Message, string? Reason = null)
{
    public Target Target { get; init; } = Target.Composite;

    public static Result Fatal(string message, string? reason = null) => new(Severity.Fatal, message, reason);

    public static Result Warning(string message, string? reason = null) => new(Severity.Warning, message, reason);

    public static Result Normal(string message, string? reason = null) => new(Severity.Normal, message, reason);

    internal Apiextensions.Fn.Proto.V1.Result ToProto()
    {
        var proto = new Apiextensions.Fn.Proto.V1.Result { Severity = Severity, Message = Message, Target = Target };
        if (Reason is not null)
        {
            proto.Reason = Reason;
        }
        return proto;
    }
}
