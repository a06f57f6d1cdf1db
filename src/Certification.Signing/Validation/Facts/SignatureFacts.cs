using Certification.Signing.Pades;
using Certification.Signing.Pdf;
using Certification.Signing.Validation.Modifications;
using Certification.Signing.Validation.Report;

namespace Certification.Signing.Validation.Facts;

/// <summary>
/// Everything the file says about one signature or document timestamp (EU DSS "diagnostic data"):
/// collected once, then judged by the checks. Nothing here is a verdict.
/// </summary>
public sealed class SignatureFacts
{
    public required int Index { get; init; }
    public required EmbeddedSignature Embedded { get; init; }

    public string FieldName => Embedded.FieldName;
    public bool IsDocumentTimestamp => Embedded.IsDocumentTimestamp;
    public string? SubFilter => Embedded.SubFilter;

    /// <summary>Raw /ByteRange values (non-integers read as -1), or null when absent or not an array.</summary>
    public long[]? ByteRange => Embedded.ByteRange;

    /// <summary>Set when the /ByteRange is four non-negative integers inside the file, starting at 0, without overlap.</summary>
    public string? ByteRangeProblem { get; set; }

    /// <summary>Where this dictionary's own /Contents hex string lies in the file (offset of '&lt;', just past '>').</summary>
    public (long Start, long End)? ContentsLocation { get; set; }
    public string? ContentsLocationProblem { get; set; }

    public Coverage Coverage { get; set; } = Coverage.Partial;

    /// <summary>The revision whose end the signed bytes reach, when they end at a revision boundary.</summary>
    public PdfRevision? SignedRevision { get; set; }

    /// <summary>An error that stopped fact collection for this signature (hostile or broken input).</summary>
    public string? FatalProblem { get; set; }

    public CmsEvidence? Cms { get; set; }

    /// <summary>For an adbe.x509.rsa_sha1 signature: its bare PKCS#1 value and /Cert.</summary>
    public Pkcs1Evidence? Pkcs1 { get; set; }

    /// <summary>For a document timestamp: the token that is the whole /Contents.</summary>
    public TimestampEvidence? DocumentTimestamp { get; set; }

    /// <summary>For a signature: its signature timestamp (unsigned attribute), if any.</summary>
    public TimestampEvidence? SignatureTimestamp { get; set; }

    /// <summary>Set when a signature-timestamp attribute is present but unreadable.</summary>
    public string? SignatureTimestampProblem { get; set; }

    /// <summary>The signer's (or TSA's) certificate path to a trust anchor, with revocation results.</summary>
    public CertificatePath? Path { get; set; }

    /// <summary>The trust store entry ending <see cref="Path"/>, as granted at the best signature time, if any.</summary>
    public Trust.TrustedAnchor? Anchor { get; set; }

    /// <summary>Why the path's anchor was not granted at the best signature time (withdrawn, or granted later).</summary>
    public string? AnchorProblem { get; set; }

    /// <summary>/M, or the CMS signing-time attribute.</summary>
    public DateTimeOffset? ClaimedSigningTime { get; set; }

    /// <summary>DocMDP permission when this is a certification signature (ISO 32000-1 § 12.8.2.2).</summary>
    public int? DocMdpPermissions { get; set; }

    public List<ModificationFinding> Modifications { get; } = [];

    /// <summary>Earliest validated timestamp that covers this signature (its own or a later document timestamp).</summary>
    public DateTimeOffset? ProvenTime { get; set; }

    public DateTimeOffset BestSignatureTime { get; set; }

    public string Level { get; set; } = "NONE";
}

/// <summary>An adbe.x509.rsa_sha1 signature (ISO 32000-1 § 12.8.3.2, deprecated by ISO 32000-2): a PKCS#1 v1.5
/// RSA signature over the SHA-1 digest of the signed bytes, the signer's certificate (first) in /Cert.</summary>
public sealed record Pkcs1Evidence(Org.BouncyCastle.X509.X509Certificate Certificate, IReadOnlyList<Org.BouncyCastle.X509.X509Certificate> Certificates, bool SignatureValid);
