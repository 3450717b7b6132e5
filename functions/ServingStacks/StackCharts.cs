// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Modelplane.Apis.ServingStacks;

namespace Modelplane.Functions.ServingStacks;

/// <summary>One Helm chart the serving stack installs: its desired-resource key and where it comes from.</summary>
internal sealed record StackChart(string Key, string Chart, string Repository, string Version, string Namespace, JsonObject? Values);

/// <summary>The Helm charts of a serving stack, at the versions the spec asks for, with their values.</summary>
/// <remarks>
/// The Envoy AI Gateway charts are pinned (v0.7.0 is the release whose ext-proc server resolves
/// InferencePool backends for Envoy Gateway v1.8); everything else follows <c>spec.versions</c>.
/// </remarks>
internal static class StackCharts
{
    // Desired-resource keys, upstream's literals; the envoy-gateway key is also a Usage's selector label.
    public const string CertManager = "cert-manager";
    public const string EnvoyGateway = "envoy-gateway";
    public const string AiGatewayCrds = "ai-gateway-crds";
    public const string AiGateway = "ai-gateway";
    public const string Prometheus = "prometheus";
    public const string LeaderWorkerSet = "leader-worker-set";
    public const string NodeFeatureDiscovery = "node-feature-discovery";
    public const string DraDriver = "dra-driver";

    private const string AiGatewayVersion = "v0.7.0";
    private const string EnvoyRepository = "oci://docker.io/envoyproxy";

    // The Envoy AI Gateway's ext-proc server, which Envoy Gateway asks to resolve InferencePool backends.
    private const string AiGatewayControllerHost = "ai-gateway-controller.envoy-ai-gateway-system.svc.cluster.local";
    private const int AiGatewayControllerPort = 1063;

    // Envoy's admin stats port inside every proxy pod; the scrape job rewrites pod addresses to it.
    private const string EnvoyStatsPort = "19001";

    public static IReadOnlyList<StackChart> For(StackVersions? versions, string nvidiaDriverRoot) =>
    [
        new(CertManager, "cert-manager", "https://charts.jetstack.io", versions?.CertManager ?? StackVersions.DefaultCertManager, "cert-manager",
            new JsonObject { ["crds"] = new JsonObject { ["enabled"] = true, ["keep"] = false } }),
        new(EnvoyGateway, "gateway-helm", EnvoyRepository, versions?.EnvoyGateway ?? StackVersions.DefaultEnvoyGateway, "envoy-gateway-system", EnvoyGatewayValues()),
        new(AiGatewayCrds, "ai-gateway-crds-helm", EnvoyRepository, AiGatewayVersion, "envoy-ai-gateway-system", null),
        new(AiGateway, "ai-gateway-helm", EnvoyRepository, AiGatewayVersion, "envoy-ai-gateway-system", null),
        new(Prometheus, "kube-prometheus-stack", "https://prometheus-community.github.io/helm-charts", versions?.Prometheus ?? StackVersions.DefaultPrometheus, "monitoring", PrometheusValues()),
        new(LeaderWorkerSet, "lws", "oci://registry.k8s.io/lws/charts", versions?.LeaderWorkerSet ?? StackVersions.DefaultLeaderWorkerSet, "lws-system", null),
        new(NodeFeatureDiscovery, "node-feature-discovery", "oci://registry.k8s.io/nfd/charts", versions?.NodeFeatureDiscovery ?? StackVersions.DefaultNodeFeatureDiscovery, "node-feature-discovery", NodeFeatureDiscoveryValues()),
        new(DraDriver, "dra-driver-nvidia-gpu", "oci://registry.k8s.io/dra-driver-nvidia/charts", versions?.NvidiaDraDriver ?? StackVersions.DefaultNvidiaDraDriver, "dra-driver-nvidia-gpu", DraDriverValues(nvidiaDriverRoot)),
    ];

