// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Modelplane.Composers;
using Modelplane.Render.Engine;
using Modelplane.Render.Fleet;
using Modelplane.Render.Output;
using Modelplane.Render.Validation;
using Modelplane.Sdk;
using Modelplane.Yaml;

namespace Modelplane.Render.Commands;

/// <summary><c>modelplane render XR COMPOSITION [FUNCTIONS]</c>, crossplane render's arguments and flags, and <c>--fleet DIR</c>.</summary>
public static partial class RenderCommand
{
    private static readonly Argument<string?> Xr = new("xr")
    {
        Description = "A YAML file specifying the composite resource (XR) to render.",
        Arity = ArgumentArity.ZeroOrOne,
    };

    private static readonly Argument<string?> CompositionFile = new("composition")
    {
        Description = "A YAML file specifying the Composition to use to render the XR. Must be mode: Pipeline.",
        Arity = ArgumentArity.ZeroOrOne,
    };

    private static readonly Argument<string?> Functions = new("functions")
    {
        Description = "A YAML file or directory of Functions. Optional: modelplane-function-modelplane runs in process unless declared with render.crossplane.io/runtime: Development.",
        Arity = ArgumentArity.ZeroOrOne,
    };

    private static readonly Option<string?> ObservedResources = new("--observed-resources", "-o")
    {
        Description = "A YAML file or directory of YAML files specifying the observed state of composed resources.",
    };

    private static readonly Option<string[]> RequiredResources = new("--required-resources", "-e")
    {
        Description = "A YAML file or directory of YAML files specifying required resources; repeat for more.",
    };

    private static readonly Option<string[]> ExtraResources = new("--extra-resources")
    {
        Description = "Deprecated alias of --required-resources.",
    };

    private static readonly Option<string[]> ContextFiles = new("--context-files")
    {
        Description = "KEY=FILE: seed the pipeline context key with the JSON/YAML in FILE; repeat for more.",
    };

    private static readonly Option<string[]> ContextValues = new("--context-values")
    {
        Description = "KEY=VALUE: seed the pipeline context key with the JSON/YAML VALUE; wins over --context-files.",
    };

    private static readonly Option<string?> RequiredSchemas = new("--required-schemas", "-s")
    {
        Description = "A directory of JSON files specifying OpenAPI v3 schemas (from kubectl get --raw /openapi/v3/<group-version>).",
    };

    private static readonly Option<string> CrossplaneVersion = new("--crossplane-version")
    {
        Description = "Print what the crossplane render of this Crossplane CLI version prints: v2.3 and later (the default) print the reconciler's whole XR, resourceRefs and events; v2.2 and earlier print the XR's status and step results.",
        DefaultValueFactory = _ => DefaultCrossplaneVersion,
    };

    private static readonly Option<bool> IncludeFunctionResults = new("--include-function-results", "-r")
    {
        Description = "Include informational and warning messages from Functions in the rendered output as resources of kind: Result.",
    };

    private static readonly Option<bool> IncludeFullXr = new("--include-full-xr", "-x")
    {
        Description = "Include a direct copy of the input XR's spec and metadata fields in the rendered output.",
    };

    private static readonly Option<bool> IncludeContext = new("--include-context", "-c")
    {
        Description = "Include the context in the rendered output as a resource of kind: Context.",
    };

    private static readonly Option<string?> FunctionCredentials = new("--function-credentials")
    {
        Description = "A YAML file or directory of YAML files specifying Secrets for the steps' credentials.",
    };

    private static readonly Option<string[]> FunctionAnnotations = new("--function-annotations", "-a")
    {
        Description = "KEY=VALUE: override an annotation on every Function; repeat for more.",
    };

    private static readonly Option<string?> XrdFile = new("--xrd")
    {
        Description = "A YAML file specifying the XRD whose schema defaults are applied to the XR before rendering.",
    };

