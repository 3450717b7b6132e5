// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Modelplane.Kubernetes.Meta;
using Modelplane.Kubernetes.Protection;
using Modelplane.Sdk;

namespace Modelplane.Functions.Usages;

/// <summary>A generic late pipeline step: every Helm Release and provider-kubernetes Object is deleted before its ProviderConfig.</summary>
/// <remarks>
/// <para>
/// Helm uninstalls and remote deletes need the credentials their ProviderConfig carries; if the
/// ProviderConfig goes first they hang or orphan what they manage. So for each desired resource an
/// earlier step composed that is a <c>helm.m.crossplane.io</c> Release or a
/// <c>kubernetes.m.crossplane.io</c> Object naming a <c>spec.providerConfigRef.name</c>, we label it
/// <c>modelplane.ai/usage-consumer: &lt;key&gt;</c> (keeping its labels) and compose
/// <c>usage-pc-&lt;key&gt;</c>, a Usage of that ProviderConfig by it, replaying the blocked deletion.
/// A Usage's <c>by</c> selector resolves to one resource only, hence one Usage per consumer.
/// </para>
/// <para>
/// Everything else passes through untouched. With no composite namespace there is nowhere to put a
/// namespaced Usage, so nothing is added; an earlier step that already composed a
/// <c>usage-pc-&lt;key&gt;</c> keeps it, with a warning, and that consumer is left as it is. The
/// <c>of</c> side always names a namespaced <c>ProviderConfig</c> of the consumer's API group, the
/// only kind the pipelines that run this step compose.
/// </para>
/// </remarks>
public static class UsagesComposer
{
    public const string Name = "usages";

    public static Composer Composer { get; } = new(Name, Compose);

    // The label a Usage's by-selector matches; its value is the consumer's desired-resource key.
    public const string ConsumerLabel = "modelplane.ai/usage-consumer";
    public const string UsageKeyPrefix = "usage-pc-";

    private const string ReasonUsageExists = "UsageExists";

    // (group, kind) of the resources that authenticate through a ProviderConfig.
    private static readonly (string Group, string Kind)[] Consumers =
    [
        ("helm.m.crossplane.io", "Release"),
        ("kubernetes.m.crossplane.io", "Object"),
    ];

    public static Composition Compose(FunctionRequest req)
    {
        if (req.Namespace is not { Length: > 0 } ns)
        {
            return new Composition();
        }
        var keys = req.DesiredKeys;
        var resources = new Dictionary<string, DesiredResource>(StringComparer.Ordinal);
        var results = new List<Result>();
        foreach (var key in keys)
        {
            if (req.Desired(key) is not { } consumer || Consumer(consumer, key) is not { } consumed)
            {
                continue;
            }
            var usageKey = UsageKeyPrefix + key;
            if (keys.Contains(usageKey))
            {
                results.Add(Result.Warning($"cannot compose Usage: desired resource \"{usageKey}\" already exists", ReasonUsageExists));
                continue;
            }
            Label(consumer, key);
            resources[key] = new DesiredResource(consumer, req.DesiredReadiness(key));
            resources[usageKey] = DesiredResource.From(Usage(ns, consumed.ApiVersion, consumed.Kind, consumed.ProviderConfig, key), ProtectionJsonContext.Default.Usage, ready: true);
        }
        return new Composition { Resources = resources, Results = results };
    }

    // The consumer's apiVersion, kind and ProviderConfig, or null when it is not one.
    private static (string ApiVersion, string Kind, string ProviderConfig)? Consumer(JsonObject resource, string key)
    {
        var at = $"desired[{key}]";
        var apiVersion = resource.StringAt("apiVersion", at) ?? "";
        var kind = resource.StringAt("kind", at) ?? "";
        var group = apiVersion.Contains('/', StringComparison.Ordinal) ? apiVersion[..apiVersion.IndexOf('/', StringComparison.Ordinal)] : "";
        if (!Consumers.Contains((group, kind)))
        {
            return null;
        }
        return resource.StringAt("spec.providerConfigRef.name", at) is { Length: > 0 } providerConfig ? (apiVersion, kind, providerConfig) : null;
    }

    private static void Label(JsonObject resource, string key)
    {
        if (resource["metadata"] is not JsonObject metadata)
        {
            resource["metadata"] = metadata = [];
        }
        if (metadata["labels"] is not JsonObject labels)
        {
            metadata["labels"] = labels = [];
        }
        labels[ConsumerLabel] = key;
    }

    // Relabelling replaces the resource, so it must keep the readiness the earlier step gave it.
    private static Usage Usage(string ns, string apiVersion, string kind, string providerConfig, string key) => new()
    {
        Metadata = new ObjectMeta { Namespace = ns },
        Spec = new UsageSpec
        {
            Of = new UsageResource { ApiVersion = apiVersion, Kind = "ProviderConfig", ResourceRef = new ResourceRef { Name = providerConfig } },
            By = new UsageResource
            {
                ApiVersion = apiVersion,
                Kind = kind,
                ResourceSelector = new ResourceSelector
                {
                    MatchControllerRef = true,
                    MatchLabels = new SortedDictionary<string, string>(StringComparer.Ordinal) { [ConsumerLabel] = key },
                },
            },
            ReplayDeletion = true,
        },
    };
}
