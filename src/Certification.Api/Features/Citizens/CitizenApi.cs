using System.Security.Claims;
using Certification.Api.Domain;
using Certification.Api.Features.Certifications;
using Certification.Api.Features.Copies;
using Certification.Api.Features.Shares;
using Certification.Api.Infrastructure;
using Certification.Api.Problems;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Certification.Api.Features.Citizens;

/// <summary>One version of a stored copy: the current one (valid or revoked) and those an archive extension superseded
/// (still genuine: a citizen who downloaded one holds the same copy, with older validation data).</summary>
public sealed record CopyVersion(int Version, string Sha256, string Status, DateTimeOffset? SupersededAt);

public sealed record CitizenCopy(Guid Id, string Office, string OfficeCode, long CertificationNumber, string Book, DateOnly Date, string DocumentTitle,
    int PageCount, string Status, string? RevocationReason, string Sha256, string DownloadUrl, IReadOnlyList<CopyVersion> Versions);

/// <summary>The signed-in citizen's copies (every office, found by the ID number the identity provider vouched for) and shares.</summary>
public static class CitizenApi
{
    public static IEndpointRouteBuilder MapCitizenApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/citizen").WithTags("Citizens").RequireAuthorization(CitizenSchemes.Policy);
        api.MapGet("/copies", (ClaimsPrincipal user, CertificationDbContext db, CancellationToken ct) => Copies(user, db, ct))
            .WithSummary("Every copy certified for the signed-in citizen's ID number, across offices");
        api.MapGet("/copies/{id:guid}/document", Document).Produces(200, contentType: "application/pdf");
        api.MapPost("/copies/{id:guid}/shares", Share).WithSummary("Share one of my copies with an online service (as POST /api/v1/copies/{code}/shares)");
        api.MapGet("/shares", Shares).WithSummary("My shares and who fetched my copies when");
        api.MapDelete("/shares/{shareId:guid}", Revoke);
        return app;
    }

    /// <summary>The issued copies certified for this citizen's ID number.</summary>
    public static IQueryable<CertifiedCopy> CopiesOf(ClaimsPrincipal user, CertificationDbContext db)
    {
        var idNumber = CitizenClaims.IdNumberOf(user) ?? throw new ProblemException(ProblemTypes.Unauthenticated);
        return db.CertifiedCopies.Where(c => c.Status != CertificationStatus.AwaitingSignature && c.Document!.Request!.RequesterIdNumber == idNumber);
    }

    public static IQueryable<CopyShare> SharesOf(ClaimsPrincipal user, CertificationDbContext db)
    {
        var copies = CopiesOf(user, db).Select(c => c.Id);
        return db.CopyShares.Where(s => copies.Contains(s.CertifiedCopyId));
    }

    public static async Task<Ok<List<CitizenCopy>>> Copies(ClaimsPrincipal user, CertificationDbContext db, CancellationToken ct)
    {
        var copies = await CopiesOf(user, db).AsNoTracking().Include(c => c.Office).Include(c => c.Book).Include(c => c.Document)
            .OrderByDescending(c => c.IssuedAt).ToListAsync(ct);
        var ids = copies.Select(c => c.Id).ToList();
        var revocations = await db.Revocations.AsNoTracking().Where(r => ids.Contains(r.CertifiedCopyId)).ToDictionaryAsync(r => r.CertifiedCopyId, r => r.Reason, ct);
        var extensions = (await db.ArchiveExtensions.AsNoTracking().Where(e => ids.Contains(e.CertifiedCopyId)).OrderBy(e => e.Sequence).ToListAsync(ct))
            .ToLookup(e => e.CertifiedCopyId);
        return TypedResults.Ok(copies.Select(c =>
        {
            var status = CertificationsApi.StatusName(c.Status);
            var earlier = extensions[c.Id].Select(e => new CopyVersion(e.Sequence, e.PreviousSha256, "superseded", e.ExtendedAt));
            var versions = earlier.Append(new CopyVersion(extensions[c.Id].Count() + 1, c.Sha256!, status, null)).Reverse().ToList();
            return new CitizenCopy(c.Id, c.Office!.Name, c.Office.Code, c.Number, c.Book!.Label, c.Date, c.Document!.Title, c.PageCount, status,
                revocations.GetValueOrDefault(c.Id), c.Sha256!, $"/api/v1/citizen/copies/{c.Id}/document", versions);
        }).ToList());
    }

    private static async Task<Results<FileStreamHttpResult, ProblemHttpResult>> Document(Guid id, ClaimsPrincipal user, CertificationDbContext db, IBlobStore blobs,
        HttpContext http, CancellationToken ct)
    {
        var copy = await CopiesOf(user, db).AsNoTracking().Include(c => c.Book).SingleOrDefaultAsync(c => c.Id == id, ct);
        return copy is null ? Problem.Of(ProblemTypes.CopyNotFound) : CopiesApi.Serve(copy, blobs, http);
    }

    public static async Task<ShareCreated> ShareAsync(Guid id, NewShare body, ClaimsPrincipal user, CertificationDbContext db, ShareService shares, CancellationToken ct)
    {
        var copy = await CopiesOf(user, db).AsNoTracking().SingleOrDefaultAsync(c => c.Id == id, ct) ?? throw new ProblemException(ProblemTypes.CopyNotFound);
        return await shares.CreateAsync(copy, body, $"citizen:{CitizenClaims.IdNumberOf(user)}", ct);
    }

    private static async Task<Created<ShareCreated>> Share(Guid id, NewShare body, ClaimsPrincipal user, CertificationDbContext db, ShareService shares, CancellationToken ct)
    {
        var created = await ShareAsync(id, body, user, db, shares, ct);
        return TypedResults.Created(created.Link, created);
    }

    private static async Task<Ok<List<ShareResponse>>> Shares(ClaimsPrincipal user, CertificationDbContext db, ShareService shares, HttpContext http, CancellationToken ct)
    {
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(await shares.ListAsync(SharesOf(user, db), ct));
    }

    private static async Task<NoContent> Revoke(Guid shareId, ClaimsPrincipal user, CertificationDbContext db, ShareService shares, CancellationToken ct)
    {
        await shares.RevokeAsync(SharesOf(user, db), shareId, ct);
        return TypedResults.NoContent();
    }
}
