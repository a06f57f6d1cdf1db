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

    /// <summary>r || s (IEEE P1363, as PKCS#11 CKM_ECDSA and some remote signers return it) to the DER
    /// Ecdsa-Sig-Value CMS needs (RFC 3279 § 2.2.3).</summary>
    public static byte[] EcdsaRawToDer(byte[] raw)
    {
        if (raw.Length == 0 || raw.Length % 2 != 0)
            throw new ArgumentException($"{raw.Length} bytes are not r || s.", nameof(raw));
        var half = raw.Length / 2;
        var r = new Org.BouncyCastle.Math.BigInteger(1, raw, 0, half);
        var s = new Org.BouncyCastle.Math.BigInteger(1, raw, half, half);
        return new Org.BouncyCastle.Asn1.DerSequence(new Org.BouncyCastle.Asn1.DerInteger(r), new Org.BouncyCastle.Asn1.DerInteger(s))
            .GetEncoded(Org.BouncyCastle.Asn1.Asn1Encodable.Der);
    }

    /// <summary>An ECDSA value in either form, as DER: kept when it already parses as SEQUENCE { INTEGER, INTEGER }.</summary>
    public static byte[] EcdsaToDer(byte[] value)
    {
        try
        {
            if (value.Length > 0 && value[0] == 0x30 && Org.BouncyCastle.Asn1.Asn1Object.FromByteArray(value) is Org.BouncyCastle.Asn1.Asn1Sequence { Count: 2 } sequence &&
                sequence[0] is Org.BouncyCastle.Asn1.DerInteger && sequence[1] is Org.BouncyCastle.Asn1.DerInteger)
                return value;
        }
        catch (Exception e) when (e is IOException or ArgumentException or InvalidCastException)
        {
            // Not DER: r || s.
        }
        return EcdsaRawToDer(value);
    }
}
