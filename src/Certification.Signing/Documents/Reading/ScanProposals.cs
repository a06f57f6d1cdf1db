using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Certification.Signing.Documents.Reading;

/// <summary>A kind of document the service proposes by its title: <see cref="Name"/> is what the form gets,
/// <see cref="Titles"/> what the page may print (matched without diacritics or case).</summary>
public sealed class DocumentKind
{
    public string Name { get; set; } = "";
    public List<string> Titles { get; set; } = [];

    /// <summary>Common originals brought for certification (civil status, identity, education, residence, contracts).</summary>
    public static IReadOnlyList<DocumentKind> Common { get; } =
    [
        new() { Name = "Giấy khai sinh", Titles = ["GIẤY KHAI SINH", "TRÍCH LỤC KHAI SINH"] },
        new() { Name = "Căn cước công dân", Titles = ["CĂN CƯỚC CÔNG DÂN", "THẺ CĂN CƯỚC", "CĂN CƯỚC"] },
        new() { Name = "Chứng minh nhân dân", Titles = ["CHỨNG MINH NHÂN DÂN"] },
        new() { Name = "Bằng tốt nghiệp", Titles = ["BẰNG TỐT NGHIỆP", "BẰNG CỬ NHÂN", "BẰNG KỸ SƯ", "BẰNG THẠC SĨ", "BẰNG TIẾN SĨ"] },
        new() { Name = "Sổ hộ khẩu", Titles = ["SỔ HỘ KHẨU"] },
        new() { Name = "Hợp đồng", Titles = ["HỢP ĐỒNG"] },
        new() { Name = "Giấy chứng nhận kết hôn", Titles = ["GIẤY CHỨNG NHẬN KẾT HÔN", "TRÍCH LỤC KẾT HÔN"] },
        new() { Name = "Giấy chứng tử", Titles = ["GIẤY CHỨNG TỬ", "TRÍCH LỤC KHAI TỬ"] },
        new() { Name = "Giấy chứng nhận quyền sử dụng đất", Titles = ["GIẤY CHỨNG NHẬN QUYỀN SỬ DỤNG ĐẤT"] },
        new() { Name = "Hộ chiếu", Titles = ["HỘ CHIẾU", "PASSPORT"] },
        new() { Name = "Giấy phép lái xe", Titles = ["GIẤY PHÉP LÁI XE"] },
        new() { Name = "Học bạ", Titles = ["HỌC BẠ"] },
        new() { Name = "Đơn đề nghị", Titles = ["ĐƠN ĐỀ NGHỊ"] },
    ];
}

/// <summary>One value read from the scan, for the officer to confirm or correct: never used without them.</summary>
public sealed record Proposal(string Value, double Confidence, PageRegion Region);

/// <summary>A 12-digit number found on the page, with what its structure says (<see cref="CitizenIdNumber"/>).</summary>
public sealed record IdNumberProposal(string Value, double Confidence, PageRegion Region, bool Valid, string? ProvinceCode, string? Province,
    string? Sex, int? BirthYear, string? Problem);

/// <summary>A date found on the page (ISO 8601 <see cref="Value"/>) and the words before it on its line.</summary>
public sealed record DateProposal(string Value, double Confidence, PageRegion Region, string Label);

public sealed record ScanProposals(Proposal? DocumentType, Proposal? HolderName, IReadOnlyList<IdNumberProposal> IdNumbers, IReadOnlyList<DateProposal> Dates)
{
    public static ScanProposals None { get; } = new(null, null, [], []);
}

