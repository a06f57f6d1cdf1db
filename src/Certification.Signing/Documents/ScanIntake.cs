using System.Globalization;
using Certification.Signing.Pdf;

namespace Certification.Signing.Documents;

/// <summary>
/// Accepts or refuses the scans of one document, in the given order, from their headers alone: type by
/// magic bytes, size and page limits, pixel counts (decompression bombs are refused before a single
/// pixel is allocated), resolution, structural integrity (truncation, trailing data), and for PDFs
/// encryption, active content and whether the pages are scans at all. Each refusal names its reason
/// (<see cref="ScanRejection"/>) and the file.
/// </summary>
public sealed class ScanIntake(IntakeLimits? limits = null)
{
    public IntakeLimits Limits { get; } = limits ?? IntakeLimits.Default;

    public IReadOnlyList<ScanPage> Inspect(IReadOnlyList<ScanFile> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        if (files.Count == 0) throw new ArgumentException("At least one scan is required", nameof(files));
        var pages = new List<ScanPage>();
        long total = 0;
        for (var i = 0; i < files.Count; i++)
        {
            // The document's total size first, before any file is looked into.
            total += files[i].Content.Length;
            if (total > Limits.MaxDocumentBytes)
                throw new ScanRejectedException(ScanRejection.DocumentTooLarge, NameOf(files[i], i),
                    $"tổng dung lượng các tệp vượt giới hạn {Mib(Limits.MaxDocumentBytes)}",
                    $"the files together exceed the limit of {Mib(Limits.MaxDocumentBytes)}");
        }
        for (var i = 0; i < files.Count; i++)
        {
            var file = files[i];
            var name = NameOf(file, i);
            try
            {
                pages.AddRange(InspectFile(file.Content, name, i, Limits.MaxPages - pages.Count));
            }
            catch (ScanProblem p)
            {
                throw new ScanRejectedException(p.Reason, name, p.Vietnamese, p.English, (p as DetectedTypeProblem)?.DetectedType);
            }
            if (pages.Count > Limits.MaxPages)
                throw new ScanRejectedException(ScanRejection.TooManyPages, name,
                    $"tài liệu có hơn {Limits.MaxPages} trang", $"the document has more than {Limits.MaxPages} pages");
        }
        return pages;
    }

    private IEnumerable<ScanPage> InspectFile(ReadOnlyMemory<byte> content, string name, int fileIndex, int pagesLeft)
    {
        if (content.Length == 0)
            throw new ScanProblem(ScanRejection.Empty, "tệp rỗng (0 byte)", "file is empty (0 bytes)");
        if (content.Length > Limits.MaxFileBytes)
            throw new ScanProblem(ScanRejection.TooLarge, $"tệp lớn hơn giới hạn {Mib(Limits.MaxFileBytes)}",
                $"file is larger than the limit of {Mib(Limits.MaxFileBytes)}");
        var format = ContentSniffer.Detect(content.Span);
        if (format is null)
        {
            var detected = ContentSniffer.Describe(content.Span);
            throw new DetectedTypeProblem(detected,
                $"không phải ảnh JPEG, PNG, TIFF hay tệp PDF (nội dung là {detected})",
                $"not a supported image format: not JPEG, PNG, TIFF or PDF (detected {detected})");
        }
        return format switch
        {
            ScanFormat.Jpeg => [InspectJpeg(content, name, fileIndex)],
            ScanFormat.Png => [InspectPng(content, name, fileIndex)],
            ScanFormat.Tiff => InspectTiff(content, name, fileIndex, pagesLeft),
            _ => PdfScanInspector.Inspect(content, name, fileIndex, Limits, pagesLeft),
        };
    }

    private ScanPage InspectJpeg(ReadOnlyMemory<byte> content, string name, int fileIndex)
    {
        // The frame header first: a bomb is refused before the rest of the file is even walked.
        if (JpegHeader.PeekFrame(content.Span) is { } frame) CheckPixels(frame.Width, frame.Height);
        var jpeg = JpegHeader.Read(content.Span);
        CheckPixels(jpeg.Width, jpeg.Height);
        var (dpiX, dpiY) = CheckResolution(jpeg.DpiX, jpeg.DpiY, jpeg.Width, jpeg.Height);
        return ImagePage(name, fileIndex, 0, ScanFormat.Jpeg, jpeg.Width, jpeg.Height, dpiX, dpiY, jpeg.Orientation) with
        {
            Components = jpeg.Components,
            BitsPerComponent = 8,
            Content = content,
            Jpeg = jpeg,
        };
    }

