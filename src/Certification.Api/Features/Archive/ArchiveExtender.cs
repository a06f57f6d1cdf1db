using System.Diagnostics;
using System.Security.Cryptography;
using Certification.Api.Domain;
using Certification.Api.Features.Audit;
using Certification.Api.Features.Events;
using Certification.Api.Infrastructure;
using Certification.Api.Options;
using Certification.Signing.Pades;
using Certification.Signing.Timestamps;
using Certification.Signing.Validation;
using Certification.Signing.Validation.Report;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Certification.Api.Features.Archive;

/// <summary>What one pass of the archive job did.</summary>
public sealed record ArchivePass(int Extended, int Failed)
{
    public string Summary => $"{Extended} extended, {Failed} failed";
}

/// <summary>
/// Keeps stored copies verifiable for decades without anyone re-signing them (PAdES B-LTA, ETSI EN 319 142-1
/// § 5.5). A valid copy whose protection (<see cref="ArchiveProtection"/>, recorded at issuance) ends within
/// <c>Archive:RenewBefore</c> gets fresh validation data and a new document timestamp from the service's
/// timestamp authority, appended as an incremental update: the earlier version is a byte-for-byte prefix of
/// the new one and stays in the blob store, so a citizen's earlier download is still the same genuine copy.
/// The new version must validate and outlast the old protection; it is stored (content-addressed), then in
/// one transaction the copy is switched to it only if it still points at the version that was extended
/// (compare-and-set: of two nodes extending one copy, one commits and the other's blob is an orphan for the
/// start-up sweep), together with the extension row and its audit entry. On PostgreSQL a node first claims
/// the copy's row (<c>FOR UPDATE SKIP LOCKED</c>), so nodes running passes at once share the work. A copy that fails is logged and
/// counted and keeps its stored version; the pass goes on with the next.
/// </summary>
public sealed class ArchiveExtender(
    CertificationDbContext db,
    AuditTrail audit,
    Outbox outbox,
    IBlobStore blobs,
    PadesSigner signer,
    TrustServices trust,
    IOptions<CertificationOptions> options,
    TimeProvider clock,
    ILogger<ArchiveExtender> log)
{
    private enum Outcome
    {
        Extended,
        /// <summary>The copy changed meanwhile (another node extended it, or it was revoked).</summary>
        Superseded,
        /// <summary>This copy could not be extended; it keeps its stored version.</summary>
        Failed,
        /// <summary>Every further copy would fail the same way (the TSA refuses, or its certificate would not
        /// protect the copy longer than it already is): the pass ends.</summary>
        PassStopped,
    }

    public async Task<ArchivePass> ExtendDueAsync(CancellationToken ct)
    {
        var archive = options.Value.Archive;
        await RemovePreviousVersionsAsync(archive, ct);
        var failed = await RecordMissingProtectionAsync(archive.BatchSize, ct);
        var extended = 0;
        // Copies handled in this pass are not taken again, even when still due: those extended in it (their
        // authority's own certificate may end within RenewBefore) are recognised by their extension row, so a
        // national backlog needs no list in memory; only the few that failed or were superseded are listed.
        var passStarted = clock.GetUtcNow();
        var skipped = new List<Guid>();
        while (true)
        {
            var due = clock.GetUtcNow() + archive.RenewBefore;
            var batch = await db.CertifiedCopies.AsNoTracking()
                .Where(c => c.Status == CertificationStatus.Valid && c.ProtectedUntil != null && c.ProtectedUntil <= due && !skipped.Contains(c.Id)
                            && !db.ArchiveExtensions.Any(e => e.CertifiedCopyId == c.Id && e.ExtendedAt >= passStarted))
                .OrderBy(c => c.ProtectedUntil).Take(archive.BatchSize)
                .Select(c => new { c.Id, c.Sha256, c.ProtectedUntil }).ToListAsync(ct);
            if (batch.Count == 0) return Finish(extended, failed);
            foreach (var copy in batch)
            {
                var outcome = await TryExtendAsync(copy.Id, copy.Sha256!, copy.ProtectedUntil!.Value, ct);
                if (outcome == Outcome.Extended) extended++;
                else skipped.Add(copy.Id);
                if (outcome is Outcome.Failed or Outcome.PassStopped)
                {
                    failed++;
                    Health.Telemetry.ArchiveFailures.Add(1);
                }
                if (outcome == Outcome.PassStopped) return Finish(extended, failed);
            }
        }
    }

    private async Task<Outcome> TryExtendAsync(Guid id, string sha, DateTimeOffset before, CancellationToken ct)
    {
        try
        {
            return await ExtendAsync(id, sha, before, ct);
        }
        catch (TimestampException e)
        {
            log.LogError(e, "Archive pass stopped: no timestamp for copy {Copy}; its stored version is unchanged", id);
            return Outcome.PassStopped;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogError(e, "Archive extension of copy {Copy} failed; its stored version is unchanged", id);
            return Outcome.Failed;
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }

    private ArchivePass Finish(int extended, int failed)
    {
        var pass = new ArchivePass(extended, failed);
        if (extended + failed > 0) log.LogInformation("Archive pass: {Summary}", pass.Summary);
        return pass;
    }

    private async Task<Outcome> ExtendAsync(Guid id, string sha, DateTimeOffset before, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        // Several nodes on one PostgreSQL: the copy's row lock, taken without waiting and held until the commit,
        // lets passes on two nodes share the due copies instead of each extending every one.
        await using var claimed = db.Database.IsNpgsql() ? await db.Database.BeginTransactionAsync(ct) : null;
        if (claimed is not null && !await ClaimAsync(id, sha, ct)) return Outcome.Superseded;
        var extended = await signer.ExtendAsync(await ReadAsync(sha, ct), ct);
        var after = ArchiveProtection.Of(extended, trust.Anchors) ?? throw new InvalidDataException("the extended copy has no readable signature");
        if (after.Until <= before)
        {
            log.LogError("Archive pass stopped: the timestamp authority's chain ends {After:u} ({BoundBy}), no later than copy {Copy} is protected already ({Before:u}); renew the authority's certificate",
                after.Until, after.BoundBy.SubjectDN, id, before);
            return Outcome.PassStopped;
        }
        var report = await PdfSignatureValidator.ValidateAsync(extended, trust.ValidationOptions(clock.GetUtcNow()), ct);
        if (report.Indication != Indication.TotalPassed)
            throw new InvalidDataException($"the extended copy does not validate ({report.Indication}): {report.ToPlainText()}");
        var extendedSha = await blobs.PutAsync(extended, ct);

        await using var opened = claimed is null ? await db.Database.BeginTransactionAsync(ct) : null;
        var tx = claimed ?? opened!;
        var switched = await db.CertifiedCopies.Where(c => c.Id == id && c.Sha256 == sha && c.Status == CertificationStatus.Valid)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Sha256, extendedSha).SetProperty(c => c.Size, extended.LongLength)
                .SetProperty(c => c.ProtectedUntil, after.Until), ct);
        if (switched != 1)
        {
            await tx.RollbackAsync(ct);
            log.LogInformation("Copy {Copy} changed while it was being extended (another node, or a revocation); left as it is", id);
            return Outcome.Superseded;
        }
        var sequence = await db.ArchiveExtensions.CountAsync(e => e.CertifiedCopyId == id, ct) + 1;
        db.ArchiveExtensions.Add(new ArchiveExtension
        {
            Id = Guid.CreateVersion7(),
            CertifiedCopyId = id,
            Sequence = sequence,
            PreviousSha256 = sha,
            Sha256 = extendedSha,
            Size = extended.LongLength,
            ExtendedAt = clock.GetUtcNow(),
            ProtectedUntilBefore = before,
            ProtectedUntilAfter = after.Until,
        });
        await audit.AppendAsync("certification.archive-extended", $"certification:{id}",
            new { sequence, previousSha256 = sha, sha256 = extendedSha, protectedUntilBefore = before, protectedUntilAfter = after.Until }, actor: "system", ct: ct);
        await outbox.SaveWithCopyEventAsync(EventTypes.CopyExtended, id, ct);
        await tx.CommitAsync(ct);
        Health.Telemetry.ArchiveExtensions.Add(1);
        log.LogInformation("Extended copy {Copy} (extension {Sequence}): protected until {Before:u}, now {After:u}, in {ElapsedMs:0} ms",
            id, sequence, before, after.Until, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return Outcome.Extended;
    }

    /// <summary>Locks the copy's row if it is still at this version and no other transaction holds it (PostgreSQL).</summary>
    private async Task<bool> ClaimAsync(Guid id, string sha, CancellationToken ct) =>
        (await db.Database.SqlQuery<Guid>(
            $"SELECT \"Id\" AS \"Value\" FROM \"CertifiedCopies\" WHERE \"Id\" = {id} AND \"Sha256\" = {sha} AND \"Status\" = 'Valid' FOR UPDATE SKIP LOCKED")
            .ToListAsync(ct)).Count == 1;

    /// <summary>Deletes the previous versions of copies extended more than <c>KeepPreviousVersionsFor</c> ago. Each is a
    /// byte prefix of its successor, so nothing is lost; the extension row keeps its hash for verification.</summary>
    private async Task RemovePreviousVersionsAsync(ArchiveOptions archive, CancellationToken ct)
    {
        var cutoff = clock.GetUtcNow() - archive.KeepPreviousVersionsFor;
        var removed = 0;
        while (true)
        {
            var batch = await db.ArchiveExtensions.AsNoTracking()
                .Where(e => e.PreviousRemovedAt == null && e.ExtendedAt <= cutoff).OrderBy(e => e.ExtendedAt).Take(archive.BatchSize)
                .Select(e => new { e.Id, e.PreviousSha256 }).ToListAsync(ct);
            if (batch.Count == 0) break;
            foreach (var extension in batch)
            {
                // Never a version something still points at (a copy's current version, a pending signature).
                var inUse = await db.CertifiedCopies.AnyAsync(c => c.Sha256 == extension.PreviousSha256, ct)
                            || await db.ExternalSigningSessions.AnyAsync(s => s.PreparedSha256 == extension.PreviousSha256, ct);
                if (!inUse) blobs.Delete(extension.PreviousSha256);
                await db.ArchiveExtensions.Where(e => e.Id == extension.Id)
                    .ExecuteUpdateAsync(s => s.SetProperty(e => e.PreviousRemovedAt, clock.GetUtcNow()), ct);
                removed++;
            }
        }
        if (removed > 0) log.LogInformation("Archive pass: removed {Count} previous versions (each a prefix of the current one)", removed);
    }

    /// <summary>Copies stored before protection was recorded get it once; returns how many could not be read.</summary>
    private async Task<int> RecordMissingProtectionAsync(int batchSize, CancellationToken ct)
    {
        var failed = new List<Guid>();
        while (true)
        {
            var batch = await db.CertifiedCopies.AsNoTracking()
                .Where(c => c.Status == CertificationStatus.Valid && c.ProtectedUntil == null && !failed.Contains(c.Id))
                .OrderBy(c => c.Id).Take(batchSize).Select(c => new { c.Id, c.Sha256 }).ToListAsync(ct);
            if (batch.Count == 0) return failed.Count;
            foreach (var copy in batch)
            {
                try
                {
                    var protection = ArchiveProtection.Of(await ReadAsync(copy.Sha256!, ct), trust.Anchors)
                                     ?? throw new InvalidDataException("the stored copy has no readable signature");
                    await db.CertifiedCopies.Where(c => c.Id == copy.Id && c.Sha256 == copy.Sha256)
                        .ExecuteUpdateAsync(s => s.SetProperty(c => c.ProtectedUntil, protection.Until), ct);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    failed.Add(copy.Id);
                    Health.Telemetry.ArchiveFailures.Add(1);
                    log.LogError(e, "The protection of copy {Copy} cannot be determined; it is not extended", copy.Id);
                }
            }
        }
    }

    /// <summary>The stored version, checked against its name: a damaged blob is never extended.</summary>
    private async Task<byte[]> ReadAsync(string sha, CancellationToken ct)
    {
        await using var stream = blobs.OpenRead(sha) ?? throw new InvalidDataException($"the stored copy {sha} is missing from the blob store");
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, ct);
        var pdf = buffer.ToArray();
        if (Convert.ToHexStringLower(SHA256.HashData(pdf)) != sha) throw new InvalidDataException($"the stored copy {sha} does not match its hash");
        return pdf;
    }
}
