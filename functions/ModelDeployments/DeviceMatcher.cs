// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using Modelplane.Apis.InferenceClasses;
using Modelplane.Domain;

namespace Modelplane.Functions.ModelDeployments;

/// <summary>A device request resolved against a pool: what goes into the replica's DRA claim.</summary>
internal sealed record ResolvedRequest(string Name, string DeviceClassName, int Count, IReadOnlyList<string> Cels);

/// <summary>How a member fits a pool's devices: the requests it claims (possibly none), or null when it does not fit.</summary>
internal sealed record MemberMatch(IReadOnlyList<ResolvedRequest>? Requests)
{
    public static readonly MemberMatch NoFit = new((IReadOnlyList<ResolvedRequest>?)null);

    public bool Fits => Requests is not null;

    /// <summary>Fits and claims at least one DRA device.</summary>
    public bool Claims => Requests is { Count: > 0 };

    /// <summary>What each of the member's pods claims from its node.</summary>
    public PodClaim Claim { get; } = new((Requests ?? []).Select(r => new KeyValuePair<string, int>(r.DeviceClassName, r.Count)));
}

/// <summary>Matches members against a pool's devices: DRA CEL selectors, device counts, first fit.</summary>
/// <remarks>
/// A member's requests say what one pod needs from its own node, and each pool node has every
/// device of the pool's class. Requests take devices greedily in request order, each the first
/// device (in published order) with enough left whose every selector is true; two requests can share
/// a device only if its count covers both. Greedy can reject a combination a smarter search would
/// find, never accept one that does not fit. A <see cref="DeviceClaimMode.Synthetic"/> device counts for
/// matching but is never claimed. Results are cached per (member, device set), because every pool
/// of one class shares one device set.
/// </remarks>
internal sealed class DeviceMatcher
{
    private readonly Dictionary<(PlannedMember, DeviceSet), MemberMatch> _cache = new(new ReferencePairComparer());

    public MemberMatch Match(PlannedMember member, DeviceSet devices)
    {
        if (!_cache.TryGetValue((member, devices), out var match))
        {
            match = Compute(member, devices);
            _cache[(member, devices)] = match;
        }
        return match;
    }

    private static MemberMatch Compute(PlannedMember member, DeviceSet devices)
    {
        var remaining = devices.Devices.Select(d => d.Count).ToArray();
        var resolved = new List<ResolvedRequest>();
        foreach (var request in member.Requests)
        {
            var taken = -1;
            for (var i = 0; i < devices.Devices.Count && taken < 0; i++)
            {
                if (remaining[i] >= request.Count && FirstFailingSelector(request, devices.Devices[i]) < 0)
                {
                    taken = i;
                }
            }
            if (taken < 0)
            {
                return MemberMatch.NoFit;
            }
            remaining[taken] -= request.Count;
            var device = devices.Devices[taken];
            if (device.Claim == DeviceClaimMode.DRA)
            {
                resolved.Add(new ResolvedRequest(request.Name, device.DeviceClassName, request.Count, request.Cels));
            }
        }
        return new MemberMatch(resolved);
    }

    /// <summary>The index of the first selector the device fails, or -1 when it passes them all.</summary>
    public static int FirstFailingSelector(PlannedRequest request, FleetDevice device)
    {
        for (var s = 0; s < request.Programs.Count; s++)
        {
            if (!request.Programs[s].Matches(device.Cel, request.Budget))
            {
                return s;
            }
        }
        return -1;
    }

    private sealed class ReferencePairComparer : IEqualityComparer<(PlannedMember, DeviceSet)>
    {
        public bool Equals((PlannedMember, DeviceSet) x, (PlannedMember, DeviceSet) y) =>
            ReferenceEquals(x.Item1, y.Item1) && ReferenceEquals(x.Item2, y.Item2);

        public int GetHashCode((PlannedMember, DeviceSet) obj) =>
            HashCode.Combine(
                System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj.Item1),
                System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj.Item2));
    }
}
