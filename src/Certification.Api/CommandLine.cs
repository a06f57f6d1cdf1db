using System.Text.Json;
using Certification.Api.Features.Audit;
using Certification.Api.Infrastructure;

namespace Certification.Api;

/// <summary>Maintenance commands of the service binary: <c>audit verify</c> walks the audit chain of the
/// configured data directory and exits 0 when intact, 1 naming the first broken entry, 2 on usage errors.</summary>
public static class CommandLine
{
    public static async Task<int?> TryRunAsync(string[] args)
    {
        if (args.Length == 0 || args[0].StartsWith('-') || args[0].Contains('=')) return null;
        if (args is not ["audit", "verify", ..])
        {
            Console.Error.WriteLine("usage: Certification.Api [audit verify] [--Certification:DataDirectory=DIR]");
            return 2;
        }
        var builder = WebApplication.CreateBuilder(args[2..]);
        builder.AddCertificationServices();
        await using var app = builder.Build();
        using var scope = app.Services.CreateScope();
        var data = scope.ServiceProvider.GetRequiredService<DataDirectory>();
        if (!File.Exists(data.Database))
        {
            Console.Error.WriteLine($"No database at {data.Database}");
            return 2;
        }
        var result = await AuditChain.VerifyAsync(scope.ServiceProvider.GetRequiredService<CertificationDbContext>());
        Console.WriteLine(JsonSerializer.Serialize(result, new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true }));
        Console.Error.WriteLine(result.Valid ? $"audit chain intact: {result.Entries} entries" : $"audit chain BROKEN at entry {result.FirstBrokenEntry}: {result.Problem}");
        return result.Valid ? 0 : 1;
    }
}
