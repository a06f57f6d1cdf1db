using System.Globalization;

namespace Certification.Signing.Documents;

/// <summary>
/// The certification statement (lời chứng) after the template believed to be Circular 01/2020's:
/// "Chứng thực bản sao đúng với bản chính. / Số chứng thực: … Quyển số: … / Ngày … tháng … năm … /
/// Người thực hiện chứng thực / (Ký, ghi rõ họ tên và đóng dấu)", with the fields of the electronic
/// copy (document, pages, fee, office) and the certifier's name and title printed under the signature.
/// All text is NFC.
/// </summary>
public static class CertificationStatement
{
    /// <summary>One printed line: its text, whether bold, its nominal size in points.</summary>
    public sealed record Line(string Text, bool Bold, double Size);

    /// <summary>"Ngày 28 tháng 11 năm 2026" (day and month without leading zeros).</summary>
    public static string FormatDate(DateOnly date) =>
        string.Create(CultureInfo.InvariantCulture, $"Ngày {date.Day} tháng {date.Month} năm {date.Year}");

    /// <summary>Lines above the certifier's signature.</summary>
    public static IReadOnlyList<Line> Heading(CertificationDetails details, int originalPages, long fee)
    {
        var d = details.Normalized();
        var lines = new List<Line>
        {
            new("Chứng thực bản sao đúng với bản chính.", true, 11.5),
            new($"Số chứng thực: {d.CertificationNumber}, Quyển số: {d.Book}", false, 10.5),
            new(FormatDate(d.Date), false, 10.5),
            new($"Văn bản: {d.DocumentTitle}", false, 10),
            new(string.Create(CultureInfo.InvariantCulture, $"Số trang bản chính: {originalPages}, Lệ phí: {FeeSchedule.FormatVnd(fee)}"), false, 10),
            new(d.OfficeName, true, 10.5),
            new("Người thực hiện chứng thực", true, 10.5),
        };
        if (!string.IsNullOrWhiteSpace(d.Authorisation))
        {
            foreach (var part in d.Authorisation.Split('/', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                lines.Add(new(part, true, 10.5));
        }
        lines.Add(new("(Ký, ghi rõ họ tên và đóng dấu)", false, 9.5));
        return lines;
    }

    /// <summary>Lines under the certifier's signature.</summary>
    public static IReadOnlyList<Line> Signatory(CertificationDetails details)
    {
        var d = details.Normalized();
        return [new(d.CertifierName, true, 10.5), new(d.CertifierTitle, false, 10)];
    }

    /// <summary>Every statement line in reading order, as a word-aware extractor should find them.</summary>
    public static IReadOnlyList<string> Text(CertificationDetails details, int originalPages, long fee) =>
        [.. Heading(details, originalPages, fee).Select(l => l.Text), .. Signatory(details).Select(l => l.Text)];

    /// <summary>The visible text of the office seal (Decree 30/2020 Annex I: copy type, office, signing time ISO 8601).</summary>
    public static IReadOnlyList<string> SealLines(string officeName, DateTimeOffset signingTime) =>
    [
        "BẢN SAO ĐIỆN TỬ CHỨNG THỰC TỪ BẢN CHÍNH",
        CertificationDetails.Nfc(officeName),
        $"Thời gian ký: {signingTime.ToOffset(TimeSpan.FromHours(7)).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture)}",
    ];

    /// <summary>The footer of every page: the certification number and book bind the page to this copy.</summary>
    public static string Footer(CertificationDetails details, int page, int pages)
    {
        var d = details.Normalized();
        return string.Create(CultureInfo.InvariantCulture, $"Bản sao chứng thực số {d.CertificationNumber}, quyển số {d.Book} – Trang {page}/{pages}");
    }

    public static string LookupLine(CertificationDetails details) => $"Mã tra cứu: {details.Normalized().LookupCode}";
}
