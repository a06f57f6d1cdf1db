using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Xunit;

namespace Certification.Web.Tests;

/// <summary>
/// Certify once, reuse everywhere (issue 17), in a phone-sized browser: a citizen signs in through the development OpenID
/// Connect provider, sees the two copies certified for their ID number at two offices, shares one with the demo online
/// service, which downloads it with its API key and the share token; the citizen sees the download, revokes the share,
/// and the service's next fetch is refused.
/// </summary>
[Collection(WebCollection.Name)]
public sealed class ReuseWebTests(WebHost host)
{
    private const string DemoApiKey = "demo-online-service-key";
    /// <summary>Not the provider's pre-filled demo number (the other browser tests certify for that one).</summary>
    private const string CitizenId = "001299067890";

    [Fact]
    public async Task Citizen_signs_in_sees_copies_of_two_offices_shares_one_service_downloads_citizen_revokes_next_fetch_refused()
    {
        using var api = new HttpClient { BaseAddress = new Uri(host.BaseUrl) };
        await CertifyAsync(api, "officer.commune", "Giấy khai sinh");
        await CertifyAtNotaryAsync("Bằng tốt nghiệp đại học");

        // Sign-in: "my copies" sends the citizen to the (development) identity provider and back.
        var citizen = await host.NewPageAsync(390, 844);
        await citizen.GotoAsync("/");
        await citizen.GetByTestId("citizen-signin").ClickAsync();
        await citizen.WaitForURLAsync("**/dev-idp/authorize**");
        await host.ScreenshotAsync(citizen, "citizen-dev-identity-provider");
        await citizen.GetByLabel("Số định danh cá nhân (CCCD)").FillAsync(CitizenId);
        await citizen.GetByRole(AriaRole.Button, new() { Name = "Đăng nhập và quay lại dịch vụ" }).ClickAsync();
        await citizen.WaitForURLAsync("**/my/copies", new() { Timeout = 60_000 });

        var copies = citizen.GetByTestId("copy");
        await Assertions.Expect(copies).ToHaveCountAsync(2);
        await Assertions.Expect(citizen.GetByTestId("copies")).ToContainTextAsync("UBND phường Demo (DEVELOPMENT)");
        await Assertions.Expect(citizen.GetByTestId("copies")).ToContainTextAsync("Văn phòng công chứng Demo (DEVELOPMENT)");
        await Assertions.Expect(citizen.GetByTestId("status").First).ToHaveTextAsync("Có hiệu lực");
        await host.ScreenshotAsync(citizen, "citizen-my-copies");

        // Download from "my copies".
        var commune = copies.Filter(new() { Has = citizen.GetByText("UBND phường Demo (DEVELOPMENT)") });
        var download = await citizen.RunAndWaitForDownloadAsync(() => commune.GetByTestId("download").ClickAsync());
        var path = Path.Combine(Path.GetTempPath(), $"my-copy-{Guid.NewGuid():N}.pdf");
        await download.SaveAsAsync(path);
        Assert.StartsWith("%PDF-", Encoding.ASCII.GetString((await File.ReadAllBytesAsync(path))[..5]));
        File.Delete(path);

        // Share the commune's copy with the demo online service.
        await commune.GetByTestId("share").Locator("summary").ClickAsync();
        await commune.GetByLabel("Dịch vụ nhận").SelectOptionAsync(new SelectOptionValue { Label = "Cổng dịch vụ công Demo (DEVELOPMENT)" });
        await commune.GetByLabel("Mục đích (thủ tục, hồ sơ)").FillAsync("Đăng ký thường trú");
        await commune.GetByRole(AriaRole.Button, new() { Name = "Chia sẻ" }).ClickAsync();
        await Assertions.Expect(citizen.GetByTestId("share-created")).ToBeVisibleAsync();
        var link = await citizen.GetByTestId("share-link").InnerTextAsync();
        var token = await citizen.GetByTestId("share-token").InnerTextAsync();
        Assert.StartsWith(host.BaseUrl + "/api/v1/shares/", link);
        await host.ScreenshotAsync(citizen, "citizen-share-created");

        // The online service downloads it with its key and the token.
        var fetched = await FetchAsync(api, link, token);
        Assert.Equal(HttpStatusCode.OK, fetched.StatusCode);
        Assert.StartsWith("%PDF-", Encoding.ASCII.GetString((await fetched.Content.ReadAsByteArrayAsync())[..5]));

        // Its staff see it in "shared with us".
        var staff = await host.NewPageAsync();
        await staff.GotoAsync("/services/shared");
        await staff.GetByLabel("Khóa API của dịch vụ").FillAsync(DemoApiKey);
        await staff.GetByRole(AriaRole.Button).Filter(new() { HasText = "Xem danh sách" }).ClickAsync();
        await Assertions.Expect(staff.GetByTestId("shared-copy")).ToHaveCountAsync(1);
        await Assertions.Expect(staff.GetByTestId("shared-copy")).ToContainTextAsync("Đăng ký thường trú");
        await host.ScreenshotAsync(staff, "service-shared-with-us");

        // "My shares": who downloaded it, when; then revoke.
        await citizen.GotoAsync("/my/shares");
        var share = citizen.GetByTestId("share");
        await Assertions.Expect(share).ToHaveCountAsync(1);
        await Assertions.Expect(share.GetByTestId("share-status")).ToHaveTextAsync("Đang hiệu lực");
        await Assertions.Expect(share.GetByTestId("fetches")).ToContainTextAsync("Cổng dịch vụ công Demo (DEVELOPMENT) đã tải bản sao");
        await host.ScreenshotAsync(citizen, "citizen-my-shares");
        await share.GetByTestId("revoke").ClickAsync();
        await Assertions.Expect(citizen.GetByTestId("share-status")).ToHaveTextAsync("Đã thu hồi");

        // The next fetch is refused: 410 with its problem type, and the citizen sees the refusal.
        var refused = await FetchAsync(api, link, token);
        Assert.Equal(HttpStatusCode.Gone, refused.StatusCode);
        Assert.Equal("https://certification.example/problems/share-revoked", (await refused.Content.ReadFromJsonAsync<JsonObject>())!["type"]!.GetValue<string>());
        await citizen.ReloadAsync();
        await Assertions.Expect(citizen.GetByTestId("fetches").Locator("li[data-outcome=refused]")).ToHaveCountAsync(1);
        await host.ScreenshotAsync(citizen, "citizen-my-shares-revoked");
    }

