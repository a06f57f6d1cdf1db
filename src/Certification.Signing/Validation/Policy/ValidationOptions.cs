using Org.BouncyCastle.X509;

namespace Certification.Signing.Validation.Policy;

/// <summary>What one validation run needs: trust, time, network permission and policy.</summary>
public sealed record ValidationOptions
{
    /// <summary>Trust anchors (roots, or any certificate trusted directly) for every purpose and without dates.
    /// Load them with <see cref="TrustAnchors"/>. Ignored when <see cref="TrustStore"/> is set.</summary>
    public IReadOnlyList<X509Certificate> TrustAnchors { get; init; } = [];

    /// <summary>Anchors with purposes and status history (trusted lists); validation uses each anchor's status
    /// at the signature's proof-of-existence time (ETSI EN 319 102-1).</summary>
    public Trust.TrustStore? TrustStore { get; init; }

    /// <summary>The store a run uses: <see cref="TrustStore"/>, or <see cref="TrustAnchors"/> trusted for everything.</summary>
    public Trust.TrustStore EffectiveTrustStore => TrustStore ?? (TrustAnchors.Count == 0 ? Trust.TrustStore.Empty : Trust.TrustStore.FromCertificates(TrustAnchors));

    /// <summary>No network access: only revocation data embedded in the file (DSS, CMS) is used.</summary>
    public bool Offline { get; init; } = true;

    /// <summary>Validate as of this time (--at); null means now.</summary>
    public DateTimeOffset? ValidationTime { get; init; }

    public ValidationPolicy Policy { get; init; } = ValidationPolicy.Default;

    /// <summary>Fetches CRLs, OCSP responses and missing issuer certificates when <see cref="Offline"/> is false.</summary>
    public IOnlineRevocationSource? OnlineSource { get; init; }

    /// <summary>Limits for reading the PDF (bombs, nesting, cycles).</summary>
    public Pdf.PdfReadLimits ReadLimits { get; init; } = Pdf.PdfReadLimits.Default;
}

/// <summary>
/// Network access for validation, wired by the host to the revocation fetcher (caching, timeouts,
/// size limits are the implementation's business). Every method returns null when nothing could be fetched.
/// </summary>
public interface IOnlineRevocationSource
{
    /// <summary>Downloads a CRL (DER) from a CRL distribution point (RFC 5280 § 4.2.1.13).</summary>
    Task<byte[]?> FetchCrlAsync(Uri url, CancellationToken ct = default);

    /// <summary>Posts a DER OCSPRequest to a responder (RFC 6960 Appendix A) and returns the DER OCSPResponse.</summary>
    Task<byte[]?> FetchOcspAsync(Uri responder, byte[] request, CancellationToken ct = default);

    /// <summary>Downloads an issuer certificate named in authorityInfoAccess caIssuers (RFC 5280 § 4.2.2.1):
    /// DER, PEM or a certs-only PKCS#7.</summary>
    Task<byte[]?> FetchCertificateAsync(Uri url, CancellationToken ct = default);
}
