using Certification.Signing.Pdf;
using Certification.Signing.Validation.Checks;
using Certification.Signing.Validation.Facts;
using Certification.Signing.Validation.Modifications;
using Certification.Signing.Validation.Policy;
using Certification.Signing.Trust;
using Certification.Signing.Validation.Report;
using Org.BouncyCastle.X509;

namespace Certification.Signing.Validation;

/// <summary>A report with its <see cref="VerdictLifetime"/>.</summary>
public sealed record ValidationOutcome(ValidationReport Report, VerdictLifetime Lifetime);

/// <summary>Until when validating the same file against the same trust store reaches the same verdict.</summary>
/// <param name="Until">The first instant after the validation time at which the verdict may change; null when none is known
/// (an unreadable file, no signatures, certificates and data that cannot change it any more).</param>
/// <param name="Transient">The verdict rests on data that could not be obtained (unknown revocation status, an issuer that
/// could not be fetched): validating again may reach another verdict at any time.</param>
public sealed record VerdictLifetime(DateTimeOffset? Until, bool Transient)
{
    public static readonly VerdictLifetime Unbounded = new(null, false);
}

/// <summary>
/// Validates every signature and document timestamp of a PDF (PAdES, ETSI EN 319 142-1; validation per
/// ETSI EN 319 102-1). The layers are kept apart as in EU DSS and pyHanko: facts are collected first
/// (<see cref="FactsCollector"/>), trust and time are established over them, modification analysis runs
/// separately (<see cref="ModificationAnalyzer"/>), then one class per rule judges each signature
/// (<see cref="SignatureChecks"/>) and the report is written. Hostile input never escapes as an exception:
/// an unreadable file gives a report with <see cref="ValidationReport.Readable"/> false.
/// </summary>
public static class PdfSignatureValidator
{
    public static ValidationReport Validate(ReadOnlyMemory<byte> pdf, ValidationOptions options) =>
        ValidateAsync(pdf, options).GetAwaiter().GetResult();

    public static async Task<ValidationReport> ValidateAsync(ReadOnlyMemory<byte> pdf, ValidationOptions options, CancellationToken ct = default) =>
        (await ValidateWithLifetimeAsync(pdf, options, ct)).Report;

