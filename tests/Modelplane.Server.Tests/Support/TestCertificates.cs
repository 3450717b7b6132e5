// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

namespace Modelplane.Server.Tests.Support;

/// <summary>Certificates shaped like Crossplane's, made with openssl for each test run.</summary>
/// <remarks>
/// As Crossplane's initializer makes them: RSA-2048 keys written as PKCS#1 ("RSA PRIVATE KEY"), a
/// root CA, a server certificate for the function's Service names with EKU serverAuth, and a client
/// certificate with EKU clientAuth. The refusal cases add a client signed by another CA and one
/// signed by the right CA for serverAuth only.
/// </remarks>
public sealed class TestCertificates : IDisposable
{
    /// <summary>The name the server certificate is for; clients verify against it.</summary>
    public const string ServerName = "modelplane-function";

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("modelplane-certs-");

    public TestCertificates()
    {
        Authority("ca");
        Authority("other-ca");
        Leaf("tls", "ca", ServerName, $"subjectAltName=DNS:{ServerName},DNS:{ServerName}.crossplane-system,DNS:{ServerName}.crossplane-system.svc\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\nbasicConstraints=critical,CA:FALSE\n");
        Leaf("client", "ca", "crossplane", "extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\nbasicConstraints=critical,CA:FALSE\n");
        Leaf("stranger", "other-ca", "crossplane", "extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\nbasicConstraints=critical,CA:FALSE\n");
        Leaf("server-only", "ca", "crossplane", "extendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\nbasicConstraints=critical,CA:FALSE\n");

        ServerDirectory = Path.Combine(_dir.FullName, "server");
        Directory.CreateDirectory(ServerDirectory);
        System.IO.File.Copy(File("tls.crt"), Path.Combine(ServerDirectory, "tls.crt"));
        System.IO.File.Copy(File("tls.key"), Path.Combine(ServerDirectory, "tls.key"));
        System.IO.File.Copy(File("ca.crt"), Path.Combine(ServerDirectory, "ca.crt"));
    }

    /// <summary>What Crossplane mounts at TLS_SERVER_CERTS_DIR: tls.crt, tls.key and ca.crt.</summary>
    public string ServerDirectory { get; }

    /// <summary>Crossplane's side: the CA and a client certificate it signed.</summary>
    public ClientTls Client => new(File("ca.crt"), File("client.crt"), File("client.key"), ServerName);

    /// <summary>A client that trusts the server but presents no certificate.</summary>
    public ClientTls Anonymous => new(File("ca.crt"), null, null, ServerName);

    /// <summary>A client whose certificate another CA signed.</summary>
    public ClientTls Stranger => new(File("ca.crt"), File("stranger.crt"), File("stranger.key"), ServerName);

    /// <summary>A client whose certificate the right CA signed, but for server authentication only.</summary>
    public ClientTls ServerAuthOnly => new(File("ca.crt"), File("server-only.crt"), File("server-only.key"), ServerName);

    public string File(string name) => Path.Combine(_dir.FullName, name);

    public void Dispose() => _dir.Delete(recursive: true);

    private void Authority(string name)
    {
        OpenSsl("genrsa", "-traditional", "-out", File($"{name}.key"), "2048");
        OpenSsl("req", "-x509", "-new", "-key", File($"{name}.key"), "-sha256", "-days", "2", "-subj", $"/CN={name}",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            "-out", File($"{name}.crt"));
    }

    private void Leaf(string name, string issuer, string commonName, string extensions)
    {
        System.IO.File.WriteAllText(File($"{name}.ext"), extensions);
        OpenSsl("genrsa", "-traditional", "-out", File($"{name}.key"), "2048");
        OpenSsl("req", "-new", "-key", File($"{name}.key"), "-subj", $"/CN={commonName}", "-out", File($"{name}.csr"));
        OpenSsl("x509", "-req", "-in", File($"{name}.csr"), "-CA", File($"{issuer}.crt"), "-CAkey", File($"{issuer}.key"),
            "-set_serial", $"0x{Random.Shared.NextInt64(1, long.MaxValue):x}", "-days", "1", "-sha256", "-extfile", File($"{name}.ext"),
            "-out", File($"{name}.crt"));
        Assert.StartsWith("-----BEGIN RSA PRIVATE KEY-----", System.IO.File.ReadAllText(File($"{name}.key")), StringComparison.Ordinal);
    }

    private static void OpenSsl(params string[] args)
    {
        using var openssl = new ChildProcess("openssl", args);
        var exit = openssl.WaitForExitAsync(TimeSpan.FromMinutes(2)).GetAwaiter().GetResult();
        Assert.True(exit == 0, $"openssl {string.Join(' ', args)} exited with {exit}: {openssl.Stderr}");
    }
}
