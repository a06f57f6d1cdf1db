using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Certification.Api.Domain;
using Certification.Api.Features.Audit;
using Certification.Api.Infrastructure;
using Certification.Api.Options;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Certification.Api.Features.Auth;

public static class Schemes
{
    /// <summary>Chooses bearer when an Authorization header is present, the cookie otherwise.</summary>
    public const string Officer = "officer";
    public const string Bearer = "Bearer";
    public const string Cookie = "cookie";
    public const string ApiKey = "api-key";
    public const string Oidc = "oidc";
}

public static class Policies
{
    public const string Officer = "officer";
    public const string Certifier = "certifier";
    public const string IntakeOrCertifier = "intake-or-certifier";
    public const string SystemAdmin = "system-admin";
    public const string Auditor = "auditor";
    public const string OnlineService = "online-service";
}

public static class OfficerClaims
{
    public const string OfficerId = "sub";
    public const string OfficeId = "office";
    public const string Role = "role";

    public static int? Id(ClaimsPrincipal user) => int.TryParse(user.FindFirstValue(OfficerId), out var id) ? id : null;

    public static IEnumerable<Claim> For(Officer o)
    {
        yield return new Claim(OfficerId, o.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        yield return new Claim("name", o.UserName);
        if (o.OfficeId is { } office) yield return new Claim(OfficeId, office.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var role in Enum.GetValues<OfficerRoles>().Where(r => r != OfficerRoles.None && o.Has(r)))
            yield return new Claim(Role, role.ToString());
    }
}

/// <summary>Issues HMAC-SHA256 bearer tokens with a key from configuration or generated into the data directory.</summary>
public sealed class TokenService(IOptions<CertificationOptions> options, DataDirectory data, TimeProvider clock)
{
    private readonly Lazy<SymmetricSecurityKey> _key = new(() =>
        new SymmetricSecurityKey(options.Value.Auth.TokenSigningKey is { Length: > 0 } configured
            ? Convert.FromBase64String(configured)
            : data.GetOrCreateSecret("token-signing.key", 32)));

    public SymmetricSecurityKey Key => _key.Value;
    public string Issuer => options.Value.Auth.Issuer;

    public (string Token, TimeSpan Lifetime) Issue(Officer officer)
    {
        var lifetime = options.Value.Auth.TokenLifetime;
        var now = clock.GetUtcNow().UtcDateTime;
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Issuer,
            Subject = new ClaimsIdentity(OfficerClaims.For(officer)),
            IssuedAt = now,
            NotBefore = now,
            Expires = now + lifetime,
            SigningCredentials = new SigningCredentials(Key, SecurityAlgorithms.HmacSha256),
        });
        return (token, lifetime);
    }

    public TokenValidationParameters ValidationParameters() => new()
    {
        ValidIssuer = Issuer,
        ValidAudience = Issuer,
        IssuerSigningKey = Key,
        NameClaimType = "name",
        RoleClaimType = OfficerClaims.Role,
        ClockSkew = TimeSpan.FromSeconds(30),
    };
}

public enum SignInResult { Succeeded, Failed, LockedOut }

/// <summary>Password sign-in with ASP.NET Core Identity's PBKDF2 hasher and a lockout after repeated wrong passwords.</summary>
public sealed class PasswordSignIn(CertificationDbContext db, AuditTrail audit, IOptions<CertificationOptions> options, TimeProvider clock)
{
    private static readonly PasswordHasher<Officer> Hasher = new();
    // Verified when the user does not exist, so timing does not reveal which names exist.
    private static readonly string DummyHash = Hasher.HashPassword(null!, "not-a-password-" + Guid.NewGuid());

    public static string Hash(string password) => Hasher.HashPassword(null!, password);

    public async Task<(SignInResult Result, Officer? Officer, DateTimeOffset? LockedUntil)> CheckAsync(string userName, string password, CancellationToken ct)
    {
        var officer = await db.Officers.SingleOrDefaultAsync(o => o.UserName == userName && o.Active, ct);
        if (officer?.PasswordHash is null)
        {
            Hasher.VerifyHashedPassword(null!, DummyHash, password);
            return (SignInResult.Failed, null, null);
        }
        var now = clock.GetUtcNow();
        if (officer.LockoutEnd is { } end && end > now) return (SignInResult.LockedOut, officer, end);

        var verdict = Hasher.VerifyHashedPassword(officer, officer.PasswordHash, password);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (verdict == PasswordVerificationResult.Failed)
        {
            officer.FailedSignIns++;
            var limits = options.Value.Limits;
            if (officer.FailedSignIns >= limits.MaxFailedSignIns)
            {
                officer.FailedSignIns = 0;
                officer.LockoutEnd = now + limits.LockoutDuration;
                await audit.AppendAsync("officer.locked-out", $"officer:{officer.UserName}", new { until = officer.LockoutEnd }, ct: ct);
            }
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return officer.LockoutEnd > now ? (SignInResult.LockedOut, officer, officer.LockoutEnd) : (SignInResult.Failed, null, null);
        }
        if (verdict == PasswordVerificationResult.SuccessRehashNeeded) officer.PasswordHash = Hasher.HashPassword(officer, password);
        officer.FailedSignIns = 0;
        officer.LockoutEnd = null;
        await audit.AppendAsync("officer.signed-in", $"officer:{officer.UserName}", actor: $"officer:{officer.UserName}", ct: ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return (SignInResult.Succeeded, officer, null);
    }
}

/// <summary>Authenticates online services by the <c>X-Api-Key</c> header (the key's SHA-256 is stored).</summary>
public sealed class ApiKeyAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string Header = "X-Api-Key";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(Header, out var values) || values.Count != 1 || string.IsNullOrEmpty(values[0]))
            return AuthenticateResult.NoResult();
        var client = await FindClientAsync(Context.RequestServices.GetRequiredService<CertificationDbContext>(), values[0]!, Context.RequestAborted);
        if (client is null) return AuthenticateResult.Fail("Unknown API key");
        var identity = new ClaimsIdentity(
            [new Claim(ApiClientClaims.ClientName, client.Name), new Claim(ApiClientClaims.ClientId, client.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)), new Claim("name", client.Name)],
            Scheme.Name, "name", OfficerClaims.Role);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }

    /// <summary>The active online service holding this API key, or null.</summary>
    public static async Task<ApiClient?> FindClientAsync(CertificationDbContext db, string key, CancellationToken ct)
    {
        var hash = HashKey(key);
        return await db.ApiClients.AsNoTracking().SingleOrDefaultAsync(c => c.KeyHash == hash && c.Active, ct);
    }

    public static string HashKey(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>A new key: 160 random bits, base32, with a recognisable prefix.</summary>
    public static string NewKey() => "cak_" + Base32.Encode(RandomNumberGenerator.GetBytes(20)).ToLowerInvariant();
}

/// <summary>RFC 4648 base32 without padding (the alphabet avoids 0/1/8 confusion with O/I/B).</summary>
public static class Base32
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    public static string Encode(ReadOnlySpan<byte> data)
    {
        var sb = new StringBuilder((data.Length * 8 + 4) / 5);
        int buffer = 0, bits = 0;
        foreach (var b in data)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                sb.Append(Alphabet[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        if (bits > 0) sb.Append(Alphabet[(buffer << (5 - bits)) & 31]);
        return sb.ToString();
    }
}
