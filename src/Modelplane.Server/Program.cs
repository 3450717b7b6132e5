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

var server = FunctionServer.Create(parsed.Options, AllComposers.Registry);
if (server.Problem is not null)
{
    Console.Error.WriteLine($"modelplane-function: {server.Problem}");
    return 1;
}
try
{
    await server.App!.StartAsync().ConfigureAwait(false);
}
catch (IOException e)
{
    // Kestrel's bind failure: "Failed to bind to address http://127.0.0.1:9443: address already in use."
    Console.Error.WriteLine($"modelplane-function: cannot serve: {e.Message.TrimEnd('.')}");
    await server.App!.DisposeAsync().ConfigureAwait(false);
    return 1;
}
server.LogServing();
await server.App.WaitForShutdownAsync().ConfigureAwait(false);
await server.App.DisposeAsync().ConfigureAwait(false);
return 0;
