using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Certification.TestSupport;

/// <summary>The trailer facts of a PDF's last revision, read without a PDF parser.</summary>
public sealed record LastTrailer(long StartXref, int Size, string Root, string? Id, bool IsXrefStream, string DictionaryText);

/// <summary>Appends small incremental updates (ISO 32000-1 § 7.5.6) by hand, never touching earlier
/// bytes: a new Info dictionary, a new xref section of the same kind as the last one (classic table or
/// xref stream), and a trailer with /Prev. Used to make multi-revision inputs independently of the
/// product's own incremental writer.</summary>
public static partial class PdfRevisionAppender
{
    /// <summary>Appends one revision whose trailer points /Info to a new dictionary with
    /// <paramref name="title"/>. Returns the offset where the revision starts.</summary>
    public static long AppendInfoRevision(string path, string title)
    {
        var pdf = File.ReadAllBytes(path);
        var trailer = ReadLastTrailer(pdf);
        var objectNumber = trailer.Size;
        using var output = new MemoryStream();
        var start = pdf.Length;
        if (pdf[^1] != (byte)'\n' && pdf[^1] != (byte)'\r') Write(output, "\n");
        var infoOffset = start + output.Length;
        Write(output, $"{objectNumber} 0 obj\n<< /Title ({Escape(title)}) /Producer (Certification.TestSupport revision appender) " +
                      "/ModDate (D:20250101000000Z) >>\nendobj\n");
        var id = trailer.Id is null ? "" : " /ID " + trailer.Id;
        if (!trailer.IsXrefStream)
        {
            var xrefOffset = start + output.Length;
            Write(output, $"xref\n{objectNumber} 1\n{infoOffset:D10} 00000 n\r\n" +
                          $"trailer\n<< /Size {objectNumber + 1} /Root {trailer.Root} /Info {objectNumber} 0 R /Prev {trailer.StartXref}{id} >>\n" +
                          $"startxref\n{xrefOffset}\n%%EOF\n");
        }
        else
        {
            var xrefNumber = objectNumber + 1;
            var xrefOffset = start + output.Length;
            var entries = new byte[14];
            WriteEntry(entries, 0, infoOffset);
            WriteEntry(entries, 7, xrefOffset);
            Write(output, $"{xrefNumber} 0 obj\n<< /Type /XRef /Size {xrefNumber + 1} /W [1 4 2] /Index [{objectNumber} 2] " +
                          $"/Root {trailer.Root} /Info {objectNumber} 0 R /Prev {trailer.StartXref}{id} /Length {entries.Length} >>\nstream\n");
            output.Write(entries);
            Write(output, $"\nendstream\nendobj\nstartxref\n{xrefOffset}\n%%EOF\n");
        }
        using (var file = new FileStream(path, FileMode.Append, FileAccess.Write))
            output.WriteTo(file);
        return start;
    }

    private static void WriteEntry(byte[] buffer, int at, long offset)
    {
        buffer[at] = 1;
        for (var i = 0; i < 4; i++) buffer[at + 1 + i] = (byte)(offset >> (8 * (3 - i)));
        buffer[at + 5] = 0;
        buffer[at + 6] = 0;
    }

    [GeneratedRegex(@"startxref\s+(\d+)")]
    private static partial Regex StartXref();

    [GeneratedRegex(@"/Size\s+(\d+)")]
    private static partial Regex SizeKey();

    [GeneratedRegex(@"/Root\s+(\d+\s+\d+\s+R)")]
    private static partial Regex RootKey();

    [GeneratedRegex(@"/ID\s*(\[[^\]]*\])")]
    private static partial Regex IdKey();

    /// <summary>Reads the trailer (or xref stream dictionary) that the file's last <c>startxref</c> points at.</summary>
    public static LastTrailer ReadLastTrailer(byte[] pdf)
    {
        var tailStart = Math.Max(0, pdf.Length - 1024);
        var tail = Encoding.Latin1.GetString(pdf, tailStart, pdf.Length - tailStart);
        var matches = StartXref().Matches(tail);
        if (matches.Count == 0) throw new InvalidDataException("No startxref in the last 1024 bytes.");
        var startXref = long.Parse(matches[^1].Groups[1].Value, CultureInfo.InvariantCulture);

        var at = (int)startXref;
        while (at < pdf.Length && pdf[at] is (byte)' ' or (byte)'\r' or (byte)'\n') at++;
        var isTable = pdf.AsSpan(at).StartsWith("xref"u8);
        int dictStart;
        if (isTable)
        {
            var rel = pdf.AsSpan(at).IndexOf("trailer"u8);
            if (rel < 0) throw new InvalidDataException("Classic xref without trailer.");
            dictStart = at + rel + "trailer".Length;
        }
        else
        {
            dictStart = at;
        }
        var dictRel = pdf.AsSpan(dictStart).IndexOf("<<"u8);
        if (dictRel < 0) throw new InvalidDataException("No trailer dictionary.");
        var dict = Encoding.Latin1.GetString(DictionaryBytes(pdf, dictStart + dictRel));
        if (!isTable && !dict.Contains("/XRef")) throw new InvalidDataException("startxref points at neither 'xref' nor an xref stream.");

        var size = SizeKey().Match(dict);
        var root = RootKey().Match(dict);
        if (!size.Success || !root.Success) throw new InvalidDataException($"Trailer lacks /Size or /Root: {dict}");
        var id = IdKey().Match(dict);
        return new LastTrailer(startXref, int.Parse(size.Groups[1].Value, CultureInfo.InvariantCulture), root.Groups[1].Value,
            id.Success ? id.Groups[1].Value : null, !isTable, dict);
    }

