// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace Modelplane.Domain;

/// <summary>The routable part of a ModelEndpoint's <c>spec.url</c>: scheme, host, port and EndpointSlice address type.</summary>
/// <remarks>
/// Only scheme, host and port are routed; the path is informational (the ModelService rewrites to
/// <c>spec.rewritePath</c>). Parsing is ours rather than <see cref="Uri"/>'s because the result must
/// be something an EndpointSlice accepts: upstream's Python parser lets through hosts and addresses
/// the API server then rejects (an underscore in a name, a loopback address, an unbracketed IPv6
/// address), which surfaced as an opaque apply error instead of a message on the endpoint. The port
/// defaults from the scheme (443 for https, 80 for http), as upstream; other schemes are refused
/// rather than routed as plain HTTP.
/// </remarks>
public sealed partial record EndpointUrl(string Scheme, string Host, int Port, string AddressType)
{
    public const string Http = "http";
    public const string Https = "https";
    public const string IPv4 = "IPv4";
    public const string IPv6 = "IPv6";
    public const string Fqdn = "FQDN";

    private const int MaxDnsName = 253;

    public bool IsHttps => Scheme == Https;

    /// <summary>The host as it appears in a URL: IPv6 addresses in brackets.</summary>
    public string UrlHost => AddressType == IPv6 ? $"[{Host}]" : Host;

    /// <summary>Parses a URL, or says what is wrong with it in words a user can act on.</summary>
    public static EndpointUrl? Parse(string? url, out string? problem)
    {
        problem = Check(url, out var parsed);
        return parsed;
    }

    // On spans, with one string for the host: a ModelService checks every endpoint's URL on each call.
    private static string? Check(string? url, out EndpointUrl? parsed)
    {
        parsed = null;
        if (string.IsNullOrEmpty(url))
        {
            return "it is empty";
        }
        foreach (var c in url)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                return "it contains whitespace or control characters";
            }
        }
        var schemeEnd = url.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd <= 0)
        {
            return "it has no scheme (http:// or https://)";
        }
        // ASCII only: no other letter lower-cases to one of these.
        var schemeText = url.AsSpan(0, schemeEnd);
        var scheme = Ascii.EqualsIgnoreCase(schemeText, Http) ? Http : Ascii.EqualsIgnoreCase(schemeText, Https) ? Https : null;
        if (scheme is null)
        {
            return $"scheme \"{schemeText}\" is not http or https";
        }
        var rest = url.AsSpan(schemeEnd + 3);
        var authorityEnd = rest.IndexOfAny('/', '?', '#');
        var authority = authorityEnd < 0 ? rest : rest[..authorityEnd];
        if (authority.Contains('@'))
        {
            return "it carries credentials, which are never sent; remove them and let clients send their own Authorization header";
        }

        ReadOnlySpan<char> portText;
        if (authority.StartsWith('['))
        {
            var close = authority.IndexOf(']');
            if (close < 0)
            {
                return "its IPv6 address has no closing bracket";
            }
            var v6Text = authority[1..close];
            var after = authority[(close + 1)..];
            if (after.Length > 0 && after[0] != ':')
            {
                return $"unexpected \"{after}\" after the IPv6 address";
            }
            portText = after.Length > 0 ? after[1..] : default;
            if (!IPAddress.TryParse(v6Text, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6 || v6Text.Contains('%'))
            {
                return $"\"{v6Text}\" is not an IPv6 address";
            }
            if (Unroutable(v6) is { } why)
            {
                return $"{v6} is {why}, which an EndpointSlice cannot hold";
            }
            return Finish(scheme, v6.ToString(), IPv6, portText, out parsed);
        }

        var colon = authority.IndexOf(':');
        if (colon >= 0 && authority[(colon + 1)..].Contains(':'))
        {
            return "an IPv6 address must be written in brackets, as in http://[2001:db8::1]/";
        }
        var host = (colon < 0 ? authority : authority[..colon]).ToString().ToLowerInvariant();
        portText = colon < 0 ? default : authority[(colon + 1)..];
        if (host.Length == 0)
        {
            return "it has no host";
        }
        if (DottedNumbers().IsMatch(host))
        {
            if (!IsIPv4(host, out var v4))
            {
                return $"\"{host}\" is not an IPv4 address";
            }
            if (Unroutable(v4) is { } why)
            {
                return $"{host} is {why}, which an EndpointSlice cannot hold";
            }
            return Finish(scheme, host, IPv4, portText, out parsed);
        }
        if (host.Length > MaxDnsName || !DnsName().IsMatch(host))
        {
            return $"host \"{host}\" is not a DNS name (lower-case letters, digits, '-' and '.', each label at most 63 characters)";
        }
        if (!host.Contains('.', StringComparison.Ordinal))
        {
            return $"host \"{host}\" is not fully qualified; an EndpointSlice needs at least two labels, as in api.example.com";
        }
        return Finish(scheme, host, Fqdn, portText, out parsed);
    }

    private static string? Finish(string scheme, string host, string addressType, ReadOnlySpan<char> portText, out EndpointUrl? parsed)
    {
        parsed = null;
        int port;
        if (portText.Length == 0)
        {
            port = scheme == Https ? 443 : 80;
        }
        else if (portText.ContainsAnyExceptInRange('0', '9') || portText.Length > 5)
        {
            return $"port \"{portText}\" is not a number";
        }
        else
        {
            port = int.Parse(portText, CultureInfo.InvariantCulture);
            if (port is < 1 or > 65535)
            {
                return $"port {port} is outside 1-65535";
            }
        }
        parsed = new EndpointUrl(scheme, host, port, addressType);
        return null;
    }

    // Python's ipaddress rules: four decimal octets, no leading zeros.
    private static bool IsIPv4(ReadOnlySpan<char> host, out IPAddress address)
    {
        address = IPAddress.None;
        Span<byte> bytes = stackalloc byte[4];
        for (var i = 0; i < 4; i++)
        {
            var dot = host.IndexOf('.');
            if ((dot < 0) != (i == 3))
            {
                return false;
            }
            var p = dot < 0 ? host : host[..dot];
            host = dot < 0 ? default : host[(dot + 1)..];
            if (p.Length is 0 or > 3 || (p.Length > 1 && p[0] == '0') || !int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var b) || b > 255)
            {
                return false;
            }
            bytes[i] = (byte)b;
        }
        address = new IPAddress(bytes);
        return true;
    }

    // The addresses Kubernetes' endpoint validation refuses.
    private static string? Unroutable(IPAddress ip)
    {
        if (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any))
        {
            return "an unspecified address";
        }
        if (IPAddress.IsLoopback(ip))
        {
            return "a loopback address";
        }
        Span<byte> b = stackalloc byte[16];
        _ = ip.TryWriteBytes(b, out _);
        if (ip.AddressFamily == AddressFamily.InterNetwork)
        {
            if (b[0] == 169 && b[1] == 254)
            {
                return "a link-local address";
            }
            if (b[0] == 224 && b[1] == 0 && b[2] == 0)
            {
                return "a link-local multicast address";
            }
            return null;
        }
        if (ip.IsIPv6LinkLocal)
        {
            return "a link-local address";
        }
        return b[0] == 0xff && (b[1] & 0x0f) == 0x02 ? "a link-local multicast address" : null;
    }

    [GeneratedRegex("^[0-9.]+$")]
    private static partial Regex DottedNumbers();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$")]
    private static partial Regex DnsName();
}
