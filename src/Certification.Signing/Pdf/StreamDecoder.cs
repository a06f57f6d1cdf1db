using System.IO.Compression;

namespace Certification.Signing.Pdf;

/// <summary>Decodes stream data (ISO 32000-1 § 7.4) with a hard cap on the decoded size, so a deflate
/// bomb stops at the limit instead of exhausting memory.</summary>
public static class StreamDecoder
{
    public static byte[] Decode(PdfStream stream, PdfReadLimits limits, Func<PdfObject?, PdfObject?> resolve)
    {
        var filters = resolve(stream.Dictionary["Filter"]) switch
        {
            null => [],
            PdfName n => [n.Value],
            PdfArray a => a.Items.Select(i => (resolve(i) as PdfName)?.Value ?? throw new PdfFormatException("Filter entry is not a name")).ToArray(),
            _ => throw new PdfFormatException("Filter is neither a name nor an array"),
        };
        var parms = resolve(stream.Dictionary["DecodeParms"]);
        var data = stream.EncodedData.ToArray();
        for (var i = 0; i < filters.Length; i++)
        {
            var p = parms switch
            {
                PdfDictionary d => d,
                PdfArray a when i < a.Count => resolve(a[i]) as PdfDictionary,
                _ => null,
            };
            data = filters[i] switch
            {
                "FlateDecode" or "Fl" => ApplyPredictor(Inflate(data, limits.MaxDecodedStreamLength), p),
                "ASCIIHexDecode" or "AHx" => DecodeAsciiHex(data),
                _ => throw new PdfFormatException($"Unsupported stream filter /{filters[i]}"),
            };
        }
        return data;
    }

    public static byte[] Inflate(byte[] data, long maxLength)
    {
        using var input = new MemoryStream(data);
        using var zlib = new ZLibStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream();
        var buffer = new byte[81920];
        try
        {
            int read;
            while ((read = zlib.Read(buffer)) > 0)
            {
                if (output.Length + read > maxLength)
                    throw new PdfFormatException($"Stream decodes to more than {maxLength} bytes (possible deflate bomb)");
                output.Write(buffer, 0, read);
            }
        }
        catch (InvalidDataException) when (output.Length > 0)
        {
            // Many producers write a truncated or checksum-less zlib stream; keep what decoded, as viewers do.
        }
        catch (InvalidDataException e)
        {
            throw new PdfFormatException($"Corrupt Flate data: {e.Message}");
        }
        return output.ToArray();
    }

    private static byte[] DecodeAsciiHex(byte[] data)
    {
        var output = new List<byte>(data.Length / 2);
        var high = -1;
        foreach (var b in data)
        {
            if (b == '>') break;
            if (PdfLexer.IsWhitespace(b)) continue;
            if (!PdfLexer.IsHex(b)) throw new PdfFormatException("Invalid ASCIIHex data");
            if (high < 0) high = PdfLexer.HexValue(b);
            else { output.Add((byte)(high << 4 | PdfLexer.HexValue(b))); high = -1; }
        }
        if (high >= 0) output.Add((byte)(high << 4));
        return [.. output];
    }

    /// <summary>PNG predictors (§ 7.4.4.4, RFC 2083 § 6); TIFF predictor 2 is not used by xref streams.</summary>
    private static byte[] ApplyPredictor(byte[] data, PdfDictionary? parms)
    {
        var predictor = (parms?["Predictor"] as PdfInteger)?.Value ?? 1;
        if (predictor < 10) return data;
        var colors = (int)((parms!["Colors"] as PdfInteger)?.Value ?? 1);
        var bits = (int)((parms["BitsPerComponent"] as PdfInteger)?.Value ?? 8);
        var columns = (int)((parms["Columns"] as PdfInteger)?.Value ?? 1);
        var bpp = Math.Max(1, colors * bits / 8);
        var rowLength = (colors * bits * columns + 7) / 8;
        if (rowLength <= 0 || colors > 32 || bits > 16) throw new PdfFormatException("Invalid predictor parameters");
        var rows = data.Length / (rowLength + 1);
        var output = new byte[rows * rowLength];
        var previous = new byte[rowLength];
        for (var r = 0; r < rows; r++)
        {
            var type = data[r * (rowLength + 1)];
            var row = output.AsSpan(r * rowLength, rowLength);
            data.AsSpan(r * (rowLength + 1) + 1, rowLength).CopyTo(row);
            for (var i = 0; i < rowLength; i++)
            {
                var left = i >= bpp ? row[i - bpp] : 0;
                var up = previous[i];
                var upLeft = i >= bpp ? previous[i - bpp] : 0;
                row[i] = type switch
                {
                    0 => row[i],
                    1 => (byte)(row[i] + left),
                    2 => (byte)(row[i] + up),
                    3 => (byte)(row[i] + (left + up) / 2),
                    4 => (byte)(row[i] + Paeth(left, up, upLeft)),
                    _ => throw new PdfFormatException($"Invalid PNG predictor type {type}"),
                };
            }
            row.CopyTo(previous);
        }
        return output;
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
