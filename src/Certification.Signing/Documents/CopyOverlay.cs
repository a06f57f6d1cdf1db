using System.Collections;
using System.Globalization;
using System.Text;
using Certification.Signing.Appearance;
using PdfSharp.Drawing;
using PdfSharp.Pdf;
using QRCoder;

namespace Certification.Signing.Documents;

/// <summary>What is drawn over one page of the copy, in display coordinates (points, origin top-left).</summary>
internal sealed record PageOverlay(double Width, double Height, string Footer, bool Qr, StatementPlacement? Statement, bool IsAppendedPage);

/// <summary>The statement block's top-left corner on its page (display coordinates).</summary>
internal sealed record StatementPlacement(double Left, double Top);

/// <summary>
/// Draws the footers, lookup codes and the certification statement with PDFsharp, one page per copy
/// page, in Liberation Serif (metric-compatible with Times New Roman, shipped in this assembly); the QR
/// codes are written directly (<see cref="QrOperators"/>). The pages are then imported as form XObjects
/// over the scans, so PDFsharp never rewrites a scan.
/// </summary>
internal static class CopyOverlay
{
    public const double BlockWidth = 270;
    public const double CertifierBoxWidth = 210, CertifierBoxHeight = 46;
    public const double SealBoxWidth = 240, SealBoxHeight = 50;
    private const double Gap = 4;

    /// <summary>Height of the statement block for these details.</summary>
    public static double BlockHeight(CertificationDetails details, int originalPages, long fee) =>
        CertificationStatement.Heading(details, originalPages, fee).Sum(l => l.Size * 1.25)
        + Gap + CertifierBoxHeight + Gap
        + CertificationStatement.Signatory(details).Sum(l => l.Size * 1.25)
        + Gap + SealBoxHeight;

    /// <summary>Where the two signature boxes land inside a block placed at <paramref name="placement"/> (display coordinates).</summary>
    public static (XRect Certifier, XRect Seal) SignatureBoxes(CertificationDetails details, int originalPages, long fee, StatementPlacement placement)
    {
        var y = placement.Top + CertificationStatement.Heading(details, originalPages, fee).Sum(l => l.Size * 1.25) + Gap;
        var certifier = new XRect(placement.Left + (BlockWidth - CertifierBoxWidth) / 2, y, CertifierBoxWidth, CertifierBoxHeight);
        y += CertifierBoxHeight + Gap + CertificationStatement.Signatory(details).Sum(l => l.Size * 1.25) + Gap;
        var seal = new XRect(placement.Left + (BlockWidth - SealBoxWidth) / 2, y, SealBoxWidth, SealBoxHeight);
        return (certifier, seal);
    }

    public static double QrSize(double width, double height) => Math.Clamp(Math.Min(width, height) * 0.1, 36, 56);

    public static byte[] Render(IReadOnlyList<PageOverlay> pages, CertificationDetails details, int originalPages, long fee)
    {
        EmbeddedFonts.Install();
        using var document = new PdfDocument();
        // Written uncompressed: the copy deflates these streams itself (PDFsharp's deflater leaves
        // streams without a final block, which qpdf --check reports).
        document.Options.NoCompression = true;
        document.Options.CompressContentStreams = false;
        var options = new XPdfFontOptions(PdfFontEncoding.Unicode);
        foreach (var overlay in pages)
        {
            var page = document.AddPage();
            page.Width = XUnit.FromPoint(overlay.Width);
            page.Height = XUnit.FromPoint(overlay.Height);
            using var gfx = XGraphics.FromPdfPage(page);
            DrawFooter(gfx, overlay, options);
            if (overlay.Qr) DrawLookupCode(gfx, overlay, details, options);
            if (overlay.IsAppendedPage) DrawAppendedHeading(gfx, overlay, details, options);
            if (overlay.Statement is { } placement) DrawStatement(gfx, placement, details, originalPages, fee, options);
        }
        using var output = new MemoryStream();
        document.Save(output);
        return output.ToArray();
    }

    private static XFont Font(double size, bool bold, XPdfFontOptions options) =>
        new(EmbeddedFonts.SerifFamily, size, bold ? XFontStyleEx.Bold : XFontStyleEx.Regular, options);

    /// <summary>The largest size up to <paramref name="size"/> at which the text fits <paramref name="width"/>.</summary>
    private static XFont Fit(XGraphics gfx, string text, double size, bool bold, double width, XPdfFontOptions options)
    {
        var font = Font(size, bold, options);
        var measured = gfx.MeasureString(text, font).Width;
        if (measured <= width) return font;
        return Font(Math.Max(5, size * width / measured), bold, options);
    }

