using Certification.Api.Domain;
using Certification.Api.Features.Certifications;
using Certification.Api.Infrastructure;
using Certification.Api.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;

namespace Certification.Api.Pages;

/// <summary>
/// The page behind the link and QR code printed on every copy (<c>{base}/c/{code}</c>): the registry's record of
/// the copy (office, number, date, status), then view, download and share. No sign-in; rate-limited like the
/// citizens' API; unknown and malformed codes answer the same.
/// </summary>
[EnableRateLimiting(RateLimits.CopyLookup)]
public sealed class CopyModel(CertificationDbContext db, IBlobStore blobs, PageRenderer renderer, PublicBaseUrl baseUrl) : WebPage
{
    public override string Title => T("copy.title");
    public CertifiedCopy? Copy { get; private set; }
    public string? RevocationReason { get; private set; }
    public string BaseLink { get; private set; } = "";
    public string ShareUrl { get; private set; } = "";
    public int Pages { get; private set; }

    public async Task<IActionResult> OnGetAsync(string accessCode, CancellationToken ct)
    {
        Response.Headers.CacheControl = "no-store";
        Copy = await WebPages.FindCopyAsync(accessCode, db, ct);
        if (Copy is null)
        {
            Error = ProblemText("copy-not-found", 404);
            Response.StatusCode = 404;
            return Page();
        }
        var code = AccessCodes.Normalise(accessCode)!;
        BaseLink = "/c/" + code;
        ShareUrl = baseUrl.Resolve("c/" + code).AbsoluteUri;
        if (Copy.Status == CertificationStatus.Revoked)
            RevocationReason = (await db.Revocations.AsNoTracking().SingleOrDefaultAsync(r => r.CertifiedCopyId == Copy.Id, ct))?.Reason;
        else if (PageRenderer.Available)
            Pages = (await renderer.RenderAsync(Copy.Sha256!, async () =>
            {
                await using var s = blobs.OpenRead(Copy.Sha256!);
                using var m = new MemoryStream();
                if (s is not null) await s.CopyToAsync(m, ct);
                return m.ToArray();
            }, ct)).Count;
        return Page();
    }
}
