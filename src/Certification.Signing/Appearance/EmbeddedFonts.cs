using PdfSharp.Fonts;

namespace Certification.Signing.Appearance;

/// <summary>
/// Serves the Liberation Serif faces shipped inside this assembly (metric-compatible with Times New Roman,
/// which Decree 30/2020 names for the visible seal text) so output never depends on the host's fonts.
/// </summary>
public sealed class EmbeddedFonts : IFontResolver
{
    public const string SerifFamily = "Liberation Serif";
    private static readonly Lock InstallLock = new();

    private EmbeddedFonts() { }

    /// <summary>Installs the resolver for PDFsharp once per process.</summary>
    public static void Install()
    {
        lock (InstallLock)
        {
            if (GlobalFontSettings.FontResolver is EmbeddedFonts) return;
            // PDFsharp allows one resolver per process, fixed once a font was used.
            if (GlobalFontSettings.FontResolver is { } other)
                throw new InvalidOperationException($"PDFsharp already uses the font resolver {other.GetType().Name}; install EmbeddedFonts first");
            GlobalFontSettings.FontResolver = new EmbeddedFonts();
        }
    }

    public FontResolverInfo ResolveTypeface(string familyName, bool isBold, bool isItalic) =>
        new(isBold ? "LiberationSerif-Bold" : "LiberationSerif-Regular");

    public byte[] GetFont(string faceName) => Load(faceName);

    public static byte[] Load(string faceName)
    {
        using var stream = typeof(EmbeddedFonts).Assembly.GetManifestResourceStream($"Certification.Signing.Fonts.{faceName}.ttf")
                           ?? throw new InvalidOperationException($"Font {faceName} is not embedded");
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }
}
