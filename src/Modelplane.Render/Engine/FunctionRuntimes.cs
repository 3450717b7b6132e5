// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using Apiextensions.Fn.Proto.V1;
using Modelplane.Sdk;

namespace Modelplane.Render.Engine;

/// <summary>Something that answers RunFunction: the composers in process, or a server over gRPC.</summary>
public interface IFunctionRuntime
{
    /// <summary>How the step runs, for messages: "in process" or "gRPC at localhost:9443".</summary>
    string Describe { get; }

    Task<RunFunctionResponse> RunAsync(RunFunctionRequest request, CancellationToken cancellationToken);
}

/// <summary>The composers of this build, called through the same adapter the server uses.</summary>
/// <remarks>
/// A composer that throws has a bug; the server answers such a call with gRPC INTERNAL, and so does
/// this runtime, so one broken composer fails its step with a message instead of ending a fleet render.
/// </remarks>
public sealed class InProcessRuntime(FunctionRunner runner) : IFunctionRuntime
{
    public string Describe => "in process";

    public Task<RunFunctionResponse> RunAsync(RunFunctionRequest request, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            return Task.FromResult(runner.Run(request, cancellationToken).Response);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new RenderException($"rpc error: code = Internal desc = the composer threw {e.GetType().Name}: {e.Message}");
        }
    }
}

/// <summary>Picks the runtime for each Composition step's <c>functionRef.name</c>, as <c>crossplane render</c> reads FUNCTIONS.</summary>
/// <remarks>
/// Our one function, <see cref="BuiltInFunction"/>, runs in process unless FUNCTIONS declares it with
/// the <c>Development</c> runtime, in which case it is called over gRPC at the declared target
/// (default <c>localhost:9443</c>): the same command then previews a running server. Any other
/// function must be declared with the Development runtime, since this CLI starts no containers.
/// Annotations given with <c>--function-annotations</c> override those in the file, as in Crossplane.
/// </remarks>
public sealed class FunctionRuntimes : IDisposable
{
    /// <summary>The name Crossplane gives our Function when a Configuration depends on
    /// <c>xpkg.crossplane.io/modelplane/function-modelplane</c>: ToDNSLabel of its repository path.</summary>
    public const string BuiltInFunction = "modelplane-function-modelplane";

    public const string RuntimeAnnotation = "render.crossplane.io/runtime";
    public const string DevelopmentTargetAnnotation = "render.crossplane.io/runtime-development-target";
    public const string DevelopmentRuntime = "Development";
    public const string DefaultDevelopmentTarget = "localhost:9443";

    private readonly IFunctionRuntime _builtIn;
    private readonly Dictionary<string, IFunctionRuntime> _declared = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _problems = new(StringComparer.Ordinal);

    public FunctionRuntimes(IFunctionRuntime builtIn, IEnumerable<Manifest>? functions = null, IReadOnlyDictionary<string, string>? annotationOverrides = null)
    {
        _builtIn = builtIn;
        foreach (var function in functions ?? [])
        {
            if (function.Kind != "Function" || Objects.Group(function.ApiVersion) != "pkg.crossplane.io")
            {
                throw new RenderException($"cannot load functions from {function.Source}: {function.Kind} {function.Name} is not a pkg.crossplane.io Function");
            }
            var annotations = new Dictionary<string, string>(Objects.Annotations(function.Object), StringComparer.Ordinal);
            foreach (var (key, value) in annotationOverrides ?? new Dictionary<string, string>())
            {
                annotations[key] = value;
            }
            var runtime = annotations.GetValueOrDefault(RuntimeAnnotation, "Docker");
            if (runtime == DevelopmentRuntime)
            {
                _declared[function.Name] = new GrpcFunctionClient(annotations.GetValueOrDefault(DevelopmentTargetAnnotation, DefaultDevelopmentTarget));
            }
            else if (function.Name == BuiltInFunction)
            {
                // Its Docker image is this build; running it in process is the same code without Docker.
                _declared[function.Name] = builtIn;
            }
            else
            {
                _problems[function.Name] = $"its runtime is {runtime}, and this CLI starts no containers; annotate it {RuntimeAnnotation}: {DevelopmentRuntime} and run it yourself";
            }
        }
    }

    /// <summary>The runtime for a step's function, or an error naming the step.</summary>
    public IFunctionRuntime For(string step, string function)
    {
        if (_declared.TryGetValue(function, out var runtime))
        {
            return runtime;
        }
        if (_problems.TryGetValue(function, out var problem))
        {
            throw new RenderException($"cannot run pipeline step \"{step}\": cannot run Function \"{function}\": {problem}");
        }
        if (function == BuiltInFunction)
        {
            return _builtIn;
        }
        throw new RenderException($"cannot run pipeline step \"{step}\": unknown Function \"{function}\" - only {BuiltInFunction} runs in process; declare others in FUNCTIONS with {RuntimeAnnotation}: {DevelopmentRuntime}");
    }

    public void Dispose()
    {
        foreach (var runtime in _declared.Values.OfType<IDisposable>().Distinct())
        {
            runtime.Dispose();
        }
    }
}
