using Certification.Signing.Pdf;

namespace Certification.Signing.Validation.Modifications;

/// <summary>Structural equality of direct objects: references compare by object number (not by what they
/// resolve to), dictionaries ignore key order, streams compare their dictionary and encoded bytes.</summary>
public static class PdfObjectEquality
{
    public static bool Equal(PdfObject? a, PdfObject? b, int depth = 0)
    {
        if (ReferenceEquals(a, b)) return true;
        if (a is null || b is null || depth > 100) return false;
        return a switch
        {
            PdfNull => b is PdfNull,
            PdfBoolean x => b is PdfBoolean xb && x.Value == xb.Value,
            PdfInteger x => b is PdfInteger xi ? x.Value == xi.Value : b is PdfReal xr && xr.Value == x.Value,
            PdfReal x => b is PdfReal yr ? x.Value == yr.Value : b is PdfInteger yi && yi.Value == x.Value,
            PdfName x => b is PdfName yn && x.Value == yn.Value,
            PdfString x => b is PdfString ys && x.Bytes.AsSpan().SequenceEqual(ys.Bytes),
            PdfReference x => b is PdfReference yref && x.ObjectNumber == yref.ObjectNumber && x.Generation == yref.Generation,
            PdfArray x => b is PdfArray ya && ArraysEqual(x, ya, depth),
            PdfDictionary x => b is PdfDictionary yd && DictionariesEqual(x, yd, depth),
            PdfStream x => b is PdfStream yst && DictionariesEqual(x.Dictionary, yst.Dictionary, depth) && x.EncodedData.Span.SequenceEqual(yst.EncodedData.Span),
            _ => false,
        };
    }

    private static bool ArraysEqual(PdfArray x, PdfArray y, int depth)
    {
        if (x.Count != y.Count) return false;
        for (var i = 0; i < x.Count; i++) if (!Equal(x[i], y[i], depth + 1)) return false;
        return true;
    }

    private static bool DictionariesEqual(PdfDictionary x, PdfDictionary y, int depth)
    {
        if (x.Count != y.Count) return false;
        foreach (var (key, value) in x.Entries) if (!Equal(value, y[key], depth + 1)) return false;
        return true;
    }

    /// <summary>Keys whose values differ between two dictionaries (added, removed or changed).</summary>
    public static IEnumerable<string> ChangedKeys(PdfDictionary old, PdfDictionary @new) =>
        old.Keys.Union(@new.Keys).Where(k => !Equal(old[k], @new[k])).Distinct();
}
