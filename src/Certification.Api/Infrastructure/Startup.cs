using Certification.Api.Features.Audit;
using Certification.Api.Features.Certifications;
using Certification.Api.Options;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Certification.Api.Infrastructure;

/// <summary>Set once the database is migrated, demo data seeded and the blob store swept: <c>/health</c> says ready.</summary>
public sealed class Readiness
{
    public volatile bool IsReady;
}

/// <summary>
/// Runs before the server accepts requests: applies EF migrations, switches SQLite to WAL, seeds demo data,
/// deletes temporary blob files and blobs no row refers to (copies composed before a crash whose numbers were
/// never committed, or archive extensions another node committed first), then marks the service ready.
/// </summary>
public sealed class StartupTasks(IServiceProvider services, IOptions<CertificationOptions> options, Readiness readiness, ILogger<StartupTasks> log)
    : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        using var scope = services.CreateScope();
        var sp = scope.ServiceProvider;
        var db = sp.GetRequiredService<CertificationDbContext>();
        await db.Database.MigrateAsync(ct);
        if (db.Database.IsSqlite())
        {
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
        }
        var trust = sp.GetRequiredService<TrustServices>();
        if (options.Value.Demo)
        {
            await DemoSeed.SeedAsync(db, sp.GetRequiredService<AuditTrail>(), trust, sp.GetRequiredService<KeyProtector>(), sp.GetRequiredService<DataDirectory>(),
                options.Value, sp.GetRequiredService<TimeProvider>(), ct);
        }
        await HsmSeals.RegisterAsync(db, sp.GetRequiredService<AuditTrail>(), options.Value, log, ct);
        var misconfigured = await sp.GetRequiredService<NodeKeys>().CheckAsync(db, sp.GetRequiredService<SigningKeys>(), sp.GetRequiredService<KeyProtector>(),
            sp.GetRequiredService<Features.Auth.TokenService>(), sp.GetRequiredService<TimeProvider>(), ct);
        foreach (var problem in misconfigured) log.LogCritical("Misconfigured node: {Problem}", problem);
        if (misconfigured.Count > 0 && options.Value.Startup.RefuseUnopenableKeys)
            throw new InvalidOperationException("Misconfigured node (Certification:Startup:RefuseUnopenableKeys is set): " + string.Join(" ", misconfigured));
        var blobs = sp.GetRequiredService<IBlobStore>();
        var sweepBefore = sp.GetRequiredService<TimeProvider>().GetUtcNow() - BlobStores.OrphanGracePeriod(options.Value);
        var temporary = blobs.DeleteUnfinishedWrites(sweepBefore) + sp.GetRequiredService<DataDirectory>().EmptyScratch();
        var referenced = await BlobStores.ReferencedAsync(db, ct);
        var orphans = blobs.ListStoredBefore(sweepBefore).Where(b => !referenced.Contains(b)).ToList();
        foreach (var orphan in orphans) blobs.Delete(orphan);
        if (temporary + orphans.Count > 0)
            log.LogWarning("Removed {Temporary} unfinished blob writes and {Orphans} blobs without a committed certification (interrupted work)", temporary, orphans.Count);
        readiness.IsReady = true;
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}

/// <summary>Ends two-step signing sessions whose external signature did not arrive in time.</summary>
public sealed class ExternalSigningSweeper(IServiceProvider services, ILogger<ExternalSigningSweeper> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(30));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                using var scope = services.CreateScope();
                var expired = await scope.ServiceProvider.GetRequiredService<TwoStepSigning>().ExpireSessionsAsync(stoppingToken);
                if (expired > 0) log.LogInformation("Ended {Count} expired two-step signing sessions", expired);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogError(e, "Sweeping expired signing sessions failed");
            }
        }
    }
}

/// <summary>Prints where the service listens and, in demo mode, the demo credentials.</summary>
public sealed class Banner(IServer server, IHostApplicationLifetime lifetime, IOptions<CertificationOptions> options, PublicBaseUrl baseUrl) : IHostedService
{
    public Task StartAsync(CancellationToken ct)
    {
        lifetime.ApplicationStarted.Register(() =>
        {
            if (!options.Value.DemoSetup.PrintBanner) return;
            var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            Console.WriteLine($"Certification service listening on {string.Join(", ", addresses)} (public base URL {baseUrl.Value})");
            Console.WriteLine($"  API docs: {baseUrl.Value}scalar   OpenAPI: {baseUrl.Value}openapi/v1.json   health: {baseUrl.Value}health");
            if (options.Value.Demo)
            {
                Console.WriteLine($"  DEMO MODE: data in {options.Value.FullDataDirectory}");
                Console.WriteLine($"  Demo users: admin, officer.commune, officer.notary, officer.token (two-step)  password: {DemoSeed.Password}");
                Console.WriteLine($"  Demo online-service API key (X-Api-Key): {DemoSeed.ApiKey}");
            }
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
