// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Apiextensions.Fn.Proto.V1;
using Google.Protobuf.WellKnownTypes;

namespace Modelplane.Sdk;

/// <summary>What a composer reads: one RunFunctionRequest, as JSON objects instead of Structs.</summary>
/// <remarks>
/// Conversion from Struct is lazy and cached per object: a fleet-scale request carries thousands of
/// required objects, and a composer that returns early (waiting for a requirement) should not pay to
/// convert what it never reads. Every collection here is keyed and iterated in ordinal key order,
/// never in wire order, so a composer cannot depend on map order by accident.
/// </remarks>
public sealed class FunctionRequest
{
    private readonly RunFunctionRequest _request;
    private readonly Lazy<JsonObject> _composite;
    private readonly Lazy<IReadOnlyDictionary<string, ObservedResource>> _observed;
    private readonly Lazy<JsonObject?> _input;
    private readonly Lazy<JsonObject> _context;

    public FunctionRequest(RunFunctionRequest request)
    {
        _request = request;
        _composite = new(() => request.Observed?.Composite?.Resource_ is { } s ? StructJson.ToJsonObject(s) : []);
        _observed = new(() => ObservedResources(request));
        _input = new(() => request.Input is { } s ? StructJson.ToJsonObject(s) : null);
        _context = new(() => request.Context is { } s ? StructJson.ToJsonObject(s) : []);
#pragma warning disable CS0612 // extra_resources is deprecated, and read only as a fallback for Crossplane before v2.0.
        Required = new RequiredResources(request.RequiredResources, request.ExtraResources);
#pragma warning restore CS0612
    }

    /// <summary>The request on the wire, for adapters; composers read the typed views below.</summary>
    public RunFunctionRequest Proto => _request;

    /// <summary>The observed composite resource (metadata, spec, status); empty if Crossplane sent none.</summary>
    public JsonObject Composite => _composite.Value;

    public string ApiVersion => Composite["apiVersion"] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : "";

    public string Kind => Composite["kind"] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : "";

    public string Name => SafeString(() => Composite.StringAt("metadata.name")) ?? "";

    public string? Namespace => SafeString(() => Composite.StringAt("metadata.namespace"));

    /// <summary>The observed composed resources, by composition resource name.</summary>
    public IReadOnlyDictionary<string, ObservedResource> Observed => _observed.Value;

    /// <summary>Required resources, by requirement name.</summary>
    public RequiredResources Required { get; }

    /// <summary>The step's input, or null when the step has none.</summary>
    public JsonObject? Input => _input.Value;

    /// <summary>The pipeline context as this step received it.</summary>
    public JsonObject Context => _context.Value;

    /// <summary>Keys of the composed resources earlier steps desire; they pass through unless a composer removes them.</summary>
    public IReadOnlyCollection<string> DesiredKeys =>
        _request.Desired?.Resources.Keys.Order(StringComparer.Ordinal).ToArray() ?? [];

    /// <summary>A composed resource an earlier step desires, as JSON, or null.</summary>
    public JsonObject? Desired(string key) =>
        _request.Desired?.Resources.TryGetValue(key, out var r) == true && r.Resource_ is { } s ? StructJson.ToJsonObject(s) : null;

    /// <summary>The readiness an earlier step gave a desired composed resource (unspecified if none or absent).</summary>
    public Readiness DesiredReadiness(string key) =>
        _request.Desired?.Resources.TryGetValue(key, out var r) == true
            ? r.Ready switch
            {
                Ready.True => Readiness.Ready,
                Ready.False => Readiness.NotReady,
                _ => Readiness.Unspecified,
            }
            : Readiness.Unspecified;

    /// <summary>Credential data by credential name, then key.</summary>
    public IReadOnlyDictionary<string, byte[]>? Credentials(string name) =>
        _request.Credentials.TryGetValue(name, out var c) && c.CredentialData is { } data
            ? data.Data.ToDictionary(kv => kv.Key, kv => kv.Value.ToByteArray(), StringComparer.Ordinal)
            : null;

    /// <summary>Whether Crossplane said which capabilities it has (v2.2+); if not, absence of one means "unknown".</summary>
    public bool AdvertisesCapabilities => _request.Meta?.Capabilities.Contains(Capability.Capabilities) == true;

    public bool HasCapability(Capability capability) => _request.Meta?.Capabilities.Contains(capability) == true;

    /// <summary>The composite read into a typed record; a field of the wrong shape is <see cref="InvalidInputException"/>.</summary>
    public T ReadComposite<T>(JsonTypeInfo<T> typeInfo) => Read(Composite, typeInfo, "");

    /// <summary>Reads JSON into a typed record, naming the field that does not fit.</summary>
    public static T Read<T>(JsonNode node, JsonTypeInfo<T> typeInfo, string at)
    {
        try
        {
            return node.Deserialize(typeInfo) ?? throw new InvalidInputException(at.Length == 0 ? "(root)" : at, "expected an object, got null");
        }
        catch (JsonException e)
        {
            throw new InvalidInputException(FieldOf(e.Path, at), ProblemOf(e));
        }
        catch (InvalidOperationException e)
        {
            // System.Text.Json reports some shape mismatches of JsonNode sources this way.
            throw new InvalidInputException(at.Length == 0 ? "(root)" : at, e.Message);
        }
    }

    private static string FieldOf(string? jsonPath, string at)
    {
        var path = (jsonPath ?? "$").TrimStart('$').TrimStart('.');
        return (at, path) switch
        {
            ("", "") => "(root)",
            ("", _) => path,
            (_, "") => at,
            _ => path.StartsWith('[') ? at + path : $"{at}.{path}",
        };
    }

