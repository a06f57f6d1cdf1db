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

    public override string ToString() => $"{Scheme}-{Hash.Name}";
}
