using System.Security.Cryptography;
using System.Text;
using Certification.Api.Domain;
using Certification.Api.Features.Audit;
using Certification.Api.Features.Auth;
using Certification.Api.Features.Events;
using Certification.Api.Infrastructure;
using Certification.Api.Options;
using Certification.Api.Problems;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Certification.Api.Features.Shares;

public sealed record NewShare(int? ServiceId, string? Purpose, DateTimeOffset? ExpiresAt);
/// <summary>The share link and the token, shown once: the citizen gives both to the online service.</summary>
public sealed record ShareCreated(Guid Id, string Link, string Token, int ServiceId, string Service, string Purpose, DateTimeOffset ExpiresAt);
public sealed record ShareFetch(DateTimeOffset At, string Service, string Outcome);
public sealed record ShareResponse(Guid Id, Guid CertificationId, string Office, long CertificationNumber, string Book, DateOnly Date, string DocumentTitle,
    int ServiceId, string Service, string Purpose, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, DateTimeOffset? RevokedAt, string Status, string Link,
    IReadOnlyList<ShareFetch> Fetches);
public sealed record OnlineService(int Id, string Name);

/// <summary>A copy handed to the online service that may fetch it (after the checks; a refusal says why).</summary>
public sealed record SharedCopy(CertifiedCopy Copy, Stream Content);

