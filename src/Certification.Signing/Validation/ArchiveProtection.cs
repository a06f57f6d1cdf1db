using Certification.Signing.Pdf;
using Certification.Signing.Validation.Facts;
using Org.BouncyCastle.X509;

namespace Certification.Signing.Validation;

/// <summary>
/// Until when a signed PDF can still be shown valid without being extended, and which certificate bounds it.
/// </summary>
/// <remarks>
/// Long-term validation (ETSI EN 319 102-1 § 5.6.3; PAdES B-LTA, ETSI EN 319 142-1 § 5.5) validates each
/// signature and timestamp at the time proven by the next document timestamp over it, with the validation
/// data embedded before that timestamp. Only what no later document timestamp covers is validated at the
/// current time: the last document timestamp, and any signature added after it (through its signature
/// timestamp, or through its signer certificate when it has none). Those certificates' paths must be
/// unexpired when a verifier looks, so the earliest notAfter among them is the horizon: extend before it
/// (fresh validation data, then a new document timestamp from a renewed authority). Revocation of one of
/// those certificates, or a broken hash algorithm (ETSI TS 119 312), ends protection earlier; neither
/// is a date in the file, so both stay the operator's to watch.
/// </remarks>
public sealed record ArchiveProtection(DateTimeOffset Until, X509Certificate BoundBy)
{
    /// <summary>The protection of <paramref name="pdf"/>, or null when it holds no readable signature.
    /// Paths are built as the validator builds them (certificates of the file, ending at the anchors).</summary>
    public static ArchiveProtection? Of(ReadOnlyMemory<byte> pdf, IReadOnlyList<X509Certificate> anchors)
    {
        var document = new FactsCollector(PdfFile.Open(pdf)).Collect();
        var lastTimestamp = document.Signatures
            .Where(s => s.DocumentTimestamp?.TsaCertificate is not null && s.SignedRevision is not null)
            .MaxBy(s => s.SignedRevision!.Index);
        var uncovered = lastTimestamp is null
            ? document.Signatures
            : document.Signatures.Where(s => s == lastTimestamp || s.SignedRevision?.Index > lastTimestamp.SignedRevision!.Index);
        var leaves = uncovered
            .Select(s => s.DocumentTimestamp?.TsaCertificate ?? s.SignatureTimestamp?.TsaCertificate ?? s.Cms?.SignerCertificate)
            .OfType<X509Certificate>().Distinct().ToList();
        if (leaves.Count == 0) return null;
        var paths = new CertificatePathBuilder(anchors);
        var pool = document.CertificatePool();
        var bound = leaves.SelectMany(leaf => paths.Build(leaf, pool).Certificates).MinBy(c => c.NotAfter)!;
        return new ArchiveProtection(new DateTimeOffset(bound.NotAfter.ToUniversalTime(), TimeSpan.Zero), bound);
    }
}
