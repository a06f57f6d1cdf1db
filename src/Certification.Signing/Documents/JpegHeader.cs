using System.Buffers.Binary;

namespace Certification.Signing.Documents;

/// <summary>
/// What a JPEG says about itself (ITU-T T.81 Annex B marker segments, JFIF 1.02 APP0, Exif 2.3 APP1,
/// Adobe APP14), read by walking the markers without decoding any pixel. The walk also follows the
/// entropy-coded data to the end-of-image marker, so a truncated file or one with bytes appended after
/// EOI (a polyglot) is caught. The JPEG then goes into the PDF unchanged as /DCTDecode.
/// </summary>
internal sealed record JpegHeader
{
    public required int Width { get; init; }
    public required int Height { get; init; }
    public required int Components { get; init; }
    public required int Precision { get; init; }
    public required bool Progressive { get; init; }
    public double? DpiX { get; init; }
    public double? DpiY { get; init; }

    /// <summary>Exif orientation 1–8 (TIFF 6.0 tag 274); 1 when absent.</summary>
    public int Orientation { get; init; } = 1;

    /// <summary>An Adobe APP14 segment is present: 4-component data is then stored inverted
    /// (Adobe CMYK), which a PDF reader undoes with /Decode [1 0 1 0 1 0 1 0].</summary>
    public bool HasAdobeMarker { get; init; }

    /// <summary>Offset just after the EOI marker.</summary>
    public required int End { get; init; }

    /// <summary>Reads the frame header only (dimensions), so the pixel limit can be checked before anything else.</summary>
    public static (int Width, int Height, int Components)? PeekFrame(ReadOnlySpan<byte> data)
    {
        var pos = 2;
        while (pos + 4 <= data.Length)
        {
            if (data[pos] != 0xFF) return null;
            var marker = data[pos + 1];
            if (marker == 0xFF) { pos++; continue; }
            if (marker is 0xD8 or 0x01 or (>= 0xD0 and <= 0xD7)) { pos += 2; continue; }
            if (marker is 0xDA or 0xD9) return null;
            var length = BinaryPrimitives.ReadUInt16BigEndian(data[(pos + 2)..]);
            if (length < 2 || pos + 2 + length > data.Length) return null;
            if (IsFrame(marker) && length >= 8)
            {
                var seg = data.Slice(pos + 4, length - 2);
                return (BinaryPrimitives.ReadUInt16BigEndian(seg[3..]), BinaryPrimitives.ReadUInt16BigEndian(seg[1..]), seg[5]);
            }
            pos += 2 + length;
        }
        return null;
    }

    private static bool IsFrame(byte marker) => marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC;

    public static JpegHeader Read(ReadOnlySpan<byte> data)
    {
        int? width = null, height = null, components = null, precision = null;
        var progressive = false;
        double? jfifX = null, jfifY = null, exifX = null, exifY = null;
        var orientation = 1;
        var adobe = false;
        var sawScan = false;
        var pos = 2;
        while (true)
        {
            if (pos >= data.Length) throw Truncated();
            if (data[pos] != 0xFF) throw Corrupt($"expected a marker at offset {pos}");
            // Fill bytes (0xFF) may precede any marker (T.81 B.1.1.2).
            while (pos < data.Length && data[pos] == 0xFF) pos++;
            if (pos >= data.Length) throw Truncated();
            var marker = data[pos++];
            if (marker == 0xD9)
            {
                if (!sawScan) throw Corrupt("end of image before any scan");
                break;
            }
            if (marker is 0x01 or (>= 0xD0 and <= 0xD7)) continue;
            if (marker is 0xD8 or 0x00) throw Corrupt($"unexpected marker 0x{marker:X2}");
            if (pos + 2 > data.Length) throw Truncated();
            var length = BinaryPrimitives.ReadUInt16BigEndian(data[pos..]);
            if (length < 2) throw Corrupt("segment length below 2");
            if (pos + length > data.Length) throw Truncated();
            var segment = data.Slice(pos + 2, length - 2);
            pos += length;

            if (IsFrame(marker))
            {
                if (width is not null) throw Corrupt("more than one frame header");
                if (marker is not (0xC0 or 0xC1 or 0xC2))
                    throw new ScanProblem(ScanRejection.UnsupportedVariant,
                        $"kiểu mã hoá JPEG 0x{marker:X2} (lossless/số học/phân cấp) không đưa được nguyên vẹn vào PDF",
                        $"JPEG coding process SOF 0x{marker:X2} (lossless, arithmetic or hierarchical) cannot be embedded unchanged in a PDF");
                if (segment.Length < 6) throw Corrupt("short frame header");
                precision = segment[0];
                height = BinaryPrimitives.ReadUInt16BigEndian(segment[1..]);
                width = BinaryPrimitives.ReadUInt16BigEndian(segment[3..]);
                components = segment[5];
                progressive = marker == 0xC2;
                if (segment.Length < 6 + 3 * components.Value) throw Corrupt("frame header shorter than its component list");
                if (height == 0) throw new ScanProblem(ScanRejection.UnsupportedVariant, "JPEG không ghi chiều cao trong phần đầu (DNL)", "JPEG defers its height to a DNL marker");
                if (width == 0) throw Corrupt("zero width");
                if (components is not (1 or 3 or 4)) throw new ScanProblem(ScanRejection.UnsupportedVariant,
                    $"JPEG có {components} thành phần màu", $"JPEG with {components} colour components (1, 3 or 4 supported)");
                if (precision != 8) throw new ScanProblem(ScanRejection.UnsupportedVariant,
                    $"JPEG {precision} bit", $"{precision}-bit JPEG (PDF readers expect 8-bit DCT data)");
            }
            else if (marker == 0xE0 && segment.Length >= 12 && segment.StartsWith("JFIF\0"u8))
            {
                var units = segment[7];
                var x = BinaryPrimitives.ReadUInt16BigEndian(segment[8..]);
                var y = BinaryPrimitives.ReadUInt16BigEndian(segment[10..]);
                if (x > 0 && y > 0 && units is 1 or 2)
                {
                    var factor = units == 1 ? 1.0 : 2.54;
                    jfifX = x * factor;
                    jfifY = y * factor;
                }
            }
            else if (marker == 0xE1 && segment.StartsWith("Exif\0\0"u8))
            {
                ReadExif(segment[6..], ref orientation, ref exifX, ref exifY);
            }
            else if (marker == 0xEE && segment.StartsWith("Adobe"u8))
            {
                adobe = true;
            }
            else if (marker == 0xDA)
            {
                if (width is null) throw Corrupt("scan before the frame header");
                sawScan = true;
                pos = SkipEntropyCodedData(data, pos);
            }
        }

        if (pos < data.Length)
        {
            throw new ScanProblem(ScanRejection.TrailingData,
                $"có {data.Length - pos} byte dữ liệu lạ sau điểm kết thúc ảnh JPEG (có thể là tệp nén nhúng kèm)",
                $"{data.Length - pos} bytes of trailing data after the JPEG end-of-image marker (embedded archive?)");
        }

        return new JpegHeader
        {
            Width = width!.Value,
            Height = height!.Value,
            Components = components!.Value,
            Precision = precision!.Value,
            Progressive = progressive,
            DpiX = jfifX ?? exifX,
            DpiY = jfifY ?? exifY,
            Orientation = orientation,
            HasAdobeMarker = adobe,
            End = pos,
        };
    }

