// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Security.Cryptography;
using System.Text;

namespace Modelplane.Sdk;

/// <summary>Deterministic names for composed objects, in upstream Modelplane's two schemes.</summary>
/// <remarks>
/// Both end in the first 5 hex digits of a SHA-256 and stay within 63 characters, so a name is a DNS
/// label and the same inputs always give the same object: Crossplane matches observed to desired
/// state by key, but remote objects (on workload clusters) are found by name, so a name that
/// changed between calls would orphan one object and create another. Upstream's schemes, so objects
/// composed by either implementation are the same objects.
/// </remarks>
public static class ChildName
{
    private const int MaxLength = 63;
    private const int HashLength = 5;

    /// <summary>
    /// <c>&lt;parts joined by "-", cut to 57, no trailing dash&gt;-&lt;hash of the joined parts&gt;</c>,
    /// e.g. <c>test-cluster-cluster-kubeconfig-d0f89</c>.
    /// </summary>
    public static string Of(params string[] parts)
    {
        var joined = string.Join("-", parts);
        return $"{Prefix(joined)}-{Hash(joined)}";
    }

    /// <summary>
    /// <c>&lt;visible, cut to 57, no trailing dash&gt;-&lt;hash of "visible-d1-d2…"&gt;</c>: the
    /// discriminators (a replica's cluster and index) are hashed, not shown, so the name stays a pure
    /// function of them without spelling placement out.
    /// </summary>
    public static string Opaque(string visible, params string[] discriminators) =>
        $"{Prefix(visible)}-{Hash(string.Join("-", [visible, .. discriminators]))}";

    private static string Prefix(string text) =>
        (text.Length > MaxLength - HashLength - 1 ? text[..(MaxLength - HashLength - 1)] : text).TrimEnd('-');

    private static string Hash(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..HashLength];
}
