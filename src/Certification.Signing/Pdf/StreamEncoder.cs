using System.IO.Compression;

namespace Certification.Signing.Pdf;

/// <summary>Encodes stream data with FlateDecode (ISO 32000-1 § 7.4.4), the one filter the project writes.</summary>
public static class StreamEncoder
{
    public static byte[] Deflate(ReadOnlySpan<byte> data)
    {
        using var output = new MemoryStream();
        using (var zlib = new ZLibStream(output, CompressionLevel.Optimal, leaveOpen: true)) zlib.Write(data);
        return output.ToArray();
    }

    /// <summary>A stream of <paramref name="data"/> compressed, with /Filter added to a copy of <paramref name="dictionary"/>.</summary>
    public static PdfStream Deflated(PdfDictionary dictionary, ReadOnlySpan<byte> data) =>
        new(new PdfDictionary(dictionary).Set("Filter", new PdfName("FlateDecode")), Deflate(data));
}