    private static readonly Option<string> TimeoutOption = new("--timeout")
    {
        Description = "How long to run before timing out (Go duration, e.g. 30s, 1m).",
        DefaultValueFactory = _ => "1m",
    };

    private static readonly Option<string?> FleetDir = new("--fleet")
    {
        Description = "Render every manifest in DIR as one fleet, feeding composed XRs back in, until nothing changes.",
    };

    private static readonly Option<bool> AssumeReady = new("--assume-ready")
    {
        Description = "With --fleet: observe every composed resource as a healthy controller reports it, so gated steps proceed.",
    };

    private static readonly Option<string> PackageDir = new("--package")
    {
        Description = "With --fleet: the Configuration package whose Compositions render the fleet.",
        DefaultValueFactory = _ => "package",
    };

    private static readonly Option<string> Format = new("--format")
    {
        Description = "With --fleet: text (the XR tree and the summary) or yaml (every object, the summary as comments).",
        DefaultValueFactory = _ => "text",
    };

    private static readonly Option<int> MaxRounds = new("--max-rounds")
    {
        Description = "With --fleet: rounds before a fleet that keeps changing is reported as unsettled.",
        DefaultValueFactory = _ => new FleetOptions().MaxRounds,
    };

    /// <summary>The Crossplane version our packages require (spec.crossplane.version), whose render output is the default.</summary>
    public const string DefaultCrossplaneVersion = "v2.3";

    public static Command Command { get; } = Create();

