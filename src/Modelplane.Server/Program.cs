// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using Microsoft.Extensions.Hosting;
using Modelplane.Composers;
using Modelplane.Server;

#pragma warning disable RS0030 // The server reads TLS_SERVER_CERTS_DIR, as the function specification requires.
var environmentCertsDir = Environment.GetEnvironmentVariable("TLS_SERVER_CERTS_DIR");
#pragma warning restore RS0030

var parsed = ServerOptions.Parse(args, environmentCertsDir);
if (parsed.Options is null)
{
    (parsed.ExitCode == 0 ? Console.Out : Console.Error).WriteLine(parsed.Output);
    return parsed.ExitCode;
}

var server = FunctionServer.Create(parsed.Options, AllComposers.Registry, Console.Error, TimeProvider.System);
if (server.Problem is not null)
{
    Console.Error.WriteLine($"modelplane-function: {server.Problem}");
    return 1;
}
await server.App!.StartAsync().ConfigureAwait(false);
server.LogListening();
await server.App.WaitForShutdownAsync().ConfigureAwait(false);
return 0;
