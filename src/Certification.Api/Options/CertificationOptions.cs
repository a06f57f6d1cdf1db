using System.ComponentModel.DataAnnotations;

namespace Certification.Api.Options;

/// <summary>The <c>Certification</c> configuration section (environment: <c>Certification__Name</c>).
/// Every setting, its default and meaning is listed in docs/service.md.</summary>
public sealed class CertificationOptions
{
    public const string Section = "Certification";

    /// <summary>Where the SQLite database, the blob store, the keys and the demo PKI live.</summary>
    [Required]
    public string DataDirectory { get; set; } = "./data";

    /// <summary>Base URL printed in QR codes and links, and (demo) the base of the PKI's AIA/CRL/OCSP/TSA
    /// URLs. Default: the first URL the server listens on.</summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>Demo mode: development PKI, TSA, OCSP and CRL served by this process; seeded offices and users.</summary>
    public bool Demo { get; set; } = true;

    public DatabaseOptions Database { get; set; } = new();
    public BlobOptions Blobs { get; set; } = new();
    public OperationsOptions Operations { get; set; } = new();
    public HsmOptions Hsm { get; set; } = new();
    public SigningOptions Signing { get; set; } = new();
    public DemoOptions DemoSetup { get; set; } = new();
    public LimitOptions Limits { get; set; } = new();
    public FeeOptions Fees { get; set; } = new();
    public AuthOptions Auth { get; set; } = new();
    public ArchiveOptions Archive { get; set; } = new();
    public TrustServiceOptions TrustServices { get; set; } = new();
    public StartupOptions Startup { get; set; } = new();
    public TrustOptions Trust { get; set; } = new();
    public ReportOptions Reports { get; set; } = new();
    public RemoteSigningOptions RemoteSigning { get; set; } = new();
    public ReadingOptions Reading { get; set; } = new();
    public VerificationOptions Verification { get; set; } = new();

    /// <summary>AES-256 key (base64, 32 bytes) that encrypts PKCS#12 signing identities at rest.
    /// In demo mode a key is generated into DataDirectory/keys when absent; otherwise required.</summary>
    public string? KeyEncryptionKey { get; set; }

    public string FullDataDirectory => Path.GetFullPath(DataDirectory);
}

/// <summary>How uploaded PDFs are verified (docs/service.md § Verification).</summary>
public sealed class VerificationOptions
{
    /// <summary>The longest a validation result is reused for the same bytes under the same trust store (sooner when a
    /// certificate, or revocation data it relied on, stops being current). The registry status is never cached.
    /// Default 10 minutes, like <see cref="SigningOptions.RevocationMaximumAge"/>; zero turns the cache off.</summary>
    public TimeSpan ResultCacheMaxAge { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How many validation results are kept at most (the least recently used go first). Default 10,000.</summary>
    [Range(1, int.MaxValue)]
    public int ResultCacheEntries { get; set; } = 10_000;
}

/// <summary>Remote signing through a CSC API v2 provider (docs/remote-signing.md): which officers and office seals sign
/// with a credential held by the provider.</summary>
public sealed class RemoteSigningOptions
{
    /// <summary>The provider's CSC API base (ending in <c>/csc/v2/</c>). Unset in demo mode: the development provider
    /// this process serves under <c>/csc/v2/</c>.</summary>
    public string? ProviderUrl { get; set; }

    /// <summary>The provider's OAuth 2.0 base when it is not <see cref="ProviderUrl"/>.</summary>
    public string? OAuth2Url { get; set; }

    public string ClientId { get; set; } = "certification-service";

    /// <summary>The client secret issued by the provider: from configuration or the environment
    /// (<c>Certification__RemoteSigning__ClientSecret</c>) only, never logged. Demo mode generates one per start.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>Officer user name → the provider's credentialID of that officer's personal certificate.</summary>
    public Dictionary<string, string> Officers { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Office code → the credentialID of the office seal (client credentials, no approval).</summary>
    public Dictionary<string, string> Seals { get; set; } = new(StringComparer.Ordinal);

    /// <summary>How long the officer has to approve on the phone before the request ends (no number taken).</summary>
    public TimeSpan ApprovalTimeout { get; set; } = TimeSpan.FromMinutes(2);

    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Demo provider only: a pending request approves itself after this delay; unset, it waits for the
    /// approval page or <c>certification pki approve</c>.</summary>
    public TimeSpan? DevelopmentApprovalDelay { get; set; }

    /// <summary>Timeouts, retries and the circuit breaker of the calls to the provider (docs/reliability.md). Each call
    /// is one short exchange: the officer's approval is waited for by polling, bounded by <see cref="ApprovalTimeout"/>
    /// alone, so these limits never cut it. Longer than the trust services' defaults, since a provider's HSM and
    /// OAuth 2.0 server may take seconds. A provider that holds signHash until the approval (operation mode S) would
    /// need an <c>AttemptTimeout</c> above <see cref="ApprovalTimeout"/>; this service always asks for mode A.</summary>
    public TrustServiceOptions Resilience { get; set; } = new() { AttemptTimeout = TimeSpan.FromSeconds(30), TotalTimeout = TimeSpan.FromSeconds(60) };

    public override string ToString() => $"RemoteSigningOptions({ProviderUrl ?? "development"}, client {ClientId})";
}

/// <summary>Reading scans for the officer (docs/service.md § Reading scans): the quality gate (also applied when
/// certifying), OCR proposals and duplicate originals.</summary>
public sealed class ReadingOptions
{
    /// <summary>Tesseract: executable, languages (<c>vie</c>), time limit per page, memory bound, concurrency, pages read.</summary>
    public Certification.Signing.Documents.Reading.OcrOptions Ocr { get; set; } = new();

