using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit;

namespace Certification.Web.Tests;

/// <summary>
/// The issue's acceptance story in a real browser: an officer signs in, uploads the sample scans, previews and
/// certifies; a citizen opens the copy with its code; a verifier drops the copy and sees "valid", then a tampered
/// copy and sees "not valid" with the reason; an officer of another office is refused. Screenshots of every page
/// at desktop and phone widths are taken on the way.
/// </summary>
[Collection(WebCollection.Name)]
public sealed class WebPageTests(WebHost host)
{
    /// <summary>The sample scans of <c>samples/scans/</c> (200 dpi, the intake's minimum).</summary>
    private static readonly FilePayload[] SampleScans = new[] { "sample-page-1.jpg", "sample-page-2.jpg" }.Select(name =>
        new FilePayload { Name = name, MimeType = "image/jpeg", Buffer = File.ReadAllBytes(Path.Combine(WebHost.RepositoryRoot(), "samples", "scans", name)) })
        .ToArray();

    [Fact]
    public async Task Officer_certifies_citizen_opens_verifier_checks_tampering_is_caught_and_other_office_is_refused()
    {
        // Home and sign-in.
        var anonymous = await host.NewPageAsync();
        await anonymous.GotoAsync("/");
        await host.ScreenshotAsync(anonymous, "home");
        await anonymous.GotoAsync("/signin");
        await host.ScreenshotAsync(anonymous, "sign-in");

        // Officer: sign in, upload the sample scans (progress, intake check), preview both pages, certify.
        var officer = await host.SignInAsync("officer.commune");
        await officer.GotoAsync("/console/new");
        await officer.GetByLabel("Tên giấy tờ").FillAsync("Giấy khai sinh");
        await officer.GetByLabel("Họ tên người yêu cầu").FillAsync("Nguyễn Thị Hoà");
        await officer.GetByLabel("Số CCCD/hộ chiếu").FillAsync("001199012345");
        await officer.Locator("#scans").SetInputFilesAsync(SampleScans);
        await Assertions.Expect(officer.Locator("#progress-label")).ToHaveTextAsync(new Regex("Bản quét hợp lệ"));
        await Assertions.Expect(officer.Locator("#preview img")).ToHaveCountAsync(2);
        await Assertions.Expect(officer.Locator("#page-count")).ToHaveTextAsync("(2)");
        await host.ScreenshotAsync(officer, "officer-new-certification-preview");
        await officer.GetByTestId("certify").ClickAsync();
        var result = officer.GetByTestId("result");
        await Assertions.Expect(result).ToBeVisibleAsync();
        await Assertions.Expect(result).ToContainTextAsync("Đã chứng thực");
        var accessCode = (await officer.GetByTestId("access-code").InnerTextAsync()).Replace(" ", "");
        Assert.Matches("^[A-Z2-7]{32}$", accessCode);
        var accessLink = await officer.GetByTestId("access-link").InnerTextAsync();
        Assert.Equal($"{host.BaseUrl}/c/{accessCode}", accessLink);
        await host.ScreenshotAsync(officer, "officer-certified");

        // The copy's record: details, rendered pages, audit trail; the queue and the book list it.
        await officer.GetByTestId("open-record").ClickAsync();
        await Assertions.Expect(officer.GetByTestId("status")).ToHaveTextAsync("Có hiệu lực");
        await Assertions.Expect(officer.GetByTestId("audit")).ToContainTextAsync("certification.issued");
        var recordUrl = officer.Url;
        await host.ScreenshotAsync(officer, "officer-copy-record");
        await officer.GotoAsync("/console");
        await Assertions.Expect(officer.GetByTestId("queue")).ToContainTextAsync("Giấy khai sinh");
        await Assertions.Expect(officer.GetByTestId("queue")).ToContainTextAsync("Đã chứng thực");
        await host.ScreenshotAsync(officer, "officer-queue");
        await officer.GotoAsync("/console/book");
        await Assertions.Expect(officer.GetByTestId("book")).ToContainTextAsync("Giấy khai sinh");
        await host.ScreenshotAsync(officer, "officer-book");

        // Citizen: types the code (with spaces, as printed) → the page the QR code opens.
        var citizen = await host.NewPageAsync(390, 844);
        await citizen.GotoAsync("/copy");
        await host.ScreenshotAsync(citizen, "citizen-lookup");
        await citizen.GetByLabel("Mã truy cập (32 ký tự)").FillAsync(Regex.Replace(accessCode, "(.{4})", "$1 ").ToLowerInvariant());
        await citizen.GetByRole(AriaRole.Button, new() { Name = "Tra cứu" }).ClickAsync();
        await citizen.WaitForURLAsync($"**/c/{accessCode}");
        await Assertions.Expect(citizen.GetByTestId("copy-status")).ToContainTextAsync("Có hiệu lực");
        await Assertions.Expect(citizen.GetByTestId("office")).ToHaveTextAsync("UBND phường Demo (DEVELOPMENT)");
        await Assertions.Expect(citizen.GetByTestId("number")).ToContainTextAsync("1, Quyển số 01/");
        await Assertions.Expect(citizen.Locator("ol.pages img").First).ToBeVisibleAsync();
        await host.ScreenshotAsync(citizen, "citizen-copy");
        var download = await citizen.RunAndWaitForDownloadAsync(() => citizen.GetByTestId("download").ClickAsync());
        var pdfPath = Path.Combine(Path.GetTempPath(), $"web-copy-{Guid.NewGuid():N}.pdf");
        await download.SaveAsAsync(pdfPath);
        var pdf = await File.ReadAllBytesAsync(pdfPath);
        File.Delete(pdfPath);
        Assert.StartsWith("%PDF-", Encoding.ASCII.GetString(pdf, 0, 5));
        Assert.Matches(@"^ban-sao-\d{4}-1\.pdf$", download.SuggestedFilename);
        var view = await citizen.APIRequest.GetAsync($"/c/{accessCode}/pdf");
        Assert.Equal("application/pdf", view.Headers["content-type"]);
        Assert.Equal("nosniff", view.Headers["x-content-type-options"]);
        Assert.StartsWith("%PDF-", Encoding.ASCII.GetString(await view.BodyAsync(), 0, 5));
        // English switch.
        await citizen.GetByTestId("lang-switch").ClickAsync();
        await Assertions.Expect(citizen.GetByTestId("copy-status")).ToContainTextAsync("Valid");
        await Assertions.Expect(citizen.Locator("html")).ToHaveAttributeAsync("lang", "en");
        await host.ScreenshotAsync(citizen, "citizen-copy-en");

        // Verifier: drops the copy → valid (Vietnamese), then the same in English.
        var verifier = await host.NewPageAsync();
        await verifier.GotoAsync("/verify");
        await host.ScreenshotAsync(verifier, "verify");
        await DropAsync(verifier, pdf, "ban-sao.pdf");
        var verdict = verifier.GetByTestId("verdict");
        await Assertions.Expect(verdict).ToHaveAttributeAsync("data-verdict", "valid");
        await Assertions.Expect(verdict).ToContainTextAsync("HỢP LỆ");
        await Assertions.Expect(verifier.GetByTestId("intact")).ToContainTextAsync("còn nguyên vẹn");
        await Assertions.Expect(verifier.Locator("main")).ToContainTextAsync("Có trong sổ chứng thực");
        await Assertions.Expect(verifier.Locator("main")).ToContainTextAsync("Chưa bị thu hồi");
        await Assertions.Expect(verifier.Locator("main")).ToContainTextAsync("Nguyễn Văn An");
        Assert.Contains("\"registry\"", await verifier.GetByTestId("report").TextContentAsync());
        await host.ScreenshotAsync(verifier, "verify-valid");

        // The two evidence downloads the page offers: the sealed PDF report (valid for pdfsig against the served
        // anchors, naming the verified file's hash) and the ETSI TS 119 102-2 XML report.
        var sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(pdf));
        var sealedReport = await DownloadReportAsync(verifier, pdf, "format-pdf");
        Assert.Equal("validation-report.pdf", sealedReport.Name);
        using (var work = new Certification.TestSupport.TempDirectory("web-report"))
        {
            var reportPath = work.File("report.pdf");
            await File.WriteAllBytesAsync(reportPath, sealedReport.Content);
            var anchors = work.File("anchors.pem");
            await File.WriteAllTextAsync(anchors, await (await verifier.APIRequest.GetAsync("/api/v1/trust/anchors")).TextAsync());
            // The seal is followed by its validation-data revision (DSS), so it does not cover the whole file.
            var seal = Certification.TestSupport.ExternalTools.Pdfsig.Verify(reportPath, anchors).Signatures.Single();
            Assert.True(seal.IsValid && seal.IsTrusted, seal.ToString());
            var text = Certification.TestSupport.ExternalTools.ExternalTool.RunChecked("pdftotext", [reportPath, "-"]).StdOut;
            Assert.Contains(sha256, text.Replace("\n", ""));
        }
        var xmlReport = await DownloadReportAsync(verifier, pdf, "format-xml");
        Assert.Equal("validation-report.xml", xmlReport.Name);
        var xml = System.Xml.Linq.XDocument.Parse(Encoding.UTF8.GetString(xmlReport.Content));
        Assert.Equal("http://uri.etsi.org/19102/v1.2.1#", xml.Root!.Name.NamespaceName);
        Assert.Contains(xml.Descendants(), e => e.Name.LocalName == "MainIndication" && e.Value.EndsWith("total-passed"));
        await verifier.GotoAsync("/verify?lang=en");
        await DropAsync(verifier, pdf, "copy.pdf");
        await Assertions.Expect(verifier.GetByTestId("verdict")).ToContainTextAsync("VALID");
        await Assertions.Expect(verifier.GetByTestId("verdict")).Not.ToContainTextAsync("NOT VALID");
        await Assertions.Expect(verifier.GetByTestId("intact")).ToContainTextAsync("The file is intact since signing");
        await host.ScreenshotAsync(verifier, "verify-valid-en");

