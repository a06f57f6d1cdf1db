using Org.BouncyCastle.X509;

namespace Certification.Signing.Revocation;

/// <summary>Where signing gets revocation evidence: for the DSS of B-LT, and to refuse a known-revoked
/// signer certificate before signing. <see cref="RevocationFetcher"/> is the HTTP implementation.</summary>
public interface IRevocationSource
{
    /// <summary>CRLs and OCSP responses for every certificate of <paramref name="chain"/> (leaf first) but its anchor.</summary>
    Task<RevocationData> FetchAsync(IReadOnlyList<X509Certificate> chain, CancellationToken ct = default);

    /// <summary>The status of one certificate; throws <see cref="RevocationFetchException"/> when evidence is named but unobtainable.</summary>
    Task<RevocationStatus> CheckAsync(X509Certificate certificate, X509Certificate issuer, CancellationToken ct = default);
}
