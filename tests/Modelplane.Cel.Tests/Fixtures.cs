// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;

namespace Modelplane.Cel.Tests;

/// <summary>Devices and helpers shared by the test classes.</summary>
internal static class Fixtures
{
    // Devices in the shape an InferenceCluster publishes in status.gpuPools[].devices[], keyed by a
    // short name so theory rows stay readable.
    public static readonly IReadOnlyDictionary<string, CelDevice> Devices = new Dictionary<string, CelDevice>
    {
        ["h100"] = Device("""
            {
              "name": "gpu", "claim": "DRA", "count": 8, "deviceClassName": "gpu.nvidia.com",
              "driver": "gpu.nvidia.com",
              "attributes": {
                "productName": {"string": "NVIDIA H100 80GB HBM3"},
                "architecture": {"string": "Hopper"},
                "cudaComputeCapability": {"version": "9.0.0"},
                "driverVersion": {"version": "550.54.15"},
                "mig": {"bool": false},
                "nvlink": {"bool": true},
                "multiprocessors": {"int": 132},
                "resource.kubernetes.io/pcieRoot": {"string": "pci0000:3a"}
              },
              "capacity": {"memory": {"value": "81559Mi"}}
            }
            """),
        ["l4"] = Device("""
            {
              "driver": "gpu.nvidia.com",
              "attributes": {"architecture": {"string": "Ada Lovelace"}, "multiprocessors": {"int": 58}},
              "capacity": {"memory": {"value": "23034Mi"}}
            }
            """),
        ["ib-nic"] = Device("""
            {"name": "ib", "claim": "Synthetic", "driver": "nic.nvidia.com", "attributes": {"linkType": {"string": "InfiniBand"}}}
            """),
        ["widget-big-red"] = Device("""
            {"driver": "widgets.example.com", "attributes": {"shade": {"string": "red"}, "size": {"string": "big"}}}
            """),
        ["widget-tiny-blue"] = Device("""
            {"driver": "widgets.example.com", "attributes": {"shade": {"string": "blue"}, "size": {"string": "tiny"}}}
            """),
        ["accel-48gi"] = Device("""
            {"driver": "accel.example.org", "attributes": {"kind": {"string": "accelerator"}}, "capacity": {"memory": {"value": "48Gi"}}}
            """),
        ["accel-24gi"] = Device("""
            {"driver": "accel.example.org", "attributes": {"kind": {"string": "accelerator"}}, "capacity": {"memory": {"value": "24Gi"}}}
            """),
        // One bad field poisons the whole device, whatever the selector reads.
        ["short-version"] = Device("""
            {"driver": "gpu.nvidia.com", "attributes": {"architecture": {"string": "Hopper"}, "cudaComputeCapability": {"version": "9.0"}}}
            """),
        ["bad-capacity"] = Device("""
            {"driver": "gpu.nvidia.com", "attributes": {"architecture": {"string": "Hopper"}}, "capacity": {"memory": {"value": "80Go"}}}
            """),
        ["empty-attribute"] = Device("""
            {"driver": "gpu.nvidia.com", "attributes": {"architecture": {"string": "Hopper"}, "ecc": {}}}
            """),
    };

    public static CelDevice Device(string json) => CelDevice.FromJson(JsonNode.Parse(json));

    /// <summary>Compiles and evaluates, rendering the result: a CEL literal, or <c>error: …</c>.</summary>
    public static string Run(string expression, IReadOnlyDictionary<string, CelValue>? variables = null) =>
        CelProgram.Compile(expression).Evaluate(variables).ToString();

    /// <summary>Evaluates with <c>self</c> (and optionally <c>oldSelf</c>) bound to JSON.</summary>
    public static string RunOnSelf(string expression, string self, string? oldSelf = null)
    {
        var variables = new Dictionary<string, CelValue> { ["self"] = CelValue.FromJson(JsonNode.Parse(self)) };
        if (oldSelf is not null)
        {
            variables["oldSelf"] = CelValue.FromJson(JsonNode.Parse(oldSelf));
        }
        return CelProgram.Compile(expression, ["self", "oldSelf"]).Evaluate(variables).ToString();
    }
}
