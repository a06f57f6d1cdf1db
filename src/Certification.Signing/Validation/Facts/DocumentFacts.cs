using Certification.Signing.Pdf;
using Org.BouncyCastle.Ocsp;
using Org.BouncyCastle.X509;

namespace Certification.Signing.Validation.Facts;

/// <summary>What the whole file contains: its revisions, signatures and validation material.</summary>
public sealed class DocumentFacts
{
    public required PdfFile File { get; init; }
    public required IReadOnlyList<SignatureFacts> Signatures { get; init; }

    /// <summary>Certificates, CRLs and OCSP responses of the document security store (ETSI EN 319 142-1 § 5.4.2).</summary>
    public required ValidationMaterialPool Dss { get; init; }

    /// <summary>/VRI keys with the index of the first revision where each appears.</summary>
    public required IReadOnlyDictionary<string, int> VriKeys { get; init; }

    /// <summary>Index of the first revision whose catalog has a /DSS, if any.</summary>
    public int? FirstDssRevision { get; init; }

    /// <summary>Bytes after the last revision's %%EOF that are not whitespace.</summary>
    public long TrailingBytes { get; init; }

    public IReadOnlyList<string> Findings { get; init; } = [];

    /// <summary>Every certificate the file carries: the DSS, each signature's CMS and each timestamp token.</summary>
    public List<X509Certificate> CertificatePool()
    {
        var pool = new List<X509Certificate>(Dss.Certificates);
        foreach (var s in Signatures)
        {
            if (s.Cms is { } cms) pool.AddRange(cms.Certificates);
            if (s.Pkcs1 is { } pkcs1) pool.AddRange(pkcs1.Certificates);
            if (s.SignatureTimestamp is { } ts) pool.AddRange(ts.Token.GetCertificates().EnumerateMatches(null));
            if (s.DocumentTimestamp is { } dts) pool.AddRange(dts.Token.GetCertificates().EnumerateMatches(null));
        }
        return pool.Distinct().ToList();
    }
}

/// <summary>Certificates and revocation data from one place (the DSS, a CMS, or fetched online).</summary>
public sealed class ValidationMaterialPool
{
    public List<X509Certificate> Certificates { get; } = [];
    public List<X509Crl> Crls { get; } = [];
    public List<BasicOcspResp> OcspResponses { get; } = [];

    public void AddFrom(ValidationMaterialPool other)
    {
        foreach (var c in other.Certificates) if (!Certificates.Contains(c)) Certificates.Add(c);
        foreach (var c in other.Crls) if (!Crls.Contains(c)) Crls.Add(c);
        foreach (var o in other.OcspResponses) if (!OcspResponses.Contains(o)) OcspResponses.Add(o);
    }
}
