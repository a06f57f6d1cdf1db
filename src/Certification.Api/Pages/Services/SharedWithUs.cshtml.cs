using Certification.Api.Features.Auth;
using Certification.Api.Features.Certifications;
using Certification.Api.Features.Shares;
using Certification.Api.Infrastructure;
using Certification.Api.Problems;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;

namespace Certification.Api.Pages.Services;

/// <summary>
/// "Shared with us", for an online service's staff: the service's API key (typed in, never kept or shown back) lists the copies
/// citizens shared with it; with a share token it downloads one, through the same checks and audit as the API
/// (<c>GET /api/v1/shares/{id}/document</c>).
/// </summary>
[EnableRateLimiting(RateLimits.SignIn)]
public sealed class SharedWithUsModel(CertificationDbContext db, ShareService shares) : WebPage
{
    public override string Title => T("shared.title");
    public string? Service { get; private set; }
    public List<ShareResponse>? Shares { get; private set; }

    public void OnGet() => Response.Headers.CacheControl = "no-store";

    public async Task<IActionResult> OnPostAsync(string? apiKey, Guid? shareId, string? token, CancellationToken ct)
    {
        Response.Headers.CacheControl = "no-store";
        var client = string.IsNullOrWhiteSpace(apiKey) || apiKey.Length > 200 ? null : await ApiKeyAuthenticationHandler.FindClientAsync(db, apiKey.Trim(), ct);
        if (client is null)
        {
            Error = ProblemText("unauthenticated", 401);
            Response.StatusCode = 401;
            return Page();
        }
        Service = client.Name;
        if (shareId is { } id && !string.IsNullOrWhiteSpace(token))
        {
            try
            {
                var shared = await shares.FetchAsync(id, token, client.Id, ct);
                return File(shared.Content, "application/pdf", CertificationsApi.FileName(shared.Copy));
            }
            catch (ProblemException p)
            {
                Error = ProblemText(p.Type.Uri, p.Type.Status);
                Response.StatusCode = p.Type.Status;
            }
        }
        Shares = await shares.ListAsync(db.CopyShares.Where(s => s.ApiClientId == client.Id), ct);
        return Page();
    }
}
