using System.Security.Cryptography;
using System.Text;
using Certification.Api.Infrastructure;
using Certification.Api.Options;
using Microsoft.AspNetCore;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Certification.Api.Features.Citizens;

/// <summary>
/// Demo mode only: an OpenID Connect provider (OpenIddict server) standing in for VNeID, at <c>/dev-idp/</c>. It knows one
/// client, this service's citizen sign-in, with a secret generated into the data directory; the sign-in page lets anyone
/// pick a citizen ID number (it is a DEVELOPMENT provider). OpenIddict runs without its stores ("degraded mode"), so the
/// client and redirect URI are checked here; codes and tokens are OpenIddict's own JWTs, signed with keys that live only
/// as long as the process.
/// </summary>
public static class DevelopmentIdentityProvider
{
    public const string PathPrefix = "dev-idp";
    public const string AuthorizePath = "/" + PathPrefix + "/authorize";

    public static string ClientSecret(DataDirectory data) => Convert.ToBase64String(data.GetOrCreateSecret("dev-idp-client.key", 32));

    public static void AddDevelopmentIdentityProvider(this IServiceCollection services)
    {
        services.AddOpenIddict().AddServer(o =>
        {
            o.SetAuthorizationEndpointUris(PathPrefix + "/authorize")
                .SetTokenEndpointUris(PathPrefix + "/token")
                .SetConfigurationEndpointUris(PathPrefix + "/.well-known/openid-configuration")
                .SetJsonWebKeySetEndpointUris(PathPrefix + "/.well-known/jwks");
            o.AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange();
            o.RegisterScopes(Scopes.OpenId, Scopes.Profile);
            o.RegisterClaims(Claims.Subject, Claims.Name, CitizenClaims.IdNumber);
            o.AddEphemeralEncryptionKey().AddEphemeralSigningKey();
            o.DisableAccessTokenEncryption();
            o.EnableDegradedMode();
            o.UseAspNetCore().EnableAuthorizationEndpointPassthrough().DisableTransportSecurityRequirement();
            o.AddEventHandler<OpenIddictServerEvents.ValidateAuthorizationRequestContext>(b => b.UseInlineHandler(context =>
            {
                var (clientId, redirectUri, _) = Client(context.Transaction.GetHttpRequest()!.HttpContext.RequestServices);
                if (context.ClientId != clientId) context.Reject(Errors.InvalidClient, "Unknown client.");
                else if (context.RedirectUri != redirectUri) context.Reject(Errors.InvalidRequest, "The redirect_uri is not registered for this client.");
                return default;
            }));
            o.AddEventHandler<OpenIddictServerEvents.ValidateTokenRequestContext>(b => b.UseInlineHandler(context =>
            {
                var (clientId, _, secret) = Client(context.Transaction.GetHttpRequest()!.HttpContext.RequestServices);
                if (context.ClientId != clientId || context.ClientSecret is null ||
                    !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(context.ClientSecret), Encoding.UTF8.GetBytes(secret)))
                    context.Reject(Errors.InvalidClient, "Unknown client or wrong secret.");
                return default;
            }));
        });
        services.AddOptions<OpenIddictServerOptions>().Configure<PublicBaseUrl>((o, baseUrl) => o.Issuer = baseUrl.Resolve(PathPrefix + "/"));
    }

    private static (string ClientId, string RedirectUri, string Secret) Client(IServiceProvider services)
    {
        var citizens = services.GetRequiredService<IOptions<CitizenOptions>>().Value;
        var baseUrl = services.GetRequiredService<PublicBaseUrl>();
        return (citizens.ClientId, baseUrl.Resolve(CitizenSchemes.CallbackPath.TrimStart('/')).ToString(), ClientSecret(services.GetRequiredService<DataDirectory>()));
    }
}
