using System.Security.Cryptography;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Nist;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Asn1.X9;

namespace Certification.Signing.Cms;

/// <summary>Algorithm identifiers used in CMS signatures (RFC 5754 for SHA-2, RFC 4056 for PSS, RFC 5758 for ECDSA).</summary>
public static class CmsOids
{
    /// <summary>id-aa-signatureTimeStampToken (RFC 3161 Appendix A).</summary>
    public static readonly DerObjectIdentifier SignatureTimeStampToken = PkcsObjectIdentifiers.IdAASignatureTimeStampToken;

    public static AlgorithmIdentifier DigestAlgorithm(HashAlgorithmName hash) => new(DigestOid(hash));

    public static DerObjectIdentifier DigestOid(HashAlgorithmName hash) => hash.Name switch
    {
        "SHA256" => NistObjectIdentifiers.IdSha256,
        "SHA384" => NistObjectIdentifiers.IdSha384,
        "SHA512" => NistObjectIdentifiers.IdSha512,
        _ => throw new NotSupportedException($"Digest {hash.Name} is not allowed for new signatures"),
    };

    public static HashAlgorithmName? HashFromOid(string oid) => oid switch
    {
        "2.16.840.1.101.3.4.2.1" => HashAlgorithmName.SHA256,
        "2.16.840.1.101.3.4.2.2" => HashAlgorithmName.SHA384,
        "2.16.840.1.101.3.4.2.3" => HashAlgorithmName.SHA512,
        "1.3.14.3.2.26" => HashAlgorithmName.SHA1,
        "1.2.840.113549.2.5" => HashAlgorithmName.MD5,
        _ => null,
    };

    public static int DigestLength(HashAlgorithmName hash) => hash.Name switch
    {
        "SHA256" => 32,
        "SHA384" => 48,
        "SHA512" => 64,
        "SHA1" => 20,
        _ => throw new NotSupportedException(hash.Name),
    };

    public static AlgorithmIdentifier SignatureAlgorithmIdentifier(SignatureAlgorithm algorithm) => algorithm.Scheme switch
    {
        SignatureScheme.RsaPkcs1 => new AlgorithmIdentifier(algorithm.Hash.Name switch
        {
            "SHA256" => PkcsObjectIdentifiers.Sha256WithRsaEncryption,
            "SHA384" => PkcsObjectIdentifiers.Sha384WithRsaEncryption,
            "SHA512" => PkcsObjectIdentifiers.Sha512WithRsaEncryption,
            _ => throw new NotSupportedException(algorithm.Hash.Name),
        }, DerNull.Instance),
        SignatureScheme.RsaPss => new AlgorithmIdentifier(PkcsObjectIdentifiers.IdRsassaPss, new RsassaPssParameters(
            DigestAlgorithm(algorithm.Hash),
            new AlgorithmIdentifier(PkcsObjectIdentifiers.IdMgf1, DigestAlgorithm(algorithm.Hash)),
            DerInteger.ValueOf(DigestLength(algorithm.Hash)),
            DerInteger.ValueOf(1))),
        SignatureScheme.Ecdsa => new AlgorithmIdentifier(algorithm.Hash.Name switch
        {
            "SHA256" => X9ObjectIdentifiers.ECDsaWithSha256,
            "SHA384" => X9ObjectIdentifiers.ECDsaWithSha384,
            "SHA512" => X9ObjectIdentifiers.ECDsaWithSha512,
            _ => throw new NotSupportedException(algorithm.Hash.Name),
        }),
        _ => throw new NotSupportedException(algorithm.Scheme.ToString()),
    };
}
