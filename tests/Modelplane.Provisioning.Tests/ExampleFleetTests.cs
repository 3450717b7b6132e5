// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Modelplane.Provisioning.Tests.ProviderCrds;
using Modelplane.Render;
using Modelplane.Yaml;

namespace Modelplane.Provisioning.Tests;

/// <summary>The per-cloud example fleets through <c>modelplane render --fleet --assume-ready</c>.</summary>
public sealed class ExampleFleetTests
{
    private static (int Code, string Output, string Error) Render(string fleet, params string[] extra)
    {
        var output = new StringWriter { NewLine = "\n" };
        var error = new StringWriter { NewLine = "\n" };
        var code = Cli.Run(["render", "--fleet", Path.Combine(Root(), "examples", fleet), "--assume-ready", "--package", Path.Combine(Root(), "package"), .. extra], output, error);
        return (code, output.ToString(), error.ToString());
    }

    // Each cloud's example fleet: the folder, its InferenceCluster, the cluster XR kind and key, its pool, and the kind of its node pools.
    public static TheoryData<string, string, string, string, string, string> Fleets => new()
    {
        { "fleet-gke", "gke-us-central", "GKECluster", "gke-cluster", "l4", "NodePool" },
        { "fleet-eks", "eks-us-west", "EKSCluster", "eks-cluster", "l4", "NodeGroup" },
        { "fleet-aks", "aks-westeurope", "AKSCluster", "aks-cluster", "a10", "KubernetesClusterNodePool" },
        { "fleet-nebius", "nebius-eu-north", "NebiusCluster", "nebius-cluster", "l40s", "NodeGroup" },
        { "fleet-vultr", "vultr-ewr", "VultrCluster", "vultr-cluster", "l40s", "KubernetesNodePool" },
    };

    [Theory]
    [MemberData(nameof(Fleets))]
    public void Fleet_Renders_ClusterReadyAndReplicasPlacedOnIt(string fleet, string cluster, string kind, string key, string pool, string poolKind)
    {
        _ = poolKind;
        var (code, output, error) = Render(fleet);

        Assert.True(code == 0, error);
        Assert.Matches($@"\n{cluster} +Ready +[0-9.]+ +{pool}: 4 nodes\n", output);
        Assert.Equal(2, output.Split('\n').Count(l => l.StartsWith("ml-team/qwen3-8b ", StringComparison.Ordinal) && l.Contains($" {cluster}  {pool} ", StringComparison.Ordinal)));
        Assert.Contains($"{kind}/modelplane-system/{cluster} [{key}]  Ready", output, StringComparison.Ordinal);
        Assert.DoesNotContain("\nPROBLEMS\n", output, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Fleets))]
    public void Fleet_EveryComposedProviderResource_ValidAgainstItsCrd(string fleet, string cluster, string kind, string key, string pool, string poolKind)
    {
        _ = (cluster, kind, key, pool);
        var (code, output, error) = Render(fleet, "--format", "yaml");

        Assert.True(code == 0, error);
        var composed = YamlJson.ReadAll(output).OfType<JsonObject>().Where(ProviderSchemas.Covers).ToArray();
        Assert.Contains(composed, o => o["kind"]?.GetValue<string>() == poolKind);
        var problems = new List<string>();
        foreach (var resource in composed)
        {
            if (!ProviderSchemas.Defines(resource))
            {
                problems.Add($"{resource["apiVersion"]} {resource["kind"]}: no vendored CRD");
                continue;
            }
            // What the render adds as Crossplane would (status, metadata) is not the composer's to validate.
            var desired = (JsonObject)resource.DeepClone();
            desired.Remove("status");
            problems.AddRange(ProviderSchemas.Validate(desired).Select(e => $"{resource["kind"]} {resource["metadata"]?["name"]}: {e}"));
        }
        Assert.Empty(problems);
    }

    private static string Root([CallerFilePath] string file = "") => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, "..", ".."));
}
