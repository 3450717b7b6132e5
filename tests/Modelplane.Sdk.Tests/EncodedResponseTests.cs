// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Buffers;
using System.Text.Json.Nodes;
using Apiextensions.Fn.Proto.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Modelplane.Sdk.Tests;

/// <summary>
/// <see cref="FunctionRunner.Encode"/> against <see cref="FunctionRunner.Respond"/>'s message, byte for
/// byte: the shapes a response takes at its edges. Every golden checks the same through FunctionHost.
/// </summary>
public sealed partial class EncodedResponseTests
{
    /// <summary>A request and a composition, built per test so no row shares a node with another.</summary>
    public sealed record Row(string Name, Func<(RunFunctionRequest Request, Composition Composition)> Build)
    {
        public override string ToString() => Name;
    }

    private static JsonObject Object(string json) => JsonNode.Parse(json)!.AsObject();

    private static Resource Passed(string json) => new() { Resource_ = StructJson.ToStruct(Object(json)), Ready = Ready.True };

    private static RunFunctionRequest Request(params (string Key, Resource Value)[] desired)
    {
        var request = new RunFunctionRequest { Meta = new RequestMeta { Tag = "t" }, Desired = new State() };
        foreach (var (key, value) in desired)
        {
            request.Desired.Resources.Add(key, value);
        }
        return request;
    }

    private static Dictionary<string, DesiredResource> Composed(params (string Key, string Json, Readiness Ready)[] resources) =>
        resources.ToDictionary(r => r.Key, r => new DesiredResource(Object(r.Json), r.Ready), StringComparer.Ordinal);

