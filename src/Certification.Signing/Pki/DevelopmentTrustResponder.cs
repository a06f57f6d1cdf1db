using System.Security.Cryptography;
using Certification.Signing.Revocation;
using Certification.Signing.Timestamps;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Ocsp;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Ocsp;
using Org.BouncyCastle.Tsp;
using X509Extension = Org.BouncyCastle.Asn1.X509.X509Extension;

namespace Certification.Signing.Pki;

/// <summary>How a reply leaves the server: whole, not at all (connection reset), or cut halfway.</summary>
public enum ReplyTransport
{
    Complete,
    ResetBeforeResponse,
    CutHalfway,
}

/// <summary>A development trust service's answer. <see cref="ContentLength"/> larger than <see cref="Body"/>
/// means the body is followed by zero bytes up to that length (the 50 MB CRL is never held in memory).</summary>
public sealed record TrustServiceReply(int Status, string ContentType, byte[] Body, long ContentLength, ReplyTransport Transport = ReplyTransport.Complete)
{
    /// <summary>Writes what the transport delivers: the body padded to <see cref="ContentLength"/>, or for
    /// <see cref="ReplyTransport.CutHalfway"/> its first half (flushed; the caller then aborts the connection).</summary>
    public async Task WriteBodyAsync(Stream output, CancellationToken ct = default)
    {
        if (Transport == ReplyTransport.CutHalfway)
        {
            await output.WriteAsync(Body.AsMemory(0, Body.Length / 2), ct).ConfigureAwait(false);
            await output.FlushAsync(ct).ConfigureAwait(false);
            return;
        }
        await output.WriteAsync(Body, ct).ConfigureAwait(false);
        var padding = new byte[81920];
        for (var left = ContentLength - Body.Length; left > 0; left -= padding.Length)
            await output.WriteAsync(padding.AsMemory(0, (int)Math.Min(left, padding.Length)), ct).ConfigureAwait(false);
    }

    public static TrustServiceReply Ok(string contentType, byte[] body) => new(200, contentType, body, body.Length);

    public static TrustServiceReply Text(int status, string text)
    {
        var body = System.Text.Encoding.UTF8.GetBytes(text + "\n");
        return new TrustServiceReply(status, "text/plain; charset=utf-8", body, body.Length);
    }
}

/// <summary>
/// The routes of a <see cref="DevelopmentPki"/>'s trust services (<c>POST /tsa</c> and its second endpoint
/// <c>POST /tsa2</c>, <c>/ocsp</c>,
/// <c>GET /crl/{slug}.crl</c>, <c>GET /certs/{slug}.crt</c>) with the <see cref="TrustServiceFaults"/> switched on
/// applied: one implementation for the HTTP server (<c>pki serve --faults</c>) and the service's in-process
/// demo PKI, so both break the same way.
/// </summary>
public sealed class DevelopmentTrustResponder
{
    private readonly DevelopmentPki _pki;
    private readonly TimeProvider _clock;
    private readonly Lazy<DevelopmentTimestampAuthority> _expiredTsa;

    /// <param name="revocation">The OCSP and CRL issuer (default: one on <paramref name="clock"/> with its default validity).</param>
    public DevelopmentTrustResponder(DevelopmentPki pki, TrustServiceFaults? faults = null, TimeProvider? clock = null,
        DevelopmentRevocationAuthority? revocation = null)
    {
        _pki = pki ?? throw new ArgumentNullException(nameof(pki));
        _clock = clock ?? pki.Clock;
        Faults = faults ?? new TrustServiceFaults();
        Timestamps = new DevelopmentTimestampAuthority(pki.TimestampAuthority, _clock);
        Revocation = revocation ?? new DevelopmentRevocationAuthority(pki, _clock);
        _expiredTsa = new Lazy<DevelopmentTimestampAuthority>(IssueExpiredTsa);
    }

    public DevelopmentPki Pki => _pki;

    public TrustServiceFaults Faults { get; }

    public DevelopmentTimestampAuthority Timestamps { get; }

    public DevelopmentRevocationAuthority Revocation { get; }

    /// <summary>Answers <paramref name="method"/> <paramref name="path"/> (relative to the PKI's base URL, no
    /// leading slash, e.g. <c>tsa</c> or <c>crl/government-ca.crl</c>); null when no route matches.</summary>
    public async Task<TrustServiceReply?> RespondAsync(string method, string path, byte[]? body, CancellationToken ct = default)
    {
        TrustService? service = (method, path) switch
        {
            ("POST", "tsa") => TrustService.Timestamp,
            ("POST", "tsa2") => TrustService.AlternateTimestamp,
            ("POST", "ocsp" or "ocsp/") => TrustService.Ocsp,
            ("GET", _) when path.StartsWith("ocsp/", StringComparison.Ordinal) => TrustService.Ocsp,
            ("GET", _) when path.StartsWith("crl/", StringComparison.Ordinal) && path.EndsWith(".crl", StringComparison.Ordinal) => TrustService.Crl,
            _ => null,
        };
        if (service is null)
        {
            if (method == "GET" && path.StartsWith("certs/", StringComparison.Ordinal) && path.EndsWith(".crt", StringComparison.Ordinal))
                return _pki.FindAuthority(path["certs/".Length..^".crt".Length]) is { } authority
                    ? TrustServiceReply.Ok("application/pkix-cert", authority.Certificate.GetEncoded())
                    : TrustServiceReply.Text(404, "No such CA.");
            return null;
        }

        var fault = Faults.Take(service.Value);
        switch (fault?.Kind)
        {
            case TrustServiceFaultKind.Delay:
                await Task.Delay(fault.Delay, _clock, ct).ConfigureAwait(false);
                break;
            case TrustServiceFaultKind.ServerError:
                return TrustServiceReply.Text(500, "Injected fault: internal error.");
            case TrustServiceFaultKind.ConnectionReset:
                return TrustServiceReply.Text(500, "") with { Transport = ReplyTransport.ResetBeforeResponse };
        }
        var reply = service.Value switch
        {
            TrustService.Timestamp or TrustService.AlternateTimestamp => Timestamp(body ?? [], fault?.Kind),
            TrustService.Ocsp => Ocsp(method == "GET" ? OcspGetBody(path["ocsp/".Length..]) : body ?? [], fault?.Kind),
            _ => Crl(path["crl/".Length..^".crl".Length], fault?.Kind),
        };
        return fault?.Kind == TrustServiceFaultKind.TruncatedBody ? reply with { Transport = ReplyTransport.CutHalfway } : reply;
    }

