using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Certification.Signing.Validation.Facts;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Ocsp;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Ocsp;
using Org.BouncyCastle.X509;
using Org.BouncyCastle.X509.Extension;
using X509Extension = Org.BouncyCastle.Asn1.X509.X509Extension;

namespace Certification.Signing.Revocation;

/// <summary>Which kind of revocation evidence to fetch per certificate.</summary>
public enum RevocationSources
{
    /// <summary>OCSP when the certificate names a responder and it answers; the CRL otherwise.</summary>
    OcspThenCrl,
    /// <summary>Both OCSP and CRL (larger /DSS, but either suffices for a validator).</summary>
    OcspAndCrl,
    /// <summary>OCSP only.</summary>
    OcspOnly,
    /// <summary>CRL only.</summary>
    CrlOnly,
}

public sealed record RevocationFetcherOptions
{
    /// <summary>Per HTTP exchange; default 10 s.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    public RevocationSources Sources { get; init; } = RevocationSources.OcspThenCrl;

    /// <summary>Larger CRLs and OCSP responses are refused (a CA's CRL can grow to tens of megabytes, and a
    /// hostile or broken server can send endless bytes); default 16 MiB.</summary>
    public long MaxResponseBytes { get; init; } = 16 * 1024 * 1024;

    /// <summary>Told after every OCSP or CRL exchange (cache hits and callers sharing a fetch are none) which URL
    /// was asked and what was wrong with its answer (null when the evidence was accepted): the service's dependency health.</summary>
    public Action<Uri, string?>? OnExchange { get; init; }

    /// <summary>How long an OCSP response without nextUpdate is reused; default 5 minutes.</summary>
    public TimeSpan OcspCacheTimeWithoutNextUpdate { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The longest a fetched response is reused, however late its nextUpdate: what a signature embeds is
    /// never older than this, and a certificate revoked meanwhile is noticed within it. Null: until nextUpdate.</summary>
    public TimeSpan? MaximumCacheAge { get; init; }

    /// <summary>When a certificate names OCSP or CRL locations and none of them gives valid evidence,
    /// throw <see cref="RevocationFetchException"/> (default) instead of silently leaving it out.</summary>
    public bool ThrowWhenUnavailable { get; init; } = true;
}

/// <summary>
/// Fetches revocation evidence for certificate chains over HTTP: OCSP from the AIA id-ad-ocsp location
/// (RFC 6960, POST application/ocsp-request) and CRLs from the CRL distribution points (RFC 5280 § 4.2.1.13).
/// Responses are cached in memory until their nextUpdate, or <see cref="RevocationFetcherOptions.MaximumCacheAge"/> after
/// they were fetched if that comes first; concurrent requests for the same evidence share one fetch. Each response is checked before use: a CRL must be
/// signed by the certificate's issuer; an OCSP response by the issuer or by a responder certificate the issuer
/// issued with EKU id-kp-OCSPSigning (RFC 6960 § 4.2.2.2), and must answer for the certificate asked about.
/// </summary>
public sealed class RevocationFetcher : IRevocationSource, IDisposable
{
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly TimeProvider _clock;
    private readonly ConcurrentDictionary<string, (byte[] Der, DateTimeOffset Expires)> _cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task<byte[]>>> _fetching = new(StringComparer.Ordinal);

