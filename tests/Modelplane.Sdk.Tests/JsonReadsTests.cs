// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;

namespace Modelplane.Sdk.Tests;

public sealed class JsonReadsTests
{
    private const string Xr = """
        {
          "metadata": {"name": "chat", "labels": {"app": "chat", "tier": "web"}, "annotations": {"bad": 5}},
          "spec": {
            "replicas": 3, "ratio": 0.25, "whole": 4.0, "big": 1e30, "text": "three", "flag": true, "off": false,
            "nothing": null, "list": [1, 2], "object": {"k": "v"}, "huge": 9007199254740993, "negative": -12
          },
          "status": {"conditions": [
            {"type": "Synced", "status": "True"},
            {"type": "Ready", "status": "False", "reason": "Creating"},
            {"type": "Healthy", "status": 1}
          ]}
        }
        """;

    private static JsonNode Node() => JsonNode.Parse(Xr)!;

    [Theory]
    [InlineData("spec.text", "\"three\"")]
    [InlineData("spec.list", "[1,2]")]
    [InlineData("metadata.labels.app", "\"chat\"")]
    [InlineData("spec.missing", null)]
    [InlineData("spec.nothing", null)]
    [InlineData("spec.nothing.deeper", null)]
    [InlineData("missing.anything.at.all", null)]
    public void At_Path_NodeOrNullWhereAbsent(string path, string? expected) =>
        Assert.Equal(expected, Node().At(path)?.ToJsonString());

    [Theory]
    [InlineData("spec.text.length", "", "spec.text", "expected an object, got a string")]
    [InlineData("spec.list.first", "", "spec.list", "expected an object, got a list")]
    [InlineData("spec.replicas.value", "", "spec.replicas", "expected an object, got a number")]
    [InlineData("spec.flag.x", "", "spec.flag", "expected an object, got a boolean")]
    [InlineData("spec.text.length", "required[gateway][0]", "required[gateway][0].spec.text", "expected an object, got a string")]
    public void At_ThroughAScalar_InvalidInputNamingWhereItStopped(string path, string at, string field, string problem)
    {
        var e = Assert.Throws<InvalidInputException>(() => Node().At(path, at));

        Assert.Equal(field, e.Field);
        Assert.Equal(problem, e.Problem);
    }

    [Fact]
    public void At_RootIsNotAnObject_FieldIsRoot()
    {
        var e = Assert.Throws<InvalidInputException>(() => JsonNode.Parse("[1]").At("a"));

        Assert.Equal("(root)", e.Field);
        Assert.Equal("expected an object, got a list", e.Problem);
    }

    [Theory]
    [InlineData("spec.replicas", 3L)]
    [InlineData("spec.whole", 4L)]
    [InlineData("spec.negative", -12L)]
    [InlineData("spec.huge", 9007199254740993L)]
    [InlineData("spec.missing", null)]
    [InlineData("spec.nothing", null)]
    public void IntegerAt_WholeNumber_Long(string path, long? expected) =>
        Assert.Equal(expected, Node().IntegerAt(path));

    [Theory]
    [InlineData("spec.ratio", "expected an integer, got a number")]
    [InlineData("spec.big", "expected an integer, got a number")]
    [InlineData("spec.text", "expected an integer, got a string")]
    [InlineData("spec.flag", "expected an integer, got a boolean")]
    [InlineData("spec.list", "expected an integer, got a list")]
    [InlineData("spec.object", "expected an integer, got an object")]
    public void IntegerAt_NotAWholeNumber_InvalidInput(string path, string problem)
    {
        var e = Assert.Throws<InvalidInputException>(() => Node().IntegerAt(path, "xr"));

        Assert.Equal($"xr.{path}", e.Field);
        Assert.Equal(problem, e.Problem);
        Assert.Equal($"xr.{path}: {problem}", e.Message);
    }

    [Fact]
    public void IntegerAt_NumbersBuiltInCode_Read()
    {
        var node = new JsonObject { ["i"] = 7, ["l"] = 8L, ["d"] = 9.0, ["f"] = 2.5 };

        Assert.Equal(7L, node.IntegerAt("i"));
        Assert.Equal(8L, node.IntegerAt("l"));
        Assert.Equal(9L, node.IntegerAt("d"));
        Assert.Throws<InvalidInputException>(() => node.IntegerAt("f"));
    }

    [Theory]
    [InlineData("spec.ratio", 0.25)]
    [InlineData("spec.replicas", 3d)]
    [InlineData("spec.big", 1e30)]
    [InlineData("spec.negative", -12d)]
    [InlineData("spec.missing", null)]
    public void NumberAt_Number_Double(string path, double? expected) =>
        Assert.Equal(expected, Node().NumberAt(path));

