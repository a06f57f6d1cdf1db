using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Certification.Api.Features.Certifications;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Certification.Api.Tests;

/// <summary>The development CSC provider failing on demand. It sits inside the service's resilience pipeline
/// (a handler of the "csc" client), so it sees every attempt: a retried call passes it once per attempt.</summary>
public sealed class FailingProvider : DelegatingHandler
{
    private readonly ConcurrentDictionary<string, int> _failures = new(StringComparer.Ordinal);

    /// <summary>Each attempt, as "method credential" ("oauth2/token" for the token).</summary>
    public ConcurrentQueue<string> Calls { get; } = new();

    /// <summary>Every connection is reset (the provider is down).</summary>
    public volatile bool Down;

    /// <summary>The next <paramref name="times"/> attempts of <paramref name="call"/> answer 500.</summary>
    public void Fail(string call, int times) => _failures[call] = times;

    public void Repair()
    {
        Down = false;
        _failures.Clear();
    }

    public int Count(string call) => Calls.Count(c => c == call);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        var call = request.RequestUri!.AbsolutePath.Split("/csc/v2/")[^1];
        if (request.Content?.Headers.ContentType?.MediaType == "application/json")
            call = $"{call} {JsonNode.Parse(await request.Content.ReadAsStringAsync(ct))!["credentialID"]?.GetValue<string>()}".Trim();
        Calls.Enqueue(call);
        if (Down) throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection reset by peer (injected)");
        while (_failures.TryGetValue(call, out var left) && left > 0)
            if (_failures.TryUpdate(call, left - 1, left))
                return new HttpResponseMessage(HttpStatusCode.InternalServerError) { Content = new StringContent("Internal Server Error"), RequestMessage = request };
        return await base.SendAsync(request, ct);
    }
}

/// <summary>
/// [resilience] The remote signing provider fails: a read (credentials/info) is tried again and the certification is
/// signed; a failed signHash is not repeated (a second one could spend the one-time SAD or put a second request on
/// the officer's phone) and ends with 503 <c>remote-signing-unavailable</c> and Retry-After, no number consumed;
/// a provider that stays down opens its circuit, after which it is not called until the break is over; once it
/// works again the next certification is signed with the next number. <c>/health</c> follows each step.
/// </summary>
public sealed class RemoteSigningFaultTests : IDisposable
{
    private readonly FailingProvider _provider = new();
    private readonly ServiceHost _host;

    public RemoteSigningFaultTests()
    {
        _host = new ServiceHost(settings: new Dictionary<string, string?>
        {
            ["Certification:RemoteSigning:Officers:officer.commune"] = "officer",
            ["Certification:RemoteSigning:Seals:DEMO-P01"] = "office",
            ["Certification:RemoteSigning:ApprovalTimeout"] = "00:00:10",
            ["Certification:RemoteSigning:PollInterval"] = "00:00:00.200",
            ["Certification:RemoteSigning:DevelopmentApprovalDelay"] = "00:00:00.300",
            ["Certification:RemoteSigning:Resilience:AttemptTimeout"] = "00:00:01",
            ["Certification:RemoteSigning:Resilience:TotalTimeout"] = "00:00:03",
            ["Certification:RemoteSigning:Resilience:RetryDelay"] = "00:00:00.050",
            ["Certification:RemoteSigning:Resilience:MaxRetries"] = "2",
            ["Certification:RemoteSigning:Resilience:MinimumThroughput"] = "4",
            ["Certification:RemoteSigning:Resilience:BreakDuration"] = "00:00:02",
        }, services: s => s.AddHttpClient(RemoteCredentials.HttpClientName).AddHttpMessageHandler(() => _provider));
    }

    public void Dispose() => _host.Dispose();

    private async Task<JsonObject> RemoteSigningHealthAsync()
    {
        var health = await _host.CreateClient().GetFromJsonAsync<JsonObject>("/health");
        return health!["dependencies"]!["remote-signing"]!.AsObject();
    }

    private static async Task<JsonObject> SignAsync(HttpClient officer)
    {
        var started = await officer.PostAsync("/api/v1/remote-signings", RemoteSigningTests.Form());
        var text = await started.Content.ReadAsStringAsync();
        Assert.True(started.StatusCode == HttpStatusCode.Accepted, $"{(int)started.StatusCode}: {text}");
        var done = await (await RemoteSigningTests.FollowAsync(officer, JsonNode.Parse(text)!.AsObject())).Content.ReadFromJsonAsync<JsonObject>();
        Assert.True(done!["state"]!.GetValue<string>() == "signed", done.ToJsonString());
        return done["certification"]!.AsObject();
    }

