using System.Security.Cryptography;
using Certification.Api.Domain;
using Certification.Api.Features.Audit;
using Certification.Api.Infrastructure;
using Certification.Api.Options;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Certification.Api.Features.Admin;

/// <summary>The outcome of <see cref="ConsistencyCheck"/>: counts, and one line per inconsistency (empty when consistent).</summary>
public sealed record ConsistencyReport(bool Consistent, int Books, int Entries, int CopiesHashed, int StoredBlobs, int RecentUnreferencedBlobs,
    long AuditEntries, IReadOnlyList<string> Problems);

/// <summary>
/// The crash-consistency checker (<c>GET /api/v1/admin/consistency</c>): every book entry has its stored copy
/// whose SHA-256 matches; no stored copy lacks its entry (blobs younger than <c>Blobs:OrphanGracePeriod</c> may
/// belong to a certification still committing on some node and are only counted); every book numbers its
/// entries from its first number to its last without gap or repeat (Circular 01/2020); the audit chain verifies.
/// </summary>
public sealed class ConsistencyCheck(CertificationDbContext db, IBlobStore blobs, IOptions<CertificationOptions> options, TimeProvider clock)
{
    public async Task<ConsistencyReport> RunAsync(CancellationToken ct)
    {
        var problems = new List<string>();
        var books = await db.Books.AsNoTracking().ToListAsync(ct);
        var entries = await db.CertifiedCopies.AsNoTracking().Where(c => c.Status != CertificationStatus.AwaitingSignature)
            .Select(c => new { c.Id, c.BookId, c.Number, c.Sha256 }).ToListAsync(ct);
        foreach (var book in books)
        {
            var numbers = entries.Where(e => e.BookId == book.Id).Select(e => e.Number).Order().ToList();
            var expected = book.LastNumber < book.FirstNumber ? [] : LongRange(book.FirstNumber, book.LastNumber);
            if (!numbers.SequenceEqual(expected))
            {
                var missing = expected.Except(numbers).Take(10).ToList();
                var extra = numbers.GroupBy(n => n).Where(g => g.Count() > 1 || g.Key < book.FirstNumber || g.Key > book.LastNumber).Select(g => g.Key).Take(10).ToList();
                problems.Add($"Book {book.Label} (id {book.Id}, last number {book.LastNumber}): numbers missing [{string.Join(", ", missing)}], repeated or outside the book [{string.Join(", ", extra)}].");
            }
        }

        var hashed = 0;
        foreach (var entry in entries)
        {
            if (entry.Sha256 is null)
            {
                problems.Add($"Entry {entry.Number} of book {entry.BookId} (copy {entry.Id}) has no stored copy.");
                continue;
            }
            await using var stored = blobs.OpenRead(entry.Sha256);
            if (stored is null)
            {
                problems.Add($"Entry {entry.Number} of book {entry.BookId} (copy {entry.Id}): its stored copy {entry.Sha256} is missing.");
                continue;
            }
            var actual = Convert.ToHexStringLower(await SHA256.HashDataAsync(stored, ct));
            hashed++;
            if (actual != entry.Sha256)
                problems.Add($"Entry {entry.Number} of book {entry.BookId} (copy {entry.Id}): the stored copy hashes to {actual}, not {entry.Sha256}.");
        }

        var referenced = await BlobStores.ReferencedAsync(db, ct);
        var all = blobs.List().ToList();
        var old = blobs.ListStoredBefore(clock.GetUtcNow() - BlobStores.OrphanGracePeriod(options.Value)).ToHashSet(StringComparer.Ordinal);
        var unreferenced = all.Where(b => !referenced.Contains(b)).ToList();
        foreach (var orphan in unreferenced.Where(old.Contains))
            problems.Add($"Stored copy {orphan} belongs to no book entry.");

        var audit = await AuditChain.VerifyAsync(db, ct);
        if (!audit.Valid) problems.Add($"Audit chain: {audit.Problem}");
        return new ConsistencyReport(problems.Count == 0, books.Count, entries.Count, hashed, all.Count, unreferenced.Count(b => !old.Contains(b)),
            audit.Entries, problems);
    }

    private static List<long> LongRange(long first, long last)
    {
        var range = new List<long>((int)(last - first + 1));
        for (var n = first; n <= last; n++) range.Add(n);
        return range;
    }
}
