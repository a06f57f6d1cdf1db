using System.Numerics;

namespace Certification.Signing.Documents.Reading;

/// <summary>
/// A 256-bit DCT perceptual hash of a page's content (the pHash construction: low-frequency DCT coefficients
/// against their median), taken over the inked area only, so margins, a slightly different crop, paper tone,
/// scanner noise and a small rotation change few bits while another document changes many. Compared by
/// Hamming distance (<see cref="Distance"/>).
/// </summary>
public readonly record struct PerceptualHash(ulong A, ulong B, ulong C, ulong D)
{
    /// <summary>Side of the normalised content image the DCT is taken over.</summary>
    private const int Side = 64;
    /// <summary>Side of the block of lowest frequencies kept (16 × 16 = 256 bits).</summary>
    private const int Kept = 16;

    public const int Bits = Kept * Kept;

    /// <summary>Default largest distance at which two pages are taken for the same original. Measured on the samples: a
    /// re-scan (noise, turned 1°) or a tighter crop differs by 20–32 bits, distinct documents by 94 or more.</summary>
    public const int DuplicateDistance = 40;

    public int Distance(PerceptualHash other) =>
        BitOperations.PopCount(A ^ other.A) + BitOperations.PopCount(B ^ other.B) +
        BitOperations.PopCount(C ^ other.C) + BitOperations.PopCount(D ^ other.D);

    /// <summary>64 lowercase hex digits, as stored with the copy.</summary>
    public override string ToString() => $"{A:x16}{B:x16}{C:x16}{D:x16}";

    public static PerceptualHash Parse(string hex)
    {
        if (hex.Length != 64) throw new FormatException("A perceptual hash is 64 hex digits");
        ulong Part(int i) => Convert.ToUInt64(hex.Substring(i * 16, 16), 16);
        return new PerceptualHash(Part(0), Part(1), Part(2), Part(3));
    }

    /// <summary>The hash of a page raster (any resolution; about 50–100 dpi is plenty). <paramref name="ink"/> is the
    /// luminance below which a pixel is ink (the quality gate's mid-point between paper and ink).</summary>
    public static PerceptualHash Of(PageRaster page, int ink)
    {
        var (left, top, right, bottom) = InkedArea(page, ink);
        var crop = new byte[(right - left) * (bottom - top)];
        for (var y = top; y < bottom; y++) page.Pixels.AsSpan(y * page.Width + left, right - left).CopyTo(crop.AsSpan((y - top) * (right - left)));
        var small = new PageRaster(right - left, bottom - top, page.Dpi, crop).Resize(Side, Side);
        var dct = Dct2(small.Pixels);
        var coefficients = new double[Bits];
        for (var v = 0; v < Kept; v++)
        for (var u = 0; u < Kept; u++)
            coefficients[v * Kept + u] = dct[v * Side + u];
        // The DC term says only how much ink there is; the median leaves it out (as pHash does).
        var median = coefficients.Skip(1).Order().ElementAt((Bits - 1) / 2);
        Span<ulong> words = stackalloc ulong[4];
        for (var i = 0; i < Bits; i++)
            if (coefficients[i] > median) words[i / 64] |= 1UL << (i % 64);
        return new PerceptualHash(words[0], words[1], words[2], words[3]);
    }

    /// <summary>The smallest box holding the rows and columns with ink (at least two ink pixels, so a speck of noise
    /// does not move it); the whole page when there is none.</summary>
    private static (int Left, int Top, int Right, int Bottom) InkedArea(PageRaster page, int ink)
    {
        var rows = new int[page.Height];
        var columns = new int[page.Width];
        for (var y = 0; y < page.Height; y++)
        {
            var row = page.Pixels.AsSpan(y * page.Width, page.Width);
            for (var x = 0; x < row.Length; x++)
                if (row[x] < ink) { rows[y]++; columns[x]++; }
        }
        int First(int[] counts) { for (var i = 0; i < counts.Length; i++) if (counts[i] >= 2) return i; return -1; }
        int Last(int[] counts) { for (var i = counts.Length - 1; i >= 0; i--) if (counts[i] >= 2) return i; return -1; }
        int top = First(rows), bottom = Last(rows), left = First(columns), right = Last(columns);
        if (top < 0 || left < 0 || bottom - top < 8 || right - left < 8) return (0, 0, page.Width, page.Height);
        return (left, top, right + 1, bottom + 1);
    }

    /// <summary>Separable 2-D DCT-II of a <see cref="Side"/> × <see cref="Side"/> image (only the kept rows are needed).</summary>
    private static double[] Dct2(byte[] pixels)
    {
        var cos = new double[Side * Side];
        for (var k = 0; k < Side; k++)
        for (var n = 0; n < Side; n++)
            cos[k * Side + n] = Math.Cos(Math.PI / Side * (n + 0.5) * k);
        var rows = new double[Side * Side];
        for (var y = 0; y < Side; y++)
        for (var u = 0; u < Kept; u++)
        {
            double sum = 0;
            for (var x = 0; x < Side; x++) sum += pixels[y * Side + x] * cos[u * Side + x];
            rows[y * Side + u] = sum;
        }
        var result = new double[Side * Side];
        for (var v = 0; v < Kept; v++)
        for (var u = 0; u < Kept; u++)
        {
            double sum = 0;
            for (var y = 0; y < Side; y++) sum += rows[y * Side + u] * cos[v * Side + y];
            result[v * Side + u] = sum;
        }
        return result;
    }
}
