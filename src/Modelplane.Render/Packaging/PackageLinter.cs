// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Modelplane.Render.Engine;
using Modelplane.Sdk;
using Modelplane.Yaml;

namespace Modelplane.Render.Packaging;

/// <summary>What <c>crossplane xpkg build</c> and an install would reject in our packages, checked offline.</summary>
/// <remarks>
/// The Configuration package is <c>package/</c>: <c>crossplane.yaml</c> (the metadata object, which the
/// package stream must open with) and every other YAML file below it, in path order. xpkg's linter
/// allows one Configuration metadata object plus XRDs, Compositions, ManagedResourceActivationPolicies
/// and Operations, nothing else. An install then needs every Composition to compose a type an XRD
/// defines (at its referenceable version), every step's <c>functionRef.name</c> to be the name
/// Crossplane gives a Function dependency (ToDNSLabel of its repository path), and, for us, every XRD
/// to have a Composition and every step to name a composer this build registers. The Function
/// package is the root <c>crossplane.yaml</c>: one Function metadata object that declares the
/// composition capability. Problems are returned, not thrown, so one run reports all of them.
/// </remarks>
public static partial class PackageLinter
{
    public const string MetaGroup = "meta.pkg.crossplane.io";
    public const string MetadataFile = "crossplane.yaml";

    /// <summary>The Function package's root: its metadata and the step input's CRD.</summary>
    public const string FunctionPackageDir = "function-package";

    // What crossplane-runtime's xpkg linter accepts beside the Configuration metadata.
    private static readonly HashSet<string> AllowedKinds = new(StringComparer.Ordinal)
    {
        "apiextensions.crossplane.io|CompositeResourceDefinition",
        "apiextensions.crossplane.io|Composition",
        "apiextensions.crossplane.io|ManagedResourceActivationPolicy",
        "ops.crossplane.io|Operation",
        "ops.crossplane.io|CronOperation",
        "ops.crossplane.io|WatchOperation",
    };

    /// <summary>The objects of a Configuration package in stream order: a directory (metadata file first) or a built stream.</summary>
    public static IReadOnlyList<Manifest> Stream(string path)
    {
        if (!Directory.Exists(path))
        {
            return Manifests.Load(path);
        }
        var metadata = Path.Combine(path, MetadataFile);
        if (!File.Exists(metadata))
        {
            throw new RenderException($"cannot read package {path}: it has no {MetadataFile}");
        }
        var rest = Manifests.Files(path).Where(f => Path.GetFullPath(f) != Path.GetFullPath(metadata));
        return Manifests.Load([metadata, .. rest]);
    }

    /// <summary>The package stream <c>crossplane xpkg build</c> would write: the metadata object, then every other object.</summary>
    public static string Build(string packageDir) => YamlJson.WriteAll(Stream(packageDir).Select(m => (JsonNode)m.Object));

