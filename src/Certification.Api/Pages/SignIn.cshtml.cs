using System.Security.Claims;
using Certification.Api.Features.Auth;
using Certification.Api.Infrastructure;
using Certification.Api.Options;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Certification.Api.Pages;

/// <summary>Cookie sign-in with the service's password check (PBKDF2 hashes, lockout), like <c>POST /api/v1/auth/login</c>.</summary>
[EnableRateLimiting(RateLimits.SignIn)]
public sealed class SignInModel(PasswordSignIn signIn, IOptions<CertificationOptions> options) : WebPage
{
    public override string Title => T("signin.title");
    public string? ReturnUrl { get; set; }
    public string? UserName { get; set; }
    public bool Demo => options.Value.Demo;

    public void OnGet(string? returnUrl) => ReturnUrl = returnUrl;

    public async Task<IActionResult> OnPostAsync(string? username, string? password, string? returnUrl, CancellationToken ct)
    {
        ReturnUrl = returnUrl;
        UserName = username;
        if (string.IsNullOrWhiteSpace(username) || string.IsNullOrEmpty(password) || password.Length > 1024)
        {
            Error = ProblemText("invalid-request", 400);
            return Page();
        }
        var (result, officer, _) = await signIn.CheckAsync(username.Trim(), password, ct);
        if (result != Features.Auth.SignInResult.Succeeded)
        {
            Error = ProblemText(result == Features.Auth.SignInResult.LockedOut ? "sign-in-throttled" : "sign-in-failed", 401);
            Response.StatusCode = result == Features.Auth.SignInResult.LockedOut ? 429 : 401;
            return Page();
        }
        var identity = new ClaimsIdentity(OfficerClaims.For(officer!), Schemes.Cookie, "name", OfficerClaims.Role);
        await HttpContext.SignInAsync(Schemes.Cookie, new ClaimsPrincipal(identity));
        return LocalRedirect(returnUrl is { } r && r.StartsWith('/') && !r.StartsWith("//") && !r.StartsWith("/\\") ? r : "/console");
    }
}
