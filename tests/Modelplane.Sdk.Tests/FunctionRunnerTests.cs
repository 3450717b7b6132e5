// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json;
using System.Text.Json.Nodes;
using Apiextensions.Fn.Proto.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using ProtoCondition = Apiextensions.Fn.Proto.V1.Condition;
using ProtoResult = Apiextensions.Fn.Proto.V1.Result;

namespace Modelplane.Sdk.Tests;

/// <summary>The protocol rules the runner owns, each checked on a whole response.</summary>
public sealed class FunctionRunnerTests
{
    private static readonly Duration Minute = Duration.FromTimeSpan(TimeSpan.FromSeconds(60));

    private static Struct S(string json) => StructJson.ParseStruct(json);

    /// <summary>A request from an earlier step's point of view: desired state, context, and this step's input.</summary>
    private static RunFunctionRequest Request(string composer = "test")
    {
        var request = new RunFunctionRequest
        {
            Meta = new RequestMeta { Tag = "tag-1", Capabilities = { Capability.Capabilities, Capability.Conditions } },
            Observed = new State
            {
                Composite = new Resource
                {
                    Resource_ = S("""{"apiVersion":"modelplane.ai/v1alpha1","kind":"ModelService","metadata":{"name":"chat"},"spec":{"replicas":"three"},"status":{"observed":true}}"""),
                    ConnectionDetails = { ["observed"] = ByteString.CopyFromUtf8("o") },
                },
                Resources = { ["route"] = new Resource { Resource_ = S("""{"kind":"HTTPRoute","status":{"ok":true}}""") } },
            },
            Desired = new State
            {
                Composite = new Resource { Resource_ = S("""{"status":{"earlier":"kept","nested":{"a":1},"replaced":5}}""") },
                Resources =
                {
                    ["earlier"] = new Resource
                    {
                        Resource_ = S("""{"apiVersion":"v1","kind":"Secret","data":{"k":"dg=="}}"""),
                        ConnectionDetails = { ["password"] = ByteString.CopyFromUtf8("p") },
                        Ready = Ready.True,
                    },
                    ["overwritten"] = new Resource { Resource_ = S("""{"kind":"Old"}"""), Ready = Ready.False },
                    ["removed"] = new Resource { Resource_ = S("""{"kind":"Gone"}""") },
                },
            },
            Context = S("""{"apiextensions.crossplane.io/environment":{"region":"eu"},"shared":1}"""),
            Input = S($$"""{"apiVersion":"fn.modelplane.ai/v1alpha1","kind":"Compose","composer":"{{composer}}"}"""),
        };
        request.Credentials["creds"] = new Credentials { CredentialData = new CredentialData { Data = { ["token"] = ByteString.CopyFromUtf8("secret") } } };
        return request;
    }

    private static (RunFunctionResponse Response, RunSummary Summary) Run(RunFunctionRequest request, Func<FunctionRequest, Composition> compose) =>
        new FunctionRunner(new ComposerRegistry([new Composer("test", compose)])).Run(request);

    /// <summary>What <c>response.To(req, 60s)</c> gives: tag, TTL, and desired state and context copied.</summary>
    private static RunFunctionResponse To(RunFunctionRequest request) => new()
    {
        Meta = new ResponseMeta { Tag = request.Meta.Tag, Ttl = Minute },
        Desired = request.Desired.Clone(),
        Context = request.Context?.Clone(),
    };

    [Fact]
    public void Run_EmptyComposition_EchoesTagTtl60sAndPassesDesiredAndContextThrough()
    {
        var request = Request();

        var (response, summary) = Run(request, _ => new Composition());

        Assert.Equal(To(request), response);
        Assert.Equal("test", summary.Composer);
        Assert.Empty(summary.Severities);
        Assert.Equal("ok", summary.Outcome);
    }

    [Fact]
    public void Run_RequestWithoutMetaOrDesiredOrContext_EmptyTagAndStateNoContext()
    {
        var request = new RunFunctionRequest { Input = S("""{"composer":"test"}""") };

        var (response, _) = Run(request, _ => new Composition());

        Assert.Equal(new RunFunctionResponse { Meta = new ResponseMeta { Tag = "", Ttl = Minute }, Desired = new State() }, response);
        Assert.Null(response.Context);
    }

    [Fact]
    public void Run_ComposerTtl_Overrides60s()
    {
        var (response, _) = Run(Request(), _ => new Composition { Ttl = TimeSpan.FromSeconds(15) });

        Assert.Equal(Duration.FromTimeSpan(TimeSpan.FromSeconds(15)), response.Meta.Ttl);
    }

