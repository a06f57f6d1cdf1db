using System.Security.Cryptography;
using Certification.Signing.Cms;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Ess;
using Org.BouncyCastle.Asn1.Ocsp;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Cms;
using Org.BouncyCastle.Ocsp;
using Org.BouncyCastle.Tsp;
using Org.BouncyCastle.X509;
using CmsAttributes = Org.BouncyCastle.Asn1.Cms.CmsAttributes;

namespace Certification.Signing.Validation.Facts;

/// <summary>How the signed attributes bind the signer certificate (RFC 5035 ESS signing-certificate-v2, RFC 2634 v1).</summary>
public enum SigningCertificateBinding
{
    Absent,
    Matches,
    Mismatch,
}

/// <summary>What a CMS SignedData (RFC 5652) says, and whether its parts verify.</summary>
public sealed class CmsEvidence
{
    public required CmsSignedData SignedData { get; init; }
    public required SignerInformation Signer { get; init; }
    public int SignerCount { get; init; }
    public bool HasEncapsulatedContent { get; init; }
    public required IReadOnlyList<X509Certificate> Certificates { get; init; }
    public X509Certificate? SignerCertificate { get; set; }

    public string DigestOid => Signer.DigestAlgorithmID.Algorithm.Id;
    public HashAlgorithmName? Hash => CmsOids.HashFromOid(DigestOid);

    /// <summary>Digest of the bytes the /ByteRange names, with the signer's digest algorithm.</summary>
    public byte[]? ComputedDigest { get; set; }

    public bool HasSignedAttributes => Signer.SignedAttributes is not null;
    public byte[]? MessageDigestAttribute { get; init; }

    public bool? SignatureValid { get; set; }
    public string? SignatureProblem { get; set; }

    public SigningCertificateBinding Binding { get; set; }
    public string BindingMessage { get; set; } = "";

    public DateTimeOffset? SigningTimeAttribute { get; init; }

    public byte[]? SignatureTimestampToken { get; init; }

    /// <summary>Revocation data carried in the CMS (SignedData crls, adbe-revocationInfoArchival).</summary>
    public required ValidationMaterialPool Material { get; init; }

    /// <summary>Parses a container; throws on anything that is not a CMS SignedData.</summary>
    public static CmsEvidence Read(byte[] container) => Read(new CmsSignedData(BerEncoding.Trim(container)));

