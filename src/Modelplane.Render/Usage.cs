// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text;

namespace Modelplane.Render;

/// <summary>Command-line mistakes, answered as crossplane's CLI answers them: one error line, the usage, exit code 80.</summary>
/// <remarks>
/// crossplane (kong) exits 80, the "usage error" code of square/exit, when the command line does not
/// parse. We print the error and a short usage to stderr, so a script piping stdout gets nothing on a
/// mistake (kong prints the full help to stdout; that is the one place we differ on purpose). A token
/// that looks like a flag but names none is an error, never a file name: System.CommandLine would
/// otherwise bind <c>--obsreved-resources</c> to the next free argument.
/// </remarks>
public static class Usage
{
    /// <summary>crossplane's exit code for a command line that does not parse.</summary>
    public const int ExitUsageError = 80;

    /// <summary>Writes the error and usage and returns the exit code when the command line is wrong; null when it parsed.</summary>
    public static int? Reject(ParseResult parse, TextWriter error)
    {
        var message = Problem(parse);
        if (message is null)
        {
            return null;
        }
        error.WriteLine($"modelplane: error: {message}");
        error.Write(ShortUsage(parse.CommandResult));
        return ExitUsageError;
    }

    /// <summary>A mistake the parser cannot see (arguments that depend on each other), answered like one it can.</summary>
    public static int Fail(ParseResult parse, TextWriter error, string message)
    {
        error.WriteLine($"modelplane: error: {message}");
        error.Write(ShortUsage(parse.CommandResult));
        return ExitUsageError;
    }

    private static string? Problem(ParseResult parse)
    {
        var afterDoubleDash = false;
        foreach (var token in parse.Tokens)
        {
            if (token.Type == TokenType.DoubleDash)
            {
                afterDoubleDash = true;
            }
            else if (!afterDoubleDash && token.Type == TokenType.Argument && token.Value.Length > 1 && token.Value[0] == '-')
            {
                return $"unknown flag {token.Value}";
            }
        }
        return parse.Errors.Count > 0 ? parse.Errors[0].Message : null;
    }

    private static string ShortUsage(CommandResult result)
    {
        var path = new List<string>();
        for (SymbolResult? r = result; r is CommandResult c; r = c.Parent)
        {
            path.Insert(0, c.Command is RootCommand ? "modelplane" : c.Command.Name);
        }
        var usage = new StringBuilder("Usage: ").Append(string.Join(' ', path));
        foreach (var argument in result.Command.Arguments)
        {
            usage.Append(argument.Arity.MinimumNumberOfValues > 0 ? $" <{argument.Name}>" : $" [<{argument.Name}>]");
            if (argument.Arity.MaximumNumberOfValues > 1)
            {
                usage.Append(" ...");
            }
        }
        if (result.Command.Subcommands.Count > 0)
        {
            usage.Append(" <command>");
        }
        if (result.Command.Options.Count > 0)
        {
            usage.Append(" [flags]");
        }
        usage.Append('\n').Append($"Run \"{string.Join(' ', path)} --help\" for more information.\n");
        return usage.ToString();
    }
}
