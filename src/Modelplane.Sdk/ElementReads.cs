// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace Modelplane.Sdk;

/// <summary>Typed reads straight from a <see cref="JsonElement"/>, for the objects that are plainly well formed.</summary>
/// <remarks>
/// <see cref="FunctionRequest.Read{T}"/> walks a <see cref="JsonNode"/> tree, which costs a node per
/// value; at fleet scale (a thousand InferenceClusters per call) building those trees is most of a
/// composer's work. <see cref="TryRead{T}(JsonElement, JsonTypeInfo{T}, out T)"/> reads the element directly, after a walk over the element
/// that refuses everything the careful read would refuse (null items, numbers for enums, counts out
/// of their <c>[Range]</c>), so a record it returns is the one the careful read would return. When it
/// returns false the caller takes the careful read, whose error names the field.
/// </remarks>
public static partial class ElementReads
{
    // Deeper than any of our records nest, as in FunctionRequest.Read.
    private const int MaxContractDepth = 64;

    private static readonly ConcurrentDictionary<JsonPropertyInfo, RangeAttribute?> Ranges = new();

    /// <summary>The element read as <typeparamref name="T"/>, or false when it needs <see cref="FunctionRequest.Read{T}"/>.</summary>
    public static bool TryRead<T>(JsonElement element, JsonTypeInfo<T> typeInfo, [NotNullWhen(true)] out T? value)
    {
        value = default;
        if (!Clean(element, typeInfo, 0))
        {
            return false;
        }
        try
        {
            value = element.Deserialize(typeInfo);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NotSupportedException)
        {
            return false;
        }
        return value is not null;
    }

