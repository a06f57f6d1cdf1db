using Certification.Signing.Validation.Policy;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Ocsp;
using Org.BouncyCastle.X509;

namespace Certification.Signing.Validation.Facts;

public enum RevocationStatus
{
    /// <summary>Current data says the certificate is not revoked.</summary>
    Good,
    /// <summary>Revoked; see <see cref="RevocationOutcome.RevokedAt"/>.</summary>
    Revoked,
    /// <summary>The certificate names no revocation service (or carries id-pkix-ocsp-nocheck): nothing to check.</summary>
    NotApplicable,
    /// <summary>No usable, current data was found.</summary>
    Unknown,
}

/// <param name="CurrentUntil">For a good status from CRL or OCSP data: until when that data is current (its nextUpdate, or
/// without one its thisUpdate plus <see cref="ValidationPolicy.RevocationFreshness"/>); a verdict that relied on it may
/// differ after that time (a cache must not outlive it).</param>
public sealed record RevocationOutcome(X509Certificate Certificate, RevocationStatus Status, string Message, DateTimeOffset? RevokedAt = null,
    DateTimeOffset? CurrentUntil = null);

/// <summary>
/// Establishes revocation status (ETSI EN 319 102-1 § 5.2.5): embedded data first (DSS, CMS), then
/// online CRL/OCSP when allowed. Data is accepted only when its signature verifies with the issuer (or an
/// OCSP responder the issuer delegated to) and when it is current at the best signature time: its
/// nextUpdate reaches that time, or it was issued at most <see cref="ValidationPolicy.RevocationFreshness"/> before it.
/// </summary>
public sealed class RevocationEvaluator(ValidationOptions options, CertificatePathBuilder paths, DateTimeOffset validationTime)
{
    private static readonly DerObjectIdentifier OcspNoCheck = new("1.3.6.1.5.5.7.48.1.5");
    private static readonly DerObjectIdentifier OcspSigning = new("1.3.6.1.5.5.7.3.9");
    private readonly ValidationMaterialPool _fetched = new();

    public async Task<RevocationOutcome> EvaluateAsync(X509Certificate certificate, X509Certificate issuer, DateTimeOffset bestTime, ValidationMaterialPool embedded, CancellationToken ct)
    {
        if (certificate.GetExtensionValue(OcspNoCheck) is not null)
            return new(certificate, RevocationStatus.NotApplicable, "certificate carries id-pkix-ocsp-nocheck");
        var outcome = Judge(certificate, issuer, bestTime, embedded, "embedded") ?? Judge(certificate, issuer, bestTime, _fetched, "fetched");
        if (outcome is { Status: RevocationStatus.Good or RevocationStatus.Revoked }) return outcome;

        var (ocspUrls, crlUrls) = Services(certificate);
        if (!options.Offline && options.OnlineSource is { } online)
        {
            foreach (var url in ocspUrls)
            {
                try
                {
                    var request = new OcspReqGenerator();
                    request.AddRequest(new CertificateID(new AlgorithmIdentifier(Org.BouncyCastle.Asn1.Oiw.OiwObjectIdentifiers.IdSha1, DerNull.Instance), issuer, certificate.SerialNumber));
                    if (await online.FetchOcspAsync(url, request.Generate().GetEncoded(), ct) is { } der && RevocationReader.Ocsp(der) is { } basic)
                        _fetched.OcspResponses.Add(basic);
                }
                catch (Exception e) when (e is not OperationCanceledException) { }
            }
            foreach (var url in crlUrls)
            {
                try
                {
                    if (await online.FetchCrlAsync(url, ct) is { } der && RevocationReader.Crl(der) is { } crl) _fetched.Crls.Add(crl);
                }
                catch (Exception e) when (e is not OperationCanceledException) { }
            }
            outcome = Judge(certificate, issuer, bestTime, _fetched, "fetched online");
            if (outcome is { Status: RevocationStatus.Good or RevocationStatus.Revoked }) return outcome;
        }
        if (ocspUrls.Count == 0 && crlUrls.Count == 0)
            return new(certificate, RevocationStatus.NotApplicable, "the certificate names no CRL or OCSP service");
        return outcome ?? new(certificate, RevocationStatus.Unknown,
            options.Offline ? "no revocation data in the file, and online checking is off" : "no revocation data could be obtained");
    }

