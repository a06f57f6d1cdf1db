using System.Collections.Concurrent;
using System.Data.Common;
using Certification.Api.Domain;
using Certification.Api.Features.Audit;
using Certification.Api.Infrastructure;
using Certification.Signing.Pades;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Certification.Api.Features.Certifications;

/// <summary>
/// The electronic book of certified copies (Circular 01/2020 Art. 4: one number per document, in order) and the
/// storage of the copies its numbers point to. The invariant: a number is committed together with its stored signed
/// copy, or not at all. A certification of one book at a time holds <see cref="HoldAsync"/> (an in-process lock per
/// book) and, on PostgreSQL, the book's row lock (<see cref="LockForNumberingAsync"/>, so nodes queue instead of
/// racing); it stores the PDF durably (<see cref="StoreAsync"/>) and only then, in one transaction, advances the book
/// from N to N+1 (<see cref="AdvanceAsync"/>, <c>UPDATE … WHERE LastNumber = N</c>, safe across processes) and inserts
/// the copy's row. A crash before the commit leaves at most an unreferenced blob (swept at the next start) and the
/// number unused; a lost race makes the update touch no row. The unique index on (book, number) is the last line of
/// defence against duplicates.
/// </summary>
public sealed class BookLedger(CertificationDbContext db, AuditTrail audit, IBlobStore blobs, BookLocks locks, TimeProvider clock)
{
    /// <summary>Holds the book of the office for the year within this process until disposed.</summary>
    public Task<IDisposable> HoldAsync(int officeId, int year, CancellationToken ct) =>
        locks.AcquireAsync($"{officeId}/{CertificationBook.ElectronicCopies}/{year}", ct);