    public RevocationFetcher(HttpClient? httpClient = null, RevocationFetcherOptions? options = null, TimeProvider? clock = null)
    {
        _ownsHttp = httpClient is null;
        _http = httpClient ?? new HttpClient { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        Options = options ?? new RevocationFetcherOptions();
        _clock = clock ?? TimeProvider.System;
    }

    public RevocationFetcherOptions Options { get; }

    /// <summary>
    /// Evidence for every certificate of <paramref name="chain"/> (leaf first) except the trust anchor (a
    /// self-signed last element), certificates whose issuer is not in the chain, and OCSP responders with
    /// id-pkix-ocsp-nocheck.
    /// </summary>
    /// <exception cref="RevocationFetchException">A certificate names locations, none of which gave valid evidence.</exception>
    public Task<RevocationData> FetchAsync(IReadOnlyList<X509Certificate> chain, CancellationToken ct = default) =>
        FetchAsync([chain], ct);

    /// <summary>As <see cref="FetchAsync(IReadOnlyList{X509Certificate}, CancellationToken)"/> for several chains
    /// (the signer's and the TSA's), merged without duplicates.</summary>
    public async Task<RevocationData> FetchAsync(IEnumerable<IReadOnlyList<X509Certificate>> chains, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(chains);
        var result = RevocationData.Empty;
        var done = new HashSet<X509Certificate>();
        foreach (var chain in chains)
        {
            for (int i = 0; i + 1 < chain.Count; i++)
            {
                var certificate = chain[i];
                if (!done.Add(certificate) || IsSelfSigned(certificate) || HasOcspNoCheck(certificate))
                    continue;
                result = result.Merge(await FetchForAsync(certificate, chain[i + 1], ct).ConfigureAwait(false));
            }
        }
        return result;
    }

    private async Task<RevocationData> FetchForAsync(X509Certificate certificate, X509Certificate issuer, CancellationToken ct)
    {
        var ocspUrls = OcspUrls(certificate);
        var crlUrls = CrlUrls(certificate);
        var errors = new List<string>();
        var ocsp = new List<byte[]>();
        var crls = new List<byte[]>();

        if (Options.Sources != RevocationSources.CrlOnly)
        {
            foreach (var url in ocspUrls)
            {
                try
                {
                    ocsp.Add(await FetchOcspAsync(certificate, issuer, url, ct).ConfigureAwait(false));
                    break;
                }
                catch (RevocationFetchException e)
                {
                    errors.Add(e.Message);
                }
            }
        }
        bool wantCrl = Options.Sources is RevocationSources.CrlOnly or RevocationSources.OcspAndCrl
            || (Options.Sources == RevocationSources.OcspThenCrl && ocsp.Count == 0);
        if (wantCrl)
        {
            foreach (var url in crlUrls)
            {
                try
                {
                    crls.Add(await FetchCrlAsync(issuer, url, ct).ConfigureAwait(false));
                    break;
                }
                catch (RevocationFetchException e)
                {
                    errors.Add(e.Message);
                }
            }
        }

        bool hadLocations = (Options.Sources != RevocationSources.CrlOnly && ocspUrls.Count > 0)
            || (wantCrl && crlUrls.Count > 0);
        if (ocsp.Count == 0 && crls.Count == 0 && hadLocations && Options.ThrowWhenUnavailable)
            throw new RevocationFetchException(
                $"No revocation data for {certificate.SubjectDN} (serial {certificate.SerialNumber.ToString(16)}): {string.Join("; ", errors)}");
        return new RevocationData(crls, ocsp);
    }

    /// <summary>Asks the certificate's OCSP responder; returns the verified DER OCSPResponse, or null when
    /// the certificate names no responder.</summary>
    public async Task<byte[]?> FetchOcspAsync(X509Certificate certificate, X509Certificate issuer, CancellationToken ct = default)
    {
        var urls = OcspUrls(certificate);
        var errors = new List<string>();
        foreach (var url in urls)
        {
            try
            {
                return await FetchOcspAsync(certificate, issuer, url, ct).ConfigureAwait(false);
            }
            catch (RevocationFetchException e)
            {
                errors.Add(e.Message);
            }
        }
        return urls.Count == 0 ? null : throw new RevocationFetchException(string.Join("; ", errors));
    }

    /// <summary>Downloads the certificate's CRL; returns the verified DER CRL, or null when it names none.</summary>
    public async Task<byte[]?> FetchCrlAsync(X509Certificate certificate, X509Certificate issuer, CancellationToken ct = default)
    {
        var urls = CrlUrls(certificate);
        var errors = new List<string>();
        foreach (var url in urls)
        {
            try
            {
                return await FetchCrlAsync(issuer, url, ct).ConfigureAwait(false);
            }
            catch (RevocationFetchException e)
            {
                errors.Add(e.Message);
            }
        }
        return urls.Count == 0 ? null : throw new RevocationFetchException(string.Join("; ", errors));
    }

    /// <summary>Is <paramref name="certificate"/> revoked? Fetches (or reuses cached) evidence and evaluates it.
    /// <see cref="RevocationState.Unknown"/> when the certificate names no locations.</summary>
    /// <exception cref="RevocationFetchException">Locations are named but none gave valid evidence.</exception>
    public async Task<RevocationStatus> CheckAsync(X509Certificate certificate, X509Certificate issuer, CancellationToken ct = default)
    {
        var data = await FetchForAsync(certificate, issuer, ct).ConfigureAwait(false);
        return Evaluate(data, certificate, issuer);
    }

    private async Task<byte[]> FetchOcspAsync(X509Certificate certificate, X509Certificate issuer, Uri url, CancellationToken ct)
    {
        var id = new CertificateID(CertificateID.DigestSha1, issuer, certificate.SerialNumber);
        var cacheKey = $"ocsp {url} {Convert.ToHexString(id.GetIssuerKeyHash())} {certificate.SerialNumber.ToString(16)}";
        return await CachedAsync(cacheKey, url, () => RequestOcspAsync(certificate, issuer, url, id), ct).ConfigureAwait(false);
    }

    private async Task<(byte[] Der, DateTimeOffset? NextUpdate)> RequestOcspAsync(X509Certificate certificate, X509Certificate issuer, Uri url, CertificateID id)
    {
        var nonce = RandomNumberGenerator.GetBytes(16);
        var nonceExtension = new X509Extension(false, new DerOctetString(new DerOctetString(nonce).GetEncoded()));
        var generator = new OcspReqGenerator();
        generator.AddRequest(id);
        generator.SetRequestExtensions(new X509Extensions(new Dictionary<DerObjectIdentifier, X509Extension>
        {
            [OcspObjectIdentifiers.PkixOcspNonce] = nonceExtension,
        }));
        var body = await PostAsync(url, generator.Generate().GetEncoded(), "application/ocsp-request", "application/ocsp-response").ConfigureAwait(false);

        var (status, nextUpdate, problem) = InspectOcsp(body, certificate, issuer);
        if (problem is not null)
            throw new RevocationFetchException($"OCSP {url}: {problem}");
        var basic = (BasicOcspResp)new OcspResp(body).GetResponseObject();
        var echoed = basic.ResponseExtensions?.GetExtension(OcspObjectIdentifiers.PkixOcspNonce);
        if (echoed is not null && !echoed.Value.Equals(nonceExtension.Value))
            throw new RevocationFetchException($"OCSP {url}: the response's nonce does not match the request's (replayed response?).");
        if (status.State == RevocationState.Unknown)
            throw new RevocationFetchException($"OCSP {url}: the responder does not know the certificate (status unknown).");
        // RFC 6960 § 4.2.2.1: past nextUpdate the responder has newer information; a stale answer is no evidence.
        if (nextUpdate is { } next && next < _clock.GetUtcNow())
            throw new RevocationFetchException($"OCSP {url}: stale response (nextUpdate {next:yyyy-MM-ddTHH:mm:ssZ} has passed).");

        return (body, nextUpdate);
    }

    private Task<byte[]> FetchCrlAsync(X509Certificate issuer, Uri url, CancellationToken ct) =>
        CachedAsync($"crl {url}", url, () => DownloadCrlAsync(issuer, url), ct);

    private async Task<(byte[] Der, DateTimeOffset? NextUpdate)> DownloadCrlAsync(X509Certificate issuer, Uri url)
    {
        var body = await GetAsync(url).ConfigureAwait(false);
        X509Crl crl;
        try
        {
            crl = new X509Crl(body);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new RevocationFetchException($"CRL {url}: not a DER CRL ({e.Message}).", e);
        }
        if (!VerifyCrl(crl, issuer))
            throw new RevocationFetchException($"CRL {url}: not signed by {issuer.SubjectDN}.");
        var now = _clock.GetUtcNow();
        if (crl.NextUpdate is { } next && new DateTimeOffset(DateTime.SpecifyKind(next, DateTimeKind.Utc)) < now)
            throw new RevocationFetchException($"CRL {url}: expired (nextUpdate {next:yyyy-MM-ddTHH:mm:ssZ}).");
        return (body, crl.NextUpdate is { } nextUpdate ? Utc(nextUpdate) : null);
    }

    // ------------------------------------------------------------------ evaluation (no network)

    /// <summary>
    /// What <paramref name="data"/> says about <paramref name="certificate"/>: revoked if any valid piece of
    /// evidence says so, good if a valid OCSP response or CRL of the issuer covers it, unknown otherwise.
    /// Evidence not signed by the issuer (or its delegated OCSP responder) is ignored.
    /// </summary>
    public static RevocationStatus Evaluate(RevocationData data, X509Certificate certificate, X509Certificate issuer)
    {
        ArgumentNullException.ThrowIfNull(data);
        RevocationStatus? good = null;
        foreach (var der in data.OcspResponses)
        {
            var (status, _, problem) = InspectOcsp(der, certificate, issuer);
            if (problem is not null)
                continue;
            if (status.State == RevocationState.Revoked)
                return status;
            if (status.State == RevocationState.Good)
                good ??= status;
        }
        foreach (var der in data.Crls)
        {
            X509Crl crl;
            try
            {
                crl = new X509Crl(der);
            }
            catch (Exception)
            {
                continue;
            }
            if (!crl.IssuerDN.Equivalent(issuer.SubjectDN) || !VerifyCrl(crl, issuer))
                continue;
            var entry = crl.GetRevokedCertificate(certificate.SerialNumber);
            if (entry is not null)
            {
                RevocationReason? reason = null;
                var reasonValue = entry.GetExtensionValue(X509Extensions.ReasonCode);
                if (reasonValue is not null)
                    reason = (RevocationReason)DerEnumerated.GetInstance(X509ExtensionUtilities.FromExtensionValue(reasonValue)).IntValueExact;
                return new RevocationStatus(RevocationState.Revoked, Utc(entry.RevocationDate), reason, "CRL of " + issuer.SubjectDN);
            }
            good ??= new RevocationStatus(RevocationState.Good, Source: "CRL of " + issuer.SubjectDN);
        }
        return good ?? RevocationStatus.Unknown;
    }

    /// <summary>Parses and checks an OCSPResponse; returns the status for the certificate, the response's
    /// nextUpdate, or a problem description.</summary>
    private static (RevocationStatus Status, DateTimeOffset? NextUpdate, string? Problem) InspectOcsp(byte[] der, X509Certificate certificate, X509Certificate issuer)
    {
        OcspResp response;
        BasicOcspResp basic;
        try
        {
            response = new OcspResp(der);
            if (response.Status != OcspRespStatus.Successful)
                return (RevocationStatus.Unknown, null, $"responseStatus {response.Status} (not successful)");
            basic = response.GetResponseObject() as BasicOcspResp
                ?? throw new InvalidDataException("not a basic OCSP response");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return (RevocationStatus.Unknown, null, $"not a valid OCSP response ({e.Message})");
        }

        if (!SignedByIssuerOrDelegate(basic, issuer))
            return (RevocationStatus.Unknown, null, $"not signed by {issuer.SubjectDN} or a responder it authorised");

        foreach (var single in basic.Responses)
        {
            var id = single.GetCertID();
            if (!id.SerialNumber.Equals(certificate.SerialNumber) || !MatchesIssuer(id, issuer))
                continue;
            DateTimeOffset? next = single.NextUpdate is { } n ? Utc(n) : null;
            var source = "OCSP " + basic.ResponderId.ToAsn1Object();
            return single.GetCertStatus() switch
            {
                null => (new RevocationStatus(RevocationState.Good, Source: "OCSP"), next, null),
                RevokedStatus revoked => (new RevocationStatus(RevocationState.Revoked, Utc(revoked.RevocationTime),
                    revoked.HasRevocationReason ? (RevocationReason)revoked.RevocationReason : null, "OCSP"), next, null),
                _ => (RevocationStatus.Unknown with { Source = source }, next, null),
            };
        }
        return (RevocationStatus.Unknown, null, "the response does not cover this certificate");
    }

    private static bool MatchesIssuer(CertificateID id, X509Certificate issuer)
    {
        try
        {
            return id.MatchesIssuer(issuer);
        }
        catch (Exception)
        {
            return false;
        }
    }

    private static bool SignedByIssuerOrDelegate(BasicOcspResp basic, X509Certificate issuer)
    {
        try
        {
            if (FastSignatures.OcspSignedBy(basic, issuer))
                return true;
        }
        catch (Exception)
        {
            // Not the issuer's key type; try the delegates.
        }
        foreach (var responder in basic.GetCerts())
        {
            try
            {
                if (responder.IssuerDN.Equivalent(issuer.SubjectDN)
                    && FastSignatures.CertificateSignedBy(responder, issuer)
                    && (responder.GetExtendedKeyUsage()?.Any(u => u.Equals(KeyPurposeID.id_kp_OCSPSigning)) ?? false)
                    && FastSignatures.OcspSignedBy(basic, responder))
                    return true;
            }
            catch (Exception)
            {
                // Try the next one.
            }
        }
        return false;
    }

    private static bool VerifyCrl(X509Crl crl, X509Certificate issuer)
    {
        try
        {
            return crl.IssuerDN.Equivalent(issuer.SubjectDN) && FastSignatures.CrlSignedBy(crl, issuer);
        }
        catch (Exception)
        {
            return false;
        }
    }

    // ------------------------------------------------------------------ certificate pointers

    /// <summary>The http(s) OCSP locations in the AIA extension (RFC 5280 § 4.2.2.1).</summary>
    public static IReadOnlyList<Uri> OcspUrls(X509Certificate certificate) => AiaUrls(certificate, AccessDescription.IdADOcsp);

    /// <summary>The http(s) caIssuers locations in the AIA extension.</summary>
    public static IReadOnlyList<Uri> CaIssuerUrls(X509Certificate certificate) => AiaUrls(certificate, AccessDescription.IdADCAIssuers);

    /// <summary>The http(s) full-name URIs of the CRL distribution points (RFC 5280 § 4.2.1.13).</summary>
    public static IReadOnlyList<Uri> CrlUrls(X509Certificate certificate)
    {
        var value = certificate.GetExtensionValue(X509Extensions.CrlDistributionPoints);
        if (value is null)
            return [];
        var points = CrlDistPoint.GetInstance(X509ExtensionUtilities.FromExtensionValue(value));
        return points.GetDistributionPoints()
            .Where(p => p.DistributionPointName?.Type == DistributionPointName.FullName)
            .SelectMany(p => GeneralNames.GetInstance(p.DistributionPointName.Name).GetNames())
            .Select(HttpUri)
            .OfType<Uri>()
            .ToList();
    }

    private static IReadOnlyList<Uri> AiaUrls(X509Certificate certificate, DerObjectIdentifier method)
    {
        var value = certificate.GetExtensionValue(X509Extensions.AuthorityInfoAccess);
        if (value is null)
            return [];
        return AuthorityInformationAccess.GetInstance(X509ExtensionUtilities.FromExtensionValue(value))
            .GetAccessDescriptions()
            .Where(a => a.AccessMethod.Equals(method))
            .Select(a => HttpUri(a.AccessLocation))
            .OfType<Uri>()
            .ToList();
    }

    private static Uri? HttpUri(GeneralName name) =>
        name.TagNo == GeneralName.UniformResourceIdentifier
        && Uri.TryCreate(name.Name.ToString(), UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : null;

    private static bool IsSelfSigned(X509Certificate certificate)
    {
        if (!certificate.IssuerDN.Equivalent(certificate.SubjectDN))
            return false;
        try
        {
            return FastSignatures.CertificateSignedBy(certificate, certificate);
        }
        catch (Exception)
        {
            return false;
        }
    }

    private static bool HasOcspNoCheck(X509Certificate certificate) =>
        certificate.GetExtensionValue(OcspObjectIdentifiers.PkixOcspNocheck) is not null;

    // ------------------------------------------------------------------ HTTP and cache

    private async Task<byte[]> PostAsync(Uri url, byte[] body, string contentType, string accept)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = content };
        request.Headers.Accept.ParseAdd(accept);
        return await SendAsync(request).ConfigureAwait(false);
    }

