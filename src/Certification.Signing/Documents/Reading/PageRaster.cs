using System.Buffers;
using System.IO.Compression;
using System.Runtime.InteropServices;
using Certification.Signing.Pdf;
using SkiaSharp;

namespace Certification.Signing.Documents.Reading;

/// <summary>
/// A page as displayed (orientation applied), 8-bit gray (0 black – 255 white, Rec. 601 luma, alpha flattened
/// onto white), at a known resolution. Only for reading the scan (quality, fingerprint, OCR): the certified copy
/// always carries the uploaded image itself (<see cref="PageImages"/>), never these pixels.
/// </summary>
public sealed class PageRaster
{
    public PageRaster(int width, int height, double dpi, byte[] pixels)
    {
        if (pixels.Length != width * height) throw new ArgumentException("Pixel count does not match the size", nameof(pixels));
        Width = width;
        Height = height;
        Dpi = dpi;
        Pixels = pixels;
    }

    public int Width { get; }
    public int Height { get; }
    public double Dpi { get; }
    public byte[] Pixels { get; }

    public byte this[int x, int y] => Pixels[y * Width + x];

    /// <summary>True when pages of this format can be decoded for reading (PDF pages are imported, not decoded).</summary>
    public static bool CanDecode(ScanPage page) => page.Format is ScanFormat.Jpeg or ScanFormat.Png or ScanFormat.Tiff;

    /// <summary>Decodes the page at <paramref name="dpi"/> (or its own resolution when lower). JPEG is scaled in the
    /// DCT domain first (libjpeg-turbo decodes 1/2, 1/4, 1/8 for a fraction of the cost), then area-averaged.</summary>
    public static PageRaster Decode(ScanPage page, double dpi)
    {
        var own = Math.Min(page.DpiX, page.DpiY);
        var raster = page.Format switch
        {
            ScanFormat.Jpeg or ScanFormat.Png => DecodeWithSkia(page, Math.Min(1, dpi / own)),
            ScanFormat.Tiff => DecodeTiff(page),
            _ => throw new NotSupportedException("PDF pages are imported, not decoded"),
        };
        return raster.Dpi > dpi * 1.001 ? raster.Resample(dpi) : raster;
    }