/// <summary>
/// Proposes the form's values from the pages' text: the document type (the largest line naming a configured kind),
/// the holder's full name (after a name label, not a parent's or signer's), 12-digit citizen ID numbers checked
/// against their structure, and dates (dd/mm/yyyy or "ngày … tháng … năm …"). Confidence is the engine's word
/// confidence, lowered when the structure does not fit.
/// </summary>
public sealed partial class ProposalReader(IReadOnlyList<DocumentKind>? kinds = null)
{
    /// <summary>Labels a holder's name follows (folded: no diacritics, upper case).</summary>
    private static readonly string[] NameLabels =
        ["HO, CHU DEM, TEN", "HO, CHU DEM VA TEN", "HO VA TEN", "HO TEN", "FULL NAME", "CAP CHO", "CONFERRED UPON", "CHU HO"];

    /// <summary>Labels of someone else's name on the same page.</summary>
    private static readonly string[] OtherPeople = ["NGUOI ME", "NGUOI CHA", "NGUOI KY", "NGUOI GIAM HO", "NGUOI LAM CHUNG"];

    private readonly IReadOnlyList<(DocumentKind Kind, string Folded)> _titles = (kinds ?? DocumentKind.Common)
        .SelectMany(k => k.Titles.Select(t => (k, Fold(t))))
        .OrderByDescending(t => t.Item2.Length).ToList();

    public ScanProposals Read(IReadOnlyList<OcrPage> pages, DateOnly today)
    {
        var lines = pages.SelectMany(p => p.Lines).ToList();
        var dates = Dates(lines);
        return new ScanProposals(DocumentType(lines), HolderName(lines), IdNumbers(lines, dates, today), dates);
    }

    private Proposal? DocumentType(IReadOnlyList<OcrLine> lines)
    {
        Proposal? best = null;
        double bestHeight = 0;
        foreach (var line in lines)
        {
            var folded = Fold(line.Text);
            foreach (var (kind, title) in _titles)
            {
                var at = folded.IndexOf(title, StringComparison.Ordinal);
                if (at < 0) continue;
                // The title is the largest line naming a kind (a body line may mention another document).
                if (line.Height > bestHeight)
                {
                    var words = WordsCovering(line, folded, at, title.Length);
                    best = new Proposal(kind.Name, Round(words.Average(w => w.Confidence)), PageRegion.Union(line.Page, words.Select(w => w.Region)));
                    bestHeight = line.Height;
                }
                break;
            }
        }
        return best;
    }

    private static Proposal? HolderName(IReadOnlyList<OcrLine> lines)
    {
        foreach (var line in lines)
        {
            var colon = line.Words.ToList().FindLastIndex(w => w.Text.Contains(':'));
            if (colon < 0) continue;
            var label = Fold(string.Join(' ', line.Words.Take(colon + 1).Select(w => w.Text)));
            if (!NameLabels.Any(label.Contains) || OtherPeople.Any(label.Contains)) continue;
            var words = line.Words.Skip(colon + 1).ToList();
            var tail = line.Words[colon].Text[(line.Words[colon].Text.LastIndexOf(':') + 1)..];
            if (tail.Length > 0) words.Insert(0, line.Words[colon] with { Text = tail });
            // A name is 2–7 words of letters; stop at the first word that is not (a following field on the same line).
            var name = words.TakeWhile(w => w.Text.All(c => char.IsLetter(c) || c is '-' or '\'')).ToList();
            if (name.Count is < 2 or > 7) continue;
            return new Proposal(string.Join(' ', name.Select(w => w.Text)).Normalize(NormalizationForm.FormC), Round(name.Average(w => w.Confidence)),
                PageRegion.Union(line.Page, name.Select(w => w.Region)));
        }
        return null;
    }

