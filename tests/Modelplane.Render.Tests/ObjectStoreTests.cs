// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Apiextensions.Fn.Proto.V1;
using Modelplane.Render.Engine;
using Modelplane.Yaml;

namespace Modelplane.Render.Tests;

/// <summary>Selector matching as Crossplane's required-resources fetcher does it (protocol.md §2.7).</summary>
public sealed class ObjectStoreTests
{
    private static readonly ObjectStore Store = new(YamlJson.ReadAll("""
        {apiVersion: v1, kind: ConfigMap, metadata: {name: b, namespace: team, labels: {app: chat, tier: prod}}}
        ---
        {apiVersion: v1, kind: ConfigMap, metadata: {name: a, namespace: zoo, labels: {app: chat}}}
        ---
        {apiVersion: v1, kind: ConfigMap, metadata: {name: a, namespace: team, labels: {app: search}}}
        ---
        {apiVersion: v1, kind: Secret, metadata: {name: a, namespace: team, labels: {app: chat}}}
        ---
        {apiVersion: modelplane.ai/v1alpha1, kind: InferenceGateway, metadata: {name: default}}
        """).Cast<JsonObject>());

    public static TheoryData<string, ResourceSelector, string[]> Cases => new()
    {
        { "a name in a namespace gets that one object", Named("v1", "ConfigMap", "a", "zoo"), ["zoo/a"] },
        { "a name without a namespace finds only cluster-scoped objects", Named("v1", "ConfigMap", "a", null), [] },
        { "a cluster-scoped object by name", Named("modelplane.ai/v1alpha1", "InferenceGateway", "default", null), ["/default"] },
        { "a missing name finds nothing", Named("v1", "ConfigMap", "nope", "team"), [] },
        { "labels span every namespace, sorted by namespace/name", Labelled(null, ("app", "chat")), ["team/b", "zoo/a"] },
        { "every label must match", Labelled(null, ("app", "chat"), ("tier", "prod")), ["team/b"] },
        { "a namespace narrows a label list", Labelled("zoo", ("app", "chat")), ["zoo/a"] },
        { "empty labels select every object of the kind", Labelled(null), ["team/a", "team/b", "zoo/a"] },
        { "no match at all lists the kind", new ResourceSelector { ApiVersion = "v1", Kind = "ConfigMap" }, ["team/a", "team/b", "zoo/a"] },
        { "no match in a namespace lists the kind there", new ResourceSelector { ApiVersion = "v1", Kind = "ConfigMap", Namespace = "team" }, ["team/a", "team/b"] },
        { "apiVersion must match too", new ResourceSelector { ApiVersion = "v2", Kind = "ConfigMap" }, [] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Match(string reason, ResourceSelector selector, string[] want)
    {
        var got = Store.Match(selector).Select(o => $"{Objects.Namespace(o)}/{Objects.Name(o)}").ToArray();
        Assert.True(want.SequenceEqual(got), $"{reason}: want [{string.Join(", ", want)}], got [{string.Join(", ", got)}]");
    }

    private static ResourceSelector Named(string apiVersion, string kind, string name, string? ns)
    {
        var selector = new ResourceSelector { ApiVersion = apiVersion, Kind = kind, MatchName = name };
        if (ns is not null)
        {
            selector.Namespace = ns;
        }
        return selector;
    }

    private static ResourceSelector Labelled(string? ns, params (string Key, string Value)[] labels)
    {
        var selector = new ResourceSelector { ApiVersion = "v1", Kind = "ConfigMap", MatchLabels = new MatchLabels() };
        foreach (var (key, value) in labels)
        {
            selector.MatchLabels.Labels[key] = value;
        }
        if (ns is not null)
        {
            selector.Namespace = ns;
        }
        return selector;
    }
}
