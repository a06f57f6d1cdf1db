using System.Security.Cryptography;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Cms;
using Org.BouncyCastle.Asn1.Ess;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.X509;
using Attribute = Org.BouncyCastle.Asn1.Cms.Attribute;
using ContentInfo = Org.BouncyCastle.Asn1.Cms.ContentInfo;
using SignedData = Org.BouncyCastle.Asn1.Cms.SignedData;
using SignerInfo = Org.BouncyCastle.Asn1.Cms.SignerInfo;

namespace Certification.Signing.Cms;

/// <summary>
/// Builds detached CMS SignedData (RFC 5652) the way PAdES baseline signatures need it
/// (ETSI EN 319 142-1 § 6.3): signed attributes contentType, messageDigest and signing-certificate-v2,
/// and no signing-time (the time goes into the signature dictionary's /M instead).
/// Split in two so the private key can live elsewhere: <see cref="BuildSignedAttributes"/> gives the
/// bytes whose digest the key signs, <see cref="Assemble"/> wraps the returned signature value.
/// </summary>
public static class CmsSignatureBuilder
{
    /// <summary>The DER encoding of the signed attributes as a SET (RFC 5652 § 5.4: this, not the
    /// [0] IMPLICIT form, is what the signature covers).</summary>
    public static byte[] BuildSignedAttributes(byte[] documentDigest, X509Certificate signer, HashAlgorithmName hash)
    {
        var certHash = HashData(hash, signer.GetEncoded());
        var issuerSerial = new IssuerSerial(new GeneralNames(new GeneralName(signer.IssuerDN)), new DerInteger(signer.SerialNumber));
        // SHA-256 is the default hashAlgorithm of ESSCertIDv2 and is then omitted (RFC 5035 § 4).
        var essCertId = hash == HashAlgorithmName.SHA256
            ? new EssCertIDv2(certHash, issuerSerial)
            : new EssCertIDv2(CmsOids.DigestAlgorithm(hash), certHash, issuerSerial);
        var attributes = new Asn1EncodableVector
        {
            new Attribute(CmsAttributes.ContentType, new DerSet(CmsObjectIdentifiers.Data)),
            new Attribute(CmsAttributes.MessageDigest, new DerSet(new DerOctetString(documentDigest))),
            new Attribute(PkcsObjectIdentifiers.IdAASigningCertificateV2, new DerSet(new SigningCertificateV2([essCertId]))),
        };
        return new DerSet(attributes).GetEncoded(Asn1Encodable.Der);
    }

    /// <summary>Builds the ContentInfo(SignedData) DER around a signature value produced elsewhere.</summary>
    public static byte[] Assemble(
        byte[] signedAttributes,
        byte[] signatureValue,
        SignatureAlgorithm algorithm,
        IReadOnlyList<X509Certificate> chain,
        byte[]? signatureTimestampToken = null)
    {
        var signer = chain[0];
        var signedAttrSet = (Asn1Set)Asn1Object.FromByteArray(signedAttributes);
        Asn1Set? unsigned = null;
        if (signatureTimestampToken is not null)
        {
            unsigned = new DerSet(new Attribute(CmsOids.SignatureTimeStampToken, new DerSet(Asn1Object.FromByteArray(signatureTimestampToken))));
        }
        var signerInfo = new SignerInfo(
            new SignerIdentifier(new Org.BouncyCastle.Asn1.Cms.IssuerAndSerialNumber(signer.IssuerDN, signer.SerialNumber)),
            CmsOids.DigestAlgorithm(algorithm.Hash),
            signedAttrSet,
            CmsOids.SignatureAlgorithmIdentifier(algorithm),
            new DerOctetString(signatureValue),
            unsigned);
        var certificates = new Asn1EncodableVector();
        foreach (var cert in chain) certificates.Add(cert.CertificateStructure);
        var signedData = new SignedData(
            new DerSet(CmsOids.DigestAlgorithm(algorithm.Hash)),
            new ContentInfo(CmsObjectIdentifiers.Data, null),
            new DerSet(certificates),
            null,
            new DerSet(signerInfo));
        return new ContentInfo(CmsObjectIdentifiers.SignedData, signedData).GetEncoded(Asn1Encodable.Der);
    }

    /// <summary>The signature value of the first SignerInfo: what a signature timestamp's imprint covers (RFC 3161 Appendix A).</summary>
    public static byte[] ReadSignatureValue(byte[] contentInfoDer)
    {
        var signedData = SignedData.GetInstance(ContentInfo.GetInstance(Asn1Object.FromByteArray(contentInfoDer)).Content);
        return SignerInfo.GetInstance(signedData.SignerInfos[0]).Signature.GetOctets();
    }

    public static byte[] HashData(HashAlgorithmName hash, ReadOnlySpan<byte> data) => hash.Name switch
    {
        "SHA256" => SHA256.HashData(data),
        "SHA384" => SHA384.HashData(data),
        "SHA512" => SHA512.HashData(data),
        "SHA1" => SHA1.HashData(data),
        _ => throw new NotSupportedException(hash.Name),
    };
}
