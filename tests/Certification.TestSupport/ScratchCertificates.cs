using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Certification.TestSupport;

/// <summary>A root and a leaf made on the spot with .NET's CertificateRequest. Only for the self-tests
/// of the judges and the PKCS#11 token fixture; the product's development PKI lives in
/// Certification.Signing.Pki.</summary>
public sealed class ScratchChain : IDisposable
{
    internal ScratchChain(X509Certificate2 root, X509Certificate2 leaf)
    {
        Root = root;
        Leaf = leaf;
    }

    /// <summary>The self-signed root, with its private key.</summary>
    public X509Certificate2 Root { get; }

    /// <summary>The end-entity certificate, with its private key.</summary>
    public X509Certificate2 Leaf { get; }

    /// <summary>Writes the root as PEM (the trust anchor for the judges) and returns the path.</summary>
    public string WriteRootPem(string path)
    {
        File.WriteAllText(path, Root.ExportCertificatePem() + "\n");
        return path;
    }

    /// <summary>Writes the leaf as PEM and returns the path.</summary>
    public string WriteLeafPem(string path)
    {
        File.WriteAllText(path, Leaf.ExportCertificatePem() + "\n");
        return path;
    }

    /// <summary>The leaf's private key as unencrypted PKCS#8 DER.</summary>
    public byte[] ExportLeafPkcs8() =>
        (Leaf.GetRSAPrivateKey() as AsymmetricAlgorithm ?? Leaf.GetECDsaPrivateKey()
            ?? throw new InvalidOperationException("Leaf has no private key.")).ExportPkcs8PrivateKey();

    public void Dispose()
    {
        Root.Dispose();
        Leaf.Dispose();
    }
}

public enum ScratchKeyType
{
    Rsa2048,
    EcP256,
}

public static class ScratchCertificates
{
    /// <summary>Root "Scratch Root CA" and a leaf named <paramref name="leafCommonName"/> valid from a day
    /// ago for a year; the leaf has digitalSignature + nonRepudiation, or critical EKU timeStamping when
    /// <paramref name="timeStamping"/> is set (RFC 3161 § 2.3).</summary>
    public static ScratchChain Create(string leafCommonName, ScratchKeyType keyType = ScratchKeyType.Rsa2048, bool timeStamping = false)
    {
        var notBefore = DateTimeOffset.UtcNow.AddDays(-1);
        var notAfter = notBefore.AddYears(1);

        using var rootKey = RSA.Create(2048);
        var rootRequest = new CertificateRequest("CN=Scratch Root CA, O=Certification tests", rootKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        rootRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        rootRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(rootRequest.PublicKey, false));
        var root = rootRequest.CreateSelfSigned(notBefore.AddDays(-1), notAfter.AddYears(1));

        var subject = new X500DistinguishedNameBuilder();
        subject.AddOrganizationName("Certification tests");
        subject.AddCommonName(leafCommonName);
        var name = subject.Build();
        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7F;

        // Signed by the RSA root whatever the leaf's key type (the overload with a generator allows that).
        var issuerSignature = X509SignatureGenerator.CreateForRSA(rootKey, RSASignaturePadding.Pkcs1);
        X509Certificate2 leaf;
        if (keyType == ScratchKeyType.Rsa2048)
        {
            using var key = RSA.Create(2048);
            var request = new CertificateRequest(name, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            AddLeafExtensions(request, root, timeStamping);
            using var cert = request.Create(root.SubjectName, issuerSignature, notBefore, notAfter, serial);
            leaf = cert.CopyWithPrivateKey(key);
        }
        else
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest(name, key, HashAlgorithmName.SHA256);
            AddLeafExtensions(request, root, timeStamping);
            using var cert = request.Create(root.SubjectName, issuerSignature, notBefore, notAfter, serial);
            leaf = cert.CopyWithPrivateKey(key);
        }
        // Round-trip through PKCS#12 so the keys are usable by every API (SignedCms included) on Linux.
        return new ScratchChain(Reload(root), Reload(leaf));
    }

    private static void AddLeafExtensions(CertificateRequest request, X509Certificate2 root, bool timeStamping)
    {
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(root, true, false));
        if (timeStamping)
        {
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.8")], critical: true));
        }
        else
        {
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation, true));
        }
    }

    private static X509Certificate2 Reload(X509Certificate2 cert)
    {
        var pfx = cert.Export(X509ContentType.Pkcs12, "");
        cert.Dispose();
        return X509CertificateLoader.LoadPkcs12(pfx, "", X509KeyStorageFlags.Exportable | X509KeyStorageFlags.EphemeralKeySet);
    }
}
