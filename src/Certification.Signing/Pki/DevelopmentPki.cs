using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Certification.Signing.Revocation;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Ocsp;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.X509;
using Org.BouncyCastle.X509.Extension;
using BcCertificate = Org.BouncyCastle.X509.X509Certificate;

namespace Certification.Signing.Pki;

/// <summary>
/// A development PKI: a root, a "government" intermediate for public-duty signatures (commune certifiers
/// and office seals), a "public" intermediate for notaries, a time-stamping authority, OCSP responders,
/// and demo signers. Everything it makes says DEVELOPMENT in its names; nothing it makes may be trusted
/// outside development and tests.
/// </summary>
/// <remarks>
/// Layout of the certificates (validity counted from the creation time):
/// <code>
/// DEVELOPMENT Certification Root CA (RSA 3072, 20 y)        crl/root.crl, certs/root.crt
/// ├── DEVELOPMENT Government CA (RSA 2048, 20 y)           crl/government-ca.crl
/// │   ├── officer: Nguyễn Văn An (DEVELOPMENT)              3 y, digitalSignature + nonRepudiation
/// │   ├── office:  UBND phường Demo (DEVELOPMENT)           3 y, the office's electronic seal
/// │   ├── tsa:     DEVELOPMENT Time-Stamping Authority       10 y, EKU timeStamping (critical)
/// │   └── ocsp-government-ca: delegated OCSP responder       3 y, EKU OCSPSigning, ocsp-nocheck
/// └── DEVELOPMENT Public CA (RSA 2048, 20 y)               crl/public-ca.crl
///     ├── notary:  Trần Thị Bình (DEVELOPMENT)
///     └── ocsp-public-ca: delegated OCSP responder
/// </code>
/// The root answers OCSP for the intermediates itself (issuer-signed responses, RFC 6960 § 4.2.2.2).
/// </remarks>
public sealed class DevelopmentPki
{
    public const string RootSlug = "root";
    public const string GovernmentCaSlug = "government-ca";
    public const string PublicCaSlug = "public-ca";

    private const string StateFile = "pki.json";
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly object _gate = new();
    private readonly List<IssuedCertificate> _issued = [];
    private readonly List<RevocationEntry> _revocations = [];
    private readonly Dictionary<string, CertificateAuthority> _authorities = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IssuedCredential> _ocspResponders = new(StringComparer.Ordinal);
    private string? _directory;
    private DateTime _stateWriteTime;

    /// <summary>Certificates start this long before they are issued, as public CAs do, so a signer or
    /// verifier whose clock runs a little behind (or a time captured just before issuance) still sees
    /// them as valid.</summary>
    public static readonly TimeSpan ClockSkewAllowance = TimeSpan.FromHours(1);

    private DevelopmentPki(Uri baseUrl, TimeProvider clock, DateTimeOffset createdAt)
    {
        BaseUrl = baseUrl;
        Clock = clock;
        CreatedAt = createdAt;
    }

    /// <summary>Base URL under which AIA, OCSP, CRL and TSA endpoints live; always ends with '/'.</summary>
    public Uri BaseUrl { get; }

    public Uri OcspUrl => new(BaseUrl, "ocsp");

    public Uri TimestampUrl => new(BaseUrl, "tsa");

    public TimeProvider Clock { get; }

    public DateTimeOffset CreatedAt { get; }

    public CertificateAuthority Root => _authorities[RootSlug];

    /// <summary>Issues certificates for public-duty signatures: commune certifiers and office seals.</summary>
    public CertificateAuthority GovernmentCa => _authorities[GovernmentCaSlug];

    /// <summary>Issues certificates for notaries.</summary>
    public CertificateAuthority PublicCa => _authorities[PublicCaSlug];

    public IReadOnlyList<CertificateAuthority> Authorities => [Root, GovernmentCa, PublicCa];

    /// <summary>The demo commune certifier ("officer.p12").</summary>
    public IssuedCredential Officer { get; private set; } = null!;

