// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Apiextensions.Fn.Proto.V1;
using Modelplane.Sdk;

namespace Modelplane.Render.Engine;

/// <summary>The objects a render can require, answering selectors the way Crossplane's fetcher does.</summary>
/// <remarks>
/// Crossplane resolves a requirement by selector, never by its name: <c>match_name</c> GETs one object
/// of that apiVersion and kind in the selector's namespace (none found is an empty answer, not an
/// error); <c>match_labels</c> LISTs the kind filtered by labels; a selector with neither LISTs every
/// object of the kind. A namespace narrows a LIST; without one the LIST spans every namespace. Lists
/// come back sorted by namespace/name, as Crossplane sorts them, so a composer sees the same order
/// here as in a cluster.
/// <para>
/// A by-name selector without a namespace GETs with an empty namespace (Crossplane's
/// <c>ExistingRequiredResourcesFetcher</c> builds <c>NamespacedName{Namespace: rs.GetNamespace()}</c>), so it
/// finds a cluster-scoped object only; for a namespaced kind the API server answers NotFound and the
/// requirement resolves to nothing. This is the one copy of these rules: the CLI and the tests'
/// required-resources loops both fetch through it.
/// </para>
/// </remarks>
public sealed class ObjectStore
{
    private readonly IReadOnlyList<JsonObject> _objects;

    public ObjectStore(IEnumerable<JsonObject> objects)
    {
        _objects = objects
            .OrderBy(o => Objects.Namespace(o) + "/" + Objects.Name(o), StringComparer.Ordinal)
            .ToArray();
    }

    public static ObjectStore Empty { get; } = new([]);

    public IReadOnlyList<JsonObject> All => _objects;

    /// <summary>The objects a selector resolves to, as the request carries them.</summary>
    public Resources Fetch(ResourceSelector selector)
    {
        var resources = new Resources();
        foreach (var match in Match(selector))
        {
            resources.Items.Add(new Resource { Resource_ = StructJson.ToStruct(match) });
        }
        return resources;
    }

    /// <summary>The objects a selector matches, in the order Crossplane returns them.</summary>
    public IEnumerable<JsonObject> Match(ResourceSelector selector)
    {
        var ofKind = _objects.Where(o => Objects.ApiVersion(o) == selector.ApiVersion && Objects.Kind(o) == selector.Kind);
        if (selector.MatchCase == ResourceSelector.MatchOneofCase.MatchName)
        {
            // A GET: exactly this name in exactly this namespace ("" for cluster-scoped kinds).
            var ns = selector.HasNamespace ? selector.Namespace : "";
            return ofKind.Where(o => Objects.Name(o) == selector.MatchName && Objects.Namespace(o) == ns).Take(1);
        }
        if (selector.HasNamespace && selector.Namespace.Length > 0)
        {
            ofKind = ofKind.Where(o => Objects.Namespace(o) == selector.Namespace);
        }
        if (selector.MatchCase == ResourceSelector.MatchOneofCase.MatchLabels)
        {
            var wanted = selector.MatchLabels.Labels;
            ofKind = ofKind.Where(o =>
            {
                var labels = Objects.Labels(o);
                return wanted.All(w => labels.TryGetValue(w.Key, out var v) && v == w.Value);
            });
        }
        return ofKind;
    }
}
