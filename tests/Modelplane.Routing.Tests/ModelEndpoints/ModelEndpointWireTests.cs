// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Apiextensions.Fn.Proto.V1;
using Google.Protobuf;
using Modelplane.Apis.ModelEndpoints;
using Modelplane.Sdk;
using Modelplane.Testing;
using Modelplane.Yaml;
using static Modelplane.Testing.WireBytes;

namespace Modelplane.Routing.Tests.ModelEndpoints;

/// <summary>The ModelService's own read of a ModelEndpoint from wire bytes gives the contract's record, or steps aside.</summary>
public sealed class ModelEndpointWireTests
{
    private static readonly System.Text.Json.Serialization.Metadata.JsonTypeInfo<ModelEndpoint> Info = ModelEndpointJsonContext.Default.ModelEndpoint;

    private static byte[] Wire(string json) => StructJson.ParseStruct(json).ToByteArray();

    // The contract's read of the same bytes, as a composer gets it without the wire reader.
    private static string? ContractRead(byte[] wire)
    {
        var request = new RunFunctionRequest { Meta = new RequestMeta { Tag = "t" } };
        var resources = new Resources();
        resources.Items.Add(new Resource { Resource_ = Google.Protobuf.WellKnownTypes.Struct.Parser.ParseFrom(wire) });
        request.RequiredResources.Add("endpoints", resources);
        try
        {
            var read = new FunctionRequest(RequestDecoder.Decode(request)).Required.Read("endpoints", Info);
            return JsonSerializer.Serialize(Assert.Single(read), Info);
        }
        catch (InvalidInputException)
        {
            return null;
        }
    }

    [Theory]
    [InlineData("""{"apiVersion":"modelplane.ai/v1alpha1","kind":"ModelEndpoint","metadata":{"name":"e","namespace":"ml","uid":"u","labels":{"a":"1","é":"ü"},"annotations":{"x":"y"}},"spec":{"url":"http://10.0.0.1:8000/v1","rewritePath":"/v1","extra":[1]},"status":{"conditions":[{"type":"Ready","status":"True"}],"routing":{"backendName":"e","port":8000,"hostname":"h.example.com","other":true}}}""", true)]
    [InlineData("""{}""", true)]
    [InlineData("""{"metadata":{},"spec":{},"status":{"routing":{}}}""", true)]
    [InlineData("""{"status":{"routing":{"port":65535}}}""", true)]
    // Nulls, other kinds and fractions step aside; the contract's read answers them.
    [InlineData("""{"apiVersion":null}""", false)]
    [InlineData("""{"metadata":null}""", false)]
    [InlineData("""{"metadata":{"name":5}}""", false)]
    [InlineData("""{"metadata":{"labels":{"a":null}}}""", false)]
    [InlineData("""{"metadata":{"labels":{"a":1}}}""", false)]
    [InlineData("""{"metadata":{"labels":[]}}""", false)]
    [InlineData("""{"spec":"http://x"}""", false)]
    [InlineData("""{"spec":{"url":["http://x"]}}""", false)]
    [InlineData("""{"status":{"routing":{"port":80.5}}}""", false)]
    [InlineData("""{"status":{"routing":{"port":3000000000}}}""", false)]
    [InlineData("""{"status":{"routing":{"port":"80"}}}""", false)]
    [InlineData("""{"status":{"routing":null}}""", false)]
    public void TryRead_Row_TheContractsRecordOrStepsAside(string json, bool read)
    {
        var wire = Wire(json);

        Assert.Equal(read, ModelEndpointWire.TryRead(wire, out var endpoint));
        if (read)
        {
            Assert.Equal(ContractRead(wire), JsonSerializer.Serialize(endpoint!, Info));
        }
    }

    [Theory]
    [InlineData("metadata", "name")]
    [InlineData("metadata", "labels")]
    [InlineData("spec", "url")]
    [InlineData("status", "routing")]
    public void TryRead_KeyGivenTwice_StepsAsideAndTheRequestReadKeepsTheLast(string parent, string key)
    {
        // {"<parent>":{"<key>":first,"<key>":last}}, as a Go client could write it.
        var (first, last) = key == "labels" ? ("""{"a":"1"}""", """{"a":"2"}""") : key == "routing" ? ("""{"port":1}""", """{"port":2}""") : ("\"1\"", "\"2\"");
        var inner = Concat(Wire($$"""{"{{key}}":{{first}}}"""), Wire($$"""{"{{key}}":{{last}}}"""));
        var wire = Entry(parent, Tagged(5, inner));

        Assert.False(ModelEndpointWire.TryRead(wire, out _));
        var lastOnly = Wire("{\"" + parent + "\":{\"" + key + "\":" + last + "}}");
        Assert.Equal(ContractRead(lastOnly), ReadThroughRequest(wire));
    }

    [Fact]
    public void TryRead_EveryModelEndpointInTheRepositoryYaml_TheContractsRecord()
    {
        var endpoints = 0;
        foreach (var file in RepositoryYaml.Paths())
        {
            foreach (var document in YamlJson.ReadAll(File.ReadAllText(Path.Combine(RepositoryYaml.Root(), file))))
            {
                if (document is not JsonObject obj)
                {
                    continue;
                }
                var wire = StructJson.ToStruct(obj).ToByteArray();
                var isEndpoint = obj["kind"] is JsonValue kind && kind.TryGetValue<string>(out var text) && text == "ModelEndpoint";
                endpoints += isEndpoint ? 1 : 0;
                if (ModelEndpointWire.TryRead(wire, out var endpoint))
                {
                    Assert.True(ContractRead(wire) == JsonSerializer.Serialize(endpoint, Info), $"{file}: {obj.ToJsonString()}");
                }
                else
                {
                    Assert.False(isEndpoint, $"{file}: a ModelEndpoint stepped aside: {obj.ToJsonString()}");
                }
            }
        }
        Assert.True(endpoints > 20, $"only {endpoints} ModelEndpoints found");
    }

    [Fact]
    public void ModelService_ReadsEveryBenchEndpointFromTheWire()
    {
        // The requests the wire bench sends: every endpoint takes this read, none the slower paths.
        var request = BenchRequests.ModelService(100);
        var wires = request.RequiredResources.Values.SelectMany(r => r.Items).Select(i => i.Resource_.ToByteArray()).ToArray();

        Assert.NotEmpty(wires);
        Assert.All(wires, w => Assert.True(ModelEndpointWire.TryRead(w, out _)));
    }

    private static string ReadThroughRequest(byte[] structBytes)
    {
        var head = new RunFunctionRequest { Meta = new RequestMeta { Tag = "t" } }.ToByteArray();
        var entry = Concat(Tagged(1, "endpoints"u8.ToArray()), Tagged(2, Tagged(1, Tagged(1, structBytes))));
        var decoded = RequestDecoder.Decode(new ReadOnlySequence<byte>(Concat(head, Tagged(8, entry))));
        var read = new FunctionRequest(decoded).Required.Read("endpoints", Info, ModelEndpointWire.Read);
        return JsonSerializer.Serialize(Assert.Single(read), Info);
    }

}
