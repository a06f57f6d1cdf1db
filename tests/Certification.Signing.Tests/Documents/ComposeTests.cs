using System.Text;
using Certification.Signing.Documents;
using Certification.Signing.Pdf;
using Certification.TestSupport;
using Certification.TestSupport.ExternalTools;
using Xunit;

namespace Certification.Signing.Tests.Documents;

/// <summary>The composed copy, before signing: page sizes, image resolutions, untouched JPEG bytes,
/// statement text, footers, structure and determinism, judged from the output file.</summary>
public sealed class ComposeTests
{
    internal static ComposedCopy Compose(string document, CertificationDetails? details = null) =>
        new CertifiedCopyComposer(CopyFixtures.LimitsFor(document), new FixedTimeProvider(CopyFixtures.IssuedAt))
            .Compose(CopyFixtures.Load(document), details ?? CopyFixtures.Details());

    [SharedFixtureTheory]
    [Trait("Category", SharedFixtures.Category)]
    [MemberData(nameof(CopyFixtures.GoodDocuments), MemberType = typeof(CopyFixtures))]
    public void Every_good_scan_becomes_a_copy_with_true_page_sizes_and_resolutions(string document)
    {
        var copy = Compose(document);
        var files = document.Split('+');
        var expected = files.SelectMany(CopyFixtures.PageSizesMm).ToList();
        Assert.Equal(expected.Count, copy.Layout.PageCount);
        Assert.Equal(copy.Layout.PageCount + (copy.Layout.StatementOnAppendedPage ? 1 : 0), copy.Layout.TotalPages);
        Assert.Equal(FeeSchedule.Circular226.FeeFor(copy.Layout.PageCount), copy.Layout.Fee);

        var pdf = PdfFile.Open(copy.Pdf);
        var pages = pdf.GetPageReferences();
        Assert.Equal(copy.Layout.TotalPages, pages.Count);
        var scans = new ScanIntake(CopyFixtures.LimitsFor(document)).Inspect(CopyFixtures.Load(document));
        for (var i = 0; i < expected.Count; i++)
        {
            var page = (PdfDictionary)pdf.Resolve(pages[i])!;
            var box = Numbers(pdf, page["MediaBox"]);
            var rotate = page["Rotate"] is PdfInteger r ? r.Value : 0;
            double w = (box[2] - box[0]) / 72 * 25.4, h = (box[3] - box[1]) / 72 * 25.4;
            if (rotate is 90 or 270) (w, h) = (h, w);
            Assert.True(Math.Abs(w - expected[i].W) < 0.6 && Math.Abs(h - expected[i].H) < 0.6,
                $"page {i + 1}: {w:0.0} x {h:0.0} mm, expected {expected[i].W} x {expected[i].H} mm");

            // The image's own resolution from the output: pixels over the page size it is drawn at.
            var image = LargestImage(pdf, page);
            var scan = scans[i];
            var (pw, ph) = scan.Orientation >= 5 ? (image.H, image.W) : (image.W, image.H);
            var dpiX = pw / ((box[2] - box[0]) / 72);
            var dpiY = ph / ((box[3] - box[1]) / 72);
            if (rotate is 90 or 270) (dpiX, dpiY) = (ph / ((box[2] - box[0]) / 72), pw / ((box[3] - box[1]) / 72));
            Assert.True(Math.Abs(dpiX - scan.DpiX) < 1 && Math.Abs(dpiY - scan.DpiY) < 1, $"page {i + 1}: {dpiX:0.0}x{dpiY:0.0} dpi, scan says {scan.DpiX}x{scan.DpiY}");
        }

        using var dir = new TempDirectory("copy");
        var path = dir.File("copy.pdf");
        File.WriteAllBytes(path, copy.Pdf);
        var qpdf = Qpdf.Check(path);
        Assert.True(qpdf.IsClean, qpdf.ToString());
    }

