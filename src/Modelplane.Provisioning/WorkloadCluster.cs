// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;

namespace Modelplane.Provisioning;

/// <summary>What a cluster composer puts in reach of the new cluster: its ProviderConfigs and in-cluster objects.</summary>
/// <remarks>
/// The provider-kubernetes and provider-helm ProviderConfigs are named after the kubeconfig Secret and
/// live in the XR's namespace; they carry no cloud providerConfigRef (they are not cloud resources).
/// In-cluster objects never delete (<see cref="ManagedResources.OrphanPolicies"/>): when the cluster
/// goes, they go with it, and a delete through a kubeconfig that no longer works would never finish.
/// </remarks>
public static class WorkloadCluster
{
    public const string KubernetesApiVersion = "kubernetes.m.crossplane.io/v1alpha1";
    public const string HelmApiVersion = "helm.m.crossplane.io/v1beta1";
    public const string KubeconfigKey = "kubeconfig";

    /// <summary>A secret-sourced identity the kubeconfig's exec plugin needs (GKE, Nebius).</summary>
    public sealed record Identity(string Type, string SecretName, string SecretNamespace, string Key);

    /// <summary>A provider-kubernetes or provider-helm ProviderConfig reaching the cluster through its kubeconfig Secret.</summary>
    public static JsonObject ProviderConfig(string apiVersion, string kubeconfigSecret, string ns, Identity? identity = null)
    {
        var spec = new JsonObject
        {
            ["credentials"] = new JsonObject
            {
                ["source"] = "Secret",
                ["secretRef"] = new JsonObject { ["name"] = kubeconfigSecret, ["namespace"] = ns, ["key"] = KubeconfigKey },
            },
        };
        if (identity is not null)
        {
            spec["identity"] = new JsonObject
            {
                ["type"] = identity.Type,
                ["source"] = "Secret",
                ["secretRef"] = new JsonObject { ["name"] = identity.SecretName, ["namespace"] = identity.SecretNamespace, ["key"] = identity.Key },
            };
        }
        return new JsonObject
        {
            ["apiVersion"] = apiVersion,
            ["kind"] = "ProviderConfig",
            ["metadata"] = new JsonObject { ["name"] = kubeconfigSecret, ["namespace"] = ns },
            ["spec"] = spec,
        };
    }

    /// <summary>A provider-kubernetes Object creating a ReadWriteMany StorageClass on the cluster; Ready once created.</summary>
    public static JsonObject StorageClass(string ns, string providerConfig, string name, string provisioner, JsonObject? parameters, string bindingMode, JsonArray? mountOptions = null, bool? allowExpansion = true, string? reclaimPolicy = null)
    {
        var manifest = new JsonObject
        {
            ["apiVersion"] = "storage.k8s.io/v1",
            ["kind"] = "StorageClass",
            ["metadata"] = new JsonObject { ["name"] = name },
            ["provisioner"] = provisioner,
        };
        if (parameters is not null)
        {
            manifest["parameters"] = parameters;
        }
        if (mountOptions is not null)
        {
            manifest["mountOptions"] = mountOptions;
        }
        if (reclaimPolicy is not null)
        {
            manifest["reclaimPolicy"] = reclaimPolicy;
        }
        if (allowExpansion is { } expand)
        {
            manifest["allowVolumeExpansion"] = expand;
        }
        manifest["volumeBindingMode"] = bindingMode;
        return InCluster("Object", ns, providerConfig, new JsonObject
        {
            ["readiness"] = new JsonObject { ["policy"] = "SuccessfulCreate" },
            ["forProvider"] = new JsonObject { ["manifest"] = manifest },
        }, KubernetesApiVersion);
    }

    /// <summary>A provider-helm Release on the cluster that is never uninstalled by us.</summary>
    public static JsonObject Release(string ns, string providerConfig, string chart, string repository, string version, string releaseNamespace, JsonObject values) =>
        InCluster("Release", ns, providerConfig, new JsonObject
        {
            ["forProvider"] = new JsonObject
            {
                ["chart"] = new JsonObject { ["name"] = chart, ["repository"] = repository, ["version"] = version },
                ["namespace"] = releaseNamespace,
                ["values"] = values,
            },
        }, HelmApiVersion);

    private static JsonObject InCluster(string kind, string ns, string providerConfig, JsonObject spec, string apiVersion)
    {
        var body = new JsonObject
        {
            ["managementPolicies"] = ManagedResources.Strings(ManagedResources.OrphanPolicies),
            ["providerConfigRef"] = new JsonObject { ["kind"] = "ProviderConfig", ["name"] = providerConfig },
        };
        foreach (var (key, value) in spec.ToArray())
        {
            spec.Remove(key);
            body[key] = value;
        }
        return new JsonObject
        {
            ["apiVersion"] = apiVersion,
            ["kind"] = kind,
            ["metadata"] = new JsonObject { ["namespace"] = ns },
            ["spec"] = body,
        };
    }
}
