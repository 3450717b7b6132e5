// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Modelplane.Cel;
using Modelplane.Functions.InferenceClasses;
using Modelplane.Functions.InferenceClusters;
using Modelplane.Functions.ModelDeployments;
using Modelplane.Yaml;

namespace Modelplane.Scheduling.Tests.Package;

/// <summary>Our XRDs and Compositions: every validation rule compiles, accepts valid objects and rejects the ones upstream rejects.</summary>
public sealed class DefinitionTests
{
    private static readonly string[] Plurals = ["modeldeployments", "modelreplicas", "inferenceclasses", "inferenceclusters"];

    private static string Root([CallerFilePath] string here = "") => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", ".."));

    private static JsonObject Definition(string plural) =>
        (JsonObject)YamlJson.Read(File.ReadAllText(Path.Combine(Root(), "package", "apis", plural, "definition.yaml")))!;

    private static JsonObject Schema(string plural) =>
        Definition(plural)["spec"]!["versions"]![0]!["schema"]!["openAPIV3Schema"]!.AsObject();

    [Fact]
    public void Rules_AllCompile()
    {
        var count = 0;
        foreach (var plural in Plurals)
        {
            foreach (var (path, rule, _) in Rules(Schema(plural), plural))
            {
                count++;
                Assert.True(CelProgram.TryCompile(rule, ["self"], out _, out var error), $"{path}: {rule}: {error}");
            }
        }
        Assert.True(count > 30, $"only {count} rules found");
    }

    [Theory]
    [InlineData("modeldeployments", "ModelDeployment", "model-deployment")]
    [InlineData("inferenceclasses", "InferenceClass", "inference-class")]
    [InlineData("inferenceclusters", "InferenceCluster", "inference-cluster")]
    public void Composition_NamesItsComposer(string plural, string kind, string composer)
    {
        var composition = (JsonObject)YamlJson.Read(File.ReadAllText(Path.Combine(Root(), "package", "apis", plural, "composition.yaml")))!;
        Assert.Equal(kind, composition["spec"]!["compositeTypeRef"]!["kind"]!.GetValue<string>());
        Assert.Equal($"{plural}.modelplane.ai", composition["metadata"]!["name"]!.GetValue<string>());
        var step = Assert.Single(composition["spec"]!["pipeline"]!.AsArray())!;
        Assert.Equal($"compose-{composer}", step["step"]!.GetValue<string>());
        Assert.Equal(composer, step["input"]!["composer"]!.GetValue<string>());
        var registered = new[] { ModelDeploymentComposer.Composer, InferenceClassComposer.Composer, InferenceClusterComposer.Composer };
        Assert.Contains(registered, c => c.Name == composer && c.Kinds.Contains($"{kind}.modelplane.ai"));
    }

    [Fact]
    public void ModelDeployment_ScaleSubresource_DrivesReplicas()
    {
        var scale = Definition("modeldeployments")["spec"]!["versions"]![0]!["subresources"]!["scale"]!;
        Assert.Equal((".spec.replicas", ".status.replicas.total"), (scale["specReplicasPath"]!.GetValue<string>(), scale["statusReplicasPath"]!.GetValue<string>()));
    }

    private const string Valid = """
        apiVersion: modelplane.ai/v1alpha1
        kind: ModelDeployment
        metadata: {name: m, namespace: ns}
        spec:
          replicas: 1
          template:
            metadata:
              labels: {tier: prod, example.com/team: search}
            spec:
              serving: {mode: Unified}
              tolerations:
              - {key: drain, operator: Exists, effect: NoExecute}
              - {key: maintenance, operator: Equal, value: "on"}
              engines:
              - name: main
                members:
                - role: Leader
                  template: {spec: {containers: [{name: engine, image: vllm}]}}
                - role: Worker
                  worker: {nodes: 1}
                  nodeSelector: {devices: [{name: gpu, selectors: [{cel: "true"}]}]}
                  template:
                    metadata: {labels: {a: b}, annotations: {example.com/x: "y"}}
                    spec: {containers: [{name: engine, image: vllm}]}
        """;

