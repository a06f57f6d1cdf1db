using System.Net;
using System.Text.Json.Nodes;
using Certification.Api.Infrastructure;
using Certification.TestSupport;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Certification.Api.Tests;

/// <summary><c>POST /api/v1/scans/inspection</c>: its JSON contract, proposals kept with the request once certified, the
/// same original found again, and bad scans refused with the problem types a certification gives.</summary>
public sealed class ScanInspectionTests : IClassFixture<ScanInspectionTests.Host>
{
    public sealed class Host : IDisposable
    {
        // Darker than 0.45 refuses here (default 0.15), so a darkened sample shows the gate's refusal.
        public ServiceHost Service { get; } = new(settings: new Dictionary<string, string?> { ["Certification:Reading:Quality:BrightnessRefusal"] = "0.45" });
        public void Dispose() => Service.Dispose();
    }

    private readonly ServiceHost _host;

    public ScanInspectionTests(Host host) => _host = host.Service;

    private static async Task<HttpResponseMessage> InspectAsync(HttpClient client, string path)
    {
        var form = new MultipartFormDataContent { { new ByteArrayContent(File.ReadAllBytes(path)), "files", Path.GetFileName(path) } };
        return await client.PostAsync("/api/v1/scans/inspection", form);
    }

    private static async Task<JsonObject> InspectedAsync(HttpClient client, string path)
    {
        var response = await InspectAsync(client, path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!.AsObject();
    }

    [Fact]
    public async Task Clean_scan_answers_the_contract_with_proposals_measures_and_no_duplicates()
    {
        var officer = await _host.SignInAsync("officer.commune");
        var body = await InspectedAsync(officer, DegradedScans.SamplePath("cccd-mau.png"));

        Assert.Equal(["pages", "proposals", "duplicates"], body.Select(p => p.Key));
        var page = body["pages"]!.AsArray().Single()!.AsObject();
        Assert.Equal(["page", "quality"], page.Select(p => p.Key));
        Assert.Equal(1, page["page"]!.GetValue<int>());
        var quality = page["quality"]!.AsObject();
        Assert.Equal(["sharpness", "skewDegrees", "cutOff", "brightness", "contrast", "warnings"], quality.Select(p => p.Key));
        Assert.True(quality["sharpness"]!.GetValue<double>() > 1);
        Assert.False(quality["cutOff"]!.GetValue<bool>());
        Assert.Empty(quality["warnings"]!.AsArray());

        var proposals = body["proposals"]!.AsObject();
        Assert.Equal(["documentType", "holderName", "idNumbers", "dates"], proposals.Select(p => p.Key));
        Assert.Equal("Căn cước công dân", proposals["documentType"]!["value"]!.GetValue<string>());
        Assert.Equal("NGUYỄN VĂN MẪU", proposals["holderName"]!["value"]!.GetValue<string>());
        Assert.InRange(proposals["holderName"]!["confidence"]!.GetValue<double>(), 0.5, 1);
        Assert.Equal(1, proposals["holderName"]!["region"]!["page"]!.GetValue<int>());
        var id = proposals["idNumbers"]!.AsArray()[0]!;
        Assert.Equal("001099000000", id["value"]!.GetValue<string>());
        Assert.True(id["valid"]!.GetValue<bool>());
        Assert.Equal(1999, id["birthYear"]!.GetValue<int>());
        Assert.Contains(proposals["dates"]!.AsArray(), d => d!["value"]!.GetValue<string>() == "1999-01-01" && d["confidence"]!.GetValue<double>() > 0.5);
        Assert.Empty(body["duplicates"]!.AsArray());
    }

    [Fact]
    public async Task Original_certified_before_is_reported_when_brought_again_and_the_inspection_stays_with_the_request()
    {
        var officer = await _host.SignInAsync("officer.commune");
        var original = DegradedScans.SamplePath("giay-khai-sinh-mau.jpg");
        var first = await InspectedAsync(officer, original);
        Assert.Empty(first["duplicates"]!.AsArray());
        Assert.Equal("Giấy khai sinh", first["proposals"]!["documentType"]!["value"]!.GetValue<string>());

        var issued = await ServiceHost.CertifyAsync(officer, "Giấy khai sinh", File.ReadAllBytes(original));
        using (var scope = _host.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CertificationDbContext>();
            var kept = await db.ScanInspections.AsNoTracking().SingleAsync(i => i.RequestId == Guid.Parse(issued["requestId"]!.GetValue<string>()));
            Assert.Equal(Guid.Parse(issued["documentId"]!.GetValue<string>()), kept.DocumentId);
            Assert.Contains("NGUYỄN VĂN MẪU", JsonNode.Parse(kept.Report)!["proposals"]!["holderName"]!["value"]!.GetValue<string>());
            Assert.Equal(1, await db.CopyPageFingerprints.CountAsync(f => f.CertifiedCopyId == Guid.Parse(issued["id"]!.GetValue<string>())));
        }

        foreach (var again in new[] { original, DegradedScans.Get("giay-khai-sinh-mau.jpg", Degradation.Rescanned) })
        {
            var duplicate = (await InspectedAsync(officer, again))["duplicates"]!.AsArray().Single()!.AsObject();
            Assert.Equal(["certificationId", "number", "book", "date"], duplicate.Select(p => p.Key));
            Assert.Equal(issued["id"]!.GetValue<string>(), duplicate["certificationId"]!.GetValue<string>());
            Assert.Equal(issued["certificationNumber"]!.GetValue<long>(), duplicate["number"]!.GetValue<long>());
            Assert.Equal(issued["book"]!.GetValue<string>(), duplicate["book"]!.GetValue<string>());
            Assert.Equal(issued["date"]!.GetValue<string>(), duplicate["date"]!.GetValue<string>());
        }
        // Another office's officer is not told about this office's copies (scope Office by default).
        var notary = await _host.SignInAsync("officer.notary");
        Assert.Empty((await InspectedAsync(notary, original))["duplicates"]!.AsArray());
        // A distinct document is no duplicate.
        Assert.Empty((await InspectedAsync(officer, DegradedScans.SamplePath("scans/sample-page-1.jpg")))["duplicates"]!.AsArray());
    }

    [Fact]
    public async Task On_postgresql_a_certified_original_is_found_again_and_a_distinct_one_is_not()
    {
        using var database = TestPostgres.CreateDatabase();
        var settings = database.Settings();
        settings["Certification:Reading:Ocr:MaxPages"] = "0"; // the registry is under test here, not the OCR
        using var host = new ServiceHost(settings: settings);
        var officer = await host.SignInAsync("officer.commune");
        var original = DegradedScans.SamplePath("scans/sample-page-1.jpg");
        var issued = await ServiceHost.CertifyAsync(officer, "Đơn đề nghị", File.ReadAllBytes(original));
        var duplicate = (await InspectedAsync(officer, DegradedScans.Get("scans/sample-page-1.jpg", Degradation.Rescanned)))["duplicates"]!.AsArray().Single()!;
        Assert.Equal(issued["id"]!.GetValue<string>(), duplicate["certificationId"]!.GetValue<string>());
        Assert.Empty((await InspectedAsync(officer, DegradedScans.SamplePath("giay-khai-sinh-mau.jpg")))["duplicates"]!.AsArray());
    }

    [Fact]
    public async Task Degraded_scan_warns_and_a_refused_one_gets_the_certification_problem_type()
    {
        var officer = await _host.SignInAsync("officer.commune");
        var skewed = await InspectedAsync(officer, DegradedScans.Get("scans/sample-page-1.jpg", Degradation.Skewed));
        var warning = skewed["pages"]![0]!["quality"]!["warnings"]!.AsArray().Single()!;
        Assert.Equal("skewed", warning["code"]!.GetValue<string>());
        Assert.StartsWith("trang 1 bị nghiêng", warning["message"]!.GetValue<string>());

        var dark = DegradedScans.Get("scans/sample-page-1.jpg", Degradation.Darkened);
        var inspected = await ServiceHost.ProblemAsync(await InspectAsync(officer, dark), HttpStatusCode.UnprocessableEntity, "scan-rejected/too-dark");
        var certified = await ServiceHost.ProblemAsync(await ServiceHost.PostCertificationAsync(officer, "Đơn đề nghị", [File.ReadAllBytes(dark)]),
            HttpStatusCode.UnprocessableEntity, "scan-rejected/too-dark");
        Assert.Equal(certified["detail"]!.GetValue<string>(), inspected["detail"]!.GetValue<string>().Replace(Path.GetFileName(dark), "page-1.jpg"));
        await ServiceHost.ProblemAsync(await officer.PostAsync("/api/v1/scans/inspection",
            new MultipartFormDataContent { { new ByteArrayContent([]), "files", "empty.jpg" } }), HttpStatusCode.UnprocessableEntity, "scan-rejected/empty");
    }
}
