// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Modelplane.Apis.CloudClusters;
using Modelplane.Sdk;

namespace Modelplane.Provisioning;

/// <summary>Building blocks of the cloud managed resources a cluster composer emits.</summary>
/// <remarks>
/// Managed resources are built as JSON rather than records: each composer emits a few fields of
/// dozens of provider kinds whose schemas run to thousands of fields, and the tests check every one
/// against the provider's own CRD instead.
/// </remarks>
public static class ManagedResources
{
    /// <summary>The annotation holding a managed resource's name in the cloud.</summary>
    public const string ExternalNameAnnotation = "crossplane.io/external-name";

    /// <summary>Policies for in-cluster objects: never Delete, so teardown does not wedge on a kubeconfig already gone with the cluster.</summary>
    public static readonly string[] OrphanPolicies = ["Observe", "Create", "Update"];

    /// <summary>A managed resource: <c>spec.forProvider</c> plus the cloud <c>providerConfigRef</c>.</summary>
    public static JsonObject Cloud(string apiVersion, string kind, ClusterCredentials? credentials, JsonObject forProvider, JsonObject? metadata = null, JsonObject? spec = null)
    {
        var body = spec ?? [];
        body["forProvider"] = forProvider;
        body["providerConfigRef"] = ProviderConfigRef(credentials);
        var resource = new JsonObject { ["apiVersion"] = apiVersion, ["kind"] = kind };
        if (metadata is not null)
        {
            resource["metadata"] = metadata;
        }
        resource["spec"] = body;
        return resource;
    }

    /// <summary>The cloud provider config every managed resource of the cluster uses, with the XRD's defaults.</summary>
    public static JsonObject ProviderConfigRef(ClusterCredentials? credentials) => new()
    {
        ["kind"] = (credentials?.Type ?? ClusterCredentials.DefaultType).ToString(),
        ["name"] = credentials?.Name ?? ClusterCredentials.DefaultName,
    };

    /// <summary>Selects the resource of that kind this XR controls.</summary>
    public static JsonObject ControllerSelector() => new() { ["matchControllerRef"] = true };

    /// <summary>Selects the resource of that kind this XR controls carrying these labels.</summary>
    public static JsonObject ControllerSelector(params (string Key, string Value)[] labels)
    {
        var matchLabels = new JsonObject();
        foreach (var (key, value) in labels)
        {
            matchLabels[key] = value;
        }
        return new JsonObject { ["matchControllerRef"] = true, ["matchLabels"] = matchLabels };
    }

    public static JsonArray Strings(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode)JsonValue.Create(v))]);

    /// <summary>Ready when Crossplane observed the resource Ready; unknown (left to Crossplane) otherwise.</summary>
    public static DesiredResource ReadyWhenObserved(FunctionRequest req, string key, JsonObject resource) =>
        DesiredResource.Of(resource, req.Observed.TryGetValue(key, out var observed) && observed.IsReady ? true : null);

    /// <summary>The cloud name Crossplane recorded for an observed resource, if any.</summary>
    public static string? ExternalName(FunctionRequest req, string key) =>
        req.Observed.TryGetValue(key, out var observed)
            ? observed.Resource.ObjectAt("metadata.annotations", $"observed[{key}]")?[ExternalNameAnnotation] is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0 ? s : null
            : null;
}
