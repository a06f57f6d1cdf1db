using System.Globalization;
using System.Text;
using Certification.Signing.Appearance;
using PdfSharp.Drawing;
using PdfSharp.Pdf;

namespace Certification.Signing.Validation.Report;

/// <summary>The file a validation report is about: its name as uploaded, size and SHA-256.</summary>
public sealed record ValidatedFile(string Name, long Length, string Sha256);

/// <summary>
/// The validation report as a PDF an online service files in the dossier instead of re-verifying later:
/// Vietnamese first, then English (NFC, Liberation Serif embedded), with the verified file's hash, the
/// trust store version, who signed and when, every check and the verdict. Unsigned here: the service seals
/// it (PAdES with its own key, timestamped) so any later change to it is caught.
/// </summary>
public static class ValidationReportPdf
{
    private const double Margin = 50;
    private const double Size = 10;
    private static readonly TimeSpan VietnamOffset = TimeSpan.FromHours(7);

    public static byte[] Compose(ValidationReport report, ValidatedFile file, string service)
    {
        EmbeddedFonts.Install();
        using var document = new PdfDocument();
        document.Info.Title = "Báo cáo kết quả xác thực chữ ký số / Signature validation report".Normalize(NormalizationForm.FormC);
        document.Info.Creator = service.Normalize(NormalizationForm.FormC);
        var writer = new PageWriter(document);
        writer.Line("BÁO CÁO KẾT QUẢ XÁC THỰC CHỮ KÝ SỐ", 15, bold: true);
        writer.Line("Signature validation report (ETSI EN 319 102-1)", 12, bold: true);
        writer.Gap();
        writer.Pair("Tệp được xác thực / File", file.Name);
        writer.Pair("Kích thước / Size", $"{file.Length.ToString("N0", CultureInfo.InvariantCulture)} bytes");
        writer.Pair("SHA-256", file.Sha256);
        writer.Pair("Thời điểm xác thực / Validated at", Time(report.ValidationTime));
        writer.Pair("Phiên bản kho tin cậy / Trust store version", report.TrustStoreVersion ?? "—");
        writer.Pair("Đơn vị xác thực / Validated by", service);
        writer.Gap();
        var (vi, en) = Verdict(report.Indication);
        writer.Line($"KẾT LUẬN: {vi}", 13, bold: true);
        writer.Line($"Verdict: {en} ({Names.Of(report.Indication)})", 11, bold: true);
        if (!report.Readable) writer.Wrapped($"Không đọc được tệp / The file could not be read: {report.Error}");
        foreach (var finding in report.Findings) writer.Wrapped($"• {finding.Code}: {finding.Message}");
        if (report.Signatures.Count == 0 && report.Readable)
        {
            writer.Wrapped("Tài liệu không có chữ ký số nào: dấu hoặc hình chữ ký trên trang không phải là chữ ký số.");
            writer.Wrapped("The document carries no digital signature: a stamp or signature image on a page is not one.");
        }
        var number = 0;
        foreach (var s in report.Signatures)
        {
            writer.Gap();
            writer.Line($"{++number}. {(s.Type == "signature" ? "Chữ ký / Signature" : "Dấu thời gian tài liệu / Document timestamp")} “{s.FieldName}”", 12, bold: true);
            writer.Pair("Người ký / Signer", s.Signer?.Subject ?? "—");
            writer.Pair("Tổ chức cấp / Issuer", s.Signer?.Issuer ?? "—");
            writer.Pair("Thời điểm khai / Claimed time", s.ClaimedSigningTime is { } c ? Time(c) : "—");
            writer.Pair("Dấu thời gian / Timestamp", s.TimestampTime is { } t ? Time(t) : "—");
            writer.Pair("Định dạng / Format", $"{s.SubFilter ?? "—"}, {s.Level}");
            if (s.TrustAnchor is { } anchor) writer.Pair("Gốc tin cậy / Trust anchor", $"{anchor.Name} ({anchor.Purpose}, {anchor.Source})");
            writer.Pair("Kết quả / Result", $"{Verdict(s.Indication).Vi} / {Names.Of(s.Indication)}{(s.SubIndication is { } sub ? " / " + Names.Of(sub) : "")}");
            writer.Wrapped(s.Summary.Vi);
            writer.Wrapped(s.Summary.En);
            writer.Line("Các bước kiểm tra / Checks:", Size, bold: true);
            foreach (var check in s.Checks) writer.Wrapped($"[{Result(check.Result)}] {check.Name}: {check.Message}", indent: 12);
            foreach (var finding in s.Findings) writer.Wrapped($"• {finding.Code}: {finding.Message}", indent: 12);
        }
        writer.Gap();
        writer.Wrapped("Báo cáo này được đơn vị xác thực niêm phong bằng chữ ký số và dấu thời gian; mọi thay đổi sau đó đều bị phát hiện.");
        writer.Wrapped("This report is sealed by the validating service with its digital signature and a timestamp; any later change is detected.");
        writer.Finish();
        using var output = new MemoryStream();
        document.Save(output);
        return output.ToArray();
    }

