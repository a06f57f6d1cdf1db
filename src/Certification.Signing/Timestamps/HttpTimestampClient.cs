using Certification.Signing.Cms;
using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Certification.Signing.Pki;
using Org.BouncyCastle.Tsp;

namespace Certification.Signing.Timestamps;

/// <summary>
/// An RFC 3161 client over HTTP (RFC 3161 § 3.4): POSTs application/timestamp-query with a random nonce and
/// certReq set, and validates the reply against the request (status, nonce, message imprint, policy, certReq)
/// before returning the token.
/// </summary>
public sealed class HttpTimestampClient : ITimestampAuthority, IDisposable
{
    private static readonly MediaTypeHeaderValue QueryType = new("application/timestamp-query");
    private const int MaxCachedSigners = 16;

    private readonly HttpClient _http;
    private readonly bool _ownsHttp;

    // BouncyCastle builds a certificate's public key once per X509Certificate instance and, for RSA, tests the
    // modulus (Miller–Rabin) each time it does: one instance per TSA certificate (by SHA-256 of its encoding) keeps
    // that to once per certificate instead of once per token (about 16 ms a token for the demo's RSA TSA).
    private readonly ConcurrentDictionary<string, Org.BouncyCastle.X509.X509Certificate> _signers = new(StringComparer.Ordinal);

    /// <param name="url">The TSA endpoint, e.g. <c>http://127.0.0.1:8790/tsa</c>.</param>
    /// <param name="httpClient">Optional; when null the client creates (and disposes) its own.</param>
    /// <param name="timeout">For the whole exchange; default 10 s.</param>
    public HttpTimestampClient(Uri url, HttpClient? httpClient = null, TimeSpan? timeout = null)
    {
        Url = url ?? throw new ArgumentNullException(nameof(url));
        if (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            throw new ArgumentException($"The time-stamping authority URL must be an absolute http(s) URL, not '{url}'.", nameof(url));
        _ownsHttp = httpClient is null;
        _http = httpClient ?? new HttpClient { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        Timeout = timeout ?? TimeSpan.FromSeconds(10);
    }

    public Uri Url { get; }

    public TimeSpan Timeout { get; }

    /// <summary>Optional TSA policy to ask for (reqPolicy); the reply must then carry it.</summary>
    public string? RequestedPolicyOid { get; init; }

    public async Task<byte[]> GetTimestampTokenAsync(byte[] digest, HashAlgorithmName hash, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(digest);
        if (digest.Length != CmsOids.DigestLength(hash))
            throw new ArgumentException($"A {hash.Name} digest is {CmsOids.DigestLength(hash)} bytes long, not {digest.Length}.", nameof(digest));

        var generator = new TimeStampRequestGenerator();
        generator.SetCertReq(true);
        if (RequestedPolicyOid is not null)
            generator.SetReqPolicy(new Org.BouncyCastle.Asn1.DerObjectIdentifier(RequestedPolicyOid));
        var nonceBytes = RandomNumberGenerator.GetBytes(8);
        nonceBytes[0] &= 0x7F;
        var nonce = new Org.BouncyCastle.Math.BigInteger(1, nonceBytes);
        var request = generator.Generate(CmsOids.DigestOid(hash), digest, nonce);

        byte[] body;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            timeout.CancelAfter(Timeout);
            try
            {
                using var content = new ByteArrayContent(request.GetEncoded());
                content.Headers.ContentType = QueryType;
                using var message = new HttpRequestMessage(HttpMethod.Post, Url) { Content = content };
                message.Headers.Accept.ParseAdd("application/timestamp-reply");
                using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                    throw new TimestampException($"The time-stamping authority {Url} answered HTTP {(int)response.StatusCode} {response.ReasonPhrase}.");
                body = await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new TimestampException($"The time-stamping authority {Url} did not answer within {Timeout.TotalSeconds:0.#} s.");
            }
            catch (Exception e) when (e is HttpRequestException or IOException)
            {
                throw new TimestampException($"The time-stamping authority {Url} cannot be reached: {e.Message}", e);
            }
        }

        TimeStampResponse reply;
        try
        {
            reply = new TimeStampResponse(body);
        }
        catch (Exception e) when (e is IOException or ArgumentException or InvalidCastException or InvalidOperationException or TspException)
        {
            throw new TimestampException($"The time-stamping authority {Url} sent something that is not a TimeStampResp ({body.Length} bytes).", e);
        }
        // PKIStatus granted (0) or grantedWithMods (1) carry a token (RFC 3161 § 2.4.2).
        if (reply.Status is not 0 and not 1 || reply.TimeStampToken is null)
        {
            var failure = reply.GetFailInfo() is { } info ? $" (failInfo {info.IntValue})" : "";
            throw new TimestampException($"The time-stamping authority {Url} refused the request: status {reply.Status}{failure}: {reply.GetStatusString() ?? "no reason given"}.");
        }
        try
        {
            reply.Validate(request);
        }
        catch (TspException e)
        {
            throw new TimestampException($"The reply of the time-stamping authority {Url} does not match the request: {e.Message}", e);
        }

        // Integrity, not trust: the token is signed by the certificate it names (ESS), which has the
        // critical EKU timeStamping and was valid at genTime. Trust in that certificate is the validator's job.
        var token = reply.TimeStampToken;
        var named = token.GetCertificates().EnumerateMatches(token.SignerID).FirstOrDefault()
            ?? throw new TimestampException($"The token from {Url} does not include the TSA certificate although certReq was set.");
        if (_signers.Count >= MaxCachedSigners) _signers.Clear();
        var signer = _signers.GetOrAdd(Convert.ToHexString(SHA256.HashData(named.GetEncoded())), _ => named);
        try
        {
            token.Validate(signer);
        }
        catch (Exception e) when (e is TspException or Org.BouncyCastle.Security.Certificates.CertificateException)
        {
            throw new TimestampException($"The token from {Url} does not verify: {e.Message}", e);
        }
        return token.GetEncoded();
    }

    public void Dispose()
    {
        if (_ownsHttp)
            _http.Dispose();
    }
}