    [Fact]
    public void Run_Resources_OverlaidOnEarlierStepsRemovedDroppedOthersUnchanged()
    {
        var request = Request();

        var (response, _) = Run(request, _ => new Composition
        {
            Resources =
            {
                ["overwritten"] = DesiredResource.Of(new JsonObject { ["kind"] = "New", ["spec"] = new JsonObject { ["port"] = 80 } }, ready: true),
                ["added"] = DesiredResource.Of(new JsonObject { ["kind"] = "Added" }, ready: false),
                ["plain"] = DesiredResource.Of(new JsonObject { ["kind"] = "Plain" }),
            },
            Removed = ["removed", "never-existed"],
        });

        var want = To(request);
        want.Desired.Resources.Remove("removed");
        want.Desired.Resources["overwritten"] = new Resource { Resource_ = S("""{"kind":"New","spec":{"port":80}}"""), Ready = Ready.True };
        want.Desired.Resources["added"] = new Resource { Resource_ = S("""{"kind":"Added"}"""), Ready = Ready.False };
        want.Desired.Resources["plain"] = new Resource { Resource_ = S("""{"kind":"Plain"}""") };
        Assert.Equal(want, response);
        // The request is left as it was: the response owns copies.
        Assert.Equal(Request(), request);
    }

    [Fact]
    public void Run_Status_MergedKeyByKeyIntoDesiredComposite()
    {
        var request = Request();

        var (response, _) = Run(request, _ => new Composition
        {
            Status = new JsonObject
            {
                ["address"] = "http://gw/chat/",
                ["nested"] = new JsonObject { ["b"] = 2, ["deeper"] = new JsonObject { ["c"] = 3 } },
                ["replaced"] = new JsonObject { ["now"] = "an object" },
                ["earlier"] = "overwritten",
            },
            CompositeReady = Readiness.Ready,
        });

        var want = To(request);
        want.Desired.Composite = new Resource
        {
            Resource_ = S("""{"status":{"earlier":"overwritten","nested":{"a":1,"b":2,"deeper":{"c":3}},"replaced":{"now":"an object"},"address":"http://gw/chat/"}}"""),
            Ready = Ready.True,
        };
        Assert.Equal(want, response);
    }

    [Fact]
    public void Run_StatusWithoutDesiredComposite_CreatesOnlyStatus()
    {
        var request = Request();
        request.Desired.Composite = null;

        var (response, _) = Run(request, _ => new Composition { Status = new JsonObject { ["phase"] = "Ready" } });

        Assert.Equal(new Resource { Resource_ = S("""{"status":{"phase":"Ready"}}""") }, response.Desired.Composite);
    }

    [Fact]
    public void Run_Context_KeysSetOthersKept()
    {
        var request = Request();

        var (response, _) = Run(request, _ => new Composition { Context = new JsonObject { ["shared"] = 2, ["mine"] = new JsonArray("a") } });

        Assert.Equal(S("""{"apiextensions.crossplane.io/environment":{"region":"eu"},"shared":2,"mine":["a"]}"""), response.Context);
    }

    [Fact]
    public void Run_ContextFromComposerWithoutRequestContext_OnlyComposerKeys()
    {
        var request = Request();
        request.Context = null;

        var (response, _) = Run(request, _ => new Composition { Context = new JsonObject { ["mine"] = true } });

        Assert.Equal(S("""{"mine":true}"""), response.Context);
    }

    [Fact]
    public void Run_ConditionsAndResults_InEmittedOrderWithExplicitTargets()
    {
        var (response, summary) = Run(Request(), _ => new Composition
        {
            Conditions =
            [
                Condition.True("RoutingReady", "RouteConfigured"),
                Condition.False("EndpointsResolved", "NoEndpoints", "no endpoints matched").ForCompositeAndClaim(),
                Condition.Unknown("Scheduled", "Pending"),
            ],
            Results =
            [
                Result.Warning("no endpoints matched", "NoEndpoints"),
                Result.Normal("route configured"),
                Result.Fatal("cannot compose: spec.x and spec.y contradict"),
            ],
        });

        Assert.Equal(
            [
                new ProtoCondition { Type = "RoutingReady", Status = Status.ConditionTrue, Reason = "RouteConfigured", Target = Target.Composite },
                new ProtoCondition { Type = "EndpointsResolved", Status = Status.ConditionFalse, Reason = "NoEndpoints", Message = "no endpoints matched", Target = Target.CompositeAndClaim },
                new ProtoCondition { Type = "Scheduled", Status = Status.ConditionUnknown, Reason = "Pending", Target = Target.Composite },
            ],
            response.Conditions);
        Assert.Equal(
            [
                new ProtoResult { Severity = Severity.Warning, Message = "no endpoints matched", Reason = "NoEndpoints", Target = Target.Composite },
                new ProtoResult { Severity = Severity.Normal, Message = "route configured", Target = Target.Composite },
                new ProtoResult { Severity = Severity.Fatal, Message = "cannot compose: spec.x and spec.y contradict", Target = Target.Composite },
            ],
            response.Results);
        Assert.False(response.Results[1].HasReason);
        Assert.Equal([Severity.Warning, Severity.Normal, Severity.Fatal], summary.Severities);
        Assert.Equal("fatal", summary.Outcome);
    }

