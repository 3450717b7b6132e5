// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Apiextensions.Fn.Proto.V1;

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

    /// <summary>A request built in code (tests, the render CLI), read the way the server reads one off the wire.</summary>
    public FunctionRequest(RunFunctionRequest request, CancellationToken cancellationToken = default)
        : this(RequestDecoder.Decode(request), cancellationToken)
    {
    }

    public FunctionRequest(DecodedRequest decoded, CancellationToken cancellationToken = default)
    {
        var request = decoded.Envelope;
        _request = request;
        CancellationToken = cancellationToken;
        _composite = new(() => request.Observed?.Composite?.Resource_ is { } s ? StructJson.ToJsonObject(s) : []);
        _observed = new(() => ObservedResources(request));
        _input = new(() => request.Input is { } s ? StructJson.ToJsonObject(s) : null);
        _context = new(() => request.Context is { } s ? StructJson.ToJsonObject(s) : []);
        Required = new RequiredResources(decoded.Required, decoded.Extra);
    }

    /// <summary>The call's cancellation: set when the client is gone or its deadline passed; long work checks it.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>The request's envelope (everything but its required objects), for adapters; composers read the typed views below.</summary>
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
    /// <remarks>
    /// System.Text.Json fills a list or map with whatever it finds, nulls included, and the records'
    /// collections are not declared to hold nulls, so a composer reading <c>members: [null]</c> or
    /// <c>matchLabels: {app: null}</c> would crash far from the input. One walk over the JSON, guided by
    /// the type's own contract, refuses them here with the path, for every record of every composer.
    /// </remarks>
    public static T Read<T>(JsonNode node, JsonTypeInfo<T> typeInfo, string at)
    {
        RejectNullItems(node, typeInfo, at, 0);
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

    // Deeper than any of our records nest; a hostile document stops here instead of recursing on.
    private const int MaxContractDepth = 64;

    /// <summary>Throws naming the first null list item or map value where the contract expects an element.</summary>
    /// <remarks>
    /// Elements of a <see cref="Nullable{T}"/> type and free-form JSON (<see cref="JsonNode"/>,
    /// <see cref="JsonElement"/>, <see cref="object"/>) may be null; nothing else in a Kubernetes
    /// object is ever a null element. Shape mismatches are left to the deserializer, which names them.
    /// </remarks>
    private static void RejectNullItems(JsonNode? node, JsonTypeInfo info, string at, int depth)
    {
        if (node is null || depth > MaxContractDepth)
        {
            return;
        }
        switch (info.Kind)
        {
            case JsonTypeInfoKind.Object when node is JsonObject obj:
                foreach (var property in info.Properties)
                {
                    if (!obj.TryGetPropertyValue(property.Name, out var child) || child is null)
                    {
                        continue;
                    }
                    RejectNumberForEnum(child, property.PropertyType, Join(at, property.Name));
                    RejectOutOfRange(child, property, Join(at, property.Name));
                    if (IsContract(property.PropertyType))
                    {
                        RejectNullItems(child, info.Options.GetTypeInfo(property.PropertyType), Join(at, property.Name), depth + 1);
                    }
                }
                break;
            case JsonTypeInfoKind.Enumerable when node is JsonArray array && info.ElementType is { } itemType:
                var itemInfo = IsContract(itemType) ? info.Options.GetTypeInfo(itemType) : null;
                for (var i = 0; i < array.Count; i++)
                {
                    var path = $"{(at.Length == 0 ? "(root)" : at)}[{i}]";
                    if (array[i] is null && !MayBeNull(itemType))
                    {
                        throw new InvalidInputException(path, "expected an item, got null; remove the empty entry");
                    }
                    RejectNumberForEnum(array[i], itemType, path);
                    if (itemInfo is not null)
                    {
                        RejectNullItems(array[i], itemInfo, path, depth + 1);
                    }
                }
                break;
            case JsonTypeInfoKind.Dictionary when node is JsonObject map && info.ElementType is { } valueType:
                var valueInfo = IsContract(valueType) ? info.Options.GetTypeInfo(valueType) : null;
                foreach (var (key, value) in map)
                {
                    var path = Join(at, key);
                    if (value is null && !MayBeNull(valueType))
                    {
                        throw new InvalidInputException(path, "expected a value, got null; give it a value or remove the key");
                    }
                    if (valueInfo is not null)
                    {
                        RejectNullItems(value, valueInfo, path, depth + 1);
                    }
                }
                break;
        }
    }

    // The string-enum converter also takes numbers (role: 7 reads as an undefined MemberRole), and an
    // enum outside its names would reach the composers' switches; our XRDs declare every enum a string.
    private static void RejectNumberForEnum(JsonNode? node, System.Type type, string path)
    {
        var enumType = Nullable.GetUnderlyingType(type) ?? type;
        if (enumType.IsEnum && node is JsonValue value && value.GetValueKind() == JsonValueKind.Number)
        {
            throw new InvalidInputException(path, "expected a string, got a number");
        }
    }

    // Counts the XRD bounds (replicas, copies, device counts, node counts) carry the same bounds on their
    // record as [Range]; ApiDriftTests keeps the two equal. The API server enforces them on apply, but
    // a render or a direct call does not, and a composer given copies: -1 would otherwise clamp it
    // silently or do arithmetic with it.
    private static void RejectOutOfRange(JsonNode? node, JsonPropertyInfo property, string path)
    {
        if (node is not JsonValue value || value.GetValueKind() != JsonValueKind.Number || !value.TryGetValue<long>(out var number)
            || property.AttributeProvider?.GetCustomAttributes(typeof(RangeAttribute), inherit: false) is not [RangeAttribute range, ..]
            || range.Minimum is not int minimum || range.Maximum is not int maximum)
        {
            return;
        }
        if (number < minimum || number > maximum)
        {
            throw new InvalidInputException(path, maximum == int.MaxValue
                ? $"must be at least {minimum}, got {number}"
                : $"must be between {minimum} and {maximum}, got {number}");
        }
    }

    private static string Join(string at, string name) => at.Length == 0 ? name : $"{at}.{name}";

    private static bool MayBeNull(System.Type type) =>
        Nullable.GetUnderlyingType(type) is not null || type == typeof(object) || typeof(JsonNode).IsAssignableFrom(type) || type == typeof(JsonElement);

    // Scalars and free-form JSON have no elements to check.
    private static bool IsContract(System.Type type) =>
        !type.IsPrimitive && !type.IsEnum && type != typeof(string) && type != typeof(decimal) && !MayBeNull(type)
        && Nullable.GetUnderlyingType(type) is null;

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
    // Object text stays bytes until a composer reads it; each requirement is parsed at most once.
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = RequestDecoder.RecursionLimit };

    private readonly RequiredObjects _required;
    private readonly RequiredObjects _extra;
    private readonly Dictionary<string, IReadOnlyList<JsonObject>> _cache = new(StringComparer.Ordinal);

    internal RequiredResources(RequiredObjects required, RequiredObjects extra)
    {
        _required = required;
        _extra = extra;
    }

    /// <summary>The requirement names Crossplane answered.</summary>
    public IReadOnlyCollection<string> Names =>
        _required.Names.Concat(_extra.Names).Distinct().Order(StringComparer.Ordinal).ToArray();

    /// <summary>Whether Crossplane has fetched this requirement (it may have found nothing).</summary>
    public bool IsResolved(string name) => _required.Contains(name) || _extra.Contains(name);

    /// <summary>The objects fetched for a requirement; empty when unresolved or none matched.</summary>
    public IReadOnlyList<JsonObject> Get(string name)
    {
        if (_cache.TryGetValue(name, out var cached))
        {
            return cached;
        }
        var source = Find(name);
        var count = source?.Count(name) ?? 0;
        var items = new JsonObject[Math.Max(count, 0)];
        for (var i = 0; i < items.Length; i++)
        {
            items[i] = JsonNode.Parse(source!.Json(name, i), nodeOptions: null, DocumentOptions) as JsonObject ?? [];
        }
        _cache[name] = items;
        return items;
    }

    /// <summary>The only object fetched for a by-name requirement, or null.</summary>
    public JsonObject? Single(string name) => Get(name) is [var one, ..] ? one : null;

    /// <summary>The objects of a requirement read into typed records; a misshapen one is <see cref="InvalidInputException"/>.</summary>
    /// <remarks>
    /// Each object is read from its wire bytes or JSON text through <see cref="ElementReads"/>, with no <see cref="JsonObject"/> tree between (unless
    /// <see cref="Get"/> already built one). An object that does not fit is read again through the
    /// tree, so its error names the field in the same words either way.
    /// </remarks>
    public IReadOnlyList<T> Read<T>(string name, JsonTypeInfo<T> typeInfo) => Read(name, typeInfo, fromWire: null);

    /// <summary>As <see cref="Read{T}(string, JsonTypeInfo{T})"/>, trying <paramref name="fromWire"/> first on each object that is still wire bytes.</summary>
    public IReadOnlyList<T> Read<T>(string name, JsonTypeInfo<T> typeInfo, WireRead<T>? fromWire)
    {
        if (_cache.TryGetValue(name, out var cached))
        {
            return cached.Select((o, i) => FunctionRequest.Read(o, typeInfo, At(name, i))).ToArray();
        }
        if (Find(name) is not { } source)
        {
            return [];
        }
        var records = new T[source.Count(name)];
        for (var i = 0; i < records.Length; i++)
        {
            // The guarded read refuses what the careful read refuses (null items, enum numbers, counts
            // out of range); only then does it skip the tree.
            _ = source.TryRead(name, i, typeInfo, fromWire, DocumentOptions.MaxDepth, out var record);
            records[i] = record ?? FunctionRequest.Read(
                JsonNode.Parse(source.Json(name, i), nodeOptions: null, DocumentOptions) ?? new JsonObject(), typeInfo, At(name, i));
        }
        return records;
    }

    private static string At(string name, int index) => $"required[{name}][{index.ToString(CultureInfo.InvariantCulture)}]";

    private RequiredObjects? Find(string name) =>
        _required.Contains(name) ? _required : _extra.Contains(name) ? _extra : null;
}
