using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Certification.Api.Features.Certifications;
using Certification.Signing.Remote;
using Certification.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Certification.Api.Tests;

/// <summary>The demo service with <c>officer.commune</c> bound to the development provider's <c>officer</c>
/// credential (SCAL2, approved on the phone) and the commune's seal to <c>office</c> (client credentials), at B-T.
/// Every CSC call of the service passes <see cref="Wire"/>, which records it and can swap the hash in signHash.</summary>
public sealed class RemoteSigningHost : IDisposable
{
    public RemoteSigningHost()
    {
        // A real port: pdfsig checks the certificates at the demo PKI's OCSP/CRL URLs this service answers.
        Host = new ServiceHost(level: "B-T", realPort: true, settings: new Dictionary<string, string?>
        {
            ["Certification:RemoteSigning:Officers:officer.commune"] = "officer",
            ["Certification:RemoteSigning:Seals:DEMO-P01"] = "office",
            ["Certification:RemoteSigning:ApprovalTimeout"] = "00:00:04",
            ["Certification:RemoteSigning:PollInterval"] = "00:00:00.200",
        }, services: s => s.AddHttpClient(RemoteCredentials.HttpClientName).AddHttpMessageHandler(() => Wire));
    }

    public ServiceHost Host { get; }

    public CscWire Wire { get; } = new();

    public DevelopmentCscProvider Provider => Host.Services.GetRequiredService<DevelopmentRemoteSigning>().Provider;

    public void Dispose() => Host.Dispose();
}

/// <summary>Between the service and the provider: records each call (method and credential) and, when
/// <see cref="SwapHash"/> is set, replaces the hash in signHash by another one (as a bug or an attacker would).</summary>
public sealed class CscWire : DelegatingHandler
{
    public ConcurrentQueue<string> Calls { get; } = new();

    public volatile bool SwapHash;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        var method = request.RequestUri!.AbsolutePath.Split("/csc/v2/")[^1];
        if (request.Content is not null && request.Content.Headers.ContentType?.MediaType == "application/json")
        {
            var body = JsonNode.Parse(await request.Content.ReadAsStringAsync(ct))!.AsObject();
            Calls.Enqueue($"{method} {body["credentialID"]?.GetValue<string>()}".Trim());
            if (SwapHash && method == "signatures/signHash")
            {
                body["hashes"] = new JsonArray(Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData("another document"u8)));
                request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
            }
        }
        else Calls.Enqueue(method);
        return await base.SendAsync(request, ct);
    }
}

/// <summary>Certification through the officer's remote signing account, end to end against the development CSC
/// provider: approved after a delay (both signatures valid for pdfsig and our validator), and each way it ends
/// without a signature (denied, timed out, a swapped hash, an expired token, cancelled) with its own problem type,
/// no number consumed and no file served.</summary>
public sealed class RemoteSigningTests(RemoteSigningHost fixture) : IClassFixture<RemoteSigningHost>
{
    private ServiceHost Host => fixture.Host;

    internal static MultipartFormDataContent Form() => new()
    {
        { new ByteArrayContent(Scans.Page(1)), "files", "p1.jpg" }, { new StringContent("Giấy khai sinh"), "documentTitle" },
        { new StringContent("Nguyễn Văn Mẫu"), "requesterName" }, { new StringContent("001099000000"), "requesterIdNumber" },
    };

