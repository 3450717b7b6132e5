// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Modelplane.Render.Engine;
using Modelplane.Yaml;

namespace Modelplane.Render.Fleet;

/// <summary>How a fleet render runs.</summary>
public sealed record FleetOptions
{
    /// <summary>Observe every composed resource as its controllers would report it healthy.</summary>
    public bool AssumeReady { get; init; }

    /// <summary>Rounds before giving up on a fleet that keeps changing.</summary>
    public int MaxRounds { get; init; } = 64;
}

/// <summary>One object of the rendered fleet: a manifest, or something an XR composed.</summary>
public sealed record FleetNode
{
    public required ObjectKey Key { get; init; }

    /// <summary>The object as a cluster would hold it: metadata, spec, and the status it reports.</summary>
    public required JsonObject Object { get; init; }

    /// <summary>The XR that composed it, or null for a manifest.</summary>
    public ObjectKey? Parent { get; init; }

    /// <summary>Its composition resource name under <see cref="Parent"/>.</summary>
    public string? ResourceName { get; init; }

    /// <summary>The file it came from, for manifests.</summary>
    public string? Source { get; init; }

    /// <summary>Whether the desired state marked it ready.</summary>
    public bool Ready { get; init; }
}

/// <summary>The settled fleet, or the last round of one that did not settle.</summary>
public sealed record FleetResult
{
    public required IReadOnlyList<FleetNode> Nodes { get; init; }

    /// <summary>The last render of every XR, by key.</summary>
    public required IReadOnlyDictionary<ObjectKey, RenderResult> Renders { get; init; }

    public required int Rounds { get; init; }

    public required bool Settled { get; init; }

    /// <summary>What stopped a clean render: unsettled objects, conflicting owners, failed pipelines.</summary>
    public required IReadOnlyList<string> Problems { get; init; }

    public FleetNode? Find(ObjectKey key) => Nodes.FirstOrDefault(n => n.Key == key);

    public IEnumerable<FleetNode> Children(ObjectKey parent) =>
        Nodes.Where(n => n.Parent == parent).OrderBy(n => n.ResourceName, StringComparer.Ordinal);
}

