using System.Security.Cryptography;

namespace Certification.Signing.Cms;

/// <summary>How the signer's private key turns a digest into a signature value.</summary>
public enum SignatureScheme
{
    /// <summary>RSASSA-PKCS1-v1_5 (RFC 8017 § 8.2).</summary>
    RsaPkcs1,
    /// <summary>RSASSA-PSS (RFC 8017 § 8.1), salt length equal to the digest length, MGF1 with the same digest.</summary>
    RsaPss,
    /// <summary>ECDSA (FIPS 186-4), value DER-encoded as Ecdsa-Sig-Value (RFC 3279 § 2.2.3).</summary>
    Ecdsa,
}

/// <summary>A signature scheme together with the digest it signs.</summary>
public sealed record SignatureAlgorithm(SignatureScheme Scheme, HashAlgorithmName Hash)
{
    public static readonly SignatureAlgorithm RsaSha256 = new(SignatureScheme.RsaPkcs1, HashAlgorithmName.SHA256);

    /// <summary>For a key known only by its certificate (a token, a remote signer): RSA PKCS#1 v1.5 with SHA-256
    /// (or RSASSA-PSS when <paramref name="preferPss"/>); ECDSA with SHA-256 on P-256, SHA-384 on P-384, SHA-512 above.</summary>
    public static SignatureAlgorithm For(Org.BouncyCastle.X509.X509Certificate certificate, bool preferPss = false) =>
        certificate.GetPublicKey() switch
        {
            Org.BouncyCastle.Crypto.Parameters.ECPublicKeyParameters ec => new(SignatureScheme.Ecdsa, ec.Parameters.Curve.FieldSize switch
            {
                <= 256 => HashAlgorithmName.SHA256,
                <= 384 => HashAlgorithmName.SHA384,
                _ => HashAlgorithmName.SHA512,
            }),
            Org.BouncyCastle.Crypto.Parameters.RsaKeyParameters => preferPss ? new(SignatureScheme.RsaPss, HashAlgorithmName.SHA256) : RsaSha256,
            var other => throw new NotSupportedException($"Key type {other.GetType().Name} is not supported (RSA or ECDSA only)."),
        };

    public override string ToString() => $"{Scheme}-{Hash.Name}";
}
