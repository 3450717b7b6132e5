// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using Modelplane.Domain;

namespace Modelplane.Routing.Tests.ModelEndpoints;

public sealed class EndpointUrlTests
{
    [Theory]
    [InlineData("http://34.55.100.10/v1", "http", "34.55.100.10", 80, "IPv4")]
    [InlineData("https://api.together.xyz/v1", "https", "api.together.xyz", 443, "FQDN")]
    [InlineData("https://api.together.xyz", "https", "api.together.xyz", 443, "FQDN")]
    [InlineData("http://[2001:db8::1]/v1", "http", "2001:db8::1", 80, "IPv6")]
    [InlineData("http://[2001:DB8:0:0::1]:8080/", "http", "2001:db8::1", 8080, "IPv6")]
    [InlineData("HTTPS://API.Example.COM:8443/x?y#z", "https", "api.example.com", 8443, "FQDN")]
    [InlineData("http://10.0.0.1:/v1", "http", "10.0.0.1", 80, "IPv4")]
    [InlineData("http://10.0.0.1:65535", "http", "10.0.0.1", 65535, "IPv4")]
    [InlineData("hTTp://10.0.0.2/", "http", "10.0.0.2", 80, "IPv4")]
    [InlineData("http://gw.cluster-1.example.com/ml-team/qwen-3f2a1/v1", "http", "gw.cluster-1.example.com", 80, "FQDN")]
    public void Parse_ValidUrl_RoutablePart(string url, string scheme, string host, int port, string addressType)
    {
        var parsed = EndpointUrl.Parse(url, out var problem);
        Assert.Null(problem);
        Assert.Equal(new EndpointUrl(scheme, host, port, addressType), parsed);
    }

    [Theory]
    [InlineData(null, "it is empty")]
    [InlineData("", "it is empty")]
    [InlineData("not-a-url", "it has no scheme")]
    [InlineData("api.example.com:443/v1", "it has no scheme")]
    [InlineData("ftp://files.example.com/", "scheme \"ftp\" is not http or https")]
    [InlineData("https://host.example.com:abc", "port \"abc\" is not a number")]
    [InlineData("https://host.example.com:0", "port 0 is outside 1-65535")]
    [InlineData("https://host.example.com:70000", "port 70000 is outside 1-65535")]
    [InlineData("https://host.example.com:123456", "port \"123456\" is not a number")]
    [InlineData("http:///v1", "it has no host")]
    [InlineData("http://user:secret@api.example.com/", "it carries credentials")]
    [InlineData("http://2001:db8::1/v1", "an IPv6 address must be written in brackets")]
    [InlineData("http://[2001:db8::1/v1", "its IPv6 address has no closing bracket")]
    [InlineData("http://[not-v6]/v1", "\"not-v6\" is not an IPv6 address")]
    [InlineData("http://[fe80::1%25eth0]/", "is not an IPv6 address")]
    [InlineData("http://10.1/v1", "\"10.1\" is not an IPv4 address")]
    [InlineData("http://10.0.0.01/v1", "\"10.0.0.01\" is not an IPv4 address")]
    [InlineData("http://256.0.0.1/v1", "\"256.0.0.1\" is not an IPv4 address")]
    [InlineData("http://127.0.0.1:8000/v1", "127.0.0.1 is a loopback address")]
    [InlineData("http://169.254.1.1/", "169.254.1.1 is a link-local address")]
    [InlineData("http://224.0.0.5/", "224.0.0.5 is a link-local multicast address")]
    [InlineData("http://[ff02::1]/", "ff02::1 is a link-local multicast address")]
    [InlineData("http://1.2.3.4.5/", "\"1.2.3.4.5\" is not an IPv4 address")]
    [InlineData("https://host.example.com:+80", "port \"+80\" is not a number")]
    [InlineData("httpſ://host.example.com/", "scheme \"httpſ\" is not http or https")]
    [InlineData("http://0.0.0.0/", "0.0.0.0 is an unspecified address")]
    [InlineData("http://[::1]/", "::1 is a loopback address")]
    [InlineData("http://[fe80::1]/", "fe80::1 is a link-local address")]
    [InlineData("http://foo_bar.example.com/", "host \"foo_bar.example.com\" is not a DNS name")]
    [InlineData("http://api.example.com./", "is not a DNS name")]
    [InlineData("http://localhost:8000/", "host \"localhost\" is not fully qualified")]
    [InlineData("http://api.example.com /v1", "it contains whitespace")]
    public void Parse_InvalidUrl_NamesTheProblem(string? url, string problemStart)
    {
        Assert.Null(EndpointUrl.Parse(url, out var problem));
        Assert.Contains(problemStart, problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://[2001:db8::1]/", "[2001:db8::1]")]
    [InlineData("http://10.0.0.1/", "10.0.0.1")]
    public void UrlHost_IPv6_Bracketed(string url, string expected) =>
        Assert.Equal(expected, EndpointUrl.Parse(url, out _)!.UrlHost);
}
