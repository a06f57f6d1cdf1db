using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Certification.Signing.Pdf;
using Certification.Signing.Pdf.Writing;
using Certification.TestSupport;
using Xunit;

namespace Certification.Api.Tests;

/// <summary>Every bad input gets a 4xx problem+json response with a type of its own, never a 500, and never
/// consumes a number.</summary>
public sealed class BadInputTests : IClassFixture<BadInputTests.Host>
{
    public sealed class Host : IDisposable
    {
        public ServiceHost Service { get; } = new(settings: new Dictionary<string, string?> { ["Certification:Limits:MaxRequestBytes"] = "8000000" });
        public void Dispose() => Service.Dispose();
    }

    private readonly ServiceHost _host;

    public BadInputTests(Host host) => _host = host.Service;

    /// <summary>../shared/fixtures/bad/README.tsv, each file with the problem type it must get.</summary>
    public static TheoryData<string, string> SharedBadFiles() => new()
    {
        { "empty.jpg", "empty" },
        { "truncated.jpg", "truncated" },
        { "not-an-image.jpg", "unsupported-type" },
        { "html-as-png.png", "unsupported-type" },
        { "pdf-with-javascript.pdf", "active-pdf-content" },
        { "encrypted.pdf", "encrypted-pdf" },
        { "pdf-not-a-scan.pdf", "not-a-scan" },
        { "zip-bomb-ish.png", "too-many-pixels" },
        { "huge-dimensions.jpg", "too-many-pixels" },
        { "tiny.jpg", "too-small" },
        { "polyglot.jpg", "trailing-data" },
        { "svg-as-jpg.jpg", "unsupported-type" },
        { "tiff-zero-pages.tiff", "no-pages" },
        { "tiff-bad-ifd.tiff", "corrupt" },
    };

    [SharedFixtureTheory]
    [Trait("Category", SharedFixtures.Category)]
    [MemberData(nameof(SharedBadFiles))]
    public async Task Shared_bad_fixture_is_refused_with_its_own_problem_type(string file, string code)
    {
        var listed = File.ReadAllLines(SharedFixtures.File("bad", "README.tsv")).Skip(1).Select(l => l.Split('\t')[0]).ToHashSet();
        Assert.Contains(file, listed);
        await AssertRejectedAsync(File.ReadAllBytes(SharedFixtures.File("bad", file)), file, code);
    }

    [SharedFixtureFact]
    [Trait("Category", SharedFixtures.Category)]
    public void Every_shared_bad_fixture_has_an_expected_type()
    {
        var listed = File.ReadAllLines(SharedFixtures.File("bad", "README.tsv")).Skip(1).Where(l => l.Length > 0).Select(l => l.Split('\t')[0]);
        var covered = SharedBadFiles().Select(row => (string)row[0]).ToHashSet();
        Assert.All(listed, f => Assert.Contains(f, covered));
    }

    public static TheoryData<string, string> GeneratedBadScans() => new()
    {
        { "empty", "empty" },
        { "text", "unsupported-type" },
        { "html", "unsupported-type" },
        { "truncated-jpeg", "truncated" },
        { "jpeg-with-zip", "trailing-data" },
        { "huge-jpeg", "too-many-pixels" },
        { "tiny-jpeg", "too-small" },
        { "huge-png", "too-many-pixels" },
        { "tiff-no-pages", "no-pages" },
        { "tiff-offset-outside", "corrupt" },
        { "pdf-javascript", "active-pdf-content" },
    };

    [Theory]
    [MemberData(nameof(GeneratedBadScans))]
    public async Task Generated_bad_scan_is_refused_with_its_own_problem_type(string kind, string code) =>
        await AssertRejectedAsync(Generate(kind), kind + ".jpg", code);

    private async Task AssertRejectedAsync(byte[] content, string fileName, string code)
    {
        var officer = await _host.SignInAsync("officer.commune");
        var before = await LastNumberAsync(officer);
        var response = await ServiceHost.PostCertificationAsync(officer, "Bad", [Scans.Page(1), content], fileName);
        var problem = await ServiceHost.ProblemAsync(response, HttpStatusCode.UnprocessableEntity, "scan-rejected/" + code);
        Assert.False(string.IsNullOrWhiteSpace(problem["detail"]?.GetValue<string>()));
        Assert.Equal(before, await LastNumberAsync(officer));
    }

    private static async Task<long> LastNumberAsync(HttpClient officer)
    {
        var books = await officer.GetFromJsonAsync<JsonArray>("/api/v1/books");
        return books!.Count == 0 ? 0 : books[0]!["lastNumber"]!.GetValue<long>();
    }

