using System.Net;
using System.Net.Sockets;
using Certification.TestSupport;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Xunit;

namespace Certification.Web.Tests;

/// <summary>
/// The service on a real loopback socket (Kestrel), with its own data directory and a fast demo PKI, and one
/// headless Debian Chromium driven by Playwright. Playwright's own browser download does not work here, so the
/// browser is <c>/usr/bin/chromium</c> (test.sh installs the <c>chromium</c> package); without it every test
/// fails, never skips.
/// </summary>
public sealed class WebHost : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium";
    public const string Password = "Demo@12345";

    private readonly TempDirectory _data = new("certification-web");
    private IPlaywright? _playwright;

    public WebHost()
    {
        Port = FreePort();
        BaseUrl = $"http://127.0.0.1:{Port}";
        UseKestrel(Port);
        StartServer();
    }

    public int Port { get; }
    public string BaseUrl { get; }
    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Where screenshots go: <c>docs/screenshots/</c> when <c>UPDATE_SCREENSHOTS=1</c>, a temporary folder otherwise
    /// (they are still taken, so the pages are exercised at both widths).</summary>
    public string ScreenshotDirectory { get; } = Environment.GetEnvironmentVariable("UPDATE_SCREENSHOTS") == "1"
        ? Path.Combine(RepositoryRoot(), "docs", "screenshots")
        : Directory.CreateTempSubdirectory("certification-screenshots-").FullName;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Certification:DataDirectory"] = _data.Path,
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.AspNetCore.DataProtection"] = "Error",
            ["Certification:Signing:Level"] = "B-LT",
            ["Certification:DemoSetup:KeyAlgorithm"] = "EcdsaP256",
            ["Certification:DemoSetup:RootKeyAlgorithm"] = "EcdsaP256",
            ["Certification:DemoSetup:PrintBanner"] = "false",
            ["Certification:Limits:VerificationsPerMinute"] = "100000",
            ["Certification:Limits:CopyLookupsPerMinute"] = "100000",
            ["Certification:Limits:SignInsPerMinute"] = "100000",
            ["Certification:PublicBaseUrl"] = BaseUrl + "/",
            // The notary signs through the development remote signing provider (approve on the phone).
            ["Certification:RemoteSigning:Officers:officer.notary"] = "notary",
        };
        foreach (var (k, v) in settings) builder.UseSetting(k, v);
        builder.UseEnvironment("Testing");
    }

    public async Task InitializeAsync()
    {
        Assert.True(File.Exists(Chromium),
            $"{Chromium} is missing: install Debian's Chromium (apt-get install -y chromium; test.sh does). Playwright's browser download is not used.");
        // Expect() waits 5 s by default; the first certification of a run (JIT, B-LT with OCSP) can take longer on a busy 2-core machine.
        Assertions.SetDefaultExpectTimeout(20_000);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync"],
        });
        using var client = new HttpClient();
        for (var i = 0; i < 100; i++)
        {
            if ((await client.GetAsync(BaseUrl + "/health")).IsSuccessStatusCode) return;
            await Task.Delay(100);
        }
        throw new TimeoutException("The service did not become ready.");
    }

    /// <summary>A fresh browser context (its own cookies) at desktop width, Vietnamese.</summary>
    public async Task<IPage> NewPageAsync(int width = 1280, int height = 800)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseUrl, ViewportSize = new ViewportSize { Width = width, Height = height }, Locale = "vi-VN", AcceptDownloads = true,
        });
        context.SetDefaultTimeout(20_000);
        return await context.NewPageAsync();
    }

    public async Task<IPage> SignInAsync(string user)
    {
        var page = await NewPageAsync();
        await page.GotoAsync("/signin");
        await page.GetByLabel("Tên đăng nhập").FillAsync(user);
        await page.GetByLabel("Mật khẩu").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Đăng nhập" }).ClickAsync();
        // The first sign-in of a run is the service's first POST and console render (JIT, data-protection keys):
        // once seen to exceed the 20 s default on a 2-core machine, so it gets a minute.
        await page.WaitForURLAsync("**/console", new() { Timeout = 60_000 });
        return page;
    }

    /// <summary>Checks the current page with axe-core (WCAG 2.1 A/AA: contrast, labels, landmarks, names; no serious or
    /// critical violation allowed), then takes full-page screenshots at desktop (1280x800) and phone (390x844) widths.</summary>
    public async Task ScreenshotAsync(IPage page, string name)
    {
        var axe = await page.RunAxe(new Deque.AxeCore.Commons.AxeRunOptions
        {
            RunOnly = new Deque.AxeCore.Commons.RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
        });
        var serious = axe.Violations.Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Target?.ToString()))}").ToList();
        Assert.True(serious.Count == 0, $"{name}: accessibility violations:\n" + string.Join("\n", serious));

        foreach (var (suffix, w, h) in new[] { ("desktop", 1280, 800), ("phone", 390, 844) })
        {
            await page.SetViewportSizeAsync(w, h);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, $"{name}-{suffix}.png"), FullPage = true });
        }
        await page.SetViewportSizeAsync(1280, 800);
    }

    public new async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.CloseAsync();
        _playwright?.Dispose();
        await base.DisposeAsync();
        _data.Dispose();
    }

    public static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Certification.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Certification.sln not found above the test output.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

[CollectionDefinition(Name)]
public sealed class WebCollection : ICollectionFixture<WebHost>
{
    public const string Name = "web";
}
