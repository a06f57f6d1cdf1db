using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Certification.Api.Features.Auth;
using Certification.Api.Features.Certifications;
using Certification.Api.Infrastructure;
using Certification.Api.Options;
using Certification.Api.Problems;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Certification.Api.Features.Verifications;

public sealed class VerificationServices
{
    public required IDocumentVerifier Verifier { get; init; }
    public required Registry Registry { get; init; }
    public required IOptions<CertificationOptions> Options { get; init; }
    public required ILogger<Registry> Log { get; init; }
}

/// <summary>Online public services verify what citizens attach: the validation report plus the registry match.</summary>
public static class VerificationsApi
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static IEndpointRouteBuilder MapVerificationsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/verifications").WithTags("Online services").RequireRateLimiting(RateLimits.Verification);
        api.MapPost("/", Verify).AllowAnonymous().Accepts<IFormFile>("multipart/form-data")
            .WithSummary("Verify one PDF (multipart 'file'): the validation report plus 'registry'");
        api.MapPost("/dossier", Dossier).RequireAuthorization(Policies.OnlineService).Accepts<IFormFile>("multipart/form-data")
            .WithSummary("Verify several PDFs of one dossier (multipart 'files'; API key)");
        return app;
    }

    private static async Task<Ok<JsonObject>> Verify(HttpRequest http, [AsParameters] VerificationServices s, CancellationToken ct)
    {
        var form = await Uploads.ReadFormAsync(http, ct);
        var files = await Uploads.FilesAsync(form, "file", 1, ct);
        return TypedResults.Ok(await VerifyOneAsync(files[0].Content, s, ct));
    }

    private static async Task<Ok<JsonObject>> Dossier(HttpRequest http, [AsParameters] VerificationServices s, CancellationToken ct)
    {
        var form = await Uploads.ReadFormAsync(http, ct);
        var files = await Uploads.FilesAsync(form, "files", s.Options.Value.Limits.MaxFiles, ct);
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
        if (pdf.Length == 0 || pdf.Span[..Math.Min(pdf.Length, 1024)].IndexOf("%PDF-"u8) < 0)
            throw new ProblemException(ProblemTypes.NotAPdf, "The file does not start like a PDF.");
        var registry = await s.Registry.MatchAsync(pdf, ct);
        Health.Telemetry.Verifications.Add(1);
        var report = await s.Verifier.VerifyAsync(pdf, ct);
        report["sha256"] = Convert.ToHexStringLower(SHA256.HashData(pdf.Span));
        report["registry"] = JsonSerializer.SerializeToNode(registry, Json);
        return report;
    }
}
