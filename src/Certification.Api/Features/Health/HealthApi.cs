using System.Diagnostics;
using Certification.Api.Domain;
using Certification.Api.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Certification.Api.Features.Health;

/// <summary><c>/health/live</c>: the process answers. <c>/health/ready</c>: started (migrated, seeded, swept)
/// and the database, the blob store and every active office seal key are reachable; 503 with the failing
/// check named otherwise (no exception text: it may carry connection details).</summary>
public static class HealthApi
{
    public static void MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health/live", () => Results.Ok(new { status = "live" })).AllowAnonymous().WithTags("Operations");
        app.MapGet("/health/ready", Ready).AllowAnonymous().WithTags("Operations");
    }

    private static async Task<IResult> Ready(Readiness readiness, CertificationDbContext db, IBlobStore blobs, SigningKeys keys, ILoggerFactory logs, CancellationToken ct)
    {
        var log = logs.CreateLogger("Certification.Health");
        var checks = new Dictionary<string, object>();
        var healthy = readiness.IsReady;
        checks["started"] = new { status = readiness.IsReady ? "ok" : "starting" };
        healthy &= await CheckAsync("database", checks, log, async () =>
        {
            if (!await db.Database.CanConnectAsync(ct)) throw new InvalidOperationException("cannot connect");
            await db.Books.AsNoTracking().AnyAsync(ct);
        });
        healthy &= await CheckAsync("blobs", checks, log, () => blobs.CheckAsync(ct));
        if (readiness.IsReady)
        {
            healthy &= await CheckAsync("signingKeys", checks, log, async () =>
            {
                var seals = await db.SigningIdentities.AsNoTracking().Where(s => s.OfficerId == null && s.Active && s.Kind != SigningKeyKind.External).ToListAsync(ct);
                foreach (var seal in seals) _ = keys.Open(seal).CertificateChain;
            });
        }
        var body = new { status = healthy ? "ready" : "unavailable", checks };
        return healthy ? Results.Ok(body) : Results.Json(body, statusCode: 503);
    }

    private static async Task<bool> CheckAsync(string name, Dictionary<string, object> checks, ILogger log, Func<Task> check)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await check();
            checks[name] = new { status = "ok", ms = Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 1) };
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogWarning("Readiness check {Check} failed: {Error}", name, e.GetType().Name);
            checks[name] = new { status = "failed", error = e.GetType().Name };
            return false;
        }
    }
}
