using System.Buffers;
using System.IO.Compression;
using System.Runtime.InteropServices;
using BitMiracle.LibTiff.Classic;
using Certification.Signing.Pdf;
using SkiaSharp;

namespace Certification.Signing.Documents;

/// <summary>A page image as a PDF image XObject (ISO 32000-1 § 8.9.5) and, when it was cheap to get,
/// a coarse luminance map used to find blank paper for the statement.</summary>
internal sealed record PageImage(PdfStream XObject, LuminanceMap? Luminance);

/// <summary>
/// Turns accepted scan pages into image XObjects. JPEG goes in unchanged (/DCTDecode: the bytes in the
/// PDF are the uploaded bytes); 8-bit gray/RGB PNG goes in unchanged too (its zlib stream with PNG
/// predictors is a valid /FlateDecode stream); everything else is decoded (SkiaSharp for PNG,
/// LibTiff.NET for TIFF) row by row and stored losslessly with /FlateDecode. Alpha is flattened onto
/// white paper; 16-bit samples are scaled to 8 bits by the decoder.
/// </summary>
internal static class PageImages
{
    /// <param name="luminanceFrom">When set, a luminance map is wanted of the displayed page from this
    /// fraction of its height down to the bottom (where the statement may go); decoders that must decode
    /// the whole image anyway map all of it.</param>
    public static PageImage Create(ScanPage page, double? luminanceFrom) => page.Format switch
    {
        ScanFormat.Jpeg => new PageImage(Jpeg(page), luminanceFrom is { } from ? LuminanceMap.FromEncoded(page.Content, page.Orientation, from) : null),
        ScanFormat.Png when page.Png!.CanPassThrough => new PageImage(PngPassThrough(page),
            luminanceFrom is { } from ? LuminanceMap.FromEncoded(page.Content, page.Orientation, from) : null),
        ScanFormat.Png => DecodedPng(page),
        ScanFormat.Tiff => DecodedTiff(page),
        _ => throw new InvalidOperationException("PDF pages are imported, not drawn as images"),
    };

    private static PdfDictionary ImageDictionary(int width, int height, string colorSpace, int bits) => new PdfDictionary()
        .Set("Type", new PdfName("XObject"))
        .Set("Subtype", new PdfName("Image"))
        .Set("Width", new PdfInteger(width))
        .Set("Height", new PdfInteger(height))
        .Set("ColorSpace", new PdfName(colorSpace))
        .Set("BitsPerComponent", new PdfInteger(bits));

    private static string ColorSpace(int components) => components switch { 1 => "DeviceGray", 3 => "DeviceRGB", _ => "DeviceCMYK" };

    private static PdfStream Jpeg(ScanPage page)
    {
        var jpeg = page.Jpeg!;
        var dict = ImageDictionary(jpeg.Width, jpeg.Height, ColorSpace(jpeg.Components), 8).Set("Filter", new PdfName("DCTDecode"));
        // Adobe CMYK JPEGs store inverted samples (Adobe Technical Note 5116); /Decode inverts them back.
        if (jpeg.Components == 4 && jpeg.HasAdobeMarker)
            dict["Decode"] = new PdfArray(Enumerable.Range(0, 8).Select(i => (PdfObject)new PdfInteger(i % 2 == 0 ? 1 : 0)));
        return new PdfStream(dict, page.Content);
    }

    private static PdfStream PngPassThrough(ScanPage page)
    {
        var png = page.Png!;
        var dict = ImageDictionary(png.Width, png.Height, ColorSpace(png.Channels), 8)
            .Set("Filter", new PdfName("FlateDecode"))
            .Set("DecodeParms", new PdfDictionary()
                .Set("Predictor", new PdfInteger(15))
                .Set("Colors", new PdfInteger(png.Channels))
                .Set("BitsPerComponent", new PdfInteger(8))
                .Set("Columns", new PdfInteger(png.Width)));
        return new PdfStream(dict, png.ConcatenateImageData(page.Content.Span));
    }

