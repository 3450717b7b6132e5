// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;

namespace Modelplane.Cel.Tests;

/// <summary>Reading devices from the JSON an InferenceCluster publishes.</summary>
public sealed class DeviceTests
{
    [Fact]
    public void FromJson_PublishedDevice_ReadsTypedAttributesByDomain()
    {
        var device = Fixtures.Devices["h100"];
        Assert.Null(device.Error);
        Assert.Equal("gpu.nvidia.com", device.Driver);
        Assert.Equal(["gpu.nvidia.com", "resource.kubernetes.io"], device.Attributes.Keys.Order(StringComparer.Ordinal));
        var gpu = device.Attributes["gpu.nvidia.com"];
        Assert.Equal("Hopper", gpu["architecture"].AsString());
        Assert.Equal(SemVersion.Parse("9.0.0"), gpu["cudaComputeCapability"].AsVersion());
        Assert.False(gpu["mig"].AsBool());
        Assert.Equal(132, gpu["multiprocessors"].AsInt());
        Assert.Equal("pci0000:3a", device.Attributes["resource.kubernetes.io"]["pcieRoot"].AsString());
        Assert.Equal(Quantity.Parse("81559Mi"), device.Capacity["gpu.nvidia.com"]["memory"]);
    }

    [Theory]
    [InlineData("""{"driver": "d", "attributes": {"x": {"version": "1.2.3", "string": "s"}}}""", "semver(\"1.2.3\")")]
    [InlineData("""{"driver": "d", "attributes": {"x": {"string": "s", "bool": true}}}""", "\"s\"")]
    [InlineData("""{"driver": "d", "attributes": {"x": {"bool": true, "int": 1}}}""", "true")]
    [InlineData("""{"driver": "d", "attributes": {"x": {"version": null, "int": 1}}}""", "1")]
    public void FromJson_SeveralValueKinds_PrefersVersionStringBoolInt(string json, string want) =>
        Assert.Equal(want, CelProgram.Compile("device.attributes['d'].x").Evaluate(Fixtures.Device(json)).ToString());

    [Theory]
    [InlineData("""{"driver": "d", "capacity": {"memory": {}}}""", "false")]
    [InlineData("""{"driver": "d", "capacity": {"memory": {"value": null}}}""", "false")]
    [InlineData("""{"driver": "d", "capacity": {"memory": {"value": "1Gi"}}}""", "true")]
    [InlineData("""{"driver": "d", "capacity": {"example.com/slots": {"value": "4"}}}""", "false")]
    public void FromJson_CapacityWithoutValue_IsSkipped(string json, string want) =>
        Assert.Equal(want, CelProgram.Compile("has(device.capacity['d'].memory)").Evaluate(Fixtures.Device(json)).ToString());

    [Fact]
    public void FromJson_NoDriver_UsesEmptyDomain()
    {
        var device = Fixtures.Device("""{"attributes": {"x": {"int": 1}}}""");
        Assert.Equal("", device.Driver);
        Assert.True(CelProgram.Compile("device.driver == '' && device.attributes[''].x == 1").Matches(device));
    }

    [Theory]
    [InlineData("[]", "invalid device: not a JSON object")]
    [InlineData("""{"driver": 5}""", "invalid device: driver must be a string")]
    [InlineData("""{"driver": "d", "attributes": []}""", "invalid device: attributes must be an object")]
    [InlineData("""{"driver": "d", "attributes": {"x": "plain"}}""", "invalid device attribute \"x\": not an object")]
    [InlineData("""{"driver": "d", "attributes": {"x": {"int": 1.5}}}""", "invalid device attribute \"x\": int must be an integer")]
    [InlineData("""{"driver": "d", "attributes": {"x": {"bool": "true"}}}""", "invalid device attribute \"x\": bool must be a boolean")]
    [InlineData("""{"driver": "d", "attributes": {"x": {"string": 1}}}""", "invalid device attribute \"x\": string must be a string")]
    [InlineData("""{"driver": "d", "attributes": {"x": {"version": "v1.0.0"}}}""", "invalid device attribute \"x\": invalid semantic version \"v1.0.0\": \"v1\" is not a number")]
    [InlineData("""{"driver": "d", "attributes": {"x": {"version": 1}}}""", "invalid device attribute \"x\": version must be a string")]
    [InlineData("""{"driver": "d", "capacity": {"m": {"value": 80}}}""", "invalid device capacity \"m\": value must be a string")]
    [InlineData("""{"driver": "d", "capacity": {"m": "80Gi"}}""", "invalid device capacity \"m\": not an object")]
    [InlineData("""{"driver": "d", "capacity": []}""", "invalid device: capacity must be an object")]
    public void FromJson_Malformed_MatchesNothing(string json, string error)
    {
        var device = CelDevice.FromJson(JsonNode.Parse(json));
        Assert.Equal(error, device.Error);
        Assert.False(CelProgram.Compile("true").Matches(device));
        Assert.Equal($"error: {error}", CelProgram.Compile("true").Evaluate(device).ToString());
    }

    [Fact]
    public void FromJson_Null_MatchesNothing() =>
        Assert.Equal("invalid device: not a JSON object", CelDevice.FromJson(null).Error);
}
