// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Modelplane.Functions.InferenceClasses;
using Modelplane.Functions.InferenceClusters;
using Modelplane.Functions.ModelDeployments;
using Modelplane.Sdk;
using Modelplane.Testing;
using Modelplane.Yaml;

namespace Modelplane.Scheduling.Tests.Examples;

/// <summary>Our examples/ folders run through their composer with Crossplane's required-resources loop, whole responses against goldens.</summary>
/// <remarks>
/// Requirements resolve against required.yaml by selector, as Crossplane resolves them (never by
/// requirement name), and the loop re-runs until the requirements stop changing. observed.yaml
/// objects are keyed by their <c>crossplane.io/composition-resource-name</c> annotation. The render
/// CLI's test renders the same folders into each render.yaml; this one pins the composer's answer.
/// </remarks>
public sealed class ExampleTests
{
    private const string ResourceNameAnnotation = "crossplane.io/composition-resource-name";

    private static readonly Composer[] Composers =
        [ModelDeploymentComposer.Composer, InferenceClusterComposer.Composer, InferenceClassComposer.Composer];

    public static TheoryData<string> Scenarios => new()
    {
        "modeldeployments/single-gpu-by-memory",
        "modeldeployments/multi-node-leader-worker",
        "modeldeployments/prefill-decode",
        "modeldeployments/drain-by-taint",
        "modeldeployments/unschedulable-explained",
        "modeldeployments/gpu-sharing",
        "inferenceclusters/existing-cluster",
        "inferenceclasses/h100",
    };

    private static string Folder(string scenario, [CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", "..", "examples", scenario));

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void Example_Renders(string scenario)
    {
        var folder = Folder(scenario);
        var xr = (JsonObject)YamlJson.Read(File.ReadAllText(Path.Combine(folder, "xr.yaml")))!;
        var required = Documents(Path.Combine(folder, "required.yaml"));
        var observed = Documents(Path.Combine(folder, "observed.yaml"))
            .ToDictionary(o => o["metadata"]!["annotations"]![ResourceNameAnnotation]!.GetValue<string>(), StringComparer.Ordinal);
        var composer = Composers.Single(c => c.Kinds.Contains($"{xr["kind"]}.modelplane.ai"));

        var response = FunctionHost.Run(RequirementsLoop.Final(composer, xr, required, observed), composer);
        var readme = File.ReadAllText(Path.Combine(folder, "README.md"));
        var title = readme.Split('\n')[0].TrimStart('#', ' ');
        Golden.Match(scenario.Replace('/', '-'), title, response);
    }

    private static JsonObject[] Documents(string path) =>
        File.Exists(path) ? YamlJson.ReadAll(File.ReadAllText(path)).Cast<JsonObject>().ToArray() : [];
}
