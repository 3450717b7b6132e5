// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json;
using System.Text.Json.Nodes;

namespace Modelplane.Cel;

/// <summary>A device as a DRA selector sees it: <c>device.driver</c>, <c>device.attributes</c>, <c>device.capacity</c>.</summary>
/// <remarks>
/// <para>
/// Attributes and capacities are grouped by domain: <c>device.attributes["gpu.nvidia.com"].architecture</c>.
/// A qualified name (<c>resource.kubernetes.io/pcieRoot</c>) splits at its first <c>/</c> into domain and
/// name; a bare name belongs to the device's driver. Looking up a domain the device does not have
/// yields an empty map (so <c>device.attributes["other.com"].x</c> is an unknown-name error, not a
/// crash), while <c>"other.com" in device.attributes</c> is false; looking up an unknown name is an
/// error, which makes the selector not match. A device's name, claim, count and class are not visible.
/// </para>
/// <para>
/// <see cref="FromJson"/> reads a device as an InferenceCluster publishes it in
/// <c>status.gpuPools[].devices[]</c>: attribute values are <c>{string|version|bool|int: …}</c> (checked
/// in the order version, string, bool, int) and capacities <c>{value: "&lt;quantity&gt;"}</c> (entries
/// without a value are skipped). Modelplane builds a device's whole activation before evaluating, so one
/// malformed version, quantity or empty attribute makes the device match no selector at all, even one
/// that never reads the bad field. We keep that rule: such a device is returned with
/// <see cref="Error"/> set, and every evaluation against it fails with that message. Keys are ordered
/// ordinally, so iterating a device's domains is deterministic.
/// </para>
/// </remarks>
public sealed class CelDevice
{
    private static readonly IReadOnlyDictionary<string, IReadOnlyDictionary<string, CelValue>> NoAttributes =
        new Dictionary<string, IReadOnlyDictionary<string, CelValue>>();

    private static readonly IReadOnlyDictionary<string, IReadOnlyDictionary<string, Quantity>> NoCapacity =
        new Dictionary<string, IReadOnlyDictionary<string, Quantity>>();

    public CelDevice(
        string driver,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, CelValue>>? attributes = null,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, Quantity>>? capacity = null)
    {
        ArgumentNullException.ThrowIfNull(driver);
        Driver = driver;
        Attributes = attributes ?? NoAttributes;
        Capacity = capacity ?? NoCapacity;
        var device = new CelMap();
        device.TryAdd(CelValue.FromString("driver"), CelValue.FromString(driver));
        device.TryAdd(CelValue.FromString("attributes"), ByDomain(Attributes, v => v));
        device.TryAdd(CelValue.FromString("capacity"), ByDomain(Capacity, CelValue.FromQuantity));
        Variables = new Dictionary<string, CelValue> { ["device"] = CelValue.FromMap(device) };
    }

    private CelDevice(string error, bool _)
        : this("")
    {
        Error = error;
    }

    public string Driver { get; }

    /// <summary>Attribute values by domain, then name.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, CelValue>> Attributes { get; }

    /// <summary>Capacities by domain, then name.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, Quantity>> Capacity { get; }

    /// <summary>Why the device could not be read; when set, the device matches nothing.</summary>
    public string? Error { get; }

    internal IReadOnlyDictionary<string, CelValue> Variables { get; }

