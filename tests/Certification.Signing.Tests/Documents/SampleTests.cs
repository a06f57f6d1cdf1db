using Certification.Signing.Documents;
using Certification.Signing.Pades;
using Certification.Signing.Revocation;
using Certification.TestSupport;
using Certification.TestSupport.ExternalTools;
using SkiaSharp;
using Xunit;

namespace Certification.Signing.Tests.Documents;

/// <summary>The project's own sample scans (samples/, made by samples/make-samples.sh) through the whole
/// pipeline, and the committed renders in docs/renders compared with fresh ones.</summary>
public sealed class SampleTests
{
    private static string Repository => RepositoryRoot.Find() ?? throw new InvalidOperationException("Repository root not found");

    private static IReadOnlyList<ScanFile> Load(string document) =>
        document.Split('+').Select(f => new ScanFile(f, File.ReadAllBytes(Path.Combine(Repository, "samples", f)))).ToList();

    [Theory]
    [InlineData("giay-khai-sinh-mau.jpg", 1, false)]
    [InlineData("bang-tot-nghiep-mau-1.jpg+bang-tot-nghiep-mau-2.jpg", 2, true)]
    [InlineData("cccd-mau.png", 1, true)]
    [InlineData("so-ho-khau-mau.tiff", 2, false)]
    public async Task Samples_become_B_LT_copies_the_judges_accept(string document, int pages, bool appended)
    {
        await TestPki.Shared.StartServerAsync();
        var issuer = new CertifiedCopyIssuer(new PadesSigner(TestPki.Shared.Tsa, new RevocationFetcher()));
        var composed = issuer.Composer.Compose(Load(document), CopyFixtures.Details());
        Assert.Equal(pages, composed.Layout.PageCount);
        Assert.Equal(appended, composed.Layout.StatementOnAppendedPage);
        using var certifier = TestPki.Shared.Pki.Officer.ToSigningKey();
        using var office = TestPki.Shared.Pki.OfficeSeal.ToSigningKey();
        var issued = await issuer.IssueAsync(Load(document), CopyFixtures.Details(), certifier, office);
        using var dir = new TempDirectory("sample");
        var path = dir.File("copy.pdf");
        await File.WriteAllBytesAsync(path, issued.Pdf);
        IssueTests.AssertIssued(path, issued);
    }

    /// <summary>Renders the first and last page of the diploma sample's signed copy with pdftoppm and
    /// compares them with docs/renders/*.png. UPDATE_RENDERS=1 rewrites the committed renders.</summary>
    [Fact]
    public async Task Fresh_renders_match_the_committed_ones()
    {
        await TestPki.Shared.StartServerAsync();
        var clock = new FixedTimeProvider(TestPki.Shared.Pki.CreatedAt.AddHours(1));
        var issuer = new CertifiedCopyIssuer(new PadesSigner(null, null, clock), clock: clock);
        using var certifier = TestPki.Shared.Pki.Officer.ToSigningKey();
        using var office = TestPki.Shared.Pki.OfficeSeal.ToSigningKey();
        var issued = await issuer.IssueAsync(Load("bang-tot-nghiep-mau-1.jpg+bang-tot-nghiep-mau-2.jpg"), CopyFixtures.Details("Bằng cử nhân"),
            certifier, office, PadesLevel.BaselineB);
        using var dir = new TempDirectory("render");
        var path = dir.File("copy.pdf");
        await File.WriteAllBytesAsync(path, issued.Pdf);
        var total = Certification.Signing.Pdf.PdfFile.Open(issued.Pdf).GetPageReferences().Count;
        var update = Environment.GetEnvironmentVariable("UPDATE_RENDERS") == "1";
        foreach (var (page, name) in new[] { (1, "certified-copy-first-page"), (total, "certified-copy-last-page") })
        {
            ExternalTool.RunChecked("pdftoppm", ["-r", "60", "-png", "-singlefile", "-f", page.ToString(), "-l", page.ToString(), path, dir.File(name)]);
            var fresh = dir.File(name + ".png");
            var committed = Path.Combine(Repository, "docs", "renders", name + ".png");
            if (update) File.Copy(fresh, committed, overwrite: true);
            var (differing, count) = Compare(committed, fresh);
            // The stamps print the signing time (the test PKI is made fresh per run), hence a tolerance.
            Assert.True(differing <= count / 200, $"{name}: {differing} of {count} pixels differ from {committed}");
        }
    }

    private static (int Differing, int Total) Compare(string expectedPath, string actualPath)
    {
        using var expected = SKBitmap.Decode(expectedPath) ?? throw new InvalidOperationException($"cannot read {expectedPath}");
        using var actual = SKBitmap.Decode(actualPath);
        Assert.Equal((expected.Width, expected.Height), (actual.Width, actual.Height));
        var differing = 0;
        for (var y = 0; y < expected.Height; y++)
        for (var x = 0; x < expected.Width; x++)
        {
            SKColor a = expected.GetPixel(x, y), b = actual.GetPixel(x, y);
            if (Math.Abs(a.Red - b.Red) > 48 || Math.Abs(a.Green - b.Green) > 48 || Math.Abs(a.Blue - b.Blue) > 48) differing++;
        }
        return (differing, expected.Width * expected.Height);
    }
}
