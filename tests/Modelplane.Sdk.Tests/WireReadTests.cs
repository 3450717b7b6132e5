// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.ComponentModel.DataAnnotations;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Apiextensions.Fn.Proto.V1;
using Google.Protobuf;
using Modelplane.Yaml;
using static Modelplane.Testing.WireBytes;

namespace Modelplane.Sdk.Tests;

/// <summary>Typed reads straight from a required object's wire bytes give the careful read's record, or step aside for it.</summary>
public sealed class WireReadTests
{
    [JsonConverter(typeof(JsonStringEnumConverter<Mode>))]
    public enum Mode
    {
        Fast,
        Safe,
    }

    public sealed record Probe
    {
        public ProbeMetadata? Metadata { get; init; }

        public ProbeSpec? Spec { get; init; }

        public JsonElement? Status { get; init; }
    }

    public sealed record ProbeMetadata
    {
        public string? Name { get; init; }

        public IReadOnlyDictionary<string, string>? Labels { get; init; }
    }

    public sealed record ProbeSpec
    {
        public string? Url { get; init; }

        [Range(1, 65535)]
        public int? Port { get; init; }

        public Mode? Mode { get; init; }

        public IReadOnlyList<ProbeItem>? Items { get; init; }

        public IReadOnlyList<string>? Tags { get; init; }

        public IReadOnlyDictionary<string, ProbeItem>? ByName { get; init; }

        public double? Ratio { get; init; }

        public bool? Enabled { get; init; }
    }

    public sealed record ProbeItem
    {
        public string? Name { get; init; }

        public long? Count { get; init; }

        public Mode? Mode { get; init; }
    }

    // A contract whose extension data sees every field: leaving any out would change the record.
    public sealed record Open
    {
        public string? Name { get; init; }

        [JsonExtensionData]
        public Dictionary<string, JsonElement>? Rest { get; set; }
    }

    private static System.Text.Json.Serialization.Metadata.JsonTypeInfo<Probe> ProbeInfo => ProbeJsonContext.Default.Probe;

    private static byte[] Wire(string json) => StructJson.ParseStruct(json).ToByteArray();

    // The careful read's record as JSON, or null when it refuses the object.
    private static string? Careful(string json)
    {
        try
        {
            return JsonSerializer.Serialize(FunctionRequest.Read(JsonNode.Parse(json)!, ProbeInfo, "probe"), ProbeInfo);
        }
        catch (InvalidInputException)
        {
            return null;
        }
    }

    [Theory]
    // Read from the wire: unknown fields at every level stepped over, each kind of value kept.
    [InlineData("""{"apiVersion":"v1","kind":"Probe","metadata":{"name":"p","uid":"u","labels":{"a":"1","é":"ü"},"managedFields":[{"x":1}]},"spec":{"url":"http://h:1/v1","port":8080,"mode":"Safe","tags":["a","b"],"ratio":0.25,"enabled":true,"extra":{"deep":[1,2,{"k":null}]}},"status":{"conditions":[{"type":"Ready","status":"True"}],"n":1.5}}""", true)]
    [InlineData("""{"spec":{"items":[{"name":"a","count":2,"mode":"Fast","skip":"me"},{"name":"b"}],"byName":{"x":{"name":"x","count":9007199254740993}}}}""", true)]
    [InlineData("""{"metadata":null,"spec":{"url":null,"items":null,"byName":{}}}""", true)]
    [InlineData("""{}""", true)]
    // A key given twice where the contract does not look: the read is unchanged.
    [InlineData("""{"metadata":{"name":"p","annotations":{"k":"1"}},"spec":{"extra":{"k":1}}}""", true)]
    // What the careful read refuses, the wire read refuses too, so the careful read names the field.
    [InlineData("""{"spec":{"mode":1}}""", false)]
    [InlineData("""{"spec":{"items":[{"name":"a","mode":0}]}}""", false)]
    [InlineData("""{"spec":{"items":[null]}}""", false)]
    [InlineData("""{"spec":{"tags":["a",null]}}""", false)]
    [InlineData("""{"spec":{"byName":{"x":null}}}""", false)]
    [InlineData("""{"metadata":{"labels":{"a":null}}}""", false)]
    [InlineData("""{"spec":{"port":0}}""", false)]
    [InlineData("""{"spec":{"port":70000}}""", false)]
    // Shapes the deserialiser refuses: a string for an object, a number for a string, a fraction for a count.
    [InlineData("""{"spec":"x"}""", false)]
    [InlineData("""{"metadata":{"name":5}}""", false)]
    [InlineData("""{"spec":{"items":[{"count":1.5}]}}""", false)]
    [InlineData("""{"spec":{"items":{"name":"a"}}}""", false)]
    public void TryReadStruct_Row_AgreesWithTheCarefulRead(string json, bool clean)
    {
        // The careful read of the text the decoder writes from these bytes: keys in wire order, numbers as doubles.
        var careful = Careful(Encoding.UTF8.GetString(StructWireReader.ToJson(Wire(json))));

        Assert.Equal(clean, ElementReads.TryReadStruct(Wire(json), ProbeInfo, out var fromWire));
        if (clean)
        {
            Assert.Equal(careful, JsonSerializer.Serialize(fromWire!, ProbeInfo));
        }
        // Through the request, as a composer reads it: the careful read's record, or its refusal.
        var read = Read(RequestWith(Wire(json)));
        Assert.Equal(careful, read.Error is null ? JsonSerializer.Serialize(read.Record!, ProbeInfo) : null);
    }

