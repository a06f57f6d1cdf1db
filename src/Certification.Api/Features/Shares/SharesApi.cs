using System.Security.Claims;
using Certification.Api.Domain;
using Certification.Api.Features.Audit;
using Certification.Api.Features.Auth;
using Certification.Api.Features.Copies;
using Certification.Api.Infrastructure;
using Certification.Api.Problems;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Certification.Api.Features.Shares;

/// <summary>
/// Shares by access code (the citizen who holds the code, or the officer at the counter who just handed it over) and the
/// online services' side: the shares addressed to them ("shared with us") and the fetch with API key and share token.
/// </summary>
public static class SharesApi
{
    public static IEndpointRouteBuilder MapSharesApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/online-services", async (ShareService shares, CancellationToken ct) => TypedResults.Ok(await shares.ServicesAsync(ct)))
            .WithTags("Citizens").AllowAnonymous().WithSummary("The online services a copy can be shared with");

        var byCode = app.MapGroup("/api/v1/copies/{code}/shares").WithTags("Citizens").AllowAnonymous().RequireRateLimiting(RateLimits.CopyLookup);
        byCode.MapPost("/", Create).WithSummary("Share the copy with an online service for a purpose and a time: returns the share link and token (shown once)");
        byCode.MapGet("/", List).WithSummary("The copy's shares and who fetched it when");
        byCode.MapDelete("/{shareId:guid}", Revoke).WithSummary("Revoke a share: the service's next fetch gets 410 share-revoked");

        var services = app.MapGroup("/api/v1/shares").WithTags("Online services").RequireAuthorization(Policies.OnlineService);
        services.MapGet("/", SharedWithUs).WithSummary("Copies shared with this online service (API key)");
        services.MapGet("/{shareId:guid}/document", Fetch).Produces(200, contentType: "application/pdf")
            .WithSummary($"The shared copy (PDF): API key and the share token in the {ShareService.TokenHeader} header");
        return app;
    }

    private static async Task<Results<Created<ShareCreated>, ProblemHttpResult>> Create(string code, NewShare body, ClaimsPrincipal user,
        CertificationDbContext db, ShareService shares, CancellationToken ct)
    {
        if (await CopiesApi.FindAsync(code, db, ct) is not { } copy) return Problem.Of(ProblemTypes.CopyNotFound);
        var createdBy = OfficerClaims.Id(user) is not null ? AuditTrail.Actor(user) : "access-code";
        var created = await shares.CreateAsync(copy, body, createdBy, ct);
        return TypedResults.Created(created.Link, created);
    }

    private static async Task<Results<Ok<List<ShareResponse>>, ProblemHttpResult>> List(string code, CertificationDbContext db, ShareService shares, HttpContext http,
        CancellationToken ct)
    {
        if (await CopiesApi.FindAsync(code, db, ct) is not { } copy) return Problem.Of(ProblemTypes.CopyNotFound);
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(await shares.ListAsync(db.CopyShares.Where(s => s.CertifiedCopyId == copy.Id), ct));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Revoke(string code, Guid shareId, CertificationDbContext db, ShareService shares, CancellationToken ct)
    {
        if (await CopiesApi.FindAsync(code, db, ct) is not { } copy) return Problem.Of(ProblemTypes.CopyNotFound);
        await shares.RevokeAsync(db.CopyShares.Where(s => s.CertifiedCopyId == copy.Id), shareId, ct);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<List<ShareResponse>>> SharedWithUs(ClaimsPrincipal user, CertificationDbContext db, ShareService shares, HttpContext http, CancellationToken ct)
    {
        var client = ApiClientId(user);
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(await shares.ListAsync(db.CopyShares.Where(s => s.ApiClientId == client), ct));
    }

    private static async Task<FileStreamHttpResult> Fetch(Guid shareId, [FromHeader(Name = ShareService.TokenHeader)] string? token, ClaimsPrincipal user,
        ShareService shares, HttpContext http, CancellationToken ct)
    {
        var shared = await shares.FetchAsync(shareId, token, ApiClientId(user), ct);
        return CopiesApi.File(shared.Content, shared.Copy, http);
    }

    internal static int ApiClientId(ClaimsPrincipal user) =>
        int.Parse(user.FindFirstValue(ApiClientClaims.ClientId)!, System.Globalization.CultureInfo.InvariantCulture);
}
