using System.Text.Json;
using Certification.Api.Features.Archive;
using Certification.Api.Features.Audit;
using Certification.Api.Infrastructure;
using Certification.Api.Options;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Certification.Api;

/// <summary>Maintenance commands of the service binary, against the configured data directory or database:
/// <c>audit verify</c> walks the audit chain (exit 0 intact, 1 naming the first broken entry);
/// <c>archive extend-due</c> runs one pass of the long-term archive job and prints "N extended, N failed"
/// (exit 0, or 1 when any copy failed); <c>admin check</c> runs the crash-consistency checker
/// (<see cref="Features.Admin.ConsistencyCheck"/>: prints its report, exit 0 consistent, 1 naming the first problem). Exit 2: usage error or no database. Logs go to stderr, so stdout
/// carries only the result.</summary>
public static class CommandLine
{
    public static async Task<int?> TryRunAsync(string[] args)
    {
        if (args.Length == 0 || args[0].StartsWith('-') || args[0].Contains('=')) return null;
        return args switch
        {
            ["audit", "verify", ..] => await RunAsync(args[2..], VerifyAuditAsync),
            ["archive", "extend-due", ..] => await RunAsync(args[2..], ExtendDueAsync),
            ["admin", "check", ..] => await RunAsync(args[2..], CheckConsistencyAsync),
            _ => Usage(),
        };
    }

    private static int Usage()
    {
        Console.Error.WriteLine("usage: Certification.Api [audit verify | archive extend-due | admin check] [--Certification:DataDirectory=DIR]");
        return 2;
    }

    private static async Task<int> RunAsync(string[] settings, Func<IServiceProvider, Task<int>> command)
    {
        var builder = WebApplication.CreateBuilder(settings);
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.AddCertificationServices();
        await using var app = builder.Build();
        using var scope = app.Services.CreateScope();
        var sp = scope.ServiceProvider;
        var data = sp.GetRequiredService<DataDirectory>();
        var sqliteFile = DatabaseProviders.Normalise(sp.GetRequiredService<IOptions<CertificationOptions>>().Value.Database.Provider) == DatabaseProviders.Sqlite
                         && string.IsNullOrWhiteSpace(app.Configuration.GetConnectionString("Certification"));
        if (sqliteFile && !File.Exists(data.Database))
        {
            Console.Error.WriteLine($"No database at {data.Database}");
            return 2;
        }
        return await command(sp);
    }

    private static async Task<int> VerifyAuditAsync(IServiceProvider services)
    {
        var result = await AuditChain.VerifyAsync(services.GetRequiredService<CertificationDbContext>());
        Console.WriteLine(JsonSerializer.Serialize(result, new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true }));
        Console.Error.WriteLine(result.Valid ? $"audit chain intact: {result.Entries} entries" : $"audit chain BROKEN at entry {result.FirstBrokenEntry}: {result.Problem}");
        return result.Valid ? 0 : 1;
    }

    private static async Task<int> ExtendDueAsync(IServiceProvider services)
    {
        // The copies' protection column may be newer than the database: migrate as the service does at start.
        await services.GetRequiredService<CertificationDbContext>().Database.MigrateAsync();
        var pass = await services.GetRequiredService<ArchiveExtender>().ExtendDueAsync(CancellationToken.None);
        Console.WriteLine(pass.Summary);
        return pass.Failed > 0 ? 1 : 0;
    }

    private static async Task<int> CheckConsistencyAsync(IServiceProvider services)
    {
        var report = await services.GetRequiredService<Features.Admin.ConsistencyCheck>().RunAsync(CancellationToken.None);
        Console.WriteLine(JsonSerializer.Serialize(report, new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true }));
        Console.Error.WriteLine(report.Consistent
            ? $"consistent: {report.Books} books, {report.Entries} entries with their copies, audit chain of {report.AuditEntries} entries intact"
            : $"INCONSISTENT ({report.Problems.Count} problems): {report.Problems[0]}");
        return report.Consistent ? 0 : 1;
    }
}