    /// <summary>Every problem with a Configuration package (a directory or a built stream); empty when it would install.</summary>
    public static IReadOnlyList<string> LintConfiguration(string path, ComposerRegistry? registry)
    {
        var problems = new List<string>();
        var stream = Stream(path);
        if (stream.Count == 0 || !IsMeta(stream[0]))
        {
            problems.Add($"{(stream.Count == 0 ? path : stream[0].Source)}: the package must open with its metadata object (a {MetaGroup} Configuration in {MetadataFile}), found {(stream.Count == 0 ? "nothing" : $"{stream[0].Kind} {stream[0].Name}")}");
        }
        var metas = stream.Where(IsMeta).ToArray();
        if (metas.Length != 1)
        {
            problems.Add($"{path}: a package holds exactly one metadata object, found {metas.Length}");
        }
        var meta = metas.FirstOrDefault(m => m.Kind == "Configuration");
        if (metas.Length > 0 && meta is null)
        {
            problems.Add($"{metas[0].Source}: the metadata object is a {metas[0].Kind}; a Configuration package needs kind Configuration");
        }

        var objects = stream.Where(m => !IsMeta(m)).ToArray();
        foreach (var o in objects.Where(o => !AllowedKinds.Contains($"{Objects.Group(o.ApiVersion)}|{o.Kind}")))
        {
            problems.Add($"{o.Source}: {o.ApiVersion} {o.Kind} {o.Name} is not allowed in a Configuration package; only XRDs, Compositions, ManagedResourceActivationPolicies and Operations are");
        }
        var xrds = objects.Where(o => o.Kind == "CompositeResourceDefinition").ToArray();
        var compositions = objects.Where(o => o.Kind == "Composition").ToArray();
        var functionNames = meta is null ? [] : FunctionDependencies(meta, problems);
        if (meta is not null)
        {
            CheckVersionConstraint(meta, problems);
        }
        foreach (var xrd in xrds)
        {
            CheckXrd(xrd, compositions, problems);
        }
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var composition in compositions)
        {
            CheckComposition(composition, xrds, functionNames, registry, used, problems);
        }
        if (registry is not null)
        {
            foreach (var unused in registry.Names.Where(n => !used.Contains(n)))
            {
                problems.Add($"{path}: composer \"{unused}\" is registered but no Composition step uses it");
            }
        }
        return problems;
    }

    /// <summary>Every problem with the Function package: its directory (metadata and input CRD) or its metadata file alone.</summary>
    public static IReadOnlyList<string> LintFunction(string path, ComposerRegistry? registry = null)
    {
        var problems = new List<string>();
        var isDir = Directory.Exists(path);
        var objects = isDir ? Stream(path) : Manifests.Load(path);
        var metas = objects.Where(IsMeta).ToArray();
        if (metas.Length != 1 || metas[0].Kind != "Function" || !IsMeta(objects[0]))
        {
            problems.Add($"{path}: a Function package holds exactly one {MetaGroup} Function object, first, in its {MetadataFile}");
            return problems;
        }
        var function = metas[0];
        if (function.Name.Length == 0)
        {
            problems.Add($"{function.Source}: the Function has no metadata.name");
        }
        var capabilities = ((function.Object["spec"] as JsonObject)?["capabilities"] as JsonArray)?.Select(c => Objects.String(c)).ToArray();
        if (capabilities is not null && !capabilities.Any(c => string.Equals(c, "composition", StringComparison.OrdinalIgnoreCase)))
        {
            problems.Add($"{function.Source}: spec.capabilities lacks composition; Crossplane will not run this Function in a Composition");
        }
        CheckVersionConstraint(function, problems);
        if (!isDir)
        {
            return problems;
        }
        foreach (var o in objects.Where(o => !IsMeta(o) && !(Objects.Group(o.ApiVersion) == "apiextensions.k8s.io" && o.Kind == "CustomResourceDefinition")))
        {
            problems.Add($"{o.Source}: {o.ApiVersion} {o.Kind} {o.Name} is not allowed in a Function package; only its metadata and CRDs (the step input's) are");
        }
        var input = objects.FirstOrDefault(o => o.Kind == "CustomResourceDefinition" && o.Name == InputCrdName);
        if (input is null)
        {
            problems.Add($"{path}: the step input's CRD {InputCrdName} is missing; crossplane beta validate could not check Composition steps");
        }
        else if (registry is not null)
        {
            var schema = ((((input.Object["spec"] as JsonObject)?["versions"] as JsonArray)?.OfType<JsonObject>()
                .FirstOrDefault(v => Objects.String(v["name"]) == Objects.Version(ComposerRegistry.InputApiVersion))?["schema"] as JsonObject)?["openAPIV3Schema"]) as JsonObject;
            var names = (((schema?["properties"] as JsonObject)?["composer"] as JsonObject)?["enum"] as JsonArray)?.Select(n => Objects.String(n)).Order(StringComparer.Ordinal).ToArray() ?? [];
            if (!names.SequenceEqual(registry.Names.Order(StringComparer.Ordinal)))
            {
                problems.Add($"{input.Source}: the composer enum ({string.Join(", ", names)}) must list exactly the registered composers ({string.Join(", ", registry.Names.Order(StringComparer.Ordinal))})");
            }
        }
        return problems;
    }

    /// <summary>The CRD of the step input every Composition step carries.</summary>
    public static string InputCrdName => $"composes.{Objects.Group(ComposerRegistry.InputApiVersion)}";

    /// <summary>Crossplane's xpkg.ToDNSLabel: the name a package dependency gets from its repository path.</summary>
    public static string ToDnsLabel(string s)
    {
        var cut = new System.Text.StringBuilder();
        for (var i = 0; i < s.Length; i++)
        {
            var b = s[i];
            if (b is >= 'a' and <= 'z' or >= '0' and <= '9')
            {
                cut.Append(b);
            }
            if (b is '.' or '/' or ':' or '-' && i != 0 && i != 62 && i != s.Length - 1)
            {
                cut.Append('-');
            }
            if (i == 62)
            {
                break;
            }
        }
        return cut.ToString().Trim('-');
    }

    /// <summary>The repository path of a package reference: registry, tag and digest removed.</summary>
    public static string RepositoryPath(string package)
    {
        var reference = package;
        var at = reference.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            reference = reference[..at];
        }
        var lastSlash = reference.LastIndexOf('/');
        var tag = reference.LastIndexOf(':');
        if (tag > lastSlash)
        {
            reference = reference[..tag];
        }
        var first = reference.IndexOf('/', StringComparison.Ordinal);
        if (first > 0)
        {
            var host = reference[..first];
            if (host.Contains('.', StringComparison.Ordinal) || host.Contains(':', StringComparison.Ordinal) || host == "localhost")
            {
                reference = reference[(first + 1)..];
            }
        }
        return reference;
    }

    private static bool IsMeta(Manifest m) => Objects.Group(m.ApiVersion) == MetaGroup;

    // The names Crossplane gives the Function dependencies, which functionRef.name must use.
    private static Dictionary<string, string> FunctionDependencies(Manifest meta, List<string> problems)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        var dependsOn = (meta.Object["spec"] as JsonObject)?["dependsOn"] as JsonArray ?? [];
        foreach (var dependency in dependsOn.OfType<JsonObject>())
        {
            var kind = Objects.String(dependency["kind"]);
            var package = Objects.String(dependency["package"]);
            if (Objects.String(dependency["function"]) is { Length: > 0 } legacy)
            {
                (kind, package) = ("Function", legacy);
            }
            else if (Objects.String(dependency["provider"]) is { Length: > 0 } provider)
            {
                (kind, package) = ("Provider", provider);
            }
            if (kind is not ("Provider" or "Function" or "Configuration") || package.Length == 0)
            {
                problems.Add($"{meta.Source}: dependsOn entry {dependency.ToJsonString()} needs kind Provider, Function or Configuration and a package");
                continue;
            }
            var version = Objects.String(dependency["version"]);
            if (version.Length == 0)
            {
                problems.Add($"{meta.Source}: dependsOn {package} has no version; pin the version it was tested with, e.g. v1.2.3");
            }
            else if (!ExactVersion().IsMatch(version))
            {
                problems.Add($"{meta.Source}: dependsOn {package} version \"{version}\" is a range; pin the exact version it was tested with, e.g. v1.2.3");
            }
            if (kind == "Function")
            {
                names[ToDnsLabel(RepositoryPath(package))] = package;
            }
        }
        return names;
    }

    private static void CheckVersionConstraint(Manifest meta, List<string> problems)
    {
        var constraint = Objects.String(((meta.Object["spec"] as JsonObject)?["crossplane"] as JsonObject)?["version"]);
        if (constraint.Length == 0)
        {
            problems.Add($"{meta.Source}: spec.crossplane.version is missing; say which Crossplane versions the package needs, e.g. \">=v2.3.0\"");
        }
        else if (!constraint.Split(["||", ","], StringSplitOptions.TrimEntries).All(part => part.Split(' ', StringSplitOptions.RemoveEmptyEntries).All(c => ConstraintPart().IsMatch(c))))
        {
            problems.Add($"{meta.Source}: spec.crossplane.version \"{constraint}\" is not a semantic version constraint");
        }
    }

    private static void CheckXrd(Manifest xrd, IReadOnlyList<Manifest> compositions, List<string> problems)
    {
        var spec = xrd.Object["spec"] as JsonObject;
        var group = Objects.String(spec?["group"]);
        var names = spec?["names"] as JsonObject;
        var kind = Objects.String(names?["kind"]);
        var plural = Objects.String(names?["plural"]);
        if (xrd.Name != $"{plural}.{group}")
        {
            problems.Add($"{xrd.Source}: XRD {xrd.Name} must be named {plural}.{group} (spec.names.plural.spec.group)");
        }
        if (!compositions.Any(c => Objects.Group(TypeRef(c).ApiVersion) == group && TypeRef(c).Kind == kind))
        {
            problems.Add($"{xrd.Source}: XRD {xrd.Name} has no Composition; nothing would compose {kind}");
        }
    }

    private static void CheckComposition(
        Manifest composition, IReadOnlyList<Manifest> xrds, Dictionary<string, string> functions, ComposerRegistry? registry,
        HashSet<string> used, List<string> problems)
    {
        var (apiVersion, kind) = TypeRef(composition);
        var defined = xrds.Any(x =>
        {
            var spec = x.Object["spec"] as JsonObject;
            return Objects.String(spec?["group"]) == Objects.Group(apiVersion)
                && Objects.String((spec?["names"] as JsonObject)?["kind"]) == kind
                && ((spec?["versions"] as JsonArray)?.OfType<JsonObject>() ?? []).Any(v =>
                    Objects.String(v["name"]) == Objects.Version(apiVersion) && v["referenceable"] is JsonValue r && r.GetValue<bool>());
        });
        if (!defined)
        {
            problems.Add($"{composition.Source}: Composition {composition.Name} composes {kind} in {apiVersion}, which no XRD in the package defines at a referenceable version");
        }
        var spec = composition.Object["spec"] as JsonObject;
        if (Objects.String(spec?["mode"]) is { Length: > 0 } mode && mode != "Pipeline")
        {
            problems.Add($"{composition.Source}: Composition {composition.Name} uses mode {mode}; only Pipeline is supported");
        }
        var steps = (spec?["pipeline"] as JsonArray)?.OfType<JsonObject>().ToArray() ?? [];
        if (steps.Length == 0)
        {
            problems.Add($"{composition.Source}: Composition {composition.Name} has no pipeline steps");
        }
        foreach (var step in steps)
        {
            var name = Objects.String(step["step"]);
            var function = Objects.String((step["functionRef"] as JsonObject)?["name"]);
            if (!functions.ContainsKey(function))
            {
                var known = functions.Count == 0 ? "the package depends on no Function" : string.Join(", ", functions.Select(f => $"{f.Value} installs as \"{f.Key}\""));
                problems.Add($"{composition.Source}: Composition {composition.Name} step {name}: functionRef.name \"{function}\" is not a Function dependency's name ({known})");
            }
            // Our function, under its canonical name or the one a REGISTRY rename gives it.
            var ours = function == FunctionRuntimes.BuiltInFunction
                || (functions.TryGetValue(function, out var package) && RepositoryPath(package).Split('/')[^1] == PackageTarget.FunctionRepository);
            if (registry is not null && ours)
            {
                CheckComposer(composition, name, step, apiVersion, kind, registry, used, problems);
            }
        }
    }

    private static void CheckComposer(
        Manifest composition, string step, JsonObject pipelineStep, string apiVersion, string kind, ComposerRegistry registry,
        HashSet<string> used, List<string> problems)
    {
        var input = pipelineStep["input"] as JsonObject;
        var composer = input is null ? null : Objects.String(input["composer"]);
        if (composer is null)
        {
            var byKind = registry.All.FirstOrDefault(c => c.Kinds.Contains(ComposerRegistry.KindKey(apiVersion, kind)));
            if (byKind is null)
            {
                problems.Add($"{composition.Source}: Composition {composition.Name} step {step} has no input and no composer is registered for {kind}");
                return;
            }
            used.Add(byKind.Name);
            return;
        }
        if (Objects.ApiVersion(input!) != ComposerRegistry.InputApiVersion || Objects.Kind(input!) != ComposerRegistry.InputKind)
        {
            problems.Add($"{composition.Source}: Composition {composition.Name} step {step}: input must be {ComposerRegistry.InputApiVersion} {ComposerRegistry.InputKind}");
        }
        if (composer.Length == 0)
        {
            problems.Add($"{composition.Source}: Composition {composition.Name} step {step}: input has no composer; name one of: {string.Join(", ", registry.Names)}");
            return;
        }
        if (!registry.TryGet(composer, out _))
        {
            problems.Add($"{composition.Source}: Composition {composition.Name} step {step} names composer \"{composer}\", which is not registered (registered: {string.Join(", ", registry.Names)})");
            return;
        }
        used.Add(composer);
    }

    private static (string ApiVersion, string Kind) TypeRef(Manifest composition)
    {
        var typeRef = (composition.Object["spec"] as JsonObject)?["compositeTypeRef"] as JsonObject;
        return (Objects.String(typeRef?["apiVersion"]), Objects.String(typeRef?["kind"]));
    }

    [GeneratedRegex(@"^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$")]
    private static partial Regex ExactVersion();

    // One comparison of a Masterminds/semver constraint: an operator and a (possibly partial or wildcard) version.
    [GeneratedRegex(@"^(>=|<=|!=|=>|=<|>|<|=|~>|~|\^)?v?(\d+|x|X|\*)(\.(\d+|x|X|\*))?(\.(\d+|x|X|\*))?(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$")]
    private static partial Regex ConstraintPart();
}
