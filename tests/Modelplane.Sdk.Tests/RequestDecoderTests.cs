// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Buffers;
using System.Text;
using Apiextensions.Fn.Proto.V1;
using Google.Protobuf;
using static Modelplane.Testing.WireBytes;

namespace Modelplane.Sdk.Tests;

/// <summary>The server's decode: required objects kept as wire bytes and written as JSON when asked, or the full parse when the request is not in a form the fast path reads.</summary>
public sealed class RequestDecoderTests
{
    private const string Endpoint = """
        {"apiVersion":"modelplane.ai/v1alpha1","kind":"ModelEndpoint","metadata":{"name":"e-1","labels":{"team":"ml","é":"ü"}},
         "spec":{"url":"http://10.0.0.1:8000/v1","weight":80,"ratio":0.25,"big":9007199254740993,"tags":["a",null,true,false,[],{}]},
         "status":{"conditions":[{"type":"Ready","status":"True"}]}}
        """;

    private static RunFunctionRequest Request(params string[] objects)
    {
        var resources = new Resources();
        foreach (var json in objects)
        {
            resources.Items.Add(new Resource { Resource_ = StructJson.ParseStruct(json) });
        }
        var request = new RunFunctionRequest { Meta = new RequestMeta { Tag = "t" } };
        request.RequiredResources.Add("endpoints", resources);
        request.RequiredResources.Add("none", new Resources());
        return request;
    }

    private static string Text(DecodedRequest decoded, string name, int index) => Encoding.UTF8.GetString(decoded.Required.Json(name, index));

    // The text StructJson.WriteObject gives for the parsed Struct: the full parse's answer.
    private static string Reference(RunFunctionRequest request, string name, int index) =>
        Text(DecodedRequest.From(RunFunctionRequest.Parser.ParseFrom(request.ToByteArray())), name, index);

    [Fact]
    public void Decode_CanonicalRequest_SameTextAsTheFullParseAndEnvelopeWithoutRequired()
    {
        var request = Request(Endpoint, "{}");

        var decoded = RequestDecoder.Decode(new ReadOnlySequence<byte>(request.ToByteArray()));

        Assert.Equal(Reference(request, "endpoints", 0), Text(decoded, "endpoints", 0));
        Assert.Equal("{}", Text(decoded, "endpoints", 1));
        Assert.Equal(0, decoded.Required.Count("none"));
        Assert.Equal(-1, decoded.Required.Count("absent"));
        // The fast path leaves the required objects out of the envelope; only the full parse keeps them.
        Assert.Empty(decoded.Envelope.RequiredResources);
        Assert.Equal("t", decoded.Envelope.Meta.Tag);
    }

    [Fact]
    public void Decode_RequestSplitAcrossTransportBuffers_SameText()
    {
        var bytes = Request(Endpoint).ToByteArray();
        var first = new Segment(bytes.AsMemory(0, bytes.Length / 2));
        var last = first.Append(bytes.AsMemory(bytes.Length / 2));

        var decoded = RequestDecoder.Decode(new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length));

        Assert.Equal(Reference(Request(Endpoint), "endpoints", 0), Text(decoded, "endpoints", 0));
    }

    [Fact]
    public void Decode_KeyRepeatedInOneObject_TheObjectsOwnParseKeepsTheLastValue()
    {
        // {"a":1,"a":2} on the wire: a protobuf map keeps the last value, and JSON text must not carry both.
        var entry1 = new Google.Protobuf.WellKnownTypes.Struct();
        entry1.Fields.Add("a", Google.Protobuf.WellKnownTypes.Value.ForNumber(1));
        var entry2 = new Google.Protobuf.WellKnownTypes.Struct();
        entry2.Fields.Add("a", Google.Protobuf.WellKnownTypes.Value.ForNumber(2));
        var structBytes = entry1.ToByteArray().Concat(entry2.ToByteArray()).ToArray();
        var request = RequestWithRawStruct(structBytes);

        var decoded = RequestDecoder.Decode(new ReadOnlySequence<byte>(request));

        Assert.Equal("""{"a":2}""", Text(decoded, "raw", 0));
    }

    [Fact]
    public void Decode_InvalidUtf8InARequiredLabel_RefusedNamingTheField()
    {
        var structBytes = new Google.Protobuf.WellKnownTypes.Struct
        {
            Fields = { ["name"] = Google.Protobuf.WellKnownTypes.Value.ForString("XX") },
        }.ToByteArray();
        // Replace "XX" with a lone continuation byte and a stray 0xFF.
        var at = structBytes.AsSpan().IndexOf("XX"u8);
        structBytes[at] = 0x80;
        structBytes[at + 1] = 0xFF;

        var e = Assert.Throws<MalformedRequestException>(() => RequestDecoder.Decode(new ReadOnlySequence<byte>(RequestWithRawStruct(structBytes))));

        Assert.Contains("required_resources[\"raw\"].items[0].resource.name", e.Message, StringComparison.Ordinal);
        Assert.Contains("not valid UTF-8", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_TruncatedRequiredEntry_RefusedAsTheLibraryRefusesIt()
    {
        var bytes = Request(Endpoint).ToByteArray();

        var e = Assert.Throws<MalformedRequestException>(() => RequestDecoder.Decode(new ReadOnlySequence<byte>(bytes.AsMemory(0, bytes.Length - 7))));

        Assert.StartsWith("cannot parse RunFunctionRequest:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_UnknownFieldInARequiredItem_TheObjectsOwnParseIgnoresIt()
    {
        var structBytes = StructJson.ParseStruct("""{"k":"v"}""").ToByteArray();
        // Field 9, varint 1: unknown to Struct, skipped by Google.Protobuf.
        var request = RequestWithRawStruct([.. structBytes, 0x48, 0x01]);

        var decoded = RequestDecoder.Decode(new ReadOnlySequence<byte>(request));

        Assert.Equal("""{"k":"v"}""", Text(decoded, "raw", 0));
    }

    // A request whose one required object is the given Struct bytes, as written by hand.
    private static byte[] RequestWithRawStruct(byte[] structBytes)
    {
        using var output = new MemoryStream();
        var stream = new CodedOutputStream(output);
        var item = Tagged(1, structBytes);          // Resource.resource
        var resources = Tagged(1, item);            // Resources.items
        var entry = Tagged(1, "raw"u8.ToArray()).Concat(Tagged(2, resources)).ToArray();
        stream.WriteRawTag(0x42);                   // RunFunctionRequest.required_resources (8, LEN)
        stream.WriteBytes(ByteString.CopyFrom(entry));
        stream.Flush();
        return output.ToArray();
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }
}