    public static TheoryData<Row> Rows => new()
    {
        new("nothing composed, no desired state", () => (new RunFunctionRequest(), new Composition())),
        new("one composed resource", () => (Request(), new Composition { Resources = Composed(("a", """{"kind":"Service"}""", Readiness.Unspecified)) })),
        new("readiness of each kind", () => (Request(), new Composition
        {
            Resources = Composed(("ready", "{}", Readiness.Ready), ("not-ready", "{}", Readiness.NotReady), ("unknown", """{"a":1}""", Readiness.Unspecified)),
        })),
        new("keys: empty, non-ASCII, lone surrogate, long", () => (Request(), new Composition
        {
            Resources = Composed(("", "{}", Readiness.Ready), ("ключ-😀", """{"x":"y"}""", Readiness.Unspecified),
                ("bad-\ud800", "{}", Readiness.NotReady), (new string('k', 300), """{"n":2}""", Readiness.Ready)),
        })),
        new("composed keys out of order", () => (Request(), new Composition
        {
            Resources = Composed(("b", "{}", Readiness.Ready), ("B", "{}", Readiness.Ready), ("a", "{}", Readiness.Ready), ("é", "{}", Readiness.Ready)),
        })),
        new("pass-through kept around the composed", () => (
            Request(("z-earlier", Passed("""{"kind":"ConfigMap"}""")), ("a-earlier", Passed("{}"))),
            new Composition { Resources = Composed(("m", """{"kind":"Secret"}""", Readiness.Ready)) })),
        new("a composed key that was desired keeps its place", () => (
            Request(("z", Passed("""{"old":true}""")), ("b", Passed("""{"old":true}""")), ("a", Passed("{}"))),
            new Composition { Resources = Composed(("b", """{"new":true}""", Readiness.NotReady), ("c", "{}", Readiness.Ready)) })),
        new("removed, and removed then composed again", () => (
            Request(("gone", Passed("{}")), ("back", Passed("""{"old":1}""")), ("kept", Passed("{}"))),
            new Composition { Removed = ["gone", "back", "never-there"], Resources = Composed(("back", """{"new":1}""", Readiness.Ready)) })),
        new("composite status, readiness, conditions, results, context, requirements", () =>
        {
            var request = Request(("earlier", Passed("{}")));
            request.Desired.Composite = new Resource { Resource_ = StructJson.ToStruct(Object("""{"status":{"kept":1,"deep":{"a":1}}}""")) };
            request.Context = StructJson.ToStruct(Object("""{"earlier":"step"}"""));
            return (request, new Composition
            {
                Resources = Composed(("r", """{"spec":{"list":[1,"two",null,{"k":[]}]}}""", Readiness.Ready)),
                Status = Object("""{"deep":{"b":2},"phase":"Ready"}"""),
                CompositeReady = Readiness.NotReady,
                Conditions = [Condition.True("Ready", "Available", "all good"), Condition.False("Synced", "Bad")],
                Results = [Result.Warning("careful", "Why"), Result.Normal("fine")],
                Context = Object("""{"ours":{"n":1}}"""),
                Requirements = new Dictionary<string, Requirement>(StringComparer.Ordinal)
                {
                    ["z"] = Requirement.Named("v1", "Secret", "s", "ns"),
                    ["a"] = Requirement.All("v1", "ConfigMap"),
                },
                SchemaRequirements = new Dictionary<string, (string, string)>(StringComparer.Ordinal) { ["x"] = ("example.org/v1", "Thing") },
                Ttl = TimeSpan.FromSeconds(5),
            });
        }),
        new("composite readiness without a desired composite", () => (Request(), new Composition { CompositeReady = Readiness.Ready })),
        new("large resources whose lengths take several varint bytes", () => (Request(), new Composition
        {
            Resources = Composed(
                ("big", $$$"""{"data":{"blob":"{{{new string('x', 300_000)}}}"}}""", Readiness.Ready),
                ("many", "{" + string.Join(",", Enumerable.Range(0, 2_000).Select(i => $"\"k{i:D5}\":{i}")) + "}", Readiness.Unspecified)),
        })),
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void Encode_SameBytesAsRespondsMessage(Row row)
    {
        var (request, composition) = row.Build();
        var expected = FunctionRunner.Respond(request, composition).ToByteArray();

        var (request2, composition2) = row.Build();
        using var encoded = FunctionRunner.Encode(request2, composition2);

        Assert.Equal(expected.Length, encoded.Size);
        Assert.Equal(expected, encoded.ToByteArray());
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void WriteTo_SmallSegments_SameBytes(Row row)
    {
        var (request, composition) = row.Build();
        using var encoded = FunctionRunner.Encode(request, composition);
        var whole = encoded.ToByteArray();

        var output = new SmallSegments(7);
        encoded.WriteTo(output);

        Assert.Equal(whole, output.ToArray());
    }

    /// <summary>A typed record, as composers hand most resources over.</summary>
    public sealed record Thing(string ApiVersion, string Kind, IReadOnlyDictionary<string, string>? Labels, IReadOnlyList<double>? Numbers, Thing? Inner);

    [System.Text.Json.Serialization.JsonSerializable(typeof(Thing))]
    [System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public sealed partial class ThingJsonContext : System.Text.Json.Serialization.JsonSerializerContext;

    private static Thing SomeThing() => new("v1", "Thing",
        new Dictionary<string, string> { ["b"] = "x", ["a+b"] = "<é>", ["😀"] = "\uff21", ["Ａ"] = "" },
        [0, -0.0, 0.1, 1e300, 9007199254740993],
        new Thing("v2", "Inner", null, [], null));

    [Fact]
    public void Encode_TypedRecords_SameBytesAsRespondsMessage()
    {
        // From keeps the record's JSON text, and the encoder writes from it; Respond builds the object.
        Composition Compose() => new()
        {
            Resources = new Dictionary<string, DesiredResource>
            {
                ["typed"] = DesiredResource.From(SomeThing(), ThingJsonContext.Default.Thing, ready: true),
                ["object"] = new(Object("""{"kind":"Plain"}""")),
            },
        };
        var expected = FunctionRunner.Respond(Request(), Compose()).ToByteArray();

        var composition = Compose();
        Assert.True(composition.Resources["typed"].TryGetJson(out _), "the typed resource still has its text, so the text path is what is compared");
        using var encoded = FunctionRunner.Encode(Request(), composition);

        Assert.Equal(expected, encoded.ToByteArray());
    }

    [Fact]
    public void Encode_TypedRecordChangedThroughItsObject_EncodesTheChange()
    {
        var typed = DesiredResource.From(SomeThing(), ThingJsonContext.Default.Thing);
        typed.Resource["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["added"] = "later" } };
        var composition = new Composition { Resources = new Dictionary<string, DesiredResource> { ["typed"] = typed } };

        using var encoded = FunctionRunner.Encode(Request(), composition);

        var resource = encoded.ToMessage().Desired.Resources["typed"].Resource_;
        Assert.Equal("later", resource.Fields["metadata"].StructValue.Fields["labels"].StructValue.Fields["added"].StringValue);
        Assert.Equal("Thing", resource.Fields["kind"].StringValue);
    }

    [Fact]
    public void From_RecordThatIsNotAnObject_Refused() =>
        Assert.Throws<InvalidOperationException>(() => DesiredResource.From<Thing?>(null, ThingJsonContext.Default.Thing!));

    [Fact]
    public void Encode_RequestsDesiredStateUnknownFields_WrittenAfterTheKnownOnes()
    {
        // A State carrying field 99 (a newer Crossplane's): the request parser keeps it, Respond echoes it.
        var state = new State { Resources = { ["earlier"] = Passed("{}") } }.ToByteArray();
        var withUnknown = state.Concat(new byte[] { 0x9A, 0x06, 0x03, (byte)'n', (byte)'e', (byte)'w' }).ToArray();
        RunFunctionRequest Build() => new() { Meta = new RequestMeta { Tag = "t" }, Desired = State.Parser.ParseFrom(withUnknown) };
        Composition Compose() => new() { Resources = Composed(("r", "{}", Readiness.Ready)) };
        var expected = FunctionRunner.Respond(Build(), Compose()).ToByteArray();

        using var encoded = FunctionRunner.Encode(Build(), Compose());

        Assert.Equal(expected, encoded.ToByteArray());
        Assert.True(expected.AsSpan().IndexOf("new"u8) > 0, "the unknown field is in Respond's bytes, so the comparison covers it");
    }

    [Fact]
    public void ToMessage_ObjectNestedFarPastProtobufsDefaultLimit_ReadsBack()
    {
        // Google.Protobuf's default parse limit (100 messages) is about 48 JSON levels; the encoder writes
        // deeper objects, so reading its bytes back must not refuse what it wrote.
        JsonNode deep = "bottom";
        for (var i = 0; i < 300; i++)
        {
            deep = new JsonObject { ["a"] = deep };
        }
        var composition = new Composition { Resources = new Dictionary<string, DesiredResource> { ["deep"] = new((JsonObject)deep) } };

        using var encoded = FunctionRunner.Encode(Request(), composition);
        var message = encoded.ToMessage();

        var value = message.Desired.Resources["deep"].Resource_;
        for (var i = 0; i < 299; i++)
        {
            value = value.Fields["a"].StructValue;
        }
        Assert.Equal("bottom", value.Fields["a"].StringValue);
    }

    [Fact]
    public void Encode_ComposedValueStructJsonCannotRead_ThrowsAsRespondDoes()
    {
        // A composer bug (a char node, which GetValue<string> refuses): the same exception Respond throws,
        // which the server reports as the composer bug it is.
        Composition Compose() => new()
        {
            Resources = new Dictionary<string, DesiredResource> { ["r"] = new(new JsonObject { ["c"] = JsonValue.Create('c') }) },
        };

        var want = Record.Exception(() => FunctionRunner.Respond(Request(), Compose()));
        var got = Record.Exception(() => FunctionRunner.Encode(Request(), Compose()));

        Assert.NotNull(want);
        Assert.IsType(want.GetType(), got);
        Assert.Equal(want.Message, got.Message);
    }

    [Fact]
    public void Disposed_WriteTo_Throws()
    {
        var encoded = FunctionRunner.Encode(Request(), new Composition { Resources = Composed(("a", "{}", Readiness.Ready)) });
        encoded.Dispose();

        Assert.Throws<ObjectDisposedException>(() => encoded.WriteTo(new ArrayBufferWriter<byte>()));
        Assert.Throws<ObjectDisposedException>(() => encoded.ToByteArray());
        encoded.Dispose(); // twice is harmless
    }

    [Fact]
    public void FromBytes_WholeResponse_ReadsBack()
    {
        var message = new RunFunctionResponse { Meta = new ResponseMeta { Tag = "x", Ttl = Duration.FromTimeSpan(TimeSpan.FromSeconds(3)) } };

        using var wrapped = EncodedResponse.FromBytes(message.ToByteArray());

        Assert.Equal(message, wrapped.ToMessage());
        Assert.Equal(message.CalculateSize(), wrapped.Size);
    }

    // A transport buffer that hands out small spans, as a real one does at segment ends.
    private sealed class SmallSegments(int segment) : IBufferWriter<byte>
    {
        private readonly List<byte> _bytes = [];
        private byte[] _current = [];

        public void Advance(int count) => _bytes.AddRange(_current.AsSpan(0, count).ToArray());

        public Memory<byte> GetMemory(int sizeHint = 0) => _current = new byte[Math.Max(sizeHint, segment)];

        public Span<byte> GetSpan(int sizeHint = 0) => _current = new byte[Math.Max(sizeHint, segment)];

        public byte[] ToArray() => [.. _bytes];
    }
}
