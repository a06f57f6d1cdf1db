using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Xml;
using Certification.Api.Infrastructure;
using Certification.Signing.Pki;
using Certification.Signing.Trust;
using Certification.TestSupport;
using Certification.TestSupport.ExternalTools;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Certification.Api.Tests;

/// <summary>Evidence an online service files (ETSI XML and the sealed PDF report, chosen with Accept) and the
/// trust store behind every verdict: its version in each report, reloaded by an administrator without a restart.</summary>
public sealed class TrustEvidenceTests
{
    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, byte[] pdf, string accept)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/verifications")
        {
            Content = new MultipartFormDataContent { { new ByteArrayContent(pdf), "file", "bản sao.pdf" } },
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
        return await client.SendAsync(request);
    }

    [Fact]
    public async Task The_verification_endpoint_answers_ETSI_XML_and_a_sealed_PDF_report_by_Accept()
    {
        using var host = new ServiceHost(realPort: true); // pdfsig asks the seal's OCSP responder at the service's URL
        var officer = await host.SignInAsync("officer.commune");
        var anonymous = host.CreateClient();
        var issued = await ServiceHost.CertifyAsync(officer);
        var copy = await anonymous.GetByteArrayAsync($"/api/v1/copies/{issued["accessCode"]}");
        var json = await ServiceHost.VerifyAsync(anonymous, copy);
        var version = json["trustStoreVersion"]!.GetValue<string>();
        Assert.Matches("^[0-9a-f]{16}$", version);

        var xmlResponse = await PostAsync(anonymous, copy, "application/xml");
        Assert.Equal(HttpStatusCode.OK, xmlResponse.StatusCode);
        Assert.Equal("application/xml", xmlResponse.Content.Headers.ContentType?.MediaType);
        var xml = new XmlDocument();
        xml.LoadXml(await xmlResponse.Content.ReadAsStringAsync());
        var ns = new XmlNamespaceManager(xml.NameTable);
        ns.AddNamespace("vr", "http://uri.etsi.org/19102/v1.2.1#");
        ns.AddNamespace("cv", "urn:certification:validation-report:v1");
        Assert.Equal("TOTAL_PASSED", json["indication"]!.GetValue<string>());
        Assert.Equal("urn:etsi:019102:mainindication:total-passed",
            xml.SelectSingleNode("//vr:SignatureValidationReport[1]/vr:SignatureValidationStatus/vr:MainIndication", ns)!.InnerText);
        Assert.Equal(version, xml.SelectSingleNode("//cv:TrustStoreVersion", ns)!.InnerText);

        var pdfResponse = await PostAsync(anonymous, copy, "application/pdf");
        Assert.Equal(HttpStatusCode.OK, pdfResponse.StatusCode);
        Assert.Equal("application/pdf", pdfResponse.Content.Headers.ContentType?.MediaType);
        var report = await pdfResponse.Content.ReadAsByteArrayAsync();
        // The sealed report verifies with the service itself and with pdfsig trusting the served anchors.
        var reportVerdict = await ServiceHost.VerifyAsync(anonymous, report);
        Assert.Equal("TOTAL_PASSED", reportVerdict["indication"]!.GetValue<string>());
        Assert.Contains("verification service", reportVerdict["signatures"]![0]!["signer"]!["subject"]!.GetValue<string>());
        using var dir = new TempDirectory("api-report");
        var anchors = dir.File("anchors.pem");
        await File.WriteAllTextAsync(anchors, await anonymous.GetStringAsync("/api/v1/trust/anchors"));
        var path = dir.File("report.pdf");
        await File.WriteAllBytesAsync(path, report);
        var seal = Pdfsig.Verify(path, anchors).Signatures[0];
        Assert.True(seal.IsValid && seal.IsTrusted, seal.ToString());
    }

    [Fact]
    public async Task An_administrator_reloads_the_trust_store_without_a_restart_and_reports_carry_its_version()
    {
        using var storeDir = new TempDirectory("api-trust-store");
        using var host = new ServiceHost(settings: new Dictionary<string, string?> { ["Certification:Trust:StoreDirectory"] = storeDir.Path });
        var officer = await host.SignInAsync("officer.commune");
        var admin = await host.SignInAsync("admin");
        var anonymous = host.CreateClient();
        var issued = await ServiceHost.CertifyAsync(officer);
        var copy = await anonymous.GetByteArrayAsync($"/api/v1/copies/{issued["accessCode"]}");

        var empty = (await admin.GetFromJsonAsync<JsonObject>("/api/v1/admin/trust"))!;
        Assert.Empty(empty["anchors"]!.AsArray());
        var before = await ServiceHost.VerifyAsync(anonymous, copy);
        Assert.Equal("INDETERMINATE", before["indication"]!.GetValue<string>());
        Assert.Equal(empty["version"]!.GetValue<string>(), before["trustStoreVersion"]!.GetValue<string>());

        // The operator imports the (development) root for public-duty signatures and timestamps, then reloads.
        var root = host.Services.GetRequiredService<TrustServices>().Pki!.Root.Certificate;
        var pem = TestPki.WritePem(storeDir.Path, "incoming-root.pem", [root]);
        new TrustStoreDirectory(storeDir.Path).Import(new TrustSource
        {
            Name = "development-root", Kind = TrustSource.BundleKind, File = pem,
            Purposes = [TrustPurpose.PublicDutySignatures, TrustPurpose.Timestamps],
        }, pem, null, DateTimeOffset.UtcNow);
        Assert.Equal(HttpStatusCode.Forbidden, (await officer.PostAsync("/api/v1/admin/trust/reload", null)).StatusCode);
        var reloaded = await admin.PostAsync("/api/v1/admin/trust/reload", null);
        Assert.Equal(HttpStatusCode.OK, reloaded.StatusCode);
        var store = (await reloaded.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(2, store["anchors"]!.AsArray().Count);
        Assert.NotEqual(empty["version"]!.GetValue<string>(), store["version"]!.GetValue<string>());

        var after = await ServiceHost.VerifyAsync(anonymous, copy);
        Assert.Equal("TOTAL_PASSED", after["indication"]!.GetValue<string>());
        Assert.Equal(store["version"]!.GetValue<string>(), after["trustStoreVersion"]!.GetValue<string>());
        Assert.Equal("PUBLIC_DUTY_SIGNATURES", after["signatures"]![0]!["trustAnchor"]!["purpose"]!.GetValue<string>());
    }

    [Fact]
    public async Task Reloading_without_a_store_directory_is_a_problem()
    {
        using var host = new ServiceHost();
        var admin = await host.SignInAsync("admin");
        await ServiceHost.ProblemAsync(await admin.PostAsync("/api/v1/admin/trust/reload", null), HttpStatusCode.Conflict, "trust-store-not-configured");
    }
}