    private static PageImage DecodedPng(ScanPage page)
    {
        var png = page.Png!;
        var gray = png.ColorType is 0 or 4;
        var channels = gray ? 1 : 3;
        using var data = SKData.CreateCopy(page.Content.Span);
        using var codec = SKCodec.Create(data) ?? throw Corrupt(page, "SkiaSharp cannot open the PNG");
        var info = new SKImageInfo(png.Width, png.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var writer = new FlateImageWriter(png.Width, png.Height, channels, page.DpiX);
        var rgba = new byte[png.Width * 4];
        var row = new byte[png.Width * channels];
        var handle = GCHandle.Alloc(rgba, GCHandleType.Pinned);
        try
        {
            var ptr = handle.AddrOfPinnedObject();
            if (!png.Interlaced && codec.StartScanlineDecode(info) == SKCodecResult.Success)
            {
                for (var y = 0; y < png.Height; y++)
                {
                    if (codec.GetScanlines(ptr, 1, rgba.Length) != 1) throw Corrupt(page, $"row {y} does not decode");
                    Flatten(rgba, row, channels);
                    writer.WriteRow(row);
                }
            }
            else
            {
                // Interlaced PNGs only decode as a whole.
                var all = new byte[(long)png.Width * png.Height * 4];
                var allHandle = GCHandle.Alloc(all, GCHandleType.Pinned);
                try
                {
                    var result = codec.GetPixels(info, allHandle.AddrOfPinnedObject());
                    if (result != SKCodecResult.Success) throw Corrupt(page, $"SkiaSharp: {result}");
                }
                finally { allHandle.Free(); }
                for (var y = 0; y < png.Height; y++)
                {
                    all.AsSpan(y * rgba.Length, rgba.Length).CopyTo(rgba);
                    Flatten(rgba, row, channels);
                    writer.WriteRow(row);
                }
            }
        }
        finally { handle.Free(); }
        return writer.Finish(ColorSpace(channels), page.Orientation);
    }

    /// <summary>Composites unpremultiplied RGBA onto white and keeps 1 or 3 channels.</summary>
    private static void Flatten(byte[] rgba, byte[] row, int channels)
    {
        var width = row.Length / channels;
        for (var x = 0; x < width; x++)
        {
            int a = rgba[4 * x + 3], inverse = 255 - a;
            for (var c = 0; c < channels; c++)
                row[x * channels + c] = (byte)((rgba[4 * x + c] * a + 255 * inverse + 127) / 255);
        }
    }

    private static PageImage DecodedTiff(ScanPage page)
    {
        var dir = page.Tiff!;
        var bytes = MemoryMarshal.TryGetArray(page.Content, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array : page.Content.ToArray();
        using var errors = TiffErrors.Capture();
        using var stream = new MemoryStream(bytes, writable: false);
        using var tiff = Tiff.ClientOpen(page.FileName, "r", stream, new TiffStream()) ?? throw Corrupt(page, errors.Describe("cannot open"));
        if (!tiff.SetDirectory((short)page.PageInFile)) throw Corrupt(page, errors.Describe($"no directory {page.PageInFile}"));
        int width = dir.Width, height = dir.Height;
        var bits = tiff.GetField(TiffTag.BITSPERSAMPLE)?[0].ToInt() ?? 1;
        var samples = tiff.GetField(TiffTag.SAMPLESPERPIXEL)?[0].ToInt() ?? 1;
        var photometric = (Photometric)(tiff.GetField(TiffTag.PHOTOMETRIC)?[0].ToInt() ?? 1);
        var planar = (PlanarConfig)(tiff.GetField(TiffTag.PLANARCONFIG)?[0].ToInt() ?? 1);
        var tiled = tiff.IsTiled();
        var scanline = new byte[tiff.ScanlineSize()];

        if (!tiled && samples == 1 && bits is 1 or 8 && photometric is Photometric.MINISWHITE or Photometric.MINISBLACK)
        {
            var writer = new FlateImageWriter(width, height, 1, page.DpiX, bits);
            var row = new byte[bits == 1 ? (width + 7) / 8 : width];
            for (var y = 0; y < height; y++)
            {
                if (!tiff.ReadScanline(scanline, y) || errors.Any) throw Corrupt(page, errors.Describe($"row {y}"));
                Array.Copy(scanline, row, row.Length);
                // Store samples as black-is-zero, so the PDF needs no /Decode and the luminance map reads them directly.
                if (photometric == Photometric.MINISWHITE) for (var i = 0; i < row.Length; i++) row[i] = (byte)~row[i];
                writer.WriteRow(row);
            }
            return writer.Finish("DeviceGray", page.Orientation);
        }
        if (!tiled && bits == 8 && samples >= 3 && photometric == Photometric.RGB && planar == PlanarConfig.CONTIG)
        {
            var writer = new FlateImageWriter(width, height, 3, page.DpiX);
            var row = new byte[width * 3];
            var alpha = samples >= 4;
            for (var y = 0; y < height; y++)
            {
                if (!tiff.ReadScanline(scanline, y) || errors.Any) throw Corrupt(page, errors.Describe($"row {y}"));
                for (var x = 0; x < width; x++)
                {
                    int a = alpha ? scanline[x * samples + 3] : 255;
                    for (var c = 0; c < 3; c++)
                        row[x * 3 + c] = (byte)((scanline[x * samples + c] * a + 255 * (255 - a) + 127) / 255);
                }
                writer.WriteRow(row);
            }
            return writer.Finish("DeviceRGB", page.Orientation);
        }
        // Anything else (palette, CMYK, YCbCr, 16-bit, tiles, planar): libtiff's RGBA interface.
        var raster = new int[(long)width * height];
        if (!tiff.ReadRGBAImageOriented(width, height, raster, Orientation.TOPLEFT) || errors.Any) throw Corrupt(page, errors.Describe("RGBA decode"));
        var rgbWriter = new FlateImageWriter(width, height, 3, page.DpiX);
        var rgb = new byte[width * 3];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var p = raster[(long)y * width + x];
                int a = Tiff.GetA(p);
                rgb[x * 3] = (byte)((Tiff.GetR(p) * a + 255 * (255 - a) + 127) / 255);
                rgb[x * 3 + 1] = (byte)((Tiff.GetG(p) * a + 255 * (255 - a) + 127) / 255);
                rgb[x * 3 + 2] = (byte)((Tiff.GetB(p) * a + 255 * (255 - a) + 127) / 255);
            }
            rgbWriter.WriteRow(rgb);
        }
        return rgbWriter.Finish("DeviceRGB", page.Orientation);
    }