    /// <summary>Reads an already parsed SignedData (a timestamp token's, without encoding and parsing it again).</summary>
    public static CmsEvidence Read(CmsSignedData cms)
    {
        var signers = cms.GetSignerInfos().GetSigners().ToList();
        if (signers.Count == 0) throw new CmsException("the CMS SignedData has no SignerInfo");
        var signer = signers[0];
        var material = new ValidationMaterialPool();
        material.Crls.AddRange(cms.GetCrls().EnumerateMatches(null));
        var signed = signer.SignedAttributes;
        byte[]? messageDigest = null;
        DateTimeOffset? signingTime = null;
        if (signed is not null)
        {
            if (signed[CmsAttributes.MessageDigest]?.AttrValues is { Count: > 0 } md && md[0] is Asn1OctetString octets) messageDigest = octets.GetOctets();
            if (signed[CmsAttributes.SigningTime]?.AttrValues is { Count: > 0 } st)
            {
                try { signingTime = new DateTimeOffset(Org.BouncyCastle.Asn1.Cms.Time.GetInstance(st[0]).ToDateTime().ToUniversalTime(), TimeSpan.Zero); }
                catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException) { }
            }
            // adbe-revocationInfoArchival (ISO 32000-1 § 12.8.3.3.2): CRLs and OCSP responses signed along.
            if (signed[new DerObjectIdentifier("1.2.840.113583.1.1.8")]?.AttrValues is { Count: > 0 } archival)
                ReadRevocationArchival(archival[0], material);
        }
        byte[]? token = null;
        if (signer.UnsignedAttributes?[CmsOids.SignatureTimeStampToken]?.AttrValues is { Count: > 0 } ts)
            token = ts[0].ToAsn1Object().GetEncoded();
        return new CmsEvidence
        {
            SignedData = cms,
            Signer = signer,
            SignerCount = signers.Count,
            HasEncapsulatedContent = cms.SignedContent is not null,
            Certificates = cms.GetCertificates().EnumerateMatches(null).ToList(),
            MessageDigestAttribute = messageDigest,
            SigningTimeAttribute = signingTime,
            SignatureTimestampToken = token,
            Material = material,
        };
    }

    private static void ReadRevocationArchival(Asn1Encodable value, ValidationMaterialPool material)
    {
        try
        {
            foreach (var item in Asn1Sequence.GetInstance(value))
            {
                if (item is not Asn1TaggedObject tagged) continue;
                var list = Asn1Sequence.GetInstance(tagged.GetExplicitBaseObject());
                foreach (var entry in list)
                {
                    if (tagged.TagNo == 0) material.Crls.Add(new X509Crl(CertificateList.GetInstance(entry)));
                    else if (tagged.TagNo == 1 && RevocationReader.Ocsp(entry.GetEncoded()) is { } basic) material.OcspResponses.Add(basic);
                }
            }
        }
        catch (Exception e) when (e is ArgumentException or InvalidCastException or IOException or InvalidOperationException)
        {
            // Unreadable archival data is simply not used.
        }
    }

    /// <summary>Verifies the signature value over the signed attributes (or over the digest when there are
    /// none). With signed attributes the claimed messageDigest is used, so this judges only the
    /// cryptography; whether the digest matches the document is the digest check's business.</summary>
    public void VerifySignature(X509Certificate certificate)
    {
        var digest = MessageDigestAttribute ?? ComputedDigest;
        if (digest is null)
        {
            SignatureValid = false;
            SignatureProblem = $"digest algorithm {DigestOid} is not supported";
            return;
        }
        // .NET verifies RSA and ECDSA far faster than BouncyCastle's managed code; other schemes fall back.
        if (VerifyWithDotNet(certificate, digest) is { } result)
        {
            SignatureValid = result;
            if (!result) SignatureProblem = "the signature value does not verify with the signer's public key";
            return;
        }
        try
        {
            var detached = new CmsSignedData(new Dictionary<string, byte[]> { [DigestOid] = digest }, SignedData.GetEncoded());
            var signer = detached.GetSignerInfos().GetSigners().First();
            SignatureValid = signer.Verify(certificate.GetPublicKey());
            if (SignatureValid != true) SignatureProblem = "the signature value does not verify with the signer's public key";
        }
        catch (Exception e)
        {
            SignatureValid = false;
            SignatureProblem = $"the signature value does not verify: {e.Message}";
        }
    }

    /// <summary>RSASSA-PKCS1-v1_5, RSASSA-PSS and ECDSA (RFC 5652 § 5.4-5.6: the signature covers the
    /// DER SET of signed attributes, or the content digest when there are none); null when the algorithm
    /// is not one of these.</summary>
    private bool? VerifyWithDotNet(X509Certificate certificate, byte[] contentDigest)
    {
        if (Hash is not { } hash || hash == HashAlgorithmName.MD5) return null;
        var algorithm = Signer.SignatureAlgorithm.Algorithm.Id;
        try
        {
            byte[] signedDigest;
            if (Signer.SignedAttributes is not null) signedDigest = Digests.Compute(hash, Signer.GetEncodedSignedAttributes());
            else signedDigest = contentDigest;
            var value = Signer.GetSignature();
            var key = PublicKeyCache.Get(certificate);
            switch (algorithm)
            {
                case "1.2.840.113549.1.1.1" or "1.2.840.113549.1.1.11" or "1.2.840.113549.1.1.12" or "1.2.840.113549.1.1.13" or "1.2.840.113549.1.1.5":
                    return key?.Algorithm is RSA rsa ? key.Use(() => rsa.VerifyHash(signedDigest, value, hash, RSASignaturePadding.Pkcs1)) : null;
                case "1.2.840.10045.2.1" or "1.2.840.10045.4.3.2" or "1.2.840.10045.4.3.3" or "1.2.840.10045.4.3.4" or "1.2.840.10045.4.1":
                    return key?.Algorithm is ECDsa ec ? key.Use(() => ec.VerifyHash(signedDigest, value, DSASignatureFormat.Rfc3279DerSequence)) : null;
                case "1.2.840.113549.1.1.10" when PssMatchesDotNet(hash):
                    return key?.Algorithm is RSA pss ? key.Use(() => pss.VerifyHash(signedDigest, value, hash, RSASignaturePadding.Pss)) : null;
                default:
                    return null; // other RSASSA-PSS parameters and anything else: BouncyCastle
            }
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>.NET's PSS is MGF1 with the message digest and a salt as long as the digest (RFC 8017
    /// § 9.1); other parameters go to BouncyCastle.</summary>
    private bool PssMatchesDotNet(HashAlgorithmName hash)
    {
        try
        {
            var parameters = Org.BouncyCastle.Asn1.Pkcs.RsassaPssParameters.GetInstance(Signer.SignatureAlgorithm.Parameters);
            if (parameters.MaskGenAlgorithm?.Parameters is null || parameters.HashAlgorithm is null) return false;
            var mgfHash = Org.BouncyCastle.Asn1.X509.AlgorithmIdentifier.GetInstance(parameters.MaskGenAlgorithm.Parameters);
            return CmsOids.HashFromOid(parameters.HashAlgorithm.Algorithm.Id) == hash &&
                   parameters.MaskGenAlgorithm.Algorithm.Equals(PkcsObjectIdentifiers.IdMgf1) &&
                   CmsOids.HashFromOid(mgfHash.Algorithm.Id) == hash &&
                   parameters.SaltLength.IntValueExact == Digests.Compute(hash, []).Length &&
                   parameters.TrailerField.IntValueExact == 1;
        }
        catch (Exception e) when (e is ArgumentException or InvalidCastException or ArithmeticException)
        {
            return false;
        }
    }

    /// <summary>Compares ESS signing-certificate(-v2) with the certificate used to verify.</summary>
    public void CheckBinding(X509Certificate certificate)
    {
        var signed = Signer.SignedAttributes;
        try
        {
            if (signed?[PkcsObjectIdentifiers.IdAASigningCertificateV2]?.AttrValues is { Count: > 0 } v2)
            {
                var id = SigningCertificateV2.GetInstance(v2[0]).GetCerts()[0];
                var oid = id.HashAlgorithm?.Algorithm.Id ?? "2.16.840.1.101.3.4.2.1";
                var hash = CmsOids.HashFromOid(oid);
                if (hash is null) { Binding = SigningCertificateBinding.Mismatch; BindingMessage = $"signing-certificate-v2 uses unsupported digest {oid}"; return; }
                Judge(id.GetCertHash(), Digests.Compute(hash.Value, certificate.GetEncoded()), id.IssuerSerial, certificate, "signing-certificate-v2");
                return;
            }
            if (signed?[PkcsObjectIdentifiers.IdAASigningCertificate]?.AttrValues is { Count: > 0 } v1)
            {
                var id = SigningCertificate.GetInstance(v1[0]).GetCerts()[0];
                Judge(id.GetCertHash(), SHA1.HashData(certificate.GetEncoded()), id.IssuerSerial, certificate, "signing-certificate");
                return;
            }
            Binding = SigningCertificateBinding.Absent;
            BindingMessage = "no signing-certificate attribute binds the signer certificate";
        }
        catch (Exception e) when (e is ArgumentException or InvalidCastException or IndexOutOfRangeException or InvalidOperationException)
        {
            Binding = SigningCertificateBinding.Mismatch;
            BindingMessage = $"the signing-certificate attribute is malformed: {e.Message}";
        }
    }

    private void Judge(byte[] claimed, byte[] actual, IssuerSerial? issuerSerial, X509Certificate certificate, string name)
    {
        if (!claimed.AsSpan().SequenceEqual(actual))
        {
            Binding = SigningCertificateBinding.Mismatch;
            BindingMessage = $"{name} names a different certificate than the one that signed";
            return;
        }
        if (issuerSerial is not null && !issuerSerial.Serial.Value.Equals(certificate.SerialNumber))
        {
            Binding = SigningCertificateBinding.Mismatch;
            BindingMessage = $"{name} names a different serial number than the signer certificate's";
            return;
        }
        Binding = SigningCertificateBinding.Matches;
        BindingMessage = $"{name} binds the signer certificate";
    }
}

/// <summary>An RFC 3161 timestamp token and what was checked about it.</summary>
public sealed class TimestampEvidence
{
    public required TimeStampToken Token { get; init; }
    public DateTimeOffset GenTime => new(Token.TimeStampInfo.GenTime.ToUniversalTime(), TimeSpan.Zero);
    public string ImprintOid => Token.TimeStampInfo.MessageImprintAlgOid;
    public bool ImprintMatches { get; set; }
    public X509Certificate? TsaCertificate { get; set; }

    /// <summary>Token signature, ESS binding and TSA extended key usage (BouncyCastle TimeStampToken.Validate).</summary>
    public bool TokenValid { get; set; }
    public string? Problem { get; set; }
    public CertificatePath? Path { get; set; }

    /// <summary>Why the TSA's chain failed revocation checking (revoked, or status unknown), if it did.</summary>
    public string? RevocationProblem { get; set; }

    /// <summary>Why the TSA's trust anchor was not granted (trusted list history) when the token was issued, if it was not.</summary>
    public string? AnchorProblem { get; set; }

    /// <summary>True when the timestamp proves existence: imprint, token and a trusted, valid, unrevoked TSA chain.</summary>
    public bool Trusted { get; set; }

    public static TimestampEvidence Read(byte[] token) => new() { Token = new TimeStampToken(new CmsSignedData(BerEncoding.Trim(token))) };

    /// <summary>Checks the imprint against <paramref name="digestOf"/>, finds the TSA certificate in the token
    /// or the pool and validates the token with it.</summary>
    public void Verify(Func<HashAlgorithmName, byte[]?> digestOf, IEnumerable<X509Certificate> pool)
    {
        var hash = CmsOids.HashFromOid(ImprintOid);
        var digest = hash is null ? null : digestOf(hash.Value);
        ImprintMatches = digest is not null && digest.AsSpan().SequenceEqual(Token.TimeStampInfo.GetMessageImprintDigest());
        if (!ImprintMatches) Problem = hash is null ? $"imprint digest {ImprintOid} is not supported" : "the timestamp imprint does not match the timestamped data";
        var certificates = Token.GetCertificates().EnumerateMatches(null).Concat(pool);
        TsaCertificate = certificates.FirstOrDefault(c => Token.SignerID.Match(c));
        if (TsaCertificate is null)
        {
            Problem ??= "the TSA certificate is not in the token or the DSS";
            return;
        }
        // RFC 3161 § 2.4.2 and RFC 5816: the token is a CMS signature over TSTInfo whose signed
        // attributes bind the TSA certificate; verified with the same (fast) code as signatures.
        try
        {
            var cms = CmsEvidence.Read(Token.ToCmsSignedData());
            using var tstInfo = new MemoryStream();
            cms.SignedData.SignedContent?.Write(tstInfo);
            var content = tstInfo.ToArray();
            if (content.Length == 0 || cms.Hash is not { } tokenHash)
            {
                Problem ??= "the timestamp token has no readable TSTInfo";
                return;
            }
            cms.ComputedDigest = Digests.Compute(tokenHash, content);
            if (cms.MessageDigestAttribute is null || !cms.MessageDigestAttribute.AsSpan().SequenceEqual(cms.ComputedDigest))
            {
                Problem ??= "the timestamp token signature does not cover its TSTInfo";
                return;
            }
            cms.VerifySignature(TsaCertificate);
            cms.CheckBinding(TsaCertificate);
            if (cms.SignatureValid != true) Problem ??= $"the timestamp token signature does not verify: {cms.SignatureProblem}";
            else if (cms.Binding != SigningCertificateBinding.Matches) Problem ??= $"the timestamp token does not bind its TSA certificate: {cms.BindingMessage}";
            else if (GenTime < new DateTimeOffset(TsaCertificate.NotBefore.ToUniversalTime(), TimeSpan.Zero) || GenTime > new DateTimeOffset(TsaCertificate.NotAfter.ToUniversalTime(), TimeSpan.Zero))
                Problem ??= $"the TSA certificate was not valid at the timestamp time {GenTime:u}";
            else TokenValid = true;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Problem ??= $"the timestamp token does not verify: {e.Message}";
        }
    }
}

/// <summary>Decodes revocation data as stored in the DSS or in CMS attributes.</summary>
public static class RevocationReader
{
    /// <summary>An OCSPResponse (or a bare BasicOCSPResponse, which some writers store) as a BasicOcspResp.</summary>
    public static BasicOcspResp? Ocsp(byte[] der)
    {
        try
        {
            var response = new OcspResp(OcspResponse.GetInstance(Asn1Object.FromByteArray(der)));
            return response.Status == 0 ? response.GetResponseObject() as BasicOcspResp : null;
        }
        catch (Exception e) when (e is ArgumentException or InvalidCastException or IOException or OcspException or InvalidOperationException)
        {
            try { return new BasicOcspResp(BasicOcspResponse.GetInstance(Asn1Object.FromByteArray(der))); }
            catch (Exception e2) when (e2 is ArgumentException or InvalidCastException or IOException or InvalidOperationException) { return null; }
        }
    }

    public static X509Crl? Crl(byte[] der)
    {
        try { return new X509CrlParser().ReadCrl(der); }
        catch (Exception e) when (e is ArgumentException or InvalidCastException or IOException or Org.BouncyCastle.Security.Certificates.CrlException or InvalidOperationException) { return null; }
    }

    public static X509Certificate? Certificate(byte[] der)
    {
        try { return new X509CertificateParser().ReadCertificate(der); }
        catch (Exception e) when (e is ArgumentException or InvalidCastException or IOException or Org.BouncyCastle.Security.Certificates.CertificateException or InvalidOperationException) { return null; }
    }
}

/// <summary>Streams .NET incremental hashes (about 9x faster than BouncyCastle's digests on large files).</summary>
public static class Digests
{
    public static byte[] Compute(HashAlgorithmName hash, ReadOnlySpan<byte> data)
    {
        using var h = IncrementalHash.CreateHash(hash);
        h.AppendData(data);
        return h.GetHashAndReset();
    }
}

/// <summary>Cuts zero padding after a BER value, including indefinite-length encodings (X.690 § 8.1.3.6),
/// which some signers use and which /Contents pads with zeros like any other.</summary>
public static class BerEncoding
{
    public static byte[] Trim(byte[] data)
    {
        var end = End(data, 0, 0);
        return end > 0 && end < data.Length ? data[..end] : data;
    }

    /// <summary>Offset just past the TLV at <paramref name="at"/>, or -1 when it is not well formed.</summary>
    private static int End(byte[] data, int at, int depth)
    {
        if (depth > 64 || at >= data.Length) return -1;
        var p = at + 1;
        if ((data[at] & 0x1F) == 0x1F)
        {
            while (p < data.Length && (data[p] & 0x80) != 0) p++;
            p++;
        }
        if (p >= data.Length) return -1;
        var first = data[p++];
        if (first == 0x80)
        {
            if ((data[at] & 0x20) == 0) return -1; // indefinite length needs a constructed value
            while (true)
            {
                if (p + 1 >= data.Length) return -1;
                if (data[p] == 0 && data[p + 1] == 0) return p + 2;
                p = End(data, p, depth + 1);
                if (p < 0) return -1;
            }
        }
        long length;
        if (first < 0x80) length = first;
        else
        {
            var count = first & 0x7F;
            if (count > 4 || p + count > data.Length) return -1;
            length = 0;
            for (var i = 0; i < count; i++) length = length << 8 | data[p++];
        }
        return p + length <= data.Length ? (int)(p + length) : -1;
    }
}