    private static Command Create()
    {
        var command = new Command("render", "Render an XR through its Composition's pipeline, as crossplane render does, or a whole fleet with --fleet.")
        {
            Xr, CompositionFile, Functions,
            ObservedResources, RequiredResources, ExtraResources, RequiredSchemas, CrossplaneVersion, ContextFiles, ContextValues,
            IncludeFunctionResults, IncludeFullXr, IncludeContext, FunctionCredentials, FunctionAnnotations,
            XrdFile, TimeoutOption, FleetDir, AssumeReady, PackageDir, Format, MaxRounds,
        };
        Format.AcceptOnlyFromAmong("text", "yaml");
        CrossplaneVersion.Validators.Add(result =>
        {
            if (ReconcilerShape(result.GetValueOrDefault<string>()) is null)
            {
                result.AddError($"invalid --crossplane-version \"{result.GetValueOrDefault<string>()}\": give a version such as v2.2 or v2.3.0");
            }
        });
        command.SetAction((parse, cancellationToken) => RunAsync(parse, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var output = parse.InvocationConfiguration.Output;
        var error = parse.InvocationConfiguration.Error;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(ParseDuration(parse.GetValue(TimeoutOption)!));
            return parse.GetValue(FleetDir) is { } fleet
                ? await FleetAsync(parse, fleet, output, error, timeout.Token).ConfigureAwait(false)
                : await OneAsync(parse, output, error, timeout.Token).ConfigureAwait(false);
        }
        catch (RenderException e)
        {
            return Writer.Fail(error, e.Message);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Writer.Fail(error, $"cannot render: timed out after {parse.GetValue(TimeoutOption)}; raise --timeout");
        }
    }

    private static async Task<int> OneAsync(ParseResult parse, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var xrPath = parse.GetValue(Xr);
        var compositionPath = parse.GetValue(CompositionFile);
        if (xrPath is null || compositionPath is null)
        {
            return Usage.Fail(parse, error, "render needs XR and COMPOSITION files (or --fleet DIR)");
        }
        var xr = Manifests.LoadOne(xrPath, "composite resource").Object;
        var composition = Manifests.LoadOne(compositionPath, "Composition");
        CheckComposition(xr, composition);
        if (parse.GetValue(XrdFile) is { } xrdPath)
        {
            var xrd = Manifests.LoadOne(xrdPath, "XRD");
            XrdSchemas.From([xrd]).ApplyDefaults(xr);
        }

        var observed = parse.GetValue(ObservedResources) is { } observedPath ? Manifests.Load(observedPath) : [];
        var required = Manifests.Load((parse.GetValue(RequiredResources) ?? []).Concat(parse.GetValue(ExtraResources) ?? []));
        var credentials = parse.GetValue(FunctionCredentials) is { } credentialsPath ? Manifests.Load(credentialsPath) : [];
        var functions = parse.GetValue(Functions) is { } functionsPath ? Manifests.Load(functionsPath) : [];
        var schemas = parse.GetValue(RequiredSchemas) is { } schemasPath ? SchemaStore.Load(schemasPath) : SchemaStore.Empty;

        using var runtimes = new FunctionRuntimes(
            new InProcessRuntime(new FunctionRunner(AllComposers.Registry)),
            functions,
            Pairs(parse.GetValue(FunctionAnnotations), "--function-annotations"));
        var result = await new PipelineRenderer(runtimes).RenderAsync(new RenderInputs
        {
            Composite = xr,
            Composition = composition.Object,
            Observed = observed.Select(o => o.Object).ToArray(),
            Required = new ObjectStore(required.Select(r => r.Object)),
            Credentials = credentials.Select(c => c.Object).ToArray(),
            Schemas = schemas,
            Context = Context(parse),
        }, cancellationToken).ConfigureAwait(false);
        if (result.Error is not null)
        {
            return Writer.Fail(error, $"cannot render composite resource: {result.Error}");
        }
        var options = new RenderOutputOptions
        {
            IncludeFunctionResults = parse.GetValue(IncludeFunctionResults),
            IncludeFullXr = parse.GetValue(IncludeFullXr),
            IncludeContext = parse.GetValue(IncludeContext),
        };
        Writer.Yaml(output, ReconcilerShape(parse.GetValue(CrossplaneVersion)!) == true
            ? ReconcilerOutput.Documents(result, xr, composition.Name, options)
            : RenderOutput.Documents(result, xr, options));
        return Writer.ExitOk;
    }

    private static async Task<int> FleetAsync(ParseResult parse, string directory, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(directory))
        {
            return Writer.Fail(error, $"cannot render fleet: {directory} is not a directory");
        }
        var packageDir = parse.GetValue(PackageDir)!;
        if (!Directory.Exists(packageDir))
        {
            return Writer.Fail(error, $"cannot render fleet: package directory {packageDir} does not exist; run from the repository root or pass --package");
        }
        var compositions = FleetRenderer.CompositionsByType(Manifests.Load(packageDir));
        using var runtimes = new FunctionRuntimes(new InProcessRuntime(new FunctionRunner(AllComposers.Registry)));
        var options = new FleetOptions { AssumeReady = parse.GetValue(AssumeReady), MaxRounds = parse.GetValue(MaxRounds) };
        if (options.MaxRounds < 1)
        {
            return Writer.Fail(error, "--max-rounds must be at least 1");
        }
        var fleet = await new FleetRenderer(new PipelineRenderer(runtimes), compositions)
            .RenderAsync(Manifests.Load(directory), options, cancellationToken).ConfigureAwait(false);
        if (parse.GetValue(Format) == "yaml")
        {
            Writer.Yaml(output, FleetReport.Documents(fleet));
            foreach (var line in FleetReport.Summary(fleet).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                output.Write($"# {line}\n");
            }
        }
        else
        {
            output.Write(FleetReport.Text(fleet, directory, options.AssumeReady));
        }
        if (!fleet.Settled)
        {
            return Writer.Fail(error, fleet.Problems[^1]);
        }
        // A fleet that renders with failed pipelines is a finding, not a preview: say so in the exit code.
        return fleet.Problems.Count == 0
            ? Writer.ExitOk
            : Writer.Fail(error, $"the fleet rendered with {fleet.Problems.Count} {(fleet.Problems.Count == 1 ? "problem" : "problems")}; see PROBLEMS above");
    }

