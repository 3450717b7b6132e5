// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

namespace Modelplane.Cel.Tests;

/// <summary>DRA device selectors against published devices: the behaviours Modelplane's test_cel.py pins.</summary>
public sealed class SelectorTests
{
    private const string Attr = "device.attributes[\"gpu.nvidia.com\"]";
    private const string Cap = "device.capacity[\"gpu.nvidia.com\"]";

    public static TheoryData<string, string, string, bool> Cases => new()
    {
        // device.driver.
        { "driver equals", "h100", "device.driver == \"gpu.nvidia.com\"", true },
        { "driver differs", "h100", "device.driver == \"nic.nvidia.com\"", false },

        // Capacity quantities and their member functions.
        { "capacity compareTo at least equal", "h100", $"{Cap}.memory.compareTo(quantity(\"81559Mi\")) >= 0", true },
        { "capacity compareTo short of a bigger ask", "h100", $"{Cap}.memory.compareTo(quantity(\"90Gi\")) >= 0", false },
        { "capacity isGreaterThan", "h100", $"{Cap}.memory.isGreaterThan(quantity(\"40Gi\"))", true },
        { "capacity isLessThan", "h100", $"{Cap}.memory.isLessThan(quantity(\"96Gi\"))", true },
        { "capacity sign", "h100", $"{Cap}.memory.sign() == 1", true },
        { "capacity asInteger is bytes", "h100", $"{Cap}.memory.asInteger() == {81559L * 1024 * 1024}", true },
        { "capacity isInteger", "h100", $"{Cap}.memory.isInteger()", true },
        { "capacity add", "h100", $"{Cap}.memory.add(quantity(\"9Mi\")).compareTo(quantity(\"81568Mi\")) == 0", true },
        { "isQuantity accepts a fractional binary value", "h100", "isQuantity(\"2.5Gi\")", true },
        { "isQuantity rejects a capital K", "h100", "isQuantity(\"512K\")", false },

        // Version attributes and the semver library.
        { "version isGreaterThan", "h100", $"{Attr}.cudaComputeCapability.isGreaterThan(semver(\"8.6.0\"))", true },
        { "version not greater than a later one", "h100", $"{Attr}.cudaComputeCapability.isGreaterThan(semver(\"10.0.0\"))", false },
        { "version major", "h100", $"{Attr}.driverVersion.major() == 550", true },
        { "version minor", "h100", $"{Attr}.driverVersion.minor() == 54", true },
        { "version patch", "h100", $"{Attr}.driverVersion.patch() == 15", true },
        { "version equals a parsed version", "h100", $"{Attr}.cudaComputeCapability == semver(\"9.0.0\")", true },
        { "isSemver strict accepts a full version", "h100", "isSemver(\"2.3.4\")", true },
        { "isSemver strict rejects a short version", "h100", "isSemver(\"2.3\")", false },
        { "isSemver normalizing accepts a short version", "h100", "isSemver(\"2.3\", true)", true },
        { "semver normalizing overload drops the v", "h100", "semver(\"v2.3\", true).major() == 2", true },

        // Typed attributes.
        { "string attribute", "h100", $"{Attr}.architecture == \"Hopper\"", true },
        { "string attribute on another driver's domain", "ib-nic", "device.attributes[\"nic.nvidia.com\"].linkType == \"InfiniBand\"", true },
        { "bool attribute true", "h100", $"{Attr}.nvlink", true },
        { "bool attribute false", "h100", $"{Attr}.mig", false },
        { "int attribute meets a minimum", "h100", $"{Attr}.multiprocessors >= 100", true },
        { "int attribute below a minimum", "l4", $"{Attr}.multiprocessors >= 100", false },

        // Domains.
        { "qualified name lands under its own domain", "h100", "device.attributes[\"resource.kubernetes.io\"].pcieRoot == \"pci0000:3a\"", true },
        { "bare name lands under the driver's domain", "h100", $"{Attr}.productName.startsWith(\"NVIDIA H100\")", true },
        { "qualified name is not under the driver's domain", "h100", $"has({Attr}.pcieRoot)", false },

        // A malformed device matches nothing, even selectors that never read the bad field.
        { "two-part version attribute poisons the device", "short-version", "device.driver == \"gpu.nvidia.com\"", false },
        { "malformed capacity poisons the device", "bad-capacity", "device.driver == \"gpu.nvidia.com\"", false },
        { "empty attribute entry poisons the device", "empty-attribute", "device.driver == \"gpu.nvidia.com\"", false },

        // Errors and non-boolean results are non-matches.
        { "unknown attribute name", "h100", $"{Attr}.fabric == \"nvlink\"", false },
        { "string result", "h100", "\"true\"", false },
        { "int result", "h100", "1", false },
        { "unknown domain is not in attributes", "h100", "\"other.example.com\" in device.attributes", false },
        { "known domain is in attributes", "h100", "\"gpu.nvidia.com\" in device.attributes", true },
        { "unknown domain lookup then unknown name", "h100", "device.attributes[\"other.example.com\"].architecture == \"Hopper\"", false },
        { "guarded lookup in a known domain", "h100", $"\"gpu.nvidia.com\" in device.attributes && {Attr}.architecture == \"Hopper\"", true },
        { "guard short-circuits an unknown domain", "ib-nic", $"\"gpu.nvidia.com\" in device.attributes && {Attr}.architecture == \"Hopper\"", false },

        // Whole selectors as users write them.
        { "version and memory together", "h100", $"{Attr}.cudaComputeCapability.isGreaterThan(semver(\"8.9.0\")) && {Cap}.memory.compareTo(quantity(\"79Gi\")) >= 0", true },
        { "two attributes both match", "widget-big-red", "device.attributes[\"widgets.example.com\"].shade == \"red\" && device.attributes[\"widgets.example.com\"].size == \"big\"", true },
        { "two attributes, one differs", "widget-tiny-blue", "device.attributes[\"widgets.example.com\"].shade == \"red\" && device.attributes[\"widgets.example.com\"].size == \"big\"", false },
        { "other widget matches its own selector", "widget-tiny-blue", "device.attributes[\"widgets.example.com\"].shade == \"blue\"", true },
        { "device class selector in single quotes", "accel-48gi", "device.driver == 'accel.example.org' && device.attributes['accel.example.org'].kind == 'accelerator'", true },
        { "device class selector on another driver", "ib-nic", "device.driver == 'accel.example.org' && device.attributes['accel.example.org'].kind == 'accelerator'", false },
        { "claim asks for exact memory", "accel-48gi", "device.attributes['accel.example.org'].kind == 'accelerator' && device.capacity['accel.example.org'].memory == quantity('48Gi')", true },
        { "claim asks for exact memory, device has less", "accel-24gi", "device.attributes['accel.example.org'].kind == 'accelerator' && device.capacity['accel.example.org'].memory == quantity('48Gi')", false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_Selector_ReturnsExpected(string name, string device, string expression, bool want)
    {
        Assert.True(Fixtures.Devices.ContainsKey(device), name);
        Assert.Equal(want, CelProgram.Compile(expression, ["device"]).Matches(Fixtures.Devices[device]));
    }

    // The non-matches above for the right reason: each is an error, and the error says why.
    [Theory]
    [InlineData("h100", "device.attributes[\"gpu.nvidia.com\"].fabric", "error: no such key: 'fabric'")]
    [InlineData("h100", "device.attributes[\"other.example.com\"].architecture", "error: no such key: 'architecture'")]
    [InlineData("short-version", "true", "error: invalid device attribute \"cudaComputeCapability\": invalid semantic version \"9.0\": no Major.Minor.Patch elements found")]
    [InlineData("bad-capacity", "true", "error: invalid device capacity \"memory\": invalid quantity \"80Go\": expected a number with an optional suffix (n, u, m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei or an exponent)")]
    [InlineData("empty-attribute", "true", "error: invalid device attribute \"ecc\": unsupported attribute value: set one of string, version, bool or int")]
    [InlineData("h100", "device.capacity[\"gpu.nvidia.com\"].memory < quantity(\"1Gi\")", "error: no matching overload for '<' applied to (kubernetes.Quantity, kubernetes.Quantity)")]
    [InlineData("h100", "device.attributes[\"gpu.nvidia.com\"].driverVersion.compareTo(quantity(\"1\"))", "error: no matching overload for 'compareTo' applied to (kubernetes.Semver, kubernetes.Quantity)")]
    public void Evaluate_SelectorError_ReportsWhy(string device, string expression, string want) =>
        Assert.Equal(want, CelProgram.Compile(expression).Evaluate(Fixtures.Devices[device]).ToString());

    [Theory]
    [InlineData("h100", "device.driver", "\"gpu.nvidia.com\"")]
    [InlineData("h100", "device.capacity[\"gpu.nvidia.com\"].memory", "quantity(\"81559Mi\")")]
    [InlineData("h100", "device.attributes[\"gpu.nvidia.com\"].cudaComputeCapability", "semver(\"9.0.0\")")]
    [InlineData("h100", "device.attributes[\"resource.kubernetes.io\"]", "{\"pcieRoot\": \"pci0000:3a\"}")]
    [InlineData("ib-nic", "device.attributes[\"gpu.nvidia.com\"]", "{}")]
    [InlineData("ib-nic", "device.capacity", "{}")]
    [InlineData("h100", "device.attributes.map(d, d)", "[\"gpu.nvidia.com\", \"resource.kubernetes.io\"]")]
    [InlineData("h100", "has(device.name)", "false")]
    public void Evaluate_DeviceVariable_HasDraShape(string device, string expression, string want) =>
        Assert.Equal(want, CelProgram.Compile(expression).Evaluate(Fixtures.Devices[device]).ToString());

    [Fact]
    public void Compile_InvalidSelector_Throws()
    {
        var e = Assert.Throws<CelCompileException>(() => CelProgram.Compile("not ) valid ("));
        Assert.Equal(new CelCompileError(1, 5, "expected end of input but found ')'"), e.Error);
    }

    [Fact]
    public void Matches_ConstructedDevice_ReadsDomainsAndCapacity()
    {
        var device = new CelDevice(
            "gpu.example.com",
            new Dictionary<string, IReadOnlyDictionary<string, CelValue>>
            {
                ["gpu.example.com"] = new Dictionary<string, CelValue> { ["cores"] = CelValue.FromInt(16) },
            },
            new Dictionary<string, IReadOnlyDictionary<string, Quantity>>
            {
                ["gpu.example.com"] = new Dictionary<string, Quantity> { ["memory"] = Quantity.Parse("16Gi") },
            });

        Assert.True(CelProgram.Compile("device.attributes['gpu.example.com'].cores == 16 && device.capacity['gpu.example.com'].memory == quantity('16384Mi')").Matches(device));
        Assert.False(CelProgram.Compile("device.attributes['gpu.example.com'].cores == 8").Matches(device));
    }
}