    private RevocationOutcome? Judge(X509Certificate certificate, X509Certificate issuer, DateTimeOffset bestTime, ValidationMaterialPool pool, string source)
    {
        RevocationOutcome? stale = null;
        foreach (var basic in pool.OcspResponses)
        {
            if (!ResponderVerifies(basic, issuer)) continue;
            foreach (var single in basic.Responses)
            {
                var id = single.GetCertID();
                if (!id.SerialNumber.Equals(certificate.SerialNumber) || !SafeMatches(id, issuer)) continue;
                var thisUpdate = Utc(single.ThisUpdate);
                DateTimeOffset? nextUpdate = single.NextUpdate is { } n ? Utc(n) : null;
                switch (single.GetCertStatus())
                {
                    case RevokedStatus revoked:
                        return Revoked(certificate, Utc(revoked.RevocationTime), bestTime, $"OCSP ({source})");
                    case null:
                        if (Current(thisUpdate, nextUpdate, bestTime))
                            return new(certificate, RevocationStatus.Good, $"OCSP response ({source}) of {thisUpdate:u}: good", CurrentUntil: EvidenceCurrentUntil(thisUpdate, nextUpdate));
                        stale = new(certificate, RevocationStatus.Unknown, $"the OCSP response ({source}) of {thisUpdate:u} is not current at {bestTime:u}");
                        break;
                }
            }
        }
        foreach (var crl in pool.Crls)
        {
            if (!crl.IssuerDN.Equivalent(certificate.IssuerDN) || !CrlVerifies(crl, issuer)) continue;
            if (crl.GetRevokedCertificate(certificate.SerialNumber) is { } entry)
                return Revoked(certificate, Utc(entry.RevocationDate), bestTime, $"CRL ({source})");
            var thisUpdate = Utc(crl.ThisUpdate);
            DateTimeOffset? nextUpdate = crl.NextUpdate is { } n ? Utc(n) : null;
            if (Current(thisUpdate, nextUpdate, bestTime))
                return new(certificate, RevocationStatus.Good, $"CRL ({source}) of {thisUpdate:u}: not revoked", CurrentUntil: EvidenceCurrentUntil(thisUpdate, nextUpdate));
            stale ??= new(certificate, RevocationStatus.Unknown, $"the CRL ({source}) of {thisUpdate:u} is not current at {bestTime:u}");
        }
        return stale;
    }

    private bool Current(DateTimeOffset thisUpdate, DateTimeOffset? nextUpdate, DateTimeOffset bestTime) =>
        thisUpdate <= validationTime.AddMinutes(5) &&
        (nextUpdate is { } next && next >= bestTime || thisUpdate >= bestTime - options.Policy.RevocationFreshness);

    private DateTimeOffset EvidenceCurrentUntil(DateTimeOffset thisUpdate, DateTimeOffset? nextUpdate) =>
        nextUpdate ?? thisUpdate + options.Policy.RevocationFreshness;

    private static RevocationOutcome Revoked(X509Certificate certificate, DateTimeOffset at, DateTimeOffset bestTime, string source) =>
        at <= bestTime
            ? new(certificate, RevocationStatus.Revoked, $"revoked on {at:u} ({source})", at)
            : new(certificate, RevocationStatus.Good, $"revoked on {at:u} ({source}), after the proven signature time {bestTime:u}", at);

    private bool ResponderVerifies(BasicOcspResp basic, X509Certificate issuer)
    {
        try
        {
            if (FastSignatures.OcspSignedBy(basic, issuer)) return true;
            foreach (var responder in basic.GetCerts())
            {
                // A delegated responder: issued by the CA, with id-kp-OCSPSigning (RFC 6960 § 4.2.2.2).
                if (!paths.SignedBy(responder, issuer)) continue;
                if (responder.GetExtendedKeyUsage()?.Contains(OcspSigning) != true) continue;
                if (FastSignatures.OcspSignedBy(basic, responder)) return true;
            }
        }
        catch (Exception e) when (e is OcspException or ArgumentException or InvalidOperationException or Org.BouncyCastle.Security.SecurityUtilityException) { }
        return false;
    }

