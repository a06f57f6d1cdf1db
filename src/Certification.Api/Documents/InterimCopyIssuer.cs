using System.Security.Cryptography;
using System.Text;
using Certification.Api.Features.Certifications;
using Certification.Signing.Appearance;
using Certification.Signing.Cms;
using Certification.Signing.Pades;
using Org.BouncyCastle.X509;
using PdfSharp.Drawing;
using PdfSharp.Pdf;
using PdfSharp.Pdf.IO;

namespace Certification.Api.Documents;

/// <summary>
/// TEMPORARY composer until <c>CertifiedCopyIssuer</c> of the [documents] branch lands: one page per scan
/// at 100 % scale (JPEG passed through), scanner PDFs' pages imported, then a statement page, then the
/// certifier's signature (certification signature, DocMDP 2) and the office seal at the requested level.
/// The certification number, book and office code are also written into the document information
/// dictionary so verification can find the printed number without text extraction.
/// </summary>
public sealed class InterimCopyIssuer(PadesSigner signer) : ICopyIssuer
{
    public int Inspect(IReadOnlyList<ScanFile> scans) => scans.Sum(s => ScanInspector.Inspect(s).Pages);

    public async Task<IssuedCopy> IssueAsync(IReadOnlyList<ScanFile> scans, CertificationDetails details, ISigningKey certifier, ISigningKey office,
        PadesLevel level, CancellationToken ct = default)
    {
        var (pdf, pages, firstPage) = Compose(scans, details);
        var signed = await signer.SignAsync(pdf, certifier, CertifierRequest(level), ct);
        signed = await signer.SignAsync(signed, office, OfficeRequest(level, firstPage), ct);
        return new IssuedCopy(signed, pages, details.Fees.FeeFor(pages), Convert.ToHexStringLower(SHA256.HashData(signed)));
    }

    public async Task<PreparedCopy> PrepareAsync(IReadOnlyList<ScanFile> scans, CertificationDetails details, IReadOnlyList<X509Certificate> certifierChain,
        SignatureAlgorithm algorithm, PadesLevel level, CancellationToken ct = default)
    {
        var (pdf, pages, _) = Compose(scans, details);
        var pending = await signer.PrepareAsync(pdf, certifierChain, algorithm, CertifierRequest(level), ct);
        return new PreparedCopy(pdf, pending, pages, details.Fees.FeeFor(pages));
    }

    public async Task<IssuedCopy> CompleteAsync(PreparedCopy prepared, byte[] signatureValue, IReadOnlyList<X509Certificate> chain, ISigningKey office,
        PadesLevel level, CancellationToken ct = default)
    {
        var signed = await signer.CompleteAsync(prepared.Pdf, prepared.Pending, signatureValue, chain, ct);
        var firstPage = FirstPageSize(signed);
        signed = await signer.SignAsync(signed, office, OfficeRequest(level, firstPage), ct);
        return new IssuedCopy(signed, prepared.PageCount, prepared.Fee, Convert.ToHexStringLower(SHA256.HashData(signed)));
    }

    private static SignatureRequest CertifierRequest(PadesLevel level) => new()
    {
        FieldName = "Certifier",
        Level = level >= PadesLevel.BaselineT ? PadesLevel.BaselineT : PadesLevel.BaselineB,
        CertifyPermissions = 2,
        Reason = "Chứng thực bản sao đúng với bản chính",
        Location = "Việt Nam",
    };

    /// <summary>Decree 30/2020: the office signature sits at the top right of page 1.</summary>
    private static SignatureRequest OfficeRequest(PadesLevel level, (double Width, double Height) page) => new()
    {
        FieldName = "OfficeSeal",
        Level = level,
        Reason = "Đóng dấu cơ quan chứng thực",
        Appearance = new SignatureAppearance { Page = 1, X = page.Width - 215, Y = page.Height - 80, Width = 200, Height = 66 },
    };

