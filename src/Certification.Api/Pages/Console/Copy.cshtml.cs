using Certification.Api.Domain;
using Certification.Api.Features.Certifications;
using Certification.Api.Infrastructure;
using Certification.Api.Problems;
using Certification.Api.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Certification.Api.Pages.Console;

/// <summary>One copy for the officers of its office: details, pages, revocation (through the workflow's
/// <c>RevokeAsync</c>, as the API does) and the copy's audit trail. Officers of other offices are refused.</summary>
public sealed class CopyModel(CertificationDbContext db, CertificationService workflow, IBlobStore blobs, PageRenderer renderer) : ConsolePage
{
    public override string Title => T("copyrec.title");
    public CertifiedCopy? Copy { get; private set; }
    public string? RevocationReason { get; private set; }
    public List<AuditEntry> Audit { get; private set; } = [];
    public int Pages { get; private set; }
    public string? Notice { get; private set; }

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct)
    {
        await LoadAsync(id, ct);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(Guid id, string? reason, CancellationToken ct)
    {
        try
        {
            await workflow.RevokeAsync(User, id, reason ?? "", ct);
            Notice = T("copyrec.revoked");
        }
        catch (ProblemException p)
        {
            Error = ProblemText(p.Type.Uri, p.Type.Status);
            Response.StatusCode = p.Type.Status;
        }
        await LoadAsync(id, ct);
        return Page();
    }

    private async Task LoadAsync(Guid id, CancellationToken ct)
    {
        var copy = await db.CertifiedCopies.AsNoTracking().Include(c => c.Book).Include(c => c.Certifier).Include(c => c.Document).ThenInclude(d => d!.Request)
            .SingleOrDefaultAsync(c => c.Id == id, ct);
        if (copy is null)
        {
            Error = ProblemText("not-found", 404);
            Response.StatusCode = 404;
            return;
        }
        if (copy.OfficeId != OfficeId)
        {
            Error = ProblemText("other-office", 403);
            Response.StatusCode = 403;
            return;
        }
        Copy = copy;
        RevocationReason = (await db.Revocations.AsNoTracking().SingleOrDefaultAsync(r => r.CertifiedCopyId == id, ct))?.Reason;
        var subject = $"certification:{id}";
        Audit = await db.AuditEntries.AsNoTracking().Where(e => e.Subject == subject).OrderBy(e => e.Id).ToListAsync(ct);
        if (copy.Sha256 is not null && PageRenderer.Available)
            Pages = (await renderer.RenderAsync(copy.Sha256, async () =>
            {
                await using var s = blobs.OpenRead(copy.Sha256);
                using var m = new MemoryStream();
                if (s is not null) await s.CopyToAsync(m, ct);
                return m.ToArray();
            }, ct)).Count;
    }
}
