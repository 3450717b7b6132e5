// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using Modelplane.Apis.ModelDeployments;

namespace Modelplane.Functions.ModelDeployments;

/// <summary>Summarises why clusters could not take a replica, per reason, as kube-scheduler's FailedScheduling does.</summary>
/// <remarks>
/// <c>5 clusters: 3 no pool matches device gpu (selector 1); 1 not enough room in pool h100 (needs 2 pods,
/// room for 1); 1 untolerated taint drain:NoSchedule</c>. Reasons are ordered by how many clusters
/// gave them, then by text, so the message is stable; the status lists the same groups with up to
/// three example clusters each, in name order.
/// </remarks>
internal static class Explanation
{
    public const int MaxExamples = 3;

    public static string Summary(IReadOnlyList<Rejection> rejections) =>
        rejections.Count == 0
            ? "no clusters to check"
            : $"{EnginePlacer.Plural(rejections.Count, "cluster")}: {string.Join("; ", Groups(rejections).Select(g => $"{g.Clusters} {g.Reason}"))}";

    public static IReadOnlyList<UnschedulableReason> Status(IReadOnlyList<Rejection> rejections) => Groups(rejections);

    private static List<UnschedulableReason> Groups(IReadOnlyList<Rejection> rejections) =>
        rejections
            .GroupBy(r => r.Reason, StringComparer.Ordinal)
            .Select(g => new UnschedulableReason
            {
                Reason = g.Key,
                Clusters = g.Count(),
                Examples = g.Select(r => r.Cluster).Order(StringComparer.Ordinal).Take(MaxExamples).ToArray(),
            })
            .OrderByDescending(g => g.Clusters)
            .ThenBy(g => g.Reason, StringComparer.Ordinal)
            .ToList();
}
