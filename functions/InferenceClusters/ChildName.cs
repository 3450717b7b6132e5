// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Security.Cryptography;
using System.Text;

namespace Modelplane.Functions.InferenceClusters;

/// <summary>Deterministic names for composed objects: the parts joined by dashes, then a short hash of them.</summary>
/// <remarks>
/// <c>&lt;parts joined by "-", cut to 57 and without a trailing dash&gt;-&lt;first 5 hex of SHA-256 of the joined parts&gt;</c>,
/// at most 63 characters, so the name is a DNS label and the same cluster always gets the same
/// names (<c>test-cluster-cluster-kubeconfig-d0f89</c>). Upstream's scheme, so objects composed by
/// either implementation are the same objects.
/// </remarks>
internal static class ChildName
{
    private const int MaxLength = 63;
    private const int HashLength = 5;

    public static string Of(params string[] parts)
    {
        var joined = string.Join("-", parts);
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(joined)))[..HashLength];
        var prefix = joined.Length > MaxLength - HashLength - 1 ? joined[..(MaxLength - HashLength - 1)] : joined;
        return $"{prefix.TrimEnd('-')}-{hash}";
    }
}
