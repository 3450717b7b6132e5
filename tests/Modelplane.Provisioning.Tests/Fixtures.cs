// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Apiextensions.Fn.Proto.V1;
using Google.Protobuf;

namespace Modelplane.Provisioning.Tests;

/// <summary>Fixtures shared by the provisioning tests: fixed names, fixed timestamps.</summary>
internal static class Fixtures
{
    /// <summary>A composed resource as Crossplane observes it: a generated name, an external name, conditions and status.</summary>
    public static JsonObject Observed(string apiVersion, string kind, string name, string? ns = null, bool? ready = null, JsonObject? status = null, string? externalName = null, JsonObject? spec = null, string? compositionResourceName = null)
    {
        var metadata = new JsonObject { ["name"] = name };
        if (ns is not null)
        {
            metadata["namespace"] = ns;
        }
        var annotations = new JsonObject();
        if (compositionResourceName is not null)
        {
            annotations["crossplane.io/composition-resource-name"] = compositionResourceName;
        }
        if (externalName is not null)
        {
            annotations["crossplane.io/external-name"] = externalName;
        }
        if (annotations.Count > 0)
        {
            metadata["annotations"] = annotations;
        }
        var observedStatus = status ?? [];
        if (ready is { } r)
        {
            observedStatus["conditions"] = new JsonArray(Condition("Ready", r ? "True" : "False", r ? "Available" : "Creating"));
        }
        var resource = new JsonObject
        {
            ["apiVersion"] = apiVersion,
            ["kind"] = kind,
            ["metadata"] = metadata,
        };
        if (spec is not null)
        {
            resource["spec"] = spec;
        }
        resource["status"] = observedStatus;
        return resource;
    }

    /// <summary>The desired composed resources of a response, by key.</summary>
    public static SortedDictionary<string, JsonObject> Desired(RunFunctionResponse response)
    {
        var desired = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var (key, value) in JsonNode.Parse(JsonFormatter.Default.Format(response))!["desired"]?["resources"] as JsonObject ?? [])
        {
            desired[key] = value!["resource"]!.AsObject();
        }
        return desired;
    }
}
