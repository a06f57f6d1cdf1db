using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Certification.Api.Domain;
using Certification.Api.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Certification.Api.Features.Audit;

/// <summary>
/// Appends to the hash-chained audit log. Each entry's hash is SHA-256 over its sequence number, time,
/// actor, address, action, subject, details and the previous entry's hash, so editing, inserting or deleting
/// any row breaks the chain at that row. Entries are appended inside the same transaction as the state
/// change they record (the write transaction serialises appends; on PostgreSQL the primary key on the
/// sequence number makes a concurrent duplicate fail and retry).
/// </summary>
public sealed class AuditTrail(CertificationDbContext db, IHttpContextAccessor http, TimeProvider clock)
{
    public const string GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";

    /// <summary>The signed-in officer, API client or "anonymous", as recorded.</summary>
    public string CurrentActor => Actor(http.HttpContext?.User);

    public async Task AppendAsync(string action, string subject, object? details = null, string? actor = null, CancellationToken ct = default)
    {
        if (db.Database.CurrentTransaction is null)
            throw new InvalidOperationException("Audit entries are appended inside the transaction of the change they record.");
        // Several processes share one PostgreSQL database: appends queue on a transaction-scoped advisory lock,
        // so two transactions never read the same chain head (SQLite serialises write transactions anyway).
        if (db.Database.IsNpgsql()) await db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_xact_lock(7301001)", ct);
        // Entries appended earlier in this transaction and not yet saved come first; tracked entries that were
        // already committed may be stale (others appended since), so the database is asked otherwise.
        var last = db.ChangeTracker.Entries<AuditEntry>().Where(e => e.State == EntityState.Added).Select(e => e.Entity).OrderByDescending(e => e.Id).FirstOrDefault()
                   ?? await db.AuditEntries.AsNoTracking().OrderByDescending(e => e.Id).FirstOrDefaultAsync(ct);
        var entry = new AuditEntry
        {
            Id = (last?.Id ?? 0) + 1,
            At = TruncateToMilliseconds(clock.GetUtcNow()),
            Actor = actor ?? CurrentActor,
            Address = http.HttpContext?.Connection.RemoteIpAddress?.ToString(),
            Action = action,
            Subject = subject,
            Details = details is null ? "{}" : JsonSerializer.Serialize(details, JsonOptions),
            PreviousHash = last?.Hash ?? GenesisHash,
            Hash = "",
        };
        entry.Hash = ComputeHash(entry);
        db.AuditEntries.Add(entry);
    }

    public static string Actor(ClaimsPrincipal? user)
    {
        if (user?.Identity?.IsAuthenticated != true) return "anonymous";
        if (user.FindFirstValue(ApiClientClaims.ClientName) is { } client) return $"api-client:{client}";
        return $"officer:{user.Identity.Name}";
    }

    public static string ComputeHash(AuditEntry e)
    {
        var canonical = string.Join('\n',
            e.Id.ToString(CultureInfo.InvariantCulture),
            e.At.UtcTicks.ToString(CultureInfo.InvariantCulture),
            e.Actor, e.Address ?? "", e.Action, e.Subject, e.Details, e.PreviousHash);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    private static DateTimeOffset TruncateToMilliseconds(DateTimeOffset t) =>
        new(t.UtcTicks - t.UtcTicks % TimeSpan.TicksPerMillisecond, TimeSpan.Zero);

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}

/// <summary>The result of walking the chain.</summary>
public sealed record AuditChainVerification(bool Valid, long Entries, long? FirstBrokenEntry, string? Problem, string? HeadHash);

public static class AuditChain
{
    /// <summary>Walks every entry in sequence order and reports the first that does not link: a changed
    /// row (its hash no longer matches), a row whose predecessor changed or vanished, or a gap in the sequence.</summary>
    public static async Task<AuditChainVerification> VerifyAsync(CertificationDbContext db, CancellationToken ct = default)
    {
        long count = 0, expectedId = 1;
        var previous = AuditTrail.GenesisHash;
        await foreach (var e in db.AuditEntries.AsNoTracking().OrderBy(e => e.Id).AsAsyncEnumerable().WithCancellation(ct))
        {
            count++;
            if (e.Id != expectedId)
                return new(false, count, e.Id, $"entry {e.Id} follows entry {expectedId - 1}: entries {expectedId}..{e.Id - 1} are missing", null);
            if (e.PreviousHash != previous)
                return new(false, count, e.Id, $"entry {e.Id} does not link to entry {e.Id - 1} (previous hash differs)", null);
            if (AuditTrail.ComputeHash(e) != e.Hash)
                return new(false, count, e.Id, $"entry {e.Id} was altered (its content no longer matches its hash)", null);
            previous = e.Hash;
            expectedId++;
        }
        return new(true, count, null, null, previous);
    }
}

public static class ApiClientClaims
{
    public const string ClientName = "api_client";
    public const string ClientId = "api_client_id";
}