    private static async Task<HttpResponseMessage> RefusedAsync(HttpClient officer)
    {
        var refused = await officer.PostAsync("/api/v1/remote-signings", RemoteSigningTests.Form());
        var problem = await ServiceHost.ProblemAsync(refused, HttpStatusCode.ServiceUnavailable, "remote-signing-unavailable");
        Assert.Equal("remote-signing", problem["service"]!.GetValue<string>());
        Assert.True(refused.Headers.RetryAfter?.Delta is { } delay && delay > TimeSpan.Zero && delay <= TimeSpan.FromSeconds(2),
            $"Retry-After {refused.Headers.RetryAfter} (the break is 2 s)");
        return refused;
    }

    [Fact]
    public async Task Only_safe_calls_are_retried_a_failing_provider_answers_remote_signing_unavailable_opens_its_circuit_and_signs_again_after_repair()
    {
        var officer = await _host.SignInAsync("officer.commune");
        var admin = await _host.SignInAsync("admin");
        // Listed from the start (an officer and a seal are bound to it), before any call.
        var health = await RemoteSigningHealthAsync();
        Assert.Equal("ok", health["status"]!.GetValue<string>());
        Assert.Single(health["endpoints"]!.AsArray());
        var before = await TrustServiceFaultTests.LastNumberAsync(officer);

        // A read that fails twice is tried again: signed, with one authorize and one signHash.
        _provider.Fail("credentials/info officer", 2);
        var first = await SignAsync(officer);
        Assert.Equal(before + 1, first["certificationNumber"]!.GetValue<long>());
        Assert.Equal(3, _provider.Count("credentials/info officer"));
        Assert.Equal(1, _provider.Count("credentials/authorize officer"));
        Assert.Equal(1, _provider.Count("signatures/signHash officer"));
        Assert.Equal("ok", (await RemoteSigningHealthAsync())["status"]!.GetValue<string>());

        // signHash answers 500: sent once, never repeated; the certification is refused and takes no number.
        _provider.Fail("signatures/signHash officer", 1);
        await RefusedAsync(officer);
        Assert.Equal(2, _provider.Count("credentials/authorize officer"));
        Assert.Equal(2, _provider.Count("signatures/signHash officer"));
        Assert.Equal(before + 1, await TrustServiceFaultTests.LastNumberAsync(officer));
        health = await RemoteSigningHealthAsync();
        Assert.Equal("unhealthy", health["status"]!.GetValue<string>());
        var endpoint = health["endpoints"]!.AsArray().Single()!;
        Assert.Equal("failing", endpoint["status"]!.GetValue<string>());
        Assert.Contains("500", endpoint["lastError"]!.GetValue<string>());
        Assert.Equal("degraded", (await _host.CreateClient().GetFromJsonAsync<JsonObject>("/health"))!["status"]!.GetValue<string>());

        // The provider goes down: each certification is refused after the read's retries, until the circuit opens...
        _provider.Down = true;
        for (var attempt = 0; attempt < 10 && (await RemoteSigningHealthAsync())["endpoints"]![0]!["circuit"]!.GetValue<string>() != "open"; attempt++)
            await RefusedAsync(officer);
        Assert.Equal("open", (await RemoteSigningHealthAsync())["endpoints"]![0]!["circuit"]!.GetValue<string>());
        Assert.Equal(2, _provider.Count("signatures/signHash officer"));
        // ...and then the provider is not called at all.
        var sent = _provider.Calls.Count;
        await RefusedAsync(officer);
        Assert.Equal(sent, _provider.Calls.Count);
        Assert.Equal(before + 1, await TrustServiceFaultTests.LastNumberAsync(officer));
        await TrustServiceFaultTests.AssertConsistentAsync(admin);

        // Repaired: once the break is over, the next certification is signed with the next number.
        _provider.Repair();
        await Task.Delay(TimeSpan.FromSeconds(2.2));
        var next = await SignAsync(officer);
        Assert.Equal(before + 2, next["certificationNumber"]!.GetValue<long>());
        Assert.Equal(3, _provider.Count("signatures/signHash officer"));
        health = await RemoteSigningHealthAsync();
        Assert.Equal("ok", health["status"]!.GetValue<string>());
        Assert.Equal("closed", health["endpoints"]![0]!["circuit"]!.GetValue<string>());
        await TrustServiceFaultTests.AssertConsistentAsync(admin);
    }
}
