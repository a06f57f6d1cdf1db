using System.Text.Json;
using Certification.Api.Features.Verifications;
using Certification.Api.Infrastructure;
using Certification.Api.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;

namespace Certification.Api.Pages;

/// <summary>Public verification: the same report as <c>POST /api/v1/verifications</c> (validator + registry match), in plain words.</summary>
[EnableRateLimiting(RateLimits.Verification)]
public sealed class VerifyModel(IDocumentVerifier verifier, Registry registry, ValidationReportSeal seal) : WebPage
{
    private static readonly JsonSerializerOptions Pretty = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public override string Title => T("verify.title");
    public Verdict? Result { get; private set; }
    public string? ReportJson { get; private set; }
    public string? FileName { get; private set; }

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var file = Request.HasFormContentType ? Request.Form.Files.GetFile("file") : null;
        if (file is null || file.Length == 0)
        {
            Error = ProblemText("no-files", 400);
            Response.StatusCode = 400;
            return Page();
        }
        using var buffer = new MemoryStream();
        await file.CopyToAsync(buffer, ct);
        var pdf = buffer.ToArray();
        FileName = Path.GetFileName(file.FileName);
        if (pdf.AsSpan(0, Math.Min(pdf.Length, 1024)).IndexOf("%PDF-"u8) < 0)
        {
            Error = ProblemText("not-a-pdf", 422);
            Response.StatusCode = 422;
            return Page();
        }
        // The evidence forms of POST /api/v1/verifications with Accept: application/pdf or application/xml, as downloads.
        var format = Request.Form["format"].ToString() switch { "pdf" => EvidenceFormat.Pdf, "xml" => EvidenceFormat.EtsiXml, _ => EvidenceFormat.Json };
        if (format != EvidenceFormat.Json)
        {
            var evidence = await VerificationsApi.EvidenceAsync(pdf, FileName, format, verifier, seal, ct);
            return File(evidence.Content, evidence.ContentType, evidence.FileName);
        }
        var report = await VerificationsApi.ReportAsync(pdf, verifier, registry, ct);
        Result = Verdict.Read(report, Lang);
        ReportJson = report.ToJsonString(Pretty);
        return Page();
    }

    /// <summary>A time from the report: ISO 8601, or a PDF date (<c>D:YYYYMMDDHHmmSS+HH'mm'</c>, ISO 32000-1 § 7.9.4).</summary>
    public string Stamp(string value)
    {
        if (DateTimeOffset.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var t)) return Time(t);
        var m = System.Text.RegularExpressions.Regex.Match(value, @"^D:(\d{14})(?:([+-])(\d{2})'?(\d{2})'?|Z)?");
        if (m.Success && DateTime.TryParseExact(m.Groups[1].Value, "yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var local))
        {
            var offset = m.Groups[2].Success ? TimeSpan.FromMinutes((m.Groups[2].Value == "-" ? -1 : 1) * (int.Parse(m.Groups[3].Value) * 60 + int.Parse(m.Groups[4].Value))) : TimeSpan.Zero;
            return Time(new DateTimeOffset(local, offset));
        }
        return value;
    }

    public string RegistryDate(string? iso) => DateOnly.TryParse(iso, System.Globalization.CultureInfo.InvariantCulture, out var d) ? Date(d) : iso ?? "";
}