    /// <summary>The demo commune office's electronic seal ("office.p12").</summary>
    public IssuedCredential OfficeSeal { get; private set; } = null!;

    /// <summary>The demo notary ("notary.p12"), under the Public CA.</summary>
    public IssuedCredential Notary { get; private set; } = null!;

    /// <summary>The time-stamping authority (EKU timeStamping, critical, as RFC 3161 § 2.3 requires).</summary>
    public IssuedCredential TimestampAuthority { get; private set; } = null!;

    /// <summary>The delegated OCSP responder of the Government CA.</summary>
    public IssuedCredential OcspResponder => _ocspResponders[GovernmentCaSlug];

    /// <summary>The delegated OCSP responder for certificates issued by <paramref name="issuer"/>, or
    /// <c>null</c> when the issuer signs its OCSP responses itself (the root).</summary>
    public IssuedCredential? OcspResponderFor(CertificateAuthority issuer) =>
        _ocspResponders.GetValueOrDefault(issuer.Slug);

    /// <summary>PEM of the trust anchor (the root only).</summary>
    public string RootsPem => Pem(Root.Certificate);

    public IReadOnlyList<RevocationEntry> Revocations
    {
        get { lock (_gate) return _revocations.ToList(); }
    }

    /// <summary>The directory this PKI was saved to or loaded from; revocations are written there at once.</summary>
    public string? Directory => _directory;

    /// <summary>Creates a new development PKI. Key generation takes a second or two (RSA 3072 root).</summary>
    /// <param name="baseUrl">e.g. <c>http://127.0.0.1:8790</c>; certificates point under it.</param>
    /// <param name="clock">Validity periods start at this clock's now (whole seconds); default system clock.</param>
    /// <param name="rootKey">Key type of the root (default RSA 3072).</param>
    /// <param name="otherKeys">Key type of the intermediates and leaves (default RSA 2048). ECDSA P-256 makes
    /// throwaway PKIs in tests much faster to generate.</param>
    public static DevelopmentPki Create(Uri baseUrl, TimeProvider? clock = null,
        KeyAlgorithm rootKey = KeyAlgorithm.Rsa3072, KeyAlgorithm otherKeys = KeyAlgorithm.Rsa2048)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        if (!baseUrl.IsAbsoluteUri || (baseUrl.Scheme != Uri.UriSchemeHttp && baseUrl.Scheme != Uri.UriSchemeHttps))
            throw new ArgumentException($"The base URL must be an absolute http(s) URL, not '{baseUrl}'.", nameof(baseUrl));
        clock ??= TimeProvider.System;
        var now = TruncateToSeconds(clock.GetUtcNow());
        var pki = new DevelopmentPki(NormalizeBase(baseUrl), clock, now);

        // Generate keys in parallel: RSA key generation dominates the cost.
        var keys = new Task<AsymmetricAlgorithm>[]
        {
            Task.Run(() => KeyMaterial.Generate(rootKey)),
            Task.Run(() => KeyMaterial.Generate(otherKeys)),
            Task.Run(() => KeyMaterial.Generate(otherKeys)),
        };
        Task.WaitAll(keys);

        var root = pki.IssueAuthority(RootSlug, "DEVELOPMENT Certification Root CA", keys[0].Result, null, now);
        pki.IssueAuthority(GovernmentCaSlug, "DEVELOPMENT Government CA", keys[1].Result, root, now);
        pki.IssueAuthority(PublicCaSlug, "DEVELOPMENT Public CA", keys[2].Result, root, now);

