// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Modelplane.Server;

/// <summary>Mutual TLS as Crossplane sets it up: a server certificate, and clients verified against ca.crt.</summary>
/// <remarks>
/// Crossplane mounts a Secret at TLS_SERVER_CERTS_DIR holding tls.crt and tls.key (PKCS#1 RSA) for
/// the function, and ca.crt, the root that signed both the function's and Crossplane's client
/// certificate. We require a client certificate and accept it only if it chains to ca.crt alone (the
/// system store is not consulted) and is valid for client authentication. Revocation checking is off
/// because Crossplane's certificates name no CRL or OCSP endpoint; with it on, every call would fail.
/// </remarks>
public static class MutualTls
{
    private const string ClientAuthenticationOid = "1.3.6.1.5.5.7.3.2";

    /// <summary>Kestrel's TLS options for a certificate directory, or a problem naming the missing file.</summary>
    public static (HttpsConnectionAdapterOptions? Options, string? Problem) Load(string directory)
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
            return (new HttpsConnectionAdapterOptions
            {
                ServerCertificate = server,
                ClientCertificateMode = ClientCertificateMode.RequireCertificate,
                CheckCertificateRevocation = false,
                SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                ClientCertificateValidation = (certificate, _, _) => IsTrustedClient(certificate, roots),
            }, null);
        }
        catch (CryptographicException e)
        {
            return (null, $"cannot load TLS certificates from {directory}: {e.Message}");
        }
    }

    /// <summary>Whether a client certificate chains to one of <paramref name="roots"/> and may authenticate a client.</summary>
    public static bool IsTrustedClient(X509Certificate2 certificate, X509Certificate2Collection roots)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid(ClientAuthenticationOid));
        return chain.Build(certificate);
    }
}