    private ScanPage InspectPng(ReadOnlyMemory<byte> content, string name, int fileIndex)
    {
        var span = content.Span;
        if (span.Length >= 24 && span[12..16].SequenceEqual("IHDR"u8))
            CheckPixels(System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(span[16..]), System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(span[20..]));
        var png = PngHeader.Read(span);
        CheckPixels(png.Width, png.Height);
        var (dpiX, dpiY) = CheckResolution(png.DpiX, png.DpiY, png.Width, png.Height);
        png.VerifyImageData(content);
        return ImagePage(name, fileIndex, 0, ScanFormat.Png, png.Width, png.Height, dpiX, dpiY, 1) with
        {
            Components = png.ColorType is 0 or 4 ? 1 : 3,
            BitsPerComponent = png.BitDepth,
            HasAlpha = png.HasAlpha,
            Content = content,
            Png = png,
        };
    }

    private IEnumerable<ScanPage> InspectTiff(ReadOnlyMemory<byte> content, string name, int fileIndex, int pagesLeft)
    {
        var directories = TiffHeader.Read(content, Math.Max(1, pagesLeft));
        var pages = new List<ScanPage>();
        for (var i = 0; i < directories.Count; i++)
        {
            var d = directories[i];
            CheckPixels(d.Width, d.Height);
            var (dpiX, dpiY) = CheckResolution(d.DpiX, d.DpiY, d.Width, d.Height);
            pages.Add(ImagePage(name, fileIndex, i, ScanFormat.Tiff, d.Width, d.Height, dpiX, dpiY, d.Orientation) with
            {
                Components = d.Photometric is 2 or 6 ? 3 : d.Photometric == 5 ? 4 : 1,
                BitsPerComponent = d.BitsPerSample,
                HasAlpha = d.SamplesPerPixel > (d.Photometric is 2 or 6 ? 3 : d.Photometric == 5 ? 4 : 1),
                Content = content,
                Tiff = d,
            });
        }
        return pages;
    }

    private static ScanPage ImagePage(string name, int fileIndex, int pageInFile, ScanFormat format, int width, int height, double dpiX, double dpiY, int orientation)
    {
        double w = width * 72.0 / dpiX, h = height * 72.0 / dpiY;
        var swap = orientation >= 5;
        return new ScanPage
        {
            FileName = name,
            FileIndex = fileIndex,
            PageInFile = pageInFile,
            Format = format,
            PixelWidth = width,
            PixelHeight = height,
            DpiX = dpiX,
            DpiY = dpiY,
            Orientation = orientation,
            WidthPoints = swap ? h : w,
            HeightPoints = swap ? w : h,
        };
    }

    internal void CheckPixels(long width, long height)
    {
        var pixels = width * height;
        if (pixels > Limits.MaxPixelsPerPage)
            throw new ScanProblem(ScanRejection.TooManyPixels,
                $"kích thước ảnh {width}x{height} ({pixels / 1_000_000} MP) vượt giới hạn {Limits.MaxPixelsPerPage / 1_000_000} MP",
                $"image dimensions {width}x{height} ({pixels / 1_000_000} MP) exceed the limit of {Limits.MaxPixelsPerPage / 1_000_000} MP");
    }

    private (double X, double Y) CheckResolution(double? dpiX, double? dpiY, int width, int height)
    {
        if (dpiX is not { } x || dpiY is not { } y)
            throw new ScanProblem(ScanRejection.ResolutionUnknown, "ảnh không ghi độ phân giải (dpi), không xác định được kích thước thật",
                "the image does not state its resolution (dpi), so its physical size is unknown");
        CheckDpi(Math.Min(x, y), Limits);
        if (Math.Min(width, height) < Limits.MinimumShortSidePixels)
            throw new ScanProblem(ScanRejection.TooSmall,
                $"ảnh quá nhỏ để là bản quét đọc được ({width}x{height} px; cạnh ngắn tối thiểu {Limits.MinimumShortSidePixels} px)",
                $"image too small to be a legible scan ({width}x{height} px; minimum {Limits.MinimumShortSidePixels} px on the short side)");
        return (x, y);
    }

    internal static void CheckDpi(double dpi, IntakeLimits limits)
    {
        // Half a dpi of tolerance: pHYs stores pixels per metre, so 200 dpi reads back as 199.99.
        if (dpi + 0.5 < limits.MinimumDpi)
        {
            var shown = dpi.ToString("0.#", CultureInfo.InvariantCulture);
            var minimum = limits.MinimumDpi.ToString("0.#", CultureInfo.InvariantCulture);
            throw new ScanProblem(ScanRejection.ResolutionTooLow,
                $"độ phân giải {shown} dpi thấp hơn mức tối thiểu {minimum} dpi",
                $"resolution {shown} dpi is below the minimum of {minimum} dpi");
        }
    }

    private static string NameOf(ScanFile file, int index) =>
        string.IsNullOrWhiteSpace(file.FileName) ? $"#{index + 1}" : Path.GetFileName(file.FileName);

    private static string Mib(long bytes) => $"{bytes / (1024 * 1024)} MiB";
}

internal sealed class DetectedTypeProblem(string detectedType, string vietnamese, string english)
    : ScanProblem(ScanRejection.UnsupportedType, vietnamese, english)
{
    public string DetectedType { get; } = detectedType;
}
