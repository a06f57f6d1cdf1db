using System.Net;
using Certification.Api.Options;
using Certification.Signing.Pki;
using Certification.Signing.Revocation;
using Certification.Signing.Timestamps;
using Certification.Signing.Trust;
using Certification.Signing.Validation.Policy;
using Microsoft.Extensions.Options;
using Org.BouncyCastle.X509;

namespace Certification.Api.Infrastructure;

/// <summary>
/// What signing and verification rely on: the timestamp authority, revocation evidence and trust anchors.
/// In demo mode these come from a development PKI generated on first start under <c>DataDirectory/pki</c>
/// whose base URL is the service's public base URL, so the AIA, CRL and OCSP URLs in its certificates point
/// at this very process (see <c>PkiApi</c>). The service itself reaches them in-process, without a socket.
/// </summary>
public sealed class TrustServices : IDisposable
{
    private readonly RevocationFetcher _fetcher;

    private TrustServices(DevelopmentPki? pki, ITimestampAuthority timestamps, RevocationFetcher fetcher, IReadOnlyList<X509Certificate> anchors, string anchorsPem,
        HttpValidationDataSource validationSource, ReloadableTrustStore? store)
    {
        Store = store;
        _fixedStore = store is null ? TrustStore.FromCertificates(anchors, pki is null ? "Signing:TrustAnchorsFile" : "development root") : null;
        ValidationSource = validationSource;
        Pki = pki;
        Timestamps = timestamps;
        _fetcher = fetcher;
        _anchors = anchors;
        _anchorsPem = anchorsPem;
        if (pki is not null)
        {
            DevelopmentTimestamps = (DevelopmentTimestampAuthority)timestamps;
            DevelopmentRevocation = new DevelopmentRevocationAuthority(pki);
        }
    }

    public DevelopmentPki? Pki { get; }
    public DevelopmentTimestampAuthority? DevelopmentTimestamps { get; }
    public DevelopmentRevocationAuthority? DevelopmentRevocation { get; }
    public ITimestampAuthority Timestamps { get; }
    public IRevocationSource Revocation => _fetcher;
    private readonly IReadOnlyList<X509Certificate> _anchors;
    private readonly string _anchorsPem;

    /// <summary>Every certificate trusted for some purpose (the store's current ones when a store is configured).</summary>
    public IReadOnlyList<X509Certificate> Anchors => Store is null ? _anchors : Store.Current.CertificatesFor(Enum.GetValues<TrustPurpose>());

    /// <summary><see cref="Anchors"/> as a PEM bundle.</summary>
    public string AnchorsPem => Store is null ? _anchorsPem : string.Concat(Anchors.Select(DevelopmentPki.Pem));

    private readonly TrustStore? _fixedStore;

    /// <summary>The reloadable store of <see cref="TrustOptions.StoreDirectory"/>, when configured.</summary>
    public ReloadableTrustStore? Store { get; }

    /// <summary>The store verifications use now: the directory's (replaced on reload), or the configured anchors for every purpose.</summary>
    public TrustStore TrustStore => Store?.Current ?? _fixedStore!;

    /// <summary>Where verification looks up missing revocation data: the demo PKI in-process and the
    /// configured <see cref="SigningOptions.RevocationHosts"/>; every other URL is refused.</summary>
    public HttpValidationDataSource ValidationSource { get; }

    /// <summary>How the service validates (verifications, and the archive job checking what it extended):
    /// its anchors, missing data looked up only through <see cref="ValidationSource"/>.</summary>
    public ValidationOptions ValidationOptions(DateTimeOffset at) =>
        new() { TrustStore = TrustStore, Offline = false, OnlineSource = ValidationSource, ValidationTime = at };

