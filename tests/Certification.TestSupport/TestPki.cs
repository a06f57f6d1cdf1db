using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Certification.Signing.Pki;
using Org.BouncyCastle.Asn1.X509;
using Certification.Signing.Revocation;
using Certification.Signing.Timestamps;
using Certification.Signing.Remote;
using BcCertificate = Org.BouncyCastle.X509.X509Certificate;

namespace Certification.TestSupport;

/// <summary>
/// The development PKI the tests share: generated once per test process (key generation is the slow
/// part), saved to a temporary directory, with extra certificates for the refusal cases. The base URL is
/// a free loopback port; <see cref="StartServerAsync"/> serves it on demand.
/// </summary>
public sealed class TestPki
{
    public const string Password = "development-only-password";

    private static readonly Lazy<TestPki> Instance = new(() => new TestPki(), LazyThreadSafetyMode.ExecutionAndPublication);
    private readonly Lazy<string> _unrelatedRootPem;
    private readonly SemaphoreSlim _serverGate = new(1, 1);
    private DevelopmentPkiServer? _server;

    public static TestPki Shared => Instance.Value;

    private TestPki()
    {
        Directory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"certification-test-pki-{Guid.NewGuid():N}");
        Pki = DevelopmentPki.Create(new Uri($"http://127.0.0.1:{FreeTcpPort()}"));
        var now = Pki.CreatedAt;
        var government = Pki.GovernmentCa;

        Expired = Pki.IssueLeaf(government, new LeafRequest("expired", "Hết Hạn (DEVELOPMENT)")
        {
            Organization = "UBND phường Demo (DEVELOPMENT)",
            NotBefore = now.AddYears(-3),
            NotAfter = now.AddDays(-1),
        });
        NotYetValid = Pki.IssueLeaf(government, new LeafRequest("not-yet-valid", "Chưa Hiệu Lực (DEVELOPMENT)")
        {
            NotBefore = now.AddDays(30),
            NotAfter = now.AddYears(3),
        });
        NoSigningKeyUsage = Pki.IssueLeaf(government, new LeafRequest("no-signing-usage", "Chỉ Mã Hoá (DEVELOPMENT)")
        {
            KeyUsage = X509KeyUsageFlags.KeyEncipherment,
        });
        Revoked = Pki.IssueLeaf(government, new LeafRequest("revoked", "Đã Thu Hồi (DEVELOPMENT)")
        {
            Organization = "UBND phường Demo (DEVELOPMENT)",
        });
        EcdsaP256 = Pki.IssueLeaf(government, new LeafRequest("ecdsa-p256", "ECDSA P-256 (DEVELOPMENT)") { KeyAlgorithm = KeyAlgorithm.EcdsaP256 });
        EcdsaP384 = Pki.IssueLeaf(Pki.PublicCa, new LeafRequest("ecdsa-p384", "ECDSA P-384 (DEVELOPMENT)") { KeyAlgorithm = KeyAlgorithm.EcdsaP384 });
        Rsa3072 = Pki.IssueLeaf(government, new LeafRequest("rsa-3072", "RSA 3072 (DEVELOPMENT)") { KeyAlgorithm = KeyAlgorithm.Rsa3072 });

        Pki.Save(Directory, Password);
        RevokedAt = now.AddMinutes(-5);
        Pki.Revoke(Revoked.SerialNumber, RevocationReason.KeyCompromise, RevokedAt);

