// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;

namespace Modelplane.Testing;

/// <summary>Kubernetes shapes every test project builds its observed objects from, written once.</summary>
/// <remarks>The test projects import it with a static using (see their .csproj), so a fixture reads <c>Condition(...)</c>.</remarks>
public static class KubeFixtures
{
    /// <summary>The one transition time fixtures carry, so goldens never depend on a clock.</summary>
    public const string TransitionTime = "2026-01-01T00:00:00Z";

    /// <summary>A status condition as Kubernetes writes it; <paramref name="reason"/> and <paramref name="message"/> only when given.</summary>
    public static JsonObject Condition(string type, string status, string? reason = null, string? message = null)
    {
        var condition = new JsonObject { ["type"] = type, ["status"] = status };
        if (reason is not null)
        {
            condition["reason"] = reason;
        }
        condition["lastTransitionTime"] = TransitionTime;
        if (message is not null)
        {
            condition["message"] = message;
        }
        return condition;
    }
}
