// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using Modelplane.Render.Engine;
using Modelplane.Render.Tests.Support;
using Modelplane.Render.Validation;

namespace Modelplane.Render.Tests;

/// <summary><c>modelplane validate</c>: schema and CEL checks with the API server's messages, defaults applied first.</summary>
public sealed class ValidateTests
{
    // One XRD exercising every check: types, required, enums, bounds, lengths, patterns, counts,
    // list-map keys, defaults (which CEL then sees) and CEL rules at two levels, one with fieldPath.
    private const string Xrd = """
        apiVersion: apiextensions.crossplane.io/v2
        kind: CompositeResourceDefinition
        metadata: {name: pools.test.modelplane.ai}
        spec:
          group: test.modelplane.ai
          names: {kind: Pool, plural: pools}
          scope: Namespaced
          versions:
          - name: v1alpha1
            served: true
            referenceable: true
            schema:
              openAPIV3Schema:
                type: object
                required: [spec]
                properties:
                  spec:
                    type: object
                    required: [size, gpu]
                    x-kubernetes-validations:
                    - rule: "self.mode != 'Burst' || self.size <= 4"
                      message: burst pools have at most 4 nodes
                    - rule: "!has(self.zones) || self.zones.all(z, z.startsWith(self.region))"
                      message: every zone must be in the region
                      fieldPath: .zones
                    properties:
                      size: {type: integer, minimum: 1, maximum: 64}
                      mode: {type: string, enum: [Steady, Burst], default: Burst}
                      region: {type: string, default: us-east1}
                      name: {type: string, minLength: 1, maxLength: 8, pattern: "^[a-z][a-z0-9-]*$"}
                      ratio: {type: number, exclusiveMinimum: true, minimum: 0}
                      zones:
                        type: array
                        maxItems: 2
                        items: {type: string}
                      gpu:
                        type: object
                        required: [type]
                        properties:
                          type: {type: string}
                          count: {type: integer, default: 1, minimum: 1}
                      devices:
                        type: array
                        x-kubernetes-list-type: map
                        x-kubernetes-list-map-keys: [name]
                        items:
                          type: object
                          properties:
                            name: {type: string}
                      labels:
                        type: object
                        maxProperties: 2
                        additionalProperties: {type: string}
        """;