    private static void DrawFooter(XGraphics gfx, PageOverlay overlay, XPdfFontOptions options)
    {
        var qr = overlay.Qr ? QrSize(overlay.Width, overlay.Height) + 10 : 0;
        var text = overlay.Footer.Normalize(NormalizationForm.FormC);
        var font = Fit(gfx, text, 7.5, false, overlay.Width - 16 - qr, options);
        var size = gfx.MeasureString(text, font);
        var x = overlay.Width - 8 - size.Width;
        var baseline = overlay.Height - 6;
        gfx.DrawRectangle(XBrushes.White, x - 2, baseline - font.Size, size.Width + 4, font.Size * 1.3);
        gfx.DrawString(text, font, XBrushes.Black, x, baseline);
    }

    /// <summary>The QR code's modules (quiet zone included) for the verification URL, ECC level M (ISO/IEC 18004).</summary>
    public static List<BitArray> QrModules(CertificationDetails details) =>
        new QRCodeGenerator().CreateQrCode(details.VerificationUrl.AbsoluteUri, QRCodeGenerator.ECCLevel.M).ModuleMatrix;

    /// <summary>
    /// Content-stream operators that paint the QR code at the bottom-left corner of the overlay page, in
    /// the page's own coordinates (origin bottom-left). Written directly rather than through PDFsharp:
    /// each row's dark runs become one rectangle, so the code is a few hundred operators, stays vector
    /// (sharp at any zoom) and costs microseconds.
    /// </summary>
    public static string QrOperators(PageOverlay overlay, List<BitArray> modules)
    {
        var size = QrSize(overlay.Width, overlay.Height);
        const double left = 6, bottom = 6;
        var module = size / modules.Count;
        var ops = new StringBuilder("q\n");
        // The matrix includes the quiet zone; paint it white so the code reads over any scan.
        ops.Append(CultureInfo.InvariantCulture, $"1 g {Number(left)} {Number(bottom)} {Number(size)} {Number(size)} re f\n0 g\n");
        for (var y = 0; y < modules.Count; y++)
        {
            var row = modules[y];
            var rowBottom = bottom + size - (y + 1) * module;
            for (var x = 0; x < row.Count; x++)
            {
                if (!row[x]) continue;
                var start = x;
                while (x + 1 < row.Count && row[x + 1]) x++;
                ops.Append(CultureInfo.InvariantCulture,
                    $"{Number(left + start * module)} {Number(rowBottom)} {Number((x - start + 1) * module)} {Number(module)} re\n");
            }
        }
        return ops.Append("f\nQ\n").ToString();
    }

    private static string Number(double value) => Math.Round(value, 3).ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>The short lookup code printed beside the QR code, for looking the copy up by hand.</summary>
    private static void DrawLookupCode(XGraphics gfx, PageOverlay overlay, CertificationDetails details, XPdfFontOptions options)
    {
        var size = QrSize(overlay.Width, overlay.Height);
        double left = 6, top = overlay.Height - 6 - size;
        var text = CertificationStatement.LookupLine(details);
        var font = Fit(gfx, text, 7, true, Math.Max(60, overlay.Width - size - 24), options);
        var width = gfx.MeasureString(text, font).Width;
        var baseline = top + font.Size;
        gfx.DrawRectangle(XBrushes.White, left + size + 2, baseline - font.Size, width + 4, font.Size * 1.3);
        gfx.DrawString(text, font, XBrushes.Black, left + size + 4, baseline);
    }

    private static void DrawAppendedHeading(XGraphics gfx, PageOverlay overlay, CertificationDetails details, XPdfFontOptions options)
    {
        var d = details.Normalized();
        var title = "TRANG CHỨNG THỰC KÈM THEO BẢN SAO";
        var font = Fit(gfx, title, 13, true, overlay.Width - 144, options);
        gfx.DrawString(title, font, XBrushes.Black, (overlay.Width - gfx.MeasureString(title, font).Width) / 2, 90);
        var sub = $"{d.DocumentTitle}";
        var subFont = Fit(gfx, sub, 11, false, overlay.Width - 144, options);
        gfx.DrawString(sub, subFont, XBrushes.Black, (overlay.Width - gfx.MeasureString(sub, subFont).Width) / 2, 110);
    }

    private static void DrawStatement(XGraphics gfx, StatementPlacement placement, CertificationDetails details, int originalPages, long fee, XPdfFontOptions options)
    {
        var y = placement.Top;
        void Lines(IEnumerable<CertificationStatement.Line> lines)
        {
            foreach (var line in lines)
            {
                var text = line.Text.Normalize(NormalizationForm.FormC);
                var font = Fit(gfx, text, line.Size, line.Bold, BlockWidth, options);
                var width = gfx.MeasureString(text, font).Width;
                gfx.DrawString(text, font, XBrushes.Black, placement.Left + (BlockWidth - width) / 2, y + line.Size);
                y += line.Size * 1.25;
            }
        }
        Lines(CertificationStatement.Heading(details, originalPages, fee));
        y += Gap + CertifierBoxHeight + Gap;
        Lines(CertificationStatement.Signatory(details));
    }
}