    private static List<IdNumberProposal> IdNumbers(IReadOnlyList<OcrLine> lines, IReadOnlyList<DateProposal> dates, DateOnly today)
    {
        var result = new List<IdNumberProposal>();
        var years = dates.Select(d => int.Parse(d.Value.AsSpan(0, 4), CultureInfo.InvariantCulture)).ToHashSet();
        foreach (var line in lines)
        foreach (Match m in TwelveDigits().Matches(line.Text))
        {
            var digits = new string(m.Value.Where(char.IsAsciiDigit).ToArray());
            if (result.Any(r => r.Value == digits) || CitizenIdNumber.Read(digits, today) is not { } id) continue;
            var words = WordsCovering(line, line.Text, m.Index, m.Length);
            var confidence = words.Average(w => w.Confidence);
            // A number that breaks the structure is proposed (the officer sees it) but not trusted; one whose year of
            // birth also appears as a date on the document is more likely read right.
            if (!id.Valid) confidence *= 0.3;
            else if (!years.Contains(id.BirthYear)) confidence *= 0.9;
            result.Add(new IdNumberProposal(digits, Round(confidence), PageRegion.Union(line.Page, words.Select(w => w.Region)), id.Valid, id.ProvinceCode,
                id.Province, id.Female ? "female" : "male", id.BirthYear, id.Problem));
        }
        return result.OrderByDescending(r => r.Valid).ThenByDescending(r => r.Confidence).ToList();
    }

    private static List<DateProposal> Dates(IReadOnlyList<OcrLine> lines)
    {
        var result = new List<DateProposal>();
        foreach (var line in lines)
        {
            var text = line.Text;
            var folded = Fold(text);
            foreach (Match m in NumericDate().Matches(text)) Add(line, text, m.Index, m.Length, m.Groups[1].Value, m.Groups[2].Value, m.Groups[3].Value);
            // Folding keeps one character per character, so positions in the folded text are positions in the text.
            foreach (Match m in WordedDate().Matches(folded)) Add(line, folded, m.Index, m.Length, m.Groups[1].Value, m.Groups[2].Value, m.Groups[3].Value);
        }
        return result;

        void Add(OcrLine line, string text, int at, int length, string day, string month, string year)
        {
            int d = int.Parse(day, CultureInfo.InvariantCulture), mo = int.Parse(month, CultureInfo.InvariantCulture), y = int.Parse(year, CultureInfo.InvariantCulture);
            if (y < 1900 || mo is < 1 or > 12 || d < 1 || d > DateTime.DaysInMonth(y, mo)) return;
            var words = WordsCovering(line, text, at, length);
            var label = line.Text[..Math.Min(at, line.Text.Length)].Trim().TrimEnd(':', ',').Trim();
            result.Add(new DateProposal(new DateOnly(y, mo, d).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), Round(words.Average(w => w.Confidence)),
                PageRegion.Union(line.Page, words.Select(w => w.Region)), label));
        }
    }

    /// <summary>The words of <paramref name="line"/> that the span [at, at + length) of its text (words joined by one space) overlaps.</summary>
    private static List<OcrWord> WordsCovering(OcrLine line, string text, int at, int length)
    {
        var words = new List<OcrWord>();
        var position = 0;
        foreach (var word in line.Words)
        {
            if (position < at + length && position + word.Text.Length > at) words.Add(word);
            position += word.Text.Length + 1;
        }
        return words.Count > 0 ? words : [.. line.Words];
    }

    /// <summary>Upper case without diacritics (đ → D), one character for each character of the input.</summary>
    public static string Fold(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text.Normalize(NormalizationForm.FormC))
        {
            var basic = c is 'đ' or 'Đ' ? 'D' : c.ToString().Normalize(NormalizationForm.FormD)[0];
            builder.Append(char.ToUpperInvariant(basic));
        }
        return builder.ToString();
    }

    private static double Round(double confidence) => Math.Round(confidence, 3);

    [GeneratedRegex(@"(?<![\d])\d(?:[ .]?\d){11}(?![\d])")]
    private static partial Regex TwelveDigits();

    [GeneratedRegex(@"(?<![\d])(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})(?![\d])")]
    private static partial Regex NumericDate();

    [GeneratedRegex(@"NGAY\s+(\d{1,2})\s+THANG\s+(\d{1,2})\s+NAM\s+(\d{4})")]
    private static partial Regex WordedDate();
}
