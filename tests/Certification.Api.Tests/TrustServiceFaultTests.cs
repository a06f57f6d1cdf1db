using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Certification.Api.Infrastructure;
using Certification.Signing.Pki;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Certification.Api.Tests;

/// <summary>
/// [resilience] Each fault the development trust services can inject (<c>pki serve --faults</c>, here switched on in
/// the service's in-process PKI) meets the resilient clients: the certification is either issued through an
/// alternate (a second TSA, the CRL after OCSP) and the dependency reported degraded, or refused with
/// 503 <c>trust-service-unavailable/{service}</c> and Retry-After. Either way no number is consumed without its
/// stored copy (the consistency checker agrees), and once the fault is repaired the next certification succeeds
/// with the next number.
/// </summary>
public sealed class TrustServiceFaultTests(TrustServiceFaultTests.TimestampHost shared) : IClassFixture<TrustServiceFaultTests.TimestampHost>
{
    /// <summary>One B-T service for the timestamp cases (time-stamp replies are not cached, so a case cannot hide
    /// the next one's fault); revocation cases each get a fresh one, since OCSP and CRL answers are cached.</summary>
    public sealed class TimestampHost : IDisposable
    {
        public ServiceHost Host { get; } = new(settings: Settings("B-T"));

        public void Dispose() => Host.Dispose();
    }

    /// <summary>Short limits so a dead service fails fast; the circuit never opens within one case (its own test does that).</summary>
    internal static Dictionary<string, string?> Settings(string level, int minimumThroughput = 1000) => new()
    {
        ["Certification:Signing:AlternateTimestampUrls:0"] = "http://localhost/tsa2",
        ["Certification:TrustServices:AttemptTimeout"] = "00:00:00.750",
        ["Certification:TrustServices:TotalTimeout"] = "00:00:03",
        ["Certification:TrustServices:RetryDelay"] = "00:00:00.050",
        ["Certification:TrustServices:MinimumThroughput"] = minimumThroughput.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Certification:TrustServices:BreakDuration"] = "00:00:02",
        ["Certification:Signing:Level"] = level,
    };

    public static TheoryData<string, string, string> Cases => new()
    {
        // fault specification, level, expected: "degraded:SERVICE" (issued through an alternate) or "refused:SERVICE"
        { "tsa:delay=2", "B-T", "degraded:timestamp" },
        { "tsa:500,tsa2:500", "B-T", "refused:timestamp" },
        { "tsa:reset,tsa2:reset", "B-T", "refused:timestamp" },
        { "tsa:truncated,tsa2:truncated", "B-T", "refused:timestamp" },
        { "tsa:wrong-nonce", "B-T", "degraded:timestamp" },
        { "tsa:expired-certificate,tsa2:expired-certificate", "B-T", "refused:timestamp" },
        { "ocsp:stale", "B-LT", "degraded:revocation" },
        { "ocsp:wrong-nonce,crl:reset", "B-LT", "refused:revocation" },
        { "ocsp:500,crl:50mb", "B-LT", "refused:revocation" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_fault_degrades_or_refuses_with_its_problem_type_consumes_no_number_and_the_next_certification_after_repair_succeeds(
        string faults, string level, string expected)
    {
        using var own = level == "B-T" ? null : new ServiceHost(settings: Settings(level));
        var host = own ?? shared.Host;
        var officer = await host.SignInAsync("officer.commune");
        var admin = await host.SignInAsync("admin");
        var injected = host.Services.GetRequiredService<TrustServices>().DevelopmentServices!.Faults;
        var before = await LastNumberAsync(officer);

        var injectedBefore = injected.Injected;
        injected.Set(TrustServiceFault.ParseList(faults));
        var response = await ServiceHost.PostCertificationAsync(officer, "Giấy khai sinh", [Scans.Page(1)]);
        var (outcome, service) = (expected.Split(':')[0], expected.Split(':')[1]);
        var health = await host.CreateClient().GetFromJsonAsync<JsonObject>("/health");
        if (outcome == "degraded")
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode}: {body}");
            Assert.Equal(before + 1, JsonNode.Parse(body)!["certificationNumber"]!.GetValue<long>());
            Assert.Equal("degraded", health!["status"]!.GetValue<string>());
            Assert.Equal("degraded", health["dependencies"]![service]!["status"]!.GetValue<string>());
            Assert.Contains(health["dependencies"]![service]!["endpoints"]!.AsArray(), e => e!["status"]!.GetValue<string>() == "failing");
        }
        else
        {
            var problem = await ServiceHost.ProblemAsync(response, HttpStatusCode.ServiceUnavailable, $"trust-service-unavailable/{service}");
            Assert.Equal(service, problem["service"]!.GetValue<string>());
            Assert.Equal("unhealthy", problem["state"]!.GetValue<string>());
            Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After is missing");
            Assert.Equal("unhealthy", health!["dependencies"]![service]!["status"]!.GetValue<string>());
            Assert.Equal(before, await LastNumberAsync(officer));
        }
        // Spoiled by this case (the shared host counts every case's).
        var spoiled = injected.Injected.Select(kv => (kv.Key, Count: kv.Value - injectedBefore.GetValueOrDefault(kv.Key))).Where(kv => kv.Count > 0).ToList();
        Assert.Equal(TrustServiceFault.ParseList(faults).Select(f => f.Kind).Distinct().Order(), spoiled.Select(kv => kv.Key).Order());
        Console.WriteLine($"fault {faults} ({level}): {outcome} {service}, injected {string.Join(", ", spoiled.Select(kv => $"{kv.Key} ×{kv.Count}"))}");
        await AssertConsistentAsync(admin);

        injected.Clear();
        var next = await ServiceHost.CertifyAsync(officer, "Sau khi khôi phục");
        Assert.Equal(await LastNumberAsync(officer), next["certificationNumber"]!.GetValue<long>());
        Assert.Equal(outcome == "degraded" ? before + 2 : before + 1, next["certificationNumber"]!.GetValue<long>());
        await AssertConsistentAsync(admin);
    }

