using Org.BouncyCastle.Cms;
using Org.BouncyCastle.Tsp;
using Org.BouncyCastle.X509;

namespace Certification.Signing.Cms;

/// <summary>Builds issuer chains from a pool of certificates, and reads the certificates a CMS container carries.</summary>
public static class CertificateChains
{
    /// <summary>Leaf first, following issuer names and verifying each link's signature; stops at a
    /// self-signed certificate or when no issuer is in the pool.</summary>
    public static IReadOnlyList<X509Certificate> Build(X509Certificate leaf, IEnumerable<X509Certificate> pool)
    {
        var candidates = pool.ToList();
        var chain = new List<X509Certificate> { leaf };
        var current = leaf;
        while (!IsSelfIssued(current) && chain.Count < 16)
        {
            var issuer = candidates.FirstOrDefault(c => c.SubjectDN.Equivalent(current.IssuerDN) && Validation.Facts.FastSignatures.CertificateSignedBy(current, c) && !chain.Contains(c));
            if (issuer is null) break;
            chain.Add(issuer);
            current = issuer;
        }
        return chain;
    }

    public static bool IsSelfIssued(X509Certificate certificate) => certificate.SubjectDN.Equivalent(certificate.IssuerDN);

    public static bool IsSignedBy(X509Certificate certificate, X509Certificate issuer)
    {
        try
        {
            certificate.Verify(issuer.GetPublicKey());
            return true;
        }
        catch (Exception e) when (e is Org.BouncyCastle.Security.InvalidKeyException or Org.BouncyCastle.Security.Certificates.CertificateException or Org.BouncyCastle.Security.SignatureException or ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>The signer certificate of a CMS SignedData and every certificate it carries.</summary>
    public static (X509Certificate? Signer, IReadOnlyList<X509Certificate> All) FromCms(byte[] contentInfoDer)
    {
        var cms = new CmsSignedData(contentInfoDer);
        var all = cms.GetCertificates().EnumerateMatches(null).ToList();
        var signerInfo = cms.GetSignerInfos().GetSigners().FirstOrDefault();
        var signer = signerInfo is null ? null : all.FirstOrDefault(c => signerInfo.SignerID.Match(c));
        return (signer, all);
    }

    /// <summary>The signature timestamp token (RFC 3161 Appendix A) of the first signer, if present.</summary>
    public static TimeStampToken? SignatureTimestamp(byte[] contentInfoDer)
    {
        var signerInfo = new CmsSignedData(contentInfoDer).GetSignerInfos().GetSigners().FirstOrDefault();
        var attribute = signerInfo?.UnsignedAttributes?[CmsOids.SignatureTimeStampToken];
        if (attribute is null || attribute.AttrValues.Count == 0) return null;
        return new TimeStampToken(new CmsSignedData(attribute.AttrValues[0].ToAsn1Object().GetEncoded()));
    }
}
