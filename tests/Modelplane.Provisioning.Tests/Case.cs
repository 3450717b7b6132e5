// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using Apiextensions.Fn.Proto.V1;

namespace Modelplane.Provisioning.Tests;

/// <summary>One golden case: its file name, why it exists, and the request.</summary>
public sealed record Case(string Name, string Reason, RunFunctionRequest Request)
{
    public override string ToString() => Name;
}