    /// <summary>Reads a device in the shape an InferenceCluster publishes; never throws.</summary>
    public static CelDevice FromJson(JsonNode? device)
    {
        if (device is not JsonObject obj)
        {
            return Invalid("invalid device: not a JSON object");
        }
        if (!TryString(obj["driver"], out var driver))
        {
            return Invalid("invalid device: driver must be a string");
        }
        driver ??= "";

        var attributes = new Dictionary<string, Dictionary<string, CelValue>>(StringComparer.Ordinal);
        if (obj["attributes"] is { } attributeNode)
        {
            if (attributeNode is not JsonObject attributeObject)
            {
                return Invalid("invalid device: attributes must be an object");
            }
            foreach (var (name, entry) in attributeObject)
            {
                var error = ReadAttribute(entry, out var value);
                if (error is not null)
                {
                    return Invalid($"invalid device attribute \"{name}\": {error}");
                }
                Add(attributes, name, driver, value!);
            }
        }

        var capacity = new Dictionary<string, Dictionary<string, Quantity>>(StringComparer.Ordinal);
        if (obj["capacity"] is { } capacityNode)
        {
            if (capacityNode is not JsonObject capacityObject)
            {
                return Invalid("invalid device: capacity must be an object");
            }
            foreach (var (name, entry) in capacityObject)
            {
                if (entry is not JsonObject capacityEntry)
                {
                    return Invalid($"invalid device capacity \"{name}\": not an object");
                }
                if (capacityEntry["value"] is null)
                {
                    continue;
                }
                if (!TryString(capacityEntry["value"], out var text) || text is null)
                {
                    return Invalid($"invalid device capacity \"{name}\": value must be a string");
                }
                if (!Quantity.TryParse(text, out var quantity, out var error))
                {
                    return Invalid($"invalid device capacity \"{name}\": {error}");
                }
                Add(capacity, name, driver, quantity);
            }
        }

        return new CelDevice(
            driver,
            attributes.ToDictionary(d => d.Key, d => (IReadOnlyDictionary<string, CelValue>)d.Value, StringComparer.Ordinal),
            capacity.ToDictionary(d => d.Key, d => (IReadOnlyDictionary<string, Quantity>)d.Value, StringComparer.Ordinal));
    }

    private static CelDevice Invalid(string error) => new(error, true);

    // Returns null and the value, or the reason the entry is unusable.
    private static string? ReadAttribute(JsonNode? entry, out CelValue? value)
    {
        value = null;
        if (entry is not JsonObject obj)
        {
            return "not an object";
        }
        if (obj["version"] is { } version)
        {
            if (!TryString(version, out var text))
            {
                return "version must be a string";
            }
            if (!SemVersion.TryParse(text, normalize: false, out var parsed, out var error))
            {
                return error;
            }
            value = CelValue.FromVersion(parsed);
            return null;
        }
        if (obj["string"] is { } str)
        {
            if (!TryString(str, out var text))
            {
                return "string must be a string";
            }
            value = CelValue.FromString(text!);
            return null;
        }
        if (obj["bool"] is { } boolean)
        {
            if (boolean.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
            {
                return "bool must be a boolean";
            }
            value = CelValue.FromBool(boolean.GetValueKind() == JsonValueKind.True);
            return null;
        }
        if (obj["int"] is { } integer)
        {
            var converted = integer.GetValueKind() == JsonValueKind.Number ? CelValue.FromJson(integer) : null;
            if (converted is not { Kind: CelKind.Int })
            {
                return "int must be an integer";
            }
            value = converted;
            return null;
        }
        return "unsupported attribute value: set one of string, version, bool or int";
    }

    // A JSON string, or absent/null (text null); false for any other JSON kind.
    private static bool TryString(JsonNode? node, out string? text)
    {
        text = null;
        if (node is null)
        {
            return true;
        }
        if (node.GetValueKind() != JsonValueKind.String)
        {
            return false;
        }
        text = node.GetValue<string>();
        return true;
    }

    private static void Add<T>(Dictionary<string, Dictionary<string, T>> byDomain, string name, string driver, T value)
    {
        var slash = name.IndexOf('/', StringComparison.Ordinal);
        var domain = slash < 0 ? driver : name[..slash];
        var id = slash < 0 ? name : name[(slash + 1)..];
        if (!byDomain.TryGetValue(domain, out var names))
        {
            names = new Dictionary<string, T>(StringComparer.Ordinal);
            byDomain[domain] = names;
        }
        names[id] = value;
    }

    private static CelValue ByDomain<T>(IReadOnlyDictionary<string, IReadOnlyDictionary<string, T>> byDomain, Func<T, CelValue> convert)
    {
        var domains = new CelMap(missingKeysAreEmptyMaps: true);
        foreach (var domain in byDomain.Keys.Order(StringComparer.Ordinal))
        {
            var names = new CelMap();
            foreach (var (id, value) in byDomain[domain].OrderBy(e => e.Key, StringComparer.Ordinal))
            {
                names.TryAdd(CelValue.FromString(id), convert(value));
            }
            domains.TryAdd(CelValue.FromString(domain), CelValue.FromMap(names));
        }
        return CelValue.FromMap(domains);
    }
}
