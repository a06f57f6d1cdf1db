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

    private TrustServices(DevelopmentPki? pki, DevelopmentTrustResponder? responder, ITimestampAuthority timestamps, RevocationFetcher fetcher,
        IReadOnlyList<X509Certificate> anchors, string anchorsPem, HttpValidationDataSource validationSource, ReloadableTrustStore? store)
    {
        Store = store;
        _fixedStore = store is null ? TrustStore.FromCertificates(anchors, pki is null ? "Signing:TrustAnchorsFile" : "development root") : null;
        ValidationSource = validationSource;
        Pki = pki;
        DevelopmentServices = responder;
        Timestamps = timestamps;
        _fetcher = fetcher;
        _anchors = anchors;
        _anchorsPem = anchorsPem;
    }

    public DevelopmentPki? Pki { get; }

    /// <summary>Demo mode: the development TSA, OCSP responder and CRLs, with the faults switched on
    /// (<c>Certification:DemoSetup:Faults</c>, or a test through <see cref="DevelopmentTrustResponder.Faults"/>).</summary>
    public DevelopmentTrustResponder? DevelopmentServices { get; }

    /// <summary>The TSA, then the alternates in order (<see cref="FailoverTimestampAuthority"/>), each over the
    /// resilient HTTP client and watched by <see cref="TrustServiceHealth"/>.</summary>
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
    /// certificates, timestamps, OCSP responses and the revocation cache agree on what "now" is. Outside demo
    /// mode the URLs are the configured ones; in demo mode the development PKI's, answered in-process (through
    /// the same resilient clients, so injected faults meet the same timeouts, retries and circuits).</summary>
    public static TrustServices Create(IOptions<CertificationOptions> options, DataDirectory data, PublicBaseUrl baseUrl, TimeProvider clock,
        TrustServiceHealth health, ILogger<TrustServices> log)
    {
        var o = options.Value;
        DevelopmentPki? pki = null;
        DevelopmentTrustResponder? responder = null;
        Func<HttpMessageHandler> network = () => new HttpClientHandler();
        IReadOnlyList<X509Certificate> anchors;
        string pem;
        Uri timestampUrl;
        var store = string.IsNullOrWhiteSpace(o.Trust.StoreDirectory) ? null : new ReloadableTrustStore(new TrustStoreDirectory(o.Trust.StoreDirectory), clock);
        if (o.Demo)
        {
            var password = Convert.ToBase64String(data.GetOrCreateSecret("pki-password"));
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
            var faults = TrustServiceFault.ParseList(o.DemoSetup.Faults);
            if (faults.Count > 0) log.LogWarning("Injecting faults into the development trust services: {Faults}", string.Join(", ", faults));
            responder = new DevelopmentTrustResponder(pki, new TrustServiceFaults(faults), clock);
            var developmentResponder = responder;
            network = () => new DevelopmentPkiHandler(developmentResponder);
            anchors = [pki.Root.Certificate];
            pem = pki.RootsPem;
            timestampUrl = pki.TimestampUrl;
        }
        else
        {
            if (string.IsNullOrWhiteSpace(o.Signing.TimestampUrl) || (string.IsNullOrWhiteSpace(o.Signing.TrustAnchorsFile) && store is null))
                throw new OptionsValidationException(CertificationOptions.Section, typeof(CertificationOptions),
                    ["Outside demo mode Certification:Signing:TimestampUrl and Certification:Signing:TrustAnchorsFile (or Certification:Trust:StoreDirectory) are required."]);
            pem = store is null ? File.ReadAllText(o.Signing.TrustAnchorsFile!) : "";
            anchors = new X509CertificateParser().ReadCertificates(System.Text.Encoding.ASCII.GetBytes(pem)).ToList();
            timestampUrl = new Uri(o.Signing.TimestampUrl);
        }

        var resilience = o.TrustServices;
        // The library clients' own time limit only backs up the pipeline's total timeout.
        var clientTimeout = resilience.TotalTimeout + TimeSpan.FromSeconds(1);
        var timestampHttp = TrustServiceHttp.Create(TrustServiceNames.Timestamp, network(), resilience, health);
        var timestamps = new[] { timestampUrl }.Concat(o.Signing.AlternateTimestampUrls.Select(u => new Uri(u)))
            .Select(url =>
            {
                health.Register(TrustServiceNames.Timestamp, url);
                return (ITimestampAuthority)new MonitoredTimestampAuthority(new HttpTimestampClient(url, timestampHttp, clientTimeout), health);
            }).ToList();
        var fetcher = new RevocationFetcher(TrustServiceHttp.Create(TrustServiceNames.Revocation, network(), resilience, health), new RevocationFetcherOptions
        {
            Timeout = clientTimeout,
            MaxResponseBytes = resilience.MaxResponseBytes,
            // Evidence for the office's own certificates is reused while fresh, at most RevocationMaximumAge.
            MaximumCacheAge = o.Signing.RevocationMaximumAge,
            OnExchange = (url, problem) =>
            {
                if (problem is null) health.Succeeded(TrustServiceNames.Revocation, url);
                else health.Failed(TrustServiceNames.Revocation, url, problem);
            },
        }, clock);
        // Verification lookups for uploaded files: resilient too, but outside the signing dependencies' health.
        var allowed = new AllowListHandler(uri => (pki is not null && uri.AbsoluteUri.StartsWith(pki.BaseUrl.AbsoluteUri, StringComparison.OrdinalIgnoreCase))
                                                  || IsAllowedHost(uri, o.Signing.RevocationHosts), network());
        var validation = new HttpValidationDataSource(TrustServiceHttp.Create("verification-lookups", allowed, resilience, health), clientTimeout, resilience.MaxResponseBytes);
        return new TrustServices(pki, responder, timestamps.Count == 1 ? timestamps[0] : new FailoverTimestampAuthority(timestamps), fetcher, anchors, pem, validation, store);
    }

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