    /// <summary>The bytes of the dictionary starting at <paramref name="start"/> ("&lt;&lt;"), balanced,
    /// skipping over strings.</summary>
    private static ReadOnlySpan<byte> DictionaryBytes(byte[] pdf, int start)
    {
        var depth = 0;
        var i = start;
        while (i < pdf.Length - 1)
        {
            if (pdf[i] == '<' && pdf[i + 1] == '<') { depth++; i += 2; }
            else if (pdf[i] == '>' && pdf[i + 1] == '>')
            {
                depth--;
                i += 2;
                if (depth == 0) return pdf.AsSpan(start, i - start);
            }
            else if (pdf[i] == '<') { while (i < pdf.Length && pdf[i] != '>') i++; i++; }
            else if (pdf[i] == '(')
            {
                var nesting = 0;
                for (; i < pdf.Length; i++)
                {
                    if (pdf[i] == '\\') { i++; continue; }
                    if (pdf[i] == '(') nesting++;
                    else if (pdf[i] == ')' && --nesting == 0) { i++; break; }
                }
            }
            else i++;
        }
        throw new InvalidDataException("Unbalanced dictionary.");
    }

    private static string Escape(string s) => s.Replace("\\", "\\\\").Replace("(", "\\(").Replace(")", "\\)");

    private static void Write(Stream s, string text) => s.Write(Encoding.Latin1.GetBytes(text));
}

/// <summary>A minimal hybrid-reference file (ISO 32000-1 § 7.5.8.4), built byte by byte: objects 1–4 in
/// a classic xref table; the page's font (object 5) lives in object stream 6 and is listed only in the
/// xref stream 7 that the trailer's /XRefStm names. A reader that ignores /XRefStm loses the font.</summary>
public static class HybridReferencePdf
{
    public static byte[] Build()
    {
        using var output = new MemoryStream();
        var offsets = new Dictionary<int, long>();
        void W(string text) => output.Write(Encoding.Latin1.GetBytes(text));
        void Obj(int n, string body) { offsets[n] = output.Length; W($"{n} 0 obj\n{body}\nendobj\n"); }

        W("%PDF-1.5\n%\xE2\xE3\xCF\xD3\n");
        Obj(1, "<< /Type /Catalog /Pages 2 0 R >>");
        Obj(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
        Obj(3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>");
        const string content = "BT /F1 24 Tf 72 720 Td (Hybrid reference file) Tj ET\n";
        Obj(4, $"<< /Length {content.Length} >>\nstream\n{content}endstream");

        const string font = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>";
        const string header = "5 0 ";
        Obj(6, $"<< /Type /ObjStm /N 1 /First {header.Length} /Length {header.Length + font.Length} >>\nstream\n{header}{font}\nendstream");

        offsets[7] = output.Length;
        var entries = new byte[3 * 7];
        void Entry(int row, byte type, long field2, int field3)
        {
            var at = row * 7;
            entries[at] = type;
            for (var i = 0; i < 4; i++) entries[at + 1 + i] = (byte)(field2 >> (8 * (3 - i)));
            entries[at + 5] = (byte)(field3 >> 8);
            entries[at + 6] = (byte)field3;
        }
        Entry(0, 2, 6, 0);            // object 5: compressed, in object stream 6 at index 0
        Entry(1, 1, offsets[6], 0);   // object 6: the object stream
        Entry(2, 1, offsets[7], 0);   // object 7: this xref stream
        W($"7 0 obj\n<< /Type /XRef /Size 8 /W [1 4 2] /Index [5 3] /Length {entries.Length} >>\nstream\n");
        output.Write(entries);
        W("\nendstream\nendobj\n");

        var xref = output.Length;
        var table = new StringBuilder("xref\n0 5\n0000000000 65535 f\r\n");
        for (var n = 1; n <= 4; n++) table.Append(CultureInfo.InvariantCulture, $"{offsets[n]:D10} 00000 n\r\n");
        W(table.ToString());
        W($"trailer\n<< /Size 8 /Root 1 0 R /XRefStm {offsets[7]} >>\nstartxref\n{xref}\n%%EOF\n");
        return output.ToArray();
    }
}
