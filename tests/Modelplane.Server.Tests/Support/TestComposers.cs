// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Apiextensions.Fn.Proto.V1;
using Modelplane.Sdk;
using Condition = Modelplane.Sdk.Condition;
using Result = Modelplane.Sdk.Result;

namespace Modelplane.Server.Tests.Support;

/// <summary>Composers for the in-process server: one that works, one with a bug, one that reads a typed field.</summary>
public static class TestComposers
{
    /// <summary>The kind <see cref="Ok"/> composes when a step has no input.</summary>
    public const string XrApiVersion = "modelplane.ai/v1alpha1";
    public const string XrKind = "ModelService";

    public static Composer Ok { get; } = new("ok", _ => new Composition
    {
        Resources =
        {
            ["configmap"] = DesiredResource.Of(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ConfigMap", ["data"] = new JsonObject { ["port"] = "80" } }, ready: true),
        },
        Status = new JsonObject { ["phase"] = "Composed" },
        Conditions = [Condition.True("RoutingReady", "RouteConfigured")],
        Results = [Result.Normal("composed one ConfigMap")],
    }, $"{XrKind}.modelplane.ai");

    /// <summary>A composer with a bug: the one case that may answer INTERNAL.</summary>
    public static Composer Throws { get; } = new("throws", _ => throw new InvalidOperationException("boom: index 3 out of range"));

    /// <summary>Reads <c>spec.replicas</c> as an integer; a string there is bad input, a Fatal result.</summary>
    public static Composer Typed { get; } = new("typed", request => new Composition
    {
        Results = [Result.Normal($"replicas: {request.Composite.IntegerAt("spec.replicas")}")],
    });

    /// <summary>A request from a ModelService "chat" in "team-a" to <paramref name="composer"/> (null: no input).</summary>
    public static RunFunctionRequest Request(string tag, string? composer, JsonObject? spec = null)
    {
        var request = new RunFunctionRequest
        {
            Meta = new RequestMeta { Tag = tag },
            Observed = new State
            {
                Composite = new Resource
                {
                    Resource_ = StructJson.ToStruct(new JsonObject
                    {
                        ["apiVersion"] = XrApiVersion,
                        ["kind"] = XrKind,
                        ["metadata"] = new JsonObject { ["name"] = "chat", ["namespace"] = "team-a" },
                        ["spec"] = spec ?? new JsonObject(),
                    }),
                },
            },
            Desired = new State(),
        };
        if (composer is not null)
        {
            request.Input = StructJson.ToStruct(new JsonObject
            {
                ["apiVersion"] = ComposerRegistry.InputApiVersion,
                ["kind"] = ComposerRegistry.InputKind,
                ["composer"] = composer,
            });
        }
        return request;
    }
}

/// <summary>A composer that blocks until released, for deadline, cancellation and shutdown tests.</summary>
public sealed class GateComposer : IDisposable
{
    private readonly ManualResetEventSlim _release = new();
    private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public GateComposer(string name = "gate")
    {
        Composer = new Composer(name, _ =>
        {
            _entered.TrySetResult();
            // Bounded: a test that never releases fails instead of hanging the server.
            if (!_release.Wait(TimeSpan.FromMinutes(2)))
            {
                throw new TimeoutException("the gate was never released");
            }
            return new Composition { Results = [Result.Normal("released")] };
        });
    }

    public Composer Composer { get; }

    /// <summary>Completes when a call is inside the composer.</summary>
    public Task Entered => _entered.Task;

    public void Release() => _release.Set();

    public void Dispose()
    {
        _release.Set();
        _release.Dispose();
    }
}
