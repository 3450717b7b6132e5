// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Modelplane.Yaml;
using YamlDotNet.Core;

namespace Modelplane.Render.Engine;

/// <summary>One Kubernetes object read from a file, with where it came from for messages.</summary>
public sealed record Manifest(JsonObject Object, string Source)
{
    public string ApiVersion => Objects.ApiVersion(Object);

    public string Kind => Objects.Kind(Object);

    public string Name => Objects.Name(Object);

    public string Namespace => Objects.Namespace(Object);
}

/// <summary>Reads YAML files and directories of them into objects, as <c>crossplane render</c> and <c>kubectl</c> do.</summary>
/// <remarks>
/// A path is a file or a directory; a directory is read recursively, files in ordinal path order, and
/// only <c>.yaml</c>, <c>.yml</c> and <c>.json</c> files count, so a README beside the manifests is
/// skipped. Empty documents are skipped; a document that is not a mapping is an error naming the file.
/// </remarks>
public static class Manifests
{
    /// <summary>Every object in the files under the given paths.</summary>
    public static IReadOnlyList<Manifest> Load(IEnumerable<string> paths)
    {
        var manifests = new List<Manifest>();
        foreach (var path in paths)
        {
            manifests.AddRange(Load(path));
        }
        return manifests;
    }

    /// <summary>Every object in a file, or in the YAML files under a directory.</summary>
    public static IReadOnlyList<Manifest> Load(string path)
    {
        if (Directory.Exists(path))
        {
            return Files(path).SelectMany(LoadFile).ToArray();
        }
        if (!File.Exists(path))
        {
            throw new RenderException($"cannot read {path}: no such file or directory");
        }
        return LoadFile(path);
    }

    /// <summary>The one object a file holds, such as an XR or a Composition.</summary>
    public static Manifest LoadOne(string path, string what)
    {
        var all = Load(path);
        return all.Count == 1
            ? all[0]
            : throw new RenderException($"cannot load {what} from {path}: expected one object, found {all.Count}");
    }

    /// <summary>YAML files under a directory, recursively, in ordinal path order.</summary>
    public static IReadOnlyList<string> Files(string directory) =>
        Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal) || f.EndsWith(".json", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToArray();

    /// <summary>Every object in one YAML text, attributed to <paramref name="source"/>.</summary>
    public static IReadOnlyList<Manifest> Parse(string yaml, string source)
    {
        IReadOnlyList<JsonNode?> documents;
        try
        {
            documents = YamlJson.ReadAll(yaml);
        }
        catch (YamlException e)
        {
            throw new RenderException($"cannot parse {source}: {e.Message}");
        }
        var manifests = new List<Manifest>(documents.Count);
        for (var i = 0; i < documents.Count; i++)
        {
            switch (documents[i])
            {
                case null:
                    continue;
                case JsonObject obj:
                    manifests.Add(new Manifest(obj, source));
                    break;
                default:
                    throw new RenderException($"cannot parse {source}: document {i + 1} is not a Kubernetes object (a YAML mapping)");
            }
        }
        return manifests;
    }

    private static IReadOnlyList<Manifest> LoadFile(string file) => Parse(File.ReadAllText(file), file);
}

/// <summary>A problem with the command's input: printed as one line, exit code 1.</summary>
public sealed class RenderException : Exception
{
    public RenderException(string message)
        : base(message)
    {
    }

    public RenderException()
    {
    }

    public RenderException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
