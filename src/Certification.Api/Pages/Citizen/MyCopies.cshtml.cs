using Certification.Api.Features.Citizens;
using Certification.Api.Features.Shares;
using Certification.Api.Infrastructure;
using Certification.Api.Problems;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Certification.Api.Pages.Citizen;

/// <summary>"My copies": every copy certified for the signed-in citizen's ID number, at every office, with download and share.</summary>
[Authorize(Policy = CitizenSchemes.Policy)]
public sealed class MyCopiesModel(CertificationDbContext db, ShareService shares) : WebPage
{
    public override string Title => T("my.copies.title");
    public string IdNumber => CitizenClaims.IdNumberOf(User) ?? "";
    public string? CitizenName => User.FindFirst(CitizenClaims.Name)?.Value;
    public List<CitizenCopy> Copies { get; private set; } = [];
    public List<OnlineService> Services { get; private set; } = [];
    public ShareCreated? Created { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostShareAsync(Guid copyId, int? serviceId, string? purpose, int? days, CancellationToken ct)
    {
        Response.Headers.CacheControl = "no-store";
        try
        {
            var expiresAt = days is > 0 and <= 3650 ? DateTimeOffset.UtcNow.AddDays(days.Value) : (DateTimeOffset?)null;
            Created = await CitizenApi.ShareAsync(copyId, new NewShare(serviceId, purpose, expiresAt), User, db, shares, ct);
        }
        catch (ProblemException p)
        {
            Error = ProblemText(p.Type.Uri, p.Type.Status);
            Response.StatusCode = p.Type.Status;
        }
        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Copies = (await CitizenApi.Copies(User, db, ct)).Value!;
        Services = await shares.ServicesAsync(ct);
    }
}
