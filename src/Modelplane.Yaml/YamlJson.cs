// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Modelplane.Yaml;

/// <summary>Reads YAML streams into JSON nodes and writes JSON nodes as YAML, the way Kubernetes tools do.</summary>
/// <remarks>
/// Reading resolves plain scalars with the YAML 1.2 core schema that Kubernetes' YAML decoder uses
/// (true/false, null and ~, integers, floats); quoted scalars and anything tagged <c>!!str</c> stay
/// strings. Writing is deterministic: two-space block style, LF, object keys in ordinal order when
/// asked (goldens and render output), lists never reordered, and a string that would read back as
/// something else ("true", "80", "null", "1e3", "") is double-quoted so a round trip keeps its type.
/// Multi-line strings use the literal block style.
/// </remarks>
public static partial class YamlJson
{
    /// <summary>Every non-empty document of a YAML stream, as JSON.</summary>
    public static IReadOnlyList<JsonNode?> ReadAll(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var documents = new List<JsonNode?>();
        foreach (var document in stream.Documents)
        {
            if (document.RootNode is YamlScalarNode { Tag.IsEmpty: true, Style: ScalarStyle.Plain, Value: "" or null })
            {
                continue;
            }
            documents.Add(ToJson(document.RootNode, 0));
        }
        return documents;
    }

    /// <summary>The one document of a YAML text.</summary>
    public static JsonNode? Read(string yaml) => ReadAll(yaml) switch
    {
        [var one] => one,
        [] => null,
        var many => throw new YamlException($"expected one YAML document, found {many.Count}"),
    };

    /// <summary>A YAML stream of the given documents, each starting with <c>---</c>.</summary>
    public static string WriteAll(IEnumerable<JsonNode?> documents, bool sortKeys = true)
    {
        var text = new StringBuilder();
        foreach (var document in documents)
        {
            text.Append("---\n");
            text.Append(Write(document, sortKeys));
        }
        return text.ToString();
    }