    private static byte[] Generate(string kind)
    {
        var jpeg = Scans.Page(1);
        return kind switch
        {
            "empty" => [],
            "text" => Encoding.UTF8.GetBytes("Đây không phải là ảnh quét.\n"),
            "html" => Encoding.UTF8.GetBytes("<!DOCTYPE html><html><script>alert(1)</script></html>"),
            "truncated-jpeg" => jpeg[..(jpeg.Length * 2 / 5)],
            "jpeg-with-zip" => [.. jpeg, .. "PK\u0003\u0004payload"u8.ToArray()],
            "huge-jpeg" => PatchJpegSize(jpeg, 60000, 60000),
            "tiny-jpeg" => PatchJpegSize(jpeg, 16, 16),
            "huge-png" => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, (byte)'I', (byte)'H', (byte)'D', (byte)'R', 0, 0, 0x75, 0x30, 0, 0, 0x75, 0x30, 8, 2, 0, 0, 0, 0, 0, 0, 0],
            "tiff-no-pages" => "II*\0\0\0\0\0"u8.ToArray(),
            "tiff-offset-outside" => [.. "II*\0"u8.ToArray(), 0xF0, 0xFF, 0xFF, 0x7F, 0, 0, 0, 0],
            "pdf-javascript" => WithOpenActionJavaScript(),
            _ => throw new ArgumentException(kind),
        };
    }

    /// <summary>A genuine image-only scan (img2pdf) with a JavaScript /OpenAction appended as an incremental update.</summary>
    private static byte[] WithOpenActionJavaScript()
    {
        using var dir = new TempDirectory();
        var scan = File.ReadAllBytes(SamplePdfs.ImageOnlyScan(dir.Path));
        var file = PdfFile.Open(scan);
        var update = new IncrementalUpdate(file);
        var catalog = new PdfDictionary(file.Catalog).Set("OpenAction", new PdfDictionary()
            .Set("S", new PdfName("JavaScript")).Set("JS", new PdfString("app.alert(1)"u8.ToArray())));
        update.Set((PdfReference)file.Trailer["Root"]!, catalog);
        return [.. scan, .. update.Write().Bytes.Span];
    }

    /// <summary>Rewrites the SOFn frame header's height and width.</summary>
    private static byte[] PatchJpegSize(byte[] jpeg, int width, int height)
    {
        var copy = (byte[])jpeg.Clone();
        var at = 2;
        while (at + 4 < copy.Length)
        {
            var marker = copy[at + 1];
            var length = (copy[at + 2] << 8) | copy[at + 3];
            if (marker is 0xC0 or 0xC1 or 0xC2)
            {
                copy[at + 5] = (byte)(height >> 8); copy[at + 6] = (byte)height;
                copy[at + 7] = (byte)(width >> 8); copy[at + 8] = (byte)width;
                return copy;
            }
            at += 2 + length;
        }
        throw new InvalidOperationException("no SOF");
    }

    [Fact]
    public async Task Malformed_requests_get_problem_types_of_their_own()
    {
        var officer = await _host.SignInAsync("officer.commune");
        var anonymous = _host.CreateClient();
        await ServiceHost.ProblemAsync(await officer.PostAsync("/api/v1/certifications", new MultipartFormDataContent { { new StringContent("x"), "documentTitle" } }),
            HttpStatusCode.BadRequest, "no-files");
        await ServiceHost.ProblemAsync(await officer.PostAsJsonAsync("/api/v1/certifications", new { documentTitle = "x" }),
            HttpStatusCode.UnsupportedMediaType, "unsupported-media-type");
        await ServiceHost.ProblemAsync(await ServiceHost.PostCertificationAsync(officer, "", [Scans.Page(1)]), HttpStatusCode.BadRequest, "invalid-request");
        var tooMany = Enumerable.Range(0, 51).Select(_ => new byte[] { 1 }).ToList();
        await ServiceHost.ProblemAsync(await ServiceHost.PostCertificationAsync(officer, "x", tooMany), HttpStatusCode.BadRequest, "too-many-files");
        await ServiceHost.ProblemAsync(await ServiceHost.PostCertificationAsync(officer, "x", [new byte[9_000_000]]), HttpStatusCode.RequestEntityTooLarge, "request-too-large");
        var notPdf = new MultipartFormDataContent { { new ByteArrayContent("hello"u8.ToArray()), "file", "x.pdf" } };
        await ServiceHost.ProblemAsync(await anonymous.PostAsync("/api/v1/verifications", notPdf), HttpStatusCode.UnprocessableEntity, "not-a-pdf");
        await ServiceHost.ProblemAsync(await anonymous.GetAsync("/api/v1/nothing-here"), HttpStatusCode.NotFound, "not-found");
        await ServiceHost.ProblemAsync(await officer.GetAsync($"/api/v1/certifications/{Guid.NewGuid()}"), HttpStatusCode.NotFound, "not-found");
        await ServiceHost.ProblemAsync(await anonymous.PostAsync("/api/v1/auth/token", new StringContent("{not json", Encoding.UTF8, "application/json")),
            HttpStatusCode.BadRequest, "invalid-request");
        await ServiceHost.ProblemAsync(await officer.PostAsJsonAsync("/api/v1/refusals", new { reason = "because", text = "x", documentTitle = "y" }),
            HttpStatusCode.BadRequest, "invalid-request");
        var refused = await officer.PostAsJsonAsync("/api/v1/refusals",
            new { reason = "confidential-or-copy-prohibited", text = "Bản chính đóng dấu MẬT", documentTitle = "Công văn", requesterName = "A", requesterIdNumber = "1" });
        Assert.Equal(HttpStatusCode.Created, refused.StatusCode);
        Assert.Equal(3, (await refused.Content.ReadFromJsonAsync<JsonObject>())!["article22Ground"]!.GetValue<int>());
    }

    [Fact]
    public async Task Security_headers_are_on_every_response()
    {
        var response = await _host.CreateClient().GetAsync("/health");
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Contains("default-src 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
    }
}