        // Leaf requests; keys generated in parallel inside IssueLeaves.
        var requests = new (CertificateAuthority Issuer, LeafRequest Request)[]
        {
            (pki.GovernmentCa, new LeafRequest("officer", "Nguyễn Văn An (DEVELOPMENT)") { Organization = "UBND phường Demo (DEVELOPMENT)" }),
            (pki.GovernmentCa, new LeafRequest("office", "UBND phường Demo (DEVELOPMENT)") { Organization = "UBND phường Demo (DEVELOPMENT)" }),
            (pki.PublicCa, new LeafRequest("notary", "Trần Thị Bình (DEVELOPMENT)") { Organization = "Văn phòng công chứng Demo (DEVELOPMENT)" }),
            (pki.GovernmentCa, new LeafRequest("tsa", "DEVELOPMENT Certification Time-Stamping Authority")
            {
                Organization = "DEVELOPMENT Certification",
                NotAfter = now.AddYears(10),
                KeyUsage = X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation,
                ExtendedKeyUsages = [KeyPurposeID.id_kp_timeStamping.Id],
                ExtendedKeyUsageCritical = true,
            }),
            (pki.GovernmentCa, OcspResponderRequest(pki.GovernmentCa)),
            (pki.PublicCa, OcspResponderRequest(pki.PublicCa)),
        };
        requests = requests.Select(r => (r.Issuer, r.Request with { KeyAlgorithm = otherKeys })).ToArray();
        var issued = requests.AsParallel().AsOrdered().Select(r => pki.IssueLeafNoPersist(r.Issuer, r.Request)).ToArray();
        pki.Officer = issued[0];
        pki.OfficeSeal = issued[1];
        pki.Notary = issued[2];
        pki.TimestampAuthority = issued[3];
        pki._ocspResponders[GovernmentCaSlug] = issued[4];
        pki._ocspResponders[PublicCaSlug] = issued[5];
        return pki;
    }

    private static LeafRequest OcspResponderRequest(CertificateAuthority issuer) =>
        new($"ocsp-{issuer.Slug}", $"DEVELOPMENT OCSP Responder ({issuer.Certificate.SubjectDN.GetValueList(X509Name.CN)[0]})")
        {
            Organization = "DEVELOPMENT Certification",
            KeyUsage = X509KeyUsageFlags.DigitalSignature,
            ExtendedKeyUsages = [KeyPurposeID.id_kp_OCSPSigning.Id],
            OcspNoCheck = true,
            IncludeRevocationPointers = false,
        };

    /// <summary>Issues an end-entity certificate (for tests: other key types, odd validity, odd key usage).
    /// The issuance is recorded, so OCSP answers "good" for it, and persisted when the PKI is bound to a directory.</summary>
    public IssuedCredential IssueLeaf(CertificateAuthority issuer, LeafRequest request)
    {
        var credential = IssueLeafNoPersist(issuer, request);
        PersistStateIfBound();
        return credential;
    }

    private IssuedCredential IssueLeafNoPersist(CertificateAuthority issuer, LeafRequest request)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        ArgumentNullException.ThrowIfNull(request);
        if (!ReferenceEquals(_authorities.GetValueOrDefault(issuer.Slug), issuer))
            throw new ArgumentException("The issuer does not belong to this PKI.", nameof(issuer));

        var key = KeyMaterial.Generate(request.KeyAlgorithm);
        var issuedAt = Clock.GetUtcNow();
        var notBefore = TruncateToSeconds(request.NotBefore ?? issuedAt - ClockSkewAllowance);
        var notAfter = TruncateToSeconds(request.NotAfter ?? issuedAt.AddYears(3));
        if (notAfter <= notBefore)
            throw new ArgumentException("NotAfter must be later than NotBefore.", nameof(request));

        var subject = Name(request.CommonName, request.Organization);
        var certificate = Build(subject, key, issuer, notBefore, notAfter, generator =>
        {
            generator.AddExtension(X509Extensions.BasicConstraints, true, new BasicConstraints(false));
            if (request.KeyUsage != X509KeyUsageFlags.None)
                generator.AddExtension(X509Extensions.KeyUsage, true, new KeyUsage((int)request.KeyUsage));
            if (request.ExtendedKeyUsages.Count > 0)
                generator.AddExtension(X509Extensions.ExtendedKeyUsage, request.ExtendedKeyUsageCritical,
                    new ExtendedKeyUsage(request.ExtendedKeyUsages.Select(o => new DerObjectIdentifier(o))));
            if (request.OcspNoCheck)
                generator.AddExtension(OcspObjectIdentifiers.PkixOcspNocheck, false, DerNull.Instance);
            if (request.IncludeRevocationPointers)
            {
                generator.AddExtension(X509Extensions.AuthorityInfoAccess, false, new AuthorityInformationAccess(
                [
                    new AccessDescription(AccessDescription.IdADCAIssuers, UriName(issuer.CertificateUrl)),
                    new AccessDescription(AccessDescription.IdADOcsp, UriName(OcspUrl)),
                ]));
                generator.AddExtension(X509Extensions.CrlDistributionPoints, false, CrlPointer(issuer.CrlUrl));
            }
        });

        var credential = new IssuedCredential(request.Name, certificate, key, [certificate, .. issuer.Chain]);
        lock (_gate)
            _issued.Add(new IssuedCertificate(issuer.Slug, certificate.SerialNumber, certificate.SubjectDN.ToString(), request.Name));
        return credential;
    }

    private CertificateAuthority IssueAuthority(string slug, string commonName, AsymmetricAlgorithm key, CertificateAuthority? issuer, DateTimeOffset now)
    {
        var subject = Name(commonName, "DEVELOPMENT Certification");
        var certificate = Build(subject, key, issuer, now - ClockSkewAllowance, now.AddYears(20), generator =>
        {
            generator.AddExtension(X509Extensions.BasicConstraints, true,
                issuer is null ? new BasicConstraints(true) : new BasicConstraints(0));
            // digitalSignature lets a CA sign OCSP responses for what it issued (RFC 6960 § 4.2.2.2).
            generator.AddExtension(X509Extensions.KeyUsage, true,
                new KeyUsage(KeyUsage.KeyCertSign | KeyUsage.CrlSign | KeyUsage.DigitalSignature));
            if (issuer is not null)
            {
                generator.AddExtension(X509Extensions.AuthorityInfoAccess, false, new AuthorityInformationAccess(
                    new AccessDescription(AccessDescription.IdADCAIssuers, UriName(issuer.CertificateUrl))));
                generator.AddExtension(X509Extensions.CrlDistributionPoints, false, CrlPointer(issuer.CrlUrl));
            }
        });
        IReadOnlyList<BcCertificate> chain = issuer is null ? [certificate] : [certificate, .. issuer.Chain];
        var authority = new CertificateAuthority(slug, certificate, key, chain, BaseUrl);
        _authorities[slug] = authority;
        lock (_gate)
            _issued.Add(new IssuedCertificate(issuer?.Slug ?? slug, certificate.SerialNumber, certificate.SubjectDN.ToString(), slug));
        return authority;
    }

    private static BcCertificate Build(X509Name subject, AsymmetricAlgorithm subjectKey, CertificateAuthority? issuer,
        DateTimeOffset notBefore, DateTimeOffset notAfter, Action<X509V3CertificateGenerator> addExtensions)
    {
        var publicKeyInfo = KeyMaterial.PublicKeyInfo(subjectKey);
        var generator = new X509V3CertificateGenerator();
        generator.SetSerialNumber(NewSerialNumber());
        generator.SetIssuerDN(issuer?.Certificate.SubjectDN ?? subject);
        generator.SetSubjectDN(subject);
        generator.SetNotBefore(notBefore.UtcDateTime);
        generator.SetNotAfter(notAfter.UtcDateTime);
        generator.SetSubjectPublicKeyInfo(publicKeyInfo);
        generator.AddExtension(X509Extensions.SubjectKeyIdentifier, false,
            X509ExtensionUtilities.CreateSubjectKeyIdentifier(publicKeyInfo));
        generator.AddExtension(X509Extensions.AuthorityKeyIdentifier, false, issuer is null
            ? X509ExtensionUtilities.CreateAuthorityKeyIdentifier(publicKeyInfo)
            : X509ExtensionUtilities.CreateAuthorityKeyIdentifier(KeyMaterial.PublicKeyInfo(issuer.PrivateKey)));
        addExtensions(generator);
        return generator.Generate(new DotNetSignatureFactory(issuer?.PrivateKey ?? subjectKey));
    }

    /// <summary>Revokes a certificate this PKI issued. Persists at once when the PKI is bound to a directory.</summary>
    /// <param name="time">Revocation time; default the clock's now.</param>
    public RevocationEntry Revoke(BigInteger serialNumber, RevocationReason reason = RevocationReason.KeyCompromise, DateTimeOffset? time = null)
    {
        ArgumentNullException.ThrowIfNull(serialNumber);
        RevocationEntry entry;
        lock (_gate)
        {
            var issued = _issued.FirstOrDefault(i => i.SerialNumber.Equals(serialNumber))
                ?? throw new ArgumentException($"This PKI issued no certificate with serial number {serialNumber.ToString(16)}.", nameof(serialNumber));
            if (issued.IssuerSlug == issued.Name && issued.Name == RootSlug)
                throw new ArgumentException("The root cannot be revoked.", nameof(serialNumber));
            var existing = _revocations.FirstOrDefault(r => r.SerialNumber.Equals(serialNumber));
            if (existing is not null)
                return existing;
            entry = new RevocationEntry(issued.IssuerSlug, serialNumber, reason, TruncateToSeconds(time ?? Clock.GetUtcNow()));
            _revocations.Add(entry);
        }
        PersistStateIfBound();
        return entry;
    }

    public RevocationEntry Revoke(BcCertificate certificate, RevocationReason reason = RevocationReason.KeyCompromise, DateTimeOffset? time = null) =>
        Revoke(certificate.SerialNumber, reason, time);

    /// <summary>The revocation entry of a certificate issued by <paramref name="issuerSlug"/>, if revoked.</summary>
    public RevocationEntry? FindRevocation(string issuerSlug, BigInteger serialNumber)
    {
        lock (_gate)
            return _revocations.FirstOrDefault(r => r.IssuerSlug == issuerSlug && r.SerialNumber.Equals(serialNumber));
    }

    /// <summary>Whether <paramref name="issuerSlug"/> issued a certificate with this serial number.</summary>
    public bool HasIssued(string issuerSlug, BigInteger serialNumber)
    {
        lock (_gate)
            return _issued.Any(i => i.IssuerSlug == issuerSlug && i.SerialNumber.Equals(serialNumber));
    }

    /// <summary>The CA of this PKI whose certificate is <paramref name="slug"/>, or null.</summary>
    public CertificateAuthority? FindAuthority(string slug) => _authorities.GetValueOrDefault(slug);

    // ---------------------------------------------------------------- persistence

    /// <summary>
    /// Writes <c>roots.pem</c> (the root only), <c>intermediates.pem</c>, <c>officer.p12</c>,
    /// <c>office.p12</c>, <c>notary.p12</c> (key + full chain, PBES2/AES-256), <c>ca/*.p12</c> (CA, TSA
    /// and OCSP responder keys) and <c>pki.json</c> (base URL, issued serials, revocations), and binds the
    /// PKI to <paramref name="directory"/> so later revocations are written there too.
    /// </summary>
    public void Save(string directory, string password)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(password);
        System.IO.Directory.CreateDirectory(directory);
        var caDirectory = Path.Combine(directory, "ca");
        System.IO.Directory.CreateDirectory(caDirectory);

        File.WriteAllText(Path.Combine(directory, "roots.pem"), RootsPem, Encoding.ASCII);
        File.WriteAllText(Path.Combine(directory, "intermediates.pem"),
            Pem(GovernmentCa.Certificate) + Pem(PublicCa.Certificate), Encoding.ASCII);
        foreach (var credential in new[] { Officer, OfficeSeal, Notary })
            WritePrivate(Path.Combine(directory, credential.Name + ".p12"), credential.ExportPkcs12(password));
        foreach (var credential in Authorities.Cast<IssuedCredential>().Concat([TimestampAuthority]).Concat(_ocspResponders.Values))
            WritePrivate(Path.Combine(caDirectory, credential.Name + ".p12"), credential.ExportPkcs12(password));

        lock (_gate)
            _directory = Path.GetFullPath(directory);
        PersistStateIfBound();
    }

    /// <summary>Restores a PKI written by <see cref="Save"/>.</summary>
    /// <exception cref="FileNotFoundException">The directory holds no development PKI.</exception>
    /// <exception cref="CryptographicException">Wrong password or damaged key files.</exception>
    public static DevelopmentPki Load(string directory, string password, TimeProvider? clock = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(password);
        var statePath = Path.Combine(directory, StateFile);
        if (!File.Exists(statePath))
            throw new FileNotFoundException($"No development PKI in '{directory}' ({StateFile} is missing).", statePath);
        var state = JsonSerializer.Deserialize<PkiState>(File.ReadAllText(statePath), JsonOptions)
            ?? throw new InvalidDataException($"{statePath} is empty.");
        if (state.FormatVersion != 1)
            throw new InvalidDataException($"{statePath} has format version {state.FormatVersion}; this program reads version 1.");

        var pki = new DevelopmentPki(NormalizeBase(new Uri(state.BaseUrl)), clock ?? TimeProvider.System, state.CreatedAt);
        (AsymmetricAlgorithm Key, IReadOnlyList<BcCertificate> Chain) Read(string path) =>
            Pkcs12File.Read(File.ReadAllBytes(path), password);

        var caDirectory = Path.Combine(directory, "ca");
        foreach (var slug in new[] { RootSlug, GovernmentCaSlug, PublicCaSlug })
        {
            var (key, chain) = Read(Path.Combine(caDirectory, slug + ".p12"));
            pki._authorities[slug] = new CertificateAuthority(slug, chain[0], key, chain, pki.BaseUrl);
        }
        IssuedCredential Credential(string name, string path)
        {
            var (key, chain) = Read(path);
            return new IssuedCredential(name, chain[0], key, chain);
        }
        pki.Officer = Credential("officer", Path.Combine(directory, "officer.p12"));
        pki.OfficeSeal = Credential("office", Path.Combine(directory, "office.p12"));
        pki.Notary = Credential("notary", Path.Combine(directory, "notary.p12"));
        pki.TimestampAuthority = Credential("tsa", Path.Combine(caDirectory, "tsa.p12"));
        foreach (var slug in new[] { GovernmentCaSlug, PublicCaSlug })
            pki._ocspResponders[slug] = Credential($"ocsp-{slug}", Path.Combine(caDirectory, $"ocsp-{slug}.p12"));

        pki.ApplyState(state);
        pki._directory = Path.GetFullPath(directory);
        pki._stateWriteTime = File.GetLastWriteTimeUtc(statePath);
        return pki;
    }

    /// <summary>Re-reads issued serials and revocations from <c>pki.json</c> if another process changed it
    /// (e.g. a revocation made while <c>pki serve</c> runs).</summary>
    public void RefreshState()
    {
        string? directory;
        lock (_gate)
            directory = _directory;
        if (directory is null)
            return;
        var statePath = Path.Combine(directory, StateFile);
        var writeTime = File.GetLastWriteTimeUtc(statePath);
        lock (_gate)
        {
            if (writeTime == _stateWriteTime)
                return;
            var state = JsonSerializer.Deserialize<PkiState>(File.ReadAllText(statePath), JsonOptions);
            if (state is null)
                return;
            ApplyState(state);
            _stateWriteTime = writeTime;
        }
    }

    private void ApplyState(PkiState state)
    {
        lock (_gate)
        {
            _issued.Clear();
            _issued.AddRange(state.Issued.Select(i => new IssuedCertificate(i.Issuer, new BigInteger(i.Serial, 16), i.Subject, i.Name)));
            _revocations.Clear();
            _revocations.AddRange(state.Revocations.Select(r => new RevocationEntry(r.Issuer, new BigInteger(r.Serial, 16), r.Reason, r.Time)));
        }
    }

    private void PersistStateIfBound()
    {
        lock (_gate)
        {
            if (_directory is null)
                return;
            var state = new PkiState
            {
                FormatVersion = 1,
                BaseUrl = BaseUrl.ToString(),
                CreatedAt = CreatedAt,
                Issued = _issued.Select(i => new IssuedState(i.IssuerSlug, i.SerialNumber.ToString(16), i.Subject, i.Name)).ToList(),
                Revocations = _revocations.Select(r => new RevocationState(r.IssuerSlug, r.SerialNumber.ToString(16), r.Reason, r.RevokedAt)).ToList(),
            };
            var path = Path.Combine(_directory, StateFile);
            var temporary = path + ".tmp";
            File.WriteAllText(temporary, JsonSerializer.Serialize(state, JsonOptions), new UTF8Encoding(false));
            File.Move(temporary, path, overwrite: true);
            _stateWriteTime = File.GetLastWriteTimeUtc(path);
        }
    }

    private static void WritePrivate(string path, byte[] content)
    {
        File.WriteAllBytes(path, content);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    // ---------------------------------------------------------------- helpers

    /// <summary>PEM ("CERTIFICATE") of one certificate, with a trailing newline.</summary>
    public static string Pem(BcCertificate certificate) =>
        new string(PemEncoding.Write("CERTIFICATE", certificate.GetEncoded())) + "\n";

    /// <summary>C=VN, O, CN, encoded as UTF8String (RFC 5280 § 4.1.2.6), normalised to NFC so Vietnamese
    /// diacritics compare and render consistently.</summary>
    private static X509Name Name(string commonName, string? organization)
    {
        var oids = new List<DerObjectIdentifier> { X509Name.C };
        var values = new List<string> { "VN" };
        if (organization is not null)
        {
            oids.Add(X509Name.O);
            values.Add(organization.Normalize(NormalizationForm.FormC));
        }
        oids.Add(X509Name.CN);
        values.Add(commonName.Normalize(NormalizationForm.FormC));
        return new X509Name(oids, values);
    }

    private static GeneralName UriName(Uri uri) => new(GeneralName.UniformResourceIdentifier, uri.AbsoluteUri);

    private static CrlDistPoint CrlPointer(Uri crlUrl) =>
        new([new DistributionPoint(new DistributionPointName(new GeneralNames(UriName(crlUrl))), null, null)]);

    /// <summary>A positive 127-bit random serial (RFC 5280 § 4.1.2.2: at most 20 octets, unpredictable).</summary>
    internal static BigInteger NewSerialNumber()
    {
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);
        bytes[0] = (byte)((bytes[0] & 0x7F) | 0x40);
        return new BigInteger(1, bytes.ToArray());
    }

    internal static DateTimeOffset TruncateToSeconds(DateTimeOffset time)
    {
        var utc = time.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - utc.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
    }

    private static Uri NormalizeBase(Uri baseUrl) =>
        baseUrl.AbsoluteUri.EndsWith('/') ? baseUrl : new Uri(baseUrl.AbsoluteUri + "/");

    private sealed record IssuedCertificate(string IssuerSlug, BigInteger SerialNumber, string Subject, string Name);

    private sealed class PkiState
    {
        public int FormatVersion { get; set; }
        public string BaseUrl { get; set; } = "";
        public DateTimeOffset CreatedAt { get; set; }
        public List<IssuedState> Issued { get; set; } = [];
        public List<RevocationState> Revocations { get; set; } = [];
    }

    private sealed record IssuedState(string Issuer, string Serial, string Subject, string Name);

    private sealed record RevocationState(string Issuer, string Serial, RevocationReason Reason, DateTimeOffset Time);
}
