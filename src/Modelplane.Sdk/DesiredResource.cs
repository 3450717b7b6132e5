// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace Modelplane.Sdk;

/// <summary>Whether a desired composed resource is ready.</summary>
public enum Readiness
{
    /// <summary>Say nothing; Crossplane counts the resource as not ready.</summary>
    Unspecified,
    Ready,
    NotReady,
}

/// <summary>A composed resource a composer wants to exist: partial intent, never a copy of what was observed.</summary>
public sealed record DesiredResource(JsonObject Resource, Readiness Ready = Readiness.Unspecified)
{
    public static DesiredResource Of(JsonObject resource, bool? ready = null) =>
        new(resource, ready switch { true => Readiness.Ready, false => Readiness.NotReady, null => Readiness.Unspecified });

    /// <summary>A typed record as a desired resource, through its source-generated JSON contract.</summary>
    public static DesiredResource From<T>(T value, JsonTypeInfo<T> typeInfo, bool? ready = null) =>
        Of(JsonSerializer.SerializeToNode(value, typeInfo) as JsonObject
            ?? throw new InvalidOperationException($"{typeof(T).Name} does not serialise to a JSON object"), ready);
}
