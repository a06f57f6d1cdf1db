using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Certification.Signing.Cms;
using Xunit;

namespace Certification.Api.Tests;

/// <summary>An officer whose key is on a token: prepare returns the digest and a handle, the token signs,
/// complete embeds the signature and the office seal; the copy verifies and takes the next number.</summary>
public sealed class TwoStepSigningTests
{
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
