using Certification.Signing.Pades;
using Certification.Signing.Revocation;
using Certification.Signing.Timestamps;
using Certification.Signing.Trust;
using Certification.Signing.Validation;
using Certification.Signing.Validation.Policy;
using Certification.Signing.Validation.Report;
using Certification.TestSupport;
using Xunit;

namespace Certification.Signing.Tests.Trust;

/// <summary>Trusted lists built here and signed with the development PKI: validation uses each anchor's
/// status at the signature's proof of existence (ETSI EN 319 102-1), and a list that is unsigned, tampered,
/// signed by someone else or past its NextUpdate is refused while the previous one is kept.</summary>
public sealed class TrustStoreTests
{
    private static TestPki Pki => TestPki.Shared;
    private static readonly DateTimeOffset LongAgo = DateTimeOffset.UtcNow.AddYears(-5);

    private static TrustedListService GovernmentCa(params TrustStatusChange[] history) =>
        new("DEVELOPMENT Government CA", TrustedList.ServiceTypeCa, Pki.Pki.GovernmentCa.Certificate, history);

    private static TrustedListService Tsa(params TrustStatusChange[] history) =>
        new("DEVELOPMENT TSA", TrustedList.ServiceTypeTsa + "/QTST", Pki.Pki.TimestampAuthority.Certificate, history);

    private static TrustStatusChange Granted(DateTimeOffset from) => new(TrustStatus.Granted, from);
    private static TrustStatusChange Withdrawn(DateTimeOffset from) => new(TrustStatus.Withdrawn, from);

    private static TrustStore Store(params TrustedListService[] services)
    {
        var now = DateTimeOffset.UtcNow;
        var xml = TrustedListBuilder.Build(services, now.AddMinutes(-1), now.AddDays(30));
        var list = TrustedList.Read(xml, TrustedListBuilder.Operator.Certificate, TrustPurpose.PublicDutySignatures, now, "test-list");
        return new TrustStore(list.Anchors, [], now);
    }

    /// <summary>The officer's copy, B-LT, with its signature timestamp issued at <paramref name="timestampAt"/>.</summary>
    private static async Task<byte[]> SignedAtAsync(DateTimeOffset timestampAt)
    {
        await Pki.StartServerAsync();
        var tsa = new DevelopmentTimestampAuthority(Pki.Pki.TimestampAuthority, new FixedTimeProvider(timestampAt));
        using var dir = new TempDirectory("trust-store");
        var pdf = await File.ReadAllBytesAsync(SamplePdfs.PdfSharpText(dir.Path));
        using var officer = Pki.Pki.Officer.ToSigningKey();
        using var fetcher = new RevocationFetcher();
        return await new PadesSigner(tsa, fetcher).SignAsync(pdf, officer, new SignatureRequest { Level = PadesLevel.BaselineLT });
    }

    private static SignatureReport Validate(byte[] pdf, TrustStore store)
    {
        var report = PdfSignatureValidator.Validate(pdf, new ValidationOptions { TrustStore = store });
        Assert.Equal(store.Version, report.TrustStoreVersion);
        return report.Signatures.Single(s => s.Type == "signature");
    }

    private static CheckReport Check(SignatureReport s, string name) => s.Checks.Single(c => c.Name == name);

    [Fact]
    public async Task A_CA_withdrawn_before_the_signature_is_not_trusted_but_one_withdrawn_after_it_still_is()
    {
        var now = DateTimeOffset.UtcNow;
        var signed = await SignedAtAsync(now.AddMinutes(-20));

        var withdrawnBefore = Validate(signed, Store(GovernmentCa(Granted(LongAgo), Withdrawn(now.AddMinutes(-30))), Tsa(Granted(LongAgo))));
        Assert.Equal(Indication.Indeterminate, withdrawnBefore.Indication);
        Assert.Equal(SubIndication.NoCertificateChainFound, withdrawnBefore.SubIndication);
        Assert.Contains("was withdrawn on", Check(withdrawnBefore, "trustedServiceStatus").Message);

        // Withdrawn after the timestamp proved the signature: the status at that time counts (EN 319 102-1).
        var withdrawnAfter = Validate(signed, Store(GovernmentCa(Granted(LongAgo), Withdrawn(now.AddMinutes(-10))), Tsa(Granted(LongAgo))));
        Assert.True(withdrawnAfter.Indication == Indication.TotalPassed, string.Join("\n", withdrawnAfter.Checks.Select(c => $"{c.Name}: {c.Message}")));
        Assert.Equal(CheckResult.Passed, Check(withdrawnAfter, "trustedServiceStatus").Result);
        Assert.Equal(TrustPurpose.PublicDutySignatures, withdrawnAfter.TrustAnchor!.Purpose);
        Assert.Equal("test-list", withdrawnAfter.TrustAnchor.Source);
    }

