// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Apiextensions.Fn.Proto.V1;

namespace Modelplane.Sdk.Tests;

/// <summary>The runner's limits: response size, time budget, cancellation, and null items in typed reads.</summary>
public sealed class HostileRunnerTests
{
    private static RunFunctionRequest Request(string json = """{"apiVersion":"modelplane.ai/v1alpha1","kind":"ModelDeployment","metadata":{"name":"big"}}""") => new()
    {
        Meta = new RequestMeta { Tag = "tag-1" },
        Observed = new State { Composite = new Resource { Resource_ = StructJson.ParseStruct(json) } },
    };

    private static (RunFunctionResponse Response, RunSummary Summary) Run(RunFunctionRequest request, Func<FunctionRequest, Composition> compose, CancellationToken cancellationToken = default) =>
        new FunctionRunner(new ComposerRegistry([new Composer("test", compose, "ModelDeployment.modelplane.ai")])).Run(request, cancellationToken);

    private static DesiredResource Padded(int bytes) =>
        DesiredResource.Of(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ConfigMap", ["data"] = new JsonObject { ["pad"] = new string('x', bytes) } });

    [Fact]
    public void Run_ResponseOverFourMebibytes_IsASmallFatalNamingTheXrAndTheLargestParts()
    {
        var (response, summary) = Run(Request(), _ => new Composition
        {
            Resources = new Dictionary<string, DesiredResource>
            {
                ["replica-0"] = Padded(1_500_000),
                ["replica-1"] = Padded(1_500_000),
                ["replica-2"] = Padded(1_400_000),
                ["small"] = Padded(10),
            },
        });

        Assert.Empty(response.Desired.Resources);
        Assert.Equal("tag-1", response.Meta.Tag);
        var result = Assert.Single(response.Results);
        Assert.Equal(Severity.Fatal, result.Severity);
        Assert.Equal(
            "cannot compose ModelDeployment \"big\": the response would be 4.20 MiB (4400402 bytes), over the 4.00 MiB Crossplane accepts from a function; "
            + "largest parts: desired resource \"replica-0\" 1.43 MiB, desired resource \"replica-1\" 1.43 MiB, desired resource \"replica-2\" 1.34 MiB; "
            + "make the resource smaller (fewer replicas or members, shorter templates) or split it",
            result.Message);
        var condition = Assert.Single(response.Conditions);
        Assert.Equal((FunctionRunner.ComposedCondition, FunctionRunner.ReasonResponseTooLarge, Status.ConditionFalse), (condition.Type, condition.Reason, condition.Status));
        Assert.Equal(("ModelDeployment", "big"), (summary.XrKind, summary.XrName));
        Assert.Equal(response.CalculateSize(), summary.ResponseBytes);
        Assert.True(summary.ResponseBytes < 2048);
    }

    [Fact]
    public void Run_ResponseJustUnderTheLimit_IsSentWhole()
    {
        var (response, summary) = Run(Request(), _ => new Composition
        {
            Resources = new Dictionary<string, DesiredResource> { ["one"] = Padded(4_000_000) },
        });
        Assert.Single(response.Desired.Resources);
        Assert.Empty(response.Results);
        Assert.InRange(summary.ResponseBytes, 4_000_000, FunctionRunner.MaxResponseBytes);
    }

    [Fact]
    public void Run_ComposerOverItsTimeBudget_IsAFatalResultNamingTheXr()
    {
        var (response, _) = Run(Request(), _ => throw new TimeoutException("evaluating CEL took longer than its budget of 10000 ms per call"));
        var result = Assert.Single(response.Results);
        Assert.Equal(Severity.Fatal, result.Severity);
        Assert.Equal("cannot compose ModelDeployment \"big\": evaluating CEL took longer than its budget of 10000 ms per call; make its expressions cheaper", result.Message);
        Assert.Equal(FunctionRunner.ReasonTimeBudgetExceeded, Assert.Single(response.Conditions).Reason);
    }

    [Fact]
    public void Run_CancelledCall_ReachesTheComposerAndStopsTheRun()
    {
        using var source = new CancellationTokenSource();
        CancellationToken seen = default;
        Assert.ThrowsAny<OperationCanceledException>(() => Run(Request(), req =>
        {
            seen = req.CancellationToken;
            source.Cancel();
            req.CancellationToken.ThrowIfCancellationRequested();
            return new Composition();
        }, source.Token));
        Assert.Equal(source.Token, seen);
    }

    [Theory]
    [InlineData("""{"spec":{"members":[{"name":"a"},null]}}""", "spec.members[1]", "expected an item, got null; remove the empty entry")]
    [InlineData("""{"spec":{"members":[{"name":"a","ports":[80,null]}]}}""", "spec.members[0].ports[1]", "expected an item, got null; remove the empty entry")]
    [InlineData("""{"spec":{"labels":{"app":null}}}""", "spec.labels.app", "expected a value, got null; give it a value or remove the key")]
    [InlineData("""{"spec":{"pools":{"a":[null]}}}""", "spec.pools.a[0]", "expected an item, got null; remove the empty entry")]
    [InlineData("""{"spec":{"role":7}}""", "spec.role", "expected a string, got a number")]
    [InlineData("""{"spec":{"roles":["Leader",3]}}""", "spec.roles[1]", "expected a string, got a number")]
    public void Read_NullItemsAndNumericEnums_NameTheField(string json, string field, string problem)
    {
        var e = Assert.Throws<InvalidInputException>(() => FunctionRequest.Read(JsonNode.Parse(json)!, HostileJsonContext.Default.Shape, ""));
        Assert.Equal((field, problem), (e.Field, e.Problem));
    }

    [Theory]
    [InlineData("""{"spec":{"members":[{"name":"a"},null]}}""", "required[shapes][0].spec.members[1]")]
    [InlineData("""{"spec":{"labels":{"app":null}}}""", "required[shapes][0].spec.labels.app")]
    [InlineData("""{"spec":{"role":7}}""", "required[shapes][0].spec.role")]
    public void RequiredRead_NullItemsAndNumericEnums_RefusedAsTheTreeReadRefusesThem(string json, string field)
    {
        // Required objects reach Read as JSON text; the text read must refuse what the tree read refuses.
        var request = Request();
        request.RequiredResources.Add("shapes", new Resources { Items = { new Resource { Resource_ = StructJson.ParseStruct(json) } } });

        var e = Assert.Throws<InvalidInputException>(() => new FunctionRequest(request).Required.Read("shapes", HostileJsonContext.Default.Shape));

        Assert.Equal(field, e.Field);
    }

    [Theory]
    // Nullable elements and free-form JSON may hold null; absent and null fields are simply absent.
    [InlineData("""{"spec":{"weights":[1,null]}}""")]
    [InlineData("""{"spec":{"values":{"a":null,"b":[null]}}}""")]
    [InlineData("""{"spec":{"members":null,"labels":null}}""")]
    [InlineData("""{"spec":{"role":"Leader","members":[{"name":"a","ports":[80]}]}}""")]
    public void Read_NullsThatMeanNothingWrong_AreAccepted(string json) =>
        Assert.NotNull(FunctionRequest.Read(JsonNode.Parse(json)!, HostileJsonContext.Default.Shape, ""));
}

public enum ShapeRole
{
    Leader,
    Worker,
}

public sealed record Shape
{
    public ShapeSpec? Spec { get; init; }
}

public sealed record ShapeSpec
{
    public IReadOnlyList<ShapeMember>? Members { get; init; }

    public IReadOnlyDictionary<string, string>? Labels { get; init; }

    public IReadOnlyDictionary<string, IReadOnlyList<string>>? Pools { get; init; }

    public ShapeRole? Role { get; init; }

    public IReadOnlyList<ShapeRole>? Roles { get; init; }

    public IReadOnlyList<int?>? Weights { get; init; }

    public JsonObject? Values { get; init; }
}

public sealed record ShapeMember
{
    public string? Name { get; init; }

    public IReadOnlyList<int>? Ports { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true)]
[JsonSerializable(typeof(Shape))]
internal sealed partial class HostileJsonContext : JsonSerializerContext;
