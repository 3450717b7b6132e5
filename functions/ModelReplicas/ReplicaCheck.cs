// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using Modelplane.Apis.ModelDeployments;
using Modelplane.Apis.ModelReplicas;

namespace Modelplane.Functions.ModelReplicas;

/// <summary>What the XRD's schema and CEL rules promise, checked again before we build anything from it.</summary>
/// <remarks>
/// The API server enforces these for replicas it admits, but a replica written before a rule existed,
/// or a render of a hand-written file, reaches us unchecked. Each problem names the field and the fix,
/// and the composer answers it with a Fatal result, so Crossplane applies nothing and whatever already
/// runs keeps running.
/// </remarks>
internal static class ReplicaCheck
{
    /// <summary>The first problem with the replica, or null when we can compose it.</summary>
    public static string? Problem(ModelReplica xr)
    {
        var spec = xr.Spec;
        if (xr.Metadata?.Namespace is not { Length: > 0 })
        {
            return "metadata.namespace is required: a ModelReplica is namespaced";
        }
        if (spec?.ClusterName is not { Length: > 0 })
        {
            return "spec.clusterName is required; set it to the InferenceCluster the replica runs on";
        }
        if (spec.Engines is not { Count: > 0 } engines)
        {
            return "spec.engines must list at least one engine";
        }
        var disaggregated = spec.Serving?.Mode == ServingMode.PrefillDecode;
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < engines.Count; i++)
        {
            var at = $"spec.engines[{i}]";
            if (Engine(engines[i], at, disaggregated) is { } problem)
            {
                return problem;
            }
            if (!names.Add(engines[i].Name!))
            {
                return $"{at}.name \"{engines[i].Name}\" is used twice; give every engine its own name";
            }
        }
        return disaggregated ? PrefillDecode(engines) : null;
    }

    private static string? Engine(ReplicaEngine engine, string at, bool disaggregated)
    {
        if (engine.Name is not { Length: > 0 })
        {
            return $"{at}.name is required";
        }
        if (engine.Copies is < 1)
        {
            return $"{at}.copies must be at least 1";
        }
        if (engine.Phase is not null && !disaggregated)
        {
            return $"{at}.phase may only be set when spec.serving.mode is PrefillDecode; remove it or set the mode";
        }
        var members = engine.Members ?? [];
        var roles = members.Select(m => m.Role ?? MemberRole.Standalone).ToArray();
        var standalone = roles is [MemberRole.Standalone];
        var gang = roles.Length == 2 && roles.Contains(MemberRole.Leader) && roles.Contains(MemberRole.Worker);
        if (!standalone && !gang)
        {
            return $"{at}.members must be either one Standalone member or one Leader and one Worker member";
        }
        if (!members.Any(m => m.DeviceRequests is { Count: > 0 }))
        {
            return $"{at}.members: at least one member must carry deviceRequests";
        }
        for (var j = 0; j < members.Count; j++)
        {
            if (Member(members[j], $"{at}.members[{j}]") is { } problem)
            {
                return problem;
            }
        }
        return null;
    }

    private static string? Member(ReplicaMember member, string at)
    {
        if (member.NodePoolName is not { Length: > 0 })
        {
            return $"{at}.nodePoolName is required; the scheduler sets it to the pool the member runs on";
        }
        if (member.Worker is not null && member.Role != MemberRole.Worker)
        {
            return $"{at}.worker may only be set on a Worker member";
        }
        if (member.Worker?.Nodes is < 1)
        {
            return $"{at}.worker.nodes must be at least 1";
        }
        if (member.Template?.Spec?.Containers is not [var container])
        {
            return $"{at}.template.spec.containers must hold exactly one container, named engine";
        }
        if (container.Name != "engine")
        {
            return $"{at}.template.spec.containers[0].name must be \"engine\"";
        }
        if (container.Image is not { Length: > 0 })
        {
            return $"{at}.template.spec.containers[0].image is required";
        }
        if (container.Env?.Select((e, k) => (e, k)).FirstOrDefault(p => p.e.Name is not { Length: > 0 }) is { e: not null } unnamed)
        {
            return $"{at}.template.spec.containers[0].env[{unnamed.k}].name is required";
        }
        var requests = member.DeviceRequests ?? [];
        for (var k = 0; k < requests.Count; k++)
        {
            var r = requests[k];
            if (r.Name is not { Length: > 0 } || r.DeviceClassName is not { Length: > 0 })
            {
                return $"{at}.deviceRequests[{k}] needs a name and a deviceClassName";
            }
            if (r.Count is < 1)
            {
                return $"{at}.deviceRequests[{k}].count must be at least 1";
            }
            if (requests.Take(k).Any(o => o.Name == r.Name))
            {
                return $"{at}.deviceRequests[{k}].name \"{r.Name}\" is used twice in this member";
            }
        }
        return null;
    }

    private static string? PrefillDecode(IReadOnlyList<ReplicaEngine> engines)
    {
        if (engines.Count != 2
            || engines.Count(e => e.Phase == EnginePhase.Prefill) != 1
            || engines.Count(e => e.Phase == EnginePhase.Decode) != 1)
        {
            return "spec.engines: PrefillDecode serving requires exactly two engines, one with phase Prefill and one with phase Decode";
        }
        var decode = engines.Single(e => e.Phase == EnginePhase.Decode);
        var args = Workloads.ServingMember(decode).Template!.Spec!.Containers![0].Args ?? [];
        return EngineArgs.DecodePort(args) is null
            ? $"spec.engines[{IndexOf(engines, decode)}]: the decode engine's --port \"{EngineArgs.FlagValue(args, "--port")}\" is not a port number; set --port=<1-65535> or leave it out for 8001"
            : null;
    }

    private static int IndexOf(IReadOnlyList<ReplicaEngine> engines, ReplicaEngine engine)
    {
        for (var i = 0; i < engines.Count; i++)
        {
            if (ReferenceEquals(engines[i], engine))
            {
                return i;
            }
        }
        return -1;
    }
}