    /// <summary>A TSA that keeps failing opens its circuit: later certifications skip it at once (through the second
    /// TSA), and once it works again and the break is over the circuit closes.</summary>
    [Fact]
    public async Task A_failing_TSA_opens_its_circuit_and_the_alternate_carries_on_until_it_closes()
    {
        using var host = new ServiceHost(settings: Settings("B-T", minimumThroughput: 2));
        var officer = await host.SignInAsync("officer.commune");
        var injected = host.Services.GetRequiredService<TrustServices>().DevelopmentServices!.Faults;
        injected.Set(TrustServiceFault.ParseList("tsa:500"));
        await ServiceHost.CertifyAsync(officer, "Mạch 1");
        var spoiled = injected.Injected.Values.Sum();
        await ServiceHost.CertifyAsync(officer, "Mạch 2");
        var health = await host.CreateClient().GetFromJsonAsync<JsonObject>("/health");
        var primary = health!["dependencies"]!["timestamp"]!["endpoints"]!.AsArray().Single(e => e!["url"]!.GetValue<string>().EndsWith("/tsa", StringComparison.Ordinal));
        Assert.Equal("open", primary!["circuit"]!.GetValue<string>());
        // The open circuit was not called: no further request reached the failing TSA.
        Assert.Equal(spoiled, injected.Injected.Values.Sum());

        injected.Clear();
        await Task.Delay(TimeSpan.FromSeconds(2.2));
        await ServiceHost.CertifyAsync(officer, "Mạch 3");
        health = await host.CreateClient().GetFromJsonAsync<JsonObject>("/health");
        Assert.Equal("ready", health!["status"]!.GetValue<string>());
    }

    internal static async Task<long> LastNumberAsync(HttpClient officer)
    {
        var books = await officer.GetFromJsonAsync<JsonArray>("/api/v1/books");
        if (books!.Count == 0) return 0;
        var report = await officer.GetFromJsonAsync<JsonObject>($"/api/v1/books/{books[0]!["id"]}");
        return report!["book"]!["lastNumber"]!.GetValue<long>();
    }

    internal static async Task<JsonObject> AssertConsistentAsync(HttpClient admin)
    {
        var report = await admin.GetFromJsonAsync<JsonObject>("/api/v1/admin/consistency");
        Assert.True(report!["consistent"]!.GetValue<bool>(), report.ToJsonString());
        return report;
    }
}