        // A tampered copy: one byte flipped inside the first scan's image data (inside the signed byte range).
        var tampered = (byte[])pdf.Clone();
        var jpeg = tampered.AsSpan().IndexOf((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]);
        Assert.True(jpeg > 0);
        tampered[jpeg + 600] ^= 0x5A;
        await verifier.GotoAsync("/verify?lang=vi");
        await DropAsync(verifier, tampered, "ban-sao-bi-sua.pdf");
        verdict = verifier.GetByTestId("verdict");
        await Assertions.Expect(verdict).ToHaveAttributeAsync("data-verdict", "invalid");
        await Assertions.Expect(verdict).ToContainTextAsync("KHÔNG HỢP LỆ");
        await Assertions.Expect(verifier.GetByTestId("reasons")).ToContainTextAsync("đã bị sửa sau khi ký");
        await Assertions.Expect(verifier.GetByTestId("intact")).ToContainTextAsync("đã bị thay đổi sau khi ký");
        await Assertions.Expect(verifier.GetByTestId("changes")).ToContainTextAsync("Các byte được ký đã bị thay đổi");
        await host.ScreenshotAsync(verifier, "verify-tampered");
        await verifier.GotoAsync("/verify?lang=en");
        await DropAsync(verifier, tampered, "tampered.pdf");
        await Assertions.Expect(verifier.GetByTestId("verdict")).ToContainTextAsync("NOT VALID");
        await Assertions.Expect(verifier.GetByTestId("reasons")).ToContainTextAsync("changed after signing");
        await verifier.GotoAsync("/verify?lang=vi");

