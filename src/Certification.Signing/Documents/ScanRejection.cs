using System.Text;

namespace Certification.Signing.Documents;

/// <summary>Why a scan was refused. The numeric values and <see cref="ScanRejectionCodes.Code"/> strings
/// are stable: services store and match them.</summary>
public enum ScanRejection
{
    /// <summary>The content is not JPEG, PNG, TIFF or PDF (decided by magic bytes, not the file name).</summary>
    UnsupportedType = 1,
    /// <summary>Zero bytes.</summary>
    Empty = 2,
    /// <summary>The data ends before the format says it does (no JPEG EOI, no PNG IEND, TIFF strips past the end).</summary>
    Truncated = 3,
    /// <summary>Structurally broken: bad markers, chunk CRC or zlib errors, directory offsets outside the file.</summary>
    Corrupt = 4,
    /// <summary>One file exceeds <see cref="IntakeLimits.MaxFileBytes"/>.</summary>
    TooLarge = 5,
    /// <summary>Too many pages in the document (<see cref="IntakeLimits.MaxPages"/>).</summary>
    TooManyPages = 6,
    /// <summary>Width × height exceeds <see cref="IntakeLimits.MaxPixelsPerPage"/> (decompression bomb).</summary>
    TooManyPixels = 7,
    /// <summary>Below <see cref="IntakeLimits.MinimumDpi"/>.</summary>
    ResolutionTooLow = 8,
    /// <summary>A password-protected or otherwise encrypted PDF.</summary>
    EncryptedPdf = 9,
    /// <summary>JavaScript, automatic actions, embedded files, forms or multimedia in a PDF.</summary>
    ActivePdfContent = 10,
    /// <summary>A PDF with pages that carry no raster image (born-digital), unless allowed by configuration.</summary>
    NotAScan = 11,
    /// <summary>Bytes after the end of the image (e.g. an archive appended to a JPEG: a polyglot).</summary>
    TrailingData = 12,
    /// <summary>A file holding no page at all (a TIFF without image directories, a PDF without pages).</summary>
    NoPages = 13,
    /// <summary>Too few pixels to be a legible scan (<see cref="IntakeLimits.MinimumShortSidePixels"/>).</summary>
    TooSmall = 14,
    /// <summary>The image does not say its resolution, so its physical size is unknown.</summary>
    ResolutionUnknown = 15,
    /// <summary>All files together exceed <see cref="IntakeLimits.MaxDocumentBytes"/>.</summary>
    DocumentTooLarge = 16,
    /// <summary>A variant of a supported format that cannot go into a PDF unchanged (arithmetic-coded or
    /// lossless JPEG, BigTIFF, old-style JPEG in TIFF...).</summary>
    UnsupportedVariant = 17,
    /// <summary>Quality gate (<see cref="Reading.ScanQualityGate"/>): too blurred to read.</summary>
    Blurred = 18,
    /// <summary>Quality gate: the text lines are turned past the threshold.</summary>
    Skewed = 19,
    /// <summary>Quality gate: content touches the page's edge, so part of the original may be missing.</summary>
    CutOff = 20,
    /// <summary>Quality gate: the page is too dark.</summary>
    TooDark = 21,
    /// <summary>Quality gate: ink and paper too close in tone (faded, washed out).</summary>
    LowContrast = 22,
}

public static class ScanRejectionCodes
{
    /// <summary>Stable kebab-case identifier, e.g. "resolution-too-low".</summary>
    public static string Code(this ScanRejection reason)
    {
        var name = reason.ToString();
        var builder = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0) builder.Append('-');
            builder.Append(char.ToLowerInvariant(name[i]));
        }
        return builder.ToString();
    }
}

/// <summary>A scan refused at intake. The message is Vietnamese first, then English, and names the file.</summary>
public sealed class ScanRejectedException : Exception
{
    public ScanRejectedException(ScanRejection reason, string fileName, string vietnamese, string english, string? detectedType = null)
        : base($"{fileName}: {vietnamese} / {english}")
    {
        Reason = reason;
        FileName = fileName;
        Vietnamese = vietnamese;
        English = english;
        DetectedType = detectedType;
    }

    public ScanRejection Reason { get; }
    public string FileName { get; }

    /// <summary>Stable kebab-case identifier of <see cref="Reason"/>.</summary>
    public string Code => Reason.Code();

    public string Vietnamese { get; }
    public string English { get; }

    /// <summary>The media type sniffed from the content, when that is what was wrong (e.g. "text/html").</summary>
    public string? DetectedType { get; }
}

/// <summary>A problem found in one file's content; intake turns it into a <see cref="ScanRejectedException"/>
/// naming the file.</summary>
internal class ScanProblem(ScanRejection reason, string vietnamese, string english) : Exception(english)
{
    public ScanRejection Reason { get; } = reason;
    public string Vietnamese { get; } = vietnamese;
    public string English { get; } = english;
}
