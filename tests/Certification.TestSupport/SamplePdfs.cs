using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Certification.TestSupport.ExternalTools;
using PdfSharp.Drawing;
using PdfSharp.Drawing.Layout;
using PdfSharp.Pdf;

namespace Certification.TestSupport;

/// <summary>The kinds of input PDF a signer meets in practice, each from a different producer.</summary>
public enum SamplePdfKind
{
    /// <summary>PDFsharp 6.2.4: two pages of text in embedded Liberation Serif; classic xref table.</summary>
    PdfSharpText,
    /// <summary>img2pdf over a JPEG: one image-only page, as a scanner's software writes it.</summary>
    ImageOnlyScan,
    /// <summary>qpdf --object-streams=generate over <see cref="PdfSharpText"/>: xref stream, object streams.</summary>
    ObjectStreams,
    /// <summary>qpdf --linearize over <see cref="PdfSharpText"/>: first-page xref plus main xref.</summary>
    Linearized,
    /// <summary><see cref="PdfSharpText"/> plus two hand-appended incremental updates (classic xref + /Prev).</summary>
    IncrementalRevisions,
    /// <summary>Hand-made hybrid-reference file (ISO 32000-1 § 7.5.8.4): classic table plus /XRefStm,
    /// with the page's font only reachable through the xref stream.</summary>
    HybridReference,
}

/// <summary>Creates input PDFs for signing tests, each in the caller's directory (normally a
/// <see cref="TempDirectory"/>). Every call writes a new file; large JPEGs are cached in the temp folder.</summary>
public static class SamplePdfs
{
    /// <summary>All kinds, for <c>[Theory, MemberData(nameof(SamplePdfs.AllKinds), MemberType = typeof(SamplePdfs))]</c>.</summary>
    public static TheoryDataOfKind AllKinds => new(Enum.GetValues<SamplePdfKind>());