    internal static ScanRejectedException Corrupt(ScanPage page, string detail) =>
        new(ScanRejection.Corrupt, page.FileName, $"không giải mã được ảnh ({detail})", $"image data cannot be decoded ({detail})");

    /// <summary>Deflates rows as they come and keeps a coarse luminance map on the side.</summary>
    private sealed class FlateImageWriter
    {
        private readonly int _width, _height, _channels, _bits;
        private readonly MemoryStream _output = new();
        private readonly ZLibStream _zlib;
        private readonly LuminanceMap.Builder _luminance;

        public FlateImageWriter(int width, int height, int channels, double dpi, int bits = 8)
        {
            _width = width;
            _height = height;
            _channels = channels;
            _bits = bits;
            _zlib = new ZLibStream(_output, CompressionLevel.Fastest, leaveOpen: true);
            _luminance = new LuminanceMap.Builder(width, height, Math.Max(1, (int)Math.Round(dpi / 50)));
        }

        public void WriteRow(byte[] row)
        {
            _zlib.Write(row);
            _luminance.AddRow(row, _channels, _bits);
        }

        public PageImage Finish(string colorSpace, int orientation)
        {
            _zlib.Dispose();
            var dict = ImageDictionary(_width, _height, colorSpace, _bits).Set("Filter", new PdfName("FlateDecode"));
            return new PageImage(new PdfStream(dict, _output.GetBuffer().AsMemory(0, (int)_output.Length)), _luminance.Build(orientation));
        }
    }

    /// <summary>LibTiff.NET reports problems through a process-wide handler; this collects them per thread.</summary>
    private sealed class TiffErrors : TiffErrorHandler, IDisposable
    {
        [ThreadStatic] private static List<string>? _current;
        private static readonly TiffErrors Handler = new();
        private static readonly Lock InstallLock = new();
        private static bool _installed;

        public static TiffErrors Capture()
        {
            lock (InstallLock)
            {
                if (!_installed) { Tiff.SetErrorHandler(Handler); _installed = true; }
            }
            _current = [];
            return Handler;
        }

        public bool Any => _current is { Count: > 0 };

