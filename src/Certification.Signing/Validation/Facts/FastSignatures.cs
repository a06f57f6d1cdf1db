using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using BcCertificate = Org.BouncyCastle.X509.X509Certificate;

namespace Certification.Signing.Validation.Facts;

/// <summary>
/// Verifies X.509-style signatures (certificates, CRLs, OCSP responses) with .NET's RSA and ECDSA, which
/// is orders of magnitude faster here than BouncyCastle's managed arithmetic. Returns null for algorithms
/// it does not handle (RSASSA-PSS, DSA, EdDSA), so callers fall back to BouncyCastle.
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
        try
        {
            using var certificate = X509CertificateLoader.LoadCertificate(signer.GetEncoded());
            if (algorithm.Rsa)
            {
                using var rsa = certificate.GetRSAPublicKey();
                return rsa?.VerifyData(signedBytes, signature, algorithm.Hash, RSASignaturePadding.Pkcs1) ?? false;
            }
            using var ec = certificate.GetECDsaPublicKey();
            return ec?.VerifyData(signedBytes, signature, algorithm.Hash, DSASignatureFormat.Rfc3279DerSequence) ?? false;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>True when <paramref name="issuer"/>'s key verifies <paramref name="certificate"/>'s signature.</summary>
    public static bool CertificateSignedBy(BcCertificate certificate, BcCertificate issuer) =>
        Verify(certificate.GetTbsCertificate(), certificate.GetSignature(), certificate.SigAlgOid, issuer)
        ?? Certification.Signing.Cms.CertificateChains.IsSignedBy(certificate, issuer);
}
