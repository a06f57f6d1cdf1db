using Certification.Signing.Pdf;
using Certification.Signing.Pdf.Writing;

namespace Certification.Signing.Pades;

/// <summary>
/// Adds a signature field to a document in an incremental update: a merged field/widget annotation
/// (ISO 32000-1 § 12.7.4.5), listed in the page's /Annots and in the AcroForm's /Fields with
/// /SigFlags 3 (signatures exist, append only).
/// </summary>
public static class SignatureFields
{
    /// <summary>Fully qualified names of every field in the document (§ 12.7.3.2).</summary>
    public static IReadOnlySet<string> ExistingFieldNames(PdfFile file)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        if (file.Get<PdfDictionary>(file.Catalog, "AcroForm") is not { } acroForm) return names;
        var visited = new HashSet<int>();
        foreach (var field in file.Get<PdfArray>(acroForm, "Fields")?.Items ?? []) Walk(field, null, 0);
        return names;

        void Walk(PdfObject node, string? parent, int depth)
        {
            if (depth > file.Limits.MaxNestingDepth || (node is PdfReference r && !visited.Add(r.ObjectNumber))) return;
            if (file.Resolve(node) is not PdfDictionary dict) return;
            var partial = (file.Resolve(dict["T"]) as PdfString)?.ToText();
            var name = partial is null ? parent : parent is null ? partial : $"{parent}.{partial}";
            if (name is not null) names.Add(name);
            foreach (var kid in file.Get<PdfArray>(dict, "Kids")?.Items ?? []) Walk(kid, name, depth + 1);
        }
    }

    public static string ChooseFieldName(PdfFile file, string? requested, string prefix = "Signature")
    {
        var existing = ExistingFieldNames(file);
        if (requested is not null)
        {
            if (requested.Length == 0 || requested.Contains('.'))
                throw new ArgumentException($"Invalid signature field name '{requested}': it must be non-empty and contain no '.'");
            if (existing.Contains(requested))
                throw new InvalidOperationException($"A field named '{requested}' already exists; signature fields must be uniquely named");
            return requested;
        }
        for (var i = 1; ; i++)
        {
            if (!existing.Contains($"{prefix}{i}")) return $"{prefix}{i}";
        }
    }

    /// <summary>The DocMDP permission level of the document's certification signature, if any (§ 12.8.2.2).</summary>
    public static int? CertificationPermissions(PdfFile file)
    {
        if (file.Get<PdfDictionary>(file.Catalog, "Perms") is not { } perms) return null;
        if (file.Get<PdfDictionary>(perms, "DocMDP") is not { } signature) return null;
        foreach (var reference in file.Get<PdfArray>(signature, "Reference")?.Items ?? [])
        {
            if (file.Resolve(reference) is PdfDictionary sigRef && sigRef.GetName("TransformMethod") == "DocMDP")
            {
                var parameters = file.Get<PdfDictionary>(sigRef, "TransformParams");
                return parameters?["P"] is PdfInteger p ? (int)p.Value : 2;
            }
        }
        return 2;
    }

    /// <summary>Adds the field and returns the catalog as it must be written (a copy, changed only when needed).</summary>
    public static void Add(
        IncrementalUpdate update,
        PdfFile file,
        string fieldName,
        PdfReference signatureValue,
        PdfReference appearance,
        int pageNumber,
        double[] rectangle,
        CatalogChanges catalog)
    {
        var pages = file.GetPageReferences();
        if (pageNumber < 1 || pageNumber > pages.Count)
            throw new ArgumentException($"Page {pageNumber} does not exist: the document has {pages.Count} page(s)");
        var pageRef = pages[pageNumber - 1];

        var widget = new PdfDictionary()
            .Set("Type", new PdfName("Annot"))
            .Set("Subtype", new PdfName("Widget"))
            .Set("FT", new PdfName("Sig"))
            .Set("T", PdfString.FromText(fieldName))
            .Set("V", signatureValue)
            // Print (4) + Locked (128): shown when printed, not movable (§ 12.5.3).
            .Set("F", new PdfInteger(132))
            .Set("Rect", new PdfArray(rectangle.Select(v => (PdfObject)new PdfReal(v))))
            .Set("P", pageRef)
            .Set("AP", new PdfDictionary().Set("N", appearance));
        var widgetRef = update.Add(widget);

        AppendToArray(update, file, pageRef, "Annots", widgetRef);

        var acroFormEntry = catalog.Current["AcroForm"];
        if (acroFormEntry is PdfReference acroFormRef && file.Resolve(acroFormRef) is PdfDictionary existingForm)
        {
            var form = new PdfDictionary(existingForm);
            AddField(update, file, form, widgetRef);
            update.Set(acroFormRef, form);
        }
        else
        {
            var form = acroFormEntry is PdfDictionary inline ? new PdfDictionary(inline) : new PdfDictionary();
            AddField(update, file, form, widgetRef);
            catalog.Edit()["AcroForm"] = update.Add(form);
        }
    }

    private static void AddField(IncrementalUpdate update, PdfFile file, PdfDictionary form, PdfReference widgetRef)
    {
        if (form["Fields"] is PdfReference fieldsRef && file.Resolve(fieldsRef) is PdfArray indirectFields)
        {
            update.Set(fieldsRef, new PdfArray(indirectFields.Items.Append(widgetRef)));
        }
        else
        {
            var fields = file.Resolve(form["Fields"]) as PdfArray;
            form["Fields"] = new PdfArray((fields?.Items ?? []).Append(widgetRef));
        }
        form["SigFlags"] = new PdfInteger(3);
    }

    /// <summary>Appends to an array entry of an indirect dictionary, rewriting whichever object holds the array.</summary>
    private static void AppendToArray(IncrementalUpdate update, PdfFile file, PdfReference ownerRef, string key, PdfObject item)
    {
        var owner = file.Resolve(ownerRef) as PdfDictionary ?? throw new PdfFormatException($"Object {ownerRef.ObjectNumber} is not a dictionary");
        if (owner[key] is PdfReference arrayRef && file.Resolve(arrayRef) is PdfArray indirect)
        {
            update.Set(arrayRef, new PdfArray(indirect.Items.Append(item)));
            return;
        }
        var copy = new PdfDictionary(owner);
        var existing = file.Resolve(owner[key]) as PdfArray;
        copy[key] = new PdfArray((existing?.Items ?? []).Append(item));
        update.Set(ownerRef, copy);
    }
}

/// <summary>The document catalog for an update: copied on first change and written once at the end.</summary>
public sealed class CatalogChanges(PdfFile file)
{
    private PdfDictionary? _edited;

    public PdfDictionary Current => _edited ?? file.Catalog;

    public PdfDictionary Edit() => _edited ??= new PdfDictionary(file.Catalog);

    public void WriteTo(IncrementalUpdate update)
    {
        if (_edited is null) return;
        if (file.Trailer["Root"] is not PdfReference root) throw new PdfFormatException("The document catalog is not an indirect object");
        update.Set(root, _edited);
    }
}