        public string Describe(string what) => _current is { Count: > 0 } list ? $"{what}: {string.Join("; ", list)}" : what;

        public override void ErrorHandler(Tiff tif, string method, string format, params object[] args) =>
            _current?.Add(string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args));

        public override void WarningHandler(Tiff tif, string method, string format, params object[] args)
        {
            // Warnings (unknown tags and the like) do not make the pixels wrong.
        }

        public void Dispose() => _current = null;
    }
}

/// <summary>A coarse (about 40–50 dpi) gray map of a page as displayed (orientation applied), 0 black – 255
/// white, covering the page from <see cref="Top"/> (a fraction of its height) to the bottom.</summary>
internal sealed class LuminanceMap(int width, int height, byte[] values, double top = 0)
{
    /// <summary>Paper darker than this is not taken for blank paper (a dark photograph is not room for the statement).</summary>
    private const int LightestInk = 160;

    public int Width { get; } = width;
    public int Height { get; } = height;
    public double Top { get; } = top;

    public byte this[int x, int y] => values[y * Width + x];

    /// <summary>True when the region (fractions of the page, origin top-left) holds no ink: its cells are
    /// all close to the paper tone (the mapped area's 90th-percentile luminance), and that tone is light.</summary>
    public bool IsBlank(double left, double top, double right, double bottom)
    {
        if (top < Top - 1e-9) return false;
        var paper = _paperTone ??= Percentile(values, 0.9);
        if (paper < LightestInk) return false;
        var threshold = paper - Math.Max(40, paper / 5);
        double Row(double y) => (y - Top) / (1 - Top) * Height;
        int x0 = (int)Math.Floor(left * Width), x1 = (int)Math.Ceiling(right * Width), y0 = (int)Math.Floor(Row(top)), y1 = (int)Math.Ceiling(Row(bottom));
        x0 = Math.Clamp(x0, 0, Width); x1 = Math.Clamp(x1, 0, Width); y0 = Math.Clamp(y0, 0, Height); y1 = Math.Clamp(y1, 0, Height);
        int cells = 0, ink = 0;
        for (var y = y0; y < y1; y++)
        for (var x = x0; x < x1; x++)
        {
            cells++;
            if (this[x, y] < threshold) ink++;
        }
        return cells > 0 && ink <= cells / 500;
    }

    private byte? _paperTone;

    /// <summary>The value below which <paramref name="fraction"/> of the cells lie, from a histogram (no sort).</summary>
    private static byte Percentile(byte[] cells, double fraction)
    {
        Span<int> histogram = stackalloc int[256];
        foreach (var v in cells) histogram[v]++;
        var rank = (int)(cells.Length * fraction);
        for (var v = 0; v < 256; v++)
        {
            rank -= histogram[v];
            if (rank < 0) return (byte)v;
        }
        return 255;
    }

