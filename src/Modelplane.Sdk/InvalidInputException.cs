// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

namespace Modelplane.Sdk;

/// <summary>Input the XRD could not reject and the composer cannot use; the runner turns it into a Fatal result.</summary>
/// <remarks>
/// Reading a field of the wrong shape is the one failure a composer meets deep inside a helper, where
/// returning a Fatal result by hand would thread errors through every call. So the typed reads throw
/// this, and the runner, not the server, catches it once and answers with a Fatal result and a False
/// condition naming <see cref="Field"/>. Any other exception is a bug and becomes gRPC INTERNAL.
/// </remarks>
public sealed class InvalidInputException : Exception
{
    public InvalidInputException(string field, string message)
        : base($"{field}: {message}")
    {
        Field = field;
        Problem = message;
    }

    public InvalidInputException()
        : this("(unknown)", "invalid input")
    {
    }

    public InvalidInputException(string message)
        : this("(unknown)", message)
    {
    }

    public InvalidInputException(string message, Exception innerException)
        : base(message, innerException)
    {
        Field = "(unknown)";
        Problem = message;
    }

    /// <summary>The field path, as in <c>spec.endpoints[0].weight</c>.</summary>
    public string Field { get; }

    /// <summary>What is wrong with it and, where we know, how to fix it.</summary>
    public string Problem { get; }
}