    /// <summary>Warning and refusal thresholds of each measure.</summary>
    public Certification.Signing.Documents.Reading.QualityThresholds Quality { get; set; } = new();

    /// <summary>The document kinds proposed by title; when empty, the common ones (<c>DocumentKind.Common</c>).</summary>
    public List<Certification.Signing.Documents.Reading.DocumentKind> DocumentTypes { get; set; } = [];

    public DuplicateOptions Duplicates { get; set; } = new();
}

public sealed class DuplicateOptions
{
    /// <summary><c>Office</c> (copies of the same office) or <c>Province</c> (of any office in its province).</summary>
    public string Scope { get; set; } = "Office";

    /// <summary>Largest Hamming distance (of 256 bits) at which a page is taken for a page certified before.</summary>
    [Range(0, 128)]
    public int MaxDistance { get; set; } = Certification.Signing.Documents.Reading.PerceptualHash.DuplicateDistance;
}

/// <summary>The trust store (docs/trust.md).</summary>
public sealed class TrustOptions
{
    /// <summary>A trust store directory written by <c>certification trust import</c> (anchors per purpose, trusted
    /// lists with their operator certificates). Reloaded without a restart by <c>POST /api/v1/admin/trust/reload</c>.
    /// When unset, <c>Signing:TrustAnchorsFile</c> (or, in demo mode, the development root) is trusted for every purpose.</summary>
    public string? StoreDirectory { get; set; }
}

/// <summary>The sealed PDF validation report (<c>Accept: application/pdf</c> on the verification endpoint).</summary>
public sealed class ReportOptions
{
    /// <summary>PKCS#12 file of the service's own seal. In demo mode a development seal is issued by the demo PKI
    /// into DataDirectory/pki/verification-service.p12 when absent.</summary>
    public string? SealKeyFile { get; set; }

    /// <summary>Its password (configuration or environment <c>Certification__Reports__SealKeyPassword</c>; never logged).</summary>
    public string? SealKeyPassword { get; set; }

    /// <summary>The name printed on the report as the validating service.</summary>
    public string ServiceName { get; set; } = "Dịch vụ chứng thực bản sao điện tử / Certified copy service";
}

public sealed class DatabaseOptions
{
    /// <summary><c>Sqlite</c> (default) or <c>Postgres</c> (then <c>ConnectionStrings:Certification</c> is required).</summary>
    public string Provider { get; set; } = "Sqlite";
}

public sealed class BlobOptions
{
    /// <summary><c>FileSystem</c> (default: DataDirectory/blobs, or <see cref="Path"/>, which several nodes may share)
    /// or <c>Postgres</c> (a table of content-addressed blobs; <c>ConnectionStrings:CertificationBlobs</c>, else
    /// <c>ConnectionStrings:Certification</c>).</summary>
    public string Provider { get; set; } = "FileSystem";

    /// <summary>FileSystem: the blob directory (default DataDirectory/blobs).</summary>
    public string? Path { get; set; }

