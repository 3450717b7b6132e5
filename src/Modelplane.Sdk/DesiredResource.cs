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
/// <remarks>
/// One made from a typed record (<see cref="From{T}"/>) keeps the record's JSON text and builds the
/// <see cref="JsonObject"/> only if someone asks for <see cref="Resource"/>: at fleet scale the
/// response encoder reads thousands of these, and going from text to wire bytes
/// (<see cref="StructWire.MeasureJson"/>) costs a fraction of building and walking a node tree. Once
/// the object has been handed out it may be changed, so from then on the object is what counts.
/// </remarks>
public sealed record DesiredResource
{
    private JsonObject? _resource;
    private byte[]? _json;

    public DesiredResource(JsonObject resource, Readiness ready = Readiness.Unspecified)
    {
        _resource = resource ?? throw new ArgumentNullException(nameof(resource));
        Ready = ready;
    }

    private DesiredResource(byte[] json, Readiness ready)
    {
        _json = json;
        Ready = ready;
    }

    /// <summary>The resource as a JSON object; built from the record's text on first use.</summary>
    public JsonObject Resource
    {
        get
        {
            if (_resource is null)
            {
                _resource = JsonNode.Parse(_json) as JsonObject
                    ?? throw new InvalidOperationException("a desired resource's JSON text does not hold an object");
            }
            // Whoever holds the object may change it; the text no longer speaks for it.
            _json = null;
            return _resource;
        }
    }

    public Readiness Ready { get; init; }

    /// <summary>The record's JSON text, while nobody has asked for <see cref="Resource"/>.</summary>
    internal bool TryGetJson(out ReadOnlyMemory<byte> json)
    {
        // Not a nullable property: a null byte[] converts to an empty, non-null ReadOnlyMemory.
        json = _json;
        return _json is not null;
    }

    public static DesiredResource Of(JsonObject resource, bool? ready = null) => new(resource, ReadinessOf(ready));

    /// <summary>A typed record as a desired resource, through its source-generated JSON contract.</summary>
    /// <exception cref="InvalidOperationException">The record does not serialise to a JSON object.</exception>
    public static DesiredResource From<T>(T value, JsonTypeInfo<T> typeInfo, bool? ready = null)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(value, typeInfo);
        // Records serialise to objects; anything else (a null, a list) is a composer bug, refused here as before.
        if (json.Length == 0 || json[0] != (byte)'{')
        {
            throw new InvalidOperationException($"{typeof(T).Name} does not serialise to a JSON object");
        }
        return new DesiredResource(json, ReadinessOf(ready));
    }

    private static Readiness ReadinessOf(bool? ready) =>
        ready switch { true => Readiness.Ready, false => Readiness.NotReady, null => Readiness.Unspecified };
}
