// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.RegularExpressions;

namespace Modelplane.Provisioning;

/// <summary>AKS's rule for node pool names, shared by the AKSCluster and the InferenceCluster that composes one.</summary>
/// <remarks>A pool's name is its name in AKS: Linux user pools take 1 to 12 lowercase letters and digits, starting with a letter.</remarks>
public static partial class AksNames
{
    /// <summary>Whether AKS accepts this as a Linux user pool name.</summary>
    public static bool IsPoolName(string? name) => name is not null && PoolName().IsMatch(name);

    /// <summary>A name AKS would take for this pool: lowercase letters and digits only, at most 12, starting with a letter.</summary>
    public static string Suggest(string? name)
    {
        var kept = new string([.. (name ?? "").ToLowerInvariant().Where(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9'))]);
        kept = kept.TrimStart('0', '1', '2', '3', '4', '5', '6', '7', '8', '9');
        return kept.Length == 0 ? "gpupool" : kept[..Math.Min(12, kept.Length)];
    }

    [GeneratedRegex("^[a-z][a-z0-9]{0,11}$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex PoolName();
}
