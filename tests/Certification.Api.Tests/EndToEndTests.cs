using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Certification.TestSupport;
using Certification.TestSupport.ExternalTools;
using Xunit;

namespace Certification.Api.Tests;

/// <summary>The whole story over HTTP on a real socket, at B-LT: an officer certifies, the officer and the
/// citizen download the same PDF, pdfsig accepts it trusting only the served anchors (and reaches the
/// service's own OCSP/CRL endpoints), verification says valid; after revocation it says revoked.</summary>
public sealed class EndToEndTests
{
    [Fact]
    public async Task Certify_download_verify_revoke()
    {
        using var host = new ServiceHost(level: "B-LT", realPort: true);
        var officer = await host.SignInAsync("officer.commune");
        var anonymous = host.CreateClient();

        var issued = await ServiceHost.CertifyAsync(officer, "Bằng tốt nghiệp", Scans.Page(1), Scans.Page(2));
        Assert.Equal(1, issued["certificationNumber"]!.GetValue<long>());
        Assert.Equal(2, issued["pageCount"]!.GetValue<int>());
        Assert.Equal(4000, issued["fee"]!.GetValue<long>());
        Assert.Matches("^[A-Z2-7]{32}$", issued["accessCode"]!.GetValue<string>());
        var id = issued["id"]!.GetValue<string>();

        var asOfficer = await officer.GetByteArrayAsync($"/api/v1/certifications/{id}/document");
        var asCitizen = await anonymous.GetByteArrayAsync($"/api/v1/copies/{issued["accessCode"]}");
        Assert.Equal(asOfficer, asCitizen);
        Assert.Equal(issued["sha256"]!.GetValue<string>(), Convert.ToHexStringLower(SHA256.HashData(asCitizen)));

        var judged = await ServiceHost.PdfsigAsync(anonymous, asCitizen);
        Assert.True(judged.Signatures.Count == 2 && judged.Signatures.All(s => s.IsValid && s.IsTrusted), judged.ToString());

        var verdict = await ServiceHost.VerifyAsync(anonymous, asCitizen);
        Assert.Equal("TOTAL_PASSED", verdict["indication"]!.GetValue<string>());
        Assert.All(verdict["signatures"]!.AsArray(), s => Assert.Equal("PAdES-BASELINE-LT", s!["level"]!.GetValue<string>()));
        var registry = verdict["registry"]!;
        Assert.True(registry["found"]!.GetValue<bool>());
        Assert.Equal("valid", registry["status"]!.GetValue<string>());
        Assert.Equal(issued["book"]!.GetValue<string>(), registry["book"]!.GetValue<string>());
        Assert.Equal(1, registry["certificationNumber"]!.GetValue<long>());

        var revoked = await officer.PostAsJsonAsync($"/api/v1/certifications/{id}/revocation", new { reason = "Cấp nhầm người yêu cầu" });
        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        var after = await ServiceHost.VerifyAsync(anonymous, asCitizen);
        Assert.Equal("revoked", after["registry"]!["status"]!.GetValue<string>());
        await ServiceHost.ProblemAsync(await anonymous.GetAsync($"/api/v1/copies/{issued["accessCode"]}"), HttpStatusCode.Gone, "copy-revoked");
        await ServiceHost.ProblemAsync(await officer.PostAsJsonAsync($"/api/v1/certifications/{id}/revocation", new { reason = "again" }),
            HttpStatusCode.Conflict, "already-revoked");

        // A changed copy: found by its printed number, but the hash no longer matches.
        var tampered = asCitizen.Concat("\n% appended\n"u8.ToArray()).ToArray();
        var changed = await ServiceHost.VerifyAsync(anonymous, tampered);
        Assert.NotEqual("TOTAL_PASSED", changed["indication"]!.GetValue<string>());
        Assert.Equal("certificationNumber", changed["registry"]!["matchedBy"]!.GetValue<string>());
        Assert.False(changed["registry"]!["hashMatches"]!.GetValue<bool>());
    }
}
