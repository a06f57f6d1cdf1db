using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Certification.Api.Features.Verifications;
using Certification.Api.Infrastructure;
using Certification.Api.Options;
using Certification.Signing.Trust;
using Certification.Signing.Validation;
using Certification.Signing.Validation.Report;
using Certification.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Certification.Api.Tests;

/// <summary>The verification result cache (issue 12): the same bytes validated once per trust store and verdict
/// lifetime, the registry status live on every request.</summary>
public sealed class VerificationCacheTests
{
    private static DateTimeOffset Start => DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());

    [Fact]
    public async Task The_second_verification_of_a_copy_is_served_from_the_cache_with_the_report_an_uncached_verification_gives()
    {
        var clock = new FixedTimeProvider(Start);
        using var host = new ServiceHost(level: "B-LT", services: s => s.AddSingleton<TimeProvider>(clock));
        var cache = host.Services.GetRequiredService<VerificationResultCache>();
        var anonymous = host.CreateClient();
        var copy = await CertifiedCopyAsync(host);

        var first = await ServiceHost.VerifyAsync(anonymous, copy);
        Assert.Equal((0, 1), (cache.Hits, cache.Misses));
        var second = await ServiceHost.VerifyAsync(anonymous, copy);
        Assert.Equal((1, 1), (cache.Hits, cache.Misses));

        Assert.Equal("TOTAL_PASSED", second["indication"]!.GetValue<string>());
        Assert.Equal("valid", second["registry"]!["status"]!.GetValue<string>());
        Assert.Equal(first.ToJsonString(), second.ToJsonString());
        // What the validator gives without the cache, at the same time, with the same registry match.
        var uncached = (await PdfSignatureValidator.ValidateAsync(copy, host.Services.GetRequiredService<TrustServices>().ValidationOptions(clock.GetUtcNow()))).ToJsonObject();
        uncached["sha256"] = second["sha256"]!.DeepClone();
        uncached["registry"] = second["registry"]!.DeepClone();
        Assert.Equal(uncached.ToJsonString(), second.ToJsonString());

        // The evidence forms are served from the same cached validation.
        var xml = new HttpRequestMessage(HttpMethod.Post, "/api/v1/verifications") { Content = Form(copy) };
        xml.Headers.Accept.ParseAdd("application/xml");
        Assert.Equal(HttpStatusCode.OK, (await anonymous.SendAsync(xml)).StatusCode);
        Assert.Equal((2, 1), (cache.Hits, cache.Misses));
    }

    [Fact]
    public async Task A_copy_revoked_in_the_registry_between_two_verifications_is_reported_revoked_at_once()
    {
        using var host = new ServiceHost(level: "B-LT");
        var cache = host.Services.GetRequiredService<VerificationResultCache>();
        var officer = await host.SignInAsync("officer.commune");
        var anonymous = host.CreateClient();
        var issued = await ServiceHost.CertifyAsync(officer);
        var copy = await anonymous.GetByteArrayAsync($"/api/v1/copies/{issued["accessCode"]}");

        var before = await ServiceHost.VerifyAsync(anonymous, copy);
        Assert.Equal("valid", before["registry"]!["status"]!.GetValue<string>());
        var revoked = await officer.PostAsJsonAsync($"/api/v1/certifications/{issued["id"]}/revocation", new { reason = "Cấp nhầm người yêu cầu" });
        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);

        var after = await ServiceHost.VerifyAsync(anonymous, copy);
        Assert.Equal(1, cache.Hits);
        Assert.Equal("revoked", after["registry"]!["status"]!.GetValue<string>());
        Assert.Equal("Cấp nhầm người yêu cầu", after["registry"]!["revocationReason"]!.GetValue<string>());
        Assert.Equal(before["signatures"]!.ToJsonString(), after["signatures"]!.ToJsonString());
    }

    [Fact]
    public async Task A_trust_store_reload_invalidates_the_cached_results()
    {
        using var storeDir = new TempDirectory("api-cache-trust-store");
        using var host = new ServiceHost(settings: new Dictionary<string, string?> { ["Certification:Trust:StoreDirectory"] = storeDir.Path });
        var cache = host.Services.GetRequiredService<VerificationResultCache>();
        var admin = await host.SignInAsync("admin");
        var anonymous = host.CreateClient();
        var copy = await CertifiedCopyAsync(host);

        Assert.Equal("INDETERMINATE", (await ServiceHost.VerifyAsync(anonymous, copy))["indication"]!.GetValue<string>());
        Assert.Equal("INDETERMINATE", (await ServiceHost.VerifyAsync(anonymous, copy))["indication"]!.GetValue<string>());
        Assert.Equal((1, 1), (cache.Hits, cache.Misses));

        var root = host.Services.GetRequiredService<TrustServices>().Pki!.Root.Certificate;
        var pem = TestPki.WritePem(storeDir.Path, "incoming-root.pem", [root]);
        new TrustStoreDirectory(storeDir.Path).Import(new TrustSource
        {
            Name = "development-root", Kind = TrustSource.BundleKind, File = pem,
            Purposes = [TrustPurpose.PublicDutySignatures, TrustPurpose.Timestamps],
        }, pem, null, DateTimeOffset.UtcNow);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync("/api/v1/admin/trust/reload", null)).StatusCode);

        Assert.Equal("TOTAL_PASSED", (await ServiceHost.VerifyAsync(anonymous, copy))["indication"]!.GetValue<string>());
        Assert.Equal((1, 2), (cache.Hits, cache.Misses));
        // A reload that changes nothing still builds a new store: nothing reached before it is served after it.
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync("/api/v1/admin/trust/reload", null)).StatusCode);
        await ServiceHost.VerifyAsync(anonymous, copy);
        Assert.Equal((1, 3), (cache.Hits, cache.Misses));
    }

    [Fact]
    public async Task A_result_that_relied_on_fetched_revocation_data_expires_at_its_next_update()
    {
        // B-B: no timestamp and no embedded revocation data, so the validator fetches the development OCSP
        // response (valid one day) and judges the signature at the validation time.
        var clock = new FixedTimeProvider(Start);
        using var host = new ServiceHost(level: "B-B", services: s => s.AddSingleton<TimeProvider>(clock),
            settings: new Dictionary<string, string?> { ["Certification:Verification:ResultCacheMaxAge"] = "7.00:00:00" });
        var cache = host.Services.GetRequiredService<VerificationResultCache>();
        var anonymous = host.CreateClient();
        var copy = await CertifiedCopyAsync(host);
        var ocspValidity = host.Services.GetRequiredService<TrustServices>().DevelopmentServices!.Revocation.OcspValidity;

        var first = await ServiceHost.VerifyAsync(anonymous, copy);
        Assert.Equal("TOTAL_PASSED", first["indication"]!.GetValue<string>());
        clock.Advance(ocspValidity - TimeSpan.FromMinutes(1));
        var cached = await ServiceHost.VerifyAsync(anonymous, copy);
        Assert.Equal((1, 1), (cache.Hits, cache.Misses));
        Assert.Equal(first["validationTime"]!.GetValue<string>(), cached["validationTime"]!.GetValue<string>());

        clock.Advance(TimeSpan.FromMinutes(1));
        var revalidated = await ServiceHost.VerifyAsync(anonymous, copy);
        Assert.Equal((1, 2), (cache.Hits, cache.Misses));
        Assert.NotEqual(first["validationTime"]!.GetValue<string>(), revalidated["validationTime"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_result_expires_at_the_maximum_age_or_at_its_lifetime_whichever_is_first()
    {
        var clock = new FixedTimeProvider(Start);
        using var cache = Cache(clock, TimeSpan.FromMinutes(10));
        var validations = 0;
        Func<Task<ValidationOutcome>> Validate(TimeSpan? lifetime) => () =>
        {
            validations++;
            return Task.FromResult(Outcome(clock, lifetime is { } l ? clock.GetUtcNow() + l : null));
        };

        await cache.GetOrValidateAsync("aa", TrustStore.Empty, Validate(null), default);
        clock.Advance(TimeSpan.FromMinutes(10) - TimeSpan.FromSeconds(1));
        await cache.GetOrValidateAsync("aa", TrustStore.Empty, Validate(null), default);
        Assert.Equal(1, validations);
        clock.Advance(TimeSpan.FromSeconds(1));
        await cache.GetOrValidateAsync("aa", TrustStore.Empty, Validate(null), default);
        Assert.Equal(2, validations);

        await cache.GetOrValidateAsync("bb", TrustStore.Empty, Validate(TimeSpan.FromMinutes(3)), default);
        clock.Advance(TimeSpan.FromMinutes(3) - TimeSpan.FromSeconds(1));
        await cache.GetOrValidateAsync("bb", TrustStore.Empty, Validate(TimeSpan.FromMinutes(3)), default);
        Assert.Equal(3, validations);
        clock.Advance(TimeSpan.FromSeconds(1));
        await cache.GetOrValidateAsync("bb", TrustStore.Empty, Validate(TimeSpan.FromMinutes(3)), default);
        Assert.Equal(4, validations);
        Assert.Equal((2, 4), (cache.Hits, cache.Misses));
    }

    [Fact]
    public async Task Transient_verdicts_are_not_kept_and_a_zero_maximum_age_turns_the_cache_off()
    {
        var clock = new FixedTimeProvider(Start);
        var validations = 0;
        Task<ValidationOutcome> Transient()
        {
            validations++;
            return Task.FromResult(Outcome(clock, null) with { Lifetime = new VerdictLifetime(null, Transient: true) });
        }
        Task<ValidationOutcome> Stable()
        {
            validations++;
            return Task.FromResult(Outcome(clock, null));
        }

        using (var cache = Cache(clock, TimeSpan.FromMinutes(10)))
        {
            await cache.GetOrValidateAsync("aa", TrustStore.Empty, Transient, default);
            await cache.GetOrValidateAsync("aa", TrustStore.Empty, Transient, default);
            Assert.Equal((0, 2), (cache.Hits, cache.Misses));
        }
        using (var off = Cache(clock, TimeSpan.Zero))
        {
            await off.GetOrValidateAsync("aa", TrustStore.Empty, Stable, default);
            await off.GetOrValidateAsync("aa", TrustStore.Empty, Stable, default);
            Assert.Equal((0, 0), (off.Hits, off.Misses));
        }
        Assert.Equal(4, validations);
    }

    [Fact]
    public async Task Concurrent_requests_for_the_same_file_share_one_validation()
    {
        var clock = new FixedTimeProvider(Start);
        using var cache = Cache(clock, TimeSpan.FromMinutes(10));
        var release = new TaskCompletionSource<ValidationOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        var validations = 0;
        Task<ValidationOutcome> Validate()
        {
            Interlocked.Increment(ref validations);
            return release.Task;
        }

        var requests = Enumerable.Range(0, 8).Select(_ => cache.GetOrValidateAsync("aa", TrustStore.Empty, Validate, default)).ToList();
        Assert.All(requests, r => Assert.False(r.IsCompleted));
        var outcome = Outcome(clock, null);
        release.SetResult(outcome);
        var reports = await Task.WhenAll(requests);

        Assert.Equal(1, validations);
        Assert.All(reports, r => Assert.Same(outcome.Report, r));
        Assert.Equal((0, 1, 7), (cache.Hits, cache.Misses, cache.Shared));
        await cache.GetOrValidateAsync("aa", TrustStore.Empty, Validate, default);
        Assert.Equal((1, 1), (cache.Hits, validations));
    }

    private static VerificationResultCache Cache(TimeProvider clock, TimeSpan maxAge) =>
        new(Microsoft.Extensions.Options.Options.Create(new CertificationOptions { Verification = new VerificationOptions { ResultCacheMaxAge = maxAge } }), clock);

    private static ValidationOutcome Outcome(TimeProvider clock, DateTimeOffset? until) =>
        new(new ValidationReport { Indication = Indication.TotalPassed, ValidationTime = clock.GetUtcNow() }, new VerdictLifetime(until, Transient: false));

    private static async Task<byte[]> CertifiedCopyAsync(ServiceHost host)
    {
        var officer = await host.SignInAsync("officer.commune");
        var issued = await ServiceHost.CertifyAsync(officer);
        return await host.CreateClient().GetByteArrayAsync($"/api/v1/copies/{issued["accessCode"]}");
    }

    private static MultipartFormDataContent Form(byte[] pdf) => new() { { new ByteArrayContent(pdf), "file", "copy.pdf" } };
}
