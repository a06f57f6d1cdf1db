using System.Security.Claims;
using System.Text;
using Certification.Api.Features.Citizens;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Mvc;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Certification.Api.Pages.Citizen;

/// <summary>
/// The development identity provider's sign-in page (demo mode only; see <see cref="DevelopmentIdentityProvider"/>): the
/// authorization endpoint in OpenIddict's pass-through mode. OpenIddict has already checked the request (client, redirect URI,
/// PKCE); the page asks for an ID number and a name and signs that citizen in, so OpenIddict issues its code and ID token.
/// </summary>
public sealed class DevIdentityProviderModel : WebPage
{
    public const string IdNumberField = "citizen_id";
    public const string NameField = "citizen_name";
    public const string DemoIdNumber = "001199012345";
    public const string DemoName = "Nguyễn Thị Hoà";

    public override string Title => T("idp.title");

    /// <summary>The authorization request's parameters, posted back with the form so OpenIddict reads the same request.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Parameters { get; private set; } = [];

    public IActionResult OnGet()
    {
        if (HttpContext.GetOpenIddictServerRequest() is not { } request) return NotFound();
        Parameters = request.GetParameters().Where(p => p.Key is not (IdNumberField or NameField) && !p.Key.StartsWith("__", StringComparison.Ordinal))
            .Select(p => KeyValuePair.Create(p.Key, (string?)p.Value ?? "")).ToList();
        return Page();
    }

    public IActionResult OnPost()
    {
        if (HttpContext.GetOpenIddictServerRequest() is not { } request) return NotFound();
        var idNumber = ((string?)request[IdNumberField])?.Trim();
        var name = ((string?)request[NameField])?.Trim().Normalize(NormalizationForm.FormC);
        if (string.IsNullOrEmpty(idNumber) || idNumber.Length > 32 || !idNumber.All(char.IsAsciiDigit))
        {
            Error = ProblemText("invalid-request", 400);
            return OnGet();
        }
        var identity = new ClaimsIdentity(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, idNumber).SetClaim(CitizenClaims.IdNumber, idNumber);
        if (!string.IsNullOrEmpty(name)) identity.SetClaim(Claims.Name, name);
        identity.SetScopes(request.GetScopes());
        // The ID token carries who the citizen is; the access token is not used by this service.
        identity.SetDestinations(_ => [Destinations.IdentityToken, Destinations.AccessToken]);
        return SignIn(new ClaimsPrincipal(identity), OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }
}