    /// <summary>The report, and until when validating the same bytes against the same trust store could not reach
    /// another verdict (<see cref="VerdictLifetime"/>): what a result cache needs.</summary>
    public static async Task<ValidationOutcome> ValidateWithLifetimeAsync(ReadOnlyMemory<byte> pdf, ValidationOptions options, CancellationToken ct = default)
    {
        using var activity = SigningActivities.Start("validate");
        var now = options.ValidationTime ?? DateTimeOffset.UtcNow;
        PdfFile file;
        try
        {
            file = PdfFile.Open(pdf, options.ReadLimits);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return new(ValidationReport.Unreadable($"not a readable PDF: {e.Message}", now), VerdictLifetime.Unbounded);
        }
        try
        {
            return await ValidateAsync(file, options, now, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return new(ValidationReport.Unreadable($"the signatures cannot be read: {e.Message}", now), VerdictLifetime.Unbounded);
        }
    }

    private static async Task<ValidationOutcome> ValidateAsync(PdfFile file, ValidationOptions options, DateTimeOffset now, CancellationToken ct)
    {
        var store = options.EffectiveTrustStore;
        options = options with { TrustStore = store };
        var document = new FactsCollector(file).Collect();
        if (document.Signatures.Count == 0)
        {
            return new(new ValidationReport
            {
                Indication = Indication.NoSignatureFound,
                ValidationTime = now,
                TrustStoreVersion = store.Version,
                Revisions = file.Revisions.Count,
                DocumentFindings = document.Findings,
                Findings = [Findings.NotSigned],
            }, VerdictLifetime.Unbounded);
        }

        var paths = new TrustPaths(store);
        var pool = document.CertificatePool();
        var issuerMissing = !options.Offline && options.OnlineSource is not null && await FetchMissingIssuersAsync(document, paths.Any, pool, options.OnlineSource, ct);
        var material = new ValidationMaterialPool();
        material.AddFrom(document.Dss);
        foreach (var s in document.Signatures) if (s.Cms is { } cms) material.AddFrom(cms.Material);
        var evaluator = new RevocationEvaluator(options, paths.Any, now);
        EstablishTime(document, paths, pool, now);
        await EstablishTimestampRevocationAsync(document, evaluator, material, options.Policy, now, ct);
        EstablishProvenTimes(document, now);
        EstablishSignerAnchors(document, store);
        await EstablishRevocationAsync(document, evaluator, material, ct);
        AnalyseModifications(document);
        DetectLevels(document);

        var reports = document.Signatures.Select(s => Judge(s, document, options, now)).ToList();
        var worst = reports.Max(r => r.Indication);
        return new(new ValidationReport
        {
            Indication = worst,
            ValidationTime = now,
            TrustStoreVersion = store.Version,
            Revisions = file.Revisions.Count,
            DocumentFindings = document.Findings,
            Findings = Findings.ForDocument(document),
            Signatures = reports,
        }, LifetimeOf(document, store, now, issuerMissing));
    }

    /// <summary>The verdict was reached at <paramref name="now"/>; it can only change at an instant where one of its
    /// inputs changes meaning: a certificate of a path becoming valid or expiring, revocation data it relied on ceasing
    /// to be current (nextUpdate), a revocation coming into force, a timestamp's time being reached, or an anchor's
    /// status changing in the store's history (ETSI TS 119 612 § 5.5.5). Instants already past at <paramref name="now"/>
    /// cannot change it again. A verdict that rests on revocation status that could not be established, or on an
    /// issuer that could not be fetched, is <see cref="VerdictLifetime.Transient"/>: a retry may find the data.</summary>
    private static VerdictLifetime LifetimeOf(DocumentFacts document, TrustStore store, DateTimeOffset now, bool issuerMissing)
    {
        var instants = new List<DateTimeOffset>();
        var transient = issuerMissing;
        foreach (var s in document.Signatures)
        {
            foreach (var path in new[] { s.Path, s.SignatureTimestamp?.Path, s.DocumentTimestamp?.Path }.OfType<CertificatePath>())
            {
                foreach (var c in path.Certificates)
                {
                    instants.Add(new DateTimeOffset(c.NotBefore.ToUniversalTime(), TimeSpan.Zero));
                    instants.Add(new DateTimeOffset(c.NotAfter.ToUniversalTime(), TimeSpan.Zero));
                }
                foreach (var r in path.Revocation)
                {
                    transient |= r.Status == RevocationStatus.Unknown;
                    if (r.CurrentUntil is { } current) instants.Add(current);
                    if (r.RevokedAt is { } revoked) instants.Add(revoked);
                }
            }
            if (s.SignatureTimestamp is { } ts) instants.Add(ts.GenTime);
            if (s.DocumentTimestamp is { } dts) instants.Add(dts.GenTime);
        }
        instants.AddRange(store.Anchors.SelectMany(a => a.History).Select(h => h.From));
        var ahead = instants.Where(i => i > now).ToList();
        return new VerdictLifetime(ahead.Count == 0 ? null : ahead.Min(), transient);
    }

    /// <summary>Path builders per purpose: signatures end at anchors for public-duty or public-CA signatures,
    /// timestamps at anchors for timestamps; <see cref="Any"/> (every anchor) serves issuer fetching and OCSP responders.</summary>
    private sealed class TrustPaths(TrustStore store)
    {
        public TrustStore Store => store;
        public CertificatePathBuilder Signatures { get; } = new(store.CertificatesFor(SignaturePurposes));
        public CertificatePathBuilder Timestamps { get; } = new(store.CertificatesFor(TrustPurpose.Timestamps));
        public CertificatePathBuilder Any { get; } = new(store.CertificatesFor(Enum.GetValues<TrustPurpose>()));
    }

    private static readonly TrustPurpose[] SignaturePurposes = [TrustPurpose.PublicDutySignatures, TrustPurpose.PublicCaSignatures];

    /// <summary>The anchor entry granted at <paramref name="at"/> for the end of <paramref name="path"/>, or why there is none.</summary>
    private static (TrustedAnchor? Anchor, string? Problem) AnchorAt(CertificatePath path, TrustStore store, DateTimeOffset at, TrustPurpose[] purposes)
    {
        var entries = store.EntriesFor(path.Certificates[^1], purposes);
        if (entries.FirstOrDefault(e => e.StatusAt(at) == TrustStatus.Granted) is { } granted) return (granted, null);
        return (null, entries.Count == 0 ? "the path ends at a certificate that is not in the trust store for this purpose" : entries[0].NotGrantedReason(at));
    }

    /// <summary>ETSI EN 319 102-1 § 5.6.2.2: the signer's anchor must be granted at the signature's proof of
    /// existence (its best signature time), not merely today: a CA granted after the signature, or withdrawn
    /// before it, does not make it trusted.</summary>
    private static void EstablishSignerAnchors(DocumentFacts document, TrustStore store)
    {
        foreach (var s in document.Signatures)
        {
            if (s.IsDocumentTimestamp || s.Path is not { Trusted: true } path) continue;
            (s.Anchor, s.AnchorProblem) = AnchorAt(path, store, s.BestSignatureTime, SignaturePurposes);
        }
    }

    /// <summary>Fetches missing issuers named in authorityInfoAccess caIssuers (bounded to a few requests).</summary>
    /// <returns>Whether an issuer was looked up and could not be fetched.</returns>
    private static async Task<bool> FetchMissingIssuersAsync(DocumentFacts document, CertificatePathBuilder paths, List<X509Certificate> pool, IOnlineRevocationSource online, CancellationToken ct)
    {
        var missing = false;
        var leaves = document.Signatures.Select(s => s.Cms?.SignerCertificate ?? s.DocumentTimestamp?.TsaCertificate)
            .Concat(document.Signatures.Select(s => s.SignatureTimestamp?.TsaCertificate)).OfType<X509Certificate>().Distinct().ToList();
        var fetches = 0;
        foreach (var leaf in leaves)
        {
            var current = leaf;
            for (var depth = 0; depth < 5 && fetches < 10; depth++)
            {
                if (paths.IsAnchor(current)) break;
                if (paths.FindIssuer(current, pool) is { } known)
                {
                    if (paths.IsAnchor(known)) break;
                    current = known;
                    continue;
                }
                X509Certificate? fetched = null;
                foreach (var url in RevocationEvaluator.CaIssuers(current))
                {
                    fetches++;
                    try
                    {
                        if (await online.FetchCertificateAsync(url, ct) is { } data)
                            fetched = new X509CertificateParser().ReadCertificates(data).FirstOrDefault(c => paths.SignedBy(current, c));
                    }
                    catch (Exception e) when (e is not OperationCanceledException) { }
                    if (fetched is not null) break;
                }
                if (fetched is null)
                {
                    missing |= RevocationEvaluator.CaIssuers(current).Count > 0;
                    break;
                }
                pool.Add(fetched);
                current = fetched;
            }
        }
        return missing;
    }

    /// <summary>Validates timestamps (imprint, token, TSA chain) and builds the signers' paths.</summary>
    /// <summary>A TSA's anchor is judged at the token's time (TS 119 612 § 5.5.4 service history): a token issued
    /// while the TSA was granted keeps proving time after a later withdrawal; one issued outside that does not.</summary>
    private static void EstablishTime(DocumentFacts document, TrustPaths paths, List<X509Certificate> pool, DateTimeOffset now)
    {
        var store = paths.Store;
        foreach (var s in document.Signatures)
        {
            if (s.SignatureTimestamp is { TsaCertificate: { } tsa } ts)
            {
                ts.Path = paths.Timestamps.Build(tsa, pool);
                if (ts.Path.Trusted) ts.AnchorProblem = AnchorAt(ts.Path, store, ts.GenTime, [TrustPurpose.Timestamps]).Problem;
                ts.Trusted = ts.ImprintMatches && ts.TokenValid && ts.Path.Trusted && ts.AnchorProblem is null && ts.GenTime <= now;
            }
            if (s.DocumentTimestamp is { TsaCertificate: { } docTsa } dts)
            {
                dts.Path = paths.Timestamps.Build(docTsa, pool);
                s.Path = dts.Path;
                if (dts.Path.Trusted) (s.Anchor, s.AnchorProblem) = AnchorAt(dts.Path, store, dts.GenTime, [TrustPurpose.Timestamps]);
                dts.AnchorProblem = s.AnchorProblem;
                dts.Trusted = dts.ImprintMatches && dts.TokenValid && dts.Path.Trusted && dts.AnchorProblem is null && dts.GenTime <= now && IsIntact(s);
            }
            if ((s.Cms?.SignerCertificate ?? s.Pkcs1?.Certificate) is { } signer) s.Path = paths.Signatures.Build(signer, pool);
        }
    }

    /// <summary>The best signature time of each signature: the earliest trusted timestamp covering it.</summary>
    private static void EstablishProvenTimes(DocumentFacts document, DateTimeOffset now)
    {
        foreach (var s in document.Signatures)
        {
            DateTimeOffset? proven = s.SignatureTimestamp is { Trusted: true } own ? own.GenTime : null;
            if (CoveringDocumentTimestamp(s, document) is { } dts && (proven is null || dts < proven)) proven = dts;
            s.ProvenTime = proven;
            s.BestSignatureTime = proven is { } p && p < now ? p : now;
        }
    }

    /// <summary>The earliest trusted document timestamp over the revision <paramref name="s"/> signed (a later
    /// revision's, or the same revision's for a signature), if any.</summary>
    private static DateTimeOffset? CoveringDocumentTimestamp(SignatureFacts s, DocumentFacts document)
    {
        if (s.SignedRevision is not { } signed) return null;
        DateTimeOffset? earliest = null;
        foreach (var d in document.Signatures)
        {
            if (d == s || d.DocumentTimestamp is not { Trusted: true } dts || d.SignedRevision is not { } covered) continue;
            if (covered.Index < signed.Index || (covered.Index == signed.Index && s.IsDocumentTimestamp)) continue;
            if (earliest is null || dts.GenTime < earliest) earliest = dts.GenTime;
        }
        return earliest;
    }

    /// <summary>The TSA behind each signature timestamp must not be revoked (ETSI EN 319 102-1 § 5.4, the
    /// time-stamp's own X.509 validation): its chain is checked with embedded data (DSS, CMS) first, online
    /// when allowed, as of the earliest later document timestamp or else the validation time. A revoked
    /// TSA, or one whose status cannot be established when it names a revocation service, leaves the
    /// timestamp intact but no longer proof of time.</summary>
    private static async Task EstablishTimestampRevocationAsync(DocumentFacts document, RevocationEvaluator evaluator, ValidationMaterialPool material,
        ValidationPolicy policy, DateTimeOffset now, CancellationToken ct)
    {
        foreach (var s in document.Signatures)
        {
            if (s.SignatureTimestamp is not { Trusted: true, Path: { Trusted: true } path } ts) continue;
            var at = CoveringDocumentTimestamp(s, document) is { } poe && poe < now ? poe : now;
            for (var i = 0; i < path.Certificates.Count - 1; i++)
                path.Revocation.Add(await evaluator.EvaluateAsync(path.Certificates[i], path.Certificates[i + 1], at, material, ct));
            if (path.Revocation.FirstOrDefault(r => r.Status == RevocationStatus.Revoked) is { } revoked)
            {
                ts.Trusted = false;
                ts.RevocationProblem = $"the TSA certificate '{Checks.CertificateChainCheck.CommonName(revoked.Certificate)}' was {revoked.Message}";
            }
            else if (policy.RequireRevocationWhenAvailable && path.Revocation.FirstOrDefault(r => r.Status == RevocationStatus.Unknown) is { } unknown)
            {
                ts.Trusted = false;
                ts.RevocationProblem = $"the revocation status of the TSA certificate '{Checks.CertificateChainCheck.CommonName(unknown.Certificate)}' is unknown: {unknown.Message}";
            }
        }
    }

    private static bool IsIntact(SignatureFacts s) =>
        s.ByteRangeProblem is null && s.SignedRevision is not null && s.ContentsLocation is { } l &&
        s.ByteRange is { Length: 4 } r && r[1] == l.Start && r[2] == l.End;

    private static async Task EstablishRevocationAsync(DocumentFacts document, RevocationEvaluator evaluator, ValidationMaterialPool material, CancellationToken ct)
    {
        foreach (var s in document.Signatures)
        {
            if (s.Path is not { Trusted: true } path || path.Revocation.Count > 0) continue;
            for (var i = 0; i < path.Certificates.Count - 1; i++)
                path.Revocation.Add(await evaluator.EvaluateAsync(path.Certificates[i], path.Certificates[i + 1], s.BestSignatureTime, material, ct));
        }
    }

    private static void AnalyseModifications(DocumentFacts document)
    {
        if (document.File.IsReconstructed) return;
        var analyzer = new ModificationAnalyzer(document.File);
        foreach (var s in document.Signatures)
        {
            if (s.SignedRevision is not { } signed) continue;
            try
            {
                s.Modifications.AddRange(analyzer.After(signed));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                s.Modifications.Add(new ModificationFinding(ModificationKind.Other, signed.Index, $"changes after signing cannot be analysed: {e.Message}"));
            }
            if (document.TrailingBytes > 0)
                s.Modifications.Add(new ModificationFinding(ModificationKind.Other, document.File.Revisions.Count,
                    $"{document.TrailingBytes} bytes after the last %%EOF are not part of any revision"));
        }
    }

    /// <summary>PAdES baseline level (ETSI EN 319 142-1 § 6): B-B a CAdES signature; B-T plus a signature
    /// timestamp or a document timestamp over it; B-LT plus DSS validation data for it; B-LTA plus a
    /// document timestamp over that DSS.</summary>
    private static void DetectLevels(DocumentFacts document)
    {
        foreach (var s in document.Signatures)
        {
            if (s.IsDocumentTimestamp || s.SubFilter != "ETSI.CAdES.detached" || s.Cms is null) { s.Level = "NONE"; continue; }
            var signedIndex = s.SignedRevision?.Index ?? int.MaxValue;
            var docTimestamps = document.Signatures
                .Where(d => d.DocumentTimestamp is { ImprintMatches: true } && d.SignedRevision is not null)
                .Select(d => d.SignedRevision!.Index).ToList();
            var t = s.SignatureTimestamp is { ImprintMatches: true } || docTimestamps.Any(i => i >= signedIndex);
            if (!t) { s.Level = "PAdES-BASELINE-B"; continue; }
            int? dssRevision = null;
            if (document.VriKeys.TryGetValue(s.Embedded.VriKey, out var vriRevision)) dssRevision = vriRevision;
            else if (s.Cms.SignerCertificate is { } signer && document.Dss.Certificates.Contains(signer)) dssRevision = document.FirstDssRevision;
            if (dssRevision is null) { s.Level = "PAdES-BASELINE-T"; continue; }
            s.Level = docTimestamps.Any(i => i >= dssRevision) ? "PAdES-BASELINE-LTA" : "PAdES-BASELINE-LT";
        }
    }

    private static IReadOnlyList<string> TimestampedBy(SignatureFacts timestamp, DocumentFacts document) =>
        timestamp.SignedRevision is not { } covered || timestamp.DocumentTimestamp is not { ImprintMatches: true }
            ? []
            : document.Signatures
                .Where(o => o != timestamp && o.SignedRevision is { } r && r.Index <= covered.Index)
                .Select(o => o.FieldName).ToList();

    private static SignatureReport Judge(SignatureFacts s, DocumentFacts document, ValidationOptions options, DateTimeOffset now)
    {
        var context = new CheckContext(s, document, options, now);
        var checks = new List<CheckReport>();
        var indication = Indication.TotalPassed;
        SubIndication? sub = null;
        foreach (var check in SignatureChecks.All)
        {
            CheckOutcome? outcome;
            try { outcome = check.Evaluate(context); }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                outcome = CheckOutcome.Indeterminate(SubIndication.FormatFailure, $"the check could not be completed: {e.Message}");
            }
            if (outcome is null) continue;
            checks.Add(new CheckReport(check.Name, outcome.Result, outcome.Message));
            if (outcome.Indication > indication) { indication = outcome.Indication; sub = outcome.SubIndication; }
        }
        var certificate = s.Cms?.SignerCertificate ?? s.Pkcs1?.Certificate ?? s.DocumentTimestamp?.TsaCertificate;
        var level = s.Modifications.Count == 0 ? ModificationKind.None : s.Modifications.Max(m => m.Kind);
        if (s.SignedRevision is null && s.ByteRangeProblem is null && !document.File.IsReconstructed) level = ModificationKind.Other;
        var report = new SignatureReport
        {
            FieldName = s.FieldName,
            Type = s.IsDocumentTimestamp ? "documentTimestamp" : "signature",
            SubFilter = s.SubFilter,
            Level = s.Level,
            TimestampedSignatures = s.IsDocumentTimestamp ? TimestampedBy(s, document) : null,
            Signer = certificate is null ? null : new SignerIdentity(certificate.SubjectDN.ToString(), certificate.IssuerDN.ToString(), certificate.SerialNumber.ToString(16).ToUpperInvariant(),
                Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(certificate.GetEncoded()))),
            Indication = indication,
            SubIndication = sub,
            Coverage = s.Coverage,
            ModificationsAfterSigning = level,
            Modifications = s.Modifications.Select(m => new ModificationReport(m.Kind, m.Revision, m.Message)).ToList(),
            ClaimedSigningTime = s.ClaimedSigningTime,
            TimestampTime = s.IsDocumentTimestamp ? s.DocumentTimestamp?.GenTime : s.ProvenTime ?? s.SignatureTimestamp?.GenTime,
            BestSignatureTime = s.BestSignatureTime,
            SignedRevision = s.SignedRevision?.Index,
            ByteRange = s.ByteRange,
            DocMdpPermissions = s.DocMdpPermissions,
            TrustAnchor = s.Anchor is { } anchor ? new TrustAnchorReport(anchor.Name, anchor.Certificate.SubjectDN.ToString(), anchor.Purpose, anchor.Source, anchor.Fingerprint) : null,
            Checks = checks,
            Findings = Findings.ForSignature(s, checks),
            Summary = new Summary("", ""),
        };
        return report with { Summary = SummaryWriter.Write(s, report) };
    }
}
