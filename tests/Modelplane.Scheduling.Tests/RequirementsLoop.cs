// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Apiextensions.Fn.Proto.V1;
using Modelplane.Render.Engine;
using Modelplane.Sdk;
using Modelplane.Testing;

namespace Modelplane.Scheduling.Tests;

/// <summary>Crossplane's required-resources loop over a fixed set of objects, as the render CLI runs it.</summary>
/// <remarks>
/// The loop and the selector semantics are the CLI's own (<see cref="PipelineRenderer.RunWithRequirementsAsync"/>
/// over an <see cref="ObjectStore"/>), so these tests fetch exactly as <c>modelplane render</c> and
/// Crossplane do; this class only keeps the request of the last call, whose response Crossplane applies.
/// </remarks>
internal static class RequirementsLoop
{
    /// <summary>The request of the last call, whose response Crossplane would apply.</summary>
    public static RunFunctionRequest Final(Composer composer, JsonObject xr, IReadOnlyList<JsonObject> objects, IReadOnlyDictionary<string, JsonObject>? observed = null)
    {
        var runtime = new Recording(composer);
        PipelineRenderer.RunWithRequirementsAsync(runtime, FunctionHost.Request(composer.Name, xr, null, observed), new ObjectStore(objects), CancellationToken.None)
            .GetAwaiter().GetResult();
        return runtime.Last!;
    }

    private sealed class Recording(Composer composer) : IFunctionRuntime
    {
        public RunFunctionRequest? Last { get; private set; }

        public string Describe => "in process, recording";

        public Task<RunFunctionResponse> RunAsync(RunFunctionRequest request, CancellationToken cancellationToken)
        {
            Last = request.Clone();
            return Task.FromResult(FunctionHost.Run(request, composer));
        }
    }
}
