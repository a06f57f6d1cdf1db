using System.Security.Cryptography;
using BcCertificate = Org.BouncyCastle.X509.X509Certificate;

namespace Certification.Signing.Validation.Facts;

/// <summary>
/// Verifies X.509-style signatures (certificates, CRLs, OCSP responses) and CMS signature values with
/// .NET's RSA and ECDSA, which is orders of magnitude faster here than BouncyCastle's managed arithmetic.
/// Returns null for algorithms it does not handle (RSASSA-PSS parameters, DSA, EdDSA), so callers fall
/// back to BouncyCastle.
/// </summary>
public static class FastSignatures
{
    private static readonly Dictionary<string, (HashAlgorithmName Hash, bool Rsa)> Algorithms = new()
    {
        ["1.2.840.113549.1.1.11"] = (HashAlgorithmName.SHA256, true),
        ["1.2.840.113549.1.1.12"] = (HashAlgorithmName.SHA384, true),
        ["1.2.840.113549.1.1.13"] = (HashAlgorithmName.SHA512, true),
        ["1.2.840.113549.1.1.5"] = (HashAlgorithmName.SHA1, true),
        ["1.2.840.10045.4.3.2"] = (HashAlgorithmName.SHA256, false),
        ["1.2.840.10045.4.3.3"] = (HashAlgorithmName.SHA384, false),
        ["1.2.840.10045.4.3.4"] = (HashAlgorithmName.SHA512, false),
        ["1.2.840.10045.4.1"] = (HashAlgorithmName.SHA1, false),
    };

    public static bool? Verify(byte[] signedBytes, byte[] signature, string algorithmOid, BcCertificate signer)
    {
        if (!Algorithms.TryGetValue(algorithmOid, out var algorithm)) return null;
        var key = PublicKeyCache.Get(signer);
        try
        {
            return key?.Algorithm switch
            {
                RSA rsa when algorithm.Rsa => key!.Use(() => rsa.VerifyData(signedBytes, signature, algorithm.Hash, RSASignaturePadding.Pkcs1)),
                ECDsa ec when !algorithm.Rsa => key!.Use(() => ec.VerifyData(signedBytes, signature, algorithm.Hash, DSASignatureFormat.Rfc3279DerSequence)),
                _ => false,
            };
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>True when <paramref name="signer"/>'s key verifies the OCSP response's signature (BouncyCastle's
    /// exceptions for unreadable keys pass through).</summary>
    public static bool OcspSignedBy(Org.BouncyCastle.Ocsp.BasicOcspResp response, BcCertificate signer) =>
        Verify(response.GetTbsResponseData(), response.GetSignature(), response.SignatureAlgorithm.Algorithm.Id, signer) ?? response.Verify(signer.GetPublicKey());

    /// <summary>True when <paramref name="issuer"/>'s key verifies the CRL's signature.</summary>
    public static bool CrlSignedBy(Org.BouncyCastle.X509.X509Crl crl, BcCertificate issuer) =>
        Verify(crl.GetTbsCertList(), crl.GetSignature(), crl.SigAlgOid, issuer) ?? crl.IsSignatureValid(issuer.GetPublicKey());

    /// <summary>True when <paramref name="issuer"/>'s key verifies <paramref name="certificate"/>'s signature.</summary>
    public static bool CertificateSignedBy(BcCertificate certificate, BcCertificate issuer) =>
        Verify(certificate.GetTbsCertificate(), certificate.GetSignature(), certificate.SigAlgOid, issuer)
        ?? Certification.Signing.Cms.CertificateChains.IsSignedBy(certificate, issuer);
}

/// <summary>
/// .NET public-key objects by SubjectPublicKeyInfo, shared by all validations in the process. Importing
/// a key into OpenSSL costs far more than one verification (about 0.3-1 ms against 0.03 ms), and a
/// service sees the same few signers, CAs and TSAs over and over. The key is derived from the SPKI bytes
/// alone, so equal bytes always give the same key. Bounded; verification on one key object is serialised.
/// </summary>
public static class PublicKeyCache
{
    private const int Capacity = 512;
    private static readonly Dictionary<string, CachedKey?> Keys = [];

    /// <summary>The certificate's RSA or ECDSA public key, or null (other algorithms, or unreadable).</summary>
    public static CachedKey? Get(BcCertificate certificate)
    {
        byte[] spki;
        try { spki = certificate.CertificateStructure.SubjectPublicKeyInfo.GetDerEncoded(); }
        catch (Exception e) when (e is IOException or InvalidOperationException or ArgumentException) { return null; }
        var id = Convert.ToBase64String(SHA256.HashData(spki));
        lock (Keys)
        {
            if (Keys.TryGetValue(id, out var known)) return known;
        }
        var created = Create(spki);
        lock (Keys)
        {
            if (Keys.TryGetValue(id, out var raced)) { created?.Algorithm.Dispose(); return raced; }
            if (Keys.Count >= Capacity) Keys.Clear(); // old entries are only garbage; keys in use stay valid
            Keys[id] = created;
            return created;
        }
    }

    private static CachedKey? Create(byte[] spki)
    {
        var rsa = RSA.Create();
        try
        {
            rsa.ImportSubjectPublicKeyInfo(spki, out _);
            return new CachedKey(rsa);
        }
        catch (CryptographicException)
        {
            rsa.Dispose();
        }
        var ec = ECDsa.Create();
        try
        {
            ec.ImportSubjectPublicKeyInfo(spki, out _);
            return new CachedKey(ec);
        }
        catch (CryptographicException)
        {
            ec.Dispose();
            return null;
        }
    }
}

/// <summary>A cached public key; <see cref="Use{T}"/> serialises operations on it.</summary>
public sealed class CachedKey(AsymmetricAlgorithm algorithm)
{
    public AsymmetricAlgorithm Algorithm { get; } = algorithm;

    public T Use<T>(Func<T> operation)
    {
        lock (this) return operation();
    }
}