    /// <summary>Everything runs on <paramref name="clock"/> (the service's <see cref="TimeProvider"/>): demo
    /// certificates, timestamps, OCSP responses and the revocation cache agree on what "now" is.</summary>
    public static TrustServices Create(IOptions<CertificationOptions> options, DataDirectory data, PublicBaseUrl baseUrl, TimeProvider clock, ILogger<TrustServices> log)
    {
        var o = options.Value;
        var store = string.IsNullOrWhiteSpace(o.Trust.StoreDirectory) ? null : new ReloadableTrustStore(new TrustStoreDirectory(o.Trust.StoreDirectory), clock);
        if (o.Demo)
        {
            var password = Convert.ToBase64String(data.GetOrCreateSecret("pki-password"));
            DevelopmentPki pki;
            if (File.Exists(Path.Combine(data.Pki, "pki.json")))
            {
                pki = DevelopmentPki.Load(data.Pki, password, clock);
            }
            else
            {
                log.LogInformation("Generating the development PKI for {BaseUrl}", baseUrl.Value);
                pki = DevelopmentPki.Create(baseUrl.Value, clock,
                    rootKey: Enum.Parse<KeyAlgorithm>(o.DemoSetup.RootKeyAlgorithm, ignoreCase: true),
                    otherKeys: Enum.Parse<KeyAlgorithm>(o.DemoSetup.KeyAlgorithm, ignoreCase: true));
                pki.Save(data.Pki, password);
            }
            var revocation = new DevelopmentRevocationAuthority(pki);
            var http = new HttpClient(new DevelopmentPkiHandler(pki, revocation)) { Timeout = Timeout.InfiniteTimeSpan };
            var fetcher = new RevocationFetcher(http, FetcherOptions(o), clock);
            var allowed = new AllowListHandler(uri => uri.AbsoluteUri.StartsWith(pki.BaseUrl.AbsoluteUri, StringComparison.OrdinalIgnoreCase) || IsAllowedHost(uri, o.Signing.RevocationHosts),
                new DevelopmentPkiHandler(pki, revocation));
            return new TrustServices(pki, new DevelopmentTimestampAuthority(pki.TimestampAuthority, clock), fetcher, [pki.Root.Certificate], pki.RootsPem,
                new HttpValidationDataSource(new HttpClient(allowed)), store);
        }

        if (string.IsNullOrWhiteSpace(o.Signing.TimestampUrl) || (string.IsNullOrWhiteSpace(o.Signing.TrustAnchorsFile) && store is null))
            throw new OptionsValidationException(CertificationOptions.Section, typeof(CertificationOptions),
                ["Outside demo mode Certification:Signing:TimestampUrl and Certification:Signing:TrustAnchorsFile (or Certification:Trust:StoreDirectory) are required."]);
        var pem = store is null ? File.ReadAllText(o.Signing.TrustAnchorsFile!) : "";
        var anchors = new X509CertificateParser().ReadCertificates(System.Text.Encoding.ASCII.GetBytes(pem)).ToList();
        var online = new AllowListHandler(uri => IsAllowedHost(uri, o.Signing.RevocationHosts), new HttpClientHandler());
        return new TrustServices(null, new HttpTimestampClient(new Uri(o.Signing.TimestampUrl)), new RevocationFetcher(options: FetcherOptions(o), clock: clock), anchors, pem,
            new HttpValidationDataSource(new HttpClient(online)), store);
    }

    /// <summary>Evidence for the office's own certificates is reused while fresh, at most <see cref="SigningOptions.RevocationMaximumAge"/>.</summary>
    private static RevocationFetcherOptions FetcherOptions(CertificationOptions o) =>
        new() { Timeout = TimeSpan.FromSeconds(10), MaximumCacheAge = o.Signing.RevocationMaximumAge };

    private static bool IsAllowedHost(Uri uri, IReadOnlyCollection<string> hosts) =>
        hosts.Any(h => string.Equals(h, uri.Host, StringComparison.OrdinalIgnoreCase));

    public void Dispose()
    {
        _fetcher.Dispose();
        ValidationSource.Dispose();
    }

    /// <summary>Refuses (403) any URL the predicate does not allow, before a connection is made.</summary>
    private sealed class AllowListHandler(Func<Uri, bool> allowed, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct) =>
            request.RequestUri is { } uri && allowed(uri)
                ? base.SendAsync(request, ct)
                : Task.FromResult(new HttpResponseMessage(HttpStatusCode.Forbidden) { RequestMessage = request });
    }
}

/// <summary>The base URL for links, QR codes and (demo) the PKI: <c>Certification:PublicBaseUrl</c>, else
/// the first URL of <c>ASPNETCORE_URLS</c>/<c>urls</c>, else Kestrel's default http://localhost:5000.
/// Always ends with '/'.</summary>
public sealed class PublicBaseUrl
{
    public PublicBaseUrl(IOptions<CertificationOptions> options, IConfiguration configuration)
    {
        var configured = options.Value.PublicBaseUrl;
        if (string.IsNullOrWhiteSpace(configured))
        {
            var first = (configuration["urls"] ?? configuration["ASPNETCORE_URLS"] ?? "http://localhost:5000")
                .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "http://localhost:5000";
            // Wildcard hosts are for binding; links need a name.
            configured = first.Replace("://+", "://localhost").Replace("://*", "://localhost").Replace("://0.0.0.0", "://localhost").Replace("://[::]", "://localhost");
        }
        Value = new Uri(configured.EndsWith('/') ? configured : configured + "/");
    }

    public Uri Value { get; }

    public Uri Resolve(string relative) => new(Value, relative);
}
