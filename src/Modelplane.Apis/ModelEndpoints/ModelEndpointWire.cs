// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics.CodeAnalysis;
using Modelplane.Sdk;

namespace Modelplane.Apis.ModelEndpoints;

/// <summary>A ModelEndpoint read straight from its Struct's wire bytes, for the ModelService's fleet-scale read.</summary>
/// <remarks>
/// A ModelService reads every endpoint it selects on each call, a thousand at fleet scale, and the
/// contract's read (<see cref="ModelEndpointJsonContext"/>) builds each record through the
/// serializer's constructor-argument path, since its properties are init-only: that was a third of
/// such a call. This reads the same fields into the same record and nothing else. Anything it does
/// not expect (a null, a key given twice, another kind of value, a fraction for the port) is false,
/// and that object takes the contract's read, whose answer is the reference; a test holds the two
/// equal over every object in the repository's YAML.
/// </remarks>
public static class ModelEndpointWire
{
    /// <summary>The <see cref="WireRead{T}"/> for <see cref="RequiredResources.Read{T}(string, System.Text.Json.Serialization.Metadata.JsonTypeInfo{T}, WireRead{T})"/>.</summary>
    public static readonly WireRead<ModelEndpoint> Read = TryRead;

    public static bool TryRead(ReadOnlySpan<byte> wire, [NotNullWhen(true)] out ModelEndpoint? endpoint)
    {
        endpoint = null;
        string? apiVersion = null, kind = null;
        ModelEndpointMetadata? metadata = null;
        ModelEndpointSpec? spec = null;
        ModelEndpointStatus? status = null;
        var seen = 0;
        var fields = new StructEntries(wire);
        while (fields.MoveNext())
        {
            var key = fields.Key;
            var ok = key.SequenceEqual("apiVersion"u8) ? Once(ref seen, 1) && StructValues.TryString(fields.Value, out apiVersion)
                : key.SequenceEqual("kind"u8) ? Once(ref seen, 2) && StructValues.TryString(fields.Value, out kind)
                : key.SequenceEqual("metadata"u8) ? Once(ref seen, 4) && StructValues.TryStruct(fields.Value, out var m) && TryMetadata(m, out metadata)
                : key.SequenceEqual("spec"u8) ? Once(ref seen, 8) && StructValues.TryStruct(fields.Value, out var s) && TrySpec(s, out spec)
                : !key.SequenceEqual("status"u8) || (Once(ref seen, 16) && StructValues.TryStruct(fields.Value, out var st) && TryStatus(st, out status));
            if (!ok)
            {
                return false;
            }
        }
        if (fields.Failed)
        {
            return false;
        }
        endpoint = new ModelEndpoint { ApiVersion = apiVersion!, Kind = kind!, Metadata = metadata, Spec = spec, Status = status };
        return true;
    }

    private static bool TryMetadata(ReadOnlySpan<byte> wire, [NotNullWhen(true)] out ModelEndpointMetadata? metadata)
    {
        metadata = null;
        string? name = null, ns = null;
        Dictionary<string, string>? labels = null;
        var seen = 0;
        var fields = new StructEntries(wire);
        while (fields.MoveNext())
        {
            var key = fields.Key;
            var ok = key.SequenceEqual("name"u8) ? Once(ref seen, 1) && StructValues.TryString(fields.Value, out name)
                : key.SequenceEqual("namespace"u8) ? Once(ref seen, 2) && StructValues.TryString(fields.Value, out ns)
                : !key.SequenceEqual("labels"u8) || (Once(ref seen, 4) && StructValues.TryStruct(fields.Value, out var l) && TryLabels(l, out labels));
            if (!ok)
            {
                return false;
            }
        }
        metadata = fields.Failed ? null : new ModelEndpointMetadata { Name = name, Namespace = ns, Labels = labels };
        return metadata is not null;
    }

    private static bool TryLabels(ReadOnlySpan<byte> wire, [NotNullWhen(true)] out Dictionary<string, string>? labels)
    {
        labels = new Dictionary<string, string>(StringComparer.Ordinal);
        var fields = new StructEntries(wire);
        while (fields.MoveNext())
        {
            if (!StructValues.TryString(fields.Value, out var value) || !labels.TryAdd(System.Text.Encoding.UTF8.GetString(fields.Key), value))
            {
                return false;
            }
        }
        return !fields.Failed;
    }

    private static bool TrySpec(ReadOnlySpan<byte> wire, [NotNullWhen(true)] out ModelEndpointSpec? spec)
    {
        spec = null;
        string? url = null, rewritePath = null;
        var seen = 0;
        var fields = new StructEntries(wire);
        while (fields.MoveNext())
        {
            var key = fields.Key;
            var ok = key.SequenceEqual("url"u8) ? Once(ref seen, 1) && StructValues.TryString(fields.Value, out url)
                : !key.SequenceEqual("rewritePath"u8) || (Once(ref seen, 2) && StructValues.TryString(fields.Value, out rewritePath));
            if (!ok)
            {
                return false;
            }
        }
        spec = fields.Failed ? null : new ModelEndpointSpec { Url = url, RewritePath = rewritePath };
        return spec is not null;
    }

    private static bool TryStatus(ReadOnlySpan<byte> wire, [NotNullWhen(true)] out ModelEndpointStatus? status)
    {
        status = null;
        ModelEndpointRouting? routing = null;
        var seen = 0;
        var fields = new StructEntries(wire);
        while (fields.MoveNext())
        {
            if (fields.Key.SequenceEqual("routing"u8)
                && !(Once(ref seen, 1) && StructValues.TryStruct(fields.Value, out var r) && TryRouting(r, out routing)))
            {
                return false;
            }
        }
        status = fields.Failed ? null : new ModelEndpointStatus { Routing = routing };
        return status is not null;
    }

    private static bool TryRouting(ReadOnlySpan<byte> wire, [NotNullWhen(true)] out ModelEndpointRouting? routing)
    {
        routing = null;
        string? backendName = null, hostname = null;
        int? port = null;
        var seen = 0;
        var fields = new StructEntries(wire);
        while (fields.MoveNext())
        {
            var key = fields.Key;
            var ok = key.SequenceEqual("backendName"u8) ? Once(ref seen, 1) && StructValues.TryString(fields.Value, out backendName)
                : key.SequenceEqual("hostname"u8) ? Once(ref seen, 2) && StructValues.TryString(fields.Value, out hostname)
                : !key.SequenceEqual("port"u8) || (Once(ref seen, 4) && TryPort(fields.Value, out port));
            if (!ok)
            {
                return false;
            }
        }
        routing = fields.Failed ? null : new ModelEndpointRouting { BackendName = backendName, Port = port, Hostname = hostname };
        return routing is not null;
    }

    private static bool TryPort(ReadOnlySpan<byte> value, out int? port)
    {
        port = StructValues.TryInt32(value, out var p) ? p : null;
        return port is not null;
    }

    // A key given twice: protobuf keeps the last, the contract's read refuses it; either way, not ours to decide.
    private static bool Once(ref int seen, int bit)
    {
        if ((seen & bit) != 0)
        {
            return false;
        }
        seen |= bit;
        return true;
    }
}
