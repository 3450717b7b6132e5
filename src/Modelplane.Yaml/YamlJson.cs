// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

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
    /// <summary>Deeper than any Kubernetes object nests; deeper input is refused while it is read.</summary>
    public const int MaxDepth = 256;

    /// <summary>
    /// Nodes one stream may expand to, aliases counted at their full size: a hundred times a large
    /// fleet file, and a small fraction of what a 647-byte "billion laughs" document asks for.
    /// </summary>
    public const long MaxNodes = 5_000_000;

    /// <summary>Every non-empty document of a YAML stream, as JSON.</summary>
    /// <exception cref="YamlException">The text is not YAML, nests deeper than <see cref="MaxDepth"/>,
    /// expands past <see cref="MaxNodes"/> nodes, or holds a value JSON cannot (<c>.inf</c>, <c>.nan</c>).</exception>
    /// <remarks>
    /// Built from the parser's events with an explicit stack rather than through YamlStream, whose
    /// recursive construction overflowed the stack on 100,000 nested <c>[</c> before any depth check
    /// could run, and which expanded aliases without limit. Here depth is checked as each collection
    /// opens, and an alias costs the size of what it names, so hostile input ends in one message.
    /// </remarks>
    public static IReadOnlyList<JsonNode?> ReadAll(string yaml)
    {
        var parser = new Parser(new StringReader(yaml));
        var documents = new List<JsonNode?>();
        var anchors = new Dictionary<string, (JsonNode? Node, long Size)>(StringComparer.Ordinal);
        var open = new Stack<Frame>();
        long nodes = 0;
        JsonNode? root = null;
        var rootIsEmpty = false;
        parser.Consume<StreamStart>();
        while (!parser.TryConsume<StreamEnd>(out _))
        {
            var evt = parser.Consume<ParsingEvent>();
            switch (evt)
            {
                case DocumentStart:
                    anchors.Clear();
                    root = null;
                    rootIsEmpty = false;
                    continue;
                case DocumentEnd:
                    if (!rootIsEmpty)
                    {
                        documents.Add(root);
                    }
                    continue;
                case MappingStart or SequenceStart:
                    if (open.Count >= MaxDepth)
                    {
                        throw new YamlException(evt.Start, evt.End, $"YAML nested deeper than {MaxDepth} levels");
                    }
                    nodes = Count(nodes, 1, evt);
                    var anchor = evt is MappingStart m ? m.Anchor : ((SequenceStart)evt).Anchor;
                    open.Push(new Frame(evt is MappingStart ? new JsonObject() : new JsonArray(), anchor.IsEmpty ? null : anchor.Value, nodes));
                    continue;
                case MappingEnd or SequenceEnd:
                    var done = open.Pop();
                    if (done.Key is not null)
                    {
                        throw new YamlException(evt.Start, evt.End, "mapping key without a value");
                    }
                    if (done.Anchor is not null)
                    {
                        anchors[done.Anchor] = (done.Node, nodes - done.NodesAtStart + 1);
                    }
                    Place(done.Node, evt, false);
                    continue;
                case Scalar scalar:
                    nodes = Count(nodes, 1, evt);
                    var value = ScalarValue(scalar);
                    if (!scalar.Anchor.IsEmpty)
                    {
                        anchors[scalar.Anchor.Value] = (value, 1);
                    }
                    Place(value, evt, open.Count == 0 && scalar is { Tag.IsEmpty: true, Style: ScalarStyle.Plain, Value: "" });
                    continue;
                case AnchorAlias alias:
                    if (!anchors.TryGetValue(alias.Value.Value, out var named))
                    {
                        throw new YamlException(evt.Start, evt.End, $"alias *{alias.Value.Value} names no anchor");
                    }
                    nodes = Count(nodes, named.Size, evt);
                    Place(named.Node?.DeepClone(), evt, false);
                    continue;
                default:
                    continue;
            }
        }
        return documents;

        void Place(JsonNode? node, ParsingEvent evt, bool emptyRoot)
        {
            if (open.Count == 0)
            {
                root = node;
                rootIsEmpty = emptyRoot;
                return;
            }
            var parent = open.Peek();
            if (parent.Node is JsonArray array)
            {
                array.Add(node);
            }
            else if (parent.Key is null)
            {
                parent.Key = KeyText(evt);
            }
            else
            {
                parent.Node.AsObject()[parent.Key] = node;
                parent.Key = null;
            }
        }
    }

    private static long Count(long nodes, long more, ParsingEvent evt)
    {
        nodes += more;
        return nodes <= MaxNodes
            ? nodes
            : throw new YamlException(evt.Start, evt.End, $"YAML expands to more than {MaxNodes:N0} nodes (aliases count at their full size); refusing it");
    }

    // A key is the scalar's text as written, whatever it would resolve to as a value ("80", "true").
    private static string KeyText(ParsingEvent evt) => evt is Scalar s ? s.Value : throw new YamlException(evt.Start, evt.End, "mapping keys must be scalars");

    /// <summary>A collection being built, the anchor it will be known by, and a mapping's pending key.</summary>
    private sealed class Frame(JsonNode node, string? anchor, long nodesAtStart)
    {
        public JsonNode Node { get; } = node;

        public string? Anchor { get; } = anchor;

        public long NodesAtStart { get; } = nodesAtStart;

        public string? Key { get; set; }
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

    private static JsonValue? ScalarValue(Scalar scalar)
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
        if (SpecialFloatPattern().IsMatch(value))
        {
            // YAML 1.2's .inf and .nan are floats, but JSON has no such numbers and Kubernetes' decoder
            // refuses them too; saying so beats a value that breaks later or silently turns into a string.
            throw new YamlException(scalar.Start, scalar.End,
                $"the YAML float {value} has no JSON form and Kubernetes refuses it; quote it (\"{value}\") to mean the string");
        }
        if (FloatPattern().IsMatch(value))
        {
            var number = double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture);
            return double.IsFinite(number)
                ? JsonValue.Create(number)
                : throw new YamlException(scalar.Start, scalar.End, $"the number {value} is out of range for a JSON number");
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

    [GeneratedRegex(@"^[-+]?\.(inf|Inf|INF)$|^\.(nan|NaN|NAN)$")]
    private static partial Regex SpecialFloatPattern();

    // YAML 1.1 readers (Go's yaml.v2 behind kubectl and crossplane render among them) resolve these
    // as timestamps, so crossplane render quotes them, and so do we.
    [GeneratedRegex(@"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(([Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(\.[0-9]*)?([ \t]*(Z|[-+][0-9]{1,2}(:[0-9]{2})?))?)?$")]
    private static partial Regex TimestampPattern();

    // YAML 1.1 readers (and some tools) also take octal, hex, sexagesimal and underscored numbers.
    [GeneratedRegex(@"^[-+]?(0x[0-9a-fA-F_]+|0o[0-7_]+|0[0-7_]+|[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?|[0-9][0-9_]*_[0-9_]*(\.[0-9_]*)?)$")]
    private static partial Regex LooseNumberPattern();
}