    /// <summary>As <see cref="TryRead{T}(JsonElement, JsonTypeInfo{T}, out T)"/>, from JSON text: the checks and the read each take one pass over the tokens.</summary>
    /// <remarks>
    /// For required objects, which arrive as text: parsing each into a <see cref="JsonDocument"/> only to
    /// check it, then deserialising its text again, tokenised every object twice. Here the checks walk a
    /// <see cref="Utf8JsonReader"/> beside the contract. They refuse at least what the element walk
    /// refuses, and more where telling would cost (an escaped property name, a property given twice),
    /// since a refusal only sends the object to the careful read.
    /// </remarks>
    /// <param name="json">One object's JSON text.</param>
    /// <param name="typeInfo">The record's contract.</param>
    /// <param name="maxDepth">The nesting the text may have, as the document parse allowed.</param>
    /// <param name="value">The record, when the read succeeds.</param>
    public static bool TryRead<T>(ReadOnlySpan<byte> json, JsonTypeInfo<T> typeInfo, int maxDepth, [NotNullWhen(true)] out T? value)
    {
        value = default;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = maxDepth });
            if (!reader.Read() || !CleanText(ref reader, typeInfo, 0) || reader.Read())
            {
                return false;
            }
            value = JsonSerializer.Deserialize(json, typeInfo);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NotSupportedException)
        {
            return false;
        }
        return value is not null;
    }

    // Clean's checks over tokens. The reader starts on the value's first token and ends on its last.
    private static bool CleanText(ref Utf8JsonReader reader, JsonTypeInfo info, int depth)
    {
        if (reader.TokenType == JsonTokenType.Null || depth > MaxContractDepth)
        {
            reader.Skip();
            return true;
        }
        switch (info.Kind)
        {
            case JsonTypeInfoKind.Object when reader.TokenType == JsonTokenType.StartObject:
                var byName = PropertiesByName.GetOrAdd(info, static i => i.Properties.Select((p, index) => (p, index))
                    .ToDictionary(e => e.p.Name, e => (Property: e.p, Bit: 1UL << (e.index & 63)), StringComparer.Ordinal))
                    .GetAlternateLookup<ReadOnlySpan<char>>();
                var seen = 0UL;
                Span<char> name = stackalloc char[MaxNameBytes];
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueIsEscaped || reader.ValueSpan.Length > MaxNameBytes)
                    {
                        return false;
                    }
                    var length = System.Text.Encoding.UTF8.GetChars(reader.ValueSpan, name);
                    reader.Read();
                    if (!byName.TryGetValue(name[..length], out var known))
                    {
                        reader.Skip();
                        continue;
                    }
                    var (property, bit) = known;
                    // A property given twice: the element walk checks only the last; leave it to the careful read.
                    // (Past 64 properties bits are shared, so a contract that large refuses a little more.)
                    if ((seen & bit) != 0)
                    {
                        return false;
                    }
                    seen |= bit;
                    if (reader.TokenType == JsonTokenType.Null)
                    {
                        continue;
                    }
                    if (NumberForEnum(reader.TokenType, property.PropertyType) || OutOfRange(ref reader, property))
                    {
                        return false;
                    }
                    if (!CleanOrSkip(ref reader, IsContract(property.PropertyType) ? info.Options.GetTypeInfo(property.PropertyType) : null, depth))
                    {
                        return false;
                    }
                }
                return true;
            case JsonTypeInfoKind.Enumerable when reader.TokenType == JsonTokenType.StartArray && info.ElementType is { } itemType:
                var itemInfo = IsContract(itemType) ? info.Options.GetTypeInfo(itemType) : null;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if ((reader.TokenType == JsonTokenType.Null && !MayBeNull(itemType)) || NumberForEnum(reader.TokenType, itemType))
                    {
                        return false;
                    }
                    if (!CleanOrSkip(ref reader, itemInfo, depth))
                    {
                        return false;
                    }
                }
                return true;
            case JsonTypeInfoKind.Dictionary when reader.TokenType == JsonTokenType.StartObject && info.ElementType is { } valueType:
                var valueInfo = IsContract(valueType) ? info.Options.GetTypeInfo(valueType) : null;
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.Null && !MayBeNull(valueType))
                    {
                        return false;
                    }
                    if (!CleanOrSkip(ref reader, valueInfo, depth))
                    {
                        return false;
                    }
                }
                return true;
            default:
                reader.Skip();
                return true;
        }
    }

    // A contract's value is checked one level down; anything else is passed over.
    private static bool CleanOrSkip(ref Utf8JsonReader reader, JsonTypeInfo? contract, int depth)
    {
        if (contract is null)
        {
            reader.Skip();
            return true;
        }
        return CleanText(ref reader, contract, depth + 1);
    }

    // Longer JSON property names than any contract's go to the careful read.
    private const int MaxNameBytes = 128;

    // Per contract, its properties by JSON name, each with its bit in a walk's seen-set.
    private static readonly ConcurrentDictionary<JsonTypeInfo, Dictionary<string, (JsonPropertyInfo Property, ulong Bit)>> PropertiesByName = new();

    private static bool NumberForEnum(JsonTokenType token, Type type)
    {
        var enumType = Nullable.GetUnderlyingType(type) ?? type;
        return enumType.IsEnum && token == JsonTokenType.Number;
    }

    private static bool OutOfRange(ref Utf8JsonReader reader, JsonPropertyInfo property) =>
        reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var number) && OutOfRange(number, property);

    // False wherever FunctionRequest.Read's walk over the same JSON as a tree would throw.
    private static bool Clean(JsonElement element, JsonTypeInfo info, int depth)
    {
        if (element.ValueKind == JsonValueKind.Null || depth > MaxContractDepth)
        {
            return true;
        }
        switch (info.Kind)
        {
            case JsonTypeInfoKind.Object when element.ValueKind == JsonValueKind.Object:
                // By index: a foreach over the interface would box an enumerator per object.
                var properties = info.Properties;
                for (var p = 0; p < properties.Count; p++)
                {
                    var property = properties[p];
                    if (!element.TryGetProperty(property.Name, out var child) || child.ValueKind == JsonValueKind.Null)
                    {
                        continue;
                    }
                    if (NumberForEnum(child, property.PropertyType) || OutOfRange(child, property))
                    {
                        return false;
                    }
                    if (IsContract(property.PropertyType) && !Clean(child, info.Options.GetTypeInfo(property.PropertyType), depth + 1))
                    {
                        return false;
                    }
                }
                return true;
            case JsonTypeInfoKind.Enumerable when element.ValueKind == JsonValueKind.Array && info.ElementType is { } itemType:
                var itemInfo = IsContract(itemType) ? info.Options.GetTypeInfo(itemType) : null;
                foreach (var item in element.EnumerateArray())
                {
                    if ((item.ValueKind == JsonValueKind.Null && !MayBeNull(itemType)) || NumberForEnum(item, itemType)
                        || (itemInfo is not null && !Clean(item, itemInfo, depth + 1)))
                    {
                        return false;
                    }
                }
                return true;
            case JsonTypeInfoKind.Dictionary when element.ValueKind == JsonValueKind.Object && info.ElementType is { } valueType:
                var valueInfo = IsContract(valueType) ? info.Options.GetTypeInfo(valueType) : null;
                foreach (var entry in element.EnumerateObject())
                {
                    if ((entry.Value.ValueKind == JsonValueKind.Null && !MayBeNull(valueType))
                        || (valueInfo is not null && !Clean(entry.Value, valueInfo, depth + 1)))
                    {
                        return false;
                    }
                }
                return true;
            default:
                return true;
        }
    }

    private static bool NumberForEnum(JsonElement element, Type type)
    {
        var enumType = Nullable.GetUnderlyingType(type) ?? type;
        return enumType.IsEnum && element.ValueKind == JsonValueKind.Number;
    }

    private static bool OutOfRange(JsonElement element, JsonPropertyInfo property) =>
        element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out var number) && OutOfRange(number, property);

    private static bool OutOfRange(long number, JsonPropertyInfo property)
    {
        if (Ranges.GetOrAdd(property, p => p.AttributeProvider?.GetCustomAttributes(typeof(RangeAttribute), inherit: false) is [RangeAttribute range, ..] ? range : null) is not { } found
            || found.Minimum is not int minimum || found.Maximum is not int maximum)
        {
            return false;
        }
        return number < minimum || number > maximum;
    }

    private static bool MayBeNull(Type type) =>
        Nullable.GetUnderlyingType(type) is not null || type == typeof(object) || typeof(JsonNode).IsAssignableFrom(type) || type == typeof(JsonElement);

    private static bool IsContract(Type type) =>
        !type.IsPrimitive && !type.IsEnum && type != typeof(string) && type != typeof(decimal) && !MayBeNull(type)
        && Nullable.GetUnderlyingType(type) is null;
}
