// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using Apiextensions.Fn.Proto.V1;

namespace Modelplane.Sdk;

/// <summary>The status of a custom condition a composer sets on its composite resource.</summary>
public enum ConditionStatus
{
    Unknown,
    True,
    False,
}

/// <summary>A custom status condition for the composite resource.</summary>
/// <remarks>
/// Crossplane stamps <c>lastTransitionTime</c> itself and drops the system types (Ready, Synced,
/// Healthy, UpToDate, Responsive), so a composer names only type, status, reason and message. Like
/// the Go SDK, and unlike the Python and TypeScript ones, the target is always explicit
/// (<see cref="Target.Composite"/> unless asked otherwise), so a whole-response golden shows it.
/// </remarks>
public sealed record Condition(string Type, ConditionStatus Status, string Reason, string? Message = null)
{
    public Target Target { get; init; } = Target.Composite;

    public static Condition True(string type, string reason, string? message = null) =>
        new(type, ConditionStatus.True, reason, message);

    public static Condition False(string type, string reason, string? message = null) =>
        new(type, ConditionStatus.False, reason, message);

    public static Condition Unknown(string type, string reason, string? message = null) =>
        new(type, ConditionStatus.Unknown, reason, message);

    /// <summary>The same condition, also reported on a legacy claim.</summary>
    public Condition ForCompositeAndClaim() => this with { Target = Target.CompositeAndClaim };

    internal Apiextensions.Fn.Proto.V1.Condition ToProto()
    {
        var proto = new Apiextensions.Fn.Proto.V1.Condition
        {
            Type = Type,
            Status = Status switch
            {
                ConditionStatus.True => Apiextensions.Fn.Proto.V1.Status.ConditionTrue,
                ConditionStatus.False => Apiextensions.Fn.Proto.V1.Status.ConditionFalse,
                _ => Apiextensions.Fn.Proto.V1.Status.ConditionUnknown,
            },
            Reason = Reason,
            Target = Target,
        };
        if (Message is not null)
        {
            proto.Message = Message;
        }
        return proto;
    }
}
