// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace Modelplane.Sdk;

/// <summary>What a composer decides for one call; the runner turns it into a RunFunctionResponse.</summary>
/// <remarks>
/// A composer says only what it has an opinion on. The runner starts from the request (tag echoed,
/// TTL 60 s, context and every desired resource of earlier steps passed through), then overlays
/// <see cref="Resources"/>, deletes <see cref="Removed"/>, merges <see cref="Status"/> into the desired
/// composite's status and appends conditions and results in the order given. Leaving a resource out
/// of <see cref="Resources"/> that an earlier call composed deletes it (Crossplane garbage-collects
/// what the final desired state lacks), so composers re-emit everything they own on every call.
/// </remarks>
public sealed class Composition
{
    /// <summary>Composed resources this composer owns, by composition resource name.</summary>
    public IDictionary<string, DesiredResource> Resources { get; init; } = new Dictionary<string, DesiredResource>(StringComparer.Ordinal);

    /// <summary>Keys of earlier steps' desired resources to drop.</summary>
    public IReadOnlyCollection<string> Removed { get; init; } = [];

    /// <summary>Fields merged into the composite's <c>status</c>; objects merge key by key, anything else replaces.</summary>
    public JsonObject? Status { get; init; }

    /// <summary>Overrides the composite's readiness, which Crossplane otherwise derives from its composed resources.</summary>
    public Readiness CompositeReady { get; init; } = Readiness.Unspecified;

    public IList<Condition> Conditions { get; init; } = [];

    public IList<Result> Results { get; init; } = [];

    /// <summary>Resources to fetch, by requirement name; declare the same set on every call.</summary>
    public IDictionary<string, Requirement> Requirements { get; init; } = new Dictionary<string, Requirement>(StringComparer.Ordinal);

    /// <summary>OpenAPI schemas to fetch, by requirement name, as (apiVersion, kind).</summary>
    public IDictionary<string, (string ApiVersion, string Kind)> SchemaRequirements { get; init; } =
        new Dictionary<string, (string ApiVersion, string Kind)>(StringComparer.Ordinal);

    /// <summary>Keys set in the pipeline context for later steps.</summary>
    public JsonObject? Context { get; init; }

    /// <summary>How long Crossplane may reuse this answer; null is the SDK default, 60 s.</summary>
    public TimeSpan? Ttl { get; init; }

    /// <summary>The composite's status record as the JSON object <see cref="Status"/> takes.</summary>
    /// <remarks>
    /// Composers write status through their XR's status record (src/Modelplane.Apis), never as raw
    /// JSON, so the XRD drift test that guards the records guards every status a composer writes.
    /// </remarks>
    public static JsonObject StatusOf<T>(T status, JsonTypeInfo<T> type) where T : class =>
        JsonSerializer.SerializeToNode(status, type) as JsonObject
        ?? throw new InvalidOperationException($"{typeof(T).Name} does not serialise to a JSON object");

    /// <summary>A composition that only stops the pipeline, with a False condition saying why.</summary>
    public static Composition Fatal(string conditionType, string reason, string message) => new()
    {
        Conditions = [Condition.False(conditionType, reason, message)],
        Results = [Result.Fatal(message, reason)],
    };
}
