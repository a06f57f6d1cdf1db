using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Xunit;

namespace Certification.Api.Tests;

/// <summary>Who may do what: officers act only for their own office; a citizen's code opens only its copy;
/// anonymous callers cannot certify; wrong passwords lock the account for a while; API keys for online services.</summary>
public sealed class AuthorizationTests : IClassFixture<AuthorizationTests.Host>
{
    public sealed class Host : IDisposable
    {
        public ServiceHost Service { get; } = new(settings: new Dictionary<string, string?> { ["Certification:Limits:MaxFailedSignIns"] = "3" });
        public void Dispose() => Service.Dispose();
    }

    private readonly ServiceHost _host;

    public AuthorizationTests(Host host) => _host = host.Service;

    [Fact]
    public async Task Officers_of_another_office_cannot_read_revoke_or_certify_into_it()
    {
        var commune = await _host.SignInAsync("officer.commune");
        var notary = await _host.SignInAsync("officer.notary");
        var copy = await ServiceHost.CertifyAsync(commune);
        var id = copy["id"]!.GetValue<string>();

        await ServiceHost.ProblemAsync(await notary.GetAsync($"/api/v1/certifications/{id}"), HttpStatusCode.Forbidden, "other-office");
        await ServiceHost.ProblemAsync(await notary.GetAsync($"/api/v1/certifications/{id}/document"), HttpStatusCode.Forbidden, "other-office");
        await ServiceHost.ProblemAsync(await notary.PostAsJsonAsync($"/api/v1/certifications/{id}/revocation", new { reason = "not mine" }),
            HttpStatusCode.Forbidden, "other-office");
        var request = await (await commune.PostAsJsonAsync("/api/v1/requests", new { requesterName = "A", requesterIdNumber = "1" })).Content.ReadFromJsonAsync<JsonObject>();
        var intoOther = await ServiceHost.PostCertificationAsync(notary, "x", [Scans.Page(1)]);
        Assert.Equal(HttpStatusCode.Created, intoOther.StatusCode);
        var form = new MultipartFormDataContent { { new ByteArrayContent(Scans.Page(1)), "files", "p.jpg" }, { new StringContent("x"), "documentTitle" },
            { new StringContent(request!["id"]!.GetValue<string>()), "requestId" } };
        await ServiceHost.ProblemAsync(await notary.PostAsync("/api/v1/certifications", form), HttpStatusCode.Forbidden, "other-office");

        // The notary's own certification lands in the notary office's book, never the commune's.
        var notaryCopy = await (await notary.GetAsync("/api/v1/books")).Content.ReadFromJsonAsync<JsonArray>();
        var communeBooks = await (await commune.GetAsync("/api/v1/books")).Content.ReadFromJsonAsync<JsonArray>();
        Assert.NotEqual(notaryCopy![0]!["id"]!.GetValue<int>(), communeBooks![0]!["id"]!.GetValue<int>());
        await ServiceHost.ProblemAsync(await notary.GetAsync($"/api/v1/books/{communeBooks[0]!["id"]}"), HttpStatusCode.Forbidden, "other-office");
    }

