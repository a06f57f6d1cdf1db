using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using Certification.TestSupport;
using Certification.TestSupport.ExternalTools;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Certification.Api.Tests;

/// <summary>The service in-process with its own temporary data directory and a fast (ECDSA P-256) demo PKI.
/// <paramref name="realPort"/> puts it on Kestrel at a loopback port, so external tools (pdfsig's OCSP
/// lookups) reach the PKI endpoints at the URLs the certificates name. <paramref name="services"/> stands in
/// for services the test controls (a clock, a timestamp authority). <paramref name="data"/> shares a data directory with another
/// host (a restart): the caller then owns it.</summary>
public sealed class ServiceHost : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _services;

    private readonly bool _ownsData;

    public ServiceHost(string level = "B-B", bool realPort = false, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null,
        TempDirectory? data = null)
    {
        _services = services;
        _ownsData = data is null;
        Data = data ?? new TempDirectory("certification-api");
        Port = realPort ? FreePort() : 0;
        _settings = new Dictionary<string, string?>
        {
            ["Certification:DataDirectory"] = Data.Path,
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.AspNetCore.DataProtection"] = "Error",
            ["Certification:Signing:Level"] = level,
            ["Certification:DemoSetup:KeyAlgorithm"] = "EcdsaP256",
            ["Certification:DemoSetup:RootKeyAlgorithm"] = "EcdsaP256",
            ["Certification:DemoSetup:PrintBanner"] = "false",
            ["Certification:Limits:VerificationsPerMinute"] = "100000",
            ["Certification:Limits:CopyLookupsPerMinute"] = "100000",
            ["Certification:Limits:SignInsPerMinute"] = "100000",
            ["Certification:PublicBaseUrl"] = realPort ? $"http://127.0.0.1:{Port}/" : "http://localhost/",
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>()) _settings[k] = v;
        if (realPort)
        {
            UseKestrel(Port);
            StartServer();
        }
    }

    public TempDirectory Data { get; }
    public int Port { get; }
    public string DatabasePath => Data.File("certification.db");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (k, v) in _settings) builder.UseSetting(k, v);
        builder.UseEnvironment("Testing");
        if (_services is not null) builder.ConfigureTestServices(_services);
    }

    public async Task<HttpClient> SignInAsync(string user)
    {
        var client = CreateClient();
        var response = await client.PostAsJsonAsync("/api/v1/auth/token", new { username = user, password = "Demo@12345" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var token = (await response.Content.ReadFromJsonAsync<JsonObject>())!["accessToken"]!.GetValue<string>();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public static async Task<JsonObject> CertifyAsync(HttpClient client, string title = "Giấy khai sinh", params byte[][] scans)
    {
        var response = await PostCertificationAsync(client, title, scans.Length == 0 ? [Scans.Page(1)] : scans);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!.AsObject();
    }

    /// <summary>Certifies one page for the citizen with this ID number.</summary>
    public static async Task<JsonObject> CertifyForAsync(HttpClient client, string requesterIdNumber, string title = "Giấy khai sinh")
    {
        var response = await PostCertificationAsync(client, title, [Scans.Page(1)], requesterIdNumber: requesterIdNumber);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!.AsObject();
    }

    public static Task<HttpResponseMessage> PostCertificationAsync(HttpClient client, string title, IEnumerable<byte[]> scans, string? fileName = null,
        string requesterIdNumber = "001099000000")
    {
        var form = new MultipartFormDataContent();
        var i = 0;
        foreach (var scan in scans)
            form.Add(new ByteArrayContent(scan), "files", fileName ?? $"page-{++i}.jpg");
        form.Add(new StringContent(title), "documentTitle");
        form.Add(new StringContent("Nguyễn Văn Mẫu"), "requesterName");
        form.Add(new StringContent(requesterIdNumber), "requesterIdNumber");
        return client.PostAsync("/api/v1/certifications", form);
    }

    public static async Task<JsonObject> VerifyAsync(HttpClient client, byte[] pdf)
    {
        var form = new MultipartFormDataContent { { new ByteArrayContent(pdf), "file", "copy.pdf" } };
        var response = await client.PostAsync("/api/v1/verifications", form);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!.AsObject();
    }

    /// <summary>pdfsig's judgement of a copy, trusting only the anchors the service serves.</summary>
    public static async Task<PdfsigReport> PdfsigAsync(HttpClient client, byte[] pdf)
    {
        using var work = new TempDirectory("certification-pdfsig");
        File.WriteAllBytes(work.File("copy.pdf"), pdf);
        File.WriteAllText(work.File("anchors.pem"), await client.GetStringAsync("/api/v1/trust/anchors"));
        return Pdfsig.Verify(work.File("copy.pdf"), work.File("anchors.pem"));
    }

    public static async Task<JsonObject> ProblemAsync(HttpResponseMessage response, HttpStatusCode status, string slug)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status} {slug}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(body)!.AsObject();
        Assert.Equal("https://certification.example/problems/" + slug, problem["type"]!.GetValue<string>());
        return problem;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && _ownsData) Data.Dispose();
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
}

/// <summary>Small scans made with ImageMagick (cached): 1240×1754 pixels at 200 dpi (the minimum scan intake
/// accepts), different bytes per page.</summary>
public static class Scans
{
    private static readonly Lazy<byte[]> Base = new(() => File.ReadAllBytes(SamplePdfs.CachedJpeg(1240, 1754, quality: 60, seed: 5, dpi: 200)));

    public static byte[] Page(int n) => SamplePdfs.WithJpegComment(Base.Value, $"page {n} {Guid.NewGuid()}");
}
