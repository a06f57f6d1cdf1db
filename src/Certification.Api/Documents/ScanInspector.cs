using System.Text;

namespace Certification.Api.Documents;

/// <summary>What intake learned about one scan from its header, without decoding pixels.</summary>
public sealed record ScanFacts(string Format, int Width, int Height, double Dpi, int Pages);

/// <summary>
/// TEMPORARY intake checks until the [documents] branch lands (it owns scan intake). Sniffs the content
/// (never the file name), reads dimensions from headers so decompression bombs are measured, not
/// allocated, and refuses truncated data, trailing data (polyglots), encrypted PDFs and active content.
/// </summary>
public static class ScanInspector
{
    public const int MaxSide = 20_000;
    public const long MaxPixels = 150_000_000;
    public const int MinShortSide = 600;

    public static ScanFacts Inspect(ScanFile scan)
    {
        var b = scan.Content.Span;
        if (b.Length == 0) throw Reject(ScanRejection.Empty, scan, "file is empty (0 bytes)");
        if (b.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF])) return Jpeg(scan);
        if (b.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])) return Png(scan);
        if (b.StartsWith("II*\0"u8) || b.StartsWith("MM\0*"u8)) return Tiff(scan);
        if (b[..Math.Min(b.Length, 1024)].IndexOf("%PDF-"u8) >= 0) return Pdf(scan);
        throw Reject(ScanRejection.UnsupportedFormat, scan, $"not a supported image format (detected {Detect(b)})");
    }

    private static string Detect(ReadOnlySpan<byte> b)
    {
        var head = Encoding.UTF8.GetString(b[..Math.Min(b.Length, 512)]).TrimStart().ToLowerInvariant();
        if (head.Contains("<svg")) return "image/svg+xml";
        if (head.StartsWith("<!doctype html") || head.Contains("<html") || head.Contains("<script")) return "text/html";
        if (head.StartsWith("<?xml")) return "application/xml";
        if (b[..Math.Min(b.Length, 512)].IndexOfAnyInRange((byte)0, (byte)8) < 0) return "text/plain";
        return "application/octet-stream";
    }

    private static ScanFacts Jpeg(ScanFile scan)
    {
        var b = scan.Content.Span;
        int at = 2, width = 0, height = 0;
        double dpi = 0;
        var sawScan = false;
        while (at + 4 <= b.Length)
        {
            if (b[at] != 0xFF) throw Reject(ScanRejection.Malformed, scan, "malformed JPEG (bad segment marker)");
            var marker = b[at + 1];
            if (marker == 0xFF) { at++; continue; }
            var length = (b[at + 2] << 8) | b[at + 3];
            if (length < 2 || at + 2 + length > b.Length) throw Reject(ScanRejection.Truncated, scan, "image data is truncated/corrupt");
            var segment = b.Slice(at + 4, length - 2);
            if (marker == 0xE0 && segment.Length >= 12 && segment.StartsWith("JFIF\0"u8))
            {
                var units = segment[7];
                var x = (segment[8] << 8) | segment[9];
                dpi = units switch { 1 => x, 2 => x * 2.54, _ => 0 };
            }
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC && segment.Length >= 5)
            {
                height = (segment[1] << 8) | segment[2];
                width = (segment[3] << 8) | segment[4];
                CheckDimensions(scan, width, height);
            }
            at += 2 + length;
            if (marker == 0xDA) { sawScan = true; break; }
        }
        if (!sawScan || width == 0) throw Reject(ScanRejection.Truncated, scan, "image data is truncated/corrupt (no frame or scan)");
        // In entropy-coded data 0xFF is followed by 0x00 or a restart marker, so the first FFD9 is the end of image.
        var rest = b[at..];
        var eoi = -1;
        for (var i = 0; i + 1 < rest.Length; i++)
            if (rest[i] == 0xFF && rest[i + 1] == 0xD9) { eoi = i; break; }
        if (eoi < 0) throw Reject(ScanRejection.Truncated, scan, "image data is truncated/corrupt (no end-of-image marker)");
        var trailing = rest[(eoi + 2)..];
        if (trailing.IndexOfAnyExcept((byte)0, (byte)'\n', (byte)'\r') >= 0)
            throw Reject(ScanRejection.TrailingData, scan, $"trailing data after the JPEG end-of-image marker ({trailing.Length} bytes; embedded archive?)");
        CheckLegible(scan, width, height);
        return new ScanFacts("jpeg", width, height, dpi >= 72 ? dpi : 200, 1);
    }

    private static ScanFacts Png(ScanFile scan)
    {
        var b = scan.Content.Span;
        if (b.Length < 33 || !b.Slice(12, 4).SequenceEqual("IHDR"u8)) throw Reject(ScanRejection.Malformed, scan, "malformed PNG (no IHDR)");
        var width = ReadInt32(b[16..]);
        var height = ReadInt32(b[20..]);
        CheckDimensions(scan, width, height);
        if (b.Length < 12 || !b[^8..^4].SequenceEqual("IEND"u8)) throw Reject(ScanRejection.Truncated, scan, "image data is truncated/corrupt (no IEND chunk)");
        double dpi = 0;
        var phys = b.IndexOf("pHYs"u8);
        if (phys > 0 && phys + 13 <= b.Length && b[phys + 12] == 1) dpi = ReadInt32(b[(phys + 4)..]) * 0.0254;
        CheckLegible(scan, width, height);
        return new ScanFacts("png", width, height, dpi >= 72 ? dpi : 200, 1);
    }

    private static ScanFacts Tiff(ScanFile scan)
    {
        var b = scan.Content.Span;
        if (b.Length < 8) throw Reject(ScanRejection.Malformed, scan, "malformed TIFF (header cut short)");
        var little = b[0] == (byte)'I';
        long offset = little ? BitConverter.ToUInt32(b[4..8]) : (uint)ReadInt32(b[4..]);
        if (offset == 0) throw Reject(ScanRejection.NoPages, scan, "TIFF contains no pages/image directories");
        if (offset < 8 || offset + 2 > b.Length) throw Reject(ScanRejection.Malformed, scan, "malformed TIFF (directory offset outside file)");
        throw Reject(ScanRejection.UnsupportedFormat, scan, "TIFF scans are not supported by this build yet; send JPEG, PNG or a scanner PDF");
    }

    private static ScanFacts Pdf(ScanFile scan)
    {
        var b = scan.Content.Span;
        Signing.Pdf.PdfFile file;
        try
        {
            file = Signing.Pdf.PdfFile.Open(scan.Content);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw Reject(ScanRejection.Malformed, scan, "malformed PDF");
        }
        if (file.IsEncrypted) throw Reject(ScanRejection.Encrypted, scan, "PDF is password-protected/encrypted");
        string[] active = ["/JavaScript", "/JS", "/OpenAction", "/AA", "/Launch", "/EmbeddedFile", "/RichMedia", "/XFA"];
        var found = new List<string>();
        foreach (var a in active) if (Contains(b, a)) found.Add(a);
        if (found.Count > 0) throw Reject(ScanRejection.ActiveContent, scan, $"PDF contains JavaScript/active content ({string.Join(", ", found)})");
        if (!Contains(b, "/Image")) throw Reject(ScanRejection.NotAScan, scan, "PDF has no scanned page images (born-digital document): certify the paper original's scan");
        var pages = file.GetPageReferences().Count;
        if (pages == 0) throw Reject(ScanRejection.NoPages, scan, "PDF has no pages");
        return new ScanFacts("pdf", 0, 0, 0, pages);
    }

    private static bool Contains(ReadOnlySpan<byte> b, string token)
    {
        var t = Encoding.ASCII.GetBytes(token);
        var at = 0;
        while (at < b.Length)
        {
            var i = b[at..].IndexOf(t);
            if (i < 0) return false;
            var end = at + i + t.Length;
            // A whole name: the next byte must not continue it (/AA vs /AAPL).
            if (end >= b.Length || !char.IsAsciiLetterOrDigit((char)b[end])) return true;
            at = end;
        }
        return false;
    }

    private static void CheckDimensions(ScanFile scan, int width, int height)
    {
        if (width <= 0 || height <= 0) throw Reject(ScanRejection.Malformed, scan, $"image dimensions {width}x{height} are invalid");
        if (width > MaxSide || height > MaxSide || (long)width * height > MaxPixels)
            throw Reject(ScanRejection.DimensionsTooLarge, scan,
                $"image dimensions {width}x{height} ({(long)width * height / 1_000_000} MP) exceed the limit ({MaxSide} px a side, {MaxPixels / 1_000_000} MP)");
    }

    private static void CheckLegible(ScanFile scan, int width, int height)
    {
        if (Math.Min(width, height) < MinShortSide)
            throw Reject(ScanRejection.TooSmall, scan, $"image too small to be a legible scan ({width}x{height} px; minimum {MinShortSide} px on the short side)");
    }

    private static int ReadInt32(ReadOnlySpan<byte> b) => (b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3];

    private static ScanRejectedException Reject(ScanRejection reason, ScanFile scan, string message) => new(reason, scan.FileName, message);
}
