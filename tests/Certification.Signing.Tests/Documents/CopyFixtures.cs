using Certification.Signing.Documents;
using Certification.TestSupport;
using Certification.TestSupport.ExternalTools;

namespace Certification.Signing.Tests.Documents;

/// <summary>Inputs and helpers shared by the certified-copy tests.</summary>
internal static class CopyFixtures
{
    public static readonly DateTimeOffset IssuedAt = new(2026, 11, 28, 9, 30, 0, TimeSpan.FromHours(7));

    public static CertificationDetails Details(string title = "Giấy khai sinh") => new()
    {
        CertificationNumber = "125",
        Book = "01/2026-SCTĐT/BS",
        Date = new DateOnly(2026, 11, 28),
        OfficeName = "UBND phường Demo (DEVELOPMENT)",
        OfficeCode = "DEMO-001",
        CertifierName = "Nguyễn Văn An",
        CertifierTitle = "Phó Chủ tịch UBND phường",
        Authorisation = "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH",
        DocumentTitle = title,
        LookupCode = "K7Q2-9XPM",
        VerificationUrl = new Uri("https://chungthuc.example.invalid/tra-cuu/K7Q2-9XPM"),
    };

    /// <summary>The good scans of ../shared/fixtures/scans grouped as documents, with the page size each
    /// page must get (mm, as displayed) and whether the default 200 dpi minimum accepts it.</summary>
    public static IEnumerable<object[]> GoodDocuments() =>
    [
        ["giay-khai-sinh.jpg"],
        ["bang-tot-nghiep-p1.jpg+bang-tot-nghiep-p2.jpg"],
        ["cccd-front.png+cccd-back.png"],
        ["so-ho-khau.tiff"],
        ["hop-dong.pdf"],
        ["grayscale.jpg"],
        ["cmyk.jpg"],
        ["rotated-exif.jpg"],
        ["png-alpha.png"],
        ["png16.png"],
        ["big-a3-600dpi.jpg"],
    ];

    /// <summary>Expected page size (mm) of each page of a good scan.</summary>
    public static (double W, double H)[] PageSizesMm(string file) => file switch
    {
        "giay-khai-sinh.jpg" or "grayscale.jpg" or "cmyk.jpg" or "rotated-exif.jpg" or "png-alpha.png" or "png16.png" or "hop-dong.pdf" => file == "hop-dong.pdf" ? [(210, 297), (210, 297), (210, 297)] : [(210, 297)],
        "so-ho-khau.tiff" => [(210, 297), (210, 297), (210, 297)],
        "bang-tot-nghiep-p1.jpg" or "bang-tot-nghiep-p2.jpg" => [(297, 210)],
        "cccd-front.png" or "cccd-back.png" => [(85.6, 54)],
        "big-a3-600dpi.jpg" => [(297, 420)],
        _ => throw new ArgumentException(file),
    };

    /// <summary>These two fixtures are tagged 150 dpi: below the 200 dpi minimum (Decree 30/2020 analogy),
    /// so they are certified only with a lowered, configured minimum.</summary>
    public static bool IsBelow200Dpi(string file) => file is "png-alpha.png" or "png16.png";

    public static IReadOnlyList<ScanFile> Load(string document) =>
        document.Split('+').Select(f => new ScanFile(f, File.ReadAllBytes(SharedFixtures.File("scans", f)))).ToList();

    public static IntakeLimits LimitsFor(string document) =>
        document.Split('+').Any(IsBelow200Dpi) ? new IntakeLimits { MinimumDpi = 150 } : IntakeLimits.Default;

    /// <summary>pdftotext -layout: a word-aware extraction (spaces from glyph positions).</summary>
    public static string ExtractText(string pdfPath, int? page = null)
    {
        var args = new List<string> { "-layout", "-enc", "UTF-8" };
        if (page is { } p) args.AddRange(["-f", p.ToString(), "-l", p.ToString()]);
        args.AddRange([pdfPath, "-"]);
        return ExternalTool.RunChecked("pdftotext", args).StdOut;
    }
}