    [Fact]
    public void TryReadStruct_ContractKeyGivenTwice_StepsAsideAndTheLastValueWins()
    {
        // {"spec":{"url":"first","url":"last"}}, as a Go client could send it: protobuf keeps the last.
        var spec = Concat(Wire("""{"url":"first"}"""), Wire("""{"url":"last"}"""));
        var bytes = Entry("spec", StructValue(spec));

        Assert.False(ElementReads.TryReadStruct(bytes, ProbeInfo, out _));
        Assert.Equal("last", Read(RequestWith(bytes)).Record!.Spec!.Url);
    }

    [Fact]
    public void TryReadStruct_LabelGivenTwice_StepsAsideAndTheLastValueWins()
    {
        var labels = Concat(Wire("""{"team":"a"}"""), Wire("""{"team":"b"}"""));
        var bytes = Entry("metadata", StructValue(Entry("labels", StructValue(labels))));

        Assert.False(ElementReads.TryReadStruct(bytes, ProbeInfo, out _));
        Assert.Equal("b", Read(RequestWith(bytes)).Record!.Metadata!.Labels!["team"]);
    }

    [Fact]
    public void TryReadStruct_KeyGivenTwiceOutsideTheContract_ReadsFromTheWire()
    {
        var annotations = Concat(Wire("""{"k":"1"}"""), Wire("""{"k":"2"}"""));
        var bytes = Concat(Wire("""{"metadata":{"name":"p"}}"""), Entry("extra", StructValue(annotations)));

        Assert.True(ElementReads.TryReadStruct(bytes, ProbeInfo, out var probe));
        Assert.Equal("p", probe.Metadata!.Name);
        // The whole object, asked for as text, is the full parse's: the last value kept.
        var decoded = RequestDecoder.Decode(new System.Buffers.ReadOnlySequence<byte>(RequestWith(bytes)));
        Assert.Equal("""{"metadata":{"name":"p"},"extra":{"k":"2"}}""", Encoding.UTF8.GetString(decoded.Required.Json("probes", 0)));
    }

    [Fact]
    public void TryReadStruct_ContractWithExtensionData_StepsAside()
    {
        var info = ProbeJsonContext.Default.Open;
        const string json = """{"name":"o","other":1}""";

        Assert.False(ElementReads.TryReadStruct(Wire(json), info, out _));
        // The request's read still fills the extension data from the whole object.
        var decoded = RequestDecoder.Decode(new System.Buffers.ReadOnlySequence<byte>(RequestWith(Wire(json))));
        var open = Assert.Single(new FunctionRequest(decoded).Required.Read("probes", info));
        Assert.Equal(1, open.Rest!["other"].GetInt32());
    }

