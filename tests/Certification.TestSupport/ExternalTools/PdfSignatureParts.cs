using System.Text;

namespace Certification.TestSupport.ExternalTools;

/// <summary>One signature's bytes as they sit in the file, found without any PDF parser: the
/// <c>/ByteRange [a b c d]</c> array, the signed bytes it names, and the <c>/Contents</c> hex string
/// that fills the gap between them (ISO 32000-1 § 12.8.1).</summary>
public sealed record PdfSignatureParts(
    int Index,
    long[] ByteRange,
    byte[] SignedBytes,
    byte[] Cms,
    string? SubFilter,
    bool CoversWholeFile)
{
    /// <summary>Offset of the first byte after the signed revision: c + d.</summary>
    public long RevisionEnd => ByteRange[2] + ByteRange[3];
}

/// <summary>A small byte scanner for signed PDFs. It knows only what the judges need: where each
/// <c>/ByteRange</c> is, and that <c>/Contents</c> is exactly the bytes between b and c.</summary>
public static class PdfSignatureScanner
{
    private static readonly byte[] ByteRangeKey = "/ByteRange"u8.ToArray();

    /// <summary>Every signature (and document timestamp) in file order.</summary>
    public static IReadOnlyList<PdfSignatureParts> Scan(string pdfPath) => Scan(File.ReadAllBytes(pdfPath));

    public static IReadOnlyList<PdfSignatureParts> Scan(byte[] pdf)
    {
        var result = new List<PdfSignatureParts>();
        var seen = new HashSet<long>();
        var span = pdf.AsSpan();
        var at = 0;
        while (true)
        {
            var hit = span[at..].IndexOf(ByteRangeKey);
            if (hit < 0) break;
            var pos = at + hit + ByteRangeKey.Length;
            at = pos;
            if (pos < pdf.Length && IsRegular(pdf[pos])) continue; // e.g. /ByteRangeX
            var range = ReadIntegerArray(pdf, pos);
            if (range is not { Length: 4 }) continue;
            var (a, b, c, d) = (range[0], range[1], range[2], range[3]);
            if (a != 0 || b <= 0 || c <= b || d < 0 || c + d > pdf.Length) continue;
            if (!seen.Add(b)) continue;
            result.Add(Build(pdf, result.Count, range, pos));
        }
        return result;
    }

    private static PdfSignatureParts Build(byte[] pdf, int index, long[] range, int byteRangePos)
    {
        var (b, c, d) = ((int)range[1], (int)range[2], (int)range[3]);
        if (pdf[b] != (byte)'<' || pdf[c - 1] != (byte)'>')
            throw new InvalidDataException($"Signature {index}: the ByteRange gap [{b}, {c}) is not a hex string '<...>'.");
        var hex = Encoding.ASCII.GetString(pdf, b + 1, c - b - 2);
        hex = new string(hex.Where(ch => !char.IsWhiteSpace(ch)).ToArray());
        if (hex.Length % 2 == 1) hex += "0"; // ISO 32000-1 § 7.3.4.3: a missing final digit is 0
        var contents = Convert.FromHexString(hex);
        var cms = contents.AsSpan(0, DerLength(contents)).ToArray();

        var signed = new byte[b + d];
        Buffer.BlockCopy(pdf, 0, signed, 0, b);
        Buffer.BlockCopy(pdf, c, signed, b, d);
        return new PdfSignatureParts(index, range, signed, cms, FindSubFilter(pdf, byteRangePos), c + d == pdf.Length);
    }

    /// <summary>Length of the BER/DER element at the start of <paramref name="der"/> (the CMS ContentInfo);
    /// the rest of /Contents is zero padding. Indefinite lengths (BER, which some signers emit) are
    /// followed to their end-of-contents octets.</summary>
    public static int DerLength(ReadOnlySpan<byte> der)
    {
        if (der.Length < 2 || der[0] != 0x30) throw new InvalidDataException("/Contents does not start with a SEQUENCE.");
        return ElementLength(der, 0, depth: 0);
    }

    private static int ElementLength(ReadOnlySpan<byte> ber, int at, int depth)
    {
        if (depth > 64) throw new InvalidDataException("/Contents nests too deeply.");
        var p = at;
        if (p >= ber.Length) throw new InvalidDataException("/Contents ends inside an element.");
        if ((ber[p++] & 0x1F) == 0x1F) // high tag number form
            while (p < ber.Length && (ber[p++] & 0x80) != 0) { }
        if (p >= ber.Length) throw new InvalidDataException("/Contents ends inside a tag.");
        int first = ber[p++];
        if (first == 0x80)
        {
            // Indefinite length: children until the end-of-contents octets 00 00 (X.690 § 8.1.3.6).
            while (true)
            {
                if (p + 1 >= ber.Length) throw new InvalidDataException("/Contents: no end-of-contents.");
                if (ber[p] == 0 && ber[p + 1] == 0) return p + 2 - at;
                p += ElementLength(ber, p, depth + 1);
            }
        }
        long len;
        if (first < 0x80)
        {
            len = first;
        }
        else
        {
            var n = first & 0x7F;
            if (n > 4 || p + n > ber.Length) throw new InvalidDataException("/Contents has an unsupported length.");
            len = 0;
            for (var i = 0; i < n; i++) len = (len << 8) | ber[p++];
        }
        var total = p - at + len;
        if (at + total > ber.Length) throw new InvalidDataException("/Contents is shorter than its encoded length.");
        return (int)total;
    }

    private static long[]? ReadIntegerArray(byte[] pdf, int pos)
    {
        while (pos < pdf.Length && IsWhite(pdf[pos])) pos++;
        if (pos >= pdf.Length || pdf[pos] != (byte)'[') return null;
        pos++;
        var values = new List<long>();
        while (pos < pdf.Length)
        {
            while (pos < pdf.Length && IsWhite(pdf[pos])) pos++;
            if (pos >= pdf.Length) return null;
            if (pdf[pos] == (byte)']') return values.ToArray();
            var start = pos;
            while (pos < pdf.Length && pdf[pos] is >= (byte)'0' and <= (byte)'9') pos++;
            if (pos == start) return null; // not a plain array of non-negative integers (e.g. a placeholder)
            values.Add(long.Parse(Encoding.ASCII.GetString(pdf, start, pos - start)));
        }
        return null;
    }

    /// <summary>The /SubFilter of the dictionary holding this /ByteRange: looked for between the
    /// enclosing "obj" and its "endobj".</summary>
    private static string? FindSubFilter(byte[] pdf, int pos)
    {
        var span = pdf.AsSpan();
        var start = Math.Max(0, span[..pos].LastIndexOf(" obj"u8));
        var endRel = span[pos..].IndexOf("endobj"u8);
        var end = endRel < 0 ? pdf.Length : pos + endRel;
        var dict = span[start..end];
        var key = dict.IndexOf("/SubFilter"u8);
        if (key < 0) return null;
        var p = key + "/SubFilter".Length;
        while (p < dict.Length && IsWhite(dict[p])) p++;
        if (p >= dict.Length || dict[p] != (byte)'/') return null;
        var q = ++p;
        while (q < dict.Length && IsRegular(dict[q])) q++;
        return Encoding.ASCII.GetString(dict[p..q]);
    }

    private static bool IsWhite(byte b) => b is 0 or 9 or 10 or 12 or 13 or 32;

    private static bool IsRegular(byte b) => !IsWhite(b) && "()<>[]{}/%"u8.IndexOf(b) < 0;
}
