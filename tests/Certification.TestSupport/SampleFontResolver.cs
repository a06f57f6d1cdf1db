using PdfSharp.Fonts;

namespace Certification.TestSupport;

/// <summary>Serves the Liberation Serif TTF embedded in Certification.Signing to PDFsharp, so sample
/// documents never depend on the host's fonts. Every family name resolves to it.</summary>
public sealed class SampleFontResolver : IFontResolver
{
    public const string FamilyName = "Liberation Serif";
    private const string FaceName = "LiberationSerif-Regular";
    private const string ResourceName = "Certification.Signing.Fonts.LiberationSerif-Regular.ttf";

    public static readonly SampleFontResolver Instance = new();

    private static readonly Lazy<byte[]> FontBytes = new(() =>
    {
        using var stream = typeof(Certification.Signing.Cms.ISigningKey).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"Manifest resource {ResourceName} is missing from Certification.Signing.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });

    private static readonly object Gate = new();

    private SampleFontResolver() { }

    /// <summary>Installs this resolver unless another one is already installed (PDFsharp allows one per
    /// process, set before first use). An already installed resolver must resolve "Liberation Serif".</summary>
    public static void EnsureInstalled()
    {
        lock (Gate)
        {
            GlobalFontSettings.FontResolver ??= Instance;
        }
    }

    public FontResolverInfo? ResolveTypeface(string familyName, bool bold, bool italic) =>
        new(FaceName, bold, italic);

    public byte[]? GetFont(string faceName) => faceName == FaceName ? FontBytes.Value : null;
}