        // An officer of another office is refused the record, its pages and its revocation.
        var notary = await host.SignInAsync("officer.notary");
        var response = await notary.GotoAsync(recordUrl);
        Assert.Equal(403, response!.Status);
        await Assertions.Expect(notary.GetByTestId("error")).ToContainTextAsync("thuộc cơ quan khác");
        await Assertions.Expect(notary.Locator("[data-testid=audit]")).ToHaveCountAsync(0);
        await host.ScreenshotAsync(notary, "officer-other-office-refused");
        var copyId = recordUrl[(recordUrl.LastIndexOf('/') + 1)..];
        Assert.Equal(403, (await notary.APIRequest.GetAsync($"/console/copies/{copyId}/pdf")).Status);
        var revoke = await notary.APIRequest.PostAsync($"/api/v1/certifications/{copyId}/revocation",
            new() { DataObject = new { reason = "thử" } });
        Assert.Equal(403, revoke.Status);
        Assert.Contains("other-office", await revoke.TextAsync());

        // The issuing officer revokes; the citizen's page and the verifier then say so.
        await officer.GotoAsync(recordUrl);
        await officer.GetByText("Thu hồi bản sao").ClickAsync();
        await officer.GetByLabel("Lý do thu hồi (bắt buộc)").FillAsync("Cấp nhầm người yêu cầu");
        await officer.GetByTestId("revoke").ClickAsync();
        await Assertions.Expect(officer.GetByTestId("status")).ToHaveTextAsync("Đã thu hồi");
        await Assertions.Expect(officer.GetByTestId("audit")).ToContainTextAsync("certification.revoked");
        await citizen.GotoAsync($"/c/{accessCode}?lang=vi");
        await Assertions.Expect(citizen.GetByTestId("copy-status")).ToContainTextAsync("Đã thu hồi");
        await Assertions.Expect(citizen.GetByTestId("copy-status")).ToContainTextAsync("Cấp nhầm người yêu cầu");
        await Assertions.Expect(citizen.GetByTestId("download")).ToHaveCountAsync(0);
        await host.ScreenshotAsync(citizen, "citizen-copy-revoked");
        await verifier.GotoAsync("/verify");
        await DropAsync(verifier, pdf, "ban-sao.pdf");
        await Assertions.Expect(verifier.GetByTestId("verdict")).ToHaveAttributeAsync("data-verdict", "invalid");
        await Assertions.Expect(verifier.GetByTestId("reasons")).ToContainTextAsync("Bản sao đã bị thu hồi: Cấp nhầm người yêu cầu");
        await host.ScreenshotAsync(verifier, "verify-revoked");
    }

    [Fact]
    public async Task Officer_with_a_token_sees_approve_on_device_and_the_request_waits_for_approval()
    {
        var officer = await host.SignInAsync("officer.token");
        await officer.GotoAsync("/console/new");
        await Assertions.Expect(officer.GetByTestId("certify")).ToHaveTextAsync("Gửi sang thiết bị ký để phê duyệt");
        await officer.GetByLabel("Tên giấy tờ").FillAsync("Bằng tốt nghiệp");
        await officer.GetByLabel("Họ tên người yêu cầu").FillAsync("Trần Văn Bình");
        await officer.GetByLabel("Số CCCD/hộ chiếu").FillAsync("001099000111");
        await officer.Locator("#scans").SetInputFilesAsync(SampleScans[0]);
        await Assertions.Expect(officer.Locator("#preview img")).ToHaveCountAsync(1);
        await officer.GetByTestId("certify").ClickAsync();
        var approve = officer.GetByTestId("approve");
        await Assertions.Expect(approve).ToBeVisibleAsync();
        await Assertions.Expect(approve).ToContainTextAsync("Hãy phê duyệt trên thiết bị của bạn");
        await Assertions.Expect(approve.Locator("[data-a=fingerprint]")).ToHaveTextAsync(new Regex("^[0-9A-F]{4}( [0-9A-F]{4}){3}$"));
        await host.ScreenshotAsync(officer, "officer-two-step-approve-on-device");
        await officer.GotoAsync("/console");
        await Assertions.Expect(officer.GetByTestId("queue")).ToContainTextAsync("Chờ phê duyệt trên thiết bị");
    }

    /// <summary>Fills the new-certification form with one scan and sends it.</summary>
    private static async Task SendNewCertificationAsync(IPage officer, string title)
    {
        await officer.GotoAsync("/console/new");
        await officer.GetByLabel("Tên giấy tờ").FillAsync(title);
        await officer.GetByLabel("Họ tên người yêu cầu").FillAsync("Phạm Thị Dung");
        await officer.GetByLabel("Số CCCD/hộ chiếu").FillAsync("001099000333");
        await officer.Locator("#scans").SetInputFilesAsync(SampleScans[0]);
        await Assertions.Expect(officer.Locator("#preview img")).ToHaveCountAsync(1);
        await officer.GetByTestId("certify").ClickAsync();
        await Assertions.Expect(officer.GetByTestId("remote")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Officer_with_a_remote_signing_account_approves_on_the_phone_and_a_denial_or_cancel_takes_no_number()
    {
        var officer = await host.SignInAsync("officer.notary");
        await officer.GotoAsync("/console/new");
        await Assertions.Expect(officer.GetByTestId("certify")).ToHaveTextAsync("Gửi yêu cầu ký đến điện thoại");
        await SendNewCertificationAsync(officer, "Hợp đồng thuê nhà");
        var panel = officer.GetByTestId("remote");
        await Assertions.Expect(panel).ToContainTextAsync("Hãy phê duyệt trên điện thoại");
        await Assertions.Expect(officer.GetByTestId("remote-countdown")).ToHaveTextAsync(new Regex("^[0-9]+ giây$"));
        await Assertions.Expect(officer.GetByTestId("remote-state")).ToHaveTextAsync("Đang chờ bạn phê duyệt trên điện thoại…");
        var request = await officer.GetByTestId("remote-request").InnerTextAsync();
        Assert.Matches("^[0-9a-f]{32}$", request);
        var number = await panel.Locator("[data-m=number]").InnerTextAsync();
        await host.ScreenshotAsync(officer, "officer-remote-approve-on-phone");

        // The phone: the provider's approval page shows the same request; the officer approves.
        var phone = await host.NewPageAsync(390, 844);
        await phone.GotoAsync((await officer.GetByTestId("remote-approval").GetAttributeAsync("href"))!);
        await Assertions.Expect(phone.Locator("#request")).ToHaveTextAsync(request);
        await host.ScreenshotAsync(phone, "provider-approval-page");
        await phone.Locator("#approve").ClickAsync();
        await Assertions.Expect(phone.Locator("#state")).ToHaveAttributeAsync("data-state", "signed");
        await Assertions.Expect(officer.GetByTestId("result")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await Assertions.Expect(officer.GetByTestId("result")).ToContainTextAsync(number);
        await Assertions.Expect(officer.GetByTestId("access-code")).ToHaveTextAsync(new Regex("^[A-Z2-7]{4}( [A-Z2-7]{4}){7}$"));

        // Denied on the phone: the page says so in words, and the next request gets the same number again.
        await SendNewCertificationAsync(officer, "Giấy ủy quyền");
        var next = await panel.Locator("[data-m=number]").InnerTextAsync();
        await phone.GotoAsync((await officer.GetByTestId("remote-approval").GetAttributeAsync("href"))!);
        await phone.Locator("#deny").ClickAsync();
        await Assertions.Expect(phone.Locator("#state")).ToHaveAttributeAsync("data-state", "denied");
        await Assertions.Expect(officer.GetByTestId("remote-state")).ToContainTextAsync("Bạn đã từ chối yêu cầu ký trên điện thoại", new() { Timeout = 20_000 });
        await host.ScreenshotAsync(officer, "officer-remote-denied");

        // Cancelled from the page: no number used either.
        await SendNewCertificationAsync(officer, "Giấy ủy quyền");
        Assert.Equal(next, await panel.Locator("[data-m=number]").InnerTextAsync());
        await officer.GetByTestId("remote-cancel").ClickAsync();
        await Assertions.Expect(officer.GetByTestId("remote-state")).ToContainTextAsync("Đã huỷ yêu cầu ký");
        await Assertions.Expect(officer.GetByTestId("remote-cancel")).ToBeHiddenAsync();
    }

    [Fact]
    public async Task Problems_are_explained_in_words_and_refusals_take_an_article_22_ground()
    {
        var officer = await host.SignInAsync("officer.commune");
        await officer.GotoAsync("/console/new");
        // Not an image: the intake check answers scan-rejected/unsupported-format, shown as a sentence.
        await officer.Locator("#scans").SetInputFilesAsync(new FilePayload { Name = "ghi-chú.jpg", MimeType = "image/jpeg", Buffer = Encoding.UTF8.GetBytes("<html>not a scan</html>") });
        await Assertions.Expect(officer.GetByTestId("error")).ToContainTextAsync("Định dạng tệp không được hỗ trợ");
        await Assertions.Expect(officer.GetByTestId("error")).ToContainTextAsync("ghi-chú.jpg");
        await host.ScreenshotAsync(officer, "officer-friendly-error");
        // Refusal with a reason code.
        await officer.GetByLabel("Tên giấy tờ").FillAsync("Sổ hộ khẩu");
        await officer.GetByLabel("Họ tên người yêu cầu").FillAsync("Lê Thị Cúc");
        await officer.GetByLabel("Số CCCD/hộ chiếu").FillAsync("001099000222");
        await officer.GetByText("Từ chối chứng thực").ClickAsync();
        await officer.GetByLabel("Lý do (Điều 22 Nghị định 23/2015/NĐ-CP)").SelectOptionAsync("illegible");
        await officer.GetByLabel("Giải thích cho người yêu cầu").FillAsync("Bản chính rách, không đọc được trang 2.");
        await officer.GetByRole(AriaRole.Button, new() { Name = "Ghi nhận từ chối" }).ClickAsync();
        await Assertions.Expect(officer.Locator("#certify-form")).ToContainTextAsync("Đã ghi nhận việc từ chối.");
        await officer.GotoAsync("/console");
        await Assertions.Expect(officer.GetByTestId("queue")).ToContainTextAsync("Đã từ chối");

        // Wrong password, unknown access code, and a file that is not a PDF, in plain words.
        var page = await host.NewPageAsync();
        await page.GotoAsync("/signin");
        await page.GetByLabel("Tên đăng nhập").FillAsync("officer.commune");
        await page.GetByLabel("Mật khẩu").FillAsync("sai-mật-khẩu");
        await page.GetByRole(AriaRole.Button, new() { Name = "Đăng nhập" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("error")).ToHaveTextAsync("Sai tên đăng nhập hoặc mật khẩu.");
        var missing = await page.GotoAsync("/c/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
        Assert.Equal(404, missing!.Status);
        await Assertions.Expect(page.GetByTestId("error")).ToContainTextAsync("Không có bản sao nào với mã này");
        await page.GotoAsync("/verify?lang=en");
        await DropAsync(page, Encoding.UTF8.GetBytes("hello"), "notes.pdf");
        await Assertions.Expect(page.GetByTestId("error")).ToHaveTextAsync("This file is not a PDF.");
        await page.GotoAsync("/verify?lang=vi");
        // Console pages send visitors who are not signed in to the sign-in page.
        await page.GotoAsync("/console/book");
        Assert.EndsWith("/signin?returnUrl=%2Fconsole%2Fbook", page.Url);
    }

    [Fact]
    public async Task Pages_are_NFC_keyboard_reachable_labelled_and_load_nothing_from_elsewhere()
    {
        foreach (var text in Certification.Api.Web.Texts.AllTexts())
            Assert.True(text.IsNormalized(NormalizationForm.FormC), text);
        var page = await host.NewPageAsync(390, 844);
        var foreign = new List<string>();
        page.Request += (_, r) => { if (!r.Url.StartsWith(host.BaseUrl) && !r.Url.StartsWith("data:") && !r.Url.StartsWith("blob:")) foreign.Add(r.Url); };
        foreach (var path in new[] { "/", "/copy", "/verify", "/signin", "/?lang=en", "/verify?lang=vi" })
        {
            await page.GotoAsync(path);
            var body = await page.Locator("body").InnerTextAsync();
            Assert.True(body.IsNormalized(NormalizationForm.FormC), path);
            // Every form control has an accessible name.
            var unlabelled = await page.EvaluateAsync<int>("() => [...document.querySelectorAll('input:not([type=hidden]),select,textarea')].filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).length");
            Assert.Equal(0, unlabelled);
        }
        // The skip link is the first stop of the keyboard, and the file chooser is reachable by keyboard.
        await page.GotoAsync("/verify");
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("skip", await page.EvaluateAsync<string>("() => document.activeElement.className"));
        for (var i = 0; i < 20 && await page.EvaluateAsync<string>("() => document.activeElement.id") != "file"; i++) await page.Keyboard.PressAsync("Tab");
        Assert.Equal("file", await page.EvaluateAsync<string>("() => document.activeElement.id"));
        Assert.Empty(foreign);
        var csp = (await page.APIRequest.GetAsync("/verify")).Headers["content-security-policy"];
        Assert.Contains("script-src 'self'", csp);
        // Everything that is not a page keeps the service's strict policy.
        Assert.Contains("default-src 'none'", (await page.APIRequest.GetAsync("/health")).Headers["content-security-policy"]);
    }

    /// <summary>Drops a file on the page's drop zone as a user dragging it from the desktop would (a DataTransfer with the file).</summary>
    /// <summary>Chooses an evidence format on the verify page, picks the file and submits: the answer is a download.</summary>
    private static async Task<(string Name, byte[] Content)> DownloadReportAsync(IPage page, byte[] content, string formatTestId)
    {
        await page.GotoAsync("/verify?lang=vi");
        await page.GetByTestId(formatTestId).CheckAsync();
        await page.Locator("#file").SetInputFilesAsync(new FilePayload { Name = "ban-sao.pdf", MimeType = "application/pdf", Buffer = content });
        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("form[data-dropform] button[type=submit]").ClickAsync());
        var path = await download.PathAsync();
        return (download.SuggestedFilename, await File.ReadAllBytesAsync(path!));
    }

    private static async Task DropAsync(IPage page, byte[] content, string name)
    {
        var dataTransfer = await page.EvaluateHandleAsync(@"([b64, name]) => {
            const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
            const dt = new DataTransfer();
            dt.items.add(new File([bytes], name, { type: 'application/pdf' }));
            return dt;
        }", new object[] { Convert.ToBase64String(content), name });
        await page.DispatchEventAsync("[data-dropzone]", "drop", new Dictionary<string, object> { ["dataTransfer"] = dataTransfer });
        await page.WaitForLoadStateAsync(LoadState.Load);
        await page.Locator("[data-testid=verdict], [data-testid=error]").First.WaitForAsync();
    }
}
