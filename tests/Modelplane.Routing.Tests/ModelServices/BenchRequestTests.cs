// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using Modelplane.Composers;
using Modelplane.Routing.Tests.Schema;
using Modelplane.Sdk;
using Modelplane.Testing;

namespace Modelplane.Routing.Tests.ModelServices;

public sealed class BenchRequestTests
{
    [Theory]
    [InlineData(10, 1)]
    [InlineData(100, 1)]
    [InlineData(1000, 5)]
    public void ModelService_BenchSizes_ComposeEveryEndpointWithoutWarnings(int endpoints, int routes)
    {
        var (response, summary) = new FunctionRunner(AllComposers.Registry).Run(BenchRequests.ModelService(endpoints));
        Assert.Equal("ok", summary.Outcome);
        var desired = GatewayApiSchemaTests.Desired(response).Where(r => r["kind"]!.GetValue<string>() == "HTTPRoute").ToArray();
        Assert.Equal(routes, desired.Length);
        var backends = desired.SelectMany(r => r["spec"]!["rules"]!.AsArray())
            .SelectMany(rule => rule!["backendRefs"]!.AsArray())
            .Select(b => b!["name"]!.GetValue<string>())
            .Where(n => n.EndsWith("-svc", StringComparison.Ordinal));
        Assert.Equal(endpoints, backends.Distinct().Count());
    }
}
