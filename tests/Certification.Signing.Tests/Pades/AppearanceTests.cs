using System.Text;
using Certification.Signing.Pades;
using Certification.Signing.Pdf;
using Certification.TestSupport;
using Certification.TestSupport.ExternalTools;
using Xunit;

namespace Certification.Signing.Tests.Pades;

/// <summary>Visible stamps: drawn where asked, with an embedded font and Vietnamese text intact.</summary>
public sealed class AppearanceTests
{
    [Fact]
    public async Task A_visible_stamp_is_drawn_in_its_rectangle_with_an_embedded_Unicode_font()
    {
        using var dir = new TempDirectory();
        var input = await File.ReadAllBytesAsync(SamplePdfs.PdfSharpText(dir.Path));
        using var key = TestPki.Shared.Pki.OfficeSeal.ToSigningKey();
        // Decomposed input on purpose: the stamp must still be drawn from NFC text.
        var lines = new[] { "Chứng thực bản sao".Normalize(NormalizationForm.FormD), "UBND phường Demo", "2026-11-28T10:00:00+07:00" };
        var box = new SignatureAppearance { Page = 1, X = 320, Y = 40, Width = 220, Height = 60, Lines = lines };
        var output = await new PadesSigner().SignAsync(input, key, new SignatureRequest { Appearance = box });
        var path = dir.File("visible.pdf");
        await File.WriteAllBytesAsync(path, output);
        SignedFileAssertions.AssertJudgesAccept(path, 1);

        var file = PdfFile.Open(output);
        var widget = (PdfDictionary)file.Resolve(EmbeddedSignatures.Find(file)[0].FieldReference)!;
        var rect = ((PdfArray)widget["Rect"]!).Items.Select(i => i.AsNumber()!.Value).ToArray();
        Assert.Equal([320, 40, 540, 100], rect);
        var appearance = (PdfStream)file.Resolve(((PdfDictionary)widget["AP"]!)["N"])!;
        var fonts = (PdfDictionary)file.Resolve(((PdfDictionary)appearance.Dictionary["Resources"]!)["Font"])!;
        var font = (PdfDictionary)file.Resolve(fonts.Entries[0].Value)!;
        Assert.Equal("Type0", font.GetName("Subtype"));
        var descendant = (PdfDictionary)file.Resolve(((PdfArray)file.Resolve(font["DescendantFonts"])!)[0])!;
        var descriptor = (PdfDictionary)file.Resolve(descendant["FontDescriptor"])!;
        Assert.NotNull(file.Resolve(descriptor["FontFile2"]) as PdfStream);
        Assert.Contains("Liberation Serif", descriptor.GetName("FontName"));
        // The ToUnicode map lets text extractors read the stamp back as NFC.
        var toUnicode = Encoding.ASCII.GetString(file.DecodeStream((PdfStream)file.Resolve(font["ToUnicode"])!));
        Assert.Contains("<1EE9>", toUnicode); // ứ (U+1EE9), precomposed

        // Rendered at 72 dpi: ink inside the stamp's rectangle on the page, none in a blank area beside it.
        var prefix = dir.File("page");
        ExternalTool.RunChecked("pdftoppm", ["-r", "72", "-f", "1", "-l", "1", "-gray", path, prefix]);
        var (width, height, pixels) = ReadPgm(Directory.GetFiles(dir.Path, "page*.pgm").Single());
        int Ink(double x0, double y0, double x1, double y1)
        {
            var count = 0;
            for (var y = (int)(height - y1); y < (int)(height - y0); y++)
            for (var x = (int)x0; x < (int)x1; x++)
                if (pixels[y * width + x] < 200) count++;
            return count;
        }
        Assert.True(Ink(322, 42, 538, 98) > 300, "the stamp must be drawn inside its rectangle");
        Assert.Equal(0, Ink(100, 40, 300, 100));
    }

    private static (int Width, int Height, byte[] Pixels) ReadPgm(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var position = 0;
        string Token()
        {
            while (char.IsWhiteSpace((char)bytes[position])) position++;
            var start = position;
            while (!char.IsWhiteSpace((char)bytes[position])) position++;
            return Encoding.ASCII.GetString(bytes, start, position - start);
        }
        Assert.Equal("P5", Token());
        var width = int.Parse(Token());
        var height = int.Parse(Token());
        _ = Token();
        position++;
        return (width, height, bytes[position..]);
    }
}
