// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Security.Cryptography;
using System.Text;

namespace Modelplane.Functions.ModelDeployments;

/// <summary>Names a replica shows users: the deployment's name and a short hash of where it runs.</summary>
/// <remarks>
/// <c>&lt;visible, cut to 57 and without a trailing dash&gt;-&lt;first 5 hex of SHA-256("visible-d1-d2…")&gt;</c>,
/// at most 63 characters, so a DNS-label deployment name gives a DNS-label replica name. The
/// discriminators (cluster, index) are hashed, not shown: placement lives in labels, and the name
/// stays a pure function of (deployment, cluster, index), so it is stable while the replica stays
/// put and changes when it moves. This is upstream's scheme, so names match across implementations.
/// </remarks>
internal static class OpaqueName
{
    private const int MaxLength = 63;
    private const int HashLength = 5;

    public static string Of(string visible, params string[] discriminators)
    {
        var full = string.Join("-", [visible, .. discriminators]);
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(full)))[..HashLength];
        var prefix = visible.Length > MaxLength - HashLength - 1 ? visible[..(MaxLength - HashLength - 1)] : visible;
        return $"{prefix.TrimEnd('-')}-{hash}";
    }
}
