// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Modelplane.Functions.GkeClusters;
using Modelplane.Provisioning.Tests.GkeClusters;
using Modelplane.Testing;

namespace Modelplane.Provisioning.Tests.ProviderCrds;

/// <summary>Every managed resource the cluster composers emit, in every golden case, against its provider's CRD.</summary>
public sealed class ProviderSchemaTests
{
    // Our own XRs and Crossplane's protection kinds are checked elsewhere (XRD drift and render tests).
    private static readonly HashSet<string> NotProviderGroups = new(StringComparer.Ordinal)
    {
        "infrastructure.modelplane.ai", "modelplane.ai", "protection.crossplane.io",
        // Core objects (the Nebius cloud-init Secret) are checked by the API server's built-in schema.
        "v1",
    };

    public static TheoryData<Case> GkeCases => GkeClusterComposerTests.Cases;

    [Theory]
    [MemberData(nameof(GkeCases), DisableDiscoveryEnumeration = true)]
    public void GkeCase_EveryManagedResource_ValidAgainstProviderCrd(Case c) =>
        AssertValid(FunctionHost.Run(c.Request, GkeClusterComposer.Composer));

    public static TheoryData<Case> AksCases => AksClusters.AksClusterComposerTests.Cases;

    [Theory]
    [MemberData(nameof(AksCases), DisableDiscoveryEnumeration = true)]
    public void AksCase_EveryManagedResource_ValidAgainstProviderCrd(Case c) =>
        AssertValid(FunctionHost.Run(c.Request, Modelplane.Functions.AksClusters.AksClusterComposer.Composer));

    public static TheoryData<Case> NebiusCases => NebiusClusters.NebiusClusterComposerTests.Cases;

    [Theory]
    [MemberData(nameof(NebiusCases), DisableDiscoveryEnumeration = true)]
    public void NebiusCase_EveryManagedResource_ValidAgainstProviderCrd(Case c) =>
        AssertValid(FunctionHost.Run(c.Request, Modelplane.Functions.NebiusClusters.NebiusClusterComposer.Composer));

    public static TheoryData<Case> VultrCases => VultrClusters.VultrClusterComposerTests.Cases;

    [Theory]
    [MemberData(nameof(VultrCases), DisableDiscoveryEnumeration = true)]
    public void VultrCase_EveryManagedResource_ValidAgainstProviderCrd(Case c) =>
        AssertValid(FunctionHost.Run(c.Request, Modelplane.Functions.VultrClusters.VultrClusterComposer.Composer));

    public static TheoryData<Case> EksCases => EksClusters.EksClusterComposerTests.Cases;

    [Theory]
    [MemberData(nameof(EksCases), DisableDiscoveryEnumeration = true)]
    public void EksCase_EveryManagedResource_ValidAgainstProviderCrd(Case c) =>
        AssertValid(FunctionHost.Run(c.Request, Modelplane.Functions.EksClusters.EksClusterComposer.Composer));

    // upjet writes the rule for a field named namespace with Kubernetes' CEL escape (__namespace__);
    // the row proves the validator reads it, present and absent.
    [Fact]
    public void Validate_PodIdentityWithoutNamespace_NamesTheEscapedField()
    {
        var resource = Fixtures.Desired(FunctionHost.Run(EksClusters.EksClusterComposerTests.Request(), Modelplane.Functions.EksClusters.EksClusterComposer.Composer))["pod-identity-efs-csi"];
        Assert.Empty(ProviderSchemas.Validate(resource));
        resource["spec"]!["forProvider"]!.AsObject().Remove("namespace");
        Assert.Contains(ProviderSchemas.Validate(resource), e => e.ToString().Contains("spec.forProvider.namespace is a required parameter", StringComparison.Ordinal));
    }

    public static TheoryData<Case> InferenceClusterCases => InferenceClusters.CloudInferenceClusterTests.Cases;

    [Theory]
    [MemberData(nameof(InferenceClusterCases), DisableDiscoveryEnumeration = true)]
    public void InferenceClusterCase_EveryManagedResource_ValidAgainstProviderCrd(Case c) =>
        AssertValid(FunctionHost.Run(c.Request, Modelplane.Functions.InferenceClusters.InferenceClusterComposer.Composer));

    internal static void AssertValid(Apiextensions.Fn.Proto.V1.RunFunctionResponse response)
    {
        var problems = new List<string>();
        foreach (var (key, resource) in Fixtures.Desired(response))
        {
            var group = (resource["apiVersion"]?.GetValue<string>() ?? "").Split('/')[0];
            if (NotProviderGroups.Contains(group))
            {
                continue;
            }
            if (!ProviderSchemas.Defines(resource))
            {
                problems.Add($"{key}: no vendored CRD for {resource["apiVersion"]} {resource["kind"]}");
                continue;
            }
            problems.AddRange(ProviderSchemas.Validate(resource).Select(e => $"{key}: {e}"));
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    // Each row breaks one rule of a real CRD; the validator must name it, or the checks above prove nothing.
    [Theory]
    [InlineData("cluster", "missing-location", "spec.forProvider.location: Required value")]
    [InlineData("projectservice-filestore", "missing-service", "spec.forProvider.service is a required parameter")]
    [InlineData("nodepool-a100", "bad-enum", "spec.managementPolicies[0]: Unsupported value")]
    [InlineData("nodepool-a100", "unknown-field", "spec.forProvider.nodeConfig.machinetype")]
    [InlineData("nodepool-a100", "wrong-type", "spec.forProvider.initialNodeCount: Invalid value")]
    [InlineData("nodepool-a100", "missing-provider-config-name", "spec.providerConfigRef.name: Required value")]
    public void Validate_BrokenResource_NamesTheProblem(string key, string breakage, string expected)
    {
        var resource = Fixtures.Desired(FunctionHost.Run(GkeClusterComposerTests.Request(), GkeClusterComposer.Composer))[key];
        var spec = resource["spec"]!.AsObject();
        var forProvider = spec["forProvider"]!.AsObject();
        switch (breakage)
        {
            case "missing-location":
                forProvider.Remove("location");
                break;
            case "missing-service":
                forProvider.Remove("service");
                break;
            case "bad-enum":
                spec["managementPolicies"] = new JsonArray("Destroy");
                break;
            case "unknown-field":
                forProvider["nodeConfig"]!["machinetype"] = "x";
                break;
            case "wrong-type":
                forProvider["initialNodeCount"] = "one";
                break;
            case "missing-provider-config-name":
                spec["providerConfigRef"]!.AsObject().Remove("name");
                break;
        }
        Assert.Contains(ProviderSchemas.Validate(resource), e => e.ToString().Contains(expected, StringComparison.Ordinal));
    }
}
