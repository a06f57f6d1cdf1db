using System.Buffers.Binary;
using System.IO.Compression;

namespace Certification.Signing.Documents;

/// <summary>
/// What a PNG says about itself (ISO/IEC 15948 / W3C PNG): the IHDR and pHYs chunks, every chunk's CRC,
/// and where the image data is. Nothing is decoded into pixels: the zlib stream is only inflated into a
/// counting sink by <see cref="VerifyImageData"/>, which catches truncated or damaged data.
/// </summary>
internal sealed record PngHeader
{
    public required int Width { get; init; }
    public required int Height { get; init; }
    public required int BitDepth { get; init; }

    /// <summary>0 gray, 2 RGB, 3 palette, 4 gray+alpha, 6 RGBA.</summary>
    public required int ColorType { get; init; }
    public required bool Interlaced { get; init; }
    public required bool HasTransparencyChunk { get; init; }
    public double? DpiX { get; init; }
    public double? DpiY { get; init; }

    /// <summary>(offset, length) of each IDAT chunk's data.</summary>
    public required IReadOnlyList<(int Offset, int Length)> ImageData { get; init; }

    public int Channels => ColorType switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, _ => 4 };

    public bool HasAlpha => ColorType is 4 or 6 || HasTransparencyChunk;

    /// <summary>The compressed data is already a PDF /FlateDecode stream with PNG predictors (ISO 32000-1
    /// § 7.4.4.4) when the samples are 8-bit gray or RGB without alpha, palette or interlacing.</summary>
    public bool CanPassThrough => BitDepth == 8 && ColorType is 0 or 2 && !Interlaced && !HasTransparencyChunk;

    public static PngHeader Read(ReadOnlySpan<byte> data)
    {
        var pos = 8;
        int? width = null, height = null, depth = null, color = null;
        var interlaced = false;
        var trns = false;
        double? dpiX = null, dpiY = null;
        var idat = new List<(int, int)>();
        var sawEnd = false;
        while (!sawEnd)
        {
            if (pos + 8 > data.Length) throw Truncated();
            var length = BinaryPrimitives.ReadUInt32BigEndian(data[pos..]);
            var type = data.Slice(pos + 4, 4);
            if (length > int.MaxValue || pos + 12L + length > data.Length) throw Truncated();
            var body = data.Slice(pos + 8, (int)length);
            var crc = BinaryPrimitives.ReadUInt32BigEndian(data[(pos + 8 + (int)length)..]);
            if (Crc32(data.Slice(pos + 4, 4 + (int)length)) != crc)
                throw Corrupt($"CRC mismatch in chunk {System.Text.Encoding.ASCII.GetString(type)}");
            if (width is null && !type.SequenceEqual("IHDR"u8)) throw Corrupt("first chunk is not IHDR");
            if (type.SequenceEqual("IHDR"u8))
            {
                if (length != 13 || width is not null) throw Corrupt("bad IHDR");
                width = (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(body), int.MaxValue);
                height = (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(body[4..]), int.MaxValue);
                depth = body[8];
                color = body[9];
                interlaced = body[12] == 1;
                if (width == 0 || height == 0) throw Corrupt("zero width or height");
                if (color is not (0 or 2 or 3 or 4 or 6) || depth is not (1 or 2 or 4 or 8 or 16) || body[10] != 0 || body[11] != 0)
                    throw Corrupt("invalid IHDR colour type, bit depth or method");
            }
            else if (type.SequenceEqual("pHYs"u8) && length == 9 && body[8] == 1)
            {
                // Pixels per metre.
                var x = BinaryPrimitives.ReadUInt32BigEndian(body);
                var y = BinaryPrimitives.ReadUInt32BigEndian(body[4..]);
                if (x > 0 && y > 0)
                {
                    dpiX = Math.Round(x * 0.0254, 2);
                    dpiY = Math.Round(y * 0.0254, 2);
                }
            }
            else if (type.SequenceEqual("tRNS"u8)) trns = true;
            else if (type.SequenceEqual("IDAT"u8)) idat.Add((pos + 8, (int)length));
            else if (type.SequenceEqual("IEND"u8)) sawEnd = true;
            pos += 12 + (int)length;
        }
        if (idat.Count == 0) throw Corrupt("no image data (IDAT)");
        if (pos < data.Length)
            throw new ScanProblem(ScanRejection.TrailingData,
                $"có {data.Length - pos} byte dữ liệu lạ sau điểm kết thúc ảnh PNG", $"{data.Length - pos} bytes of trailing data after the PNG IEND chunk");
        return new PngHeader
        {
            Width = width!.Value,
            Height = height!.Value,
            BitDepth = depth!.Value,
            ColorType = color!.Value,
            Interlaced = interlaced,
            HasTransparencyChunk = trns,
            DpiX = dpiX,
            DpiY = dpiY,
            ImageData = idat,
        };
    }

    /// <summary>Inflates the image data into a counting sink: the zlib stream must be complete (Adler-32)
    /// and hold exactly the filtered rows IHDR announces. Costs time, not memory.</summary>
    public void VerifyImageData(ReadOnlyMemory<byte> file)
    {
        long expected = 0;
        if (Interlaced)
        {
            // Adam7: seven passes, each with its own rows (PNG § 8.2).
            int[] x0 = [0, 4, 0, 2, 0, 1, 0], y0 = [0, 0, 4, 0, 2, 0, 1], dx = [8, 8, 4, 4, 2, 2, 1], dy = [8, 8, 8, 4, 4, 2, 2];
            for (var p = 0; p < 7; p++)
            {
                long w = (Width - x0[p] + dx[p] - 1) / dx[p], h = (Height - y0[p] + dy[p] - 1) / dy[p];
                if (w > 0 && h > 0) expected += h * (1 + RowBytes(w));
            }
        }
        else expected = (long)Height * (1 + RowBytes(Width));

        using var input = new ConcatenatedStream(file, ImageData);
        using var zlib = new ZLibStream(input, CompressionMode.Decompress);
        var buffer = new byte[1 << 16];
        long total = 0;
        try
        {
            int read;
            while ((read = zlib.Read(buffer)) > 0)
            {
                total += read;
                if (total > expected) throw Corrupt("more image data than IHDR announces");
            }
        }
        catch (InvalidDataException e)
        {
            throw Corrupt($"damaged zlib data: {e.Message}");
        }
        if (total < expected) throw Truncated();
    }

    private long RowBytes(long width) => (width * Channels * BitDepth + 7) / 8;

    /// <summary>The IDAT data as one stream (what /FlateDecode reads when passed through).</summary>
    public byte[] ConcatenateImageData(ReadOnlySpan<byte> file)
    {
        var result = new byte[ImageData.Sum(d => d.Length)];
        var at = 0;
        foreach (var (offset, length) in ImageData)
        {
            file.Slice(offset, length).CopyTo(result.AsSpan(at));
            at += length;
        }
        return result;
    }

    private static ScanProblem Truncated() => new(ScanRejection.Truncated,
        "dữ liệu ảnh PNG bị cắt cụt", "PNG image data is truncated");

    private static ScanProblem Corrupt(string detail) => new(ScanRejection.Corrupt,
        $"ảnh PNG bị hỏng ({detail})", $"PNG image data is corrupt ({detail})");

    private static readonly uint[] CrcTable = Enumerable.Range(0, 256).Select(n =>
    {
        var c = (uint)n;
        for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
        return c;
    }).ToArray();

    /// <summary>CRC-32 as PNG § 5.5 defines it (ISO 3309).</summary>
    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        var c = 0xFFFFFFFFu;
        foreach (var b in bytes) c = CrcTable[(c ^ b) & 0xFF] ^ (c >> 8);
        return c ^ 0xFFFFFFFFu;
    }

    /// <summary>Reads several slices of one buffer as one stream, without copying them.</summary>
    private sealed class ConcatenatedStream(ReadOnlyMemory<byte> file, IReadOnlyList<(int Offset, int Length)> parts) : Stream
    {
        private int _part;
        private int _within;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            while (_part < parts.Count)
            {
                var (start, length) = parts[_part];
                var left = length - _within;
                if (left == 0) { _part++; _within = 0; continue; }
                var n = Math.Min(left, buffer.Length);
                file.Span.Slice(start + _within, n).CopyTo(buffer);
                _within += n;
                return n;
            }
            return 0;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
