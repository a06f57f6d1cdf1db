using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Certification.Signing.Pki;
using Certification.TestSupport;
using Certification.TestSupport.ExternalTools;
using Xunit;

namespace Certification.Api.Tests;

/// <summary>[scale] The office seal key lives in a PKCS#11 token (SoftHSM2) named by configuration only; the
/// service certifies with it (the key never leaves the token) and pdfsig accepts the copy.</summary>
[Collection(SoftHsmToken.TestCollection)]
public sealed class HsmSealTests
{
    [Fact]
    public async Task The_office_seals_with_a_key_inside_SoftHSM2_configured_by_settings_and_pdfsig_accepts_the_copy()
    {
        using var token = SoftHsmToken.Create(KeyAlgorithm.EcdsaP256, "UBND phường Demo (HSM seal)");
        using var host = new ServiceHost(level: "B-T", realPort: true, settings: new Dictionary<string, string?>
        {
            ["Certification:Hsm:OfficeSeals:0:OfficeCode"] = "DEMO-P01",
            ["Certification:Hsm:OfficeSeals:0:Module"] = SoftHsmToken.ModulePath,
            ["Certification:Hsm:OfficeSeals:0:TokenLabel"] = token.Label,
            ["Certification:Hsm:OfficeSeals:0:KeyLabel"] = token.KeyLabel,
            ["Certification:Hsm:OfficeSeals:0:Pin"] = token.UserPin,
        });
        var officer = await host.SignInAsync("officer.commune");
        var issued = await ServiceHost.CertifyAsync(officer, "Giấy khai sinh (HSM)");
        var pdf = await officer.GetByteArrayAsync($"/api/v1/certifications/{issued["id"]}/document");

        using var work = new TempDirectory("certification-hsm");
        File.WriteAllBytes(work.File("copy.pdf"), pdf);
        File.WriteAllText(work.File("anchors.pem"), await host.CreateClient().GetStringAsync("/api/v1/trust/anchors"));
        // The token's certificate was issued by the test PKI: trust its root alongside the service's anchors.
        var judged = Pdfsig.Verify(work.File("copy.pdf"), work.File("anchors.pem"), TestPki.Shared.RootsPem);
        Assert.True(judged.Signatures.Count == 2 && judged.Signatures.All(s => s.IsValid && s.IsTrusted), judged.ToString());
        Assert.Contains(judged.Signatures, s => s.SignerCommonName?.Contains("HSM seal") == true);

        // Readiness opens the token's key; the audit names the registration, never the PIN.
        var ready = await host.CreateClient().GetFromJsonAsync<JsonObject>("/health/ready");
        Assert.Equal("ok", ready!["checks"]!["signingKeys"]!["status"]!.GetValue<string>());
        var admin = await host.SignInAsync("admin");
        var entries = await admin.GetStringAsync("/api/v1/audit/entries");
        Assert.Contains("signing-identity.registered", entries);
        Assert.DoesNotContain(token.UserPin, entries);
    }
}
