// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Modelplane.Functions.ModelReplicas;
using Modelplane.Yaml;

namespace Modelplane.Replica.Tests.ModelReplicas;

public sealed class EppConfigTests
{
    [Fact]
    public void Unified_Config_ScoresByPrefixAndQueueWithoutDecider()
    {
        var text = EppConfig.Unified(32);
        var config = (JsonObject)YamlJson.Read(text)!;
        Assert.Equal("llm-d.ai/v1alpha1", config["apiVersion"]!.GetValue<string>());
        Assert.Equal(32, config["plugins"]![0]!["parameters"]!["blockSizeTokens"]!.GetValue<long>());
        Assert.False(config["plugins"]![0]!["parameters"]!["autoTune"]!.GetValue<bool>());
        Assert.Equal(["approx-prefix-cache-producer", "utilization-detector", "prefix-cache-scorer", "queue-scorer", "max-score-picker"], Types(config));
        Assert.Equal(["default"], Profiles(config));
        Assert.DoesNotContain("prefill", text, StringComparison.Ordinal);
        Assert.DoesNotContain("decider", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Disaggregated_Config_ArmsDeciderWithSixteenTokens()
    {
        var text = EppConfig.Disaggregated(64);
        var config = (JsonObject)YamlJson.Read(text)!;
        Assert.Equal(64, config["plugins"]![0]!["parameters"]!["blockSizeTokens"]!.GetValue<long>());
        Assert.Contains("prefix-based-pd-decider", Types(config));
        Assert.Contains("disagg-profile-handler", Types(config));
        var decider = config["plugins"]!.AsArray().Single(p => p!["type"]!.GetValue<string>() == "prefix-based-pd-decider")!;
        Assert.Equal(16, decider["parameters"]!["nonCachedTokens"]!.GetValue<long>());
        Assert.Equal(["prefill", "decode"], Profiles(config));
        Assert.DoesNotContain("prepareDataPlugins", text, StringComparison.Ordinal);
    }

    // Criticality needs both: a saturation signal, and flow control so Critical is dispatched first.
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Config_Criticality_FlowControlOnWithUtilizationDetector(bool disaggregated)
    {
        var config = (JsonObject)YamlJson.Read(disaggregated ? EppConfig.Disaggregated(16) : EppConfig.Unified(16))!;
        Assert.Equal(["flowControl"], config["featureGates"]!.AsArray().Select(g => g!.GetValue<string>()).ToArray());
        Assert.Equal("utilization-detector", config["flowControl"]!["saturationDetector"]!["pluginRef"]!.GetValue<string>());
        Assert.Equal("30s", config["flowControl"]!["defaultRequestTTL"]!.GetValue<string>());
        var detector = config["plugins"]!.AsArray().Single(p => p!["type"]!.GetValue<string>() == "utilization-detector")!;
        Assert.Equal(5, detector["parameters"]!["queueDepthThreshold"]!.GetValue<long>());
        Assert.Equal(0.8, detector["parameters"]!["kvCacheUtilThreshold"]!.GetValue<double>());
    }

    [Fact]
    public void Checksum_Config_IsSha256HexThatFollowsTheText()
    {
        Assert.Matches("^[0-9a-f]{64}$", EppConfig.Checksum(EppConfig.Unified(16)));
        Assert.NotEqual(EppConfig.Checksum(EppConfig.Unified(16)), EppConfig.Checksum(EppConfig.Unified(32)));
    }

    private static string[] Types(JsonObject config) =>
        config["plugins"]!.AsArray().Select(p => p!["type"]!.GetValue<string>()).ToArray();

    private static string[] Profiles(JsonObject config) =>
        config["schedulingProfiles"]!.AsArray().Select(p => p!["name"]!.GetValue<string>()).ToArray();
}