    [Fact]
    public async Task Anonymous_and_api_clients_cannot_certify_and_admin_is_not_a_certifier()
    {
        var anonymous = _host.CreateClient();
        await ServiceHost.ProblemAsync(await ServiceHost.PostCertificationAsync(anonymous, "x", [Scans.Page(1)]), HttpStatusCode.Unauthorized, "unauthenticated");
        var apiClient = _host.CreateClient();
        apiClient.DefaultRequestHeaders.Add("X-Api-Key", "demo-online-service-key");
        var status = (await ServiceHost.PostCertificationAsync(apiClient, "x", [Scans.Page(1)])).StatusCode;
        Assert.True(status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden, status.ToString());
        var admin = await _host.SignInAsync("admin");
        await ServiceHost.ProblemAsync(await ServiceHost.PostCertificationAsync(admin, "x", [Scans.Page(1)]), HttpStatusCode.Forbidden, "forbidden");
        var forged = _host.CreateClient();
        forged.DefaultRequestHeaders.Authorization = new("Bearer", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIyIiwicm9sZSI6IkNlcnRpZmllciJ9.AAAA");
        await ServiceHost.ProblemAsync(await ServiceHost.PostCertificationAsync(forged, "x", [Scans.Page(1)]), HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Fact]
    public async Task A_citizen_code_opens_only_its_copy_and_guesses_learn_nothing()
    {
        var officer = await _host.SignInAsync("officer.commune");
        var a = await ServiceHost.CertifyAsync(officer, "A");
        var b = await ServiceHost.CertifyAsync(officer, "B");
        var anonymous = _host.CreateClient();
        var pdfA = await anonymous.GetByteArrayAsync($"/api/v1/copies/{a["accessCode"]}");
        Assert.Equal(a["sha256"]!.GetValue<string>(), Convert.ToHexStringLower(SHA256.HashData(pdfA)));
        Assert.NotEqual(b["sha256"]!.GetValue<string>(), Convert.ToHexStringLower(SHA256.HashData(pdfA)));
        var details = await anonymous.GetFromJsonAsync<JsonObject>($"/api/v1/copies/{a["accessCode"]}/details");
        Assert.Equal(a["certificationNumber"]!.GetValue<long>(), details!["certificationNumber"]!.GetValue<long>());

        var code = a["accessCode"]!.GetValue<string>();
        var neighbour = code[..^1] + (code[^1] == 'A' ? 'B' : 'A');
        foreach (var guess in new[] { neighbour, "1", a["certificationNumber"]!.ToString(), a["id"]!.GetValue<string>(), new string('A', 32) })
            await ServiceHost.ProblemAsync(await anonymous.GetAsync($"/api/v1/copies/{guess}"), HttpStatusCode.NotFound, "copy-not-found");
        // No listing of copies and no lookup by number for anonymous callers.
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"/api/v1/certifications/{a["id"]}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/books")).StatusCode);
    }

    [Fact]
    public async Task Code_lookups_are_rate_limited_per_address()
    {
        using var host = new ServiceHost(settings: new Dictionary<string, string?> { ["Certification:Limits:CopyLookupsPerMinute"] = "5" });
        var anonymous = host.CreateClient();
        for (var i = 0; i < 5; i++) Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"/api/v1/copies/{new string('B', 32)}")).StatusCode);
        var limited = await anonymous.GetAsync($"/api/v1/copies/{new string('C', 32)}");
        await ServiceHost.ProblemAsync(limited, HttpStatusCode.TooManyRequests, "rate-limited");
        Assert.True(limited.Headers.RetryAfter is not null);
    }

    [Fact]
    public async Task Wrong_passwords_lock_the_account_even_against_the_right_password()
    {
        var client = _host.CreateClient();
        for (var i = 0; i < 2; i++)
            await ServiceHost.ProblemAsync(await client.PostAsJsonAsync("/api/v1/auth/token", new { username = "officer.token", password = "wrong" + i }),
                HttpStatusCode.Unauthorized, "sign-in-failed");
        await ServiceHost.ProblemAsync(await client.PostAsJsonAsync("/api/v1/auth/token", new { username = "officer.token", password = "wrong" }),
            HttpStatusCode.TooManyRequests, "sign-in-throttled");
        var right = await client.PostAsJsonAsync("/api/v1/auth/token", new { username = "officer.token", password = "Demo@12345" });
        await ServiceHost.ProblemAsync(right, HttpStatusCode.TooManyRequests, "sign-in-throttled");
        Assert.True(right.Headers.RetryAfter is not null);
        // Unknown users fail the same way as wrong passwords.
        await ServiceHost.ProblemAsync(await client.PostAsJsonAsync("/api/v1/auth/token", new { username = "nobody", password = "x" }),
            HttpStatusCode.Unauthorized, "sign-in-failed");
    }

    [Fact]
    public async Task Dossier_and_registry_lookup_need_an_api_key()
    {
        var officer = await _host.SignInAsync("officer.notary");
        var copy = await ServiceHost.CertifyAsync(officer, "Hợp đồng");
        var pdf = await officer.GetByteArrayAsync($"/api/v1/certifications/{copy["id"]}/document");
        var anonymous = _host.CreateClient();
        MultipartFormDataContent Dossier() => new() { { new ByteArrayContent(pdf), "files", "a.pdf" }, { new ByteArrayContent(pdf), "files", "b.pdf" } };
        await ServiceHost.ProblemAsync(await anonymous.PostAsync("/api/v1/verifications/dossier", Dossier()), HttpStatusCode.Unauthorized, "unauthenticated");
        await ServiceHost.ProblemAsync(await anonymous.GetAsync($"/api/v1/registry/copies/{copy["accessCode"]}"), HttpStatusCode.Unauthorized, "unauthenticated");

        var service = _host.CreateClient();
        service.DefaultRequestHeaders.Add("X-Api-Key", "demo-online-service-key");
        var result = await (await service.PostAsync("/api/v1/verifications/dossier", Dossier())).Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal(2, result!["count"]!.GetValue<int>());
        Assert.True(result["allValid"]!.GetValue<bool>(), result.ToJsonString());
        var lookup = await service.GetFromJsonAsync<JsonObject>($"/api/v1/registry/copies/{copy["accessCode"]}");
        Assert.Equal(copy["sha256"]!.GetValue<string>(), lookup!["sha256"]!.GetValue<string>());

        var wrongKey = _host.CreateClient();
        wrongKey.DefaultRequestHeaders.Add("X-Api-Key", "guess");
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrongKey.PostAsync("/api/v1/verifications/dossier", Dossier())).StatusCode);
    }
}
