// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Modelplane.Functions.ModelReplicas;

/// <summary>The endpoint picker's configuration: prefix-cache-aware scoring, and for PrefillDecode the P/D decider.</summary>
/// <remarks>
/// <para>
/// Both variants run the approximate prefix-cache producer with <c>autoTune: false</c> and the engine's
/// real KV block size: with auto-tuning on, the prefix-match attribute the scorer reads is never
/// populated. The picker then scores pods by prefix-cache hit (weight 2) and queue depth (weight 1).
/// </para>
/// <para>
/// The disaggregated variant adds a prefill and a decode profile and the prefix-based decider: a
/// request whose uncached suffix is at least 16 tokens is prefilled on the prefill engine and decoded
/// over NIXL; shorter or cache-hot requests are served decode-only (0 would disable the decider). It
/// must never carry a <c>prepareDataPlugins</c> feature gate, which crashes the v0.9 picker.
/// </para>
/// <para>
/// Criticality: both variants turn on the picker's flow control (<c>featureGates: [flowControl]</c>,
/// which llm-d-router v0.9 supports) with the utilization saturation detector at its documented
/// thresholds (5 waiting requests or 80% KV cache per pod). While the pool is saturated, requests
/// wait in the picker in priority bands and the highest band is dispatched first: Critical (priority
/// 100), then Standard (0), then Sheddable (-100). A request that waits longer than
/// <see cref="QueueTtl"/> is answered 503, and one the queue has no room for 429; the picker's
/// legacy admission (flow control off) would instead refuse Sheddable outright with 429 while
/// saturated but never put Critical ahead of Standard. See docs/criticality.md.
/// </para>
/// The text is written by hand, not serialised, so its bytes (and the checksum that rolls the
/// picker's pod) change only when its meaning does.
/// </remarks>
internal static class EppConfig
{
    /// <summary>The ConfigMap key the picker reads, under <see cref="MountPath"/>.</summary>
    public const string FileName = "epp-config.yaml";

    public const string MountPath = "/config";

    /// <summary>How long a request may wait in the picker's queue while the pool is saturated before it is answered 503.</summary>
    /// <remarks>Long enough to ride out a burst, short enough that a client's retry or the fleet's next tier is the better bet.</remarks>
    public const string QueueTtl = "30s";

    /// <summary>Uncached tokens at which a request is worth a prefill hop.</summary>
    private const int NonCachedTokens = 16;

    private const string Scoring = """
          - pluginRef: max-score-picker
          - pluginRef: prefix-cache-scorer
            weight: 2
          - pluginRef: queue-scorer
            weight: 1

        """;

    public static string Unified(int blockSize) =>
        Header(blockSize) + """
        - type: utilization-detector
          parameters:
            queueDepthThreshold: 5
            kvCacheUtilThreshold: 0.8
        - type: prefix-cache-scorer
        - type: queue-scorer
        - type: max-score-picker
        schedulingProfiles:
        - name: default
          plugins:

        """ + Scoring;

    public static string Disaggregated(int blockSize) =>
        Header(blockSize) + $"""
        - type: utilization-detector
          parameters:
            queueDepthThreshold: 5
            kvCacheUtilThreshold: 0.8
        - type: prefix-cache-scorer
        - type: disagg-headers-handler
        - type: queue-scorer
        - type: prefill-filter
        - type: decode-filter
        - type: max-score-picker
        - type: prefix-based-pd-decider
          parameters:
            nonCachedTokens: {NonCachedTokens}
        - type: disagg-profile-handler
          parameters:
            deciders:
              prefill: prefix-based-pd-decider
        schedulingProfiles:
        - name: prefill
          plugins:
          - pluginRef: prefill-filter

        """ + Scoring + """
        - name: decode
          plugins:
          - pluginRef: decode-filter

        """ + Scoring;

    /// <summary>The SHA-256 of the text, hex: a pod annotation, so a config change rolls the picker.</summary>
    public static string Checksum(string config) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(config)));

    private static string Header(int blockSize) => $"""
        apiVersion: llm-d.ai/v1alpha1
        kind: EndpointPickerConfig
        featureGates:
        - flowControl
        flowControl:
          defaultRequestTTL: {QueueTtl}
          saturationDetector:
            pluginRef: utilization-detector
        plugins:
        - type: approx-prefix-cache-producer
          parameters:
            autoTune: false
            blockSizeTokens: {blockSize.ToString(CultureInfo.InvariantCulture)}
            maxPrefixBlocksToMatch: 256
            lruCapacityPerServer: 31250

        """;
}
