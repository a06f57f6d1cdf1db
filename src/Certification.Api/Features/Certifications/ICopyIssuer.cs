using Certification.Api.Documents;
using Certification.Signing.Cms;
using Certification.Signing.Pades;
using Org.BouncyCastle.X509;

namespace Certification.Api.Features.Certifications;

/// <summary>
/// Composes and signs a certified copy. Mirrors <c>Certification.Signing.Documents.CertifiedCopyIssuer</c>
/// so the service does not change when that composer replaces <see cref="InterimCopyIssuer"/>.
/// </summary>
public interface ICopyIssuer
{
    /// <summary>Checks every scan before a number is taken; throws <see cref="ScanRejectedException"/>.
    /// Returns the number of original pages.</summary>
    int Inspect(IReadOnlyList<ScanFile> scans);

    Task<IssuedCopy> IssueAsync(IReadOnlyList<ScanFile> scans, CertificationDetails details, ISigningKey certifier, ISigningKey office,
        PadesLevel level, CancellationToken ct = default);

    Task<PreparedCopy> PrepareAsync(IReadOnlyList<ScanFile> scans, CertificationDetails details, IReadOnlyList<X509Certificate> certifierChain,
        SignatureAlgorithm algorithm, PadesLevel level, CancellationToken ct = default);

    Task<IssuedCopy> CompleteAsync(PreparedCopy prepared, byte[] signatureValue, IReadOnlyList<X509Certificate> chain, ISigningKey office,
        PadesLevel level, CancellationToken ct = default);
}
