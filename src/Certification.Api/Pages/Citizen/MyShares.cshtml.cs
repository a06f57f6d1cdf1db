using Certification.Api.Features.Citizens;
using Certification.Api.Features.Shares;
using Certification.Api.Infrastructure;
using Certification.Api.Problems;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Certification.Api.Pages.Citizen;

/// <summary>"My shares": each share of the citizen's copies, who fetched it and when (from the audit trail), and revocation.</summary>
[Authorize(Policy = CitizenSchemes.Policy)]
public sealed class MySharesModel(CertificationDbContext db, ShareService shares) : WebPage
{
    public override string Title => T("my.shares.title");
    public List<ShareResponse> Shares { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        Response.Headers.CacheControl = "no-store";
        Shares = await shares.ListAsync(CitizenApi.SharesOf(User, db), ct);
    }

    public async Task<IActionResult> OnPostRevokeAsync(Guid shareId, CancellationToken ct)
    {
        try
        {
            await shares.RevokeAsync(CitizenApi.SharesOf(User, db), shareId, ct);
        }
        catch (ProblemException p)
        {
            Error = ProblemText(p.Type.Uri, p.Type.Status);
            Response.StatusCode = p.Type.Status;
        }
        await OnGetAsync(ct);
        return Page();
    }
}