    /// <summary>Decodes an encoded JPEG or PNG at reduced size with SkiaSharp: JPEG scales by 1/8 in the
    /// DCT domain (libjpeg-turbo), so each decoded pixel is a cell; formats that cannot scale are averaged.
    /// Only the rows that show the displayed page from <paramref name="from"/> down are decoded: rows above
    /// are skipped (entropy-decoded, nothing else) or, when the image is stored upside down, never reached.</summary>
    public static LuminanceMap? FromEncoded(ReadOnlyMemory<byte> content, int orientation, double from)
    {
        using var data = SKData.CreateCopy(content.Span);
        using var codec = SKCodec.Create(data);
        if (codec is null) return null;
        var size = codec.GetScaledDimensions(0.125f);
        var info = new SKImageInfo(size.Width, size.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        // Display rows run along stored rows for orientations 1–4 (ISO 12234-2 / TIFF tag 274); 3 and 4 are upside down.
        var wanted = orientation <= 4 ? Math.Clamp((int)Math.Ceiling((1 - from) * size.Height) + 1, 1, size.Height) : size.Height;
        var first = orientation is 3 or 4 ? 0 : size.Height - wanted;
        var builder = new Builder(size.Width, wanted, size.Width < codec.Info.Width ? 1 : Math.Max(1, size.Width / 300));
        var rgba = ArrayPool<byte>.Shared.Rent(size.Width * 4);
        var luma = new byte[size.Width];
        var handle = GCHandle.Alloc(rgba, GCHandleType.Pinned);
        try
        {
            if (codec.StartScanlineDecode(info) != SKCodecResult.Success) return null;
            if (first > 0 && !codec.SkipScanlines(first)) return null;
            for (var y = 0; y < wanted; y++)
            {
                if (codec.GetScanlines(handle.AddrOfPinnedObject(), 1, size.Width * 4) != 1) return null;
                Luma(rgba, luma);
                builder.AddRow(luma, 1, 8);
            }
            return builder.Build(orientation, top: 1 - (double)wanted / size.Height);
        }
        finally
        {
            handle.Free();
            ArrayPool<byte>.Shared.Return(rgba);
        }
    }

    /// <summary>Rec. 601 luma of unpremultiplied RGBA pixels composited onto white paper.</summary>
    internal static void Luma(ReadOnlySpan<byte> rgba, Span<byte> luma)
    {
        for (var x = 0; x < luma.Length; x++)
        {
            int a = rgba[4 * x + 3], inverse = 255 - a;
            var v = (rgba[4 * x] * 77 + rgba[4 * x + 1] * 150 + rgba[4 * x + 2] * 29) >> 8;
            luma[x] = (byte)((v * a + 255 * inverse) / 255);
        }
    }

    /// <summary>The map as displayed, from cells in stored order (for a partial map, the stored rows that
    /// show the displayed area from <paramref name="top"/> down; only orientations 1–4 are ever partial).</summary>
    private static LuminanceMap Oriented(byte[] stored, int storedWidth, int storedHeight, int orientation, double top)
    {
        var (display, w, h) = Orient(stored, storedWidth, storedHeight, orientation);
        return new LuminanceMap(w, h, display, top);
    }

    /// <summary>8-bit samples in stored order turned to display order (Exif/TIFF orientation 1–8).</summary>
    internal static (byte[] Pixels, int Width, int Height) Orient(byte[] stored, int storedWidth, int storedHeight, int orientation)
    {
        if (orientation <= 1) return (stored, storedWidth, storedHeight);
        var swap = orientation >= 5;
        int w = swap ? storedHeight : storedWidth, h = swap ? storedWidth : storedHeight;
        var display = new byte[w * h];
        for (var y = 0; y < h; y++)
        for (var x = 0; x < w; x++)
        {
            var (s, t) = PageGeometry.DisplayToStored(orientation, (x + 0.5) / w, (y + 0.5) / h);
            int sx = Math.Clamp((int)(s * storedWidth), 0, storedWidth - 1), sy = Math.Clamp((int)(t * storedHeight), 0, storedHeight - 1);
            display[y * w + x] = stored[sy * storedWidth + sx];
        }
        return (display, w, h);
    }

    /// <summary>Box-averages rows into cells of factor × factor pixels.</summary>
    internal sealed class Builder(int width, int height, int factor)
    {
        private readonly int _cellsX = (width + factor - 1) / factor;
        private readonly int _cellsY = (height + factor - 1) / factor;
        private long[]? _sums;
        private int[]? _counts;
        private int _y;

        public void AddRow(byte[] row, int channels, int bits)
        {
            _sums ??= new long[_cellsX * _cellsY];
            _counts ??= new int[_cellsX * _cellsY];
            var cy = _y++ / factor;
            if (cy >= _cellsY) return;
            for (var x = 0; x < width; x++)
            {
                int v;
                if (bits == 1) v = (row[x >> 3] >> (7 - (x & 7)) & 1) * 255;
                else if (channels == 1) v = row[x];
                else v = (row[x * 3] * 77 + row[x * 3 + 1] * 150 + row[x * 3 + 2] * 29) >> 8;
                var i = cy * _cellsX + x / factor;
                _sums[i] += v;
                _counts[i]++;
            }
        }

        public LuminanceMap Build(int orientation, double top = 0)
        {
            var stored = new byte[_cellsX * _cellsY];
            for (var i = 0; i < stored.Length; i++) stored[i] = _counts![i] == 0 ? (byte)255 : (byte)(_sums![i] / _counts[i]);
            return Oriented(stored, _cellsX, _cellsY, orientation, top);
        }
    }
}
