using System.Collections.Concurrent;
using Certification.Api.Options;
using Certification.Signing.Trust;
using Certification.Signing.Validation;
using Certification.Signing.Validation.Report;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Certification.Api.Features.Verifications;

/// <summary>How a validation was answered.</summary>
public enum CacheLookup
{
    /// <summary>The cache is off (<see cref="VerificationOptions.ResultCacheMaxAge"/> zero): validated.</summary>
    Off,
    /// <summary>Not cached: validated (and kept, when the verdict's lifetime allows).</summary>
    Miss,
    /// <summary>Served from the cache.</summary>
    Hit,
    /// <summary>Another request was validating the same bytes: its result was awaited.</summary>
    Shared,
}

/// <summary>
/// Validation results for the same bytes under the same trust store, reused: a national portal verifies the copy
/// a citizen attached to every dossier again and again (issue 17), and validation is almost all of a verification's
/// time (docs/performance.md). Only the validator's report is kept; the registry lookup (a revoked or superseded copy)
/// stays live per request.
/// </summary>
/// <remarks>
/// The key is the SHA-256 of the file and the trust store instance in use: a reload builds a new instance
/// (<see cref="ReloadableTrustStore.Reload"/>), so no result reached under the previous anchors is served after it.
/// The service's verifications take no per-request option that changes the validation (no validation time, no
/// policy), so nothing else belongs in the key. An entry expires at the earliest of the verdict's lifetime
/// (<see cref="VerdictLifetime.Until"/>: a certificate expiring, revocation data it relied on reaching nextUpdate…),
/// <see cref="VerificationOptions.ResultCacheMaxAge"/> after the validation, and eviction when
/// <see cref="VerificationOptions.ResultCacheEntries"/> are held. A transient verdict (revocation status or an issuer
/// that could not be obtained) is never kept. The report keeps the time of the validation that produced it: a cached
/// answer says when it was validated, not that it was validated now. Concurrent requests for the same key share one
/// validation.
/// </remarks>
public sealed class VerificationResultCache : IDisposable
{
    private readonly record struct Key(string Sha256, TrustStore Store);

    private readonly MemoryCache _results;
    private readonly ConcurrentDictionary<Key, Lazy<Task<ValidationReport>>> _validating = new();
    private readonly TimeProvider _clock;
    private readonly TimeSpan _maxAge;
    private long _hits;
    private long _misses;
    private long _shared;

    public VerificationResultCache(IOptions<CertificationOptions> options, TimeProvider clock)
    {
        var o = options.Value.Verification;
        _clock = clock;
        _maxAge = o.ResultCacheMaxAge;
        _results = new MemoryCache(new MemoryCacheOptions { SizeLimit = o.ResultCacheEntries, Clock = new Clock(clock) });
    }

    public long Hits => Interlocked.Read(ref _hits);
    public long Misses => Interlocked.Read(ref _misses);
    public long Shared => Interlocked.Read(ref _shared);

    /// <summary>The report for <paramref name="sha256"/> under <paramref name="store"/>: cached, awaited from a
    /// validation in progress, or from <paramref name="validate"/>.</summary>
    /// <param name="validate">Validates the caller's bytes. It runs to completion even when the caller's request is
    /// aborted: other requests may be waiting for it, and the caller's (pooled) upload buffer must outlive it, so
    /// the caller itself waits for it without <paramref name="ct"/>.</param>
    public async Task<ValidationReport> GetOrValidateAsync(string sha256, TrustStore store, Func<Task<ValidationOutcome>> validate, CancellationToken ct)
    {
        if (_maxAge <= TimeSpan.Zero) return Answered((await validate()).Report, CacheLookup.Off);
        var key = new Key(sha256, store);
        if (TryGet(key) is { } cached) return Answered(cached, CacheLookup.Hit);

        var mine = new Lazy<Task<ValidationReport>>(() => ValidateAndKeepAsync(key, validate));
        var flight = _validating.GetOrAdd(key, mine);
        if (!ReferenceEquals(flight, mine))
        {
            using (Health.Telemetry.Activities.StartActivity("validate (shared)"))
                return Answered(await flight.Value.WaitAsync(ct), CacheLookup.Shared);
        }
        try
        {
            return await flight.Value;
        }
        finally
        {
            _validating.TryRemove(new KeyValuePair<Key, Lazy<Task<ValidationReport>>>(key, mine));
        }
    }

    private ValidationReport? TryGet(Key key)
    {
        if (!_results.TryGetValue(key, out ValidationReport? cached) || cached is null) return null;
        // A span of its own, so the stage timings show hits apart from validations (verify/validate (cache hit)).
        using var _ = Health.Telemetry.Activities.StartActivity("validate (cache hit)");
        return cached;
    }

    private async Task<ValidationReport> ValidateAndKeepAsync(Key key, Func<Task<ValidationOutcome>> validate)
    {
        // A validation that finished between this request's lookup and its start is not repeated.
        if (TryGet(key) is { } cached) return Answered(cached, CacheLookup.Hit);
        var outcome = await validate();
        if (ExpiryOf(outcome) is { } expires)
            _results.Set(key, outcome.Report, new MemoryCacheEntryOptions { AbsoluteExpiration = expires, Size = 1 });
        return Answered(outcome.Report, CacheLookup.Miss);
    }

    /// <summary>Until when <paramref name="outcome"/> may be served, or null when it must not be kept.</summary>
    private DateTimeOffset? ExpiryOf(ValidationOutcome outcome)
    {
        if (outcome.Lifetime.Transient) return null;
        var validated = outcome.Report.ValidationTime;
        var expires = validated + _maxAge;
        if (outcome.Lifetime.Until is { } until && until < expires) expires = until;
        return expires > _clock.GetUtcNow() ? expires : null;
    }

    private ValidationReport Answered(ValidationReport report, CacheLookup lookup)
    {
        switch (lookup)
        {
            case CacheLookup.Hit: Interlocked.Increment(ref _hits); break;
            case CacheLookup.Miss: Interlocked.Increment(ref _misses); break;
            case CacheLookup.Shared: Interlocked.Increment(ref _shared); break;
        }
        if (lookup != CacheLookup.Off)
            Health.Telemetry.VerificationCache.Add(1, new KeyValuePair<string, object?>("result", lookup.ToString().ToLowerInvariant()));
        System.Diagnostics.Activity.Current?.SetTag("verification.cache", lookup.ToString().ToLowerInvariant());
        return report;
    }

    public void Dispose() => _results.Dispose();

    /// <summary>The service's clock for expiry, so tests move time with their <see cref="TimeProvider"/>.</summary>
    private sealed class Clock(TimeProvider clock) : Microsoft.Extensions.Internal.ISystemClock
    {
        public DateTimeOffset UtcNow => clock.GetUtcNow();
    }
}