        Tsa = new DevelopmentTimestampAuthority(Pki.TimestampAuthority);
        Csc = new DevelopmentCscProvider(
            [.. DevelopmentCscProvider.DemoCredentials(Pki), new DevelopmentCscCredential("ecdsa", EcdsaP256, "officer")],
            [new DevelopmentCscClient(CscClientId, CscClientSecret, ["officer", "office", "ecdsa"])]);
        _unrelatedRootPem = new(WriteUnrelatedRoot, LazyThreadSafetyMode.ExecutionAndPublication);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Cleanup();
    }

    public DevelopmentPki Pki { get; }

    public const string CscClientId = "certification-tests";

    /// <summary>A throwaway secret of the test client; tests only.</summary>
    public const string CscClientSecret = "development-only-client-secret";

    /// <summary>The development remote signing provider served with the PKI (<see cref="StartServerAsync"/>) under
    /// <c>/csc/v2/</c>: the demo credentials plus <c>ecdsa</c> (<see cref="EcdsaP256"/>, holder <c>officer</c>).
    /// Tests that change its <see cref="DevelopmentCscProvider.Options"/> must not run in parallel with each other.</summary>
    public DevelopmentCscProvider Csc { get; }

    public Uri CscUrl => new(BaseUrl, "csc/v2/");

    /// <summary>Where <see cref="DevelopmentPki.Save"/> wrote the PKI (roots.pem, officer.p12, ...).</summary>
    public string Directory { get; }

    public Uri BaseUrl => Pki.BaseUrl;

    public string RootsPem => Path("roots.pem");

    /// <summary>The Government and Public CA certificates (for openssl -untrusted).</summary>
    public string IntermediatesPem => Path("intermediates.pem");

    public string OfficerP12 => Path("officer.p12");

    public string OfficeP12 => Path("office.p12");

    public string NotaryP12 => Path("notary.p12");

    /// <summary>Expired yesterday.</summary>
    public IssuedCredential Expired { get; }

    /// <summary>Valid from 30 days after the PKI was made.</summary>
    public IssuedCredential NotYetValid { get; }

    /// <summary>keyUsage keyEncipherment only.</summary>
    public IssuedCredential NoSigningKeyUsage { get; }

    /// <summary>Revoked (keyCompromise) at <see cref="RevokedAt"/>.</summary>
    public IssuedCredential Revoked { get; }

    public DateTimeOffset RevokedAt { get; }

    public IssuedCredential EcdsaP256 { get; }

    public IssuedCredential EcdsaP384 { get; }

    public IssuedCredential Rsa3072 { get; }

    /// <summary>The in-process TSA (system clock).</summary>
    public DevelopmentTimestampAuthority Tsa { get; }

    public string Path(string name) => System.IO.Path.Combine(Directory, name);

    /// <summary>The root of a second, unrelated development PKI (made on first use, ECDSA keys, so quick):
    /// an anchor that no certificate of <see cref="Pki"/> chains to, for the "wrong anchor" cases.</summary>
    public string UnrelatedRootPem => _unrelatedRootPem.Value;

    /// <summary>A fresh end-entity credential issued straight by the root (chain: leaf, root) without revocation
    /// pointers, for tests that need a key of their own (a PKCS#11 token, a third-party signer). It has
    /// digitalSignature + nonRepudiation, or, with <paramref name="timeStamping"/>, the critical timeStamping
    /// extended key usage (RFC 3161 § 2.3).</summary>
    public IssuedCredential IssueLeaf(string commonName, KeyAlgorithm keyAlgorithm = KeyAlgorithm.Rsa2048, bool timeStamping = false) =>
        Pki.IssueLeaf(Pki.Root, new LeafRequest($"leaf-{Guid.NewGuid():N}", commonName)
        {
            Organization = "Certification tests (DEVELOPMENT)",
            KeyAlgorithm = keyAlgorithm,
            IncludeRevocationPointers = false,
            KeyUsage = timeStamping ? X509KeyUsageFlags.DigitalSignature : X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation,
            ExtendedKeyUsages = timeStamping ? [KeyPurposeID.id_kp_timeStamping.Id] : [],
            ExtendedKeyUsageCritical = timeStamping,
        });

    /// <summary><paramref name="credential"/>'s certificate with its private key, for .NET APIs (SignedCms,
    /// PDFsharp's signer) that take an <see cref="X509Certificate2"/>.</summary>
    public static X509Certificate2 WithPrivateKey(IssuedCredential credential) =>
        X509CertificateLoader.LoadPkcs12(credential.ExportPkcs12(Password), Password,
            X509KeyStorageFlags.Exportable | X509KeyStorageFlags.EphemeralKeySet);

    /// <summary><paramref name="credential"/>'s certificate alone (public key only), for .NET APIs.</summary>
    public static X509Certificate2 Certificate(IssuedCredential credential) =>
        X509CertificateLoader.LoadCertificate(credential.Certificate.GetEncoded());

    /// <summary>Writes certificates as one PEM file in a fresh location; returns its path.</summary>
    public static string WritePem(string directory, string name, IEnumerable<BcCertificate> certificates)
    {
        var path = System.IO.Path.Combine(directory, name);
        File.WriteAllText(path, string.Concat(certificates.Select(DevelopmentPki.Pem)));
        return path;
    }

    /// <summary>Starts (once) the HTTP server for this PKI on its base URL's port.</summary>
    public async Task<DevelopmentPkiServer> StartServerAsync()
    {
        await _serverGate.WaitAsync();
        try
        {
            return _server ??= DevelopmentPkiServer.Start(Pki, csc: Csc);
        }
        finally
        {
            _serverGate.Release();
        }
    }

    private string WriteUnrelatedRoot()
    {
        var unrelated = DevelopmentPki.Create(new Uri("http://127.0.0.1:9/"), rootKey: KeyAlgorithm.EcdsaP256, otherKeys: KeyAlgorithm.EcdsaP256);
        return WritePem(Directory, "unrelated-root.pem", [unrelated.Root.Certificate]);
    }

    /// <summary>A TCP port nobody listens on right now (on 127.0.0.1).</summary>
    public static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void Cleanup()
    {
        try
        {
            _server?.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(5));
        }
        catch (Exception)
        {
        }
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (Exception)
        {
        }
    }
}
