using System.Security.Claims;
using Certification.Api.Features.Auth;
using Certification.Api.Features.Certifications;
using Certification.Api.Options;
using Certification.Api.Problems;
using Certification.Signing.Documents.Reading;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Certification.Api.Features.Scans;

public sealed record ScanInspectionResponse(IReadOnlyList<InspectedPage> Pages, ProposalsResponse Proposals, IReadOnlyList<DuplicateResponse> Duplicates);

public sealed record InspectedPage(int Page, PageQualityResponse? Quality);

/// <summary>The gate's measures of a page (<see cref="PageQuality"/>); null for a scanned PDF's page, which is not decoded.</summary>
public sealed record PageQualityResponse(double? Sharpness, double SkewDegrees, bool CutOff, double Brightness, double Contrast, IReadOnlyList<QualityWarningResponse> Warnings)
{
    public static PageQualityResponse Of(PageQuality q) =>
        new(q.Sharpness, q.SkewDegrees, q.CutOff, q.Brightness, q.Contrast, q.Warnings.Select(w => new QualityWarningResponse(w.Code, w.Message)).ToList());
}

public sealed record QualityWarningResponse(string Code, string Message);

public sealed record ProposalsResponse(Proposal? DocumentType, Proposal? HolderName, IReadOnlyList<IdNumberProposal> IdNumbers, IReadOnlyList<DateProposal> Dates);

public sealed record DuplicateResponse(Guid CertificationId, long Number, string Book, DateOnly Date);

public sealed class ScanInspectionServices
{
    public required CertificationIntake Intake { get; init; }
    public required ScanReader Reader { get; init; }
    public required ScanRecords Records { get; init; }
    public required IOptions<CertificationOptions> Options { get; init; }
    public required TimeProvider Clock { get; init; }
    public required ILogger<ScanInspectionServices> Log { get; init; }
}

/// <summary>
/// <c>POST /api/v1/scans/inspection</c>: the scans of one document (multipart <c>files</c>, as for a certification) are
/// checked by intake and the quality gate exactly as a certification checks them (a bad scan gets the same problem
/// types), then read: each page's measures and warnings, proposals for the form from OCR (each with confidence and
/// page region), and copies certified before from the same original. Nothing is certified here; proposals only
/// pre-fill the officer's form.
/// </summary>
public static class ScanInspectionApi
{
    public static IEndpointRouteBuilder MapScanInspectionApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/v1/scans").WithTags("Scans")
            .MapPost("/inspection", Inspect).RequireAuthorization(Policies.IntakeOrCertifier)
            .Accepts<IFormFile>("multipart/form-data")
            .WithSummary("Read a document's scans before certifying: quality per page, OCR proposals (type, holder, ID numbers, dates), duplicates");
        return app;
    }

    private static async Task<Results<Ok<ScanInspectionResponse>, ProblemHttpResult>> Inspect(HttpRequest http, ClaimsPrincipal user,
        [AsParameters] ScanInspectionServices s, CancellationToken ct)
    {
        var officer = await s.Intake.RequireOfficerAsync(user, ct);
        if (officer.Office is null) return Problem.Of(ProblemTypes.Forbidden);
        var form = await Uploads.ReadFormAsync(http, ct);
        var files = await Uploads.FilesAsync(form, "files", s.Options.Value.Limits.MaxFiles, ct);
        var (pages, quality) = await Task.Run(() => s.Intake.InspectScans(files), ct);
        var proposals = ScanProposals.None;
        try
        {
            proposals = await s.Reader.ProposeAsync(pages, s.Intake.Today(), ct);
        }
        catch (OcrFailedException e)
        {
            // The officer types the values themselves; the measures and duplicates still help.
            s.Log.LogWarning("OCR gave no proposals: {Reason}", e.Message);
        }
        var duplicates = await s.Records.DuplicatesAsync(officer.Office, quality, ct);
        var response = new ScanInspectionResponse(
            quality.Select((q, i) => new InspectedPage(i + 1, q is null ? null : PageQualityResponse.Of(q))).ToList(),
            new ProposalsResponse(proposals.DocumentType, proposals.HolderName, proposals.IdNumbers, proposals.Dates),
            duplicates);
        await s.Records.SaveInspectionAsync(officer, files, response, ct);
        return TypedResults.Ok(response);
    }
}