/// <summary>Renders every XR of a fleet until nothing changes: the platform's clusters down to where each replica lands.</summary>
/// <remarks>
/// Each round renders every XR in the current world, all against the same snapshot, so the order of
/// XRs cannot change the answer. The next world holds the manifests, each XR with the status its
/// render wrote, and everything the XRs composed: named as Crossplane would name it (a generated name
/// is a hash of parent and key instead of a random suffix), carrying the status its own render wrote
/// if it is an XR, or the status a healthy controller reports with <see cref="FleetOptions.AssumeReady"/>.
/// Composed XRs (ModelReplicas, ModelEndpoints, ServingStacks) are rendered as XRs in the next round,
/// requirements resolve against the whole world, and observed composed resources are what the XR
/// composed last round. When a round's world equals the one before, the fleet has settled; a fleet that
/// still changes after <see cref="FleetOptions.MaxRounds"/> rounds is reported with what kept changing.
/// A pipeline that fails keeps its XR's previous children, as Crossplane applies nothing that reconcile.
/// </remarks>
public sealed class FleetRenderer(PipelineRenderer renderer, IReadOnlyDictionary<string, JsonObject> compositions)
{
    /// <summary>Compositions by the XR type they compose, keyed <c>apiVersion|kind</c>.</summary>
    public static IReadOnlyDictionary<string, JsonObject> CompositionsByType(IEnumerable<Manifest> manifests)
    {
        var byType = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var composition in manifests.Where(m => m.Kind == "Composition"))
        {
            var typeRef = (composition.Object["spec"] as JsonObject)?["compositeTypeRef"] as JsonObject;
            var type = TypeKey(Objects.String(typeRef?["apiVersion"]), Objects.String(typeRef?["kind"]));
            if (!byType.TryAdd(type, composition.Object))
            {
                throw new RenderException($"two Compositions compose {type.Replace('|', ' ')}: {Objects.Name(byType[type])} and {composition.Name} ({composition.Source})");
            }
        }
        return byType;
    }

    public static string TypeKey(string apiVersion, string kind) => $"{apiVersion}|{kind}";

    public bool IsComposite(JsonObject obj) => compositions.ContainsKey(TypeKey(Objects.ApiVersion(obj), Objects.Kind(obj)));

    public async Task<FleetResult> RenderAsync(IReadOnlyList<Manifest> manifests, FleetOptions options, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        var world = Initial(manifests);
        var previousPrint = Fingerprint(world);
        var renders = new Dictionary<ObjectKey, RenderResult>();
        for (var round = 1; round <= options.MaxRounds; round++)
        {
            renders = await RenderRoundAsync(world, cancellationToken).ConfigureAwait(false);
            var roundProblems = new List<string>();
            var next = NextWorld(manifests, world, renders, options, roundProblems, round);
            var print = Fingerprint(next);
            if (print == previousPrint)
            {
                problems.AddRange(roundProblems);
                problems.AddRange(renders.Where(r => r.Value.Error is not null).OrderBy(r => r.Key).Select(r => $"{r.Key}: {r.Value.Error}"));
                return new FleetResult { Nodes = Ordered(next), Renders = renders, Rounds = round, Settled = true, Problems = problems };
            }
            if (round == options.MaxRounds)
            {
                problems.AddRange(roundProblems);
                problems.Add($"the fleet did not settle after {options.MaxRounds} rounds; still changing: {string.Join(", ", Changed(world, next))}");
                return new FleetResult { Nodes = Ordered(next), Renders = renders, Rounds = round, Settled = false, Problems = problems };
            }
            world = next;
            previousPrint = print;
        }
        throw new ArgumentOutOfRangeException(nameof(options), "MaxRounds must be at least 1");
    }

    private static List<FleetNode> Initial(IReadOnlyList<Manifest> manifests)
    {
        var world = new List<FleetNode>();
        var seen = new HashSet<ObjectKey>();
        foreach (var manifest in manifests)
        {
            var key = ObjectKey.Of(manifest.Object);
            if (key.Name.Length == 0)
            {
                throw new RenderException($"cannot load fleet: a {manifest.Kind} in {manifest.Source} has no metadata.name");
            }
            if (!seen.Add(key))
            {
                throw new RenderException($"cannot load fleet: {key} appears twice (again in {manifest.Source})");
            }
            world.Add(new FleetNode { Key = key, Object = Objects.Clone(manifest.Object), Source = manifest.Source });
        }
        // What already runs: a manifest that names its composite (a controller ownerReference) and its
        // composition resource name starts the fleet as that XR's composed resource, so a fleet can
        // begin from a previous reconcile (a rollout, a dead cluster, a race) instead of from nothing.
        var keys = world.Select(n => n.Key).ToHashSet();
        for (var i = 0; i < world.Count; i++)
        {
            if (SeedParent(world[i].Object, keys) is { } parent)
            {
                world[i] = world[i] with { Parent = parent, ResourceName = Objects.String(Objects.Child(Objects.Child(world[i].Object, "metadata"), "annotations")[ResourceNameAnnotation]), Source = null };
            }
        }
        return world;
    }

    private const string ResourceNameAnnotation = "crossplane.io/composition-resource-name";

    /// <summary>The XR a manifest says composed it, when that XR is in the fleet and the manifest names its resource.</summary>
    public static ObjectKey? SeedParent(JsonObject obj, IReadOnlySet<ObjectKey> keys)
    {
        var metadata = obj["metadata"] as JsonObject;
        if (Objects.String((metadata?["annotations"] as JsonObject)?[ResourceNameAnnotation]).Length == 0
            || (metadata?["ownerReferences"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(o => o["controller"] is JsonValue c && c.TryGetValue<bool>(out var b) && b) is not { } owner)
        {
            return null;
        }
        var ns = Objects.String(metadata?["namespace"]);
        var apiVersion = Objects.String(owner["apiVersion"]);
        var kind = Objects.String(owner["kind"]);
        var name = Objects.String(owner["name"]);
        foreach (var candidate in new[] { new ObjectKey(apiVersion, kind, ns, name), new ObjectKey(apiVersion, kind, "", name) })
        {
            if (keys.Contains(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    private async Task<Dictionary<ObjectKey, RenderResult>> RenderRoundAsync(IReadOnlyList<FleetNode> world, CancellationToken cancellationToken)
    {
        var store = new ObjectStore(world.Select(n => n.Object));
        var renders = new Dictionary<ObjectKey, RenderResult>();
        foreach (var node in world.Where(n => IsComposite(n.Object)).OrderBy(n => n.Key))
        {
            var inputs = new RenderInputs
            {
                Composite = node.Object,
                Composition = compositions[TypeKey(node.Key.ApiVersion, node.Key.Kind)],
                Observed = world.Where(n => n.Parent == node.Key).OrderBy(n => n.ResourceName, StringComparer.Ordinal).Select(n => n.Object).ToArray(),
                Required = store,
            };
            RenderResult result;
            try
            {
                result = await renderer.RenderAsync(inputs, cancellationToken).ConfigureAwait(false);
            }
            catch (RenderException e)
            {
                result = new RenderResult { Composite = new JsonObject(), Error = e.Message };
            }
            renders[node.Key] = result;
        }
        return renders;
    }

    private List<FleetNode> NextWorld(
        IReadOnlyList<Manifest> manifests, IReadOnlyList<FleetNode> world, IReadOnlyDictionary<ObjectKey, RenderResult> renders,
        FleetOptions options, List<string> problems, int round)
    {
        var previous = world.ToDictionary(n => n.Key);
        var next = new List<FleetNode>();
        var owners = new Dictionary<ObjectKey, ObjectKey?>();
        var manifestKeys = manifests.Select(m => ObjectKey.Of(m.Object)).ToHashSet();
        foreach (var manifest in manifests)
        {
            if (SeedParent(manifest.Object, manifestKeys) is not null)
            {
                // A seed lives on only while its XR keeps composing it.
                continue;
            }
            var key = ObjectKey.Of(manifest.Object);
            owners[key] = null;
            next.Add(WithStatus(new FleetNode { Key = key, Object = Objects.Clone(manifest.Object), Source = manifest.Source }, previous, renders));
        }

        // Parents in key order, so when two claim one object the same one always wins.
        var queue = new List<(ObjectKey Parent, string Name, JsonObject Resource, bool Ready)>();
        foreach (var (parent, result) in renders.OrderBy(r => r.Key))
        {
            if (result.Error is not null)
            {
                // Nothing is applied when a pipeline fails: what it composed before stays as it was.
                queue.AddRange(world.Where(n => n.Parent == parent).Select(n => (parent, n.ResourceName!, n.Object, n.Ready)));
                continue;
            }
            queue.AddRange(result.Composed.Select(c => (parent, c.Key, Named(c.Resource, parent, c.Key), c.Ready)));
        }
        // Composed objects only exist while their parent does: take them in passes, each pass the
        // ones whose parent is now known to exist, until a pass takes none.
        var alive = new HashSet<ObjectKey>(next.Select(n => n.Key));
        var pending = queue;
        while (true)
        {
            var ready = pending.Where(p => alive.Contains(p.Parent)).ToArray();
            if (ready.Length == 0)
            {
                break;
            }
            pending = pending.Except(ready).ToList();
            foreach (var (parent, name, resource, isReady) in ready)
            {
                var key = ObjectKey.Of(resource);
                if (owners.TryGetValue(key, out var owner))
                {
                    problems.Add(owner is null
                        ? $"{parent} composes {key} ({name}), which a manifest already defines; Crossplane would refuse to take it over"
                        : $"{parent} composes {key} ({name}), which {owner} already composes; Crossplane would refuse to take it over");
                    continue;
                }
                owners[key] = parent;
                alive.Add(key);
                var node = new FleetNode { Key = key, Object = Created(Objects.Clone(resource), previous.GetValueOrDefault(key), round), Parent = parent, ResourceName = name, Ready = isReady };
                next.Add(IsComposite(resource) ? WithStatus(node, previous, renders) : WithObservedStatus(node, options));
            }
        }
        return next;
    }

    // The API server stamps creationTimestamp when an object is created; here the round it first
    // appeared in stands in for the clock (a minute a round), so "created later" means something
    // and runs agree. An object that already existed keeps its stamp.
    private static JsonObject Created(JsonObject resource, FleetNode? before, int round)
    {
        var metadata = Objects.Child(resource, "metadata");
        var stamp = Objects.String((before?.Object["metadata"] as JsonObject)?["creationTimestamp"]);
        metadata["creationTimestamp"] = stamp.Length > 0 ? stamp : FleetEpoch.AddMinutes(round).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
        return resource;
    }

    private static readonly DateTime FleetEpoch = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    // A generated name, as Crossplane would pick one, but derived instead of random so runs agree.
    private static JsonObject Named(JsonObject resource, ObjectKey parent, string resourceName)
    {
        if (Objects.Name(resource).Length > 0)
        {
            return resource;
        }
        var named = Objects.Clone(resource);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{parent}/{resourceName}"));
        Objects.Child(named, "metadata")["name"] = Objects.GenerateName(resource) + Convert.ToHexStringLower(hash)[..5];
        return named;
    }

    // An XR reports what its last render wrote; a pipeline that failed leaves its previous status,
    // with Synced=False saying why, as Crossplane's reconciler does.
    private static FleetNode WithStatus(FleetNode node, IReadOnlyDictionary<ObjectKey, FleetNode> previous, IReadOnlyDictionary<ObjectKey, RenderResult> renders)
    {
        var before = previous.GetValueOrDefault(node.Key)?.Object["status"] as JsonObject;
        node.Object.Remove("status");
        if (renders.TryGetValue(node.Key, out var render) && render.Error is null)
        {
            node.Object["status"] = render.Composite["status"]?.DeepClone();
        }
        else if (before is not null)
        {
            node.Object["status"] = before.DeepClone();
        }
        if (render?.Error is { } error)
        {
            Objects.SetCondition(node.Object, PipelineRenderer.ConditionJson("Synced", "False", "ReconcileError", error));
        }
        return node;
    }

    private static FleetNode WithObservedStatus(FleetNode node, FleetOptions options)
    {
        node.Object.Remove("status");
        if (options.AssumeReady)
        {
            node.Object["status"] = HealthyStatus.For(node.Object, node.Key.ToString());
        }
        return node;
    }

    private static string Fingerprint(IEnumerable<FleetNode> world) =>
        YamlJson.WriteAll(world.OrderBy(n => n.Key).Select(n => (JsonNode)new JsonObject
        {
            ["parent"] = n.Parent?.ToString(),
            ["name"] = n.ResourceName,
            ["ready"] = n.Ready,
            ["object"] = n.Object.DeepClone(),
        }));

    private static IEnumerable<string> Changed(IReadOnlyList<FleetNode> before, IReadOnlyList<FleetNode> after)
    {
        var old = before.ToDictionary(n => n.Key, n => YamlJson.Write(n.Object));
        var now = after.ToDictionary(n => n.Key, n => YamlJson.Write(n.Object));
        return old.Keys.Union(now.Keys)
            .Where(k => !old.TryGetValue(k, out var a) || !now.TryGetValue(k, out var b) || a != b)
            .Order()
            .Select(k => k.ToString());
    }

    private static List<FleetNode> Ordered(IEnumerable<FleetNode> nodes) => nodes.OrderBy(n => n.Key).ToList();
}