    private static string ProblemOf(JsonException e)
    {
        // System.Text.Json's messages end with a path and position we already report as the field.
        var message = e.Message;
        var cut = message.IndexOf(" Path: ", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).TrimEnd('.');
    }

    private static string? SafeString(Func<string?> read)
    {
        try
        {
            return read();
        }
        catch (InvalidInputException)
        {
            return null;
        }
    }

    private static SortedDictionary<string, ObservedResource> ObservedResources(RunFunctionRequest request)
    {
        var observed = new SortedDictionary<string, ObservedResource>(StringComparer.Ordinal);
        if (request.Observed is null)
        {
            return observed;
        }
        foreach (var (key, resource) in request.Observed.Resources)
        {
            observed[key] = new ObservedResource(resource);
        }
        return observed;
    }
}

/// <summary>A composed resource as Crossplane observed it.</summary>
public sealed class ObservedResource
{
    private readonly Resource _resource;
    private readonly Lazy<JsonObject> _json;

    internal ObservedResource(Resource resource)
    {
        _resource = resource;
        _json = new(() => resource.Resource_ is { } s ? StructJson.ToJsonObject(s) : []);
    }

    public JsonObject Resource => _json.Value;

    /// <summary>True when the resource reports <c>Ready=True</c> in its status conditions.</summary>
    public bool IsReady => Resource.IsReady();

    public IReadOnlyDictionary<string, byte[]> ConnectionDetails =>
        _resource.ConnectionDetails.ToDictionary(kv => kv.Key, kv => kv.Value.ToByteArray(), StringComparer.Ordinal);
}

/// <summary>The resources Crossplane fetched for this function's requirements.</summary>
/// <remarks>
/// "Not fetched yet" (the key is absent: Crossplane will call again) and "fetched, found nothing"
/// (the key is present with no items) are different answers and composers treat them differently, so
/// <see cref="IsResolved"/> tells them apart. The deprecated <c>extra_resources</c> field is read as
/// a fallback, so a Crossplane older than v2.0 works too.
/// </remarks>
public sealed class RequiredResources
{
    private readonly Google.Protobuf.Collections.MapField<string, Resources> _required;
    private readonly Google.Protobuf.Collections.MapField<string, Resources> _extra;
    private readonly Dictionary<string, IReadOnlyList<JsonObject>> _cache = new(StringComparer.Ordinal);

    internal RequiredResources(
        Google.Protobuf.Collections.MapField<string, Resources> required,
        Google.Protobuf.Collections.MapField<string, Resources> extra)
    {
        _required = required;
        _extra = extra;
    }

    /// <summary>The requirement names Crossplane answered.</summary>
    public IReadOnlyCollection<string> Names =>
        _required.Keys.Concat(_extra.Keys).Distinct().Order(StringComparer.Ordinal).ToArray();

    /// <summary>Whether Crossplane has fetched this requirement (it may have found nothing).</summary>
    public bool IsResolved(string name) => _required.ContainsKey(name) || _extra.ContainsKey(name);

    /// <summary>The objects fetched for a requirement; empty when unresolved or none matched.</summary>
    public IReadOnlyList<JsonObject> Get(string name)
    {
        if (_cache.TryGetValue(name, out var cached))
        {
            return cached;
        }
        var found = Find(name);
        IReadOnlyList<JsonObject> items = found is null
            ? []
            : found.Items.Select(i => i.Resource_ is { } s ? StructJson.ToJsonObject(s) : []).ToArray();
        _cache[name] = items;
        return items;
    }

    /// <summary>The only object fetched for a by-name requirement, or null.</summary>
    public JsonObject? Single(string name) => Get(name) is [var one, ..] ? one : null;

    /// <summary>The objects of a requirement read into typed records; a misshapen one is <see cref="InvalidInputException"/>.</summary>
    /// <remarks>
    /// Each Struct is written straight to JSON text and read from it, with no <see cref="JsonObject"/>
    /// tree between (unless <see cref="Get"/> already built one). An object that does not fit is read
    /// again through the tree, so its error names the field in the same words either way.
    /// </remarks>
    public IReadOnlyList<T> Read<T>(string name, JsonTypeInfo<T> typeInfo)
    {
        if (_cache.TryGetValue(name, out var cached))
        {
            return cached.Select((o, i) => FunctionRequest.Read(o, typeInfo, At(name, i))).ToArray();
        }
        if (Find(name) is not { } found)
        {
            return [];
        }
        var records = new T[found.Items.Count];
        var buffer = new ArrayBufferWriter<byte>(4096);
        using var writer = new Utf8JsonWriter(buffer);
        for (var i = 0; i < records.Length; i++)
        {
            var item = found.Items[i].Resource_ ?? EmptyStruct;
            buffer.ResetWrittenCount();
            writer.Reset(buffer);
            StructJson.WriteObject(writer, item);
            writer.Flush();
            T? record;
            try
            {
                record = JsonSerializer.Deserialize(buffer.WrittenSpan, typeInfo);
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException or NotSupportedException)
            {
                record = default;
            }
            records[i] = record ?? FunctionRequest.Read(StructJson.ToJsonObject(item), typeInfo, At(name, i));
        }
        return records;
    }

    private static readonly Struct EmptyStruct = new();

    private static string At(string name, int index) => $"required[{name}][{index.ToString(CultureInfo.InvariantCulture)}]";

    private Resources? Find(string name) =>
        _required.TryGetValue(name, out var r) ? r : _extra.TryGetValue(name, out var e) ? e : null;
}
