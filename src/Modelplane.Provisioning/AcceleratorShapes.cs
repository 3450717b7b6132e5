// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Globalization;
using System.Text.RegularExpressions;

namespace Modelplane.Provisioning;

/// <summary>Accelerator counts that a cloud machine type fixes, so a wrong count fails at admission, not at node creation.</summary>
/// <remarks>
/// Only shapes whose count is certain are listed; for any other machine type the count is not
/// checked (the cloud still rejects a wrong one, later). Compute Engine's accelerator-optimized
/// families spell the count into the name (<c>a3-highgpu-8g</c>: 8, <c>a2-megagpu-16g</c>: 16); G2
/// machines attach a fixed number of L4s per size.
/// </remarks>
public static partial class AcceleratorShapes
{
    private static readonly Dictionary<string, int> G2 = new(StringComparer.Ordinal)
    {
        ["g2-standard-4"] = 1,
        ["g2-standard-8"] = 1,
        ["g2-standard-12"] = 1,
        ["g2-standard-16"] = 1,
        ["g2-standard-24"] = 2,
        ["g2-standard-32"] = 1,
        ["g2-standard-48"] = 4,
        ["g2-standard-96"] = 8,
    };

    /// <summary>The accelerators a GCE machine type always carries, or null when the type does not fix it.</summary>
    public static int? GceAcceleratorCount(string machineType)
    {
        if (G2.TryGetValue(machineType, out var count))
        {
            return count;
        }
        var match = AcceleratorOptimized().Match(machineType);
        return match.Success ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : null;
    }

    [GeneratedRegex(@"^a[0-9]+-[a-z]+gpu-([0-9]+)g$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex AcceleratorOptimized();
}
