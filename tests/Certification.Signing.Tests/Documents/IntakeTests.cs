using Certification.Signing.Documents;
using Certification.TestSupport;
using Xunit;

namespace Certification.Signing.Tests.Documents;

/// <summary>Each bad input of ../shared/fixtures/bad (README.tsv) is refused with its own reason, from the header.</summary>
public sealed class IntakeTests
{
    public static IEnumerable<object[]> BadInputs() =>
    [
        ["empty.jpg", ScanRejection.Empty, "empty (0 bytes)"],
        ["truncated.jpg", ScanRejection.Truncated, "truncated"],
        ["not-an-image.jpg", ScanRejection.UnsupportedType, "detected text/plain"],
        ["html-as-png.png", ScanRejection.UnsupportedType, "detected text/html"],
        ["pdf-with-javascript.pdf", ScanRejection.ActivePdfContent, "OpenAction"],
        ["encrypted.pdf", ScanRejection.EncryptedPdf, "encrypted"],
        ["pdf-not-a-scan.pdf", ScanRejection.NotAScan, "born-digital"],
        ["zip-bomb-ish.png", ScanRejection.TooManyPixels, "30000x30000"],
        ["huge-dimensions.jpg", ScanRejection.TooManyPixels, "65000x65000"],
        ["tiny.jpg", ScanRejection.TooSmall, "16x16"],
        ["polyglot.jpg", ScanRejection.TrailingData, "trailing data after the JPEG end-of-image"],
        ["svg-as-jpg.jpg", ScanRejection.UnsupportedType, "detected image/svg+xml"],
        ["tiff-zero-pages.tiff", ScanRejection.NoPages, "no pages"],
        ["tiff-bad-ifd.tiff", ScanRejection.Corrupt, "outside the 16-byte file"],
    ];

    [SharedFixtureTheory]
    [Trait("Category", SharedFixtures.Category)]
    [MemberData(nameof(BadInputs))]
    public void Each_bad_input_is_refused_with_its_specific_reason(string file, ScanRejection reason, string englishDetail)
    {
        var bytes = File.ReadAllBytes(SharedFixtures.File("bad", file));
        var before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<ScanRejectedException>(() => new CertifiedCopyComposer().Compose([new ScanFile(file, bytes)], CopyFixtures.Details()));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(reason, e.Reason);
        Assert.Equal(file, e.FileName);
        Assert.Contains(englishDetail, e.English);
        Assert.StartsWith($"{file}: {e.Vietnamese} / {e.English}", e.Message);
        Assert.Matches("^[a-z]+(-[a-z]+)*$", e.Code);
        // Refused from headers: never near the gigabytes a bomb claims.
        Assert.True(allocated < 64L * 1024 * 1024 + 4 * bytes.Length, $"{allocated / 1024 / 1024} MiB allocated refusing {file}");
    }

    [SharedFixtureFact]
    [Trait("Category", SharedFixtures.Category)]
    public void A_born_digital_pdf_is_certified_unchanged_when_configuration_allows_it()
    {
        var bytes = File.ReadAllBytes(SharedFixtures.File("bad", "pdf-not-a-scan.pdf"));
        var copy = new CertifiedCopyComposer(new IntakeLimits { AllowNonScanPdf = true }).Compose([new ScanFile("contract.pdf", bytes)], CopyFixtures.Details());
        Assert.Equal(3, copy.Layout.PageCount);
        Assert.Equal(4, copy.Layout.TotalPages);
        Assert.False(copy.Layout.ClaimsPdfA);
    }

    [SharedFixtureTheory]
    [Trait("Category", SharedFixtures.Category)]
    [InlineData("png-alpha.png")]
    [InlineData("png16.png")]
    public void Scans_below_200_dpi_are_refused_by_default(string file)
    {
        var e = Assert.Throws<ScanRejectedException>(() => new ScanIntake().Inspect(CopyFixtures.Load(file)));
        Assert.Equal(ScanRejection.ResolutionTooLow, e.Reason);
        Assert.Equal("resolution-too-low", e.Code);
        Assert.Contains("150 dpi is below the minimum of 200 dpi", e.English);
    }

    [Fact]
    public void Type_is_decided_by_content_not_by_name()
    {
        var e = Assert.Throws<ScanRejectedException>(() => new ScanIntake().Inspect([new ScanFile("scan.pdf", "<html><script>alert(1)</script></html>"u8.ToArray())]));
        Assert.Equal(ScanRejection.UnsupportedType, e.Reason);
        Assert.Equal("text/html", e.DetectedType);
    }

    [Fact]
    public void Size_and_page_limits_apply_per_file_and_per_document()
    {
        var big = new byte[2048];
        big[0] = 0xFF; big[1] = 0xD8; big[2] = 0xFF;
        var tooLarge = Assert.Throws<ScanRejectedException>(() => new ScanIntake(new IntakeLimits { MaxFileBytes = 1024 }).Inspect([new ScanFile("a.jpg", big)]));
        Assert.Equal(ScanRejection.TooLarge, tooLarge.Reason);
        var document = Assert.Throws<ScanRejectedException>(() => new ScanIntake(new IntakeLimits { MaxDocumentBytes = 3000 }).Inspect([new ScanFile("a.jpg", big), new ScanFile("b.jpg", big)]));
        Assert.Equal(ScanRejection.DocumentTooLarge, document.Reason);
        Assert.Equal("b.jpg", document.FileName);
    }

    [Theory]
    [InlineData(ScanRejection.ResolutionTooLow, "resolution-too-low")]
    [InlineData(ScanRejection.ActivePdfContent, "active-pdf-content")]
    [InlineData(ScanRejection.TooManyPixels, "too-many-pixels")]
    [InlineData(ScanRejection.UnsupportedType, "unsupported-type")]
    public void Codes_are_stable_kebab_case(ScanRejection reason, string code) => Assert.Equal(code, reason.Code());

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 2000)]
    [InlineData(2, 4000)]
    [InlineData(3, 5000)]
    [InlineData(10, 12000)]
    [InlineData(198, 200000)]
    [InlineData(500, 200000)]
    public void Fee_follows_Circular_226_2016(int pages, long fee) => Assert.Equal(fee, FeeSchedule.Circular226.FeeFor(pages));

    [Fact]
    public void Fee_schedule_can_be_free_or_different()
    {
        Assert.Equal(0, FeeSchedule.Free.FeeFor(12));
        Assert.Equal(7000, new FeeSchedule(3000, 1, 2000, 50000).FeeFor(3));
        Assert.Equal("200.000 đồng", FeeSchedule.FormatVnd(200000));
    }

    [Fact]
    public void Date_is_printed_the_Vietnamese_way() =>
        Assert.Equal("Ngày 8 tháng 3 năm 2026", CertificationStatement.FormatDate(new DateOnly(2026, 3, 8)));
}
