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

    // EC2 GPU instances: the G families carry one GPU up to 16xlarge, four at 12xlarge and 24xlarge,
    // eight at 48xlarge; the P families eight at their largest size.
    private static readonly Dictionary<string, int> Ec2 = new(StringComparer.Ordinal)
    {
        ["p4d.24xlarge"] = 8,
        ["p4de.24xlarge"] = 8,
        ["p5.48xlarge"] = 8,
        ["p5e.48xlarge"] = 8,
        ["p5en.48xlarge"] = 8,
        ["p5.4xlarge"] = 1,
    };

    private static readonly Dictionary<string, int> Ec2GSizes = new(StringComparer.Ordinal)
    {
        ["xlarge"] = 1,
        ["2xlarge"] = 1,
        ["4xlarge"] = 1,
        ["8xlarge"] = 1,
        ["16xlarge"] = 1,
        ["12xlarge"] = 4,
        ["24xlarge"] = 4,
        ["48xlarge"] = 8,
    };

    /// <summary>The GPUs an EC2 instance type carries (g5, g6, g6e and p4/p5 families), or null when not listed.</summary>
    public static int? Ec2AcceleratorCount(string instanceType)
    {
        if (Ec2.TryGetValue(instanceType, out var count))
        {
            return count;
        }
        var dot = instanceType.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 && instanceType[..dot] is "g5" or "g6" or "g6e" && Ec2GSizes.TryGetValue(instanceType[(dot + 1)..], out var g) ? g : null;
    }

    // Azure GPU VM sizes whose GPU count is documented and whole (fractional A10 sizes are left out).
    private static readonly Dictionary<string, int> Azure = new(StringComparer.Ordinal)
    {
        ["Standard_NV36ads_A10_v5"] = 1,
        ["Standard_NV72ads_A10_v5"] = 2,
        ["Standard_NC24ads_A100_v4"] = 1,
        ["Standard_NC48ads_A100_v4"] = 2,
        ["Standard_NC96ads_A100_v4"] = 4,
        ["Standard_NC40ads_H100_v5"] = 1,
        ["Standard_NC80adis_H100_v5"] = 2,
        ["Standard_ND96asr_v4"] = 8,
        ["Standard_ND96amsr_A100_v4"] = 8,
        ["Standard_ND96isr_H100_v5"] = 8,
        ["Standard_ND96isr_H200_v5"] = 8,
    };

    /// <summary>The GPUs an Azure VM size carries, or null when it is not listed.</summary>
    public static int? AzureAcceleratorCount(string vmSize) => Azure.TryGetValue(vmSize, out var count) ? count : null;

    [GeneratedRegex(@"^a[0-9]+-[a-z]+gpu-([0-9]+)g$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex AcceleratorOptimized();
}