    private static (string Vi, string En) Verdict(Indication indication) => indication switch
    {
        Indication.TotalPassed => ("HỢP LỆ", "VALID"),
        Indication.TotalFailed => ("KHÔNG HỢP LỆ", "INVALID"),
        Indication.NoSignatureFound => ("KHÔNG ĐƯỢC KÝ", "NOT SIGNED"),
        _ => ("CHƯA XÁC ĐỊNH ĐƯỢC", "INDETERMINATE"),
    };

    private static string Result(CheckResult result) => result switch
    {
        CheckResult.Passed => "đạt / passed",
        CheckResult.Failed => "KHÔNG ĐẠT / FAILED",
        _ => "chưa xác định / indeterminate",
    };

    private static string Time(DateTimeOffset time) =>
        time.ToOffset(VietnamOffset).ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture);

    /// <summary>Lines top to bottom with word wrapping and page breaks; each line is one DrawString, so words keep
    /// their spaces for text extraction (XTextFormatter draws no space glyphs, see docs/stack-notes).</summary>
    private sealed class PageWriter(PdfDocument document)
    {
        private XGraphics? _gfx;
        private PdfPage? _page;
        private double _y;
        private int _pages;

        public void Line(string text, double size = Size, bool bold = false) => Wrapped(text, 0, size, bold);

        public void Pair(string label, string value) => Wrapped($"{label}: {value}");

        public void Gap() => _y += 8;

        public void Wrapped(string text, double indent = 0, double size = Size, bool bold = false)
        {
            var font = new XFont(EmbeddedFonts.SerifFamily, size, bold ? XFontStyleEx.Bold : XFontStyleEx.Regular);
            var gfx = Graphics(size);
            var width = _page!.Width.Point - 2 * Margin - indent;
            var line = new StringBuilder();
            foreach (var word in text.Normalize(NormalizationForm.FormC).Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                var candidate = line.Length == 0 ? word : line + " " + word;
                if (line.Length > 0 && gfx.MeasureString(candidate, font).Width > width)
                {
                    Draw(line.ToString(), font, indent, size);
                    line.Clear().Append(word);
                }
                else line.Clear().Append(candidate);
            }
            if (line.Length > 0) Draw(line.ToString(), font, indent, size);
        }

        private void Draw(string text, XFont font, double indent, double size)
        {
            var gfx = Graphics(size);
            gfx.DrawString(text, font, XBrushes.Black, Margin + indent, _y + size);
            _y += size * 1.35;
        }

        /// <summary>The current page's graphics, on a new page when <paramref name="size"/> no longer fits.</summary>
        private XGraphics Graphics(double size)
        {
            if (_gfx is not null && _y + size * 1.35 < _page!.Height.Point - Margin) return _gfx;
            Finish();
            _page = document.AddPage();
            _page.Size = PdfSharp.PageSize.A4;
            _gfx = XGraphics.FromPdfPage(_page);
            _pages++;
            var footer = new XFont(EmbeddedFonts.SerifFamily, 8);
            _gfx.DrawString($"Trang / Page {_pages}", footer, XBrushes.Gray, Margin, _page.Height.Point - Margin / 2);
            _y = Margin;
            return _gfx;
        }

        public void Finish()
        {
            _gfx?.Dispose();
            _gfx = null;
        }
    }
}
