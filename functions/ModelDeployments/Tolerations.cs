// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using Modelplane.Apis.InferenceClusters;
using Modelplane.Apis.ModelDeployments;

namespace Modelplane.Functions.ModelDeployments;

/// <summary>Kubernetes' taint and toleration rules, applied to whole InferenceClusters.</summary>
/// <remarks>
/// A toleration matches a taint when its effect is empty or equal, and either its operator is
/// Exists and its key is empty or equal, or (Equal, the default) key and value are equal (a missing
/// value reads as ""). Every taint must be tolerated for a new replica to land; only an untolerated
/// NoExecute taint evicts a running one. A toleration for NoSchedule does not cover NoExecute.
/// </remarks>
internal static class Tolerations
{
    public static bool Tolerates(TaintToleration toleration, Taint taint)
    {
        if (toleration.Effect is { } effect && effect != taint.Effect)
        {
            return false;
        }
        return (toleration.Operator ?? TolerationOperator.Equal) switch
        {
            TolerationOperator.Exists => string.IsNullOrEmpty(toleration.Key) || toleration.Key == taint.Key,
            _ => toleration.Key == taint.Key && (toleration.Value ?? "") == (taint.Value ?? ""),
        };
    }

    /// <summary>The first taint (in spec order) that keeps new replicas off, or null.</summary>
    public static Taint? Repelling(IReadOnlyList<Taint> taints, IReadOnlyList<TaintToleration> tolerations) =>
        taints.FirstOrDefault(t => !tolerations.Any(o => Tolerates(o, t)));

    /// <summary>The first NoExecute taint (in spec order) that evicts running replicas, or null.</summary>
    public static Taint? Evicting(IReadOnlyList<Taint> taints, IReadOnlyList<TaintToleration> tolerations) =>
        taints.FirstOrDefault(t => t.Effect == TaintEffect.NoExecute && !tolerations.Any(o => Tolerates(o, t)));

    /// <summary>A taint as kubectl prints it: <c>key=value:Effect</c>, or <c>key:Effect</c> without a value.</summary>
    public static string Describe(Taint taint) =>
        string.IsNullOrEmpty(taint.Value) ? $"{taint.Key}:{taint.Effect}" : $"{taint.Key}={taint.Value}:{taint.Effect}";
}