    private static async Task<HttpResponseMessage> FetchAsync(HttpClient api, string link, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, link);
        request.Headers.Add("X-Api-Key", DemoApiKey);
        request.Headers.Add("X-Share-Token", token);
        return await api.SendAsync(request);
    }

    /// <summary>The notary signs through the development remote signing provider (WebHost): the request is sent from the
    /// console and approved on the provider's phone page.</summary>
    private async Task CertifyAtNotaryAsync(string title)
    {
        var officer = await host.SignInAsync("officer.notary");
        await officer.GotoAsync("/console/new");
        await officer.GetByLabel("Tên giấy tờ").FillAsync(title);
        await officer.GetByLabel("Họ tên người yêu cầu").FillAsync("Nguyễn Thị Hoà");
        await officer.GetByLabel("Số CCCD/hộ chiếu").FillAsync(CitizenId);
        await officer.Locator("#scans").SetInputFilesAsync(Path.Combine(WebHost.RepositoryRoot(), "samples", "scans", "sample-page-1.jpg"));
        await Assertions.Expect(officer.Locator("#preview img")).ToHaveCountAsync(1);
        await officer.GetByTestId("certify").ClickAsync();
        await Assertions.Expect(officer.GetByTestId("remote")).ToBeVisibleAsync();
        var phone = await host.NewPageAsync(390, 844);
        await phone.GotoAsync((await officer.GetByTestId("remote-approval").GetAttributeAsync("href"))!);
        await phone.Locator("#approve").ClickAsync();
        await Assertions.Expect(officer.GetByTestId("result")).ToBeVisibleAsync(new() { Timeout = 20_000 });
    }

    private static async Task CertifyAsync(HttpClient api, string officer, string title)
    {
        var signIn = await api.PostAsJsonAsync("/api/v1/auth/token", new { username = officer, password = WebHost.Password });
        var bearer = (await signIn.Content.ReadFromJsonAsync<JsonObject>())!["accessToken"]!.GetValue<string>();
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(await File.ReadAllBytesAsync(Path.Combine(WebHost.RepositoryRoot(), "samples", "scans", "sample-page-1.jpg"))), "files", "page-1.jpg" },
            { new StringContent(title), "documentTitle" },
            { new StringContent("Nguyễn Thị Hoà"), "requesterName" },
            { new StringContent(CitizenId), "requesterIdNumber" },
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/certifications") { Content = form };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        var response = await api.SendAsync(request);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }
}