/// <summary>
/// Shares of certified copies with named online services: created by the citizen (signed in, or holding the access code) or
/// by the officer at the counter, listed and revoked by them, fetched by the service with its API key and the share token.
/// Every fetch, allowed or refused, is an audit entry on the share (<c>share.fetched</c>, <c>share.fetch-refused</c>), which
/// is what the citizen reads as "who looked at my copy, when".
/// </summary>
public sealed class ShareService(CertificationDbContext db, AuditTrail audit, Outbox outbox, IBlobStore blobs, PublicBaseUrl baseUrl,
    IOptions<CitizenOptions> options, TimeProvider clock)
{
    public const string TokenHeader = "X-Share-Token";
    public const string FetchedAction = "share.fetched";
    public const string FetchRefusedAction = "share.fetch-refused";

    public static string Subject(Guid shareId) => $"share:{shareId}";
    public string Link(Guid shareId) => baseUrl.Resolve($"api/v1/shares/{shareId}/document").ToString();

    public async Task<List<OnlineService>> ServicesAsync(CancellationToken ct) =>
        await db.ApiClients.AsNoTracking().Where(c => c.Active).OrderBy(c => c.Name).Select(c => new OnlineService(c.Id, c.Name)).ToListAsync(ct);

    public async Task<ShareCreated> CreateAsync(CertifiedCopy copy, NewShare request, string createdBy, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var o = options.Value;
        var purpose = request.Purpose?.Trim().Normalize(NormalizationForm.FormC);
        if (string.IsNullOrEmpty(purpose) || purpose.Length > 500)
            throw new ProblemException(ProblemTypes.InvalidRequest, "'purpose' is required (at most 500 characters).");
        var expiresAt = request.ExpiresAt ?? now + o.DefaultShareLifetime;
        if (expiresAt <= now || expiresAt > now + o.MaxShareLifetime)
            throw new ProblemException(ProblemTypes.InvalidRequest, $"'expiresAt' must be in the future and at most {o.MaxShareLifetime.TotalDays:0} days away.");
        var service = request.ServiceId is { } serviceId ? await db.ApiClients.AsNoTracking().SingleOrDefaultAsync(c => c.Id == serviceId && c.Active, ct) : null;
        if (service is null) throw new ProblemException(ProblemTypes.InvalidRequest, "'serviceId' must name an online service (GET /api/v1/online-services).");
        if (copy.Status == CertificationStatus.Revoked) throw new ProblemException(ProblemTypes.CopyRevoked);

        var token = "cst_" + Base32.Encode(RandomNumberGenerator.GetBytes(20)).ToLowerInvariant();
        var share = new CopyShare
        {
            Id = Guid.NewGuid(), CertifiedCopyId = copy.Id, ApiClientId = service.Id, Purpose = purpose, TokenHash = HashToken(token),
            CreatedBy = createdBy, CreatedAt = now, ExpiresAt = expiresAt,
        };
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.CopyShares.Add(share);
        await audit.AppendAsync("share.created", Subject(share.Id), new { certification = copy.Id, service = service.Name, purpose, expiresAt, createdBy }, ct: ct);
        outbox.Add(EventTypes.ShareCreated, new { shareId = share.Id, certificationId = copy.Id, serviceId = service.Id, service = service.Name, purpose, expiresAt });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return new ShareCreated(share.Id, Link(share.Id), token, service.Id, service.Name, purpose, expiresAt);
    }

    /// <summary>The shares of the given copies, newest first, each with the fetches recorded in the audit trail.</summary>
    public async Task<List<ShareResponse>> ListAsync(IQueryable<CopyShare> shares, CancellationToken ct)
    {
        var rows = await shares.AsNoTracking().Include(s => s.ApiClient).Include(s => s.Copy).ThenInclude(c => c!.Office).Include(s => s.Copy).ThenInclude(c => c!.Book)
            .Include(s => s.Copy).ThenInclude(c => c!.Document).OrderByDescending(s => s.CreatedAt).ToListAsync(ct);
        var subjects = rows.Select(s => Subject(s.Id)).ToList();
        var fetches = (await db.AuditEntries.AsNoTracking()
                .Where(e => subjects.Contains(e.Subject) && (e.Action == FetchedAction || e.Action == FetchRefusedAction)).OrderBy(e => e.Id).ToListAsync(ct))
            .ToLookup(e => e.Subject);
        var now = clock.GetUtcNow();
        return rows.Select(s => new ShareResponse(s.Id, s.CertifiedCopyId, s.Copy!.Office!.Name, s.Copy.Number, s.Copy.Book!.Label, s.Copy.Date, s.Copy.Document!.Title,
            s.ApiClientId, s.ApiClient!.Name, s.Purpose, s.CreatedAt, s.ExpiresAt, s.RevokedAt, StatusOf(s, now), Link(s.Id),
            fetches[Subject(s.Id)].Select(e => new ShareFetch(e.At, s.ApiClient.Name, e.Action == FetchedAction ? "fetched" : "refused")).ToList())).ToList();
    }

    public static string StatusOf(CopyShare share, DateTimeOffset now) =>
        share.RevokedAt is not null ? "revoked" : share.ExpiresAt <= now ? "expired" : "active";

    /// <summary>Revokes one share among <paramref name="shares"/> (the ones the caller may manage).</summary>
    public async Task RevokeAsync(IQueryable<CopyShare> shares, Guid shareId, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var share = await shares.SingleOrDefaultAsync(s => s.Id == shareId, ct) ?? throw new ProblemException(ProblemTypes.ShareNotFound);
        if (share.RevokedAt is not null) return;
        share.RevokedAt = clock.GetUtcNow();
        await audit.AppendAsync("share.revoked", Subject(share.Id), new { certification = share.CertifiedCopyId }, ct: ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>The online service <paramref name="apiClientId"/> fetches the shared copy: checks the token, the service, the
    /// expiry and revocation (of the share and of the copy), and records the fetch or the refusal either way.</summary>
    public async Task<SharedCopy> FetchAsync(Guid shareId, string? token, int apiClientId, CancellationToken ct)
    {
        var share = await db.CopyShares.AsNoTracking().Include(s => s.Copy).ThenInclude(c => c!.Book).SingleOrDefaultAsync(s => s.Id == shareId, ct);
        // A wrong token reveals nothing about the share, and costs the same comparison.
        var tokenMatches = CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(HashToken(token ?? "")),
            Encoding.ASCII.GetBytes(share?.TokenHash ?? new string('0', 64)));
        if (share is null) throw new ProblemException(ProblemTypes.ShareNotFound);
        var now = clock.GetUtcNow();
        // A wrong token for a real share is recorded too: the citizen sees someone tried.
        var refusal = !tokenMatches ? ProblemTypes.ShareNotFound
            : share.ApiClientId != apiClientId ? ProblemTypes.ShareForAnotherService
            : share.RevokedAt is not null ? ProblemTypes.ShareRevoked
            : share.ExpiresAt <= now ? ProblemTypes.ShareExpired
            : share.Copy!.Status == CertificationStatus.Revoked ? ProblemTypes.CopyRevoked
            : null;
        var stream = refusal is null ? blobs.OpenRead(share.Copy!.Sha256!) : null;
        if (refusal is null && stream is null) refusal = ProblemTypes.CopyNotFound;
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            await audit.AppendAsync(refusal is null ? FetchedAction : FetchRefusedAction, Subject(share.Id),
                new { certification = share.CertifiedCopyId, sha256 = share.Copy!.Sha256, refused = refusal?.Slug }, ct: ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        if (refusal is not null) throw new ProblemException(refusal);
        return new SharedCopy(share.Copy!, stream!);
    }

    public static string HashToken(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token.Trim())));
}
