using System.Text;

namespace Certification.TestSupport.ExternalTools;

internal static class TextRepair
{
    private static readonly Encoding StrictUtf8 = new UTF8Encoding(false, throwOnInvalidBytes: true);

    /// <summary>pdfsig and mutool print certificate names UTF-8 encoded twice (UTF-8 bytes read as
    /// Latin-1, then written as UTF-8 again): "Nguyá»n" for "Nguyễn". Undo that when the text looks like
    /// it; leave it alone otherwise.</summary>
    public static string UndoDoubleUtf8(string text)
    {
        if (text.All(c => c < 0x80) || text.Any(c => c > 0xFF)) return text;
        try { return StrictUtf8.GetString(Encoding.Latin1.GetBytes(text)); }
        catch (DecoderFallbackException) { return text; }
    }
}
