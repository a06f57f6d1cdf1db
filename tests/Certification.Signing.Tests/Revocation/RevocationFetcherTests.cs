using Certification.Signing.Pki;
using Certification.Signing.Revocation;
using Certification.TestSupport;
using Org.BouncyCastle.Ocsp;
using Org.BouncyCastle.X509;
using Xunit;

namespace Certification.Signing.Tests.Revocation;

public sealed class RevocationFetcherTests
{
    private static TestPki Shared => TestPki.Shared;

    [Fact]
    public async Task Fetches_ocsp_for_leaves_and_crls_for_intermediates_from_the_development_server()
    {
        var server = await Shared.StartServerAsync();
        using var fetcher = new RevocationFetcher();
        var data = await fetcher.FetchAsync([Shared.Pki.Officer.Chain, Shared.Pki.TimestampAuthority.Chain]);

        // Officer and TSA: OCSP (AIA). Government CA: no OCSP pointer, so the root's CRL.
        Assert.Equal(2, data.OcspResponses.Count);
        var crl = new X509Crl(Assert.Single(data.Crls));
        Assert.Equal(Shared.Pki.Root.Certificate.SubjectDN, crl.IssuerDN);
        Assert.All(data.OcspResponses, r => Assert.Equal(OcspRespStatus.Successful, new OcspResp(r).Status));

        Assert.Equal(RevocationState.Good, RevocationFetcher.Evaluate(data, Shared.Pki.Officer.Certificate, Shared.Pki.GovernmentCa.Certificate).State);
        Assert.Equal(RevocationState.Good, RevocationFetcher.Evaluate(data, Shared.Pki.GovernmentCa.Certificate, Shared.Pki.Root.Certificate).State);
        Assert.Equal(RevocationState.Unknown, RevocationFetcher.Evaluate(data, Shared.Pki.Notary.Certificate, Shared.Pki.PublicCa.Certificate).State);
        Assert.True(server.RequestCount > 0);
    }

    [Fact]
    public async Task Crl_only_and_both_modes()
    {
        await Shared.StartServerAsync();
        using var crlOnly = new RevocationFetcher(options: new RevocationFetcherOptions { Sources = RevocationSources.CrlOnly });
        var data = await crlOnly.FetchAsync(Shared.Pki.Notary.Chain);
        Assert.Empty(data.OcspResponses);
        Assert.Equal(2, data.Crls.Count); // Public CA's and the root's

        using var both = new RevocationFetcher(options: new RevocationFetcherOptions { Sources = RevocationSources.OcspAndCrl });
        var all = await both.FetchAsync(Shared.Pki.Notary.Chain);
        Assert.Single(all.OcspResponses);
        Assert.Equal(2, all.Crls.Count);
    }

    [Fact]
    public async Task Check_reports_the_revoked_certificate_with_time_and_reason()
    {
        await Shared.StartServerAsync();
        using var fetcher = new RevocationFetcher();
        var status = await fetcher.CheckAsync(Shared.Revoked.Certificate, Shared.Pki.GovernmentCa.Certificate);
        Assert.Equal(RevocationState.Revoked, status.State);
        Assert.Equal(Shared.RevokedAt, status.RevokedAt);
        Assert.Equal(RevocationReason.KeyCompromise, status.Reason);

        using var crlFetcher = new RevocationFetcher(options: new RevocationFetcherOptions { Sources = RevocationSources.CrlOnly });
        var byCrl = await crlFetcher.CheckAsync(Shared.Revoked.Certificate, Shared.Pki.GovernmentCa.Certificate);
        Assert.Equal(RevocationState.Revoked, byCrl.State);
        Assert.Equal(RevocationReason.KeyCompromise, byCrl.Reason);

        Assert.Equal(RevocationState.Good, (await fetcher.CheckAsync(Shared.Pki.OfficeSeal.Certificate, Shared.Pki.GovernmentCa.Certificate)).State);
    }