    /// <summary>Creates a sample of <paramref name="kind"/> in <paramref name="directory"/> and returns its path.</summary>
    public static string Create(SamplePdfKind kind, string directory) => kind switch
    {
        SamplePdfKind.PdfSharpText => PdfSharpText(directory),
        SamplePdfKind.ImageOnlyScan => ImageOnlyScan(directory),
        SamplePdfKind.ObjectStreams => ObjectStreams(directory),
        SamplePdfKind.Linearized => Linearized(directory),
        SamplePdfKind.IncrementalRevisions => IncrementalRevisions(directory),
        SamplePdfKind.HybridReference => HybridReference(directory),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>(a) A 2-page text document composed with PDFsharp (Vietnamese text, NFC). With
    /// <paramref name="compressContentStreams"/> (PDFsharp's default) its content streams are Flate data
    /// without a final block, which qpdf reports as "input stream is complete but output may still be
    /// valid" warnings (see <see cref="QpdfCheck.HasOnlyUnterminatedFlateWarnings"/>).</summary>
    public static string PdfSharpText(string directory, string fileName = "pdfsharp-text.pdf", bool compressContentStreams = true)
    {
        Certification.Signing.Appearance.EmbeddedFonts.Install();
        var path = Path.Combine(directory, fileName);
        using var document = new PdfDocument();
        document.Options.CompressContentStreams = compressContentStreams;
        document.Info.Title = "Sample text document";
        document.Info.Author = "Certification tests";
        var font = new XFont(Certification.Signing.Appearance.EmbeddedFonts.SerifFamily, 12);
        var heading = new XFont(Certification.Signing.Appearance.EmbeddedFonts.SerifFamily, 18);
        for (var pageNumber = 1; pageNumber <= 2; pageNumber++)
        {
            var page = document.AddPage();
            page.Size = PdfSharp.PageSize.A4;
            using var gfx = XGraphics.FromPdfPage(page);
            gfx.DrawString($"Trang {pageNumber}", heading, XBrushes.Black, new XPoint(72, 90));
            var text = "Cộng hòa xã hội chủ nghĩa Việt Nam. Độc lập – Tự do – Hạnh phúc. ".Normalize(NormalizationForm.FormC);
            new XTextFormatter(gfx).DrawString(string.Concat(Enumerable.Repeat(text, 12)), font, XBrushes.Black,
                new XRect(72, 120, page.Width.Point - 144, 500));
            gfx.DrawRectangle(XPens.DarkBlue, 72, 650, page.Width.Point - 144, 60);
        }
        document.Save(path);
        return path;
    }

    /// <summary>(b) An image-only page: a generated JPEG (ImageMagick) wrapped by img2pdf.</summary>
    public static string ImageOnlyScan(string directory, string fileName = "scan-img2pdf.pdf")
    {
        var jpeg = CachedJpeg(width: 827, height: 1169, quality: 80, seed: 11);
        var path = Path.Combine(directory, fileName);
        ExternalTool.RunChecked("img2pdf", ["--pagesize", "A4", "-o", path, jpeg]);
        return path;
    }

    /// <summary>(c) <see cref="PdfSharpText"/> rewritten by qpdf with object streams and an xref stream.</summary>
    public static string ObjectStreams(string directory, string fileName = "object-streams.pdf")
    {
        var source = PdfSharpText(directory, "object-streams-source.pdf");
        var path = Path.Combine(directory, fileName);
        Qpdf.Run(["--object-streams=generate", source, path]);
        File.Delete(source);
        return path;
    }

    /// <summary>(d) <see cref="PdfSharpText"/> linearized by qpdf.</summary>
    public static string Linearized(string directory, string fileName = "linearized.pdf")
    {
        var source = PdfSharpText(directory, "linearized-source.pdf");
        var path = Path.Combine(directory, fileName);
        Qpdf.Run(["--linearize", source, path]);
        File.Delete(source);
        return path;
    }

    /// <summary>(e) <see cref="PdfSharpText"/> with <paramref name="revisions"/> incremental updates appended,
    /// each redefining the Info dictionary.</summary>
    public static string IncrementalRevisions(string directory, int revisions = 2, string fileName = "incremental-revisions.pdf")
    {
        var path = PdfSharpText(directory, fileName);
        for (var i = 1; i <= revisions; i++)
            PdfRevisionAppender.AppendInfoRevision(path, $"Revision {i + 1}");
        return path;
    }

    /// <summary>(f) A hand-made hybrid-reference file; see <see cref="HybridReferencePdf"/>.</summary>
    public static string HybridReference(string directory, string fileName = "hybrid-reference.pdf")
    {
        var path = Path.Combine(directory, fileName);
        File.WriteAllBytes(path, HybridReferencePdf.Build());
        return path;
    }

    /// <summary>(g) About 3 MB: two A4 pages, each one 300 dpi JPEG of about 1.5 MB (PDFsharp, DCTDecode pass-through).</summary>
    public static string ThreeMegabytes(string directory, string fileName = "jpeg-2-pages-3mb.pdf") =>
        JpegPages(directory, pages: 2, fileName);

    /// <summary>(g) About 30 MB: twenty A4 pages of 300 dpi JPEG.</summary>
    public static string ThirtyMegabytes(string directory, string fileName = "jpeg-20-pages-30mb.pdf") =>
        JpegPages(directory, pages: 20, fileName);

    /// <summary>A PDF of <paramref name="pages"/> A4 pages, each a distinct ~1.5 MB 2480x3508 JPEG
    /// (one generated noise image, made distinct per page with a JPEG comment so nothing is deduplicated).
    /// The PDF itself is cached too and copied into <paramref name="directory"/>.</summary>
    public static string JpegPages(string directory, int pages, string? fileName = null)
    {
        var path = Path.Combine(directory, fileName ?? $"jpeg-{pages}-pages.pdf");
        var cached = Cached($"jpeg-pages-v2-{pages}.pdf", target =>
        {
            var jpeg = File.ReadAllBytes(CachedJpeg(2480, 3508, quality: 87, seed: 3, noisy: true));
            using var document = new PdfDocument();
            document.Options.CompressContentStreams = false; // see PdfSharpText: keeps qpdf --check clean
            for (var i = 0; i < pages; i++)
            {
                var page = document.AddPage();
                page.Size = PdfSharp.PageSize.A4;
                using var stream = new MemoryStream(WithJpegComment(jpeg, $"page {i + 1}"));
                using var image = XImage.FromStream(stream);
                using var gfx = XGraphics.FromPdfPage(page);
                gfx.DrawImage(image, 0, 0, page.Width.Point, page.Height.Point);
            }
            document.Save(target);
        });
        File.Copy(cached, path, overwrite: true);
        return path;
    }

    /// <summary>A JPEG made by ImageMagick, cached in the temp folder by its parameters.
    /// <paramref name="noisy"/> adds Gaussian noise so it compresses like a real scan.</summary>
    /// <param name="dpi">Written into the JFIF header when given: scan intake needs it to know the paper size.</param>
    public static string CachedJpeg(int width, int height, int quality, int seed, bool noisy = false, int? dpi = null) =>
        Cached($"plasma-{width}x{height}-q{quality}-s{seed}{(noisy ? "-noise" : "")}{(dpi is { } d ? $"-{d}dpi" : "")}.jpg", target =>
        {
            // Plasma is drawn small and scaled up: drawing it at full size costs seconds.
            var small = $"{Math.Max(1, width / 4)}x{Math.Max(1, height / 4)}";
            List<string> args = ["-seed", seed.ToString(CultureInfo.InvariantCulture), "-size", small, "plasma:white-grey",
                "-resize", $"{width}x{height}!"];
            if (noisy) args.AddRange(["-attenuate", "0.3", "+noise", "Gaussian"]);
            args.AddRange(["-quality", quality.ToString(CultureInfo.InvariantCulture), "-strip"]);
            if (dpi is { } density) args.AddRange(["-units", "PixelsPerInch", "-density", density.ToString(CultureInfo.InvariantCulture)]);
            args.Add("jpeg:" + target);
            ExternalTool.RunChecked("convert", args);
        });

    /// <summary>Inserts a COM segment after SOI and the JFIF/Exif APPn segments that follow it (PDFsharp
    /// recognises a JPEG by what follows SOI): same picture, different bytes.</summary>
    public static byte[] WithJpegComment(byte[] jpeg, string comment)
    {
        if (jpeg.Length < 4 || jpeg[0] != 0xFF || jpeg[1] != 0xD8) throw new ArgumentException("Not a JPEG (no SOI).");
        var at = 2;
        while (at + 4 <= jpeg.Length && jpeg[at] == 0xFF && jpeg[at + 1] is >= 0xE0 and <= 0xEF)
            at += 2 + ((jpeg[at + 2] << 8) | jpeg[at + 3]);
        var text = Encoding.ASCII.GetBytes(comment);
        var segmentLength = text.Length + 2;
        var result = new byte[jpeg.Length + 2 + segmentLength];
        Buffer.BlockCopy(jpeg, 0, result, 0, at);
        result[at] = 0xFF;
        result[at + 1] = 0xFE;
        result[at + 2] = (byte)(segmentLength >> 8);
        result[at + 3] = (byte)segmentLength;
        text.CopyTo(result, at + 4);
        Buffer.BlockCopy(jpeg, at, result, at + 4 + text.Length, jpeg.Length - at);
        return result;
    }

    private static readonly object CacheGate = new();

    /// <summary>Returns the cached file <paramref name="name"/>, creating it with <paramref name="create"/>
    /// (written to a temporary name, then renamed, so parallel tests never see half a file).</summary>
    private static string Cached(string name, Action<string> create)
    {
        var dir = Path.Combine(Path.GetTempPath(), "certification-test-cache");
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, name);
        lock (CacheGate)
        {
            if (File.Exists(path)) return path;
            var temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
            try
            {
                create(temp);
                File.Move(temp, path, overwrite: true);
            }
            finally
            {
                if (File.Exists(temp)) File.Delete(temp);
            }
            return path;
        }
    }

    /// <summary>SHA-256 of a file, hex: to assert that earlier bytes were never touched.</summary>
    public static string Sha256(string path, long length)
    {
        using var stream = File.OpenRead(path);
        var buffer = new byte[length];
        stream.ReadExactly(buffer);
        return Convert.ToHexString(SHA256.HashData(buffer));
    }
}

/// <summary>xunit theory data of <see cref="SamplePdfKind"/> values.</summary>
public sealed class TheoryDataOfKind : Xunit.TheoryData<SamplePdfKind>
{
    public TheoryDataOfKind(IEnumerable<SamplePdfKind> kinds)
    {
        foreach (var k in kinds) Add(k);
    }
}
