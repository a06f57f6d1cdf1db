using Certification.Signing.Pdf;

namespace Certification.Signing.Documents;

/// <summary>One page of the document as intake accepted it: where it comes from, its pixels and
/// resolution, and the page size it gets at 100 % scale.</summary>
public sealed record ScanPage
{
    public required string FileName { get; init; }

    /// <summary>0-based index of the file in the request.</summary>
    public required int FileIndex { get; init; }

    /// <summary>0-based page within the file (TIFF directory, PDF page).</summary>
    public required int PageInFile { get; init; }

    public required ScanFormat Format { get; init; }

    /// <summary>Stored pixel width (for a PDF page: of its largest image; 0 when it has none).</summary>
    public required int PixelWidth { get; init; }
    public required int PixelHeight { get; init; }

    /// <summary>Resolution of the stored image (for a PDF page: the effective resolution of its largest image).</summary>
    public required double DpiX { get; init; }
    public required double DpiY { get; init; }

    /// <summary>Exif/TIFF orientation 1–8, applied through the image matrix (the pixels are not rotated).</summary>
    public int Orientation { get; init; } = 1;

    /// <summary>Page width and height in points (1/72 inch) as displayed, after orientation.</summary>
    public required double WidthPoints { get; init; }
    public required double HeightPoints { get; init; }

    /// <summary>Colour components of the stored image (1 gray, 3 RGB, 4 CMYK; 0 for a PDF page).</summary>
    public int Components { get; init; }
    public int BitsPerComponent { get; init; }
    public bool HasAlpha { get; init; }

    internal ReadOnlyMemory<byte> Content { get; init; }
    internal JpegHeader? Jpeg { get; init; }
    internal PngHeader? Png { get; init; }
    internal TiffDirectory? Tiff { get; init; }
    internal PdfPageSource? Pdf { get; init; }
}

/// <summary>A page of a scanned PDF, imported unchanged: its object, visible box and rotation (inherited
/// attributes resolved, ISO 32000-1 § 7.7.3.4).</summary>
internal sealed record PdfPageSource(PdfFile File, PdfReference Page, PdfDictionary Resources, double[] MediaBox, double[]? CropBox, int Rotate)
{
    public double[] VisibleBox => CropBox ?? MediaBox;
}
