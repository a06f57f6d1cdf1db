using System.Security.Claims;
using Certification.Api.Domain;
using Certification.Api.Infrastructure;
using Certification.Api.Options;
using Certification.Api.Problems;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Certification.Api.Features.Auth;

public sealed record SignInRequest(string UserName, string Password);
public sealed record TokenResponse(string AccessToken, string TokenType, int ExpiresIn);
public sealed record MeResponse(int Id, string UserName, string FullName, string Title, int? OfficeId, string? OfficeName, IReadOnlyList<string> Roles);

public static class AuthApi
{
    public static IEndpointRouteBuilder MapAuthApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/auth").WithTags("Auth");
        api.MapPost("/token", IssueToken).AllowAnonymous().RequireRateLimiting(RateLimits.SignIn)
            .WithSummary("Bearer token for an officer (JSON {username, password})");
        api.MapPost("/login", CookieLogin).AllowAnonymous().RequireRateLimiting(RateLimits.SignIn)
            .WithSummary("Cookie sign-in for the web pages");
        api.MapPost("/logout", (Delegate)Logout).RequireAuthorization(Policies.Officer);
        api.MapGet("/me", Me).RequireAuthorization(Policies.Officer);
        api.MapGet("/oidc/login", OidcLogin).AllowAnonymous().WithSummary("Sign in through the provincial SSO (when configured)");
        return app;
    }

    private static async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> IssueToken(SignInRequest request, PasswordSignIn signIn, TokenService tokens, HttpContext http, CancellationToken ct)
    {
        var (problem, officer) = await CheckAsync(request, signIn, http, ct);
        if (problem is not null) return problem;
        var (token, lifetime) = tokens.Issue(officer!);
        return TypedResults.Ok(new TokenResponse(token, "Bearer", (int)lifetime.TotalSeconds));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> CookieLogin(SignInRequest request, PasswordSignIn signIn, HttpContext http, CancellationToken ct)
    {
        var (problem, officer) = await CheckAsync(request, signIn, http, ct);
        if (problem is not null) return problem;
        var identity = new ClaimsIdentity(OfficerClaims.For(officer!), Schemes.Cookie, "name", OfficerClaims.Role);
        await http.SignInAsync(Schemes.Cookie, new ClaimsPrincipal(identity));
        return TypedResults.NoContent();
    }

    private static async Task<IResult> Logout(HttpContext http)
    {
        await http.SignOutAsync(Schemes.Cookie);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<MeResponse>, ProblemHttpResult>> Me(ClaimsPrincipal user, CertificationDbContext db, CancellationToken ct)
    {
        var id = OfficerClaims.Id(user);
        var officer = await db.Officers.Include(o => o.Office).AsNoTracking().SingleOrDefaultAsync(o => o.Id == id, ct);
        if (officer is null) return Problem.Of(ProblemTypes.Unauthenticated);
        return TypedResults.Ok(new MeResponse(officer.Id, officer.UserName, officer.FullName, officer.Title, officer.OfficeId, officer.Office?.Name,
            Enum.GetValues<OfficerRoles>().Where(r => r != OfficerRoles.None && officer.Has(r)).Select(r => r.ToString()).ToList()));
    }

    private static IResult OidcLogin(IOptions<CertificationOptions> options, string? returnUrl)
    {
        if (!options.Value.Auth.Oidc.Enabled) return Problem.Of(ProblemTypes.NotFound, "OpenID Connect is not configured.");
        var target = returnUrl is { } r && r.StartsWith('/') && !r.StartsWith("//") ? r : "/";
        return TypedResults.Challenge(new AuthenticationProperties { RedirectUri = target }, [Schemes.Oidc]);
    }

    private static async Task<(ProblemHttpResult?, Officer?)> CheckAsync(SignInRequest request, PasswordSignIn signIn, HttpContext http, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.UserName) || string.IsNullOrEmpty(request.Password) || request.Password.Length > 1024)
            return (Problem.Of(ProblemTypes.InvalidRequest, "username and password are required."), null);
        var (result, officer, lockedUntil) = await signIn.CheckAsync(request.UserName.Trim(), request.Password, ct);
        switch (result)
        {
            case SignInResult.Succeeded:
                return (null, officer);
            case SignInResult.LockedOut:
                var seconds = Math.Max(1, (int)Math.Ceiling((lockedUntil!.Value - DateTimeOffset.UtcNow).TotalSeconds));
                http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return (Problem.Of(ProblemTypes.SignInThrottled, $"Try again in {seconds} seconds."), null);
            default:
                return (Problem.Of(ProblemTypes.SignInFailed), null);
        }
    }
}
