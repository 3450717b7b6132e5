// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Serialization;

namespace Modelplane.Kubernetes.GatewayApi;

/// <summary>Source-generated JSON for Gateway API objects.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(HttpRoute))]
[JsonSerializable(typeof(Gateway))]
[JsonSerializable(typeof(GatewayClass))]
public sealed partial class GatewayApiJsonContext : JsonSerializerContext;
