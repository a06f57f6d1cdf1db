using Certification.Signing.Pki;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Ocsp;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Ocsp;
using Org.BouncyCastle.X509.Extension;
using X509Extension = Org.BouncyCastle.Asn1.X509.X509Extension;

namespace Certification.Signing.Revocation;

/// <summary>
/// Publishes CRLs and answers OCSP requests for a <see cref="DevelopmentPki"/>, from its revocation list.
/// </summary>
/// <remarks>
/// OCSP responses for certificates issued by an intermediate are signed by that intermediate's delegated
/// responder (EKU id-kp-OCSPSigning, id-pkix-ocsp-nocheck, RFC 6960 § 4.2.2.2); responses about the
/// intermediates themselves are signed by the root. Status is "good" for what the PKI issued and did not
/// revoke, "revoked" with time and reason, and "unknown" for serial numbers it never issued.
/// </remarks>
public sealed class DevelopmentRevocationAuthority
{
    private readonly DevelopmentPki _pki;
    private readonly TimeProvider _clock;

    public DevelopmentRevocationAuthority(DevelopmentPki pki, TimeProvider? clock = null)
    {
        _pki = pki ?? throw new ArgumentNullException(nameof(pki));
        _clock = clock ?? pki.Clock;
    }

    /// <summary>How long a CRL is fresh: nextUpdate = thisUpdate + this.</summary>
    public TimeSpan CrlValidity { get; init; } = TimeSpan.FromDays(7);

    /// <summary>How long an OCSP response is fresh: nextUpdate = thisUpdate + this.</summary>
    public TimeSpan OcspValidity { get; init; } = TimeSpan.FromDays(1);

    /// <summary>The current DER CRL (RFC 5280 § 5) of the CA <paramref name="slug"/>, or null if there is no such CA.</summary>
    public byte[]? GetCrl(string slug)
    {
        var authority = _pki.FindAuthority(slug);
        return authority is null ? null : GetCrl(authority);
    }

    /// <summary>The current DER CRL of <paramref name="authority"/>, signed by it, with its revoked entries,
    /// a CRL number (thisUpdate in seconds since 1970, so it only grows) and the authority key identifier.</summary>
    public byte[] GetCrl(CertificateAuthority authority)
    {
        ArgumentNullException.ThrowIfNull(authority);
        var now = DevelopmentPki.TruncateToSeconds(_clock.GetUtcNow());
        var generator = new Org.BouncyCastle.X509.X509V2CrlGenerator();
        generator.SetIssuerDN(authority.Certificate.SubjectDN);
        generator.SetThisUpdate(now.UtcDateTime);
        generator.SetNextUpdate(now.Add(CrlValidity).UtcDateTime);
        foreach (var entry in _pki.Revocations.Where(r => r.IssuerSlug == authority.Slug && r.RevokedAt <= now))
            generator.AddCrlEntry(entry.SerialNumber, entry.RevokedAt.UtcDateTime, (int)entry.Reason);
        generator.AddExtension(X509Extensions.AuthorityKeyIdentifier, false,
            X509ExtensionUtilities.CreateAuthorityKeyIdentifier(authority.Certificate));
        generator.AddExtension(X509Extensions.CrlNumber, false, new CrlNumber(BigInteger.ValueOf(now.ToUnixTimeSeconds())));
        return generator.Generate(new DotNetSignatureFactory(authority.PrivateKey)).GetEncoded();
    }

    /// <summary>Answers a DER OCSPRequest with a DER OCSPResponse (RFC 6960 § 4.2). Never throws for bad
    /// input: malformed requests get malformedRequest, requests about foreign CAs get unauthorized.</summary>
    /// <param name="producedAt">The response's thisUpdate and producedAt (default now); an earlier time makes
    /// a stale response (nextUpdate passed), as a responder that stopped refreshing its answers sends.</param>
    public byte[] Respond(byte[] ocspRequestDer, DateTimeOffset? producedAt = null)
    {
        ArgumentNullException.ThrowIfNull(ocspRequestDer);
        OcspReq request;
        Req[] items;
        try
        {
            request = new OcspReq(ocspRequestDer);
            items = request.GetRequestList();
        }
        catch (Exception e) when (e is IOException or ArgumentException or InvalidCastException or InvalidOperationException)
        {
            return Failure(OcspRespStatus.MalformedRequest);
        }
        if (items.Length == 0)
            return Failure(OcspRespStatus.MalformedRequest);

        _pki.RefreshState();
        var authorities = items.Select(i => _pki.Authorities.FirstOrDefault(a => i.GetCertID().MatchesIssuer(a.Certificate))).ToList();
        if (authorities.Any(a => a is null) || authorities.Distinct().Count() != 1)
            return Failure(OcspRespStatus.Unauthorized);
        var issuer = authorities[0]!;
        var signer = _pki.OcspResponderFor(issuer) ?? issuer;

        var now = DevelopmentPki.TruncateToSeconds(producedAt ?? _clock.GetUtcNow());
        var generator = new BasicOcspRespGenerator(KeyMaterial.PublicKey(signer.PrivateKey));
        foreach (var item in items)
        {
            var id = item.GetCertID();
            var revocation = _pki.FindRevocation(issuer.Slug, id.SerialNumber);
            CertificateStatus? status =
                revocation is not null && revocation.RevokedAt <= now ? new RevokedStatus(revocation.RevokedAt.UtcDateTime, (int)revocation.Reason)
                : _pki.HasIssued(issuer.Slug, id.SerialNumber) ? CertificateStatus.Good
                : new UnknownStatus();
            generator.AddResponse(id, status, now.UtcDateTime, now.Add(OcspValidity).UtcDateTime, null);
        }

        var nonce = request.RequestExtensions?.GetExtension(OcspObjectIdentifiers.PkixOcspNonce);
        if (nonce is not null)
        {
            generator.SetResponseExtensions(new X509Extensions(new Dictionary<DerObjectIdentifier, X509Extension>
            {
                [OcspObjectIdentifiers.PkixOcspNonce] = nonce,
            }));
        }

        var certificates = ReferenceEquals(signer, issuer) ? [] : new[] { signer.Certificate };
        var basic = generator.Generate(new DotNetSignatureFactory(signer.PrivateKey), certificates, now.UtcDateTime);
        return new OCSPRespGenerator().Generate(OCSPRespGenerator.Successful, basic).GetEncoded();
    }

    private static byte[] Failure(int status) => new OCSPRespGenerator().Generate(status, null).GetEncoded();
}