    private async Task<JsonObject> StartAsync(HttpClient officer)
    {
        var started = await officer.PostAsync("/api/v1/remote-signings", Form());
        var body = await started.Content.ReadAsStringAsync();
        Assert.True(started.StatusCode == HttpStatusCode.Accepted, $"{(int)started.StatusCode}: {body}");
        var state = JsonNode.Parse(body)!.AsObject();
        Assert.Equal("waiting-for-approval", state["state"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(state["providerRequest"]?.GetValue<string>()));
        Assert.Contains(fixture.Provider.PendingRequestIds, id => id == state["providerRequest"]!.GetValue<string>());
        return state;
    }

    /// <summary>Follows the request as the page does, until it is no longer waiting.</summary>
    internal static async Task<HttpResponseMessage> FollowAsync(HttpClient officer, JsonObject started)
    {
        var until = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var response = await officer.GetAsync($"/api/v1/remote-signings/{started["handle"]}");
            var text = await response.Content.ReadAsStringAsync();
            response.Content = new StringContent(text, Encoding.UTF8, response.Content.Headers.ContentType?.MediaType ?? "application/json");
            if (response.StatusCode != HttpStatusCode.OK) return response;
            var state = JsonNode.Parse(text)!["state"]!.GetValue<string>();
            if (state != "waiting-for-approval" || DateTime.UtcNow > until) return response;
            await Task.Delay(100);
        }
    }

    private static async Task<List<long>> IssuedNumbersAsync(HttpClient officer)
    {
        var books = await officer.GetFromJsonAsync<JsonArray>("/api/v1/books");
        if (books!.Count == 0) return [];
        var report = await officer.GetFromJsonAsync<JsonObject>($"/api/v1/books/{books[0]!["id"]}");
        return report!["entries"]!.AsArray().Where(e => e!["status"]!.GetValue<string>() == "valid").Select(e => e!["number"]!.GetValue<long>()).ToList();
    }

