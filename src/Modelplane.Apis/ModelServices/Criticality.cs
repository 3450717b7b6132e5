// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

namespace Modelplane.Apis.ModelServices;

/// <summary>The criticality classes of a ModelService's traffic, the InferenceObjective priority each maps to, and the headers that carry them.</summary>
/// <remarks>
/// <para>
/// The Inference Extension's InferenceObjective has an integer priority (higher is more important,
/// negative is sheddable) where its older InferenceModel had the enum Critical/Standard/Sheddable.
/// We keep the enum our users speak and map it to three fixed priorities, spaced so that a platform
/// team can add its own objectives between them later: Critical 100, Standard 0 (what a request
/// without an objective gets), Sheddable -100 (negative, so the picker's saturation admission
/// refuses it with 429).
/// </para>
/// <para>
/// Clients send <see cref="RequestHeader"/> to lower their own class. The fleet gateway, which
/// matches that header, sets the picker's <see cref="ObjectiveHeader"/> on every request it sends to
/// a replica, overwriting whatever the client sent, to the replica pool's own InferenceObjective for
/// the lower of the entry's class and the requested one (<see cref="ObjectiveName"/>), and removes the
/// picker's deprecated alias so it cannot count either. It is the fleet gateway that sets it because
/// the cluster's Envoy applies route header changes only after its filters, so the picker would never
/// see a header the cluster's route set.
/// </para>
/// </remarks>
public static class Criticality
{
    public const string Critical = "Critical";
    public const string Standard = "Standard";
    public const string Sheddable = "Sheddable";

    /// <summary>Most important first.</summary>
    public static IReadOnlyList<string> All { get; } = [Critical, Standard, Sheddable];

    /// <summary>The header a client sends to lower its request's class (Standard or Sheddable).</summary>
    public const string RequestHeader = "x-modelplane-criticality";

    /// <summary>The header the llm-d-router endpoint picker (v0.9+) reads the InferenceObjective name from.</summary>
    public const string ObjectiveHeader = "x-llm-d-inference-objective";

    /// <summary>The picker's deprecated alias of <see cref="ObjectiveHeader"/> (the Inference Extension's name); removed so only ours counts.</summary>
    public const string LegacyObjectiveHeader = "x-gateway-inference-objective";

    /// <summary>The InferenceObjective priority of a class.</summary>
    public static int Priority(string criticality) => criticality switch
    {
        Critical => 100,
        Sheddable => -100,
        _ => 0,
    };

    /// <summary>The lower-case form used in header values and object names.</summary>
    public static string Slug(string criticality) => criticality.ToLowerInvariant();

    /// <summary>The InferenceObjective a replica's pool holds for a class: <c>&lt;replica&gt;-&lt;class&gt;</c>.</summary>
    /// <remarks>The picker keys objectives by name within its namespace, which every replica of a cluster shares, so the name carries the replica.</remarks>
    public static string ObjectiveName(string replica, string criticality) => $"{replica}-{Slug(criticality)}";

    /// <summary>The less important of two classes.</summary>
    public static string Lower(string a, string b) => Rank(a) >= Rank(b) ? a : b;

    private static int Rank(string criticality) => criticality switch
    {
        Critical => 0,
        Standard => 1,
        _ => 2,
    };

    /// <summary>Whether <paramref name="value"/> is one of the three classes.</summary>
    public static bool IsValid(string? value) => value is Critical or Standard or Sheddable;
}
