using System.Text.RegularExpressions;
using Certification.TestSupport;
using Microsoft.Playwright;
using Xunit;

namespace Certification.Web.Tests;

/// <summary>The new-certification page reads the scan: a too dark scan of the sample birth certificate pre-fills the form
/// (type, holder, ID number, each marked as proposed) and the preview shows the page's measures and its warning in
/// Vietnamese. Nothing is certified until the officer submits.</summary>
[Collection(WebCollection.Name)]
public sealed class ScanReadingPageTests(WebHost host)
{
    [Fact]
    public async Task Scan_pre_fills_the_form_and_the_preview_warns_about_its_quality()
    {
        var scan = DegradedScans.Get("giay-khai-sinh-mau.jpg", Degradation.Darkened);
        var officer = await host.SignInAsync("officer.commune");
        await officer.GotoAsync("/console/new");
        await officer.Locator("#scans").SetInputFilesAsync(new FilePayload { Name = "giay-khai-sinh.jpg", MimeType = "image/jpeg", Buffer = File.ReadAllBytes(scan) });

        await Assertions.Expect(officer.GetByTestId("reading")).ToHaveTextAsync(new Regex("Đã đọc bản quét"), new() { Timeout = 30_000 });
        await Assertions.Expect(officer.GetByLabel("Tên giấy tờ")).ToHaveValueAsync("Giấy khai sinh");
        await Assertions.Expect(officer.GetByLabel("Họ tên người yêu cầu")).ToHaveValueAsync("NGUYỄN VĂN MẪU");
        await Assertions.Expect(officer.GetByLabel("Số CCCD/hộ chiếu")).ToHaveValueAsync("001224000000");
        await Assertions.Expect(officer.GetByTestId("proposed-requesterName")).ToContainTextAsync("Đề xuất từ bản quét");
        var warnings = officer.GetByTestId("quality-warnings");
        await Assertions.Expect(warnings).ToContainTextAsync("trang 1 quá tối");
        await Assertions.Expect(warnings.Locator("li")).ToHaveAttributeAsync("data-code", "too-dark");
        await Assertions.Expect(officer.GetByTestId("quality")).ToContainTextAsync("Độ sáng");
        await host.ScreenshotAsync(officer, "officer-new-certification-read");
        Assert.Equal("/console/new", new Uri(officer.Url).AbsolutePath);
    }
}