    private async Task<byte[]> GetAsync(Uri url)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        return await SendAsync(request).ConfigureAwait(false);
    }

    /// <summary>One exchange, bounded by <see cref="RevocationFetcherOptions.Timeout"/> only: it may serve several
    /// waiting callers, so none of them cancels it for the others.</summary>
    private async Task<byte[]> SendAsync(HttpRequestMessage request)
    {
        using var timeout = new CancellationTokenSource(Options.Timeout);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
                throw new RevocationFetchException($"{request.RequestUri} answered HTTP {(int)response.StatusCode} {response.ReasonPhrase}.");
            if (response.Content.Headers.ContentLength > Options.MaxResponseBytes)
                throw TooLarge(request, response.Content.Headers.ContentLength.Value);
            await using var body = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false);
            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int read;
            while ((read = await body.ReadAsync(chunk, timeout.Token).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > Options.MaxResponseBytes) throw TooLarge(request, buffer.Length + read);
                buffer.Write(chunk, 0, read);
            }
            return buffer.ToArray();
        }
        catch (OperationCanceledException)
        {
            throw new RevocationFetchException($"{request.RequestUri} did not answer within {Options.Timeout.TotalSeconds:0.#} s.");
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            throw new RevocationFetchException($"{request.RequestUri} cannot be reached: {e.Message}", e);
        }
    }

    private RevocationFetchException TooLarge(HttpRequestMessage request, long bytes) =>
        new($"{request.RequestUri} sent {bytes} bytes or more, over the limit of {Options.MaxResponseBytes}.");

    /// <summary>The cached evidence under <paramref name="key"/> while fresh; otherwise one fetch shared by every
    /// caller asking meanwhile, cached until its nextUpdate or the maximum age, whichever comes first. A caller's
    /// cancellation stops its wait, not the shared fetch; a failed fetch is not cached.</summary>
    private async Task<byte[]> CachedAsync(string key, Uri url, Func<Task<(byte[] Der, DateTimeOffset? NextUpdate)>> fetch, CancellationToken ct)
    {
        if (_cache.TryGetValue(key, out var entry) && entry.Expires > _clock.GetUtcNow()) return entry.Der;
        var flight = _fetching.GetOrAdd(key, _ => new Lazy<Task<byte[]>>(() => FetchAndCacheAsync(key, url, fetch)));
        return await flight.Value.WaitAsync(ct).ConfigureAwait(false);
    }

    private async Task<byte[]> FetchAndCacheAsync(string key, Uri url, Func<Task<(byte[] Der, DateTimeOffset? NextUpdate)>> fetch)
    {
        using var activity = SigningActivities.Start("revocation fetch");
        try
        {
            (byte[] Der, DateTimeOffset? NextUpdate) fetched;
            try
            {
                fetched = await fetch().ConfigureAwait(false);
            }
            catch (RevocationFetchException e)
            {
                Options.OnExchange?.Invoke(url, e.Message);
                throw;
            }
            Options.OnExchange?.Invoke(url, null);
            var (der, nextUpdate) = fetched;
            var fetchedAt = _clock.GetUtcNow();
            var expires = nextUpdate ?? fetchedAt + Options.OcspCacheTimeWithoutNextUpdate;
            if (Options.MaximumCacheAge is { } maximum && fetchedAt + maximum < expires) expires = fetchedAt + maximum;
            _cache[key] = (der, expires);
            return der;
        }
        finally
        {
            _fetching.TryRemove(key, out _);
        }
    }

    private static DateTimeOffset Utc(DateTime time) => new(DateTime.SpecifyKind(time, DateTimeKind.Utc));

    public void Dispose()
    {
        if (_ownsHttp)
            _http.Dispose();
    }
}
