// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Text;

namespace Modelplane.Server;

/// <summary>The gRPC status codes this server answers with.</summary>
/// <remarks>
/// Malformed input never gets INTERNAL: that code means "a bug of ours", so the fuzz tests can
/// assert it never appears. Frames we cannot read are INVALID_ARGUMENT, sizes past the limit
/// RESOURCE_EXHAUSTED, methods and encodings we do not serve UNIMPLEMENTED.
/// </remarks>
public enum GrpcStatusCode
{
    Ok = 0,
    Cancelled = 1,
    InvalidArgument = 3,
    DeadlineExceeded = 4,
    ResourceExhausted = 8,
    Unimplemented = 12,
    Internal = 13,
    Unavailable = 14,
}

/// <summary>A gRPC status and its message.</summary>
public readonly record struct GrpcStatus(GrpcStatusCode Code, string Message)
{
    public static GrpcStatus Ok { get; } = new(GrpcStatusCode.Ok, "");

    /// <summary>The lower-case name Prometheus labels and logs use, e.g. <c>invalid_argument</c>.</summary>
    public string CodeName => Code switch
    {
        GrpcStatusCode.Ok => "ok",
        GrpcStatusCode.Cancelled => "cancelled",
        GrpcStatusCode.InvalidArgument => "invalid_argument",
        GrpcStatusCode.DeadlineExceeded => "deadline_exceeded",
        GrpcStatusCode.ResourceExhausted => "resource_exhausted",
        GrpcStatusCode.Unimplemented => "unimplemented",
        GrpcStatusCode.Internal => "internal",
        GrpcStatusCode.Unavailable => "unavailable",
        _ => ((int)Code).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>
    /// Percent-encodes a status message for the <c>grpc-message</c> trailer, as the gRPC HTTP/2
    /// protocol says: UTF-8 bytes outside printable ASCII, and '%' itself, become %XX.
    /// </summary>
    public static string EncodeMessage(string message)
    {
        var needsEncoding = false;
        foreach (var c in message)
        {
            if (c < 0x20 || c > 0x7E || c == '%')
            {
                needsEncoding = true;
                break;
            }
        }
        if (!needsEncoding)
        {
            return message;
        }
        var bytes = Encoding.UTF8.GetBytes(message);
        var builder = new StringBuilder(bytes.Length * 2);
        foreach (var b in bytes)
        {
            if (b < 0x20 || b > 0x7E || b == (byte)'%')
            {
                builder.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append((char)b);
            }
        }
        return builder.ToString();
    }
}