    [Fact]
    public void Run_Requirements_ResourcesAndSchemasBySelectorKind()
    {
        var (response, _) = Run(Request(), _ => new Composition
        {
            Requirements =
            {
                ["gateway"] = Requirement.Named("modelplane.ai/v1alpha1", "InferenceGateway", "default"),
                ["endpoints"] = Requirement.Labelled("modelplane.ai/v1alpha1", "ModelEndpoint", new Dictionary<string, string> { ["model"] = "llama", ["app"] = "chat" }, "team-a"),
                ["classes"] = Requirement.All("modelplane.ai/v1alpha1", "InferenceClass"),
                ["secrets"] = Requirement.All("v1", "Secret", "team-a"),
            },
            SchemaRequirements = { ["route"] = ("gateway.networking.k8s.io/v1", "HTTPRoute") },
        });

        Assert.Equal(
            new Requirements
            {
                Resources =
                {
                    ["classes"] = new ResourceSelector { ApiVersion = "modelplane.ai/v1alpha1", Kind = "InferenceClass" },
                    ["endpoints"] = new ResourceSelector
                    {
                        ApiVersion = "modelplane.ai/v1alpha1",
                        Kind = "ModelEndpoint",
                        MatchLabels = new MatchLabels { Labels = { ["app"] = "chat", ["model"] = "llama" } },
                        Namespace = "team-a",
                    },
                    ["gateway"] = new ResourceSelector { ApiVersion = "modelplane.ai/v1alpha1", Kind = "InferenceGateway", MatchName = "default" },
                    ["secrets"] = new ResourceSelector { ApiVersion = "v1", Kind = "Secret", Namespace = "team-a" },
                },
                Schemas = { ["route"] = new SchemaSelector { ApiVersion = "gateway.networking.k8s.io/v1", Kind = "HTTPRoute" } },
            },
            response.Requirements);
        Assert.False(response.Requirements.Resources["classes"].HasNamespace);
        Assert.Equal(ResourceSelector.MatchOneofCase.None, response.Requirements.Resources["classes"].MatchCase);
    }

    [Fact]
    public void Run_NoRequirements_NoRequirementsMessage()
    {
        var (response, _) = Run(Request(), _ => new Composition());

        Assert.Null(response.Requirements);
    }

    [Fact]
    public void Run_InvalidInputException_FatalAndFalseComposedConditionNamingTheField()
    {
        var request = Request();

        var (response, summary) = Run(request, r => new Composition
        {
            Results = [Result.Normal($"replicas {r.Composite.IntegerAt("spec.replicas")}")],
        });

        const string Message = "invalid ModelService \"chat\": field spec.replicas: expected an integer, got a string; correct the field and apply again";
        var want = To(request);
        want.Conditions.Add(new ProtoCondition { Type = "Composed", Status = Status.ConditionFalse, Reason = "InvalidInput", Message = Message, Target = Target.Composite });
        want.Results.Add(new ProtoResult { Severity = Severity.Fatal, Message = Message, Reason = "InvalidInput", Target = Target.Composite });
        Assert.Equal(want, response);
        Assert.Equal("test", summary.Composer);
        Assert.Equal("fatal", summary.Outcome);
    }

    [Fact]
    public void Run_InvalidInputForCompositeWithoutKind_SaysCompositeResource()
    {
        var request = Request();
        request.Observed.Composite = null;

        var (response, _) = Run(request, _ => throw new InvalidInputException("spec.weight", "expected a number, got a string"));

        Assert.Equal(
            "invalid composite resource \"\": field spec.weight: expected a number, got a string; correct the field and apply again",
            Assert.Single(response.Results).Message);
    }