    private static bool SafeMatches(CertificateID id, X509Certificate issuer)
    {
        try { return id.MatchesIssuer(issuer); }
        catch (Exception e) when (e is OcspException or ArgumentException or InvalidOperationException or Org.BouncyCastle.Security.SecurityUtilityException) { return false; }
    }

    private static bool CrlVerifies(X509Crl crl, X509Certificate issuer)
    {
        try
        {
            if (FastSignatures.Verify(crl.GetTbsCertList(), crl.GetSignature(), crl.SigAlgOid, issuer) is { } fast) return fast;
            crl.Verify(issuer.GetPublicKey());
            return true;
        }
        catch (Exception e) when (e is Org.BouncyCastle.Security.InvalidKeyException or Org.BouncyCastle.Security.SignatureException or Org.BouncyCastle.Security.Certificates.CrlException or ArgumentException or InvalidOperationException) { return false; }
    }

    /// <summary>OCSP responders (AIA, RFC 5280 § 4.2.2.1) and CRL distribution points (§ 4.2.1.13) named by a certificate.</summary>
    public static (List<Uri> Ocsp, List<Uri> Crl) Services(X509Certificate certificate)
    {
        var ocsp = new List<Uri>();
        var crl = new List<Uri>();
        try
        {
            if (certificate.GetExtensionValue(X509Extensions.AuthorityInfoAccess) is { } aia)
            {
                foreach (var description in AuthorityInformationAccess.GetInstance(Asn1Object.FromByteArray(aia.GetOctets())).GetAccessDescriptions())
                {
                    if (description.AccessMethod.Equals(AccessDescription.IdADOcsp) && HttpUri(description.AccessLocation) is { } u) ocsp.Add(u);
                }
            }
            if (certificate.GetExtensionValue(X509Extensions.CrlDistributionPoints) is { } dp)
            {
                foreach (var point in CrlDistPoint.GetInstance(Asn1Object.FromByteArray(dp.GetOctets())).GetDistributionPoints())
                {
                    if (point.DistributionPointName?.Name is GeneralNames names)
                        foreach (var name in names.GetNames()) if (HttpUri(name) is { } u) crl.Add(u);
                }
            }
        }
        catch (Exception e) when (e is ArgumentException or InvalidCastException or IOException or InvalidOperationException) { }
        return (ocsp, crl);
    }

    /// <summary>caIssuers URLs (AIA) for fetching a missing intermediate.</summary>
    public static List<Uri> CaIssuers(X509Certificate certificate)
    {
        var result = new List<Uri>();
        try
        {
            if (certificate.GetExtensionValue(X509Extensions.AuthorityInfoAccess) is { } aia)
            {
                foreach (var description in AuthorityInformationAccess.GetInstance(Asn1Object.FromByteArray(aia.GetOctets())).GetAccessDescriptions())
                {
                    if (description.AccessMethod.Equals(AccessDescription.IdADCAIssuers) && HttpUri(description.AccessLocation) is { } u) result.Add(u);
                }
            }
        }
        catch (Exception e) when (e is ArgumentException or InvalidCastException or IOException or InvalidOperationException) { }
        return result;
    }

    private static Uri? HttpUri(GeneralName name) =>
        name.TagNo == GeneralName.UniformResourceIdentifier &&
        Uri.TryCreate(DerIA5String.GetInstance(name.Name).GetString(), UriKind.Absolute, out var uri) &&
        uri.Scheme is "http" or "https" ? uri : null;

    private static DateTimeOffset Utc(DateTime time) => new(DateTime.SpecifyKind(time, DateTimeKind.Utc).ToUniversalTime(), TimeSpan.Zero);
}
