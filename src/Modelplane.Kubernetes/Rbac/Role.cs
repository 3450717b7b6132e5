// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Serialization;
using Modelplane.Kubernetes.Meta;

namespace Modelplane.Kubernetes.Rbac;

/// <summary>An <c>rbac.authorization.k8s.io/v1</c> Role.</summary>
public sealed record Role
{
    public const string Group = "rbac.authorization.k8s.io";

    public string ApiVersion { get; init; } = Group + "/v1";

    public string Kind { get; init; } = "Role";

    public ObjectMeta? Metadata { get; init; }

    public IReadOnlyList<PolicyRule>? Rules { get; init; }
}

public sealed record PolicyRule
{
    public IReadOnlyList<string>? ApiGroups { get; init; }

    public IReadOnlyList<string>? Resources { get; init; }

    public IReadOnlyList<string>? Verbs { get; init; }
}

/// <summary>An <c>rbac.authorization.k8s.io/v1</c> RoleBinding.</summary>
public sealed record RoleBinding
{
    public string ApiVersion { get; init; } = Role.Group + "/v1";

    public string Kind { get; init; } = "RoleBinding";

    public ObjectMeta? Metadata { get; init; }

    public IReadOnlyList<Subject>? Subjects { get; init; }

    public RoleRef? RoleRef { get; init; }
}

public sealed record Subject
{
    public string? Kind { get; init; }

    public string? Name { get; init; }

    public string? Namespace { get; init; }
}

public sealed record RoleRef
{
    public string? ApiGroup { get; init; }

    public string? Kind { get; init; }

    public string? Name { get; init; }
}

/// <summary>Source-generated JSON for RBAC objects.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Role))]
[JsonSerializable(typeof(RoleBinding))]
public sealed partial class RbacJsonContext : JsonSerializerContext;