    /// <summary>The request ended: the waiting copy is gone (nothing to download), and the book has not moved.</summary>
    private static async Task AssertNothingConsumedAsync(HttpClient officer, JsonObject started, List<long> before)
    {
        Assert.Equal(HttpStatusCode.NotFound, (await officer.GetAsync($"/api/v1/certifications/{started["certificationId"]}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await officer.GetAsync($"/api/v1/certifications/{started["certificationId"]}/document")).StatusCode);
        Assert.Equal(before, await IssuedNumbersAsync(officer));
    }

    [Fact]
    public async Task Certifier_approves_on_the_phone_after_a_delay_and_the_seal_signs_by_client_credentials()
    {
        fixture.Provider.Options = fixture.Provider.Options with { ApprovalDelay = TimeSpan.FromSeconds(1.5) };
        try
        {
            var officer = await Host.SignInAsync("officer.commune");
            await ServiceHost.ProblemAsync(await ServiceHost.PostCertificationAsync(officer, "x", [Scans.Page(1)]), HttpStatusCode.Conflict, "remote-signer-required");
            var before = await IssuedNumbersAsync(officer);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var started = await StartAsync(officer);
            Assert.Equal(before.Count + 1, started["certificationNumber"]!.GetValue<long>());
            Assert.Equal(before, await IssuedNumbersAsync(officer));

            var done = await FollowAsync(officer, started);
            var body = (await done.Content.ReadFromJsonAsync<JsonObject>())!;
            Assert.True(body["state"]!.GetValue<string>() == "signed", body.ToJsonString());
            Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1.5), $"signed after {clock.Elapsed} without waiting for the approval");
            var issued = body["certification"]!;
            Assert.Equal(started["certificationNumber"]!.GetValue<long>(), issued["certificationNumber"]!.GetValue<long>());
            Assert.Equal([.. before, issued["certificationNumber"]!.GetValue<long>()], await IssuedNumbersAsync(officer));
            // The certifier's hash was authorised and signed with the personal credential, the seal's with the office's.
            Assert.Contains("signatures/signHash officer", fixture.Wire.Calls);
            Assert.Contains("signatures/signHash office", fixture.Wire.Calls);

            var anonymous = Host.CreateClient();
            var pdf = await anonymous.GetByteArrayAsync($"/api/v1/copies/{issued["accessCode"]}");
            var judged = await ServiceHost.PdfsigAsync(anonymous, pdf);
            Assert.True(judged.Signatures.Count == 2 && judged.Signatures.All(s => s.IsValid && s.IsTrusted), judged.ToString());
            var verdict = await ServiceHost.VerifyAsync(anonymous, pdf);
            Assert.Equal("TOTAL_PASSED", verdict["indication"]!.GetValue<string>());
            Assert.Equal(2, verdict["signatures"]!.AsArray().Count);
        }
        finally
        {
            fixture.Provider.Options = fixture.Provider.Options with { ApprovalDelay = null };
        }
    }

    [Fact]
    public async Task Denied_on_the_phone_ends_with_remote_signing_denied_and_consumes_no_number()
    {
        var officer = await Host.SignInAsync("officer.commune");
        var before = await IssuedNumbersAsync(officer);
        var started = await StartAsync(officer);
        // The officer taps "deny" on the approval page (what `certification pki deny` sends).
        var denied = await Host.CreateClient().SendAsync(new HttpRequestMessage(HttpMethod.Post, $"/csc/approvals/{started["providerRequest"]}/deny")
            { Headers = { { "Accept", "application/json" } } });
        Assert.Equal(HttpStatusCode.OK, denied.StatusCode);
        await ServiceHost.ProblemAsync(await FollowAsync(officer, started), HttpStatusCode.Conflict, "remote-signing-denied");
        await AssertNothingConsumedAsync(officer, started, before);
    }

    [Fact]
    public async Task Not_approved_in_time_ends_with_remote_signing_timed_out_and_consumes_no_number()
    {
        var officer = await Host.SignInAsync("officer.commune");
        var before = await IssuedNumbersAsync(officer);
        var started = await StartAsync(officer);
        var problem = await ServiceHost.ProblemAsync(await FollowAsync(officer, started), HttpStatusCode.GatewayTimeout, "remote-signing-timed-out");
        Assert.Contains("Hết thời gian chờ phê duyệt", problem["detail"]!.GetValue<string>());
        await AssertNothingConsumedAsync(officer, started, before);
    }

    [Fact]
    public async Task A_hash_swapped_between_authorize_and_signHash_is_refused_by_the_provider_and_consumes_no_number()
    {
        var officer = await Host.SignInAsync("officer.commune");
        var before = await IssuedNumbersAsync(officer);
        var pending = fixture.Provider.PendingRequestIds.Count;
        fixture.Wire.SwapHash = true;
        try
        {
            var refused = await officer.PostAsync("/api/v1/remote-signings", Form());
            var problem = await ServiceHost.ProblemAsync(refused, HttpStatusCode.BadGateway, "remote-signing-hash-not-authorised");
            Assert.Contains("invalid_hash", problem["detail"]!.GetValue<string>());
        }
        finally
        {
            fixture.Wire.SwapHash = false;
        }
        Assert.Equal(pending, fixture.Provider.PendingRequestIds.Count);
        Assert.Equal(before, await IssuedNumbersAsync(officer));
        // The copy that waited for this signature is gone: the next certification gets the same number.
        var next = await StartAsync(officer);
        Assert.Equal(before.Count + 1, next["certificationNumber"]!.GetValue<long>());
        Assert.Equal("cancelled", (await (await officer.DeleteAsync($"/api/v1/remote-signings/{next["handle"]}")).Content.ReadFromJsonAsync<JsonObject>())!["state"]!.GetValue<string>());
        await AssertNothingConsumedAsync(officer, next, before);
    }

    [Fact]
    public async Task An_expired_token_ends_with_remote_signing_token_expired_and_the_next_request_gets_a_new_token()
    {
        var officer = await Host.SignInAsync("officer.commune");
        var before = await IssuedNumbersAsync(officer);
        var started = await StartAsync(officer);
        fixture.Provider.ExpireTokens();
        await ServiceHost.ProblemAsync(await FollowAsync(officer, started), HttpStatusCode.BadGateway, "remote-signing-token-expired");
        await AssertNothingConsumedAsync(officer, started, before);

        var again = await StartAsync(officer);
        var cancelled = await officer.DeleteAsync($"/api/v1/remote-signings/{again["handle"]}");
        Assert.Equal("cancelled", (await cancelled.Content.ReadFromJsonAsync<JsonObject>())!["state"]!.GetValue<string>());
        await AssertNothingConsumedAsync(officer, again, before);
    }
}
