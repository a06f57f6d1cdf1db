using System.Security.Cryptography;
using System.Text;
using Certification.Api.Domain;
using Certification.Api.Features.Auth;
using Certification.Api.Problems;
using Microsoft.EntityFrameworkCore;

namespace Certification.Api.Infrastructure;

/// <summary>
/// Whether this node holds the secrets the other nodes of the office hold. Checked once at start
/// (<see cref="CheckAsync"/>): every stored signing identity must open with this node's
/// <c>Certification:KeyEncryptionKey</c>, and both that key and <c>Certification:Auth:TokenSigningKey</c> must give
/// the check values the first node recorded. A mismatch is logged as one line naming the setting to fix (or stops
/// the start, <c>Certification:Startup:RefuseUnopenableKeys</c>), reported by <c>/health</c>, and answered with
/// its own problem type instead of a 500 after a number was reserved.
/// </summary>
public sealed class NodeKeys
{
    public const string KeyEncryptionKeySetting = "Certification__KeyEncryptionKey";
    public const string TokenSigningKeySetting = "Certification__Auth__TokenSigningKey";
    private static readonly byte[] CheckLabel = Encoding.ASCII.GetBytes("certification key check v1");

    /// <summary>Why signing identities cannot be opened on this node; null when they can (or before the check).</summary>
    public string? SigningKeyProblem { get; private set; }

    /// <summary>Why this node's bearer tokens differ from the other nodes'; null when they do not.</summary>
    public string? TokenKeyProblem { get; private set; }

    public bool Checked { get; private set; }

    /// <summary>HMAC-SHA256 of a fixed label under <paramref name="key"/>: equal keys give equal values, and the
    /// value reveals nothing of the key.</summary>
    public static string CheckValue(ReadOnlySpan<byte> key) => Convert.ToHexStringLower(HMACSHA256.HashData(key, CheckLabel));

    /// <returns>The problems found, one line each, naming the setting to fix.</returns>
    public async Task<IReadOnlyList<string>> CheckAsync(CertificationDbContext db, SigningKeys keys, KeyProtector protector, TokenService tokens,
        TimeProvider clock, CancellationToken ct)
    {
        var unopenable = new List<int>();
        var identities = await db.SigningIdentities.AsNoTracking().Where(s => s.Active && s.Kind == SigningKeyKind.Pkcs12).ToListAsync(ct);
        foreach (var identity in identities)
        {
            try
            {
                _ = keys.Open(identity).CertificateChain;
            }
            catch (SigningKeyUnavailableException)
            {
                unopenable.Add(identity.Id);
            }
        }
        var kekMatches = await MatchesRecordedAsync(db, "Certification:KeyEncryptionKey", protector.CheckValue(), clock, ct);
        SigningKeyProblem = unopenable.Count > 0 || !kekMatches
            ? $"This node cannot open the office's signing keys ({unopenable.Count} of {identities.Count} signing identities do not decrypt"
              + $"{(kekMatches ? "" : "; the key's check value differs from the one the first node recorded")}): set {KeyEncryptionKeySetting} to the value the other nodes use."
            : null;
        TokenKeyProblem = await MatchesRecordedAsync(db, "Certification:Auth:TokenSigningKey", CheckValue(tokens.Key.Key), clock, ct)
            ? null
            : $"This node's bearer-token key differs from the office's (its check value is not the one the first node recorded; tokens of either would be refused by the other): set {TokenSigningKeySetting} to the value the other nodes use.";
        Checked = true;
        return new[] { SigningKeyProblem, TokenKeyProblem }.OfType<string>().ToList();
    }

    /// <summary>Compares with the recorded check value of <paramref name="setting"/>; the first node records its own.</summary>
    private static async Task<bool> MatchesRecordedAsync(CertificationDbContext db, string setting, string value, TimeProvider clock, CancellationToken ct)
    {
        var recorded = await db.KeyChecks.AsNoTracking().SingleOrDefaultAsync(k => k.Setting == setting, ct);
        if (recorded is not null) return recorded.Value == value;
        db.KeyChecks.Add(new KeyCheck { Setting = setting, Value = value, RecordedAt = clock.GetUtcNow() });
        try
        {
            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (DbUpdateException)
        {
            // Another node recorded it at the same moment: compare with that one.
            db.ChangeTracker.Clear();
            return (await db.KeyChecks.AsNoTracking().SingleAsync(k => k.Setting == setting, ct)).Value == value;
        }
    }
}

/// <summary>On a node whose token-signing key differs, requests that carry or ask for a bearer token answer
/// 503 <c>token-signing-key-unavailable</c> (the token would be refused by, or come from, another node) instead of
/// a misleading 401; verifications and the public pages go on.</summary>
public sealed class TokenKeyGuard(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context, NodeKeys keys)
    {
        if (keys.TokenKeyProblem is { } problem
            && (context.Request.Headers.Authorization.Count > 0 || context.Request.Path.StartsWithSegments("/api/v1/auth/token")))
            throw new ProblemException(ProblemTypes.TokenSigningKeyUnavailable, problem);
        return next(context);
    }
}
