using System.Text;
using Certification.Signing.Pdf;
using Certification.Signing.Pdf.Writing;
using PdfSharp.Drawing;
using PdfDictionary = Certification.Signing.Pdf.PdfDictionary;
using SharpDocument = PdfSharp.Pdf.PdfDocument;
using PdfFontEncoding = PdfSharp.Pdf.PdfFontEncoding;

namespace Certification.Signing.Appearance;

/// <summary>
/// Draws a visible signature stamp as a form XObject (ISO 32000-1 § 12.7.3.3 appearance streams).
/// PDFsharp lays out the text with an embedded, subset Unicode font; its page content and resources
/// are then imported into the incremental update.
/// </summary>
public static class SignatureAppearanceRenderer
{
    /// <summary>An empty appearance for an invisible signature, which PDF/A still requires.</summary>
    public static PdfReference AddEmpty(IncrementalUpdate update) =>
        update.Add(new PdfStream(FormDictionary(0, 0, new PdfDictionary()), Array.Empty<byte>()));

    public static PdfReference Add(IncrementalUpdate update, double width, double height, IReadOnlyList<string> lines)
    {
        EmbeddedFonts.Install();
        var pdf = RenderPage(width, height, lines);
        var file = PdfFile.Open(pdf);
        var page = file.Resolve(file.GetPageReferences()[0]) as PdfDictionary ?? throw new InvalidOperationException("Rendered stamp has no page");
        var content = file.Resolve(page["Contents"]) switch
        {
            PdfStream s => file.DecodeStream(s),
            PdfArray a => a.Items.SelectMany(i => file.DecodeStream((PdfStream)file.Resolve(i)!).Append((byte)'\n')).ToArray(),
            _ => [],
        };
        var importer = new ObjectImporter(file, update, fixSubsetTags: true);
        var resources = importer.Import(file.Resolve(page["Resources"]) ?? new PdfDictionary()) as PdfDictionary ?? new PdfDictionary();
        return update.Add(StreamEncoder.Deflated(FormDictionary(width, height, resources), content));
    }

    private static PdfDictionary FormDictionary(double width, double height, PdfDictionary resources) => new PdfDictionary()
        .Set("Type", new PdfName("XObject"))
        .Set("Subtype", new PdfName("Form"))
        .Set("BBox", new PdfArray([new PdfInteger(0), new PdfInteger(0), new PdfReal(width), new PdfReal(height)]))
        .Set("Resources", resources);

    private static byte[] RenderPage(double width, double height, IReadOnlyList<string> lines)
    {
        using var document = new SharpDocument();
        var page = document.AddPage();
        page.Width = XUnit.FromPoint(width);
        page.Height = XUnit.FromPoint(height);
        using (var gfx = XGraphics.FromPdfPage(page))
        {
            var options = new XPdfFontOptions(PdfFontEncoding.Unicode);
            // Times New Roman 10 per Decree 30/2020, smaller when the lines would not fit the box.
            var fontSize = Math.Min(10, (height - 6) / Math.Max(1, lines.Count) / 1.2);
            var widest = lines.Select((line, i) => gfx.MeasureString(line.Normalize(NormalizationForm.FormC),
                new XFont(EmbeddedFonts.SerifFamily, 10, i == 0 ? XFontStyleEx.Bold : XFontStyleEx.Regular, options)).Width).DefaultIfEmpty(0).Max();
            if (widest > 0) fontSize = Math.Min(fontSize, 10 * (width - 8) / widest);
            fontSize = Math.Max(fontSize, 4);
            var font = new XFont(EmbeddedFonts.SerifFamily, fontSize, XFontStyleEx.Regular, options);
            var bold = new XFont(EmbeddedFonts.SerifFamily, fontSize, XFontStyleEx.Bold, options);
            gfx.DrawRectangle(new XPen(XColor.FromArgb(200, 30, 30), 1), 0.5, 0.5, width - 1, height - 1);
            var y = 3 + fontSize;
            for (var i = 0; i < lines.Count; i++)
            {
                // PDFsharp does no mark positioning: NFC keeps Vietnamese diacritics on precomposed glyphs.
                var text = lines[i].Normalize(NormalizationForm.FormC);
                gfx.DrawString(text, i == 0 ? bold : font, XBrushes.DarkRed, new XPoint(4, y));
                y += fontSize * 1.2;
            }
        }
        using var output = new MemoryStream();
        document.Save(output);
        return output.ToArray();
    }
}
