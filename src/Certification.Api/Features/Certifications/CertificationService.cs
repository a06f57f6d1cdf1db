using System.Security.Claims;
using Certification.Api.Domain;
using Certification.Api.Features.Audit;
using Certification.Api.Features.Events;
using Certification.Api.Infrastructure;
using Certification.Api.Problems;
using Microsoft.EntityFrameworkCore;

namespace Certification.Api.Features.Certifications;

/// <summary>
/// The one-step certification workflow and revocation. An upload is accepted (<see cref="CertificationIntake"/>) and
/// its copy planned (scans decoded, layout decided) before the book is touched; then, holding the book
/// (<see cref="BookLedger"/>), the copy is composed and signed
/// with the book's next number (<see cref="CopyIssuance"/>), stored, and its number committed with it. A lost race
/// (another node advanced the book) composes the copy again with the next number.
/// </summary>
public sealed class CertificationService(
    CertificationDbContext db,
    AuditTrail audit,
    CertificationIntake intake,
    CopyIssuance issuance,
    BookLedger ledger,
    Outbox outbox,
    RemoteCredentials remote,
    Scans.ScanRecords scans,
    DataDirectory data,
    TimeProvider clock,
    ILogger<CertificationService> log)
{
    public async Task<CertificationResponse> CertifyAsync(ClaimsPrincipal user, CertifyCommand command, CancellationToken ct)
    {
        using var activity = Stage("certify");
        AcceptedUpload upload;
        using (Stage("intake")) upload = await intake.AcceptAsync(user, command, localKeyOnly: true, ct);
        var (officer, office, _, date) = upload.Certifier;
        var certifierKey = issuance.OpenKey(upload.Personal);
        var officeKey = await remote.SealAsync(office, upload.Seal, ct) ?? issuance.OpenKey(upload.Seal);
        var accessCode = AccessCodes.New();
        var level = issuance.Level;
        // Decoding and layout do not depend on the number: done before queueing for the book.
        var plan = issuance.Plan(upload, accessCode);
        var waiting = Stage("book wait");
        using var held = await ledger.HoldAsync(office.Id, date.Year, ct);
        waiting?.Dispose();
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var book = await ledger.OpenBookAsync(office.Id, date, ct);
            await using var locked = await ledger.LockForNumberingAsync(book, ct);
            var number = book.LastNumber + 1;
            var details = issuance.Details(upload.Certifier, command.DocumentTitle, book.Label, number, accessCode);
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            await using var scratch = data.CreateScratchFile();
            var issued = await issuance.IssueAsync(plan, details, certifierKey, officeKey, scratch, level, ct);
            string sha;
            using (Stage("blob store")) sha = await ledger.StoreAsync(scratch, issued.File.Sha256Hex, ct);
            var stored = System.Diagnostics.Stopwatch.GetElapsedTime(started);

            var committing = Stage("db commit");
            await using var opened = locked is null ? await db.Database.BeginTransactionAsync(ct) : null;
            var tx = locked ?? opened!;
            CertifiedCopy copy;
            try
            {
                if (!await ledger.AdvanceAsync(book.Id, number, ct))
                {
                    committing?.Dispose();
                    log.LogWarning("Book {Book} of office {Office} moved on; composing again", book.Id, office.Code);
                    await ledger.DiscardUncommittedAsync(tx, sha);
                    continue;
                }
                var document = ledger.AddDocument(upload.Request, command.DocumentTitle, issued.File.PageCount, DocumentStatus.Certified);
                copy = ledger.NewCopy(document, office, book, number, officer, date, issued.File.PageCount, issued.File.Fee, level, accessCode, CertificationStatus.Valid);
                copy.Sha256 = sha;
                copy.Size = issued.File.Length;
                copy.ProtectedUntil = issued.ProtectedUntil;
                db.CertifiedCopies.Add(copy);
                await scans.AttachAsync(upload, document, copy, ct);
                await audit.AppendAsync("certification.issued", $"certification:{copy.Id}",
                    new { office = office.Code, book = book.Label, number, sha256 = sha, pages = issued.File.PageCount, fee = issued.File.Fee, request = upload.Request.Request.Id }, ct: ct);
                await outbox.SaveWithCopyEventAsync(EventTypes.CopyCertified, copy.Id, ct);
                await tx.CommitAsync(ct);
            }
            catch
            {
                await ledger.DiscardUncommittedAsync(tx, sha);
                throw;
            }
            committing?.Dispose();
            Health.Telemetry.Certifications.Add(1, new KeyValuePair<string, object?>("level", copy.Level));
            log.LogInformation("Certified {Office} {Book} no. {Number} ({Pages} pages, {Level}): composed and signed in {ComposeMs:0} ms, stored by {StoreMs:0} ms, committed by {CommitMs:0} ms",
                office.Code, book.Label, number, issued.File.PageCount, copy.Level, issued.ComposedIn.TotalMilliseconds, stored.TotalMilliseconds,
                System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            using (Stage("response")) return issuance.Response(copy, book, office, upload.Request.Request, accessCode);
        }
        throw new ProblemException(ProblemTypes.NumberConflict);
    }

    private static System.Diagnostics.Activity? Stage(string name) => Health.Telemetry.Activities.StartActivity(name);

    public async Task<RevocationResponse> RevokeAsync(ClaimsPrincipal user, Guid id, string reason, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(reason) || reason.Length > 2000) throw new ProblemException(ProblemTypes.InvalidRequest, "A reason (at most 2000 characters) is required.");
        var officer = await intake.RequireOfficerAsync(user, ct);
        var copy = await db.CertifiedCopies.Include(c => c.Book).SingleOrDefaultAsync(c => c.Id == id, ct)
                   ?? throw new ProblemException(ProblemTypes.NotFound);
        if (copy.OfficeId != officer.OfficeId) throw new ProblemException(ProblemTypes.OtherOffice);
        if (!officer.Has(OfficerRoles.Certifier)) throw new ProblemException(ProblemTypes.Forbidden, "Only a certifier revokes copies.");
        if (copy.Status == CertificationStatus.Revoked) throw new ProblemException(ProblemTypes.AlreadyRevoked);
        if (copy.Status != CertificationStatus.Valid) throw new ProblemException(ProblemTypes.NotRevocable);

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var now = clock.GetUtcNow();
        var rows = await db.CertifiedCopies.Where(c => c.Id == id && c.Status == CertificationStatus.Valid)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, CertificationStatus.Revoked), ct);
        if (rows != 1) throw new ProblemException(ProblemTypes.AlreadyRevoked);
        db.Revocations.Add(new Revocation { Id = Guid.NewGuid(), CertifiedCopyId = id, Reason = reason.Trim(), RevokedById = officer.Id, RevokedAt = now });
        await audit.AppendAsync("certification.revoked", $"certification:{id}", new { book = copy.Book!.Label, number = copy.Number, reason = reason.Trim() }, ct: ct);
        await outbox.SaveWithCopyEventAsync(EventTypes.CopyRevoked, id, ct);
        await tx.CommitAsync(ct);
        return new RevocationResponse(id, "revoked", reason.Trim(), now);
    }
}