    public static TheoryData<string, string, string[]> Cases => new()
    {
        { "a valid pool, defaults satisfying the rules", "spec: {size: 4, gpu: {type: l4}, zones: [us-east1-b]}", [] },
        { "required fields", "spec: {gpu: {}}", ["spec.size: Required value", "spec.gpu.type: Required value"] },
        { "types", "spec: {size: \"4\", gpu: {type: l4, count: 1.5}}", ["spec.size: Invalid value: \"4\": must be of type integer", "spec.gpu.count: Invalid value: 1.5: must be of type integer"] },
        { "enums", "spec: {size: 2, mode: Lazy, gpu: {type: l4}}", ["spec.mode: Unsupported value: \"Lazy\": supported values: \"Steady\", \"Burst\""] },
        { "bounds", "spec: {size: 65, ratio: 0, gpu: {type: l4, count: 0}}", ["spec.size: Invalid value: 65: should be less than or equal to 64", "spec.ratio: Invalid value: 0: should be greater than 0", "spec.gpu.count: Invalid value: 0: should be greater than or equal to 1"] },
        { "lengths and patterns", "spec: {size: 1, name: Pool_1, gpu: {type: l4}}", ["spec.name: Invalid value: \"Pool_1\": should match '^[a-z][a-z0-9-]*$'"] },
        { "too long", "spec: {size: 1, name: abcdefghij, gpu: {type: l4}}", ["spec.name: Too long: may not be more than 8 chars"] },
        { "item and property counts", "spec: {size: 1, zones: [us-east1-a, us-east1-b, us-east1-c], labels: {a: x, b: y, c: z}, gpu: {type: l4}}", ["spec.zones: Too many: 3: must have at most 2 items", "spec.labels: Too many: 3: must have at most 2 properties"] },
        { "list-map keys are unique", "spec: {size: 1, devices: [{name: gpu}, {name: gpu}], gpu: {type: l4}}", ["spec.devices[1]: Duplicate value: {\"name\":\"gpu\"}"] },
        { "unknown fields", "spec: {size: 1, colour: red, gpu: {type: l4}}", ["spec.colour: field not declared in schema"] },
        { "a CEL rule sees the defaulted mode", "spec: {size: 8, gpu: {type: l4}}", ["spec: Invalid value: \"object\": burst pools have at most 4 nodes"] },
        { "a CEL rule with a fieldPath", "spec: {size: 2, mode: Steady, zones: [eu-west1-a], gpu: {type: l4}}", ["spec.zones: Invalid value: \"object\": every zone must be in the region"] },
        { "CEL rules wait for a well-typed value", "spec: {size: many, gpu: {type: l4}}", ["spec.size: Invalid value: \"many\": must be of type integer"] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Validate_Pool(string reason, string spec, string[] want)
    {
        var schemas = XrdSchemas.From(Manifests.Parse(Xrd, "xrd.yaml"));
        var pool = Manifests.Parse($"apiVersion: test.modelplane.ai/v1alpha1\nkind: Pool\nmetadata: {{name: p, namespace: ml}}\n{spec}\n", "pool.yaml")[0].Object;

        var got = schemas.Validate(pool).Select(e => e.ToString()).ToArray();

        Assert.True(want.SequenceEqual(got), $"{reason}:\nwant\n  {string.Join("\n  ", want)}\ngot\n  {string.Join("\n  ", got)}");
    }

    [Fact]
    public void ApplyDefaults_FillsNestedDefaultsInPlace()
    {
        var schemas = XrdSchemas.From(Manifests.Parse(Xrd, "xrd.yaml"));
        var pool = Manifests.Parse("{apiVersion: test.modelplane.ai/v1alpha1, kind: Pool, metadata: {name: p}, spec: {size: 1, gpu: {type: l4}}}", "p")[0].Object;

        schemas.ApplyDefaults(pool);

        Assert.Equal("""{"size":1,"gpu":{"type":"l4","count":1},"mode":"Burst","region":"us-east1"}""", pool["spec"]!.ToJsonString());
    }

    [Fact]
    public void ValidateCli_EveryExampleAndTheFleet_IsValid()
    {
        // The inputs only: render.yaml holds rendered XRs (identity and status, no spec), not manifests.
        var inputs = Directory.EnumerateFiles(Repo.Path("examples"), "*.yaml", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) is "xr.yaml" or "required.yaml" or "observed.yaml" || f.Contains($"{Path.DirectorySeparatorChar}fleet{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToArray();

        var run = CliRun.Of(["validate", .. inputs, "--package", Repo.Path("package")]);

        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        Assert.EndsWith(": 0 errors\n", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("0 resources validated", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateCli_BadManifests_PrintsFileKindNameFieldAndMessage()
    {
        using var dir = Repo.Temp();
        dir.Write("xrd.yaml", Xrd);
        var bad = dir.Write("bad.yaml", """
            apiVersion: test.modelplane.ai/v1alpha1
            kind: Pool
            metadata: {name: burst, namespace: ml}
            spec: {size: 8, gpu: {type: l4}}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: ignored}
            ---
            apiVersion: test.modelplane.ai/v1alpha1
            kind: Pool
            metadata: {name: typo, namespace: ml}
            spec: {size: 1, mode: steady, gpu: {type: l4}}
            """);

        var run = CliRun.Of("validate", dir.Path, "--package", Path.Combine(dir.Path, "no-package"));

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(
            $"{bad}: Pool ml/burst: spec: Invalid value: \"object\": burst pools have at most 4 nodes\n"
            + $"{bad}: Pool ml/typo: spec.mode: Unsupported value: \"steady\": supported values: \"Steady\", \"Burst\"\n"
            + "2 resources validated against 1 XRDs (2 of other kinds skipped): 2 errors\n",
            run.Output);
    }

    [Fact]
    public void ValidateCli_RealXrd_RejectsAModelServiceWithAZeroWeight()
    {
        using var dir = Repo.Temp();
        var bad = dir.Write("service.yaml", """
            apiVersion: modelplane.ai/v1alpha1
            kind: ModelService
            metadata: {name: chat, namespace: ml-team}
            spec:
              endpoints:
              - weight: 0
                selector: {matchLabels: {app: chat}}
            """);

        var run = CliRun.Of("validate", bad, "--package", Repo.Path("package"));

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith($"{bad}: ModelService ml-team/chat: spec.endpoints[0].weight: Invalid value: 0: should be greater than or equal to 1\n", run.Output, StringComparison.Ordinal);
    }
}
