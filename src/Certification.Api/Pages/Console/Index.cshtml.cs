using Certification.Api.Domain;
using Certification.Api.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Certification.Api.Pages.Console;

public sealed record QueueRow(DateTimeOffset ReceivedAt, string Requester, string Title, string Status, long? Number, Guid? CopyId);

/// <summary>The office's queue: its newest requests and the state of each document in them.</summary>
public sealed class IndexModel(CertificationDbContext db) : ConsolePage
{
    public override string Title => T("console.title");
    public Officer? Officer { get; private set; }
    public List<QueueRow> Rows { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        Officer = await db.Officers.AsNoTracking().Include(o => o.Office).SingleOrDefaultAsync(o => o.Id == OfficerId, ct);
        if (Officer?.OfficeId is not { } officeId) return;
        var documents = await db.Documents.AsNoTracking().Include(d => d.Request)
            .Where(d => d.Request!.OfficeId == officeId)
            .OrderByDescending(d => d.Id).Take(100).ToListAsync(ct);
        var ids = documents.Select(d => d.Id).ToList();
        var copies = await db.CertifiedCopies.AsNoTracking().Where(c => ids.Contains(c.DocumentId)).ToDictionaryAsync(c => c.DocumentId, ct);
        Rows = documents.Select(d => new QueueRow(d.Request!.ReceivedAt, d.Request.RequesterName, d.Title,
                d.Status.ToString(),
                copies.TryGetValue(d.Id, out var c2) ? c2.Number : null, copies.TryGetValue(d.Id, out var c3) ? c3.Id : null))
            .OrderByDescending(r => r.ReceivedAt).ToList();
    }
}