    [Theory]
    [InlineData("spec.text", "expected a number, got a string")]
    [InlineData("spec.object", "expected a number, got an object")]
    public void NumberAt_NotANumber_InvalidInput(string path, string problem) =>
        Assert.Equal(problem, Assert.Throws<InvalidInputException>(() => Node().NumberAt(path)).Problem);

    [Theory]
    [InlineData("spec.text", "three")]
    [InlineData("metadata.name", "chat")]
    [InlineData("spec.missing", null)]
    [InlineData("spec.nothing", null)]
    public void StringAt_String_Value(string path, string? expected) =>
        Assert.Equal(expected, Node().StringAt(path));

    [Theory]
    [InlineData("spec.replicas", "spec.replicas", "expected a string, got a number")]
    [InlineData("spec.flag", "spec.flag", "expected a string, got a boolean")]
    [InlineData("spec.list", "spec.list", "expected a string, got a list")]
    [InlineData("spec.object", "spec.object", "expected a string, got an object")]
    public void StringAt_NotAString_InvalidInput(string path, string field, string problem)
    {
        var e = Assert.Throws<InvalidInputException>(() => Node().StringAt(path));

        Assert.Equal(field, e.Field);
        Assert.Equal(problem, e.Problem);
    }

    [Theory]
    [InlineData("spec.flag", true)]
    [InlineData("spec.off", false)]
    [InlineData("spec.missing", null)]
    public void BoolAt_Boolean_Value(string path, bool? expected) =>
        Assert.Equal(expected, Node().BoolAt(path));

    [Theory]
    [InlineData("spec.text", "expected a boolean, got a string")]
    [InlineData("spec.replicas", "expected a boolean, got a number")]
    public void BoolAt_NotABoolean_InvalidInput(string path, string problem) =>
        Assert.Equal(problem, Assert.Throws<InvalidInputException>(() => Node().BoolAt(path)).Problem);

    [Fact]
    public void ObjectAtAndArrayAt_RightShape_NodeAndWrongShapeInvalid()
    {
        Assert.Equal("""{"k":"v"}""", Node().ObjectAt("spec.object")!.ToJsonString());
        Assert.Equal("[1,2]", Node().ArrayAt("spec.list")!.ToJsonString());
        Assert.Null(Node().ObjectAt("spec.missing"));
        Assert.Null(Node().ArrayAt("spec.missing"));
        Assert.Equal("expected an object, got a list", Assert.Throws<InvalidInputException>(() => Node().ObjectAt("spec.list")).Problem);
        Assert.Equal("expected a list, got an object", Assert.Throws<InvalidInputException>(() => Node().ArrayAt("spec.object")).Problem);
    }

    [Fact]
    public void StringMapAt_Labels_SortedMap()
    {
        var labels = Node().StringMapAt("metadata.labels");

        Assert.Equal([KeyValuePair.Create("app", "chat"), KeyValuePair.Create("tier", "web")], labels!);
        Assert.Null(Node().StringMapAt("metadata.missing"));
    }

    [Fact]
    public void StringMapAt_NonStringValue_InvalidInputNamingTheKey()
    {
        var e = Assert.Throws<InvalidInputException>(() => Node().StringMapAt("metadata.annotations", "xr"));

        Assert.Equal("xr.metadata.annotations.bad", e.Field);
        Assert.Equal("expected a string, got a number", e.Problem);
    }

    [Theory]
    [InlineData("Synced", "True")]
    [InlineData("Ready", "False")]
    [InlineData("Healthy", null)]
    [InlineData("Missing", null)]
    public void ConditionStatus_Type_StatusOrNull(string type, string? expected) =>
        Assert.Equal(expected, Node().ConditionStatus(type));

    [Theory]
    [InlineData("""{"status":{"conditions":[{"type":"Ready","status":"True"}]}}""", true)]
    [InlineData("""{"status":{"conditions":[{"type":"Ready","status":"False"}]}}""", false)]
    [InlineData("""{"status":{"conditions":[{"type":"Ready"}]}}""", false)]
    [InlineData("""{"status":{"conditions":"Ready"}}""", false)]
    [InlineData("""{"status":{"conditions":[5, "Ready", {"type":"Ready","status":"True"}]}}""", true)]
    [InlineData("""{"status":{}}""", false)]
    [InlineData("""{}""", false)]
    public void IsReady_Conditions_TrueOnlyForReadyTrue(string json, bool expected) =>
        Assert.Equal(expected, JsonNode.Parse(json).IsReady());

    [Theory]
    [InlineData("{}", "an object")]
    [InlineData("[]", "a list")]
    [InlineData("\"s\"", "a string")]
    [InlineData("1", "a number")]
    [InlineData("true", "a boolean")]
    [InlineData("false", "a boolean")]
    [InlineData("null", "null")]
    public void KindOf_Node_ShortName(string json, string expected) =>
        Assert.Equal(expected, JsonReads.KindOf(JsonNode.Parse(json)));
}