    [SharedFixtureTheory]
    [Trait("Category", SharedFixtures.Category)]
    [InlineData("giay-khai-sinh.jpg")]
    [InlineData("bang-tot-nghiep-p1.jpg+bang-tot-nghiep-p2.jpg")]
    [InlineData("grayscale.jpg")]
    [InlineData("cmyk.jpg")]
    [InlineData("rotated-exif.jpg")]
    [InlineData("big-a3-600dpi.jpg")]
    public void Embedded_JPEGs_are_the_uploaded_bytes(string document)
    {
        var inputs = CopyFixtures.Load(document);
        var copy = Compose(document);
        var pdf = PdfFile.Open(copy.Pdf);
        var pages = pdf.GetPageReferences();
        for (var i = 0; i < inputs.Count; i++)
        {
            var scan = ScanStream(pdf, (PdfDictionary)pdf.Resolve(pages[i])!);
            Assert.Equal("DCTDecode", scan.Dictionary.GetName("Filter"));
            Assert.True(scan.EncodedData.Span.SequenceEqual(inputs[i].Content.Span), $"page {i + 1}: the /DCTDecode stream differs from the uploaded JPEG");
        }
    }

    [SharedFixtureFact]
    [Trait("Category", SharedFixtures.Category)]
    public void Pages_of_a_scanned_PDF_keep_their_image_streams()
    {
        var input = PdfFile.Open(File.ReadAllBytes(SharedFixtures.File("scans", "hop-dong.pdf")));
        var copy = PdfFile.Open(Compose("hop-dong.pdf").Pdf);
        var inputPages = input.GetPageReferences();
        var outputPages = copy.GetPageReferences();
        for (var i = 0; i < inputPages.Count; i++)
        {
            var before = LargestImageStream(input, (PdfDictionary)input.Resolve(inputPages[i])!);
            var after = LargestImageStream(copy, (PdfDictionary)copy.Resolve(outputPages[i])!);
            Assert.True(before.EncodedData.Span.SequenceEqual(after.EncodedData.Span), $"page {i + 1} image changed");
        }
    }

    [SharedFixtureFact]
    [Trait("Category", SharedFixtures.Category)]
    public void Adobe_CMYK_is_inverted_back_by_Decode_and_EXIF_orientation_by_the_matrix()
    {
        var cmyk = PdfFile.Open(Compose("cmyk.jpg").Pdf);
        var image = ScanStream(cmyk, (PdfDictionary)cmyk.Resolve(cmyk.GetPageReferences()[0])!);
        Assert.Equal("DeviceCMYK", image.Dictionary.GetName("ColorSpace"));
        Assert.Equal("[1 0 1 0 1 0 1 0]", image.Dictionary["Decode"]!.ToString());

        var rotated = PdfFile.Open(Compose("rotated-exif.jpg").Pdf);
        var page = (PdfDictionary)rotated.Resolve(rotated.GetPageReferences()[0])!;
        var content = Encoding.ASCII.GetString(rotated.DecodeStream((PdfStream)rotated.Resolve(page["Contents"])!));
        // Orientation 6 (rotate 90° clockwise) on a 595.44 x 842.04 pt page.
        Assert.StartsWith("q 0 -842.04 595.44 0 0 842.04 cm /Scan Do Q", content);
    }

    [SharedFixtureTheory]
    [Trait("Category", SharedFixtures.Category)]
    [InlineData("giay-khai-sinh.jpg")]
    [InlineData("cccd-front.png+cccd-back.png")]
    [InlineData("so-ho-khau.tiff")]
    [InlineData("png16.png")]
    public void Statement_footers_and_lookup_code_extract_exactly(string document)
    {
        var details = CopyFixtures.Details();
        var copy = Compose(document, details);
        using var dir = new TempDirectory("copy");
        var path = dir.File("copy.pdf");
        File.WriteAllBytes(path, copy.Pdf);
        var last = CopyFixtures.ExtractText(path, copy.Layout.TotalPages);
        var lines = Lines(last);
        foreach (var expected in CertificationStatement.Text(details, copy.Layout.PageCount, copy.Layout.Fee))
        {
            Assert.True(expected.IsNormalized(NormalizationForm.FormC));
            Assert.True(lines.Contains(expected), $"statement line '{expected}' not extracted from the last page:\n{last}");
        }
        Assert.Contains("Chứng thực bản sao đúng với bản chính.", lines);
        Assert.Contains($"Số chứng thực: 125, Quyển số: 01/2026-SCTĐT/BS", lines);
        Assert.Contains("Ngày 28 tháng 11 năm 2026", lines);
        for (var p = 1; p <= copy.Layout.TotalPages; p++)
        {
            var text = p == copy.Layout.TotalPages ? last : CopyFixtures.ExtractText(path, p);
            Assert.Contains(CertificationStatement.Footer(details, p, copy.Layout.TotalPages), Lines(text));
            var lookup = CertificationStatement.LookupLine(details);
            if (p == 1 || p == copy.Layout.TotalPages) Assert.Contains(lookup, text);
            else Assert.DoesNotContain(lookup, text);
        }
    }

