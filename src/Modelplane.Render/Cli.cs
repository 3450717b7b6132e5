// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.CommandLine;
using Modelplane.Render.Commands;

namespace Modelplane.Render;

/// <summary>The root command: one subcommand per file under Commands/, as KubeOps.Cli lays them out.</summary>
public static class Cli
{
    public static RootCommand Root { get; } = new("modelplane: preview, validate and package Modelplane's Crossplane compositions offline.")
    {
        RenderCommand.Command,
        ValidateCommand.Command,
        PackageCommand.Command,
        DocsCommand.Command,
    };

    /// <summary>Runs the CLI with the given writers; what tests call instead of starting a process.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var parse = Root.Parse(args);
        return Usage.Reject(parse, error) ?? parse.Invoke(new InvocationConfiguration { Output = output, Error = error });
    }
}
