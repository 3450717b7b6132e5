// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Modelplane.Server.Tests;

public sealed class MutualTlsTests : IDisposable
{
    private const string ClientAuth = "1.3.6.1.5.5.7.3.2";
    private const string ServerAuth = "1.3.6.1.5.5.7.3.1";

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("modelplane-mtls-");
    private readonly X509Certificate2 _ca = Authority("test-root-ca");
    private readonly X509Certificate2 _otherCa = Authority("other-root-ca");

    public void Dispose()
    {
        _ca.Dispose();
        _otherCa.Dispose();
        _dir.Delete(recursive: true);
    }

    public enum Signer
    {
        Ca,
        OtherCa,
        Self,
    }

    [Theory]
    [InlineData(Signer.Ca, new[] { ClientAuth }, 0, true)]
    [InlineData(Signer.Ca, new[] { ServerAuth, ClientAuth }, 0, true)]
    [InlineData(Signer.Ca, new string[0], 0, true)] // no EKU extension: any use
    [InlineData(Signer.Ca, new[] { ServerAuth }, 0, false)]
    [InlineData(Signer.Ca, new[] { ClientAuth }, -3, false)] // expired
    [InlineData(Signer.OtherCa, new[] { ClientAuth }, 0, false)]
    [InlineData(Signer.Self, new[] { ClientAuth }, 0, false)]
    public void IsTrustedClient_Certificate_TrustedOnlyWhenSignedByCaForClientAuth(Signer signer, string[] usages, int validDaysFromNow, bool trusted)
    {
        using var client = Leaf("client", signer switch { Signer.Ca => _ca, Signer.OtherCa => _otherCa, _ => null }, usages, validDaysFromNow);

        Assert.Equal(trusted, MutualTls.IsTrustedClient(client, [_ca]));
    }

    [Fact]
    public void Load_CrossplaneStyleDirectory_RequiresAndVerifiesClientCertificates()
    {
        WriteDirectory(includeCa: true);

        var (options, problem) = MutualTls.Load(_dir.FullName);

        Assert.Null(problem);
        Assert.NotNull(options);
        Assert.Equal("CN=modelplane-function", options.ServerCertificate.Subject);
        Assert.True(options.ServerCertificate.HasPrivateKey);
        var handshake = options.HandshakeOptions(_ => { });
        Assert.True(handshake.ClientCertificateRequired);
        Assert.Equal(X509RevocationMode.NoCheck, handshake.CertificateRevocationCheckMode);
        Assert.Equal([System.Net.Security.SslApplicationProtocol.Http2], handshake.ApplicationProtocols);
        using var good = Leaf("client", _ca, [ClientAuth], 0);
        using var bad = Leaf("client", _otherCa, [ClientAuth], 0);
        using var serverOnly = Leaf("client", _ca, [ServerAuth], 0);
        var refusals = new List<string>();
        var validate = options.HandshakeOptions(refusals.Add).RemoteCertificateValidationCallback!;
        Assert.True(validate(this, good, null, System.Net.Security.SslPolicyErrors.None));
        Assert.Empty(refusals);
        Assert.False(validate(this, bad, null, System.Net.Security.SslPolicyErrors.None));
        Assert.False(validate(this, serverOnly, null, System.Net.Security.SslPolicyErrors.None));
        Assert.False(validate(this, null, null, System.Net.Security.SslPolicyErrors.RemoteCertificateNotAvailable));
        // Each refusal says why, for the one log line a refused client leaves.
        Assert.Equal(
            [
                "its certificate CN=client is not signed by ca.crt",
                "its certificate CN=client is not valid for client authentication",
                "it presented no client certificate; Crossplane presents one signed by the ca.crt of --tls-certs-dir",
            ],
            refusals);
    }

    [Fact]
    public void Load_UnreadableKey_ProblemNamesTheDirectory()
    {
        WriteDirectory(includeCa: true);
        var key = Path.Combine(_dir.FullName, "tls.key");
        File.Delete(key);
        // A file that exists but cannot be read, even by root (the tests may run as root, where a
        // file mode would not stop the read): reading /proc/self/mem from offset 0 fails with EIO.
        File.CreateSymbolicLink(key, "/proc/self/mem");

        var (options, problem) = MutualTls.Load(_dir.FullName);

        Assert.Null(options);
        Assert.StartsWith($"cannot load TLS certificates from {_dir.FullName}: ", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("tls.crt")]
    [InlineData("tls.key")]
    [InlineData("ca.crt")]
    public void Load_MissingFile_ProblemNamesIt(string missing)
    {
        WriteDirectory(includeCa: true);
        File.Delete(Path.Combine(_dir.FullName, missing));

        var (options, problem) = MutualTls.Load(_dir.FullName);

        Assert.Null(options);
        Assert.Equal(
            $"cannot load TLS certificates: {Path.Combine(_dir.FullName, missing)} does not exist; --tls-certs-dir must hold tls.crt, tls.key and ca.crt",
            problem);
    }

    [Fact]
    public void Load_CaFileWithoutCertificate_ProblemSaysSo()
    {
        WriteDirectory(includeCa: false);
        File.WriteAllText(Path.Combine(_dir.FullName, "ca.crt"), "not a certificate\n");

        var (options, problem) = MutualTls.Load(_dir.FullName);

        Assert.Null(options);
        Assert.Equal($"cannot load TLS certificates: {Path.Combine(_dir.FullName, "ca.crt")} holds no certificate", problem);
    }

    [Fact]
    public void Load_GarbageKey_ProblemNamesTheDirectory()
    {
        WriteDirectory(includeCa: true);
        File.WriteAllText(Path.Combine(_dir.FullName, "tls.key"), "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");

        var (options, problem) = MutualTls.Load(_dir.FullName);

        Assert.Null(options);
        Assert.StartsWith($"cannot load TLS certificates from {_dir.FullName}: ", problem, StringComparison.Ordinal);
    }

    private void WriteDirectory(bool includeCa)
    {
        using var key = RSA.Create(2048);
        using var server = Leaf("modelplane-function", _ca, [ServerAuth], 0, key);
        File.WriteAllText(Path.Combine(_dir.FullName, "tls.crt"), server.ExportCertificatePem());
        // PKCS#1 ("RSA PRIVATE KEY"), as Crossplane writes it.
        File.WriteAllText(Path.Combine(_dir.FullName, "tls.key"), key.ExportRSAPrivateKeyPem());
        if (includeCa)
        {
            File.WriteAllText(Path.Combine(_dir.FullName, "ca.crt"), _ca.ExportCertificatePem());
        }
    }

    private static X509Certificate2 Authority(string name)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-10), DateTimeOffset.UtcNow.AddDays(10));
    }

    private static X509Certificate2 Leaf(string name, X509Certificate2? issuer, string[] usages, int validDaysFromNow, RSA? key = null)
    {
        using var owned = key is null ? RSA.Create(2048) : null;
        var rsa = key ?? owned!;
        var request = new CertificateRequest($"CN={name}", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        if (usages.Length > 0)
        {
            var oids = new OidCollection();
            foreach (var usage in usages)
            {
                oids.Add(new Oid(usage));
            }
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(oids, false));
        }
        var notAfter = DateTimeOffset.UtcNow.AddDays(validDaysFromNow == 0 ? 1 : validDaysFromNow);
        var notBefore = notAfter.AddDays(-2);
        if (issuer is null)
        {
            return request.CreateSelfSigned(notBefore, notAfter);
        }
        using var signed = request.Create(issuer, notBefore, notAfter, RandomNumberGenerator.GetBytes(8));
        return signed.CopyWithPrivateKey(rsa);
    }
}
