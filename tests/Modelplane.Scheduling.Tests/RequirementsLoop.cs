// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Apiextensions.Fn.Proto.V1;
using Modelplane.Sdk;
using Modelplane.Testing;

namespace Modelplane.Scheduling.Tests;

/// <summary>Crossplane's required-resources loop over a fixed set of objects.</summary>
/// <remarks>
/// Call, fetch what the response requires (by selector, as Crossplane fetches: by name, by labels, or
/// every object of the kind; lists sorted by namespace/name), call again, until the requirements
/// repeat. Crossplane allows the first call and five more.
/// </remarks>
internal static class RequirementsLoop
{
    public const int MaxCalls = 6;

    /// <summary>The request of the last call, whose response Crossplane would apply.</summary>
    public static RunFunctionRequest Final(Composer composer, JsonObject xr, IReadOnlyList<JsonObject> objects, IReadOnlyDictionary<string, JsonObject>? observed = null)
    {
        var fetched = new Dictionary<string, IReadOnlyList<JsonObject>>(StringComparer.Ordinal);
        Requirements? previous = null;
        for (var call = 0; call < MaxCalls; call++)
        {
            var request = FunctionHost.Request(composer.Name, xr, fetched, observed);
            var response = FunctionHost.Run(request, composer);
            if (response.Requirements is null || response.Requirements.Equals(previous) || response.Results.Any(r => r.Severity == Severity.Fatal))
            {
                return request;
            }
            previous = response.Requirements;
            fetched = response.Requirements.Resources.ToDictionary(r => r.Key, r => (IReadOnlyList<JsonObject>)Match(r.Value, objects), StringComparer.Ordinal);
        }
        throw new InvalidOperationException($"requirements did not stabilise in {MaxCalls} calls");
    }

    public static JsonObject[] Match(ResourceSelector selector, IReadOnlyList<JsonObject> objects) =>
        objects
            .Where(o => o["apiVersion"]!.GetValue<string>() == selector.ApiVersion && o["kind"]!.GetValue<string>() == selector.Kind)
            .Where(o => !selector.HasNamespace || o["metadata"]!["namespace"]?.GetValue<string>() == selector.Namespace)
            .Where(o => selector.MatchCase switch
            {
                ResourceSelector.MatchOneofCase.MatchName => o["metadata"]!["name"]!.GetValue<string>() == selector.MatchName,
                ResourceSelector.MatchOneofCase.MatchLabels => selector.MatchLabels.Labels.All(l => o["metadata"]!["labels"]?[l.Key]?.GetValue<string>() == l.Value),
                _ => true,
            })
            .OrderBy(o => o["metadata"]!["namespace"]?.GetValue<string>() ?? "", StringComparer.Ordinal)
            .ThenBy(o => o["metadata"]!["name"]!.GetValue<string>(), StringComparer.Ordinal)
            .ToArray();
}
