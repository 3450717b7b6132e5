// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Modelplane.Server;

/// <summary>Mutual TLS as Crossplane sets it up: a server certificate, and clients verified against ca.crt.</summary>
/// <remarks>
/// Crossplane mounts a Secret at TLS_SERVER_CERTS_DIR holding tls.crt and tls.key (PKCS#1 RSA) for
/// the function, and ca.crt, the root that signed both the function's and Crossplane's client
/// certificate. We require a client certificate and accept it only if it chains to ca.crt alone (the
/// system store is not consulted) and is valid for client authentication. Revocation checking is off
/// because Crossplane's certificates name no CRL or OCSP endpoint; with it on, every call would fail.
/// A refused client never reaches a call, so <see cref="Refusal"/> says why, for the one log line it leaves.
/// </remarks>
public sealed class MutualTls
{
    private const string ClientAuthenticationOid = "1.3.6.1.5.5.7.3.2";

    private MutualTls(X509Certificate2 serverCertificate, X509Certificate2Collection roots)
    {
        ServerCertificate = serverCertificate;
        Roots = roots;
    }

    public X509Certificate2 ServerCertificate { get; }

    /// <summary>The certificates of ca.crt: the only roots a client certificate may chain to.</summary>
    public X509Certificate2Collection Roots { get; }

    /// <summary>The certificates of a directory, or a problem naming the file that is missing or unreadable.</summary>
    public static (MutualTls? Tls, string? Problem) Load(string directory)
    {
        var crt = Path.Combine(directory, "tls.crt");
        var key = Path.Combine(directory, "tls.key");
        var ca = Path.Combine(directory, "ca.crt");
        foreach (var required in new[] { crt, key, ca })
        {
            if (!new FileInfo(required).Exists)
            {
                return (null, $"cannot load TLS certificates: {required} does not exist; --tls-certs-dir must hold tls.crt, tls.key and ca.crt");
            }
        }
        try
        {
            var server = X509Certificate2.CreateFromPemFile(crt, key);
            var roots = new X509Certificate2Collection();
            roots.ImportFromPemFile(ca);
            if (roots.Count == 0)
            {
                return (null, $"cannot load TLS certificates: {ca} holds no certificate");
            }
            return (new MutualTls(server, roots), null);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            return (null, $"cannot load TLS certificates from {directory}: {e.Message}");
        }
    }

    /// <summary>The handshake options for one connection; <paramref name="refused"/> hears why a client is turned away.</summary>
    public SslServerAuthenticationOptions HandshakeOptions(Action<string> refused) => new()
    {
        ServerCertificate = ServerCertificate,
        ClientCertificateRequired = true,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
        // gRPC is HTTP/2 only, and every gRPC client offers h2.
        ApplicationProtocols = [SslApplicationProtocol.Http2],
        RemoteCertificateValidationCallback = (_, certificate, _, _) =>
        {
            if (Refusal(certificate) is { } reason)
            {
                refused(reason);
                return false;
            }
            return true;
        },
    };

    /// <summary>Why a client certificate is refused, or null when it chains to ca.crt and may authenticate a client.</summary>
    public string? Refusal(X509Certificate? certificate)
    {
        if (certificate is null)
        {
            return "it presented no client certificate; Crossplane presents one signed by the ca.crt of --tls-certs-dir";
        }
        using var owned = certificate as X509Certificate2 is null ? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()) : null;
        var client = owned ?? (X509Certificate2)certificate;
        using var chain = Chain(Roots);
        if (chain.Build(client))
        {
            return null;
        }
        var problems = chain.ChainStatus.Select(s => s.Status).Where(s => s != X509ChainStatusFlags.NoError).Distinct().ToArray();
        var why = problems.Contains(X509ChainStatusFlags.UntrustedRoot) || problems.Contains(X509ChainStatusFlags.PartialChain)
            ? "is not signed by ca.crt"
            : problems.Contains(X509ChainStatusFlags.NotTimeValid) ? "is expired or not yet valid"
            : problems.Contains(X509ChainStatusFlags.NotValidForUsage) ? "is not valid for client authentication"
            : $"does not verify ({string.Join(", ", problems)})";
        return $"its certificate {client.Subject} {why}";
    }

    /// <summary>Whether a client certificate chains to one of <paramref name="roots"/> and may authenticate a client.</summary>
    public static bool IsTrustedClient(X509Certificate2 certificate, X509Certificate2Collection roots)
    {
        using var chain = Chain(roots);
        return chain.Build(certificate);
    }

    private static X509Chain Chain(X509Certificate2Collection roots)
    {
        var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid(ClientAuthenticationOid));
        return chain;
    }
}