    /// <summary>At start, unreferenced blobs older than this are deleted (a crash's leftovers). Default 0 with one
    /// node on a private FileSystem store, 10 minutes with Postgres: another node's copy about to commit is young.</summary>
    public TimeSpan? OrphanGracePeriod { get; set; }
}

public sealed class HsmOptions
{
    /// <summary>Office seals whose key lives in a PKCS#11 token (HSM): indexed entries
    /// <c>Certification__Hsm__OfficeSeals__0__OfficeCode</c>, <c>…__Module</c>, <c>…__TokenLabel</c>, <c>…__KeyLabel</c>,
    /// <c>…__Pin</c> (or from the environment; never logged nor stored in the database).</summary>
    public List<HsmOfficeSeal> OfficeSeals { get; set; } = [];
}

public sealed class HsmOfficeSeal
{
    public string OfficeCode { get; set; } = "";
    /// <summary>Path of the PKCS#11 module, e.g. /usr/lib/softhsm/libsofthsm2.so.</summary>
    public string Module { get; set; } = "";
    public string TokenLabel { get; set; } = "";
    /// <summary>CKA_LABEL of the private key; its certificate chain is read from the token.</summary>
    public string KeyLabel { get; set; } = "";
    /// <summary>The user PIN (configuration or environment).</summary>
    public string? Pin { get; set; }
}

public sealed class OperationsOptions
{
    /// <summary>OTLP endpoint for metrics and traces (e.g. http://collector:4317); nothing is exported when unset.
    /// The standard OTEL_EXPORTER_OTLP_ENDPOINT variable works too.</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>Logs the per-stage durations of certifications and verifications when the service stops
    /// (<see cref="Features.Health.StageTimings"/>); for load runs. Default off.</summary>
    public bool StageTimings { get; set; }
}

public sealed class SigningOptions
{
    /// <summary>PAdES level of the office signature: B-B, B-T, B-LT (default) or B-LTA.</summary>
    public string Level { get; set; } = "B-LT";

    /// <summary>RFC 3161 TSA URL outside demo mode.</summary>
    public string? TimestampUrl { get; set; }

    /// <summary>Further RFC 3161 TSAs, asked in order when the one before gives no token (in demo mode too; the
    /// demo PKI serves a second endpoint at <c>{PublicBaseUrl}tsa2</c>).</summary>
    public List<string> AlternateTimestampUrls { get; set; } = [];

    /// <summary>PEM bundle of trust anchors outside demo mode (the demo uses its development root).</summary>
    public string? TrustAnchorsFile { get; set; }

    /// <summary>Hosts whose CRL/OCSP/CA-certificate URLs the public verification endpoint may fetch when a
    /// file lacks embedded revocation data (e.g. the national CA's responders). Anything else stays
    /// offline, so an uploaded PDF cannot make the service call arbitrary addresses. The demo PKI is
    /// always answered in-process.</summary>
    public List<string> RevocationHosts { get; set; } = [];

    /// <summary>The longest the OCSP responses and CRLs for the service's own signing certificates are reused before
    /// they are fetched again (sooner at their nextUpdate): the revocation data embedded in a copy is never older,
    /// and a revoked office certificate is noticed within it. Default 10 minutes.</summary>
    public TimeSpan RevocationMaximumAge { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long a two-step (external) signature may wait for the signer; then the session ends (no number was taken).</summary>
    public TimeSpan ExternalSigningTimeout { get; set; } = TimeSpan.FromMinutes(15);
}

/// <summary>How outbound calls to the TSA, OCSP responders and CRL distribution points are made resilient
/// (docs/reliability.md): per attempt a timeout, bounded retries with jitter (every call is a read or a
/// time-stamp request, safe to repeat), a circuit breaker per endpoint, and a total time limit.</summary>
public sealed class TrustServiceOptions
{
    /// <summary>One HTTP exchange.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>All attempts of one call, retries and their delays included.</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Retries after a failed attempt (connection error, timeout, 5xx, 408, 429, cut body).</summary>
    [Range(0, 5)]
    public int MaxRetries { get; set; } = 2;

    /// <summary>First retry delay; it doubles per retry, with jitter.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>An endpoint's circuit opens when at least this share of its calls failed in <see cref="SamplingDuration"/>…</summary>
    [Range(0.01, 1.0)]
    public double FailureRatio { get; set; } = 0.5;

    /// <summary>…and it saw at least this many calls.</summary>
    [Range(2, 1000)]
    public int MinimumThroughput { get; set; } = 4;

    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>An open circuit refuses calls for this long (no waiting on a dead service), then lets one through.
    /// Also the Retry-After of a refused certification when no circuit tells a shorter time.</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>CRLs and OCSP responses larger than this are refused.</summary>
    [Range(1024, 1L << 32)]
    public long MaxResponseBytes { get; set; } = 16 * 1024 * 1024;
}

/// <summary>Checks at start that this node can do its work.</summary>
public sealed class StartupOptions
{
    /// <summary>When a signing identity or the token-signing key cannot be opened with this node's settings
    /// (a <c>KeyEncryptionKey</c> or <c>TokenSigningKey</c> that differs from the other nodes'), refuse to start
    /// instead of logging the setting to fix and answering <c>signing-key-unavailable</c>.</summary>
    public bool RefuseUnopenableKeys { get; set; }
}

/// <summary>The long-term archive job (docs/scaling.md § Long-term archive).</summary>
public sealed class ArchiveOptions
{
    /// <summary>Runs the job in this process: a pass at start, then every <see cref="Interval"/>. Every node may
    /// run it; a copy's extension is committed only by the node whose compare-and-set on its version wins.</summary>
    public bool Enabled { get; set; } = true;

    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(6);

