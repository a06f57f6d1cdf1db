using Certification.Signing.Documents;
using Certification.TestSupport;
using Certification.TestSupport.ExternalTools;
using Xunit;

namespace Certification.Signing.Tests.Documents;

/// <summary>Where the statement goes: on blank paper at the bottom of the last page as displayed, else on a
/// page of its own. Scans are drawn with ImageMagick: A4 at 200 dpi, grayscale, text in the project's own
/// bundled font so the drawing does not depend on the machine's system fonts.</summary>
public sealed class StatementPlacementTests
{
    private static readonly string BundledFont = Path.Combine(RepositoryRoot.Find()
        ?? throw new InvalidOperationException("Certification.sln not found above the test assembly."),
        "src", "Certification.Signing", "Fonts", "LiberationSerif-Regular.ttf");

    private static byte[] Scan(TempDirectory dir, string name, params string[] drawing)
    {
        var path = dir.File(name);
        ExternalTool.RunChecked("convert", ["-size", "1654x2339", "xc:#f7f7f7", "-fill", "black", .. drawing,
            "-colorspace", "Gray", "-units", "PixelsPerInch", "-density", "200", "-quality", "85", "jpeg:" + path]);
        return File.ReadAllBytes(path);
    }

    private static CopyLayout Compose(byte[] jpeg) =>
        new CertifiedCopyComposer().Compose([new ScanFile("scan.jpg", jpeg)], CopyFixtures.Details()).Layout;

    [Fact]
    public void Blank_paper_at_the_bottom_right_takes_the_statement()
    {
        using var dir = new TempDirectory("placement");
        var layout = Compose(Scan(dir, "text-on-top.jpg", "-font", BundledFont, "-pointsize", "40", "-annotate", "+150+300", "Văn bản mẫu – chỉ có chữ ở phần trên"));
        Assert.False(layout.StatementOnAppendedPage);
        Assert.True(layout.CertifierStamp.X > 595.28 / 2, $"certifier stamp at x={layout.CertifierStamp.X}");
    }

    [Fact]
    public void A_dark_band_at_the_bottom_is_not_blank_paper()
    {
        using var dir = new TempDirectory("placement");
        var layout = Compose(Scan(dir, "dark-bottom.jpg", "-draw", "rectangle 0,1300 1654,2339"));
        Assert.True(layout.StatementOnAppendedPage);
    }

    [Fact]
    public void Ink_at_the_bottom_right_moves_the_statement_to_the_left()
    {
        using var dir = new TempDirectory("placement");
        var layout = Compose(Scan(dir, "signature-right.jpg", "-draw", "rectangle 1000,1700 1500,2000"));
        Assert.False(layout.StatementOnAppendedPage);
        Assert.True(layout.CertifierStamp.X < 595.28 / 2, $"certifier stamp at x={layout.CertifierStamp.X}");
    }

    [Fact]
    public void An_image_stored_upside_down_is_judged_as_displayed()
    {
        // Ink in the stored image's bottom half; EXIF orientation 3 shows it at the top, leaving the displayed bottom blank.
        using var dir = new TempDirectory("placement");
        var upright = Scan(dir, "upright.jpg", "-draw", "rectangle 0,1300 1654,2339");
        Assert.True(Compose(upright).StatementOnAppendedPage);
        Assert.False(Compose(WithExifOrientation(upright, 3)).StatementOnAppendedPage);
    }

    /// <summary>Inserts a minimal Exif APP1 segment (CIPA DC-008: one IFD0 entry, Orientation) after SOI.</summary>
    private static byte[] WithExifOrientation(byte[] jpeg, ushort orientation)
    {
        byte[] tiff = [(byte)'M', (byte)'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, (byte)(orientation >> 8), (byte)orientation, 0, 0, 0, 0, 0, 0];
        byte[] payload = [.. "Exif\0\0"u8, .. tiff];
        var length = payload.Length + 2;
        return [.. jpeg.AsSpan(0, 2), 0xFF, 0xE1, (byte)(length >> 8), (byte)length, .. payload, .. jpeg.AsSpan(2)];
    }
}
