// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Modelplane.Functions.InferenceGateways;
using Modelplane.Render.Validation;

namespace Modelplane.Routing.Tests.Schema;

/// <summary>What the API server would say about a composed Gateway API v1 object, checked against the vendored CRDs.</summary>
/// <remarks>
/// The checks are the CLI's own (<see cref="SchemaValidator"/>: defaults, the structural schema and every
/// <c>x-kubernetes-validations</c> CEL rule), run on the CRDs the InferenceGateway installs, so the tests
/// hold our output to the same code users run with <c>modelplane validate</c> and to the CRD's own rules,
/// not to a hand-written copy of them.
/// </remarks>
internal static class GatewayApiSchemas
{
    private static readonly Lazy<Dictionary<string, JsonObject>> ByKind = new(() =>
        GatewayApiCrds.All.ToDictionary(
            c => c.Crd["spec"]!["names"]!["kind"]!.GetValue<string>(),
            c => c.Crd["spec"]!["versions"]!.AsArray().Single(v => v!["name"]!.GetValue<string>() == "v1")!["schema"]!["openAPIV3Schema"]!.AsObject(),
            StringComparer.Ordinal));

    /// <summary>Every error in a composed <c>gateway.networking.k8s.io/v1</c> object, as <c>field: message</c>.</summary>
    public static IReadOnlyList<string> Validate(JsonObject resource)
    {
        Assert.Equal("gateway.networking.k8s.io/v1", resource["apiVersion"]!.GetValue<string>());
        var schema = ByKind.Value[resource["kind"]!.GetValue<string>()];
        var copy = resource.DeepClone().AsObject();
        SchemaValidator.ApplyDefaults(copy, schema);
        return [.. SchemaValidator.Validate(copy, schema, "").Select(e => e.ToString())];
    }
}
