using System.Text;

namespace Certification.Signing.Documents;

/// <summary>The formats intake accepts, decided by magic bytes.</summary>
public enum ScanFormat
{
    Jpeg,
    Png,
    Tiff,
    Pdf,
}

/// <summary>Decides what a file is from its first bytes (never from its name), and names what it is
/// when it is something we do not accept, for the error message.</summary>
internal static class ContentSniffer
{
    private static ReadOnlySpan<byte> PngSignature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    public static ScanFormat? Detect(ReadOnlySpan<byte> data)
    {
        if (data.Length >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF) return ScanFormat.Jpeg;
        if (data.StartsWith(PngSignature)) return ScanFormat.Png;
        if (data.StartsWith("II*\0"u8) || data.StartsWith("MM\0*"u8)) return ScanFormat.Tiff;
        if (data.StartsWith("%PDF-"u8)) return ScanFormat.Pdf;
        return null;
    }

    /// <summary>A media type for content we do not accept: "text/html", "image/svg+xml", "text/plain"...</summary>
    public static string Describe(ReadOnlySpan<byte> data)
    {
        if (data.StartsWith("GIF8"u8)) return "image/gif";
        if (data.StartsWith("BM"u8)) return "image/bmp";
        if (data.Length >= 12 && data.StartsWith("RIFF"u8) && data[8..12].SequenceEqual("WEBP"u8)) return "image/webp";
        if (data.StartsWith("PK\x03\x04"u8)) return "application/zip";
        if (data.StartsWith("II+\0"u8) || data.StartsWith("MM\0+"u8)) return "image/tiff (BigTIFF)";
        if (data.Length >= 12 && data[4..8].SequenceEqual("ftyp"u8)) return "image/heif or video/mp4";
        if (data.StartsWith((ReadOnlySpan<byte>)[0, 0, 0, 0x0C, 0x6A, 0x50, 0x20, 0x20]) || data.StartsWith((ReadOnlySpan<byte>)[0xFF, 0x4F, 0xFF, 0x51])) return "image/jp2";
        var head = data[..Math.Min(data.Length, 1024)];
        if (LooksLikeText(head))
        {
            var text = Encoding.UTF8.GetString(head).TrimStart('\uFEFF', ' ', '\t', '\r', '\n').ToLowerInvariant();
            if (text.Contains("<svg")) return "image/svg+xml";
            if (text.StartsWith("<!doctype html") || text.Contains("<html") || text.Contains("<script") || text.Contains("<body")) return "text/html";
            if (text.StartsWith("<?xml")) return "application/xml";
            return "text/plain";
        }
        return "application/octet-stream";
    }

    private static bool LooksLikeText(ReadOnlySpan<byte> head)
    {
        if (head.IsEmpty) return false;
        try
        {
            _ = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(head[..TrimIncompleteUtf8(head)]);
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
        foreach (var b in head)
        {
            if (b < 0x20 && b is not ((byte)'\t' or (byte)'\n' or (byte)'\r' or 0x0C)) return false;
        }
        return true;
    }

    /// <summary>The 1024-byte window may cut a multi-byte UTF-8 sequence; drop the partial tail.</summary>
    private static int TrimIncompleteUtf8(ReadOnlySpan<byte> head)
    {
        var end = head.Length;
        for (var i = 1; i <= 3 && end - i >= 0; i++)
        {
            var b = head[end - i];
            if ((b & 0xC0) == 0x80) continue;
            var needed = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
            return needed > i ? end - i : end;
        }
        return end;
    }
}