    /// <summary>One document as block-style YAML, ending with a newline.</summary>
    public static string Write(JsonNode? node, bool sortKeys = true)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        var emitter = new Emitter(writer, bestIndent: 2, bestWidth: int.MaxValue, isCanonical: false);
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart(null, null, isImplicit: true));
        Emit(emitter, node, sortKeys);
        emitter.Emit(new DocumentEnd(isImplicit: true));
        emitter.Emit(new StreamEnd());
        return writer.ToString().Replace("\r\n", "\n", StringComparison.Ordinal);
    }

    private const int MaxDepth = 256;

    private static JsonNode? ToJson(YamlNode node, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new YamlException(node.Start, node.End, $"YAML nested deeper than {MaxDepth} levels");
        }
        switch (node)
        {
            case YamlMappingNode mapping:
                var obj = new JsonObject();
                foreach (var (key, value) in mapping.Children)
                {
                    var name = key is YamlScalarNode scalarKey ? scalarKey.Value ?? "" : throw new YamlException(key.Start, key.End, "mapping keys must be scalars");
                    obj[name] = ToJson(value, depth + 1);
                }
                return obj;
            case YamlSequenceNode sequence:
                var array = new JsonArray();
                foreach (var item in sequence.Children)
                {
                    array.Add(ToJson(item, depth + 1));
                }
                return array;
            case YamlScalarNode scalar:
                return Scalar(scalar);
            default:
                throw new YamlException(node.Start, node.End, $"unsupported YAML node {node.NodeType}");
        }
    }

    private static JsonValue? Scalar(YamlScalarNode scalar)
    {
        var value = scalar.Value ?? "";
        var tag = scalar.Tag.IsEmpty ? null : scalar.Tag.Value;
        if (tag is "tag:yaml.org,2002:str" || (tag is null && scalar.Style != ScalarStyle.Plain))
        {
            return JsonValue.Create(value);
        }
        if (value is "null" or "Null" or "NULL" or "~" or "")
        {
            return null;
        }
        if (value is "true" or "True" or "TRUE")
        {
            return JsonValue.Create(true);
        }
        if (value is "false" or "False" or "FALSE")
        {
            return JsonValue.Create(false);
        }
        if (IntegerPattern().IsMatch(value))
        {
            if (long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
            {
                return JsonValue.Create(l);
            }
            return JsonValue.Create(double.Parse(value, CultureInfo.InvariantCulture));
        }
        if (FloatPattern().IsMatch(value))
        {
            return JsonValue.Create(double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture));
        }
        return JsonValue.Create(value);
    }

    private static void Emit(IEmitter emitter, JsonNode? node, bool sortKeys)
    {
        switch (node)
        {
            case null:
                emitter.Emit(new Scalar(null, null, "null", ScalarStyle.Plain, true, false));
                break;
            case JsonObject obj:
                emitter.Emit(new MappingStart(null, null, true, MappingStyle.Block));
                IEnumerable<KeyValuePair<string, JsonNode?>> properties = sortKeys ? obj.OrderBy(p => p.Key, StringComparer.Ordinal) : obj;
                foreach (var (key, child) in properties)
                {
                    EmitString(emitter, key);
                    Emit(emitter, child, sortKeys);
                }
                emitter.Emit(new MappingEnd());
                break;
            case JsonArray array:
                emitter.Emit(new SequenceStart(null, null, true, SequenceStyle.Block));
                foreach (var item in array)
                {
                    Emit(emitter, item, sortKeys);
                }
                emitter.Emit(new SequenceEnd());
                break;
            default:
                var value = node.AsValue();
                switch (value.GetValueKind())
                {
                    case JsonValueKind.String:
                        EmitString(emitter, value.GetValue<string>());
                        break;
                    case JsonValueKind.True:
                        emitter.Emit(new Scalar(null, null, "true", ScalarStyle.Plain, true, false));
                        break;
                    case JsonValueKind.False:
                        emitter.Emit(new Scalar(null, null, "false", ScalarStyle.Plain, true, false));
                        break;
                    case JsonValueKind.Number:
                        emitter.Emit(new Scalar(null, null, value.ToJsonString(), ScalarStyle.Plain, true, false));
                        break;
                    default:
                        emitter.Emit(new Scalar(null, null, "null", ScalarStyle.Plain, true, false));
                        break;
                }
                break;
        }
    }

    private static void EmitString(IEmitter emitter, string value)
    {
        ScalarStyle style;
        if (value.Contains('\n', StringComparison.Ordinal) && !value.Contains('\r', StringComparison.Ordinal) && !HasTrailingSpaceOnLine(value))
        {
            style = ScalarStyle.Literal;
        }
        else if (NeedsQuotes(value))
        {
            style = ScalarStyle.DoubleQuoted;
        }
        else
        {
            style = ScalarStyle.Any;
        }
        emitter.Emit(new Scalar(null, null, value, style, true, true));
    }

    private static bool HasTrailingSpaceOnLine(string value) =>
        value.Split('\n').Any(line => line.EndsWith(' ') || line.EndsWith('\t'));

    // A plain scalar that would resolve to something other than this string must be quoted.
    private static bool NeedsQuotes(string value) =>
        value.Length == 0
        || value is "~" or "null" or "Null" or "NULL" or "true" or "True" or "TRUE" or "false" or "False" or "FALSE"
            or "yes" or "Yes" or "YES" or "no" or "No" or "NO" or "on" or "On" or "ON" or "off" or "Off" or "OFF" or "y" or "n" or "Y" or "N"
        || IntegerPattern().IsMatch(value)
        || FloatPattern().IsMatch(value)
        || LooseNumberPattern().IsMatch(value)
        || TimestampPattern().IsMatch(value);

    [GeneratedRegex(@"^[-+]?[0-9]+$")]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$|^[-+]?\.(inf|Inf|INF)$|^\.(nan|NaN|NAN)$")]
    private static partial Regex FloatPattern();

    // YAML 1.1 readers (Go's yaml.v2 behind kubectl and crossplane render among them) resolve these
    // as timestamps, so crossplane render quotes them, and so do we.
    [GeneratedRegex(@"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(([Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(\.[0-9]*)?([ \t]*(Z|[-+][0-9]{1,2}(:[0-9]{2})?))?)?$")]
    private static partial Regex TimestampPattern();

    // YAML 1.1 readers (and some tools) also take octal, hex, sexagesimal and underscored numbers.
    [GeneratedRegex(@"^[-+]?(0x[0-9a-fA-F_]+|0o[0-7_]+|0[0-7_]+|[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?|[0-9][0-9_]*_[0-9_]*(\.[0-9_]*)?)$")]
    private static partial Regex LooseNumberPattern();
}
