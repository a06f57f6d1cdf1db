using Certification.Api.Domain;
using Certification.Api.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Certification.Api.Pages.Console;

/// <summary>The office's certification books, and one book with every number it holds (as <c>GET /api/v1/books/{id}</c>).</summary>
public sealed class BookModel(CertificationDbContext db) : ConsolePage
{
    public override string Title => T("book.title");
    public List<CertificationBook> Books { get; private set; } = [];
    public CertificationBook? Selected { get; private set; }
    public List<CertifiedCopy> Entries { get; private set; } = [];

    public async Task OnGetAsync(int? id, CancellationToken ct)
    {
        Books = await db.Books.AsNoTracking().Where(b => b.OfficeId == OfficeId).OrderByDescending(b => b.Year).ThenByDescending(b => b.Volume).ToListAsync(ct);
        Selected = Books.FirstOrDefault(b => b.Id == id) ?? Books.FirstOrDefault();
        if (Selected is null) return;
        Entries = await db.CertifiedCopies.AsNoTracking().Include(c => c.Document).Include(c => c.Certifier)
            .EntriesOf(Selected.Id).ToListAsync(ct);
    }
}
