// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Collections.Frozen;
using System.Text.Json;

namespace Modelplane.Sdk;

/// <summary>One composer: its name (as a Composition step's input names it), the XR kinds it composes
/// by default, and the pure function itself.</summary>
/// <param name="Name">The name a step's input gives, e.g. <c>model-service</c>.</param>
/// <param name="Compose">The composer; pure, deterministic, no I/O.</param>
/// <param name="Kinds">XR kinds (<c>Kind.group</c>, e.g. <c>ModelService.modelplane.ai</c>) it runs for when a step has no input.</param>
public sealed record Composer(string Name, Func<FunctionRequest, Composition> Compose, params string[] Kinds);

/// <summary>Every composer the server hosts, looked up by a step's input or, failing that, by XR kind.</summary>
/// <remarks>
/// One server image hosts every Modelplane function, so each Composition step names its composer in
/// its input (<c>apiVersion: fn.modelplane.ai/v1alpha1, kind: Compose, composer: model-service</c>).
/// A step with no input falls back to the composer registered for the XR's kind, so a one-step
/// Composition stays short. A name nobody registered is a Fatal result listing what exists.
/// </remarks>
public sealed class ComposerRegistry
{
    /// <summary>The input apiVersion and kind our Composition steps carry.</summary>
    public const string InputApiVersion = "fn.modelplane.ai/v1alpha1";
    public const string InputKind = "Compose";

    private readonly FrozenDictionary<string, Composer> _byName;
    private readonly FrozenDictionary<string, Composer> _byKind;

    public ComposerRegistry(IEnumerable<Composer> composers)
    {
        var byName = new Dictionary<string, Composer>(StringComparer.Ordinal);
        var byKind = new Dictionary<string, Composer>(StringComparer.Ordinal);
        foreach (var composer in composers)
        {
            if (!byName.TryAdd(composer.Name, composer))
            {
                throw new ArgumentException($"composer \"{composer.Name}\" is registered twice", nameof(composers));
            }
            foreach (var kind in composer.Kinds)
            {
                if (!byKind.TryAdd(kind, composer))
                {
                    throw new ArgumentException($"kind \"{kind}\" has two default composers", nameof(composers));
                }
            }
        }
        _byName = byName.ToFrozenDictionary(StringComparer.Ordinal);
        _byKind = byKind.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>Composer names in ordinal order.</summary>
    public IReadOnlyList<string> Names => _byName.Keys.Order(StringComparer.Ordinal).ToArray();

    public IEnumerable<Composer> All => _byName.Values.OrderBy(c => c.Name, StringComparer.Ordinal);

    public bool TryGet(string name, out Composer composer) => _byName.TryGetValue(name, out composer!);

    /// <summary>The composer a request asks for, or why none can run.</summary>
    public (Composer? Composer, string? Problem) Resolve(FunctionRequest request)
    {
        var input = request.Input;
        if (input is not null && input.Count > 0)
        {
            var asked = input["composer"];
            if (asked is null)
            {
                return (null, $"invalid step input: field \"composer\" is missing; set it to one of: {Known()}");
            }
            if (asked.GetValueKind() != JsonValueKind.String)
            {
                return (null, $"invalid step input: field \"composer\" must be a string naming one of: {Known()}");
            }
            var name = asked.GetValue<string>();
            return _byName.TryGetValue(name, out var named)
                ? (named, null)
                : (null, $"unknown composer \"{name}\" in step input; this server has: {Known()}");
        }

        var kind = KindKey(request.ApiVersion, request.Kind);
        return _byKind.TryGetValue(kind, out var byKind)
            ? (byKind, null)
            : (null, $"no composer for {(kind == "." ? "a composite with no apiVersion and kind" : kind)} and the step has no input; name one with input.composer, one of: {Known()}");
    }

    /// <summary><c>Kind.group</c> of an apiVersion and kind, as <c>kubectl</c> spells resource types.</summary>
    public static string KindKey(string apiVersion, string kind)
    {
        var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
        var group = slash < 0 ? "" : apiVersion[..slash];
        return $"{kind}.{group}";
    }

    private string Known() => _byName.Count == 0 ? "(none)" : string.Join(", ", Names);
}
