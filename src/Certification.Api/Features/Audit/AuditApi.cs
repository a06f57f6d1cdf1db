using Certification.Api.Features.Auth;
using Certification.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Certification.Api.Features.Audit;

public sealed record AuditEntryResponse(long Id, DateTimeOffset At, string Actor, string? Address, string Action, string Subject, string Details, string Hash);

public static class AuditApi
{
    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/audit").WithTags("Audit").RequireAuthorization(Policies.Auditor);
        api.MapGet("/verification", Verify).WithSummary("Walks the hash chain; names the first broken entry");
        api.MapGet("/entries", Entries).WithSummary("The newest entries (optionally for one subject, e.g. certification:{id})");
        return app;
    }

    private static async Task<Ok<AuditChainVerification>> Verify(CertificationDbContext db, CancellationToken ct) =>
        TypedResults.Ok(await AuditChain.VerifyAsync(db, ct));

    private static async Task<Ok<List<AuditEntryResponse>>> Entries(string? subject, int? take, CertificationDbContext db, CancellationToken ct) =>
        TypedResults.Ok(await db.AuditEntries.AsNoTracking().Where(e => subject == null || e.Subject == subject).OrderByDescending(e => e.Id)
            .Take(Math.Clamp(take ?? 100, 1, 1000))
            .Select(e => new AuditEntryResponse(e.Id, e.At, e.Actor, e.Address, e.Action, e.Subject, e.Details, e.Hash)).ToListAsync(ct));
}
