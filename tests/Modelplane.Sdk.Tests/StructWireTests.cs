// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Modelplane.Yaml;

namespace Modelplane.Sdk.Tests;

public sealed class StructWireTests
{
    /// <summary>A named object; the builder runs per test so no row shares a node with another.</summary>
    public sealed record Row(string Name, Func<JsonObject> Build)
    {
        public override string ToString() => Name;
    }

    private static Row Text(string name, string json) => new(name, () => JsonNode.Parse(json)!.AsObject());

    private static Row Code(string name, Func<JsonObject> build) => new(name, build);

    private static readonly string Long200 = new('x', 200);
    private static readonly string Long20000 = string.Concat(Enumerable.Repeat("ab€😀", 2500));

    public static TheoryData<Row> Rows => new()
    {
        Text("empty object", "{}"),
        Text("nested empties", """{"a":[],"b":{},"c":[[],{}],"d":[{},[[]]],"e":{"f":{}}}"""),
        Text("nulls", """{"n":null,"list":[null,1,null],"obj":{"n":null}}"""),
        Text("defaults", """{"zero":0,"empty":"","no":false,"yes":true,"n":null}"""),
        Text("empty key", """{"":"empty key","a":{"":0}}"""),
        Text("empty key alone", """{"":""}"""),
        Text("keys differing in case and accents", """{"b":1,"B":2,"a":3,"A":4,"ab":5,"aB":6,"Ab":7,"é":8,"e":9,"E":10,"_":11,"~":12,"0":13}"""),
        Text("unicode and escapes",
            """{"unicode":"café ☃ 😀","escapes":"quote\" back\\ nl\n tab\t nul\u0000 \u00e9 \ud83d\ude00","😀":"emoji key","k\u00e9y\n":"escaped key","ключ":"юникод"}"""),
        Text("text numbers",
            """{"a":0,"b":-0,"c":-0.0,"d":9007199254740992,"e":9007199254740993,"f":9007199254740994,"g":1e300,"h":0.1,"i":1E-7,"j":18446744073709551615,"k":-9223372036854775808,"l":123456789012345678901234567890,"m":1e400,"n":-1e400,"o":5e-324,"p":80.0}"""),
        Text("mixed list", """{"mixed":[1,"two",true,false,null,{"k":"v","a":[]},[3.5,[]],""]}"""),
        Text("long strings", $$"""{"s200":"{{Long200}}","s20000":"{{Long20000}}","{{Long200}}":"long key"}"""),
        Text("deep", """{"a":{"b":{"c":{"d":{"e":{"f":{"g":[[[["deep"]]]]}}}}}}}"""),
        Code("clr numbers", () => new JsonObject
        {
            ["int0"] = 0,
            ["intMin"] = int.MinValue,
            ["negZero"] = -0.0,
            ["pow53"] = 9007199254740992L,
            ["pow53plus2"] = 9007199254740994L,
            ["pow53plus1"] = 9007199254740993L,
            ["big"] = 1e300,
            ["tenth"] = 0.1,
            ["nan"] = double.NaN,
            ["inf"] = double.PositiveInfinity,
            ["negInf"] = double.NegativeInfinity,
            ["longMax"] = long.MaxValue,
            ["longMin"] = long.MinValue,
            ["ulongMax"] = ulong.MaxValue,
            ["decimal"] = 0.1m,
            ["decimalMax"] = decimal.MaxValue,
            ["float"] = 0.1f,
            ["floatNaN"] = float.NaN,
            ["byte"] = (byte)200,
            ["sbyte"] = (sbyte)-5,
            ["short"] = (short)-300,
            ["ushort"] = (ushort)60000,
            ["uint"] = uint.MaxValue,
            ["half"] = JsonValue.Create((Half)1.5),
            ["epsilon"] = double.Epsilon,
        }),
        Code("clr strings and bools", () => new JsonObject
        {
            ["empty"] = "",
            ["ascii"] = "hello",
            ["unicode"] = "café ☃ 😀",
            ["s200"] = Long200,
            ["s20000"] = Long20000,
            ["t"] = true,
            ["f"] = false,
            ["null"] = null,
            [""] = "empty key",
            ["lone surrogate"] = "half \ud800 a pair",
            ["reversed pair"] = "\ude00\ud83d",
        }),
        Code("clr nested in reverse key order", () => new JsonObject
        {
            ["z"] = new JsonArray(3, "two", null, new JsonObject { ["y"] = 1, ["x"] = new JsonArray() }),
            ["m"] = new JsonObject { ["k"] = new JsonObject(), ["j"] = new JsonArray(new JsonArray(), new JsonObject()) },
            ["c"] = JsonValue.Create(JsonDocument.Parse("\"element string\"").RootElement),
            ["d"] = JsonValue.Create(JsonDocument.Parse("12.5").RootElement),
        }),
        Code("many keys", () =>
        {
            var obj = new JsonObject();
            for (var i = 999; i >= 0; i--)
            {
                obj[$"key-{i}"] = i % 3 == 0 ? new JsonObject { ["i"] = i } : i;
            }
            return obj;
        }),
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void ToBytes_Row_SameBytesAsToStruct(Row row) => AssertSameBytes(row.Build(), row.Name);

    [Theory]
    [MemberData(nameof(Rows))]
    public void SizeOfAndWrite_Row_AgreeWithToStruct(Row row)
    {
        var obj = row.Build();
        var want = StructJson.ToStruct(obj);
        var output = new ArrayBufferWriter<byte>();
        output.Write(new byte[] { 0xFF }); // a caller's earlier bytes stay put

        StructWire.Write(obj, output);

        Assert.Equal(want.CalculateSize(), StructWire.SizeOf(obj));
        Assert.Equal([0xFF, .. want.ToByteArray()], output.WrittenSpan.ToArray());
    }

    // What Google.Protobuf writes for defaults, spelled out: an empty map key is left out of its
    // entry (proto3 default), the entry's Value is always written, and a oneof set to a default
    // (number 0, "", false, null_value) is written with its tag.
    [Theory]
    [InlineData("""{"":0}""", "0A-0B-12-09-11-00-00-00-00-00-00-00-00")]
    [InlineData("""{"a":""}""", "0A-07-0A-01-61-12-02-1A-00")]
    [InlineData("""{"a":false}""", "0A-07-0A-01-61-12-02-20-00")]
    [InlineData("""{"a":null}""", "0A-07-0A-01-61-12-02-08-00")]
    [InlineData("""{"a":{}}""", "0A-07-0A-01-61-12-02-2A-00")]
    [InlineData("""{"a":[]}""", "0A-07-0A-01-61-12-02-32-00")]
    [InlineData("""{"b":1,"a":[true]}""", "0A-0B-0A-01-61-12-06-32-04-0A-02-20-01-0A-0E-0A-01-62-12-09-11-00-00-00-00-00-00-F0-3F")]
    public void ToBytes_Defaults_WrittenAsGoogleProtobufWritesThem(string json, string hex)
    {
        var obj = JsonNode.Parse(json)!.AsObject();

        Assert.Equal(hex, BitConverter.ToString(StructWire.ToBytes(obj)));
        Assert.Equal(hex, BitConverter.ToString(StructJson.ToStruct(obj).ToByteArray()));
    }

    [Theory]
    [InlineData(127)]
    [InlineData(128)]
    [InlineData(16383)]
    [InlineData(16384)]
    [InlineData(2_097_152)]
    public void ToBytes_StringAtVarintBoundary_SameBytesAsToStruct(int length)
    {
        var text = new string('q', length);
        AssertSameBytes(new JsonObject { ["s"] = text, ["l"] = new JsonArray(text) }, $"string of {length}");
        AssertSameBytes(JsonNode.Parse($$"""{"s":"{{text}}"}""")!.AsObject(), $"parsed string of {length}");
    }

    public static TheoryData<Row> Unreadable => new()
    {
        // A char node says it is a string, but GetValue<string> refuses it.
        Code("char node", () => new JsonObject { ["c"] = JsonValue.Create('c') }),
        // A lone surrogate escaped in JSON text: GetString refuses it (one in a C# string is U+FFFD).
        Text("escaped lone surrogate", """{"ok":"fine","lone":"a\ud800b"}"""),
    };

    [Theory]
    [MemberData(nameof(Unreadable))]
    public void ToBytes_ValueToStructCannotRead_ThrowsAsToStructDoes(Row row)
    {
        var obj = row.Build();

        var want = Record.Exception(() => StructJson.ToStruct(obj).ToByteArray());
        var got = Record.Exception(() => StructWire.ToBytes(obj));

        Assert.NotNull(want);
        Assert.IsType(want.GetType(), got);
        Assert.Equal(want.Message, got.Message);
    }

    [Fact]
    public void ToBytes_AtMaxDepth_SameBytesAsToStruct() =>
        AssertSameBytes(Nested(StructWire.MaxDepth), $"{StructWire.MaxDepth} levels");

    [Fact]
    public void ToBytes_PastMaxDepth_InvalidOperationWhereToStructStillRecurses()
    {
        var obj = Nested(StructWire.MaxDepth + 1);

        var error = Assert.Throws<InvalidOperationException>(() => StructWire.ToBytes(obj));

        Assert.Contains("deeper than 1000 levels", error.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => StructWire.SizeOf(obj));
        // ToStruct has no bound of its own at this depth: the difference is deliberate, and small.
        Assert.True(StructJson.ToStruct(obj).CalculateSize() > 0);
    }

    [Fact]
    public void Measure_ObjectChangedBeforeWriting_RefusesToWrite()
    {
        var list = new JsonArray(1);
        var obj = new JsonObject { ["a"] = list };
        using var measured = StructWire.Measure(obj);
        list.Add("one more");

        Assert.ThrowsAny<Exception>(() => measured.WriteTo(new byte[measured.Size + 64]));
    }

    [Fact]
    public void Measure_WrittenTwice_Refused()
    {
        using var measured = StructWire.Measure(new JsonObject { ["a"] = 1 });
        measured.WriteTo(new byte[measured.Size]);

        Assert.Throws<InvalidOperationException>(() => measured.WriteTo(new byte[measured.Size]));
    }

    /// <summary>Every YAML document the repository holds as a spec: goldens, examples, the package.</summary>
    public static TheoryData<string> YamlFiles() => new(YamlPaths());

    private static List<string> YamlPaths() => Modelplane.Testing.RepositoryYaml.Paths();

    [Fact]
    public void YamlFiles_FindsTheGoldensAndExamples()
    {
        var files = YamlPaths();

        Assert.True(files.Count > 300, $"only {files.Count} YAML files found under {RepositoryRoot()}");
        Assert.Contains(files, f => f.StartsWith("examples", StringComparison.Ordinal) && f.EndsWith("render.yaml", StringComparison.Ordinal));
        Assert.Contains(files, f => f.Contains("golden", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(YamlFiles))]
    public void ToBytes_EveryObjectInTheRepositoryYaml_SameBytesAsToStruct(string file)
    {
        foreach (var document in YamlJson.ReadAll(File.ReadAllText(Path.Combine(RepositoryRoot(), file))))
        {
            if (document is not JsonObject obj)
            {
                continue;
            }
            // As YamlJson builds it (CLR values), and as text parses (JsonElement values).
            AssertSameBytes(obj, file);
            AssertSameBytes(JsonNode.Parse(obj.ToJsonString())!.AsObject(), $"{file} reparsed");
        }
    }

    // ---- From JSON text (typed records' path) ----

    private static readonly JsonSerializerOptions Escaping = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    private static readonly JsonSerializerOptions Relaxed = new()
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void MeasureJson_Row_SameBytesAsToStructOfTheParsedText(Row row)
    {
        // Escaped (non-ASCII and HTML characters as \u escapes, the serializer's default) and relaxed
        // (raw UTF-8), so both the raw and the decoded key and string paths are compared.
        AssertSameBytesFromText(row.Build().ToJsonString(Escaping), $"{row.Name}, escaped");
        AssertSameBytesFromText(row.Build().ToJsonString(Relaxed), $"{row.Name}, relaxed");
    }

    [Theory]
    [MemberData(nameof(YamlFiles))]
    public void MeasureJson_EveryObjectInTheRepositoryYaml_SameBytesAsToStructOfTheParsedText(string file)
    {
        foreach (var document in YamlJson.ReadAll(File.ReadAllText(Path.Combine(RepositoryRoot(), file))))
        {
            if (document is JsonObject obj)
            {
                AssertSameBytesFromText(obj.ToJsonString(Escaping), $"{file}, escaped");
                AssertSameBytesFromText(obj.ToJsonString(Relaxed), $"{file}, relaxed");
            }
        }
    }

    [Theory]
    // Keys whose UTF-8 byte order differs from UTF-16 ordinal order (U+FF21 sorts after U+1F600's
    // surrogates in UTF-16, before it in UTF-8), mixed with plain, escaped and empty keys.
    [InlineData("""{"\uff21":1,"😀":2,"a":3,"":4,"\u0041":5,"b\"q":6,"+":7,"\u002b1":8}""")]
    [InlineData("""{"z":{"😀":[{"\uff21":null}],"\uff21":"x"},"y":"\u00e9\ud83d\ude00"}""")]
    public void MeasureJson_KeysWhoseByteAndOrdinalOrderDiffer_SortedAsToStructSorts(string json) =>
        AssertSameBytesFromText(json, json);

    [Fact]
    public void MeasureJson_RepeatedKey_Refused()
    {
        var error = Assert.Throws<InvalidOperationException>(() => StructWire.MeasureJson("""{"a":1,"b":{"k":1,"\u006b":2}}"""u8.ToArray()));

        Assert.Contains("repeats the key \"k\"", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[1]")]
    [InlineData("null")]
    [InlineData("\"text\"")]
    public void MeasureJson_NotAnObject_Refused(string json) =>
        Assert.Throws<InvalidOperationException>(() => StructWire.MeasureJson(System.Text.Encoding.UTF8.GetBytes(json)));

    [Fact]
    public void MeasureJson_DeeperThanTheParsersDefault_SameBytes() =>
        // JsonDocument refuses 65 levels by default; StructWire takes up to MaxDepth.
        AssertSameBytesFromText(Nested(200).ToJsonString(), "200 levels");

    [Fact]
    public void MeasureJson_WrittenTwice_Refused()
    {
        using var measured = StructWire.MeasureJson("""{"a":1}"""u8.ToArray());
        measured.WriteTo(new byte[measured.Size]);

        Assert.Throws<InvalidOperationException>(() => measured.WriteTo(new byte[measured.Size]));
    }

    private static void AssertSameBytesFromText(string json, string what)
    {
        var want = StructJson.ToStruct(JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { MaxDepth = StructWire.MaxDepth })!.AsObject()).ToByteArray();

        using var measured = StructWire.MeasureJson(System.Text.Encoding.UTF8.GetBytes(json));
        var got = new byte[measured.Size];
        measured.WriteTo(got);

        if (!want.AsSpan().SequenceEqual(got))
        {
            var at = want.AsSpan().CommonPrefixLength(got);
            Assert.Fail($"{what}: {got.Length} bytes, want {want.Length}; first difference at byte {at}");
        }
    }

    private static void AssertSameBytes(JsonObject obj, string what)
    {
        var want = StructJson.ToStruct(obj).ToByteArray();

        var got = StructWire.ToBytes(obj);

        if (!want.AsSpan().SequenceEqual(got))
        {
            var at = want.AsSpan().CommonPrefixLength(got);
            Assert.Fail($"{what}: {got.Length} bytes, want {want.Length}; first difference at byte {at}");
        }
    }

    private static JsonObject Nested(int depth)
    {
        // Objects and arrays alternate (the outermost an object), so both walks are bounded alike.
        JsonNode inner = new JsonObject { ["leaf"] = "bottom" };
        for (var level = 2; level <= depth; level++)
        {
            inner = (depth - level) % 2 == 0 ? new JsonObject { ["k"] = inner } : new JsonArray(inner);
        }
        return inner.AsObject();
    }

    internal static string RepositoryRoot() => Modelplane.Testing.RepositoryYaml.Root();
}
