// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Modelplane.Apis.InferenceClasses;
using Modelplane.Cel;
using Modelplane.Sdk;

namespace Modelplane.Functions.InferenceClasses;

/// <summary>Accepts an InferenceClass: pure data, nothing composed.</summary>
/// <remarks>
/// A class describes one kind of node by its devices; InferenceCluster pools name it and the fleet
/// scheduler matches selectors against its devices. Upstream accepts every class. We also check what
/// the XRD cannot: a device whose capacity is not a Kubernetes quantity, or whose version attribute
/// is not a semantic version, would make every selector fail on that device (the whole device is
/// unreadable to CEL), so the class says so with <c>Accepted=False</c> naming the field, instead of
/// deployments silently finding no pool.
/// </remarks>
public static class InferenceClassComposer
{
    public static Composer Composer { get; } = new("inference-class", Compose, "InferenceClass.modelplane.ai");

    public const string Accepted = "Accepted";
    public const string ReasonAvailable = "Available";
    public const string ReasonInvalidDevice = "InvalidDevice";

    public static Composition Compose(FunctionRequest req)
    {
        var cls = req.ReadComposite(InferenceClassJsonContext.Default.InferenceClass);
        var problems = Problems(cls.Spec?.Devices ?? [], req.Composite.At("spec.devices") as JsonArray);
        if (problems.Count > 0)
        {
            var message = $"invalid InferenceClass \"{req.Name}\": {string.Join("; ", problems)}; selectors cannot read these devices, so no deployment will match them";
            return new Composition
            {
                Status = Composition.StatusOf(new InferenceClassStatus(), InferenceClassJsonContext.Default.InferenceClassStatus),
                CompositeReady = Readiness.NotReady,
                Conditions = [Condition.False(Accepted, ReasonInvalidDevice, message)],
                Results = [Result.Warning(message)],
            };
        }
        return new Composition
        {
            Status = Composition.StatusOf(new InferenceClassStatus(), InferenceClassJsonContext.Default.InferenceClassStatus),
            CompositeReady = Readiness.Ready,
            Conditions = [Condition.True(Accepted, ReasonAvailable)],
        };
    }

    // The scheduler reads each device through CelDevice, which refuses the whole device on one bad value.
    private static List<string> Problems(IReadOnlyList<Device> devices, JsonArray? json)
    {
        var problems = new List<string>();
        for (var d = 0; d < devices.Count; d++)
        {
            if (CelDevice.FromJson(json?[d]).Error is { } error)
            {
                problems.Add($"spec.devices[{d}] ({devices[d].Name}): {error}");
            }
        }
        return problems;
    }
}