    [Fact]
    public async Task Responses_are_cached_until_next_update()
    {
        await Shared.StartServerAsync();
        // Count this fetcher's own requests (the shared server also serves tests running in parallel).
        var counter = new CountingHandler();
        using var http = new HttpClient(counter);
        using var fetcher = new RevocationFetcher(http);
        await fetcher.FetchAsync(Shared.Pki.OfficeSeal.Chain);
        var first = counter.Count;
        Assert.Equal(2, first); // OCSP for the seal, the root's CRL for the Government CA
        var again = await fetcher.FetchAsync(Shared.Pki.OfficeSeal.Chain);
        Assert.Equal(first, counter.Count);
        Assert.Single(again.OcspResponses);

        // A clock past nextUpdate fetches again, from responders on that clock (a real-time responder's answer
        // would be stale by then, and stale evidence is refused).
        var clock = new FixedTimeProvider(DateTimeOffset.UtcNow);
        var timedCounter = new CountingHandler(new DevelopmentPkiHandler(new DevelopmentTrustResponder(Shared.Pki, clock: clock)));
        using var timedHttp = new HttpClient(timedCounter);
        using var timed = new RevocationFetcher(timedHttp, clock: clock);
        await timed.FetchAsync(Shared.Pki.OfficeSeal.Chain);
        await timed.FetchAsync(Shared.Pki.OfficeSeal.Chain);
        Assert.Equal(2, timedCounter.Count);
        clock.Advance(TimeSpan.FromDays(2)); // OCSP nextUpdate is +1 day; the CRL's +7 days
        await timed.FetchAsync(Shared.Pki.OfficeSeal.Chain);
        Assert.Equal(3, timedCounter.Count);
    }

    [Fact]
    public async Task Evidence_signed_by_someone_else_is_ignored()
    {
        // A different PKI's CRL and OCSP responses say nothing about our certificates.
        var other = DevelopmentPki.Create(new Uri("http://127.0.0.1:1/"), rootKey: KeyAlgorithm.EcdsaP256, otherKeys: KeyAlgorithm.EcdsaP256);
        var otherAuthority = new DevelopmentRevocationAuthority(other);
        var foreignCrl = otherAuthority.GetCrl(other.GovernmentCa);
        var data = new RevocationData([foreignCrl], []);
        Assert.Equal(RevocationState.Unknown, RevocationFetcher.Evaluate(data, Shared.Pki.Officer.Certificate, Shared.Pki.GovernmentCa.Certificate).State);

        // Our own authority's answer, re-signed by nobody we trust, is also ignored: tamper with a byte of the signature.
        var genuine = new DevelopmentRevocationAuthority(Shared.Pki).Respond(
            DevelopmentRevocationAuthorityTests.Request(Shared.Pki.GovernmentCa.Certificate, Shared.Pki.Officer.SerialNumber).GetEncoded());
        Assert.Equal(RevocationState.Good, RevocationFetcher.Evaluate(new RevocationData([], [genuine]), Shared.Pki.Officer.Certificate, Shared.Pki.GovernmentCa.Certificate).State);
        var tampered = (byte[])genuine.Clone();
        tampered[^1] ^= 0x01;
        Assert.Equal(RevocationState.Unknown, RevocationFetcher.Evaluate(new RevocationData([], [tampered]), Shared.Pki.Officer.Certificate, Shared.Pki.GovernmentCa.Certificate).State);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task An_unreachable_responder_is_a_clear_error_within_the_timeout()
    {
        var pki = DevelopmentPki.Create(new Uri($"http://127.0.0.1:{TestPki.FreeTcpPort()}/"), rootKey: KeyAlgorithm.EcdsaP256, otherKeys: KeyAlgorithm.EcdsaP256);
        using var fetcher = new RevocationFetcher(options: new RevocationFetcherOptions { Timeout = TimeSpan.FromSeconds(2) });
        var e = await Assert.ThrowsAsync<RevocationFetchException>(() => fetcher.FetchAsync(pki.Officer.Chain));
        Assert.Contains("Nguyễn Văn An", e.Message);
        Assert.Contains("cannot be reached", e.Message);

        using var lenient = new RevocationFetcher(options: new RevocationFetcherOptions { ThrowWhenUnavailable = false, Timeout = TimeSpan.FromSeconds(2) });
        Assert.True((await lenient.FetchAsync(pki.Officer.Chain)).IsEmpty);
    }
}