    [Fact]
    public async Task A_CA_granted_after_the_signature_does_not_make_it_trusted()
    {
        var now = DateTimeOffset.UtcNow;
        var signed = await SignedAtAsync(now.AddMinutes(-20));
        var store = Store(GovernmentCa(Granted(now.AddMinutes(-10))), Tsa(Granted(LongAgo)));

        var report = Validate(signed, store);
        Assert.Equal(Indication.Indeterminate, report.Indication);
        Assert.Equal(SubIndication.NoCertificateChainFound, report.SubIndication);
        Assert.Contains("is granted only from", Check(report, "trustedServiceStatus").Message);
        Assert.Null(report.TrustAnchor);
    }

    [Fact]
    public async Task A_TSA_with_history_proves_time_only_for_tokens_issued_while_granted()
    {
        var now = DateTimeOffset.UtcNow;
        var store = Store(GovernmentCa(Granted(LongAgo)), Tsa(Granted(LongAgo), Withdrawn(now.AddMinutes(-10))));

        var early = Validate(await SignedAtAsync(now.AddMinutes(-20)), store);
        Assert.Equal(Indication.TotalPassed, early.Indication);
        Assert.Equal(CheckResult.Passed, Check(early, "signatureTimestamp").Result);
        Assert.True(early.BestSignatureTime < now.AddMinutes(-15));

        var late = Validate(await SignedAtAsync(now), store);
        var timestamp = Check(late, "signatureTimestamp");
        Assert.Equal(CheckResult.Indeterminate, timestamp.Result);
        Assert.Contains("was not granted when it issued the token", timestamp.Message);
        Assert.Contains("not used as proof", timestamp.Message);
        Assert.True(late.BestSignatureTime >= now, "without a trusted timestamp the signature is judged at validation time");
    }

    [Fact]
    public void Unsigned_tampered_foreign_and_expired_lists_are_refused()
    {
        var now = DateTimeOffset.UtcNow;
        var services = new[] { GovernmentCa(Granted(LongAgo), Withdrawn(now.AddDays(-1))) };
        var op = TrustedListBuilder.Operator.Certificate;
        TrustSourceRejectedException Refused(byte[] xml) =>
            Assert.Throws<TrustSourceRejectedException>(() => TrustedList.Read(xml, op, TrustPurpose.PublicCaSignatures, now, "vn-list"));

        var good = TrustedListBuilder.Build(services, now, now.AddDays(30));
        Assert.Single(TrustedList.Read(good, op, TrustPurpose.PublicCaSignatures, now, "vn-list").Anchors);
        Assert.Contains("is not signed", Refused(TrustedListBuilder.Build(services, now, now.AddDays(30), sign: false)).Message);
        Assert.Contains("does not verify", Refused(TrustedListBuilder.Tamper(good)).Message);
        Assert.Contains("does not verify", Refused(TrustedListBuilder.Build(services, now, now.AddDays(30), signer: Pki.IssueLeaf("Someone else"))).Message);
        Assert.Contains("expired", Refused(TrustedListBuilder.Build(services, now.AddDays(-40), now.AddDays(-10))).Message);
    }

    [Fact]
    public void A_rejected_list_never_replaces_the_accepted_one()
    {
        var now = DateTimeOffset.UtcNow;
        using var dir = new TempDirectory("trust-dir");
        var files = Directory.CreateDirectory(Path.Combine(dir.Path, "in")).FullName;
        var store = new TrustStoreDirectory(Path.Combine(dir.Path, "store"));
        var op = TestPki.WritePem(files, "operator.pem", [TrustedListBuilder.Operator.Certificate]);
        var services = new[] { GovernmentCa(Granted(LongAgo)) };
        var source = new TrustSource { Name = "vn-list", Kind = TrustSource.TrustedListKind, File = "", Purposes = [TrustPurpose.PublicDutySignatures] };
        var goodPath = Path.Combine(files, "good.xml");
        File.WriteAllBytes(goodPath, TrustedListBuilder.Build(services, now, now.AddDays(30)));
        Assert.True(store.Import(source, goodPath, op, now).Accepted);
        var first = store.Load(now);
        Assert.Single(first.Anchors);

        // Import refuses a tampered list and leaves the stored one alone.
        var tamperedPath = Path.Combine(files, "tampered.xml");
        File.WriteAllBytes(tamperedPath, TrustedListBuilder.Tamper(File.ReadAllBytes(goodPath)));
        Assert.Throws<TrustSourceRejectedException>(() => store.Import(source, tamperedPath, op, now));
        Assert.Equal(first.Version, store.Load(now).Version);

        // The stored copy itself altered, then past its NextUpdate: a reload keeps what was accepted before.
        File.Copy(tamperedPath, Path.Combine(store.Path, "vn-list.xml"), overwrite: true);
        var reloaded = store.Load(now, first);
        Assert.Equal(first.Version, reloaded.Version);
        var status = Assert.Single(reloaded.Sources);
        Assert.False(status.Accepted);
        Assert.Contains("previously accepted version", status.Message);
        File.Copy(goodPath, Path.Combine(store.Path, "vn-list.xml"), overwrite: true);
        Assert.False(Assert.Single(store.Load(now.AddDays(31), first).Sources).Accepted);
        Assert.Empty(store.Load(now.AddDays(31)).Anchors); // nothing previous to keep
    }
}