    public static TheoryData<string, string, string?> ModelDeploymentRows => new()
    {
        { "a valid deployment", "", null },
        { "a reserved label prefix", "spec.template.metadata.labels.modelplane.ai/x=1", "reserved modelplane.ai/ prefix" },
        { "a label key with a space", "spec.template.metadata.labels.bad key=1", "valid Kubernetes label keys" },
        { "a label value ending in a dash", "spec.template.metadata.labels.tier=prod-", "valid Kubernetes label values" },
        { "PrefillDecode with one engine", "spec.template.spec.serving.mode=PrefillDecode", "exactly two engines" },
        { "a phase under Unified", "spec.template.spec.engines.0.phase=Prefill", "only be set when serving.mode is PrefillDecode" },
        { "an Equal toleration without a key", "spec.template.spec.tolerations.1.key=", "must set a key" },
        { "an Exists toleration with a value", "spec.template.spec.tolerations.0.value=x", "must not set a value" },
        { "two Standalone members", "spec.template.spec.engines.0.members.0.role=Standalone", "single Standalone member" },
        { "no member selecting devices", "spec.template.spec.engines.0.members.1.nodeSelector=", "must carry a nodeSelector" },
        { "worker on a Leader", "spec.template.spec.engines.0.members.0.worker.nodes=1", "worker may only be set on a Worker member" },
        { "a container not named engine", "spec.template.spec.engines.0.members.1.template.spec.containers.0.name=main", "must be named 'engine'" },
        { "a reserved pod label prefix", "spec.template.spec.engines.0.members.1.template.metadata.labels.modelplane.ai/x=1", "reserved modelplane.ai/ prefix" },
    };

    [Theory]
    [MemberData(nameof(ModelDeploymentRows))]
    public void ModelDeployment_Rules_AcceptOrReject(string row, string edit, string? rejectedWith)
    {
        var xr = FunctionHostYaml(Valid);
        if (edit.Length > 0)
        {
            Edit(xr, edit);
        }
        var failures = Evaluate(Schema("modeldeployments"), xr);
        if (rejectedWith is null)
        {
            Assert.True(failures.Count == 0, $"{row}: {string.Join("; ", failures)}");
        }
        else
        {
            Assert.True(failures.Any(f => f.Contains(rejectedWith, StringComparison.Ordinal)), $"{row}: got [{string.Join("; ", failures)}]");
        }
    }

    [Fact]
    public void InferenceClass_AttributeWithTwoValues_IsRejected()
    {
        var cls = FunctionHostYaml("""
            apiVersion: modelplane.ai/v1alpha1
            kind: InferenceClass
            metadata: {name: c}
            spec:
              devices:
              - {name: gpu, claim: DRA, driver: gpu.nvidia.com, deviceClassName: gpu.nvidia.com, attributes: {a: {string: x}}}
              - {name: nic, claim: Synthetic, driver: nic.nvidia.com, attributes: {b: {string: x, int: 1}}}
              - {name: bad, claim: DRA, driver: x.com}
            """);
        var failures = Evaluate(Schema("inferenceclasses"), cls);
        Assert.Equal(["set exactly one of string, version, bool or int", "deviceClassName is required when claim is DRA"], failures.Order(StringComparer.Ordinal).Reverse());
    }

    [Fact]
    public void InferenceCluster_SourceWithoutItsBlock_IsRejected()
    {
        var ic = FunctionHostYaml("""
            apiVersion: modelplane.ai/v1alpha1
            kind: InferenceCluster
            metadata: {name: c}
            spec:
              cluster: {source: Existing}
              nodePools: [{name: p, className: c, fabric: {type: None, infiniband: {fabric: f}}}]
            """);
        Assert.Equal(
            ["fabric.infiniband may only be set when fabric.type is InfiniBand.", "spec.cluster.existing is required when spec.cluster.source is Existing."],
            Evaluate(Schema("inferenceclusters"), ic).Order(StringComparer.Ordinal));
    }

    // Admission-time checks the clouds would otherwise fail late: zones of the region, AKS pool names and zones.
    [Theory]
    [InlineData("GKE", "gke: {region: us-central1}", "p", "[us-central1-a, us-central1-c]", null)]
    [InlineData("GKE", "gke: {region: us-central1}", "p", "[us-east1-b]", "every node pool zone must be a zone of spec.cluster.gke.region")]
    [InlineData("GKE", "gke: {region: us-central1}", "p", "[us-central1]", "every node pool zone must be a zone of spec.cluster.gke.region")]
    [InlineData("EKS", "eks: {region: us-west-2}", "p", "[us-west-2a, us-west-2b]", null)]
    [InlineData("EKS", "eks: {region: us-west-2}", "p", "[us-west-1a]", "every node pool zone must be one of the availability zones the EKS cluster has subnets in")]
    [InlineData("AKS", "aks: {location: westeurope}", "gpuh100", "[\"1\", \"3\"]", null)]
    [InlineData("AKS", "aks: {location: westeurope}", "h100-pool", "[\"1\"]", "on AKS a node pool name is 1 to 12 lowercase letters and digits")]
    [InlineData("AKS", "aks: {location: westeurope}", "gpuh100abcdef", "[\"1\"]", "on AKS a node pool name is 1 to 12 lowercase letters and digits")]
    [InlineData("AKS", "aks: {location: westeurope}", "gpuh100", "[\"4\"]", "on AKS a node pool name is 1 to 12 lowercase letters and digits")]
    public void InferenceCluster_CloudPool_CheckedAtAdmission(string source, string block, string pool, string zones, string? rejectedWith)
    {
        var ic = FunctionHostYaml($$"""
            apiVersion: modelplane.ai/v1alpha1
            kind: InferenceCluster
            metadata: {name: c}
            spec:
              cluster: {source: {{source}}, {{block}} }
              nodePools: [{name: {{pool}}, className: c, zones: {{zones}} }]
            """);
        var failures = Evaluate(Schema("inferenceclusters"), ic);
        if (rejectedWith is null)
        {
            Assert.Empty(failures);
        }
        else
        {
            Assert.Contains(failures, f => f.StartsWith(rejectedWith, StringComparison.Ordinal));
        }
    }

