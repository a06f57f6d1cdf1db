using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Certification.Api.Features.Certifications;
using Certification.Signing.Cms;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Certification.Api.Tests;

/// <summary>An officer whose key is on a token: prepare returns the digest and a handle, the token signs,
/// complete embeds the signature and the office seal; the copy verifies and takes the next number. The
/// number printed at prepare is taken only at completion, so the book never has a gap.</summary>
public sealed class TwoStepSigningTests
{
    private static MultipartFormDataContent Form() => new()
    {
        { new ByteArrayContent(Scans.Page(1)), "files", "p1.jpg" }, { new StringContent("Sổ hộ khẩu"), "documentTitle" },
        { new StringContent("Nguyễn Văn Mẫu"), "requesterName" }, { new StringContent("001099000000"), "requesterIdNumber" },
    };

    private static async Task<JsonObject> PrepareAsync(HttpClient officer)
    {
        var prepared = await officer.PostAsync("/api/v1/signing-sessions", Form());
        Assert.Equal(HttpStatusCode.Accepted, prepared.StatusCode);
        return (await prepared.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    /// <summary>The token signs the session's digest; returns the completion response.</summary>
    private static async Task<HttpResponseMessage> CompleteAsync(ServiceHost host, HttpClient officer, JsonObject session)
    {
        using var token = Pkcs12SigningKey.Load(Path.Combine(host.Data.Path, "pki", "officer.token.p12"), "Demo@12345");
        var signature = await token.SignDigestAsync(Convert.FromBase64String(session["dataToSign"]!.GetValue<string>()));
        var chain = token.CertificateChain.Select(c => Convert.ToBase64String(c.GetEncoded())).ToList();
        return await officer.PostAsJsonAsync($"/api/v1/signing-sessions/{session["handle"]}/completion",
            new { signatureValue = Convert.ToBase64String(signature), certificateChain = chain });
    }

    private static async Task<List<(long Number, string Status)>> BookAsync(HttpClient officer)
    {
        var books = await officer.GetFromJsonAsync<JsonArray>("/api/v1/books");
        var report = await officer.GetFromJsonAsync<JsonObject>($"/api/v1/books/{books![0]!["id"]}");
        return report!["entries"]!.AsArray().Select(e => (e!["number"]!.GetValue<long>(), e["status"]!.GetValue<string>())).ToList();
    }

    [Fact]
    public async Task A_number_taken_while_the_signature_was_pending_asks_for_a_new_signature_and_leaves_no_gap()
    {
        using var host = new ServiceHost(level: "B-T");
        var token = await host.SignInAsync("officer.token");
        var commune = await host.SignInAsync("officer.commune");
        var first = await PrepareAsync(token);
        Assert.Equal(1, first["certificationNumber"]!.GetValue<long>());

        // Meanwhile a one-step certification in the same book takes number 1.
        Assert.Equal(1, (await ServiceHost.CertifyAsync(commune))["certificationNumber"]!.GetValue<long>());
        await ServiceHost.ProblemAsync(await CompleteAsync(host, token, first), HttpStatusCode.Conflict, "number-taken-meanwhile");
        Assert.Equal(HttpStatusCode.NotFound, (await CompleteAsync(host, token, first)).StatusCode);

        var second = await PrepareAsync(token);
        Assert.Equal(2, second["certificationNumber"]!.GetValue<long>());
        var completed = await CompleteAsync(host, token, second);
        Assert.True(completed.StatusCode == HttpStatusCode.Created, await completed.Content.ReadAsStringAsync());
        Assert.Equal([(1L, "valid"), (2L, "valid")], await BookAsync(commune));
    }

    [Fact]
    public async Task An_abandoned_signature_takes_no_number()
    {
        using var host = new ServiceHost(level: "B-T", settings: new Dictionary<string, string?> { ["Certification:Signing:ExternalSigningTimeout"] = "00:00:01" });
        var token = await host.SignInAsync("officer.token");
        var session = await PrepareAsync(token);
        Assert.Equal(1, session["certificationNumber"]!.GetValue<long>());
        await Task.Delay(TimeSpan.FromSeconds(1.2));
        // What the sweeper does every 30 s, now (it may already have: either way the session is gone).
        using (var scope = host.Services.CreateScope())
            await scope.ServiceProvider.GetRequiredService<TwoStepSigning>().ExpireSessionsAsync(CancellationToken.None);

        Assert.Equal(HttpStatusCode.NotFound, (await CompleteAsync(host, token, session)).StatusCode);
        var commune = await host.SignInAsync("officer.commune");
        Assert.Equal(1, (await ServiceHost.CertifyAsync(commune))["certificationNumber"]!.GetValue<long>());
        Assert.Equal([(1L, "valid")], await BookAsync(commune));
    }

    [Fact]
    public async Task Prepare_sign_elsewhere_complete()
    {
        using var host = new ServiceHost(level: "B-T");
        var officer = await host.SignInAsync("officer.token");
        await ServiceHost.ProblemAsync(await ServiceHost.PostCertificationAsync(officer, "x", [Scans.Page(1)]), HttpStatusCode.Conflict, "external-signer-required");

        var form = new MultipartFormDataContent { { new ByteArrayContent(Scans.Page(1)), "files", "p1.jpg" }, { new StringContent("Sổ hộ khẩu"), "documentTitle" },
            { new StringContent("Nguyễn Văn Mẫu"), "requesterName" }, { new StringContent("001099000000"), "requesterIdNumber" } };
        var prepared = await officer.PostAsync("/api/v1/signing-sessions", form);
        Assert.Equal(HttpStatusCode.Accepted, prepared.StatusCode);
        var session = (await prepared.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(1, session["certificationNumber"]!.GetValue<long>());

        // The "token": the key the service never sees.
        using var token = Pkcs12SigningKey.Load(Path.Combine(host.Data.Path, "pki", "officer.token.p12"), "Demo@12345");
        var signature = await token.SignDigestAsync(Convert.FromBase64String(session["dataToSign"]!.GetValue<string>()));
        var chain = token.CertificateChain.Select(c => Convert.ToBase64String(c.GetEncoded())).ToList();

        var other = await host.SignInAsync("officer.commune");
        await ServiceHost.ProblemAsync(await other.PostAsJsonAsync($"/api/v1/signing-sessions/{session["handle"]}/completion",
            new { signatureValue = Convert.ToBase64String(signature), certificateChain = chain }), HttpStatusCode.Forbidden, "forbidden");
        await ServiceHost.ProblemAsync(await officer.PostAsJsonAsync($"/api/v1/signing-sessions/{session["handle"]}/completion",
            new { signatureValue = Convert.ToBase64String(new byte[64]), certificateChain = chain }), HttpStatusCode.UnprocessableEntity, "signature-rejected");

        var completed = await officer.PostAsJsonAsync($"/api/v1/signing-sessions/{session["handle"]}/completion",
            new { signatureValue = Convert.ToBase64String(signature), certificateChain = chain });
        var body = await completed.Content.ReadAsStringAsync();
        Assert.True(completed.StatusCode == HttpStatusCode.Created, body);
        var issued = JsonNode.Parse(body)!;
        Assert.Equal(1, issued["certificationNumber"]!.GetValue<long>());

        var pdf = await host.CreateClient().GetByteArrayAsync($"/api/v1/copies/{issued["accessCode"]}");
        var verdict = await ServiceHost.VerifyAsync(host.CreateClient(), pdf);
        Assert.Equal("TOTAL_PASSED", verdict["indication"]!.GetValue<string>());
        Assert.Equal("valid", verdict["registry"]!["status"]!.GetValue<string>());
        var next = await ServiceHost.CertifyAsync(other);
        Assert.Equal(2, next["certificationNumber"]!.GetValue<long>());
    }
}
