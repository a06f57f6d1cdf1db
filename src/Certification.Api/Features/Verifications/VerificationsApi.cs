using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Certification.Api.Features.Auth;
using Certification.Api.Features.Certifications;
using Certification.Api.Infrastructure;
using Certification.Api.Options;
using Certification.Api.Problems;
using Certification.Signing.Documents;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Certification.Api.Features.Verifications;

public sealed class VerificationServices
{
    public required IDocumentVerifier Verifier { get; init; }
    public required Registry Registry { get; init; }
    public required IOptions<CertificationOptions> Options { get; init; }
    public required ILogger<Registry> Log { get; init; }
    public required ValidationReportSeal Seal { get; init; }
}

/// <summary>Online public services verify what citizens attach: the validation report plus the registry match.</summary>
public static class VerificationsApi
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static IEndpointRouteBuilder MapVerificationsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/verifications").WithTags("Online services").RequireRateLimiting(RateLimits.Verification);
        api.MapPost("/", Verify).AllowAnonymous().Accepts<IFormFile>("multipart/form-data")
            .Produces<string>(200, "application/xml").Produces<byte[]>(200, "application/pdf")
            .WithSummary("Verify one PDF (multipart 'file'): the validation report plus 'registry'; with Accept: application/xml the " +
                         "ETSI TS 119 102-2 report, with Accept: application/pdf the sealed PDF validation report");
        api.MapPost("/dossier", Dossier).RequireAuthorization(Policies.OnlineService).Accepts<IFormFile>("multipart/form-data")
            .WithSummary("Verify several PDFs of one dossier (multipart 'files'; API key)");
        return app;
    }

    private static async Task<Results<Ok<JsonObject>, Utf8ContentHttpResult, FileContentHttpResult>> Verify(HttpRequest http, [AsParameters] VerificationServices s, CancellationToken ct)
    {
        using var activity = Stage("verify");
        var files = await ReadAsync(http, "file", 1, s, ct);
        var format = EvidenceFormats.Requested(http);
        if (format == EvidenceFormat.Json) return TypedResults.Ok(await VerifyOneAsync(files[0].Content, s, ct));
        var pdf = files[0].Content;
        RequirePdf(pdf);
        Health.Telemetry.Verifications.Add(1);
        var evidence = await EvidenceAsync(pdf, files[0].FileName, format, s.Verifier, s.Seal, ct);
        return format == EvidenceFormat.EtsiXml
            ? TypedResults.Text(evidence.Content, evidence.ContentType + "; charset=utf-8")
            : TypedResults.File(evidence.Content, evidence.ContentType, evidence.FileName);
    }

    /// <summary>The evidence forms of a verification, also offered as downloads by the verify page: the ETSI TS 119 102-2
    /// XML report or the sealed PDF report, both naming the file's SHA-256.</summary>
    internal static async Task<(byte[] Content, string ContentType, string FileName)> EvidenceAsync(ReadOnlyMemory<byte> pdf, string fileName,
        EvidenceFormat format, IDocumentVerifier verifier, ValidationReportSeal seal, CancellationToken ct)
    {
        var sha = Convert.ToHexStringLower(SHA256.HashData(pdf.Span));
        var report = await verifier.ValidateAsync(pdf, sha, ct);
        if (format == EvidenceFormat.EtsiXml)
            return (System.Text.Encoding.UTF8.GetBytes(Signing.Validation.Report.EtsiValidationReport.Write(report, sha)), EvidenceFormats.Xml, "validation-report.xml");
        var sealedReport = await seal.SealAsync(report, new Signing.Validation.Report.ValidatedFile(fileName, pdf.Length, sha), ct);
        return (sealedReport, EvidenceFormats.Pdf, "validation-report.pdf");
    }

    private static void RequirePdf(ReadOnlyMemory<byte> pdf)
    {
        if (pdf.Length == 0 || pdf.Span[..Math.Min(pdf.Length, 1024)].IndexOf("%PDF-"u8) < 0)
            throw new ProblemException(ProblemTypes.NotAPdf, "The file does not start like a PDF.");
    }

    /// <summary>The PDFs straight from the request body into memory the validator reads in place.</summary>
    private static async Task<IReadOnlyList<ScanFile>> ReadAsync(HttpRequest http, string field, int maxFiles, VerificationServices s, CancellationToken ct)
    {
        using var activity = Stage("read upload");
        return (await Uploads.ReadAsync(http, field, maxFiles, s.Options.Value.Limits.MaxRequestBytes, ct)).Files;
    }

    private static System.Diagnostics.Activity? Stage(string name) => Health.Telemetry.Activities.StartActivity(name);

    private static async Task<Ok<JsonObject>> Dossier(HttpRequest http, [AsParameters] VerificationServices s, CancellationToken ct)
    {
        using var activity = Stage("verify dossier");
        var files = await ReadAsync(http, "files", s.Options.Value.Limits.MaxFiles, s, ct);
        var results = new JsonArray();
        var allValid = true;
        foreach (var file in files)
        {
            JsonObject result;
            try
            {
                result = await VerifyOneAsync(file.Content, s, ct);
            }
            catch (ProblemException p)
            {
                result = new JsonObject { ["problem"] = new JsonObject { ["type"] = p.Type.Uri, ["title"] = p.Type.Title, ["detail"] = p.Detail } };
            }
            result.Insert(0, "fileName", file.FileName);
            allValid &= (string?)result["indication"] == "TOTAL_PASSED" && result["registry"]?["status"]?.GetValue<string>() == "valid";
            results.Add(result);
        }
        return TypedResults.Ok(new JsonObject { ["allValid"] = allValid, ["count"] = files.Count, ["results"] = results });
    }

    private static async Task<JsonObject> VerifyOneAsync(ReadOnlyMemory<byte> pdf, VerificationServices s, CancellationToken ct)
    {
        RequirePdf(pdf);
        return await ReportAsync(pdf, s.Verifier, s.Registry, ct);
    }

    /// <summary>The JSON report of <c>POST /api/v1/verifications</c>: the validation report plus <c>sha256</c> and the
    /// registry match; the verify page shows the same.</summary>
    internal static async Task<JsonObject> ReportAsync(ReadOnlyMemory<byte> pdf, IDocumentVerifier verifier, Registry registries, CancellationToken ct)
    {
        // Hashed once: the registry's key, the validation cache's key and the report's sha256.
        string sha;
        using (Stage("digest")) sha = Convert.ToHexStringLower(SHA256.HashData(pdf.Span));
        RegistryMatch registry;
        using (Stage("registry")) registry = await registries.MatchAsync(pdf, sha, ct);
        Health.Telemetry.Verifications.Add(1);
        var validated = await verifier.ValidateAsync(pdf, sha, ct);
        using var reporting = Stage("report");
        var report = validated.ToJsonObject();
        report["sha256"] = sha;
        report["registry"] = JsonSerializer.SerializeToNode(registry, Json);
        return report;
    }
}

public enum EvidenceFormat
{
    Json,
    EtsiXml,
    Pdf,
}

/// <summary>Which form of the report the client asked for with Accept (RFC 9110 § 12.5.1, highest quality first): the
/// JSON report, the ETSI TS 119 102-2 XML report, or the sealed PDF report. Anything else gets JSON.</summary>
public static class EvidenceFormats
{
    public const string Xml = "application/xml";
    public const string Pdf = "application/pdf";

    public static EvidenceFormat Requested(HttpRequest request)
    {
        foreach (var type in request.GetTypedHeaders().Accept.OrderByDescending(a => a.Quality ?? 1))
        {
            var media = type.MediaType.Value;
            if (string.Equals(media, "application/json", StringComparison.OrdinalIgnoreCase)) return EvidenceFormat.Json;
            if (string.Equals(media, Xml, StringComparison.OrdinalIgnoreCase) || string.Equals(media, "text/xml", StringComparison.OrdinalIgnoreCase)) return EvidenceFormat.EtsiXml;
            if (string.Equals(media, Pdf, StringComparison.OrdinalIgnoreCase)) return EvidenceFormat.Pdf;
        }
        return EvidenceFormat.Json;
    }
}
