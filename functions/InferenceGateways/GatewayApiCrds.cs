// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using Modelplane.Sdk;

namespace Modelplane.Functions.InferenceGateways;

/// <summary>The Gateway API standard-channel CRDs the InferenceGateway installs, embedded in this assembly.</summary>
/// <remarks>The files' placeholder <c>status</c> is dropped: a function must not desire a composed status.</remarks>
internal static class GatewayApiCrds
{
    public const string BundleVersion = "v1.5.1";

    private static readonly EmbeddedCrds Bundle = new(typeof(GatewayApiCrds).Assembly, "GatewayApiCrds/" + EmbeddedCrds.FileName, crd => crd.Remove("status"));

    /// <summary>Each CRD, by <c>metadata.name</c>, as a fresh copy.</summary>
    public static IReadOnlyList<(string Name, System.Text.Json.Nodes.JsonObject Crd)> All => Bundle.All;
}
