using System.Security.Cryptography;

namespace Certification.Signing.Pdf.Writing;

/// <summary>Copies object graphs from another PDF into a sink, giving every indirect object a new number
/// exactly once (shared objects stay shared, cycles terminate). Stream bytes are copied unchanged, except
/// that unfiltered streams can be deflated on the way (PDFsharp output written without compression).</summary>
public sealed class ObjectImporter(PdfFile source, IObjectSink target, bool deflateUnfiltered = false, bool fixSubsetTags = false)
{
    private readonly Dictionary<int, PdfReference> _mapped = [];

    public PdfObject Import(PdfObject obj) => obj switch
    {
        PdfName n when fixSubsetTags => FixSubsetTag(n),
        PdfReference r => ImportReference(r),
        PdfArray a => new PdfArray(a.Items.Select(Import)),
        PdfDictionary d => ImportDictionary(d),
        PdfStream s when deflateUnfiltered && !s.Dictionary.ContainsKey("Filter") => StreamEncoder.Deflated(ImportDictionary(s.Dictionary), s.EncodedData.Span),
        PdfStream s => new PdfStream(ImportDictionary(s.Dictionary), s.EncodedData),
        _ => obj,
    };

    public PdfDictionary ImportDictionary(PdfDictionary d, params string[] except)
    {
        var copy = new PdfDictionary();
        foreach (var (key, value) in d.Entries)
        {
            if (except.Contains(key)) continue;
            copy[key] = Import(value);
        }
        return copy;
    }

    /// <summary>PDFsharp picks font subset tags ("XSJKFP+", ISO 32000-1 § 9.6.4) at random; a tag derived
    /// from the font name keeps output deterministic (tags need only be unique within the file).</summary>
    private static PdfName FixSubsetTag(PdfName name)
    {
        var v = name.Value;
        if (v.Length < 8 || v[6] != '+' || !v[..6].All(c => c is >= 'A' and <= 'Z')) return name;
        var hash = SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(v[7..]));
        return new PdfName(string.Concat(hash.Take(6).Select(b => (char)('A' + b % 26))) + v[6..]);
    }

    private PdfReference ImportReference(PdfReference r)
    {
        if (_mapped.TryGetValue(r.ObjectNumber, out var existing)) return existing;
        var reference = target.Reserve();
        _mapped[r.ObjectNumber] = reference;
        target.Set(reference, Import(source.GetObject(r.ObjectNumber) ?? PdfNull.Instance));
        return reference;
    }
}
