// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using Modelplane.Apis.ServingStacks;
using Modelplane.Kubernetes.Crossplane;

namespace Modelplane.Functions.ServingStacks;

/// <summary>What a ServingStack spec must hold before anything is composed, and the credentials it names.</summary>
/// <remarks>
/// The XRD rejects all of this; it is checked again because a function must never turn a slip
/// (an older XRD, a direct API write) into an exception or a half-composed stack. Each problem names
/// the field and the fix, and the composer returns it as a Fatal result, which applies nothing.
/// </remarks>
internal static class StackSpec
{
    private const int MaxPort = 65535;

    /// <summary>The first problem with <paramref name="spec"/>, or null when it can be composed.</summary>
    public static string? Invalid(ServingStackSpec? spec, string ns)
    {
        if (ns.Length == 0)
        {
            return "metadata.namespace is empty; a ServingStack is namespaced and its Secrets live in its namespace";
        }
        var secrets = spec?.Secrets ?? [];
        for (var i = 0; i < secrets.Count; i++)
        {
            if (Secret(secrets[i], $"spec.secrets[{i}]") is { } problem)
            {
                return problem;
            }
        }
        if (!secrets.Any(s => s.Type == StackSecret.KubeconfigType))
        {
            return "spec.secrets has no Kubeconfig entry; add {type: Kubeconfig, name: <Secret>, key: <key>} naming the workload cluster's kubeconfig Secret";
        }
        if (spec!.NvidiaDriverRoot is { Length: 0 })
        {
            return "spec.nvidiaDriverRoot is empty; set it to the nodes' NVIDIA driver root, or remove it for /";
        }
        return Versions(spec.Versions) ?? Gateway(spec.Gateway);
    }

    /// <summary>Credentials from the Kubeconfig entry, and the first cloud identity if any.</summary>
    /// <remarks>
    /// The kubeconfig is always read from the XR's namespace, where the InferenceCluster puts it; an
    /// identity Secret may name its own namespace.
    /// </remarks>
    public static ProviderConfigSpec ProviderConfigSpec(IReadOnlyList<StackSecret> secrets, string ns)
    {
        var kubeconfig = secrets.First(s => s.Type == StackSecret.KubeconfigType);
        var identity = secrets.FirstOrDefault(s => s.Type != StackSecret.KubeconfigType);
        return new ProviderConfigSpec
        {
            Credentials = new ProviderCredentials
            {
                Source = ProviderCredentials.SourceSecret,
                SecretRef = new SecretKeySelector { Name = kubeconfig.Name, Namespace = ns, Key = kubeconfig.Key },
            },
            Identity = identity is null
                ? null
                : new ProviderIdentity
                {
                    Type = identity.Type,
                    Source = ProviderCredentials.SourceSecret,
                    SecretRef = new SecretKeySelector { Name = identity.Name, Namespace = identity.Namespace ?? ns, Key = identity.Key },
                },
        };
    }

    private static string? Secret(StackSecret secret, string at)
    {
        if (secret.Type != StackSecret.KubeconfigType && !StackSecret.IdentityTypes.Contains(secret.Type))
        {
            return $"{at}.type \"{secret.Type}\" is not one of {StackSecret.KubeconfigType}, {string.Join(", ", StackSecret.IdentityTypes)}; set it to the kind of credential the Secret holds";
        }
        if (string.IsNullOrEmpty(secret.Name))
        {
            return $"{at}.name is missing; set it to the name of the {secret.Type} Secret";
        }
        if (string.IsNullOrEmpty(secret.Key))
        {
            return $"{at}.key is missing; set it to the key of Secret \"{secret.Name}\" that holds the {secret.Type}";
        }
        return secret.Namespace is { Length: 0 } ? $"{at}.namespace is empty; remove it to use the ServingStack's namespace" : null;
    }

    private static string? Versions(StackVersions? versions)
    {
        if (versions is null)
        {
            return null;
        }
        (string Field, string? Value)[] fields =
        [
            ("gatewayApi", versions.GatewayApi), ("certManager", versions.CertManager), ("envoyGateway", versions.EnvoyGateway),
            ("prometheus", versions.Prometheus), ("leaderWorkerSet", versions.LeaderWorkerSet),
            ("nodeFeatureDiscovery", versions.NodeFeatureDiscovery), ("nvidiaDraDriver", versions.NvidiaDraDriver),
        ];
        return fields.FirstOrDefault(f => f.Value is { Length: 0 }) is { Field: { } field }
            ? $"spec.versions.{field} is empty; set it to a chart version, or remove it for the default"
            : null;
    }

    private static string? Gateway(StackGateway? gateway)
    {
        if (gateway?.ClassName is { Length: 0 })
        {
            return "spec.gateway.className is empty; set it to a GatewayClass name, or remove it for envoy";
        }
        var listeners = gateway?.Listeners ?? [];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < listeners.Count; i++)
        {
            var listener = listeners[i];
            var at = $"spec.gateway.listeners[{i}]";
            if (string.IsNullOrEmpty(listener.Name))
            {
                return $"{at}.name is missing; name the listener, such as http";
            }
            if (!seen.Add(listener.Name))
            {
                return $"{at}.name \"{listener.Name}\" is used by an earlier listener; give each listener its own name";
            }
            // Its bounds are the record's [Range], refused by the typed read; only a missing port reaches here.
            if (listener.Port is null)
            {
                return $"{at}.port is missing; set it to a port from 1 to {MaxPort}";
            }
            if (listener.Protocol is not (StackListener.Http or StackListener.Tcp))
            {
                return $"{at}.protocol \"{listener.Protocol}\" is not HTTP or TCP; set one of them";
            }
        }
        return null;
    }
}
