using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Certification.Signing.Cms;

/// <summary>Checks a raw signature value against a certificate's public key (used before embedding a
/// value that came back from an external signer, so a wrong key or PIN prompt fails loudly).</summary>
public static class SignatureValues
{
    public static bool Verify(Org.BouncyCastle.X509.X509Certificate certificate, SignatureAlgorithm algorithm, byte[] digest, byte[] signature)
    {
        using var cert = X509CertificateLoader.LoadCertificate(certificate.GetEncoded());
        try
        {
            switch (algorithm.Scheme)
            {
                case SignatureScheme.RsaPkcs1:
                {
                    using var rsa = cert.GetRSAPublicKey();
                    return rsa is not null && rsa.VerifyHash(digest, signature, algorithm.Hash, RSASignaturePadding.Pkcs1);
                }
                case SignatureScheme.RsaPss:
                {
                    using var rsa = cert.GetRSAPublicKey();
                    return rsa is not null && rsa.VerifyHash(digest, signature, algorithm.Hash, RSASignaturePadding.Pss);
                }
                case SignatureScheme.Ecdsa:
                {
                    using var ec = cert.GetECDsaPublicKey();
                    return ec is not null && ec.VerifyHash(digest, signature, DSASignatureFormat.Rfc3279DerSequence);
                }
                default:
                    return false;
            }
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
