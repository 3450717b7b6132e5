// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Modelplane.Render.Engine;
using Modelplane.Render.Tests.Support;
using Modelplane.Testing;
using Modelplane.Yaml;

namespace Modelplane.Render.Tests;

/// <summary>Every examples/&lt;plural&gt;/&lt;scenario&gt; folder rendered through the CLI and compared with its render.yaml.</summary>
public sealed class ExampleTests
{
    public static TheoryData<string> Scenarios()
    {
        var data = new TheoryData<string>();
        foreach (var xr in Directory.EnumerateFiles(Repo.Path("examples"), "xr.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetRelativePath(Repo.Root, Path.GetDirectoryName(xr)!));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void Render_Example_MatchesRenderYaml(string scenario)
    {
        var run = Render(scenario);

        Assert.True(run.ExitCode == 0, run.Error);
        Golden.MatchFile(Repo.Path(scenario, "render.yaml"), run.Output);
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void Render_Example_HasTheShapeCrossplaneRenderPrints(string scenario)
    {
        var run = Render(scenario);
        Assert.True(run.ExitCode == 0, run.Error);
        var xr = Manifests.LoadOne(Repo.Path(scenario, "xr.yaml"), "xr");
        var documents = YamlJson.ReadAll(run.Output).Cast<JsonObject>().ToArray();

        // The XR as Crossplane's reconciler last wrote it: identity, resourceRefs, status; its conditions
        // Responsive first, then the functions' own, then Synced and Ready; render's fixed timestamps.
        var rendered = documents[0];
        Assert.Equal(["apiVersion", "kind", "metadata", "spec", "status"], rendered.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal((xr.ApiVersion, xr.Kind, xr.Name, xr.Namespace), (Objects.ApiVersion(rendered), Objects.Kind(rendered), Objects.Name(rendered), Objects.Namespace(rendered)));
        var types = ((JsonArray)rendered["status"]!["conditions"]!).Cast<JsonObject>().Select(c => Objects.String(c["type"])).ToArray();
        Assert.Equal("Responsive", types[0]);
        Assert.Equal(["Synced", "Ready"], types[^2..]);
        Assert.All(((JsonArray)rendered["status"]!["conditions"]!).Cast<JsonObject>(), c => Assert.Equal("2024-01-01T00:00:00Z", Objects.String(c["lastTransitionTime"])));
        var uid = Output.ReconcilerOutput.CompositeUid(xr.Object);

        // Composed resources: sorted by composition-resource-name, named, owned by the XR's UID, each in resourceRefs.
        var composed = documents.Skip(1).TakeWhile(d => Objects.ApiVersion(d) != "render.crossplane.io/v1beta1").ToArray();
        var names = composed.Select(c => Objects.Annotations(c)[Objects.CompositionResourceNameAnnotation]).ToArray();
        Assert.Equal(names.Order(StringComparer.Ordinal), names);
        var refs = ((JsonArray)rendered["spec"]!["crossplane"]!["resourceRefs"]!).Cast<JsonObject>()
            .Select(r => (Objects.String(r["apiVersion"]), Objects.String(r["kind"]), Objects.String(r["name"]))).ToArray();
        Assert.Equal(composed.Select(c => (Objects.ApiVersion(c), Objects.Kind(c), Objects.Name(c))).Order(), refs.Order());
        foreach (var c in composed)
        {
            Assert.True(Objects.Name(c).Length > 0);
            Assert.Equal(xr.Name, Objects.Labels(c)[Objects.CompositeLabel]);
            if (xr.Namespace.Length > 0)
            {
                Assert.Equal(xr.Namespace, Objects.Namespace(c));
            }
            var owner = Assert.Single((JsonArray)c["metadata"]!["ownerReferences"]!)!.AsObject();
            Assert.Equal(["apiVersion", "blockOwnerDeletion", "controller", "kind", "name", "uid"], owner.Select(p => p.Key).Order(StringComparer.Ordinal));
            Assert.Equal((xr.ApiVersion, xr.Kind, xr.Name, uid), (Objects.String(owner["apiVersion"]), Objects.String(owner["kind"]), Objects.String(owner["name"]), Objects.String(owner["uid"])));
            Assert.Null(c["status"]);
        }

        // Results are the reconciler's events: the composition selection first, then exactly an event's fields.
        var results = documents.Skip(1 + composed.Length).ToArray();
        Assert.Equal("SelectComposition", Objects.String(results[0]["reason"]));
        foreach (var result in results)
        {
            Assert.Equal(["apiVersion", "kind", "message", "reason", "severity"], result.Select(p => p.Key).Order(StringComparer.Ordinal));
            Assert.Contains(Objects.String(result["severity"]), new[] { "Normal", "Warning" });
        }
    }

    // What `make render EXAMPLE=...` runs: the Composition of the XR's kind, found through the XRDs.
    private static CliRun Render(string scenario)
    {
        var xr = Manifests.LoadOne(Repo.Path(scenario, "xr.yaml"), "xr");
        var xrd = Manifests.Load(Repo.Path("package", "apis"))
            .SingleOrDefault(m => m.Kind == "CompositeResourceDefinition"
                && Objects.String(m.Object["spec"]!["group"]) == Objects.Group(xr.ApiVersion)
                && Objects.String(m.Object["spec"]!["names"]!["kind"]) == xr.Kind);
        Assert.True(xrd is not null, $"{scenario}: no XRD under package/apis defines {xr.Kind}");
        var plural = Objects.String(xrd.Object["spec"]!["names"]!["plural"]);
        Assert.Equal(plural, Path.GetFileName(Path.GetDirectoryName(Repo.Path(scenario))));
        var args = new List<string> { "render", Repo.Path(scenario, "xr.yaml"), Repo.Path("package", "apis", plural, "composition.yaml") };
        if (File.Exists(Repo.Path(scenario, "required.yaml")))
        {
            args.AddRange(["--required-resources", Repo.Path(scenario, "required.yaml")]);
        }
        if (File.Exists(Repo.Path(scenario, "observed.yaml")))
        {
            args.AddRange(["--observed-resources", Repo.Path(scenario, "observed.yaml")]);
        }
        args.Add("-r");
        return CliRun.Of([.. args]);
    }
}
