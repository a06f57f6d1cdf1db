using Certification.Signing.Documents;
using Certification.Signing.Documents.Reading;
using Certification.TestSupport;
using Certification.TestSupport.ExternalTools;
using Xunit;

namespace Certification.Signing.Tests.Documents;

/// <summary>The scan reads itself: the project's sample scans (samples/make-samples.sh: rendered Vietnamese text with
/// known values) through OCR proposals, and degraded versions of them (<see cref="DegradedScans"/>) through the quality
/// gate and the duplicate fingerprint.</summary>
public sealed class ScanReadingTests
{
    private static readonly DateOnly Today = new(2026, 12, 7);
    private static readonly ScanIntake Intake = new();
    private static readonly ScanQualityGate Gate = new();

    private static IReadOnlyList<ScanPage> Pages(string path) => Intake.Inspect([new ScanFile(Path.GetFileName(path), File.ReadAllBytes(path))]);

    private static ScanReader Reader(int maxPages = 1)
    {
        ExternalTool.RequireTool("tesseract");
        Assert.True(File.Exists("/usr/share/tesseract-ocr/5/tessdata/vie.traineddata"), "Install the Debian package tesseract-ocr-vie (./test.sh does)");
        return new ScanReader(Gate, new TesseractOcr(new OcrOptions { MaxPages = maxPages }), new ProposalReader());
    }