    private static (double, double) FirstPageSize(byte[] pdf)
    {
        using var document = PdfReader.Open(new MemoryStream(pdf), PdfDocumentOpenMode.Import);
        return (document.Pages[0].Width.Point, document.Pages[0].Height.Point);
    }

    private static (byte[] Pdf, int Pages, (double, double) FirstPage) Compose(IReadOnlyList<ScanFile> scans, CertificationDetails details)
    {
        EmbeddedFonts.Install();
        using var document = new PdfDocument();
        document.Info.Title = Nfc(details.DocumentTitle);
        document.Info.Creator = "Certification";
        document.Info.Elements["/CertificationNumber"] = new PdfString(details.CertificationNumber);
        document.Info.Elements["/CertificationBook"] = new PdfString(details.Book, PdfStringEncoding.Unicode);
        document.Info.Elements["/CertificationOffice"] = new PdfString(details.OfficeCode);
        var originalPages = 0;
        foreach (var scan in scans)
        {
            var facts = ScanInspector.Inspect(scan);
            if (facts.Format == "pdf")
            {
                using var source = PdfReader.Open(new MemoryStream(scan.Content.ToArray()), PdfDocumentOpenMode.Import);
                foreach (var page in source.Pages) document.AddPage(page);
                originalPages += source.PageCount;
                continue;
            }
            using var image = XImage.FromStream(new MemoryStream(scan.Content.ToArray()));
            var pdfPage = document.AddPage();
            pdfPage.Width = XUnit.FromPoint(facts.Width * 72.0 / facts.Dpi);
            pdfPage.Height = XUnit.FromPoint(facts.Height * 72.0 / facts.Dpi);
            using (var gfx = XGraphics.FromPdfPage(pdfPage))
                gfx.DrawImage(image, 0, 0, pdfPage.Width.Point, pdfPage.Height.Point);
            originalPages++;
        }
        AddStatementPage(document, details, originalPages);
        var first = (document.Pages[0].Width.Point, document.Pages[0].Height.Point);
        using var output = new MemoryStream();
        document.Save(output, false);
        return (output.ToArray(), originalPages, first);
    }

    /// <summary>The statement (lời chứng), Circular 01/2020 template as summarised in docs/domain.md.</summary>
    private static void AddStatementPage(PdfDocument document, CertificationDetails d, int pages)
    {
        var page = document.AddPage();
        page.Width = XUnit.FromMillimeter(210);
        page.Height = XUnit.FromMillimeter(297);
        using var gfx = XGraphics.FromPdfPage(page);
        var regular = new XFont(EmbeddedFonts.SerifFamily, 12);
        var bold = new XFont(EmbeddedFonts.SerifFamily, 13, XFontStyleEx.Bold);
        double y = 90;
        void Line(string text, XFont font, double step = 20)
        {
            gfx.DrawString(Nfc(text), font, XBrushes.Black, new XPoint(70, y));
            y += step;
        }
        Line(d.OfficeName, bold, 30);
        Line("Chứng thực bản sao đúng với bản chính.", bold, 26);
        Line($"Văn bản: {d.DocumentTitle}", regular);
        Line($"Số chứng thực: {d.CertificationNumber}    Quyển số: {d.Book}", regular);
        Line($"Ngày {d.Date.Day} tháng {d.Date.Month} năm {d.Date.Year}", regular);
        Line($"Số trang bản chính: {pages}    Lệ phí: {d.Fees.FeeFor(pages):N0} đồng", regular, 30);
        Line("Người thực hiện chứng thực", bold);
        Line($"{d.CertifierTitle}: {d.CertifierName}", regular);
        if (d.Authorisation is { } a) Line(a, regular);
        y += 20;
        Line($"Mã tra cứu / Access code: {d.LookupCode}", regular);
        Line($"Kiểm tra / Verify: {d.VerificationUrl}", new XFont(EmbeddedFonts.SerifFamily, 9));
    }

    private static string Nfc(string text) => text.Normalize(NormalizationForm.FormC);
}
