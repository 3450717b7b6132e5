// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using Modelplane.Render.Engine;
using Modelplane.Render.Fleet;
using Modelplane.Render.Output;
using Modelplane.Yaml;

namespace Modelplane.Render.Tests;

/// <summary>The fleet summary reads the composers' decisions: where replicas landed, which endpoints a route sends traffic to.</summary>
public sealed class FleetReportTests
{
    private const string Api = "modelplane.ai/v1alpha1";

    [Fact]
    public void Summary_PlacedAndUnplacedReplicasAndARouteWithAStandbyTier_PrintsEveryRow()
    {
        var deployment = Key("ModelDeployment", "ml", "chat");
        var service = Key("ModelService", "ml", "chat");
        var fleet = new FleetResult
        {
            Nodes =
            [
                Node("""
                    {apiVersion: modelplane.ai/v1alpha1, kind: InferenceCluster, metadata: {name: east},
                     status: {gateway: {address: 10.0.0.1}, gpuPools: [{name: l4, nodes: 2}, {name: h100, nodes: 1}],
                              conditions: [{type: Ready, status: "True", reason: Available}]}}
                    """),
                Node("""
                    {apiVersion: modelplane.ai/v1alpha1, kind: ModelDeployment, metadata: {name: chat, namespace: ml}, spec: {replicas: 3},
                     status: {conditions: [{type: ReplicasScheduled, status: "True", reason: ReplicasCreated, message: Scheduled 2 of 3 replicas}]}}
                    """),
                Node("""
                    {apiVersion: modelplane.ai/v1alpha1, kind: ModelReplica, metadata: {name: chat-a1b2c, namespace: ml},
                     spec: {clusterName: east, engines: [{name: e, members: [{nodePoolName: l4}]}]},
                     status: {conditions: [{type: Ready, status: "True", reason: Available}]}}
                    """, deployment, "replica-east-0"),
                Node("""
                    {apiVersion: modelplane.ai/v1alpha1, kind: ModelReplica, metadata: {name: chat-d3e4f, namespace: ml},
                     spec: {clusterName: east, engines: [{name: e, members: [{nodePoolName: h100}]}]},
                     status: {conditions: [{type: Ready, status: "False", reason: Creating}]}}
                    """, deployment, "replica-east-1"),
                Node("""
                    {apiVersion: modelplane.ai/v1alpha1, kind: ModelService, metadata: {name: chat, namespace: ml},
                     spec: {endpoints: [{priority: 0, selector: {matchLabels: {app: chat}}}, {priority: 1, selector: {matchLabels: {provider: together}}}]},
                     status: {address: http://10.9.9.9/ml/chat}}
                    """),
                Node("""
                    {apiVersion: gateway.networking.k8s.io/v1, kind: HTTPRoute, metadata: {name: chat-x, namespace: ml},
                     spec: {rules: [{backendRefs: [{name: svc-a, port: 80, weight: 3}, {name: svc-b, port: 80}]}]}}
                    """, service, "httproute"),
                Node("""
                    {apiVersion: modelplane.ai/v1alpha1, kind: ModelEndpoint, metadata: {name: chat-a1b2c, namespace: ml, labels: {app: chat}},
                     spec: {url: http://10.0.0.1/ml/chat-a1b2c/v1}, status: {routing: {backendName: svc-a}}}
                    """),
                Node("""
                    {apiVersion: modelplane.ai/v1alpha1, kind: ModelEndpoint, metadata: {name: chat-d3e4f, namespace: ml, labels: {app: chat}},
                     spec: {url: http://10.0.0.1/ml/chat-d3e4f/v1}, status: {routing: {backendName: svc-b}}}
                    """),
                Node("""
                    {apiVersion: modelplane.ai/v1alpha1, kind: ModelEndpoint, metadata: {name: together, namespace: ml, labels: {provider: together}},
                     spec: {url: https://api.together.xyz/}, status: {routing: {backendName: svc-t}}}
                    """),
            ],
            Renders = new Dictionary<ObjectKey, RenderResult>
            {
                [deployment] = new() { Composite = [] },
                [service] = new() { Composite = [] },
            },
            Rounds = 3,
            Settled = true,
            Problems = [],
        };

        Assert.Equal("""
            CLUSTERS
            CLUSTER  READY  GATEWAY   POOLS
            east     Ready  10.0.0.1  l4: 2 nodes, h100: 1 node

            MODEL DEPLOYMENTS
            DEPLOYMENT  REPLICA            CLUSTER  POOL  READY
            ml/chat     chat-a1b2c         east     l4    Ready
            ml/chat     chat-d3e4f         east     h100  NotReady(Creating)
            ml/chat     1 of 3 not placed  -        -     Scheduled 2 of 3 replicas

            MODEL SERVICES
            SERVICE  ADDRESS                  BACKEND                TIER  WEIGHT  URL
            ml/chat  http://10.9.9.9/ml/chat  ml/chat-a1b2c          0     3       http://10.0.0.1/ml/chat-a1b2c/v1
            ml/chat  http://10.9.9.9/ml/chat  ml/chat-d3e4f          0     1       http://10.0.0.1/ml/chat-d3e4f/v1
            ml/chat  http://10.9.9.9/ml/chat  ml/together (standby)  1     0       https://api.together.xyz/

            """.Replace("\r\n", "\n", StringComparison.Ordinal), FleetReport.Summary(fleet));
    }

    private static ObjectKey Key(string kind, string ns, string name) => new(Api, kind, ns, name);

    private static FleetNode Node(string yaml, ObjectKey? parent = null, string? name = null)
    {
        var obj = (JsonObject)YamlJson.Read(yaml)!;
        return new FleetNode { Key = ObjectKey.Of(obj), Object = obj, Parent = parent, ResourceName = name };
    }
}