    [Theory]
    [InlineData("giay-khai-sinh-mau.jpg", "Giấy khai sinh", "NGUYỄN VĂN MẪU", "001224000000")]
    [InlineData("bang-tot-nghiep-mau-1.jpg", "Bằng tốt nghiệp", "NGUYỄN VĂN MẪU", null)]
    [InlineData("cccd-mau.png", "Căn cước công dân", "NGUYỄN VĂN MẪU", "001099000000")]
    [InlineData("so-ho-khau-mau.tiff", "Sổ hộ khẩu", "NGUYỄN VĂN MẪU", null)]
    public async Task Clean_300_dpi_sample_gives_its_type_and_the_exact_name_and_id(string sample, string type, string name, string? id)
    {
        var pages = Pages(DegradedScans.SamplePath(sample));
        Assert.True(pages[0].DpiX >= 300);
        var proposals = await Reader().ProposeAsync(pages, Today, CancellationToken.None);
        Assert.Equal(type, proposals.DocumentType?.Value);
        Assert.Equal(name, proposals.HolderName?.Value);
        Assert.InRange(proposals.HolderName!.Confidence, 0.5, 1);
        Assert.Equal(1, proposals.HolderName.Region.Page);
        Assert.InRange(proposals.HolderName.Region.Width, 0.01, 1);
        if (id is null) Assert.DoesNotContain(proposals.IdNumbers, n => n.Valid);
        else
        {
            var best = proposals.IdNumbers[0];
            Assert.Equal(id, best.Value);
            Assert.True(best.Valid, best.Problem);
            Assert.Equal("001", best.ProvinceCode);
            Assert.Equal("Hà Nội", best.Province);
            // The birth year the number encodes is a date printed on the document, so it is trusted more.
            Assert.Contains(proposals.Dates, d => d.Value.StartsWith(best.BirthYear + "-", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Clean_200_dpi_form_gives_its_type_and_dates_with_regions()
    {
        var pages = Pages(DegradedScans.SamplePath("scans/sample-page-1.jpg")).Concat(Pages(DegradedScans.SamplePath("scans/sample-page-2.jpg"))).ToList();
        var proposals = await Reader(maxPages: 2).ProposeAsync(pages, Today, CancellationToken.None);
        Assert.Equal("Đơn đề nghị", proposals.DocumentType?.Value);
        var dates = proposals.Dates.ToDictionary(d => d.Value);
        Assert.Equal(1, dates["2024-01-15"].Region.Page);
        // "Xã Mẫu Thử, ngày 20 tháng 11 năm 2026", worded, on page 2.
        Assert.Equal(2, dates["2026-11-20"].Region.Page);
        Assert.InRange(dates["2026-11-20"].Region.Top, 0.15, 0.30);
    }

    [Fact]
    public void Clean_samples_pass_the_gate_without_warnings()
    {
        foreach (var sample in new[] { "giay-khai-sinh-mau.jpg", "bang-tot-nghiep-mau-1.jpg", "bang-tot-nghiep-mau-2.jpg", "cccd-mau.png", "so-ho-khau-mau.tiff", "scans/sample-page-1.jpg", "scans/sample-page-2.jpg" })
        foreach (var quality in new ScanReader(Gate, new TesseractOcr(), new ProposalReader()).Examine(Pages(DegradedScans.SamplePath(sample))))
        {
            Assert.NotNull(quality);
            Assert.True(quality.Warnings.Count == 0, $"{sample} page {quality.Page}: {string.Join("; ", quality.Warnings.Select(w => w.Message))}");
            Assert.InRange(Math.Abs(quality.SkewDegrees), 0, 0.3);
            Assert.False(quality.CutOff);
        }
    }

    [Theory]
    [InlineData("giay-khai-sinh-mau.jpg", Degradation.Blurred, "blurred")]
    [InlineData("giay-khai-sinh-mau.jpg", Degradation.Skewed, "skewed")]
    [InlineData("giay-khai-sinh-mau.jpg", Degradation.Cropped, "cut-off")]
    [InlineData("giay-khai-sinh-mau.jpg", Degradation.Darkened, "too-dark")]
    [InlineData("giay-khai-sinh-mau.jpg", Degradation.Faded, "low-contrast")]
    [InlineData("scans/sample-page-1.jpg", Degradation.Blurred, "blurred")]
    [InlineData("scans/sample-page-1.jpg", Degradation.Skewed, "skewed")]
    [InlineData("scans/sample-page-1.jpg", Degradation.Cropped, "cut-off")]
    [InlineData("scans/sample-page-1.jpg", Degradation.Darkened, "too-dark")]
    [InlineData("scans/sample-page-1.jpg", Degradation.Faded, "low-contrast")]
    public void Degraded_sample_is_flagged_with_the_right_measure(string sample, Degradation degradation, string code)
    {
        var quality = Gate.Examine(Pages(DegradedScans.Get(sample, degradation))[0], 1)!;
        var codes = quality.Warnings.Select(w => w.Code).ToList();
        Assert.Contains(code, codes);
        // Blur also makes the darkest ink lighter; every other defect is reported alone.
        if (degradation != Degradation.Blurred) Assert.Equal([code], codes);
        Assert.All(quality.Warnings, w => Assert.Contains($"trang 1", w.Vietnamese));
        Assert.Null(quality.Refusal);
        switch (degradation)
        {
            case Degradation.Skewed: Assert.InRange(quality.SkewDegrees, 2.7, 3.3); Assert.Contains("nghiêng", quality.Warnings[0].Message); break;
            case Degradation.Cropped: Assert.True(quality.CutOff); Assert.Contains("mép trái", quality.Warnings[0].Vietnamese); break;
            case Degradation.Blurred: Assert.Contains("mờ", quality.Warnings[0].Vietnamese); break;
            case Degradation.Darkened: Assert.InRange(quality.Brightness, 0.3, 0.45); break;
        }
    }

    [Fact]
    public void Measure_past_its_refusal_threshold_refuses_with_a_stable_code()
    {
        var strict = new ScanQualityGate(new QualityThresholds { SkewRefusalDegrees = 2 });
        var refusal = strict.Examine(Pages(DegradedScans.Get("giay-khai-sinh-mau.jpg", Degradation.Skewed))[0], 1)!.Refusal;
        Assert.NotNull(refusal);
        Assert.Equal(ScanRejection.Skewed, refusal.Reason);
        Assert.Equal("skewed", refusal.Code);
    }

    [Fact]
    public void Unchanged_and_rescanned_copies_match_and_distinct_documents_do_not()
    {
        const int maxDistance = PerceptualHash.DuplicateDistance;
        PerceptualHash Hash(string path) => Gate.Examine(Pages(path)[0], 1)!.Hash;
        foreach (var sample in new[] { "giay-khai-sinh-mau.jpg", "scans/sample-page-1.jpg" })
        {
            var original = Hash(DegradedScans.SamplePath(sample));
            Assert.Equal(0, original.Distance(Hash(DegradedScans.SamplePath(sample))));
            var rescanned = Hash(DegradedScans.Get(sample, Degradation.Rescanned));
            Assert.InRange(original.Distance(rescanned), 1, maxDistance);
            Assert.Equal(original, PerceptualHash.Parse(original.ToString()));
        }
        var distinct = new[] { "giay-khai-sinh-mau.jpg", "bang-tot-nghiep-mau-1.jpg", "bang-tot-nghiep-mau-2.jpg", "cccd-mau.png", "so-ho-khau-mau.tiff", "scans/sample-page-1.jpg", "scans/sample-page-2.jpg" }
            .SelectMany(s => Pages(DegradedScans.SamplePath(s)).Select((p, i) => (Name: $"{s}#{i + 1}", Hash: Gate.Examine(p, i + 1)!.Hash))).ToList();
        foreach (var a in distinct)
        foreach (var b in distinct.Where(b => b.Name != a.Name))
            Assert.True(a.Hash.Distance(b.Hash) > 2 * maxDistance, $"{a.Name} and {b.Name}: distance {a.Hash.Distance(b.Hash)}");
    }

    [Theory]
    [InlineData("001224000000", true, "Hà Nội", false, 2024)]
    [InlineData("079305000123", true, "Hồ Chí Minh", true, 2005)]
    [InlineData("003099000000", false, null, false, 1999)]   // 003 is no province's code
    [InlineData("001299000000", false, "Hà Nội", false, 2099)] // born in the future
    public void Citizen_id_structure_is_checked(string digits, bool valid, string? province, bool female, int year)
    {
        var id = CitizenIdNumber.Read(digits, Today)!;
        Assert.Equal(valid, id.Valid);
        Assert.Equal(province, id.Province);
        Assert.Equal(female, id.Female);
        Assert.Equal(year, id.BirthYear);
        Assert.Null(CitizenIdNumber.Read("00122400000", Today));
    }

    [Fact]
    public async Task Ocr_past_its_time_limit_is_killed_and_reported()
    {
        var ocr = new TesseractOcr(new OcrOptions { TimeLimit = TimeSpan.FromMilliseconds(50) });
        var raster = PageRaster.Decode(Pages(DegradedScans.SamplePath("giay-khai-sinh-mau.jpg"))[0], 300);
        var failure = await Assert.ThrowsAsync<OcrFailedException>(() => ocr.ReadAsync(raster, 1, CancellationToken.None));
        Assert.Contains("longer than", failure.Message);
    }
}