    [Theory]
    [MemberData(nameof(StructWireTests.YamlFiles), MemberType = typeof(StructWireTests))]
    public void TryReadStruct_EveryObjectInTheRepositoryYaml_SameRecordAsTheTextRead(string file)
    {
        foreach (var document in YamlJson.ReadAll(File.ReadAllText(Path.Combine(StructWireTests.RepositoryRoot(), file))))
        {
            if (document is not JsonObject obj)
            {
                continue;
            }
            // The text the decoder writes from the same bytes (keys in wire order) is the text read's.
            var wire = StructJson.ToStruct(obj).ToByteArray();
            var fromText = ElementReads.TryRead(StructWireReader.ToJson(wire), ProbeInfo, 64, out var textRecord);
            var fromWire = ElementReads.TryReadStruct(wire, ProbeInfo, out var wireRecord);

            // The wire read may step aside more often than the text read, never less; what it reads is the same.
            Assert.True(fromText || !fromWire, $"{file}: the wire read took an object the text read refuses");
            if (fromWire)
            {
                Assert.Equal(JsonSerializer.Serialize(textRecord!, ProbeInfo), JsonSerializer.Serialize(wireRecord!, ProbeInfo));
            }
            else
            {
                Assert.False(fromText, $"{file}: an ordinary object stepped aside from the wire read");
            }
        }
    }

    [Fact]
    public void Decode_ObjectWithValidUtf8ButRepeatedKeys_StaysOnTheFastPathAndInvalidUtf8IsStillRefused()
    {
        // The decode checks what would make the request not parse (invalid UTF-8), not what parses (a repeat).
        var repeated = Concat(Wire("""{"a":1}"""), Wire("""{"a":2}"""));
        var decoded = RequestDecoder.Decode(new System.Buffers.ReadOnlySequence<byte>(RequestWith(repeated)));
        Assert.Empty(decoded.Envelope.RequiredResources);
        Assert.Equal("""{"a":2}""", Encoding.UTF8.GetString(decoded.Required.Json("probes", 0)));

        var bad = Wire("""{"metadata":{"labels":{"team":"XX"}}}""");
        var at = bad.AsSpan().IndexOf("XX"u8);
        bad[at] = 0xC3;
        bad[at + 1] = 0x28;
        var e = Assert.Throws<MalformedRequestException>(() => RequestDecoder.Decode(new System.Buffers.ReadOnlySequence<byte>(RequestWith(bad))));
        Assert.Contains("metadata.labels.team", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dispose_GivesTheBufferBackAndAReadAfterThrows()
    {
        var decoded = RequestDecoder.Decode(new System.Buffers.ReadOnlySequence<byte>(RequestWith(Wire("""{"metadata":{"name":"p"}}"""))));
        Assert.Equal("p", new FunctionRequest(decoded).Required.Read("probes", ProbeInfo)[0].Metadata!.Name);

        decoded.Dispose();

        // The pool may hand the bytes to the next request: reading them now would read that one.
        Assert.Throws<ObjectDisposedException>(() => decoded.Required.Json("probes", 0).Length);
        Assert.Throws<ObjectDisposedException>(() => new FunctionRequest(decoded).Required.Read("probes", ProbeInfo));
        Assert.Equal(1, decoded.Required.Count("probes"));
        decoded.Dispose();
    }

    private static (Probe? Record, InvalidInputException? Error) Read(byte[] request)
    {
        var decoded = RequestDecoder.Decode(new System.Buffers.ReadOnlySequence<byte>(request));
        try
        {
            return (Assert.Single(new FunctionRequest(decoded).Required.Read("probes", ProbeInfo)), null);
        }
        catch (InvalidInputException e)
        {
            return (null, e);
        }
    }

    // A request whose one required object is the given Struct bytes.
    private static byte[] RequestWith(byte[] structBytes)
    {
        var request = new RunFunctionRequest { Meta = new RequestMeta { Tag = "t" } };
        var head = request.ToByteArray();
        var item = Tagged(1, structBytes);
        var resources = Tagged(1, item);
        var entry = Concat(Tagged(1, "probes"u8.ToArray()), Tagged(2, resources));
        return Concat(head, Tagged(8, entry));
    }

}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(WireReadTests.Probe))]
[JsonSerializable(typeof(WireReadTests.Open))]
internal sealed partial class ProbeJsonContext : JsonSerializerContext;
