// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using Microsoft.Extensions.Hosting;
using Modelplane.Sdk;
using Modelplane.Server;

// The floor every over-the-wire figure is compared with: the server's host, transport, protobuf and
// runner, with composers that compose nothing, so the answer is `response.To(req)` (tag, TTL and
// the desired state passed through). It answers the names the bench's requests ask for.
Composer[] echo =
[
    new("model-service", _ => new Composition()),
    new("model-deployment", _ => new Composition()),
];

var parsed = ServerOptions.Parse(args, tlsCertsDirFromEnvironment: null);
if (parsed.Options is null)
{
    (parsed.ExitCode == 0 ? Console.Out : Console.Error).WriteLine(parsed.Output);
    return parsed.ExitCode;
}
var server = FunctionServer.Create(parsed.Options, new ComposerRegistry(echo));
if (server.Problem is not null)
{
    Console.Error.WriteLine($"modelplane-echo-floor: {server.Problem}");
    return 1;
}
await server.App!.StartAsync().ConfigureAwait(false);
await server.App.WaitForShutdownAsync().ConfigureAwait(false);
return 0;
