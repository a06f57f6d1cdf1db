using Certification.Api.Domain;
using Certification.Api.Features.Auth;
using Certification.Api.Features.Certifications;
using Certification.Api.Infrastructure;
using Certification.Api.Problems;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Certification.Api.Features.Copies;

public sealed record CopySummary(long CertificationNumber, string Book, DateOnly Date, string Office, string OfficeCode, string DocumentTitle, int PageCount,
    string Status, string? RevocationReason, string Sha256, string DownloadUrl);

/// <summary>
/// Citizens open their copy with the access code (160 bits, so guessing is hopeless; lookups are also
/// rate-limited per address). Unknown and malformed codes get the same answer; nothing lists copies or finds
/// them by number. Online services look codes up with an API key.
/// </summary>
public static class CopiesApi
{
    public static IEndpointRouteBuilder MapCopiesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/copies").WithTags("Citizens").AllowAnonymous().RequireRateLimiting(RateLimits.CopyLookup);
        api.MapGet("/{accessCode}", Download).Produces(200, contentType: "application/pdf").WithSummary("The certified copy (PDF)");
        api.MapGet("/{accessCode}/details", Details).WithSummary("Office, number, date and status of the copy");
        // GET /c/{accessCode}, the link printed on copies and in the QR code, is the citizens' web page (Pages/Copy.cshtml).

        app.MapGet("/api/v1/registry/copies/{accessCode}", Details).WithTags("Online services")
            .RequireAuthorization(Policies.OnlineService).RequireRateLimiting(RateLimits.Verification)
            .WithSummary("Look a copy up by its access code (API key)");
        return app;
    }

    /// <summary>The issued copy with this access code (office, book and document loaded), or null.</summary>
    internal static async Task<CertifiedCopy?> FindAsync(string accessCode, CertificationDbContext db, CancellationToken ct)
    {
        var normalised = AccessCodes.Normalise(accessCode);
        // Malformed codes are hashed too, so both paths cost the same query.
        var hash = AccessCodes.Hash(normalised ?? accessCode);
        var copy = await db.CertifiedCopies.AsNoTracking().Include(c => c.Book).Include(c => c.Office).Include(c => c.Document)
            .SingleOrDefaultAsync(c => c.AccessCodeHash == hash, ct);
        return normalised is null || copy is null || copy.Status == CertificationStatus.AwaitingSignature ? null : copy;
    }

    private static async Task<Results<FileStreamHttpResult, ProblemHttpResult>> Download(string accessCode, CertificationDbContext db, IBlobStore blobs,
        HttpContext http, CancellationToken ct)
    {
        var copy = await FindAsync(accessCode, db, ct);
        return copy is null ? Problem.Of(ProblemTypes.CopyNotFound) : Serve(copy, blobs, http);
    }

    /// <summary>The stored PDF of an issued copy (never cached: it may be revoked later), or why not.</summary>
    internal static Results<FileStreamHttpResult, ProblemHttpResult> Serve(CertifiedCopy copy, IBlobStore blobs, HttpContext http)
    {
        if (copy.Status == CertificationStatus.Revoked) return Problem.Of(ProblemTypes.CopyRevoked);
        if (blobs.OpenRead(copy.Sha256!) is not { } stream) return Problem.Of(ProblemTypes.CopyNotFound);
        return File(stream, copy, http);
    }

    internal static FileStreamHttpResult File(Stream content, CertifiedCopy copy, HttpContext http)
    {
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.File(content, "application/pdf", CertificationsApi.FileName(copy));
    }

    private static async Task<Results<Ok<CopySummary>, ProblemHttpResult>> Details(string accessCode, CertificationDbContext db, HttpContext http, CancellationToken ct)
    {
        var copy = await FindAsync(accessCode, db, ct);
        if (copy is null) return Problem.Of(ProblemTypes.CopyNotFound);
        var revocation = await db.Revocations.AsNoTracking().SingleOrDefaultAsync(r => r.CertifiedCopyId == copy.Id, ct);
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(new CopySummary(copy.Number, copy.Book!.Label, copy.Date, copy.Office!.Name, copy.Office.Code, copy.Document!.Title, copy.PageCount,
            CertificationsApi.StatusName(copy.Status), revocation?.Reason, copy.Sha256!, $"/api/v1/copies/{AccessCodes.Normalise(accessCode)}"));
    }
}
