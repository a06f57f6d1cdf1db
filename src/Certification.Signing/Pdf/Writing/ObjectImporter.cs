namespace Certification.Signing.Pdf.Writing;

/// <summary>Copies an object graph from another PDF into an update, giving every indirect object a new
/// number exactly once (shared objects stay shared, cycles terminate).</summary>
public sealed class ObjectImporter(PdfFile source, IncrementalUpdate target)
{
    private readonly Dictionary<int, PdfReference> _mapped = [];

    public PdfObject Import(PdfObject obj) => obj switch
    {
        PdfReference r => ImportReference(r),
        PdfArray a => new PdfArray(a.Items.Select(Import)),
        PdfDictionary d => CopyDictionary(d),
        PdfStream s => new PdfStream(CopyDictionary(s.Dictionary), s.EncodedData.ToArray()),
        _ => obj,
    };

    private PdfDictionary CopyDictionary(PdfDictionary d)
    {
        var copy = new PdfDictionary();
        foreach (var (key, value) in d.Entries) copy[key] = Import(value);
        return copy;
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
