using System.Buffers.Binary;

namespace Certification.Signing.Documents;

/// <summary>One image file directory of a TIFF (TIFF 6.0 § 2): the tags intake needs, read without
/// decoding, with every strip or tile checked to lie inside the file.</summary>
internal sealed record TiffDirectory
{
    public required int Width { get; init; }
    public required int Height { get; init; }
    public required int BitsPerSample { get; init; }
    public required int SamplesPerPixel { get; init; }
    public required int Compression { get; init; }
    /// <summary>0 WhiteIsZero, 1 BlackIsZero, 2 RGB, 3 palette, 5 separated (CMYK), 6 YCbCr.</summary>
    public required int Photometric { get; init; }
    public double? DpiX { get; init; }
    public double? DpiY { get; init; }
    public int Orientation { get; init; } = 1;
}

/// <summary>Walks the directory chain of a classic TIFF with bounds on every offset, count and loop, so a
/// hostile header cannot make the decoder seek or allocate blindly.</summary>
internal static class TiffHeader
{
    private static readonly HashSet<int> SupportedCompressions = [1, 2, 3, 4, 5, 7, 8, 32773, 32946];

    public static IReadOnlyList<TiffDirectory> Read(ReadOnlyMemory<byte> memory, int maxPages)
    {
        var data = memory;
        if (data.Length < 8) throw Corrupt("shorter than a TIFF header");
        var little = data.Span[0] == (byte)'I';
        ushort U16(ReadOnlyMemory<byte> d, long at) => little ? BinaryPrimitives.ReadUInt16LittleEndian(d.Span[(int)at..]) : BinaryPrimitives.ReadUInt16BigEndian(d.Span[(int)at..]);
        uint U32(ReadOnlyMemory<byte> d, long at) => little ? BinaryPrimitives.ReadUInt32LittleEndian(d.Span[(int)at..]) : BinaryPrimitives.ReadUInt32BigEndian(d.Span[(int)at..]);

        var directories = new List<TiffDirectory>();
        var visited = new HashSet<uint>();
        var offset = U32(data, 4);
        if (offset == 0)
            throw new ScanProblem(ScanRejection.NoPages, "tệp TIFF không có trang nào", "TIFF contains no pages (no image file directory)");
        while (offset != 0)
        {
            if (offset < 8 || offset + 2L > data.Length)
                throw Corrupt($"directory offset {offset} outside the {data.Length}-byte file");
            if (!visited.Add(offset)) throw Corrupt("directory chain loops");
            if (directories.Count >= maxPages)
                throw new ScanProblem(ScanRejection.TooManyPages, $"tệp TIFF có hơn {maxPages} trang", $"TIFF has more than {maxPages} pages");
            int count = U16(data, offset);
            if (count == 0 || offset + 2L + count * 12L + 4 > data.Length) throw Corrupt("directory runs past the end of the file");
            var tags = new Dictionary<int, (int Type, uint Count, long ValueAt)>();
            for (var i = 0; i < count; i++)
            {
                var entry = offset + 2L + i * 12L;
                int tag = U16(data, entry), type = U16(data, entry + 2);
                var n = U32(data, entry + 4);
                var size = TypeSize(type) * (long)n;
                var valueAt = size <= 4 ? entry + 8 : U32(data, entry + 8);
                if (size > 4 && valueAt + size > data.Length) throw Corrupt($"tag {tag} points outside the file");
                tags[tag] = (type, n, valueAt);
            }
            long[] Values(int tag)
            {
                if (!tags.TryGetValue(tag, out var t)) return [];
                if (t.Count > 1_000_000) throw Corrupt($"tag {tag} has {t.Count} values");
                var values = new long[t.Count];
                for (var i = 0; i < values.Length; i++)
                    values[i] = t.Type switch
                    {
                        3 => U16(data, t.ValueAt + 2L * i),
                        4 => U32(data, t.ValueAt + 4L * i),
                        1 => data.Span[(int)(t.ValueAt + i)],
                        _ => throw Corrupt($"tag {tag} has unexpected type {t.Type}"),
                    };
                return values;
            }
            double? Rational(int tag)
            {
                if (!tags.TryGetValue(tag, out var t) || t.Type != 5 || t.Count < 1) return null;
                var num = U32(data, t.ValueAt);
                var den = U32(data, t.ValueAt + 4);
                return den == 0 || num == 0 ? null : (double)num / den;
            }
            long One(int tag, long fallback) => Values(tag) is { Length: > 0 } v ? v[0] : fallback;

            var width = One(256, 0);
            var height = One(257, 0);
            if (width <= 0 || height <= 0 || width > int.MaxValue || height > int.MaxValue) throw Corrupt("missing or invalid image width/height");
            var bps = Values(258) is { Length: > 0 } b ? b[0] : 1;
            var compression = (int)One(259, 1);
            if (compression == 6)
                throw new ScanProblem(ScanRejection.UnsupportedVariant, "TIFF nén JPEG kiểu cũ (nén 6)", "TIFF with old-style JPEG compression (6)");
            if (!SupportedCompressions.Contains(compression))
                throw new ScanProblem(ScanRejection.UnsupportedVariant, $"TIFF nén kiểu {compression}", $"TIFF compression {compression} is not supported");

            // Strips or tiles: every one must lie inside the file (a cut file is caught here).
            var offsets = tags.ContainsKey(324) ? Values(324) : Values(273);
            var counts = tags.ContainsKey(325) ? Values(325) : Values(279);
            if (offsets.Length == 0 || offsets.Length != counts.Length) throw Corrupt("missing strip/tile offsets or byte counts");
            for (var i = 0; i < offsets.Length; i++)
            {
                if (offsets[i] + counts[i] > data.Length)
                    throw new ScanProblem(ScanRejection.Truncated, "dữ liệu ảnh TIFF bị cắt cụt", $"TIFF image data is truncated (strip {i} ends past the end of the file)");
            }

            double? dpiX = Rational(282), dpiY = Rational(283);
            var unit = One(296, 2);
            if (unit == 3) { dpiX *= 2.54; dpiY *= 2.54; }
            else if (unit != 2) { dpiX = null; dpiY = null; }
            directories.Add(new TiffDirectory
            {
                Width = (int)width,
                Height = (int)height,
                BitsPerSample = (int)bps,
                SamplesPerPixel = (int)One(277, 1),
                Compression = compression,
                Photometric = (int)One(262, bps == 1 ? 0 : 1),
                DpiX = dpiX,
                DpiY = dpiY,
                Orientation = One(274, 1) is var o and >= 1 and <= 8 ? (int)o : 1,
            });
            offset = U32(data, offset + 2L + count * 12L);
        }
        return directories;
    }

    private static int TypeSize(int type) => type switch
    {
        1 or 2 or 6 or 7 => 1,
        3 or 8 => 2,
        4 or 9 or 11 => 4,
        5 or 10 or 12 => 8,
        _ => 1,
    };

    private static ScanProblem Corrupt(string detail) =>
        new(ScanRejection.Corrupt, $"tệp TIFF hỏng ({detail})", $"malformed TIFF ({detail})");
}
