// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using Modelplane.Apis.ModelDeployments;
using Modelplane.Cel;
using Modelplane.Domain;

namespace Modelplane.Functions.ModelDeployments;

/// <summary>One device request of a member, with its selectors compiled and the call's CEL budget to run them under.</summary>
internal sealed record PlannedRequest(string Name, int Count, IReadOnlyList<string> Cels, IReadOnlyList<CelProgram> Programs, CelBudget? Budget = null);

/// <summary>One member of an engine: its role, pods per engine copy, and what each pod needs from its node.</summary>
internal sealed record PlannedMember(MemberRole Role, int PodsPerCopy, IReadOnlyList<PlannedRequest> Requests, Member Source)
{
    public bool HasRequests => Requests.Count > 0;
}

internal sealed record PlannedEngine(string Name, int Copies, IReadOnlyList<PlannedMember> Members, Engine Source);

/// <summary>A selector that does not compile, with the field that holds it.</summary>
internal sealed record SelectorError(string Field, string Expression, CelCompileError Error);

/// <summary>The deployment's engines as the scheduler needs them, compiled once per call.</summary>
/// <remarks>
/// Compiling goes through a process-wide <see cref="CelProgramCache"/>, so the same selectors on every
/// reconcile of every deployment are parsed once. Programs may reference only <c>device</c>, as in
/// Kubernetes' DRA compiler: a misspelt variable is an <c>InvalidNodeSelector</c> naming the field,
/// not a selector that silently never matches. A selector whose static worst-case cost is over
/// DRA's 1,000,000 is refused the same way, as the API server refuses it in a ResourceClaim, and the
/// selectors that pass run under one wall-clock budget per call, which carries the call's cancellation.
/// </remarks>
internal sealed class DeploymentPlan
{
    private static readonly CelProgramCache Programs = new(["device"], CelLimits.DeviceSelector);

    private DeploymentPlan(IReadOnlyList<PlannedEngine> engines, IReadOnlyList<SelectorError> errors)
    {
        Engines = engines;
        Errors = errors;
    }

    public IReadOnlyList<PlannedEngine> Engines { get; }

    /// <summary>Selectors that do not compile, in spec order; the plan is unusable when there are any.</summary>
    public IReadOnlyList<SelectorError> Errors { get; }

    public static DeploymentPlan Of(DeploymentTemplateSpec? spec, CancellationToken cancellationToken = default)
    {
        var budget = CelBudget.For(cancellationToken);
        var engines = new List<PlannedEngine>();
        var errors = new List<SelectorError>();
        var specEngines = spec?.Engines ?? [];
        for (var e = 0; e < specEngines.Count; e++)
        {
            var engine = specEngines[e];
            var copies = Math.Max(0, engine.Copies ?? Engine.DefaultCopies);
            var members = new List<PlannedMember>();
            var specMembers = engine.Members ?? [];
            for (var m = 0; m < specMembers.Count; m++)
            {
                var member = specMembers[m];
                var role = member.Role ?? MemberRole.Standalone;
                var requests = new List<PlannedRequest>();
                var devices = member.NodeSelector?.Devices ?? [];
                for (var d = 0; d < devices.Count; d++)
                {
                    var device = devices[d];
                    var cels = new List<string>();
                    var programs = new List<CelProgram>();
                    var selectors = device.Selectors ?? [];
                    for (var s = 0; s < selectors.Count; s++)
                    {
                        // A selector without cel is ignored, as upstream does; the XRD's minProperties keeps it rare.
                        if (selectors[s].Cel is not { } cel)
                        {
                            continue;
                        }
                        if (Programs.TryGet(cel, out var program, out var error))
                        {
                            cels.Add(cel);
                            programs.Add(program);
                        }
                        else
                        {
                            var field = $"spec.template.spec.engines[{e}].members[{m}].nodeSelector.devices[{d}].selectors[{s}].cel";
                            errors.Add(new SelectorError(field, cel, error));
                        }
                    }
                    requests.Add(new PlannedRequest(device.Name ?? "", Math.Max(0, device.Count ?? DeviceSelection.DefaultCount), cels, programs, budget));
                }
                members.Add(new PlannedMember(role, ReplicaClaims.PodsOf(role, member.Worker, 1), requests, member));
            }
            engines.Add(new PlannedEngine(engine.Name ?? "", copies, members, engine));
        }
        return new DeploymentPlan(engines, errors);
    }
}