    // Envoy Gateway hands InferencePool backendRefs to the AI Gateway's extension server, which
    // needs to see (and post-process) every listener, route, cluster and secret it translates.
    private static JsonObject EnvoyGatewayValues()
    {
        var includeAll = () => new JsonObject { ["includeAll"] = true };
        return new JsonObject
        {
            ["config"] = new JsonObject
            {
                ["envoyGateway"] = new JsonObject
                {
                    ["extensionApis"] = new JsonObject { ["enableBackend"] = true },
                    ["extensionManager"] = new JsonObject
                    {
                        ["hooks"] = new JsonObject
                        {
                            ["xdsTranslator"] = new JsonObject
                            {
                                ["translation"] = new JsonObject
                                {
                                    ["listener"] = includeAll(),
                                    ["route"] = includeAll(),
                                    ["cluster"] = includeAll(),
                                    ["secret"] = includeAll(),
                                },
                                ["post"] = new JsonArray("Translation", "Cluster", "Route"),
                            },
                        },
                        ["service"] = new JsonObject
                        {
                            ["fqdn"] = new JsonObject { ["hostname"] = AiGatewayControllerHost, ["port"] = AiGatewayControllerPort },
                        },
                        ["backendResources"] = new JsonArray(new JsonObject
                        {
                            ["group"] = "inference.networking.k8s.io",
                            ["kind"] = "InferencePool",
                            ["version"] = "v1",
                        }),
                    },
                },
            },
        };
    }

    // A predictable Service name (prometheus-prometheus.monitoring:9090), PodMonitors found in any
    // namespace, and the Envoy proxies' in-flight request stats scraped for load-aware routing.
    private static JsonObject PrometheusValues() => new()
    {
        ["fullnameOverride"] = "prometheus",
        ["prometheus"] = new JsonObject
        {
            ["prometheusSpec"] = new JsonObject
            {
                ["podMonitorSelectorNilUsesHelmValues"] = false,
                ["podMonitorNamespaceSelector"] = new JsonObject(),
                ["additionalScrapeConfigs"] = new JsonArray(new JsonObject
                {
                    ["job_name"] = "envoy-gateway-proxy",
                    ["metrics_path"] = "/stats/prometheus",
                    ["kubernetes_sd_configs"] = new JsonArray(new JsonObject
                    {
                        ["role"] = "pod",
                        ["namespaces"] = new JsonObject { ["names"] = new JsonArray("envoy-gateway-system") },
                    }),
                    ["relabel_configs"] = new JsonArray(
                        new JsonObject
                        {
                            ["source_labels"] = new JsonArray("__meta_kubernetes_pod_label_app_kubernetes_io_component"),
                            ["action"] = "keep",
                            ["regex"] = "proxy",
                        },
                        new JsonObject
                        {
                            ["source_labels"] = new JsonArray("__address__"),
                            ["action"] = "replace",
                            ["regex"] = "([^:]+)(?::\\d+)?",
                            ["replacement"] = $"$1:{EnvoyStatsPort}",
                            ["target_label"] = "__address__",
                        }),
                }),
            },
        },
        ["grafana"] = new JsonObject { ["enabled"] = false },
        ["alertmanager"] = new JsonObject { ["enabled"] = false },
    };

    // GPU nodes are usually tainted; NFD must label them (pci-10de) for the DRA kubelet plugin to land.
    private static JsonObject NodeFeatureDiscoveryValues() => new()
    {
        ["worker"] = new JsonObject
        {
            ["tolerations"] = new JsonArray(new JsonObject
            {
                ["key"] = "nvidia.com/gpu",
                ["operator"] = "Exists",
                ["effect"] = "NoSchedule",
            }),
        },
    };

    // Compute domains need the IMEX daemon (multi-node NVLink), which we do not install; the driver
    // root goes in only when it is not the chart's default, so default clusters keep default values.
    private static JsonObject DraDriverValues(string nvidiaDriverRoot)
    {
        var values = new JsonObject
        {
            ["gpuResourcesEnabledOverride"] = true,
            ["resources"] = new JsonObject { ["computeDomains"] = new JsonObject { ["enabled"] = false } },
        };
        if (nvidiaDriverRoot != ServingStackSpec.DefaultNvidiaDriverRoot)
        {
            values["nvidiaDriverRoot"] = nvidiaDriverRoot;
        }
        return values;
    }
}