    /// <summary>The open electronic book of the office for the year, opened on first use.</summary>
    public async Task<CertificationBook> OpenBookAsync(int officeId, DateOnly date, CancellationToken ct)
    {
        var book = await db.Books.AsNoTracking()
            .Where(b => b.OfficeId == officeId && b.BookType == CertificationBook.ElectronicCopies && b.Year == date.Year && b.ClosedOn == null)
            .OrderByDescending(b => b.Volume).FirstOrDefaultAsync(ct);
        if (book is not null) return book;
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            // Nodes sharing PostgreSQL open the book one at a time (SQLite's write transaction does this already).
            if (db.Database.IsNpgsql()) await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(7301002, {officeId})", ct);
            var exists = await db.Books.AnyAsync(b => b.OfficeId == officeId && b.BookType == CertificationBook.ElectronicCopies && b.Year == date.Year, ct);
            if (!exists)
            {
                var opened = new CertificationBook { OfficeId = officeId, BookType = CertificationBook.ElectronicCopies, Year = date.Year, Volume = 1, OpenedOn = date };
                db.Books.Add(opened);
                await db.SaveChangesAsync(ct);
                await audit.AppendAsync("book.opened", $"book:{opened.Id}", new { office = officeId, label = opened.Label }, actor: "system", ct: ct);
                await db.SaveChangesAsync(ct);
                db.Entry(opened).State = EntityState.Detached;
            }
            await tx.CommitAsync(ct);
        }
        return await db.Books.AsNoTracking()
            .Where(b => b.OfficeId == officeId && b.BookType == CertificationBook.ElectronicCopies && b.Year == date.Year && b.ClosedOn == null)
            .OrderByDescending(b => b.Volume).FirstAsync(ct);
    }

    /// <summary>Several nodes on one PostgreSQL: begins the transaction that holds the book's row lock
    /// (SELECT … FOR UPDATE) from reading the number to the commit, and refreshes the book's last number from it.
    /// Null on SQLite, whose write transaction is taken at the commit.</summary>
    public async Task<IDbContextTransaction?> LockForNumberingAsync(CertificationBook book, CancellationToken ct)
    {
        if (!db.Database.IsNpgsql()) return null;
        var tx = await db.Database.BeginTransactionAsync(ct);
        book.LastNumber = await LockBookRowAsync(book.Id, ct);
        return tx;
    }

    /// <summary>Takes the book's row lock until the transaction ends (PostgreSQL) and returns its last number.</summary>
    public async Task<long> LockBookRowAsync(int bookId, CancellationToken ct) =>
        await db.Database.SqlQuery<long>($"SELECT \"LastNumber\" AS \"Value\" FROM \"Books\" WHERE \"Id\" = {bookId} FOR UPDATE").SingleAsync(ct);

    /// <summary>Compare-and-set of the book's last number: provider-neutral, and safe across processes
    /// (on PostgreSQL the UPDATE takes the row lock until commit).</summary>
    public async Task<bool> AdvanceAsync(int bookId, long number, CancellationToken ct) =>
        await db.Books.Where(b => b.Id == bookId && b.LastNumber == number - 1)
            .ExecuteUpdateAsync(s => s.SetProperty(b => b.LastNumber, number), ct) == 1;

    /// <summary>Stores the signed copy durably before its number is committed; its digest must be the one signed.</summary>
    public async Task<string> StoreAsync(FileStream signed, string signedSha256, CancellationToken ct)
    {
        var sha = await blobs.PutAsync(signed, ct);
        if (sha != signedSha256) throw new InvalidOperationException("The stored copy differs from the one signed");
        return sha;
    }

    /// <summary>After a commit that failed (a full or read-only disk, a lost connection) or a lost race: rolls the
    /// transaction back and deletes the copy stored for the number at once, rather than leaving an orphan to the
    /// startup sweep, but only when no entry refers to it (a commit reported failed may still have committed).
    /// Not cancellable: the request may be gone, the clean-up is still due. When the registry cannot be read, the
    /// blob stays for the sweep.</summary>
    public async Task DiscardUncommittedAsync(IDbContextTransaction tx, string sha256)
    {
        try
        {
            await tx.RollbackAsync(CancellationToken.None);
        }
        catch (Exception e) when (e is DbException or InvalidOperationException)
        {
            // Already rolled back by the database (SQLite after SQLITE_FULL) or the connection is gone.
        }
        try
        {
            if (!await db.CertifiedCopies.AsNoTracking().AnyAsync(c => c.Sha256 == sha256, CancellationToken.None)) blobs.Delete(sha256);
        }
        catch (Exception e) when (e is DbException or IOException or UnauthorizedAccessException)
        {
            // Left to the startup sweep of orphans.
        }
    }

    /// <summary>The book entry for one certified document (one number per document, Circular 01/2020 Art. 4).</summary>
    public CertifiedCopy NewCopy(RequestDocument document, Office office, CertificationBook book, long number, Officer officer, DateOnly date,
        int pageCount, long fee, PadesLevel level, string accessCode, CertificationStatus status) => new()
    {
        Id = Guid.CreateVersion7(),
        DocumentId = document.Id,
        OfficeId = office.Id,
        BookId = book.Id,
        Number = number,
        CertifierId = officer.Id,
        Date = date,
        IssuedAt = clock.GetUtcNow(),
        PageCount = pageCount,
        Fee = fee,
        Level = level.Name(),
        AccessCodeHash = AccessCodes.Hash(accessCode),
        Status = status,
    };

    public RequestDocument AddDocument(ResolvedRequest resolved, string title, int pages, DocumentStatus status)
    {
        var request = resolved.Request;
        if (resolved.New) db.Requests.Add(request);
        var document = new RequestDocument
        {
            Id = Guid.CreateVersion7(),
            RequestId = request.Id,
            Title = title.Trim().Normalize(System.Text.NormalizationForm.FormC),
            PageCount = pages,
            Status = status,
        };
        db.Documents.Add(document);
        return document;
    }
}

/// <summary>One async lock per book key within this process, so certifications of one book queue instead
/// of racing (racing would be safe but wasteful: the loser composes and signs again).</summary>
public sealed class BookLocks
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);

    public async Task<IDisposable> AcquireAsync(string key, CancellationToken ct)
    {
        var gate = _locks.GetOrAdd(key, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        return new Release(gate);
    }

    private sealed class Release(SemaphoreSlim gate) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0) gate.Release();
        }
    }
}
