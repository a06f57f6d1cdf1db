using Certification.Signing.Pki;
using Certification.Signing.Revocation;
using Certification.TestSupport;
using Xunit;

namespace Certification.Signing.Tests.Revocation;

/// <summary>
/// The fetcher's cache of OCSP responses for a signer's own certificate, on a frozen clock, against the development
/// PKI answered in process: reused until the response's nextUpdate or the maximum age after the fetch, whichever
/// comes first; a certificate revoked meanwhile is seen by the first check after that; concurrent checks share one
/// fetch.
/// </summary>
public sealed class RevocationCacheTests
{
    private static DevelopmentPki Pki => TestPki.Shared.Pki;

    private readonly FixedTimeProvider _clock = new(DateTimeOffset.UtcNow.AddTicks(-(DateTimeOffset.UtcNow.Ticks % TimeSpan.TicksPerSecond)));

    /// <summary>A fresh leaf of the Government CA (its own serial, so revoking it touches no other test).</summary>
    private static IssuedCredential NewLeaf() =>
        Pki.IssueLeaf(Pki.GovernmentCa, new LeafRequest($"cache-{Guid.NewGuid():N}", "Bộ Đệm Thử (DEVELOPMENT)") { KeyAlgorithm = KeyAlgorithm.EcdsaP256 });

    private (RevocationFetcher Fetcher, CountingHandler Requests) Fetcher(TimeSpan ocspValidity, TimeSpan? maximumAge)
    {
        var authority = new DevelopmentRevocationAuthority(Pki, _clock) { OcspValidity = ocspValidity };
        var requests = new CountingHandler(new DevelopmentPkiHandler(new DevelopmentTrustResponder(Pki, clock: _clock, revocation: authority)));
        var fetcher = new RevocationFetcher(new HttpClient(requests), new RevocationFetcherOptions { MaximumCacheAge = maximumAge }, _clock);
        return (fetcher, requests);
    }

    [Fact]
    public async Task Evidence_is_fetched_again_at_its_next_update()
    {
        var leaf = NewLeaf();
        var (fetcher, requests) = Fetcher(ocspValidity: TimeSpan.FromHours(1), maximumAge: TimeSpan.FromDays(1));
        using var _ = fetcher;
        Assert.Equal(RevocationState.Good, (await fetcher.CheckAsync(leaf.Certificate, Pki.GovernmentCa.Certificate)).State);
        Assert.Equal(1, requests.Count);
        _clock.Advance(TimeSpan.FromMinutes(59));
        await fetcher.CheckAsync(leaf.Certificate, Pki.GovernmentCa.Certificate);
        Assert.Equal(1, requests.Count);
        _clock.Advance(TimeSpan.FromMinutes(2));
        await fetcher.CheckAsync(leaf.Certificate, Pki.GovernmentCa.Certificate);
        Assert.Equal(2, requests.Count);
    }

    [Fact]
    public async Task Evidence_is_fetched_again_at_the_maximum_age_before_a_later_next_update()
    {
        var leaf = NewLeaf();
        var (fetcher, requests) = Fetcher(ocspValidity: TimeSpan.FromDays(1), maximumAge: TimeSpan.FromMinutes(10));
        using var _ = fetcher;
        var first = await fetcher.FetchAsync([leaf.Certificate, Pki.GovernmentCa.Certificate]);
        _clock.Advance(TimeSpan.FromMinutes(9));
        var cached = await fetcher.FetchAsync([leaf.Certificate, Pki.GovernmentCa.Certificate]);
        Assert.Equal(1, requests.Count);
        Assert.Equal(first.OcspResponses[0], cached.OcspResponses[0]);
        _clock.Advance(TimeSpan.FromMinutes(2));
        var fresh = await fetcher.FetchAsync([leaf.Certificate, Pki.GovernmentCa.Certificate]);
        Assert.Equal(2, requests.Count);
        Assert.NotEqual(first.OcspResponses[0], fresh.OcspResponses[0]);
    }

    [Fact]
    public async Task A_certificate_revoked_meanwhile_is_seen_once_the_cached_evidence_expires()
    {
        var leaf = NewLeaf();
        var (fetcher, _) = Fetcher(ocspValidity: TimeSpan.FromDays(1), maximumAge: TimeSpan.FromMinutes(10));
        using var __ = fetcher;
        Assert.Equal(RevocationState.Good, (await fetcher.CheckAsync(leaf.Certificate, Pki.GovernmentCa.Certificate)).State);
        _clock.Advance(TimeSpan.FromMinutes(1));
        Pki.Revoke(leaf.Certificate, RevocationReason.KeyCompromise, _clock.GetUtcNow());
        // Within the maximum age the cached answer stands (the bound the option promises, not better)...
        Assert.Equal(RevocationState.Good, (await fetcher.CheckAsync(leaf.Certificate, Pki.GovernmentCa.Certificate)).State);
        _clock.Advance(TimeSpan.FromMinutes(10));
        // ...and after it the revocation is seen.
        var status = await fetcher.CheckAsync(leaf.Certificate, Pki.GovernmentCa.Certificate);
        Assert.Equal(RevocationState.Revoked, status.State);
        Assert.Equal(RevocationReason.KeyCompromise, status.Reason);
    }

    [Fact]
    public async Task Concurrent_checks_share_one_fetch()
    {
        var leaf = NewLeaf();
        var (fetcher, requests) = Fetcher(ocspValidity: TimeSpan.FromHours(1), maximumAge: TimeSpan.FromMinutes(10));
        using var _ = fetcher;
        requests.Hold();
        // Each check runs until it waits on the held exchange, so all twenty are waiting before it is answered.
        var checks = Enumerable.Range(0, 20).Select(_ => fetcher.CheckAsync(leaf.Certificate, Pki.GovernmentCa.Certificate)).ToList();
        Assert.All(checks, c => Assert.False(c.IsCompleted));
        requests.Release();
        var statuses = await Task.WhenAll(checks);
        Assert.All(statuses, s => Assert.Equal(RevocationState.Good, s.State));
        Assert.Equal(1, requests.Count);

        // A waiter that gives up does not cancel the fetch the others share.
        _clock.Advance(TimeSpan.FromMinutes(11));
        requests.Hold();
        using var impatient = new CancellationTokenSource();
        var abandoned = fetcher.CheckAsync(leaf.Certificate, Pki.GovernmentCa.Certificate, impatient.Token);
        var patient = fetcher.CheckAsync(leaf.Certificate, Pki.GovernmentCa.Certificate);
        await impatient.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);
        requests.Release();
        Assert.Equal(RevocationState.Good, (await patient).State);
        Assert.Equal(2, requests.Count);
    }
}
