// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Modelplane.Render.Engine;
using Modelplane.Render.Tests.Support;
using Modelplane.Yaml;

namespace Modelplane.Render.Tests;

/// <summary>The ClusterRoles under rbac/ cover every kind the composers emit, on the control plane and inside Objects.</summary>
/// <remarks>
/// What the composers can emit is taken from what they do emit across every example (render.yaml)
/// and the whole example fleet rendered with --assume-ready, which drives every composer through its
/// gated steps. Top-level kinds need Crossplane's permission on the control plane, except XRs of our
/// own XRDs and providers' managed resources (*.crossplane.io groups other than Crossplane's own, and
/// the Upbound providers' *.upbound.io groups),
/// which Crossplane's RBAC manager grants. Manifests wrapped in provider-kubernetes Objects are applied
/// on the workload cluster with the ClusterProviderConfig's kubeconfig, so they need the workload role.
/// </remarks>
public sealed class RbacTests
{
    private static readonly string[] Verbs = ["get", "list", "watch", "create", "update", "patch", "delete"];

    private static readonly Lazy<JsonObject[]> Emitted = new(() =>
    {
        // Every fleet: examples/fleet, examples/fleet-<feature> and examples/<plural>/fleet.
        var fleets = Directory.EnumerateDirectories(Repo.Path("examples"), "fleet*")
            .Concat(Directory.EnumerateDirectories(Repo.Path("examples")).Select(d => Path.Combine(d, "fleet")).Where(Directory.Exists))
            .Order(StringComparer.Ordinal);
        var rendered = fleets.SelectMany(folder =>
        {
            var fleet = CliRun.Of("render", "--fleet", folder, "--assume-ready", "--package", Repo.Path("package"), "--format", "yaml", "--timeout", "10m");
            Assert.True(fleet.ExitCode == 0, $"{folder}: {fleet.Error}");
            return YamlJson.ReadAll(fleet.Output);
        }).ToArray();
        var examples = Directory.EnumerateFiles(Repo.Path("examples"), "render.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .SelectMany(f => YamlJson.ReadAll(File.ReadAllText(f)));
        return [.. rendered.Concat(examples).OfType<JsonObject>()];
    });

    [Fact]
    public void ControlPlaneRole_IsAggregatedToCrossplane_AndCoversEveryComposedKind()
    {
        var role = Manifests.LoadOne(Repo.Path("rbac", "crossplane-compose.yaml"), "ClusterRole");
        Assert.Equal("true", Objects.Labels(role.Object)["rbac.crossplane.io/aggregate-to-crossplane"]);
        var ourGroups = Manifests.Load(Repo.Path("package", "apis")).Where(m => m.Kind == "CompositeResourceDefinition")
            .Select(m => Objects.String(m.Object["spec"]!["group"])).ToHashSet(StringComparer.Ordinal);
        var crossplaneOwn = new[] { "apiextensions.crossplane.io", "pkg.crossplane.io", "render.crossplane.io" };

        var kinds = Emitted.Value
            .Select(o => (Group: Objects.Group(Objects.ApiVersion(o)), Kind: Objects.Kind(o)))
            .Where(k => !ourGroups.Contains(k.Group) && !crossplaneOwn.Contains(k.Group))
            .Where(k => !k.Group.EndsWith(".upbound.io", StringComparison.Ordinal))
            .Where(k => !k.Group.EndsWith(".crossplane.io", StringComparison.Ordinal) || k.Group == "protection.crossplane.io")
            .Distinct().ToArray();

        Assert.Contains(("discovery.k8s.io", "EndpointSlice"), kinds);
        Assert.All(kinds, k => Assert.True(Covers(role.Object, k.Group, k.Kind), $"{k.Kind} in \"{k.Group}\" is composed on the control plane but rbac/crossplane-compose.yaml grants no rule for it"));
    }

    [Fact]
    public void WorkloadRole_CoversEveryKindWrappedInAnObject()
    {
        var role = Manifests.LoadOne(Repo.Path("rbac", "workload-cluster.yaml"), "ClusterRole");

        var kinds = Emitted.Value
            .Where(o => Objects.Group(Objects.ApiVersion(o)) == "kubernetes.m.crossplane.io" && Objects.Kind(o) == "Object")
            .Select(o => o["spec"]?["forProvider"]?["manifest"] as JsonObject).OfType<JsonObject>()
            .Select(m => (Group: Objects.Group(Objects.ApiVersion(m)), Kind: Objects.Kind(m)))
            .Distinct().ToArray();

        Assert.Contains(("apps", "Deployment"), kinds);
        Assert.All(kinds, k => Assert.True(Covers(role.Object, k.Group, k.Kind), $"{k.Kind} in \"{k.Group}\" is wrapped in an Object but rbac/workload-cluster.yaml grants no rule for it"));
    }

    [Theory]
    [InlineData("EndpointSlice", "endpointslices")]
    [InlineData("EnvoyProxy", "envoyproxies")]
    [InlineData("GatewayClass", "gatewayclasses")]
    [InlineData("HTTPRoute", "httproutes")]
    [InlineData("Gateway", "gateways")]
    public void Plural_AsKubernetesDerivesIt(string kind, string plural) => Assert.Equal(plural, Plural(kind));

    private static bool Covers(JsonObject role, string group, string kind) =>
        ((JsonArray)role["rules"]!).OfType<JsonObject>().Any(r =>
            ((JsonArray)r["apiGroups"]!).Any(g => Objects.String(g) == group)
            && ((JsonArray)r["resources"]!).Any(x => Objects.String(x) == Plural(kind))
            && Verbs.All(v => ((JsonArray)r["verbs"]!).Any(x => Objects.String(x) is var s && (s == v || s == "*"))));

    // The default plural a CRD or built-in gets: lowercase, "y" after a consonant becomes "ies", s/x/ch/sh add "es".
    private static string Plural(string kind)
    {
        var lower = kind.ToLowerInvariant();
        if (lower.EndsWith('y') && lower.Length > 1 && !"aeiou".Contains(lower[^2], StringComparison.Ordinal))
        {
            return lower[..^1] + "ies";
        }
        return lower.EndsWith('s') || lower.EndsWith('x') || lower.EndsWith("ch", StringComparison.Ordinal) || lower.EndsWith("sh", StringComparison.Ordinal)
            ? lower + "es"
            : lower + "s";
    }
}
