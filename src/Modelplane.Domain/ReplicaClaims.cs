// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using Modelplane.Apis.ModelDeployments;
using Modelplane.Apis.ModelReplicas;

namespace Modelplane.Domain;

/// <summary>What one pod claims from its node: device class name to count, in ordinal class order.</summary>
/// <remarks>Value equality over the pairs, so pods that claim the same devices group together.</remarks>
public sealed class PodClaim : IEquatable<PodClaim>
{
    private readonly KeyValuePair<string, int>[] _devices;

    public PodClaim(IEnumerable<KeyValuePair<string, int>> devices)
    {
        _devices = devices
            .Where(d => d.Value > 0)
            .GroupBy(d => d.Key, StringComparer.Ordinal)
            .Select(g => new KeyValuePair<string, int>(g.Key, g.Sum(d => d.Value)))
            .OrderBy(d => d.Key, StringComparer.Ordinal)
            .ToArray();
    }

    /// <summary>Device class name to count, in ordinal class order.</summary>
    public IReadOnlyList<KeyValuePair<string, int>> Devices => _devices;

    public bool IsEmpty => _devices.Length == 0;

    public int Of(string deviceClassName)
    {
        foreach (var (name, count) in _devices)
        {
            if (name == deviceClassName)
            {
                return count;
            }
        }
        return 0;
    }

    public bool Equals(PodClaim? other) =>
        other is not null && _devices.AsSpan().SequenceEqual(other._devices);

    public override bool Equals(object? obj) => Equals(obj as PodClaim);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var (name, count) in _devices)
        {
            hash.Add(name, StringComparer.Ordinal);
            hash.Add(count);
        }
        return hash.ToHashCode();
    }

    public override string ToString() => string.Join(",", _devices.Select(d => $"{d.Key}={d.Value}"));
}

/// <summary><see cref="Pods"/> pods on pool <see cref="Pool"/>, each claiming <see cref="Claim"/>.</summary>
public sealed record PoolClaim(string Pool, PodClaim Claim, int Pods);

/// <summary>How much of which pool a ModelReplica claims: the contract between the cluster that publishes
/// its allocation and the scheduler that reads it.</summary>
/// <remarks>
/// Both sides compute it from the replica's spec with this one function, so what a cluster counted for
/// a replica at a generation is exactly what the scheduler would charge for it. A member claims on
/// its pool only if it has device requests (a coordinator-only leader claims nothing); it runs
/// <c>copies</c> pods, times <c>worker.nodes</c> for a Worker that sets it; each pod claims the sum of
/// its requests' counts per device class.
/// </remarks>
public static class ReplicaClaims
{
    /// <summary>The label naming the deployment a replica belongs to.</summary>
    public const string DeploymentLabel = "modelplane.ai/deployment";

    /// <summary>The label naming the cluster a replica runs on.</summary>
    public const string ClusterLabel = "modelplane.ai/cluster";

    /// <summary>The label holding a replica's per-cluster index.</summary>
    public const string IndexLabel = "modelplane.ai/replica-index";

    /// <summary>Pods of one member: <c>copies</c>, times <c>worker.nodes</c> for a Worker that sets it.</summary>
    public static int PodsOf(MemberRole role, WorkerSpec? worker, int copies) =>
        role == MemberRole.Worker && worker?.Nodes is { } nodes ? Math.Max(0, nodes) * copies : copies;

    /// <summary>What a replica claims, per pool and pod shape, in spec order.</summary>
    public static IReadOnlyList<PoolClaim> Of(ModelReplicaSpec spec)
    {
        var claims = new List<PoolClaim>();
        foreach (var engine in spec.Engines ?? [])
        {
            var copies = Math.Max(0, engine.Copies ?? Engine.DefaultCopies);
            foreach (var member in engine.Members ?? [])
            {
                if (member.NodePoolName is not { Length: > 0 } pool || member.DeviceRequests is not { Count: > 0 } requests)
                {
                    continue;
                }
                var claim = new PodClaim(requests.Select(r =>
                    new KeyValuePair<string, int>(r.DeviceClassName ?? "", Math.Max(0, r.Count ?? DeviceSelection.DefaultCount))));
                var pods = PodsOf(member.Role ?? MemberRole.Standalone, member.Worker, copies);
                if (!claim.IsEmpty && pods > 0)
                {
                    claims.Add(new PoolClaim(pool, claim, pods));
                }
            }
        }
        return claims;
    }

    /// <summary>How a cluster names a replica it counted: <c>&lt;namespace&gt;/&lt;name&gt;@&lt;generation&gt;</c>.</summary>
    public static string CountedAs(string? ns, string name, long? generation) =>
        $"{ns ?? ""}/{name}@{generation ?? 0}";
}
