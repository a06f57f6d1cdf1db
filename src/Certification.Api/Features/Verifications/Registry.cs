using Certification.Api.Domain;
using Certification.Api.Features.Certifications;
using Certification.Api.Infrastructure;
using Certification.Signing.Pdf;
using Microsoft.EntityFrameworkCore;

namespace Certification.Api.Features.Verifications;

public sealed record RegistryMatch(
    bool Found,
    long? CertificationNumber,
    string? Book,
    string? Office,
    string? OfficeCode,
    DateOnly? Date,
    string? Status,
    string? MatchedBy,
    bool HashMatches,
    string? RevocationReason);

/// <summary>Finds an uploaded PDF in the registry: first by the SHA-256 of the file (the exact copy that was
/// issued, or a version of it before an archive extension), then by the certification number, book and office
/// printed in it (a copy that was changed, or re-saved, after issuance: found, but <c>hashMatches</c> is false).</summary>
public sealed class Registry(CertificationDbContext db)
{
    public static readonly RegistryMatch NotFound = new(false, null, null, null, null, null, null, null, false, null);

    /// <param name="sha256">The SHA-256 of <paramref name="pdf"/> (lower-case hex), computed once by the caller.</param>
    public async Task<RegistryMatch> MatchAsync(ReadOnlyMemory<byte> pdf, string sha256, CancellationToken ct)
    {
        // One query over two indexes: the current version, or one a later archive extension appended to (the citizen's earlier download).
        var extendedFrom = db.ArchiveExtensions.Where(e => e.PreviousSha256 == sha256).Select(e => e.CertifiedCopyId);
        var byHash = await Issued().Where(c => c.Sha256 == sha256 || extendedFrom.Contains(c.Id)).FirstOrDefaultAsync(ct);
        if (byHash is not null) return await ToMatchAsync(byHash, "sha256", true, ct);

        var printed = Printed(pdf);
        if (printed is not { } p) return NotFound;
        var office = await db.Offices.AsNoTracking().SingleOrDefaultAsync(o => o.Code == p.OfficeCode, ct);
        if (office is null) return NotFound;
        var books = await db.Books.AsNoTracking().Where(b => b.OfficeId == office.Id).ToListAsync(ct);
        var book = books.FirstOrDefault(b => b.Label == p.Book);
        if (book is null) return NotFound;
        var copy = await Issued().SingleOrDefaultAsync(c => c.BookId == book.Id && c.Number == p.Number, ct);
        return copy is null ? NotFound : await ToMatchAsync(copy, "certificationNumber", false, ct);
    }

    private IQueryable<CertifiedCopy> Issued() => db.CertifiedCopies.AsNoTracking().Include(c => c.Book).Include(c => c.Office)
        .Where(c => c.Status == CertificationStatus.Valid || c.Status == CertificationStatus.Revoked);

    private async Task<RegistryMatch> ToMatchAsync(CertifiedCopy c, string by, bool hashMatches, CancellationToken ct)
    {
        var revocation = c.Status == CertificationStatus.Revoked
            ? await db.Revocations.AsNoTracking().SingleOrDefaultAsync(r => r.CertifiedCopyId == c.Id, ct)
            : null;
        return new RegistryMatch(true, c.Number, c.Book!.Label, c.Office!.Name, c.Office.Code, c.Date, CertificationsApi.StatusName(c.Status), by, hashMatches,
            revocation?.Reason);
    }

    /// <summary>The number, book and office code the copy carries in its document information dictionary
    /// (written there by the composer next to the printed statement).</summary>
    public static (long Number, string Book, string OfficeCode)? Printed(ReadOnlyMemory<byte> pdf)
    {
        try
        {
            var file = PdfFile.Open(pdf);
            // The first revision holds the composed document; later revisions (signatures, DSS) cannot change what is printed there.
            var first = file.Revisions[0];
            if (file.Resolve(first.Trailer["Info"], first) is not PdfDictionary info) return null;
            var number = (file.Resolve(info["CertificationNumber"], first) as PdfString)?.ToText();
            var book = (file.Resolve(info["CertificationBook"], first) as PdfString)?.ToText();
            var office = (file.Resolve(info["OfficeCode"], first) as PdfString)?.ToText();
            return long.TryParse(number, out var n) && book is not null && office is not null ? (n, book, office) : null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return null;
        }
    }
}
