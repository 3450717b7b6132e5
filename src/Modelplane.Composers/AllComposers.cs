// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using Modelplane.Sdk;

namespace Modelplane.Composers;

/// <summary>Every composer Modelplane ships, in one registry the server and the render CLI share.</summary>
/// <remarks>
/// A Composition step names its composer in its input; a test checks that every step under
/// package/apis names a composer registered here and that every composer registered here is used.
/// The list is written out, not scanned for, so the NativeAOT server needs no reflection;
/// <c>HouseTests</c> (tests/Modelplane.Render.Tests) fails when a <c>functions/&lt;Plural&gt;</c> composer is
/// missing from it or from this project's references.
/// </remarks>
public static class AllComposers
{
    public static IReadOnlyList<Composer> List { get; } =
    [
        // Routing.
        Modelplane.Functions.InferenceGateways.InferenceGatewayComposer.Composer,
        Modelplane.Functions.ModelEndpoints.ModelEndpointComposer.Composer,
        Modelplane.Functions.ModelServices.ModelServiceComposer.Composer,
        // Platform and scheduling.
        Modelplane.Functions.InferenceClasses.InferenceClassComposer.Composer,
        Modelplane.Functions.InferenceClusters.InferenceClusterComposer.Composer,
        Modelplane.Functions.ModelDeployments.ModelDeploymentComposer.Composer,
        Modelplane.Functions.ModelReplicas.ModelReplicaComposer.Composer,
        Modelplane.Functions.ModelCaches.ModelCacheComposer.Composer,
        Modelplane.Functions.ServingStacks.ServingStackComposer.Composer,
        Modelplane.Functions.Usages.UsagesComposer.Composer,
        // Provisioning: one composer per cloud cluster XR.
        Modelplane.Functions.GkeClusters.GkeClusterComposer.Composer,
        Modelplane.Functions.EksClusters.EksClusterComposer.Composer,
        Modelplane.Functions.AksClusters.AksClusterComposer.Composer,
        Modelplane.Functions.NebiusClusters.NebiusClusterComposer.Composer,
        Modelplane.Functions.VultrClusters.VultrClusterComposer.Composer,
    ];

    public static ComposerRegistry Registry { get; } = new(List);
}