    private TrustServiceReply Timestamp(byte[] request, TrustServiceFaultKind? fault)
    {
        var reply = fault switch
        {
            TrustServiceFaultKind.WrongNonce => Timestamps.Respond(WithOtherNonce(request)),
            TrustServiceFaultKind.ExpiredTsaCertificate => _expiredTsa.Value.Respond(request),
            _ => Timestamps.Respond(request),
        };
        return TrustServiceReply.Ok("application/timestamp-reply", reply);
    }

    private TrustServiceReply Ocsp(byte[]? request, TrustServiceFaultKind? fault)
    {
        if (request is null) return TrustServiceReply.Text(400, "The OCSP GET path is not base64.");
        var response = fault switch
        {
            TrustServiceFaultKind.WrongNonce => Revocation.Respond(WithOtherOcspNonce(request)),
            // Produced three validity periods ago: its nextUpdate is two periods in the past.
            TrustServiceFaultKind.StaleOcsp => Revocation.Respond(request, _clock.GetUtcNow() - 3 * Revocation.OcspValidity),
            _ => Revocation.Respond(request),
        };
        return TrustServiceReply.Ok("application/ocsp-response", response);
    }

    private TrustServiceReply Crl(string slug, TrustServiceFaultKind? fault)
    {
        _pki.RefreshState();
        var crl = Revocation.GetCrl(slug);
        if (crl is null) return TrustServiceReply.Text(404, $"No CA '{slug}'.");
        var reply = TrustServiceReply.Ok("application/pkix-crl", crl);
        return fault == TrustServiceFaultKind.HugeCrl ? reply with { ContentLength = TrustServiceFault.HugeCrlBytes } : reply;
    }

    private static byte[]? OcspGetBody(string encoded)
    {
        try
        {
            return Convert.FromBase64String(Uri.UnescapeDataString(encoded));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>The same time-stamp request with a fresh nonce: the TSA's reply then answers another request.</summary>
    private static byte[] WithOtherNonce(byte[] der)
    {
        try
        {
            var request = new TimeStampRequest(der);
            var generator = new TimeStampRequestGenerator();
            generator.SetCertReq(request.CertReq);
            return generator.Generate(request.MessageImprintAlgOid, request.GetMessageImprintDigest(),
                new Org.BouncyCastle.Math.BigInteger(1, RandomNumberGenerator.GetBytes(8))).GetEncoded();
        }
        catch (Exception e) when (e is IOException or ArgumentException or InvalidCastException or TspException)
        {
            return der;
        }
    }

    /// <summary>The same OCSP request with another nonce (RFC 8954): the response echoes the wrong one.</summary>
    private static byte[] WithOtherOcspNonce(byte[] der)
    {
        try
        {
            var request = new OcspReq(der);
            var generator = new OcspReqGenerator();
            foreach (var item in request.GetRequestList()) generator.AddRequest(item.GetCertID());
            generator.SetRequestExtensions(new X509Extensions(new Dictionary<DerObjectIdentifier, X509Extension>
            {
                [OcspObjectIdentifiers.PkixOcspNonce] = new(false, new DerOctetString(new DerOctetString(RandomNumberGenerator.GetBytes(16)).GetEncoded())),
            }));
            return generator.Generate().GetEncoded();
        }
        catch (Exception e) when (e is IOException or ArgumentException or InvalidCastException or OcspException)
        {
            return der;
        }
    }

    /// <summary>A time-stamping certificate of the same CA whose validity ended yesterday (issued on first use).</summary>
    private DevelopmentTimestampAuthority IssueExpiredTsa()
    {
        var now = _clock.GetUtcNow();
        var credential = _pki.IssueLeaf(_pki.GovernmentCa, new LeafRequest("tsa-expired", "DEVELOPMENT Expired Time-Stamping Authority")
        {
            Organization = "DEVELOPMENT Certification",
            NotBefore = now.AddDays(-30),
            NotAfter = now.AddDays(-1),
            KeyAlgorithm = KeyAlgorithm.EcdsaP256,
            KeyUsage = System.Security.Cryptography.X509Certificates.X509KeyUsageFlags.DigitalSignature,
            ExtendedKeyUsages = [KeyPurposeID.id_kp_timeStamping.Id],
            ExtendedKeyUsageCritical = true,
        });
        return new DevelopmentTimestampAuthority(credential, _clock);
    }
}