    private static PageRaster DecodeWithSkia(ScanPage page, double scale)
    {
        using var data = SKData.CreateCopy(page.Content.Span);
        using var codec = SKCodec.Create(data) ?? throw PageImages.Corrupt(page, "SkiaSharp cannot open it");
        var size = codec.GetScaledDimensions((float)scale);
        // Never below the wanted resolution: the area-averaging that follows gives the exact size.
        if (size.Width < codec.Info.Width * scale - 1) size = codec.Info.Size;
        var dpi = Math.Min(page.DpiX, page.DpiY) * size.Width / codec.Info.Width;
        var gray = new byte[size.Width * size.Height];
        // An opaque image decodes straight to gray where the codec can (a gray JPEG): no RGBA buffer, no conversion.
        if (codec.Info.AlphaType == SKAlphaType.Opaque)
        {
            var grayHandle = GCHandle.Alloc(gray, GCHandleType.Pinned);
            try
            {
                var direct = codec.GetPixels(new SKImageInfo(size.Width, size.Height, SKColorType.Gray8, SKAlphaType.Opaque), grayHandle.AddrOfPinnedObject());
                if (direct is SKCodecResult.Success or SKCodecResult.IncompleteInput) return Oriented(gray, size.Width, size.Height, dpi, page.Orientation);
            }
            finally { grayHandle.Free(); }
        }
        var info = new SKImageInfo(size.Width, size.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var rgba = ArrayPool<byte>.Shared.Rent(size.Width * size.Height * 4);
        var handle = GCHandle.Alloc(rgba, GCHandleType.Pinned);
        try
        {
            var result = codec.GetPixels(info, handle.AddrOfPinnedObject());
            if (result is not (SKCodecResult.Success or SKCodecResult.IncompleteInput)) throw PageImages.Corrupt(page, $"SkiaSharp: {result}");
            LuminanceMap.Luma(rgba.AsSpan(0, gray.Length * 4), gray);
            return Oriented(gray, size.Width, size.Height, dpi, page.Orientation);
        }
        finally
        {
            handle.Free();
            ArrayPool<byte>.Shared.Return(rgba);
        }
    }

    /// <summary>TIFF pages go through the same decoder the copy uses (LibTiff.NET), read back from its lossless stream.</summary>
    private static PageRaster DecodeTiff(ScanPage page)
    {
        var image = PageImages.Create(page, null).XObject;
        int width = page.PixelWidth, height = page.PixelHeight;
        var bits = (int)((PdfInteger)image.Dictionary["BitsPerComponent"]!).Value;
        var channels = ((PdfName)image.Dictionary["ColorSpace"]!).Value == "DeviceRGB" ? 3 : 1;
        var rowBytes = bits == 1 ? (width + 7) / 8 : width * channels;
        using var inflater = new ZLibStream(new MemoryStream(image.EncodedData.ToArray(), writable: false), CompressionMode.Decompress);
        var row = new byte[rowBytes];
        var gray = new byte[width * height];
        for (var y = 0; y < height; y++)
        {
            inflater.ReadExactly(row);
            var target = gray.AsSpan(y * width, width);
            for (var x = 0; x < width; x++)
                target[x] = bits == 1 ? (byte)((row[x >> 3] >> (7 - (x & 7)) & 1) * 255)
                    : channels == 1 ? row[x]
                    : (byte)((row[x * 3] * 77 + row[x * 3 + 1] * 150 + row[x * 3 + 2] * 29) >> 8);
        }
        return Oriented(gray, width, height, Math.Min(page.DpiX, page.DpiY), page.Orientation);
    }

    private static PageRaster Oriented(byte[] stored, int width, int height, double dpi, int orientation)
    {
        var (pixels, w, h) = LuminanceMap.Orient(stored, width, height, orientation);
        return new PageRaster(w, h, dpi, pixels);
    }

    /// <summary>This page at another (lower) resolution by area averaging: each target pixel is the mean of the
    /// source area it covers, so no detail is aliased and no blur is added beyond the change of scale.</summary>
    public PageRaster Resample(double dpi)
    {
        var factor = dpi / Dpi;
        return Resize(Math.Max(1, (int)Math.Round(Width * factor)), Math.Max(1, (int)Math.Round(Height * factor)), dpi);
    }

    /// <summary>Area-averaged to exactly <paramref name="width"/> × <paramref name="height"/> (separable box filter).</summary>
    public PageRaster Resize(int width, int height, double? dpi = null)
    {
        if (Width % width == 0 && Height % height == 0 && Width / width == Height / height) return Shrink(Width / width, dpi);
        var columns = Footprints(Width, width);
        var rows = Footprints(Height, height);
        var horizontal = new float[Height * width];
        for (var y = 0; y < Height; y++)
        {
            var source = Pixels.AsSpan(y * Width, Width);
            for (var x = 0; x < width; x++)
            {
                var (start, weights) = columns[x];
                float sum = 0;
                for (var i = 0; i < weights.Length; i++) sum += source[start + i] * weights[i];
                horizontal[y * width + x] = sum;
            }
        }
        var result = new byte[width * height];
        for (var y = 0; y < height; y++)
        {
            var (start, weights) = rows[y];
            for (var x = 0; x < width; x++)
            {
                float sum = 0;
                for (var i = 0; i < weights.Length; i++) sum += horizontal[(start + i) * width + x] * weights[i];
                result[y * width + x] = (byte)Math.Clamp(sum + 0.5f, 0, 255);
            }
        }
        return new PageRaster(width, height, dpi ?? Dpi * width / Width, result);
    }

    /// <summary>The same box filter for a whole factor, in integers (150 → 75 dpi is the gate's common case).</summary>
    private PageRaster Shrink(int factor, double? dpi)
    {
        int width = Width / factor, height = Height / factor, area = factor * factor;
        var sums = new int[width];
        var result = new byte[width * height];
        for (var y = 0; y < height; y++)
        {
            Array.Clear(sums);
            for (var dy = 0; dy < factor; dy++)
            {
                var row = Pixels.AsSpan((y * factor + dy) * Width, width * factor);
                for (var x = 0; x < row.Length; x++) sums[x / factor] += row[x];
            }
            for (var x = 0; x < width; x++) result[y * width + x] = (byte)((sums[x] + area / 2) / area);
        }
        return new PageRaster(width, height, dpi ?? Dpi / factor, result);
    }

    /// <summary>For each target sample: the first source sample it covers and the normalised weights of those it covers.</summary>
    private static (int Start, float[] Weights)[] Footprints(int source, int target)
    {
        var scale = (double)source / target;
        var result = new (int, float[])[target];
        for (var t = 0; t < target; t++)
        {
            double from = t * scale, to = Math.Min(source, (t + 1) * scale);
            var first = (int)Math.Floor(from);
            var last = Math.Min(source - 1, (int)Math.Ceiling(to) - 1);
            var weights = new float[last - first + 1];
            for (var s = first; s <= last; s++)
                weights[s - first] = (float)((Math.Min(to, s + 1) - Math.Max(from, s)) / (to - from));
            result[t] = (first, weights);
        }
        return result;
    }

    /// <summary>Binary PGM (Netpbm P5): what the OCR engine reads from its standard input, without any compression cost.</summary>
    public byte[] ToPgm()
    {
        var header = System.Text.Encoding.ASCII.GetBytes($"P5\n{Width} {Height}\n255\n");
        var pgm = new byte[header.Length + Pixels.Length];
        header.CopyTo(pgm, 0);
        Pixels.CopyTo(pgm, header.Length);
        return pgm;
    }
}
