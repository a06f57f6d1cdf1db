using System.Security.Cryptography;
using Certification.Signing.Cms;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Nist;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Asn1.X9;

namespace Certification.Signing.Pki;

/// <summary>ASN.1 algorithm identifiers for the signature algorithms this project uses.</summary>
public static class SignatureAlgorithmIdentifiers
{
    /// <summary>The digest algorithm identifier (NIST OIDs, parameters absent as RFC 5754 § 2 recommends).</summary>
    public static AlgorithmIdentifier Digest(HashAlgorithmName hash) => new(DigestOid(hash));

    public static DerObjectIdentifier DigestOid(HashAlgorithmName hash) => hash.Name switch
    {
        "SHA256" => NistObjectIdentifiers.IdSha256,
        "SHA384" => NistObjectIdentifiers.IdSha384,
        "SHA512" => NistObjectIdentifiers.IdSha512,
        _ => throw new NotSupportedException($"Digest algorithm {hash.Name} is not supported (use SHA-256, SHA-384 or SHA-512)."),
    };

    public static int DigestLength(HashAlgorithmName hash) => hash.Name switch
    {
        "SHA256" => 32,
        "SHA384" => 48,
        "SHA512" => 64,
        _ => throw new NotSupportedException($"Digest algorithm {hash.Name} is not supported (use SHA-256, SHA-384 or SHA-512)."),
    };

    /// <summary>
    /// The signatureAlgorithm identifier for certificates, CRLs, OCSP responses and CMS SignerInfo:
    /// sha*WithRSAEncryption with NULL parameters (RFC 4055 § 5), id-RSASSA-PSS with explicit parameters
    /// (RFC 4055 § 3.1; salt length = digest length, MGF1 with the same digest), ecdsa-with-SHA*
    /// with absent parameters (RFC 5758 § 3.2).
    /// </summary>
    public static AlgorithmIdentifier Signature(SignatureAlgorithm algorithm)
    {
        var hash = algorithm.Hash;
        switch (algorithm.Scheme)
        {
            case SignatureScheme.RsaPkcs1:
                var rsaOid = hash.Name switch
                {
                    "SHA256" => PkcsObjectIdentifiers.Sha256WithRsaEncryption,
                    "SHA384" => PkcsObjectIdentifiers.Sha384WithRsaEncryption,
                    "SHA512" => PkcsObjectIdentifiers.Sha512WithRsaEncryption,
                    _ => throw Unsupported(algorithm),
                };
                return new AlgorithmIdentifier(rsaOid, DerNull.Instance);
            case SignatureScheme.RsaPss:
                var digest = new AlgorithmIdentifier(DigestOid(hash), DerNull.Instance);
                var pss = new RsassaPssParameters(
                    digest,
                    new AlgorithmIdentifier(PkcsObjectIdentifiers.IdMgf1, digest),
                    DerInteger.ValueOf(DigestLength(hash)),
                    DerInteger.One);
                return new AlgorithmIdentifier(PkcsObjectIdentifiers.IdRsassaPss, pss);
            case SignatureScheme.Ecdsa:
                var ecOid = hash.Name switch
                {
                    "SHA256" => X9ObjectIdentifiers.ECDsaWithSha256,
                    "SHA384" => X9ObjectIdentifiers.ECDsaWithSha384,
                    "SHA512" => X9ObjectIdentifiers.ECDsaWithSha512,
                    _ => throw Unsupported(algorithm),
                };
                return new AlgorithmIdentifier(ecOid);
            default:
                throw Unsupported(algorithm);
        }
    }

    private static NotSupportedException Unsupported(SignatureAlgorithm algorithm) =>
        new($"Signature algorithm {algorithm} is not supported.");
}
