using Certification.Signing.Revocation;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.X509;

namespace Certification.Signing.Pki;

/// <summary>Why a certificate may not sign.</summary>
public enum SigningCertificateRejection
{
    /// <summary>The signing time is after notAfter (RFC 5280 § 4.1.2.5).</summary>
    Expired,
    /// <summary>The signing time is before notBefore.</summary>
    NotYetValid,
    /// <summary>The keyUsage extension is absent or allows neither digitalSignature nor nonRepudiation.</summary>
    KeyUsage,
    /// <summary>Revocation evidence says the certificate was revoked at or before the signing time.</summary>
    Revoked,
}

/// <summary>The signer's certificate may not be used; <see cref="Exception.Message"/> says why, Vietnamese first.</summary>
public sealed class SigningCertificateRejectedException(SigningCertificateRejection reason, string message, X509Certificate certificate)
    : Exception(message)
{
    public SigningCertificateRejection Reason { get; } = reason;

    public X509Certificate Certificate { get; } = certificate;
}

/// <summary>
/// Checks the signer's certificate before anything is signed, so nobody produces a signature that every
/// validator would reject.
/// </summary>
/// <remarks>
/// Key usage: ETSI EN 319 412-2 § 4.3.2 requires the keyUsage extension and profiles certificates for
/// electronic signatures with nonRepudiation (contentCommitment; types A and B also allow digitalSignature),
/// while RFC 5280 § 4.2.1.3 makes both bits mean "verifies digital signatures". Certificates actually issued
/// to Vietnamese officials and seals carry one or the other or both, so we require at least one of
/// digitalSignature or nonRepudiation, and refuse a certificate without the extension (ETSI: "shall be
/// present") or with neither bit (e.g. keyEncipherment only).
/// </remarks>
public static class SigningCertificatePolicy
{
    /// <summary>Validity and key usage; revocation too when <paramref name="revocation"/> is given.</summary>
    /// <param name="signingTime">Normally now.</param>
    /// <exception cref="SigningCertificateRejectedException">The certificate may not sign.</exception>
    public static void Check(X509Certificate certificate, DateTimeOffset signingTime, RevocationStatus? revocation = null)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var subject = certificate.SubjectDN.GetValueList(X509Name.CN).FirstOrDefault() ?? certificate.SubjectDN.ToString();
        var notBefore = Utc(certificate.NotBefore);
        var notAfter = Utc(certificate.NotAfter);

        if (signingTime < notBefore)
            throw Reject(SigningCertificateRejection.NotYetValid, certificate,
                $"Chứng thư số chưa có hiệu lực (hiệu lực từ {Iso(notBefore)}) / The signing certificate is not valid before {Iso(notBefore)}", subject);
        if (signingTime > notAfter)
            throw Reject(SigningCertificateRejection.Expired, certificate,
                $"Chứng thư số đã hết hạn / The signing certificate expired on {Iso(notAfter)}", subject);

        var usage = certificate.GetKeyUsage();
        if (usage is null)
            throw Reject(SigningCertificateRejection.KeyUsage, certificate,
                "Chứng thư số không có mục đích sử dụng khoá (keyUsage) / The signing certificate has no keyUsage extension (ETSI EN 319 412-2 § 4.3.2 requires one)", subject);
        bool digitalSignature = usage.Length > 0 && usage[0];
        bool nonRepudiation = usage.Length > 1 && usage[1];
        if (!digitalSignature && !nonRepudiation)
            throw Reject(SigningCertificateRejection.KeyUsage, certificate,
                "Chứng thư số không được phép dùng để ký số / The signing certificate's keyUsage allows neither digitalSignature nor nonRepudiation", subject);

        if (revocation is { State: RevocationState.Revoked } revoked && (revoked.RevokedAt is null || revoked.RevokedAt <= signingTime))
        {
            var when = revoked.RevokedAt is { } at ? $" on {Iso(at)}" : "";
            var why = revoked.Reason is { } reason ? $" (reason: {ReasonName(reason)})" : "";
            throw Reject(SigningCertificateRejection.Revoked, certificate,
                $"Chứng thư số đã bị thu hồi / The signing certificate was revoked{when}{why}", subject);
        }
    }

    /// <summary>Checks the first certificate of <paramref name="chain"/> (the signer), taking its revocation
    /// status from <paramref name="revocationData"/> when given (evidence about other certificates is ignored).</summary>
    public static void Check(IReadOnlyList<X509Certificate> chain, DateTimeOffset signingTime, RevocationData? revocationData)
    {
        ArgumentNullException.ThrowIfNull(chain);
        if (chain.Count == 0)
            throw new ArgumentException("The certificate chain is empty.", nameof(chain));
        RevocationStatus? status = null;
        if (revocationData is not null && chain.Count > 1)
            status = RevocationFetcher.Evaluate(revocationData, chain[0], chain[1]);
        Check(chain[0], signingTime, status);
    }

    /// <summary>Checks validity and key usage first (no network), then asks <paramref name="fetcher"/> about
    /// revocation. A certificate with no revocation pointers is accepted as far as revocation goes.</summary>
    /// <exception cref="RevocationFetchException">Revocation locations are named but none answered validly.</exception>
    public static async Task CheckAsync(IReadOnlyList<X509Certificate> chain, DateTimeOffset signingTime, RevocationFetcher fetcher, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(chain);
        ArgumentNullException.ThrowIfNull(fetcher);
        if (chain.Count == 0)
            throw new ArgumentException("The certificate chain is empty.", nameof(chain));
        Check(chain[0], signingTime);
        if (chain.Count > 1)
            Check(chain[0], signingTime, await fetcher.CheckAsync(chain[0], chain[1], ct).ConfigureAwait(false));
    }

    private static SigningCertificateRejectedException Reject(SigningCertificateRejection reason, X509Certificate certificate, string message, string subject) =>
        new(reason, $"{message} ({subject}, serial {certificate.SerialNumber.ToString(16)}).", certificate);

    private static string ReasonName(RevocationReason reason)
    {
        var name = reason.ToString();
        return char.ToLowerInvariant(name[0]) + name[1..];
    }

    private static DateTimeOffset Utc(DateTime time) => new(DateTime.SpecifyKind(time, DateTimeKind.Utc));

    private static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
