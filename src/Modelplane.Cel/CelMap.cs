// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Modelplane.Cel;

/// <summary>An insertion-ordered CEL map.</summary>
/// <remarks>
/// Entries are kept in a list beside the hash index so that iteration order is the order the map
/// was built in (JSON property order, literal order), never the hash order. Lookups normalize
/// numbers the way CEL's heterogeneous equality does: an integral double finds the equal int key.
/// A map built with <see cref="MissingKeysAreEmptyMaps"/> answers an unknown key with an empty map
/// instead of an error; that is how <c>device.attributes["other.domain"]</c> behaves in DRA, while
/// <c>"other.domain" in device.attributes</c> stays false.
/// </remarks>
internal sealed class CelMap : IReadOnlyDictionary<CelValue, CelValue>
{
    private static readonly CelValue EmptyMap = CelValue.FromMap(new CelMap());

    private readonly List<KeyValuePair<CelValue, CelValue>> _entries = [];
    private readonly Dictionary<CelValue, CelValue> _index = [];

    public CelMap(bool missingKeysAreEmptyMaps = false) => MissingKeysAreEmptyMaps = missingKeysAreEmptyMaps;

    public bool MissingKeysAreEmptyMaps { get; }

    public int Count => _entries.Count;

    public IEnumerable<CelValue> Keys => _entries.Select(e => e.Key);

    public IEnumerable<CelValue> Values => _entries.Select(e => e.Value);

    public CelValue this[CelValue key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"no such key: {key}");

    public static bool IsValidKey(CelValue key) =>
        key.Kind is CelKind.Bool or CelKind.Int or CelKind.Uint or CelKind.String;

    public bool TryAdd(CelValue key, CelValue value)
    {
        if (!_index.TryAdd(key, value))
        {
            return false;
        }
        _entries.Add(KeyValuePair.Create(key, value));
        return true;
    }

    /// <summary>True when the key is present; the empty-map default does not count.</summary>
    public bool ContainsKey(CelValue key) => _index.ContainsKey(key);

    /// <summary>The value for a key, or the empty-map default where this map has one.</summary>
    public bool TryGetValue(CelValue key, [MaybeNullWhen(false)] out CelValue value)
    {
        if (_index.TryGetValue(key, out value))
        {
            return true;
        }
        if (MissingKeysAreEmptyMaps)
        {
            value = EmptyMap;
            return true;
        }
        return false;
    }

    public IEnumerator<KeyValuePair<CelValue, CelValue>> GetEnumerator() => _entries.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