    [Fact]
    public void Run_JsonExceptionFromTypedRead_Fatal()
    {
        var (response, _) = Run(Request(), _ => throw new JsonException("The JSON value could not be converted to System.Int32.", "$.spec.replicas", 1, 2));

        var result = Assert.Single(response.Results);
        Assert.Equal(Severity.Fatal, result.Severity);
        Assert.Equal("InvalidInput", result.Reason);
        Assert.StartsWith("invalid ModelService \"chat\": field $.spec.replicas: The JSON value could not be converted", result.Message, StringComparison.Ordinal);
        Assert.Equal(Status.ConditionFalse, Assert.Single(response.Conditions).Status);
    }

    [Fact]
    public void Run_OtherException_PropagatesAsABug() =>
        Assert.Throws<InvalidOperationException>(() => Run(Request(), _ => throw new InvalidOperationException("bug")));

    [Fact]
    public void Run_UnknownComposer_FatalUnknownComposerAndStatePassedThrough()
    {
        var request = Request(composer: "nobody");

        var (response, summary) = Run(request, _ => throw new InvalidOperationException("must not run"));

        const string Message = "cannot compose: unknown composer \"nobody\" in step input; this server has: test";
        var want = To(request);
        want.Conditions.Add(new ProtoCondition { Type = "Composed", Status = Status.ConditionFalse, Reason = "UnknownComposer", Message = Message, Target = Target.Composite });
        want.Results.Add(new ProtoResult { Severity = Severity.Fatal, Message = Message, Reason = "UnknownComposer", Target = Target.Composite });
        Assert.Equal(want, response);
        Assert.Null(summary.Composer);
    }

    [Fact]
    public void Run_ComposerReadsRequest_SeesObservedDesiredContextCredentialsAndCapabilities()
    {
        FunctionRequest? seen = null;

        Run(Request(), r =>
        {
            seen = r;
            return new Composition();
        });

        Assert.NotNull(seen);
        Assert.Equal("modelplane.ai/v1alpha1", seen.ApiVersion);
        Assert.Equal("ModelService", seen.Kind);
        Assert.Equal("chat", seen.Name);
        Assert.Null(seen.Namespace);
        Assert.Equal(["route"], seen.Observed.Keys);
        Assert.Equal(["earlier", "overwritten", "removed"], seen.DesiredKeys);
        Assert.Equal("""{"kind":"Old"}""", seen.Desired("overwritten")!.ToJsonString());
        Assert.Equal("eu", (string?)seen.Context["apiextensions.crossplane.io/environment"]!["region"]);
        Assert.Equal("secret"u8.ToArray(), seen.Credentials("creds")!["token"]);
        Assert.Null(seen.Credentials("none"));
        Assert.True(seen.AdvertisesCapabilities);
        Assert.True(seen.HasCapability(Capability.Conditions));
        Assert.False(seen.HasCapability(Capability.RequiredSchemas));
    }

    [Fact]
    public void Required_ResolvedEmptyVersusAbsent_Distinguished()
    {
        var proto = new RunFunctionRequest
        {
            RequiredResources =
            {
                ["found"] = new Resources { Items = { new Resource { Resource_ = S("""{"metadata":{"name":"a"}}""") } } },
                ["empty"] = new Resources(),
            },
        };
#pragma warning disable CS0612 // extra_resources is deprecated; read as a fallback for Crossplane before v2.0.
        proto.ExtraResources["legacy"] = new Resources { Items = { new Resource { Resource_ = S("""{"metadata":{"name":"b"}}""") } } };
#pragma warning restore CS0612

        var required = new FunctionRequest(proto).Required;

        Assert.Equal(["empty", "found", "legacy"], required.Names);
        Assert.True(required.IsResolved("found"));
        Assert.True(required.IsResolved("empty"));
        Assert.True(required.IsResolved("legacy"));
        Assert.False(required.IsResolved("absent"));
        Assert.Equal("a", required.Single("found")!.StringAt("metadata.name"));
        Assert.Empty(required.Get("empty"));
        Assert.Null(required.Single("empty"));
        Assert.Equal("b", required.Single("legacy")!.StringAt("metadata.name"));
        Assert.Empty(required.Get("absent"));
    }

    [Theory]
    [InlineData(new Severity[0], "ok")]
    [InlineData(new[] { Severity.Normal }, "normal")]
    [InlineData(new[] { Severity.Normal, Severity.Warning }, "warning")]
    [InlineData(new[] { Severity.Unspecified }, "warning")]
    [InlineData(new[] { Severity.Warning, Severity.Fatal, Severity.Normal }, "fatal")]
    public void Outcome_Severities_Worst(Severity[] severities, string expected) =>
        Assert.Equal(expected, new RunSummary("c", severities).Outcome);
}