    /// <summary>Finds the next marker after entropy-coded data: 0xFF00 is a stuffed byte and RSTn markers
    /// belong to the data (T.81 B.1.1.5, F.1.2.3).</summary>
    private static int SkipEntropyCodedData(ReadOnlySpan<byte> data, int pos)
    {
        while (true)
        {
            var next = data[pos..].IndexOf((byte)0xFF);
            if (next < 0) throw Truncated();
            pos += next;
            if (pos + 1 >= data.Length) throw Truncated();
            var b = data[pos + 1];
            if (b == 0x00 || b is >= 0xD0 and <= 0xD7) { pos += 2; continue; }
            if (b == 0xFF) { pos++; continue; }
            return pos;
        }
    }

    /// <summary>Orientation and resolution from IFD0 of the Exif TIFF structure; unreadable Exif is ignored
    /// (it is metadata, the pixels do not depend on it).</summary>
    private static void ReadExif(ReadOnlySpan<byte> tiff, ref int orientation, ref double? dpiX, ref double? dpiY)
    {
        if (tiff.Length < 8) return;
        var little = tiff[0] == (byte)'I';
        if (!little && tiff[0] != (byte)'M') return;
        ushort U16(ReadOnlySpan<byte> s) => little ? BinaryPrimitives.ReadUInt16LittleEndian(s) : BinaryPrimitives.ReadUInt16BigEndian(s);
        uint U32(ReadOnlySpan<byte> s) => little ? BinaryPrimitives.ReadUInt32LittleEndian(s) : BinaryPrimitives.ReadUInt32BigEndian(s);
        var ifd = U32(tiff[4..]);
        if (ifd + 2 > tiff.Length) return;
        var count = U16(tiff[(int)ifd..]);
        double? x = null, y = null;
        var unit = 2;
        for (var i = 0; i < count; i++)
        {
            var entry = (int)ifd + 2 + i * 12;
            if (entry + 12 > tiff.Length) return;
            var tag = U16(tiff[entry..]);
            var type = U16(tiff[(entry + 2)..]);
            switch (tag)
            {
                case 0x0112 when type == 3:
                    var value = U16(tiff[(entry + 8)..]);
                    if (value is >= 1 and <= 8) orientation = value;
                    break;
                case 0x0128 when type == 3:
                    unit = U16(tiff[(entry + 8)..]);
                    break;
                case 0x011A or 0x011B when type == 5:
                    var offset = U32(tiff[(entry + 8)..]);
                    if (offset + 8 > tiff.Length) break;
                    var num = U32(tiff[(int)offset..]);
                    var den = U32(tiff[((int)offset + 4)..]);
                    if (den == 0 || num == 0) break;
                    if (tag == 0x011A) x = (double)num / den; else y = (double)num / den;
                    break;
            }
        }
        if (x is null || y is null || unit is not (2 or 3)) return;
        var factor = unit == 2 ? 1.0 : 2.54;
        dpiX = x * factor;
        dpiY = y * factor;
    }

    private static ScanProblem Truncated() => new(ScanRejection.Truncated,
        "dữ liệu ảnh JPEG bị cắt cụt (thiếu điểm kết thúc ảnh)", "JPEG image data is truncated (no end-of-image marker)");

    private static ScanProblem Corrupt(string detail) => new(ScanRejection.Corrupt,
        $"ảnh JPEG bị hỏng ({detail})", $"JPEG image data is corrupt ({detail})");
}
