// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Serialization;

namespace Modelplane.Kubernetes.Core;

/// <summary>Source-generated JSON for the core (<c>v1</c>) objects composers emit.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Service))]
[JsonSerializable(typeof(Namespace))]
[JsonSerializable(typeof(ConfigMap))]
[JsonSerializable(typeof(ServiceAccount))]
public sealed partial class CoreJsonContext : JsonSerializerContext;
