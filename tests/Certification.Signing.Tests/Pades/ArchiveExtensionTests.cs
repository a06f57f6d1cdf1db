using System.Security.Cryptography.X509Certificates;
using Certification.Signing.Pades;
using Certification.Signing.Pki;
using Certification.Signing.Revocation;
using Certification.Signing.Timestamps;
using Certification.Signing.Validation;
using Certification.Signing.Validation.Policy;
using Certification.Signing.Validation.Report;
using Certification.TestSupport;
using Xunit;

namespace Certification.Signing.Tests.Pades;

/// <summary>
/// Long-term archives (ETSI EN 319 142-1 § 5.5, B-LTA): a copy whose timestamp authority's certificate
/// expires stays verifiable because, before that, fresh validation data and a new document timestamp
/// from a renewed authority were appended. The clock is simulated; nobody re-signs anything.
/// </summary>
public sealed class ArchiveExtensionTests
{
    [Fact]
    public async Task An_extended_archive_validates_after_its_first_timestamp_authority_expired()
    {
        var start = new DateTimeOffset(2026, 11, 28, 2, 0, 0, TimeSpan.Zero);
        var clock = new FixedTimeProvider(start);
        var pki = DevelopmentPki.Create(new Uri($"http://127.0.0.1:{TestPki.FreeTcpPort()}"), clock);
        var shortLivedTsa = pki.IssueLeaf(pki.GovernmentCa, new LeafRequest("tsa-short", "DEVELOPMENT Short-lived Time-Stamping Authority")
        {
            Organization = "DEVELOPMENT Certification",
            KeyUsage = X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation,
            ExtendedKeyUsages = ["1.3.6.1.5.5.7.3.8"],
            ExtendedKeyUsageCritical = true,
            NotAfter = start.AddDays(30),
        });
        await using var server = DevelopmentPkiServer.Start(pki, clock);
        using var revocation = new RevocationFetcher(clock: clock);
        using var dir = new TempDirectory();
        var input = await File.ReadAllBytesAsync(SamplePdfs.PdfSharpText(dir.Path));
        using var officer = pki.Officer.ToSigningKey();

        var archived = await new PadesSigner(new DevelopmentTimestampAuthority(shortLivedTsa, clock), revocation, clock)
            .SignAsync(input, officer, new SignatureRequest { Level = PadesLevel.BaselineLTA, CertifyPermissions = 2 });

        // 25 days later the archive job renews it with the long-lived authority.
        clock.Advance(TimeSpan.FromDays(25));
        var extended = await new PadesSigner(new DevelopmentTimestampAuthority(pki.TimestampAuthority, clock), revocation, clock)
            .ExtendAsync(archived);
        Assert.True(extended.AsSpan(0, archived.Length).SequenceEqual(archived));
        // The horizon moves from the short-lived authority's expiry to the renewed one's.
        Assert.Equal(shortLivedTsa.Certificate, ArchiveProtection.Of(archived, [pki.Root.Certificate])!.BoundBy);
        Assert.Equal(pki.TimestampAuthority.Certificate, ArchiveProtection.Of(extended, [pki.Root.Certificate])!.BoundBy);

        // 40 days after signing, the first authority's certificate has expired. A verifier online asks
        // the responders about the newest timestamp, which by design has no embedded evidence yet.
        clock.Set(start.AddDays(40));
        using var online = new HttpValidationDataSource();
        var options = new ValidationOptions { TrustAnchors = [pki.Root.Certificate], Offline = false, OnlineSource = online, ValidationTime = start.AddDays(40) };
        var report = PdfSignatureValidator.Validate(extended, options);
        Assert.True(report.Indication == Indication.TotalPassed, report.ToPlainText());
        Assert.Equal(3, report.Signatures.Count);

        // Without the extension the same copy can no longer be shown valid at that time.
        var unextended = PdfSignatureValidator.Validate(archived, options);
        Assert.NotEqual(Indication.TotalPassed, unextended.Indication);
    }
}