    /// <summary>A copy is extended once its protection ends within this. A year leaves room for months of TSA
    /// or OCSP outages, a job switched off by mistake, or alarms nobody answered, before anything lapses; it
    /// costs nothing extra, since each extension lasts until the renewed TSA certificate expires.</summary>
    public TimeSpan RenewBefore { get; set; } = TimeSpan.FromDays(365);

    /// <summary>Copies read per query (one PDF is in memory at a time).</summary>
    [Range(1, 100_000)]
    public int BatchSize { get; set; } = 100;

    /// <summary>An extended copy's previous version is deleted from the blob store after this: it is a byte prefix
    /// of the new version (nothing is lost) and verification recognises it by its hash, so keeping it would only
    /// store the whole copy again per extension. The delay lets downloads that started on it finish.</summary>
    public TimeSpan KeepPreviousVersionsFor { get; set; } = TimeSpan.FromDays(1);
}

public sealed class DemoOptions
{
    /// <summary>Key type of the development PKI's intermediates and leaves: Rsa2048 (default) or EcdsaP256 (fast, for tests).</summary>
    public string KeyAlgorithm { get; set; } = "Rsa2048";

    /// <summary>Key type of the development root: Rsa3072 (default) or EcdsaP256.</summary>
    public string RootKeyAlgorithm { get; set; } = "Rsa3072";

    /// <summary>Prints the banner with the URL and the demo credentials.</summary>
    public bool PrintBanner { get; set; } = true;

    /// <summary>Faults injected into the in-process development trust services from the start, in the syntax of
    /// <c>pki serve --faults</c> (e.g. <c>tsa:500,ocsp:stale</c>); for tests and drills, never in production.</summary>
    public string? Faults { get; set; }

    /// <summary>Further notary offices (DEMO-VPCC02, …), each with its notary (officer.notary2, …) and seal, for load
    /// runs across several books (benchmarks/service-bench.sh). Default none.</summary>
    [Range(0, 50)]
    public int ExtraNotaryOffices { get; set; }
}

public sealed class LimitOptions
{
    /// <summary>Largest request body, bytes (default 100 MiB).</summary>
    [Range(1024, long.MaxValue)]
    public long MaxRequestBytes { get; set; } = 100L * 1024 * 1024;

    /// <summary>Most files in one certification or dossier.</summary>
    [Range(1, 1000)]
    public int MaxFiles { get; set; } = 50;

    /// <summary>Anonymous verifications per minute per client address.</summary>
    [Range(1, int.MaxValue)]
    public int VerificationsPerMinute { get; set; } = 60;

    /// <summary>Verifications per minute per API client.</summary>
    [Range(1, int.MaxValue)]
    public int ApiClientVerificationsPerMinute { get; set; } = 6000;

    /// <summary>Access-code lookups (citizens' downloads) per minute per client address.</summary>
    [Range(1, int.MaxValue)]
    public int CopyLookupsPerMinute { get; set; } = 60;

    /// <summary>Sign-in attempts per minute per client address.</summary>
    [Range(1, int.MaxValue)]
    public int SignInsPerMinute { get; set; } = 30;

    /// <summary>Wrong passwords in a row before an account is locked for <see cref="LockoutDuration"/>.</summary>
    [Range(1, 100)]
    public int MaxFailedSignIns { get; set; } = 5;

    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>Circular 226/2016: 2,000 VND per page for pages 1–2, 1,000 VND from page 3, at most 200,000 VND.
/// Offices with <c>FeesWaived</c> charge nothing.</summary>
public sealed class FeeOptions
{
    public long FirstPagesFee { get; set; } = 2000;
    public int FirstPages { get; set; } = 2;
    public long LaterPageFee { get; set; } = 1000;
    public long MaximumFee { get; set; } = 200000;
}

public sealed class AuthOptions
{
    /// <summary>HMAC key (base64, at least 32 bytes) for bearer tokens; generated into DataDirectory/keys when absent.</summary>
    public string? TokenSigningKey { get; set; }

    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(1);

    public string Issuer { get; set; } = "certification";

    /// <summary>OpenID Connect for a provincial SSO; off when Authority is empty.</summary>
    public OidcOptions Oidc { get; set; } = new();
}

public sealed class OidcOptions
{
    public string? Authority { get; set; }
    public string? ClientId { get; set; }
    public string? ClientSecret { get; set; }

    /// <summary>The claim that carries the officer's user name in this service.</summary>
    public string UserNameClaim { get; set; } = "preferred_username";

    public bool Enabled => !string.IsNullOrWhiteSpace(Authority) && !string.IsNullOrWhiteSpace(ClientId);
}