    // crossplane render refuses a Composition for another type before running anything.
    private static void CheckComposition(JsonObject xr, Manifest composition)
    {
        if (composition.Kind != "Composition")
        {
            throw new RenderException($"cannot load Composition from {composition.Source}: it holds a {composition.Kind}, not a Composition");
        }
        var typeRef = (composition.Object["spec"] as JsonObject)?["compositeTypeRef"] as JsonObject;
        var kind = Objects.String(typeRef?["kind"]);
        var apiVersion = Objects.String(typeRef?["apiVersion"]);
        if (kind != Objects.Kind(xr))
        {
            throw new RenderException($"composition's compositeTypeRef.kind ({kind}) does not match XR's kind ({Objects.Kind(xr)})");
        }
        if (apiVersion != Objects.ApiVersion(xr))
        {
            throw new RenderException($"composition's compositeTypeRef.apiVersion ({apiVersion}) does not match XR's apiVersion ({Objects.ApiVersion(xr)})");
        }
    }

    private static JsonObject? Context(ParseResult parse)
    {
        var files = Pairs(parse.GetValue(ContextFiles), "--context-files");
        var values = Pairs(parse.GetValue(ContextValues), "--context-values");
        if (files.Count == 0 && values.Count == 0)
        {
            return null;
        }
        var context = new JsonObject();
        foreach (var (key, file) in files)
        {
            context[key] = ParseValue(File.Exists(file) ? File.ReadAllText(file) : throw new RenderException($"cannot read context value for key \"{key}\": {file} does not exist"), key);
        }
        foreach (var (key, value) in values)
        {
            context[key] = ParseValue(value, key);
        }
        return context;
    }

    private static JsonNode? ParseValue(string text, string key)
    {
        try
        {
            return YamlJson.Read(text);
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new RenderException($"cannot unmarshal YAML/JSON for context key \"{key}\": {e.Message}");
        }
    }

    private static SortedDictionary<string, string> Pairs(string[]? items, string flag)
    {
        var pairs = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in items ?? [])
        {
            var equals = item.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new RenderException($"invalid {flag} \"{item}\": expected KEY=VALUE");
            }
            pairs[item[..equals]] = item[(equals + 1)..];
        }
        return pairs;
    }

    /// <summary>True when the CLI of <paramref name="version"/> renders through Crossplane's reconciler (v2.3 and later); null when it is no version.</summary>
    public static bool? ReconcilerShape(string? version)
    {
        var match = VersionPattern().Match(version ?? "");
        if (!match.Success)
        {
            return null;
        }
        var major = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        var minor = int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture);
        return major > 2 || (major == 2 && minor >= 3);
    }

    [GeneratedRegex(@"^v?([0-9]{1,4})\.([0-9]{1,4})(\.[0-9]{1,4})?$")]
    private static partial Regex VersionPattern();

    /// <summary>A Go duration such as <c>90s</c>, <c>1m30s</c> or <c>500ms</c>.</summary>
    public static TimeSpan ParseDuration(string text)
    {
        var matches = DurationPart().Matches(text);
        if (text.Length == 0 || matches.Sum(m => m.Length) != text.Length)
        {
            throw new RenderException($"invalid --timeout \"{text}\": give a Go duration such as 30s, 1m or 1m30s");
        }
        var total = TimeSpan.Zero;
        foreach (Match m in matches)
        {
            var value = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            total += m.Groups[2].Value switch
            {
                "h" => TimeSpan.FromHours(value),
                "m" => TimeSpan.FromMinutes(value),
                "s" => TimeSpan.FromSeconds(value),
                "ms" => TimeSpan.FromMilliseconds(value),
                "us" or "µs" => TimeSpan.FromMicroseconds(value),
                _ => TimeSpan.FromTicks((long)(value / 100)),
            };
        }
        return total;
    }

    [GeneratedRegex(@"([0-9]+(?:\.[0-9]+)?)(h|ms|m|s|us|µs|ns)")]
    private static partial Regex DurationPart();
}
