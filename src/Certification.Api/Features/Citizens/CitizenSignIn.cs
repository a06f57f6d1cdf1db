using System.Security.Claims;
using Certification.Api.Infrastructure;
using Certification.Api.Options;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;

namespace Certification.Api.Features.Citizens;

public static class CitizenSchemes
{
    /// <summary>The citizen's session (a cookie apart from the officers': a citizen never holds officer claims).</summary>
    public const string Cookie = "citizen";
    /// <summary>OpenID Connect sign-in at the citizens' identity provider.</summary>
    public const string Oidc = "citizen-oidc";
    public const string Policy = "citizen";
    public const string CallbackPath = "/signin-citizen";
}

public static class CitizenClaims
{
    /// <summary>The personal identification number (số định danh cá nhân) the provider vouched for: the key to the citizen's copies.</summary>
    public const string IdNumber = "citizen_id";
    public const string Name = "name";

    public static string? IdNumberOf(ClaimsPrincipal user) => user.FindFirstValue(IdNumber);
}

/// <summary>
/// Citizen sign-in with OpenID Connect (authorization code flow with PKCE, as VNeID-based portals sign citizens in): the
/// provider proves who the citizen is and gives their ID number; this service shows them the copies certified for that
/// number. In demo mode without a configured provider, the development provider of this process (<see cref="DevelopmentIdentityProvider"/>) stands in.
/// </summary>
public static class CitizenSignIn
{
    public static void AddCitizenSignIn(this IServiceCollection services, AuthenticationBuilder auth, IConfiguration configuration, bool demo)
    {
        services.AddOptions<CitizenOptions>().BindConfiguration(CitizenOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var configured = configuration.GetSection(CitizenOptions.Section).Get<CitizenOptions>() ?? new CitizenOptions();
        var development = string.IsNullOrWhiteSpace(configured.Authority);
        auth.AddCookie(CitizenSchemes.Cookie, o =>
        {
            o.Cookie.Name = "certification.citizen";
            o.Cookie.HttpOnly = true;
            // Lax, not Strict: the session starts at the end of a redirect chain from the identity provider's site.
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.ExpireTimeSpan = TimeSpan.FromHours(1);
            o.SlidingExpiration = true;
            o.LoginPath = "/citizen/signin";
            o.Events.OnRedirectToLogin = c =>
            {
                if (c.Request.Path.StartsWithSegments("/api")) c.Response.StatusCode = 401;
                else c.Response.Redirect(c.RedirectUri);
                return Task.CompletedTask;
            };
            o.Events.OnRedirectToAccessDenied = c => { c.Response.StatusCode = 403; return Task.CompletedTask; };
        });
        services.AddAuthorizationBuilder().AddPolicy(CitizenSchemes.Policy, p => p.AddAuthenticationSchemes(CitizenSchemes.Cookie)
            .RequireAuthenticatedUser().RequireClaim(CitizenClaims.IdNumber));
        if (development && !demo) return; // no provider: citizen sign-in is off until one is configured
        if (development) services.AddDevelopmentIdentityProvider();

        auth.AddOpenIdConnect(CitizenSchemes.Oidc, _ => { });
        services.AddOptions<OpenIdConnectOptions>(CitizenSchemes.Oidc).Configure<IOptions<CitizenOptions>, PublicBaseUrl, DataDirectory>((o, citizens, baseUrl, data) =>
        {
            var c = citizens.Value;
            o.Authority = development ? baseUrl.Resolve(DevelopmentIdentityProvider.PathPrefix + "/").ToString() : c.Authority;
            o.RequireHttpsMetadata = !development;
            o.ClientId = c.ClientId;
            o.ClientSecret = development ? DevelopmentIdentityProvider.ClientSecret(data) : c.ClientSecret;
            o.ResponseType = "code";
            o.UsePkce = true;
            // The code comes back on a top-level GET, so the correlation and nonce cookies can be SameSite=Lax (None needs HTTPS).
            o.ResponseMode = "query";
            o.CorrelationCookie.SameSite = SameSiteMode.Lax;
            o.NonceCookie.SameSite = SameSiteMode.Lax;
            o.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.CallbackPath = CitizenSchemes.CallbackPath;
            o.SignInScheme = CitizenSchemes.Cookie;
            o.MapInboundClaims = false;
            o.Scope.Clear();
            foreach (var scope in c.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries)) o.Scope.Add(scope);
            o.Events.OnTokenValidated = context =>
            {
                var idNumber = context.Principal?.FindFirstValue(c.IdNumberClaim)?.Trim();
                if (string.IsNullOrEmpty(idNumber) || idNumber.Length > 32)
                {
                    context.Fail("The identity provider gave no citizen ID number.");
                    return Task.CompletedTask;
                }
                // Only what this service needs is kept in the session: the ID number and the name to greet.
                var claims = new List<Claim> { new(CitizenClaims.IdNumber, idNumber) };
                if (context.Principal!.FindFirstValue(c.NameClaim) is { Length: > 0 } name) claims.Add(new Claim(CitizenClaims.Name, name));
                context.Principal = new ClaimsPrincipal(new ClaimsIdentity(claims, CitizenSchemes.Cookie, CitizenClaims.Name, null));
                return Task.CompletedTask;
            };
        });
    }

    public static IEndpointRouteBuilder MapCitizenSignIn(this IEndpointRouteBuilder app)
    {
        app.MapGet("/citizen/signin", (string? returnUrl, IAuthenticationSchemeProvider schemes) => SignIn(returnUrl, schemes))
            .AllowAnonymous().ExcludeFromDescription();
        app.MapPost("/citizen/signout", async (HttpContext http) =>
        {
            await http.SignOutAsync(CitizenSchemes.Cookie);
            return Results.Redirect("/");
        }).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> SignIn(string? returnUrl, IAuthenticationSchemeProvider schemes)
    {
        if (await schemes.GetSchemeAsync(CitizenSchemes.Oidc) is null) return Problems.Problem.Of(Problems.ProblemTypes.NotFound, "Citizen sign-in is not configured.");
        // Only local paths, so the sign-in cannot be used to send a citizen elsewhere.
        var target = returnUrl is { Length: > 0 } && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//", StringComparison.Ordinal) && !returnUrl.StartsWith("/\\", StringComparison.Ordinal)
            ? returnUrl : "/my/copies";
        return Results.Challenge(new AuthenticationProperties { RedirectUri = target }, [CitizenSchemes.Oidc]);
    }
}
