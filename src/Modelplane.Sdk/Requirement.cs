// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using Apiextensions.Fn.Proto.V1;

namespace Modelplane.Sdk;

/// <summary>A resource a composer needs Crossplane to fetch: by name, by labels, or every object of a kind.</summary>
/// <remarks>
/// Crossplane calls the function again until the requirements it returns stop changing, so a composer
/// declares the same requirements on every call, including the last one. Namespace is omitted for
/// cluster-scoped kinds, or to match labels across every namespace.
/// </remarks>
public sealed record Requirement(
    string ApiVersion,
    string Kind,
    string? MatchName = null,
    IReadOnlyDictionary<string, string>? MatchLabels = null,
    string? Namespace = null)
{
    public static Requirement Named(string apiVersion, string kind, string name, string? ns = null) =>
        new(apiVersion, kind, MatchName: name, Namespace: ns);

    public static Requirement Labelled(string apiVersion, string kind, IReadOnlyDictionary<string, string> labels, string? ns = null) =>
        new(apiVersion, kind, MatchLabels: labels, Namespace: ns);

    /// <summary>Every object of the kind (in <paramref name="ns"/> if given).</summary>
    public static Requirement All(string apiVersion, string kind, string? ns = null) =>
        new(apiVersion, kind, Namespace: ns);

    internal ResourceSelector ToProto()
    {
        var selector = new ResourceSelector { ApiVersion = ApiVersion, Kind = Kind };
        if (MatchName is not null)
        {
            selector.MatchName = MatchName;
        }
        else if (MatchLabels is not null)
        {
            var labels = new MatchLabels();
            foreach (var (key, value) in MatchLabels.OrderBy(l => l.Key, StringComparer.Ordinal))
            {
                labels.Labels.Add(key, value);
            }
            selector.MatchLabels = labels;
        }
        if (Namespace is not null)
        {
            selector.Namespace = Namespace;
        }
        return selector;
    }
}