    [SharedFixtureTheory]
    [Trait("Category", SharedFixtures.Category)]
    [InlineData("giay-khai-sinh.jpg")]
    [InlineData("so-ho-khau.tiff")]
    [InlineData("cccd-front.png+cccd-back.png")]
    [InlineData("hop-dong.pdf")]
    public void Same_inputs_and_time_give_the_same_bytes(string document)
    {
        var first = Compose(document).Pdf;
        var second = Compose(document).Pdf;
        Assert.Equal(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(first)), Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(second)));
        var pdf = PdfFile.Open(first);
        var id = (PdfArray)pdf.Trailer["ID"]!;
        Assert.Equal(16, ((PdfString)id[0]).Bytes.Length);
        var info = (PdfDictionary)pdf.Resolve(pdf.Trailer["Info"])!;
        Assert.Equal("D:20261128093000+07'00'", ((PdfString)info["CreationDate"]!).ToText());
        Assert.Equal("125", ((PdfString)info["CertificationNumber"]!).ToText());
        Assert.Equal("01/2026-SCTĐT/BS", ((PdfString)info["CertificationBook"]!).ToText());
        Assert.Equal("DEMO-001", ((PdfString)info["OfficeCode"]!).ToText());
        Assert.Equal(CertifiedCopyComposer.Producer, ((PdfString)info["Producer"]!).ToText());
        var xmp = Encoding.UTF8.GetString(pdf.DecodeStream((PdfStream)pdf.Resolve(pdf.Catalog["Metadata"])!));
        Assert.Contains("<cert:CertificationBook>01/2026-SCTĐT/BS</cert:CertificationBook>", xmp);
        Assert.Contains("<xmp:CreateDate>2026-11-28T09:30:00+07:00</xmp:CreateDate>", xmp);
        Assert.Equal(document != "hop-dong.pdf", xmp.Contains("<pdfaid:part>2</pdfaid:part>"));
    }

    private static List<string> Lines(string text) =>
        text.Split('\n').Select(l => System.Text.RegularExpressions.Regex.Replace(l.Trim(), @"\s{2,}", "\n"))
            .SelectMany(l => l.Split('\n')).Select(l => l.Trim()).Where(l => l.Length > 0).ToList();

    internal static double[] Numbers(PdfFile pdf, PdfObject? array) =>
        ((PdfArray)pdf.Resolve(array)!).Items.Select(i => pdf.Resolve(i) switch { PdfInteger n => (double)n.Value, PdfReal r => r.Value, _ => double.NaN }).ToArray();

    private static PdfStream ScanStream(PdfFile pdf, PdfDictionary page)
    {
        var xobjects = (PdfDictionary)pdf.Resolve(((PdfDictionary)pdf.Resolve(page["Resources"])!)["XObject"])!;
        return (PdfStream)pdf.Resolve(xobjects["Scan"])!;
    }

    private static (int W, int H) LargestImage(PdfFile pdf, PdfDictionary page)
    {
        var s = LargestImageStream(pdf, page);
        return ((int)((PdfInteger)s.Dictionary["Width"]!).Value, (int)((PdfInteger)s.Dictionary["Height"]!).Value);
    }

    private static PdfStream LargestImageStream(PdfFile pdf, PdfDictionary page)
    {
        var xobjects = (PdfDictionary)pdf.Resolve(((PdfDictionary)pdf.Resolve(page["Resources"])!)["XObject"])!;
        return xobjects.Entries.Select(e => pdf.Resolve(e.Value)).OfType<PdfStream>()
            .Where(s => s.Dictionary.GetName("Subtype") == "Image")
            .OrderByDescending(s => ((PdfInteger)pdf.Resolve(s.Dictionary["Width"])!).Value * ((PdfInteger)pdf.Resolve(s.Dictionary["Height"])!).Value)
            .First();
    }
}
