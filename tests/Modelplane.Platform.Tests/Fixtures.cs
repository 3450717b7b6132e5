// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Apiextensions.Fn.Proto.V1;
using Google.Protobuf;
using Modelplane.Testing;
using Modelplane.Yaml;

namespace Modelplane.Platform.Tests;

/// <summary>Fixtures shared by the platform tests: fixed names, fixed timestamps.</summary>
internal static class Fixtures
{
    /// <summary>A composed resource as Crossplane observes it: identity, conditions and any extra status.</summary>
    public static JsonObject Observed(string apiVersion, string kind, string name, string? ns, bool? ready = null, JsonObject? status = null)
    {
        var metadata = new JsonObject { ["name"] = name };
        if (ns is not null)
        {
            metadata["namespace"] = ns;
        }
        var observedStatus = status ?? [];
        if (ready is { } r)
        {
            observedStatus["conditions"] = new JsonArray(Condition("Ready", r ? "True" : "False", r ? "Available" : "Creating"));
        }
        return new JsonObject
        {
            ["apiVersion"] = apiVersion,
            ["kind"] = kind,
            ["metadata"] = metadata,
            ["status"] = observedStatus,
        };
    }

    /// <summary>Goldens with each CRD's spec replaced by its SHA-256, so they stay reviewable and still exact.</summary>
    public static void MatchEliding(string name, string reason, RunFunctionResponse response, [CallerFilePath] string callerFile = "") =>
        Golden.MatchText(name, $"# {reason}\n{YamlJson.Write(ElideCrds(response))}", callerFile);

    public static JsonNode ElideCrds(RunFunctionResponse response)
    {
        var json = JsonNode.Parse(JsonFormatter.Default.Format(response))!;
        if (json["desired"]?["resources"] is JsonObject resources)
        {
            foreach (var (_, resource) in resources)
            {
                if (resource?["resource"]?["spec"]?["forProvider"]?["manifest"] is JsonObject manifest
                    && manifest["kind"]?.GetValue<string>() == "CustomResourceDefinition" && manifest["spec"] is { } spec)
                {
                    manifest["spec"] = $"elided: sha256 {Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(spec.ToJsonString())))}";
                }
            }
        }
        return json;
    }
}
