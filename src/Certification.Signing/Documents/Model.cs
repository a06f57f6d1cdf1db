using System.Globalization;
using System.Text;

namespace Certification.Signing.Documents;

/// <summary>One uploaded scan: its name (used only in messages) and its bytes. The type is decided by
/// content, never by the name.</summary>
public sealed record ScanFile(string FileName, ReadOnlyMemory<byte> Content);

/// <summary>Everything printed in the certification statement, the footers and the QR code.</summary>
public sealed record CertificationDetails
{
    /// <summary>The number in the certification book, e.g. "125" (Circular 01/2020 Art. 4: one per document).</summary>
    public required string CertificationNumber { get; init; }

    /// <summary>The book, e.g. "01/2026-SCTĐT/BS".</summary>
    public required string Book { get; init; }

    /// <summary>Printed "Ngày 28 tháng 11 năm 2026".</summary>
    public required DateOnly Date { get; init; }

    public required string OfficeName { get; init; }
    public required string OfficeCode { get; init; }
    public required string CertifierName { get; init; }
    public required string CertifierTitle { get; init; }

    /// <summary>When the certifier acts for the Chairman (Decree 280/2025), e.g. "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH".
    /// A "/" separates the two printed lines.</summary>
    public string? Authorisation { get; init; }

    /// <summary>What the original is, e.g. "Giấy khai sinh".</summary>
    public required string DocumentTitle { get; init; }

    /// <summary>Short code printed on the first and last page, for looking the copy up by hand.</summary>
    public required string LookupCode { get; init; }

    /// <summary>What the QR code encodes: the service's verification page for this copy.</summary>
    public required Uri VerificationUrl { get; init; }

    public FeeSchedule Fees { get; init; } = FeeSchedule.Circular226;

    /// <summary>The details with every text in Unicode NFC (PDFsharp does no mark positioning, so
    /// decomposed Vietnamese would render with misplaced diacritics).</summary>
    public CertificationDetails Normalized() => this with
    {
        CertificationNumber = Nfc(CertificationNumber),
        Book = Nfc(Book),
        OfficeName = Nfc(OfficeName),
        OfficeCode = Nfc(OfficeCode),
        CertifierName = Nfc(CertifierName),
        CertifierTitle = Nfc(CertifierTitle),
        Authorisation = Authorisation is null ? null : Nfc(Authorisation),
        DocumentTitle = Nfc(DocumentTitle),
        LookupCode = Nfc(LookupCode),
    };

    internal static string Nfc(string text) => text.Trim().Normalize(NormalizationForm.FormC);
}

/// <summary>The copying fee (Circular 226/2016/TT-BTC): per page of the original, a higher rate for the
/// first pages, a lower one after, capped per copy. Provinces may waive it: <see cref="Free"/>.</summary>
public sealed record FeeSchedule(long FirstPagesFee = 2000, int FirstPages = 2, long LaterPageFee = 1000, long MaximumFee = 200000)
{
    /// <summary>2,000 VND a page for pages 1–2, 1,000 VND from page 3, at most 200,000 VND a copy.</summary>
    public static readonly FeeSchedule Circular226 = new();

    public static readonly FeeSchedule Free = new(0, 0, 0, 0);

    /// <summary>The fee in VND for a copy of an original of <paramref name="pages"/> pages.</summary>
    public long FeeFor(int pages)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(pages);
        var first = Math.Min(pages, FirstPages);
        var fee = first * FirstPagesFee + (pages - first) * LaterPageFee;
        return Math.Min(fee, MaximumFee);
    }

    /// <summary>"6.000 đồng" (Vietnamese digit grouping with dots).</summary>
    public static string FormatVnd(long amount) =>
        amount.ToString("#,0", CultureInfo.InvariantCulture).Replace(',', '.') + " đồng";
}

/// <summary>Bounds on what intake accepts. Checked from headers, before any pixel is decoded.</summary>
public sealed record IntakeLimits
{
    public static readonly IntakeLimits Default = new();

    /// <summary>Bytes of one file.</summary>
    public long MaxFileBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>Bytes of all files of one document together.</summary>
    public long MaxDocumentBytes { get; init; } = 128L * 1024 * 1024;

    /// <summary>Pages of one document (all files together).</summary>
    public int MaxPages { get; init; } = 200;

    /// <summary>Pixels of one page image (width × height). An A3 page at 600 dpi has 69.6 million;
    /// a decompression bomb claims billions.</summary>
    public long MaxPixelsPerPage { get; init; } = 120_000_000;

    /// <summary>Effective resolution every page must reach (by analogy with Decree 30/2020: at least 200 dpi).</summary>
    public double MinimumDpi { get; init; } = 200;

    /// <summary>The short side of an image must have at least this many pixels to be a legible scan.</summary>
    public int MinimumShortSidePixels { get; init; } = 600;

    /// <summary>Accept PDFs whose pages carry no raster image (born-digital documents), imported unchanged.
    /// Off by default: certifying a copy "from the original" presumes a scan of paper.</summary>
    public bool AllowNonScanPdf { get; init; }
}
