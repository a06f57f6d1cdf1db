using Certification.Api.Domain;
using Certification.Api.Features.Audit;
using Certification.Api.Features.Auth;
using Certification.Api.Infrastructure;
using Certification.Api.Problems;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Certification.Api.Features.Admin;

public sealed record NewApiClient(string Name);
public sealed record ApiClientCreated(int Id, string Name, string ApiKey);
public sealed record OfficeResponse(int Id, string Code, string Name, string Kind, string Province, bool ReadOnly);

public static class AdminApi
{
    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/offices", Offices).WithTags("Offices").AllowAnonymous().WithSummary("Offices that certify (and historical ones)");
        var api = app.MapGroup("/api/v1/admin").WithTags("Administration").RequireAuthorization(Policies.SystemAdmin);
        api.MapPost("/api-clients", CreateClient).WithSummary("Registers an online service; the API key is shown once");
        api.MapGet("/consistency", async (ConsistencyCheck check, CancellationToken ct) => TypedResults.Ok(await check.RunAsync(ct)))
            .WithSummary("Crash-consistency check: every book entry has its stored copy with a matching hash, no stored copy without its entry, no gap in any book, the audit chain verifies");
        return app;
    }

    private static async Task<Ok<List<OfficeResponse>>> Offices(CertificationDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var offices = await db.Offices.AsNoTracking().Include(o => o.Province).OrderBy(o => o.Code).ToListAsync(ct);
        return TypedResults.Ok(offices.Select(o => new OfficeResponse(o.Id, o.Code, o.Name, o.Kind.ToString(), o.Province!.Name, o.IsReadOnlyOn(today))).ToList());
    }

    private static async Task<Results<Created<ApiClientCreated>, ProblemHttpResult>> CreateClient(NewApiClient body, CertificationDbContext db, AuditTrail audit,
        TimeProvider clock, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(body.Name) || body.Name.Length > 200) return Problem.Of(ProblemTypes.InvalidRequest, "name is required.");
        var key = ApiKeyAuthenticationHandler.NewKey();
        var client = new ApiClient { Name = body.Name.Trim(), KeyHash = ApiKeyAuthenticationHandler.HashKey(key), CreatedAt = clock.GetUtcNow() };
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.ApiClients.Add(client);
        await db.SaveChangesAsync(ct);
        await audit.AppendAsync("api-client.created", $"api-client:{client.Id}", new { name = client.Name }, ct: ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return TypedResults.Created($"/api/v1/admin/api-clients/{client.Id}", new ApiClientCreated(client.Id, client.Name, key));
    }
}