    private static JsonObject FunctionHostYaml(string yaml) => (JsonObject)YamlJson.Read(yaml)!;

    // "a.b.0.c=v" sets a string (an empty value removes the field).
    private static void Edit(JsonObject root, string edit)
    {
        var eq = edit.IndexOf('=', StringComparison.Ordinal);
        var path = edit[..eq];
        var value = edit[(eq + 1)..];
        var parts = new List<string>();
        foreach (var part in path.Split('.'))
        {
            // Label keys contain dots and slashes: glue a part onto the previous label key.
            if (parts.Count > 0 && parts[^1] is "labels" or "annotations" && !path.EndsWith(part, StringComparison.Ordinal))
            {
                parts.Add(part);
            }
            else if (parts.Count > 1 && parts[^2] is "labels" or "annotations")
            {
                parts[^1] += "." + part;
            }
            else
            {
                parts.Add(part);
            }
        }
        JsonNode node = root;
        foreach (var part in parts[..^1])
        {
            node = int.TryParse(part, out var i) ? node[i]! : (node[part] ??= new JsonObject());
        }
        if (value.Length == 0)
        {
            node.AsObject().Remove(parts[^1]);
        }
        else
        {
            node[parts[^1]] = value;
        }
    }

    // Every rule at every schema node, as (path, rule, message).
    private static IEnumerable<(string Path, string Rule, string Message)> Rules(JsonNode schema, string path)
    {
        foreach (var rule in schema["x-kubernetes-validations"]?.AsArray() ?? [])
        {
            yield return (path, rule!["rule"]!.GetValue<string>(), rule["message"]!.GetValue<string>());
        }
        foreach (var (name, child) in schema["properties"]?.AsObject() ?? [])
        {
            foreach (var r in Rules(child!, $"{path}.{name}"))
            {
                yield return r;
            }
        }
        foreach (var key in new[] { "items", "additionalProperties" })
        {
            if (schema[key] is JsonObject child)
            {
                foreach (var r in Rules(child, $"{path}[]"))
                {
                    yield return r;
                }
            }
        }
    }

    // Applies the schema's rules to an object the way the API server does (defaults aside), returning failed messages.
    private static List<string> Evaluate(JsonNode schema, JsonNode? data)
    {
        var failures = new List<string>();
        Walk(schema, data, failures);
        return failures;
    }

    private static void Walk(JsonNode schema, JsonNode? data, List<string> failures)
    {
        if (data is null)
        {
            return;
        }
        foreach (var rule in schema["x-kubernetes-validations"]?.AsArray() ?? [])
        {
            var program = CelProgram.Compile(rule!["rule"]!.GetValue<string>(), ["self"]);
            var result = program.Evaluate(new Dictionary<string, CelValue> { ["self"] = CelValue.FromJson(Defaulted(schema, data)) });
            if (!result.IsTrue)
            {
                failures.Add(result.IsError ? $"{rule["message"]} (error: {result.Error})" : rule["message"]!.GetValue<string>());
            }
        }
        foreach (var (name, child) in schema["properties"]?.AsObject() ?? [])
        {
            Walk(child!, data[name], failures);
        }
        if (schema["items"] is JsonObject items && data is JsonArray array)
        {
            foreach (var element in array)
            {
                Walk(items, element, failures);
            }
        }
        if (schema["additionalProperties"] is JsonObject values && data is JsonObject map)
        {
            foreach (var (_, value) in map)
            {
                Walk(values, value, failures);
            }
        }
    }

    // The API server applies defaults before validation; rules such as self.operator != 'Equal' rely on them.
    private static JsonNode Defaulted(JsonNode schema, JsonNode data)
    {
        var copy = data.DeepClone();
        Default(schema, copy);
        return copy;
    }

    private static void Default(JsonNode schema, JsonNode data)
    {
        if (data is JsonObject obj)
        {
            foreach (var (name, child) in schema["properties"]?.AsObject() ?? [])
            {
                if (!obj.ContainsKey(name) && child!["default"] is { } value)
                {
                    obj[name] = value.DeepClone();
                }
                if (obj[name] is { } nested)
                {
                    Default(child!, nested);
                }
            }
        }
        else if (data is JsonArray array && schema["items"] is JsonObject items)
        {
            foreach (var element in array)
            {
                Default(items, element!);
            }
        }
    }
}
