// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

namespace Modelplane.Server.Tests;

public sealed class SmokeTests
{
    [Fact]
    public void Smoke() => Assert.True(true);
}
