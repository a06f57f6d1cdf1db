using Certification.Signing.Pdf;

namespace Certification.Signing.Validation.Modifications;

public enum RoleKind
{
    Catalog,
    Info,
    PageTreeNode,
    Page,
    PageContent,
    PageResources,
    PageXObject,
    AnnotsArray,
    Annotation,
    AcroForm,
    FieldsArray,
    SignatureField,
    SignatureValue,
    FormField,
    /// <summary>An appearance dictionary or stream (/AP) of a form field or widget (ISO 32000-1 § 12.5.5).</summary>
    FieldAppearance,
    Dss,
    ValidationData,
    Metadata,
}

/// <summary>What an object is in the document, which decides which changes to it are acceptable.</summary>
/// <param name="Page">0-based page index for page-related roles.</param>
/// <param name="Owner">For <see cref="RoleKind.FieldAppearance"/>: the field or widget object whose /AP it is.</param>
public sealed record ObjectRole(RoleKind Kind, int Page = -1, string? Name = null, int Owner = -1)
{
    /// <summary>" on page N" when the page is known.</summary>
    public string OnPage => Page >= 0 ? $" on page {Page + 1}" : "";

    public string Describe(int number) => Kind switch
    {
        RoleKind.Catalog => $"the document catalog (object {number})",
        RoleKind.Info => $"the document information dictionary (object {number})",
        RoleKind.PageTreeNode => $"the page tree (object {number})",
        RoleKind.Page => $"page {Page + 1} (object {number})",
        RoleKind.PageContent => $"the content stream of page {Page + 1} (object {number})",
        RoleKind.PageResources => $"the resources of page {Page + 1} (object {number})",
        RoleKind.PageXObject => $"an image or form drawn on page {Page + 1} (object {number})",
        RoleKind.AnnotsArray => $"the annotation list of page {Page + 1} (object {number})",
        RoleKind.Annotation => $"an annotation on page {Page + 1} (object {number})",
        RoleKind.AcroForm => $"the interactive form (object {number})",
        RoleKind.FieldsArray => $"the form's field list (object {number})",
        RoleKind.SignatureField => $"signature field '{Name}'{OnPage} (object {number})",
        RoleKind.SignatureValue => $"the signature dictionary of field '{Name}' (object {number})",
        RoleKind.FormField => $"form field '{Name}'{OnPage} (object {number})",
        RoleKind.FieldAppearance => $"the appearance of field '{Name}'{OnPage} (object {number})",
        RoleKind.Dss => $"the document security store (object {number})",
        RoleKind.ValidationData => $"validation data in the DSS (object {number})",
        RoleKind.Metadata => $"the XMP metadata (object {number})",
        _ => $"object {number}",
    };
}

/// <summary>
/// Assigns roles to the indirect objects of one revision by walking from the trailer: catalog, page
/// tree, pages with their content, resources, drawn XObjects and annotations, the form and its fields,
/// the DSS. Objects with no role are "object N" and may not change at all.
/// </summary>
public sealed class ObjectRoles
{
    private readonly Dictionary<int, ObjectRole> _roles = [];
    private readonly PdfFile _file;
    private readonly PdfRevision _revision;

    private ObjectRoles(PdfFile file, PdfRevision revision)
    {
        _file = file;
        _revision = revision;
    }

    public IReadOnlyList<PdfReference> Pages { get; private set; } = [];

    public ObjectRole? this[int number] => _roles.GetValueOrDefault(number);

    public static ObjectRoles Of(PdfFile file, PdfRevision revision)
    {
        var roles = new ObjectRoles(file, revision);
        roles.Walk();
        return roles;
    }

    private void Set(PdfObject? obj, ObjectRole role, bool overrideExisting = false)
    {
        if (obj is not PdfReference r) return;
        if (overrideExisting || !_roles.ContainsKey(r.ObjectNumber)) _roles[r.ObjectNumber] = role;
    }

    private PdfObject? Resolve(PdfObject? obj)
    {
        try { return _file.Resolve(obj, _revision); }
        catch (PdfFormatException) { return null; }
    }

    private void Walk()
    {
        var trailer = _revision.Trailer;
        Set(trailer["Root"], new ObjectRole(RoleKind.Catalog));
        Set(trailer["Info"], new ObjectRole(RoleKind.Info));
        if (Resolve(trailer["Root"]) is not PdfDictionary catalog) return;
        Set(catalog["Metadata"], new ObjectRole(RoleKind.Metadata));
        WalkPageTree(catalog["Pages"]);
        WalkDss(catalog["DSS"]);
        WalkForm(catalog["AcroForm"]);
    }

    private void WalkPageTree(PdfObject? root)
    {
        try { Pages = _file.GetPageReferences(_revision); }
        catch (PdfFormatException) { Pages = []; }
        var stack = new Stack<(PdfObject, int)>();
        var seen = new HashSet<int>();
        stack.Push((root!, 0));
        while (stack.Count > 0 && root is not null)
        {
            var (node, depth) = stack.Pop();
            if (node is not PdfReference r || !seen.Add(r.ObjectNumber) || depth > _file.Limits.MaxNestingDepth) continue;
            if (Resolve(r) is not PdfDictionary dict || !dict.ContainsKey("Kids")) continue;
            Set(r, new ObjectRole(RoleKind.PageTreeNode));
            if (Resolve(dict["Kids"]) is PdfArray kids) foreach (var kid in kids.Items) stack.Push((kid, depth + 1));
        }
        for (var i = 0; i < Pages.Count; i++)
        {
            Set(Pages[i], new ObjectRole(RoleKind.Page, i), overrideExisting: true);
            if (Resolve(Pages[i]) is not PdfDictionary page) continue;
            var contents = page["Contents"];
            Set(contents, new ObjectRole(RoleKind.PageContent, i));
            if (Resolve(contents) is PdfArray parts) foreach (var part in parts.Items) Set(part, new ObjectRole(RoleKind.PageContent, i));
            Set(page["Resources"], new ObjectRole(RoleKind.PageResources, i));
            if (Resolve(page["Resources"]) is PdfDictionary resources)
            {
                foreach (var key in new[] { "XObject", "Font", "ExtGState", "ColorSpace", "Pattern", "Shading", "Properties" })
                {
                    Set(resources[key], new ObjectRole(RoleKind.PageResources, i));
                    if (Resolve(resources[key]) is PdfDictionary entries)
                        foreach (var (_, value) in entries.Entries) Set(value, new ObjectRole(RoleKind.PageXObject, i));
                }
            }
            Set(page["Annots"], new ObjectRole(RoleKind.AnnotsArray, i));
            if (Resolve(page["Annots"]) is PdfArray annots)
                foreach (var annot in annots.Items) Set(annot, new ObjectRole(RoleKind.Annotation, i));
        }
    }

    /// <summary>The /AP dictionary of a field or widget and every appearance stream in it: /N, /R, /D,
    /// each a stream or a dictionary of appearance states (ISO 32000-1 § 12.5.5). Streams that the page
    /// also draws keep their page role.</summary>
    private void WalkAppearances(PdfDictionary widget, int owner, int page, string name)
    {
        var role = new ObjectRole(RoleKind.FieldAppearance, page, name, owner);
        Set(widget["AP"], role);
        if (Resolve(widget["AP"]) is not PdfDictionary appearances) return;
        foreach (var key in new[] { "N", "R", "D" })
        {
            Set(appearances[key], role);
            if (Resolve(appearances[key]) is PdfDictionary states)
                foreach (var (_, state) in states.Entries) Set(state, role);
        }
    }

    private void WalkDss(PdfObject? dssRef)
    {
        Set(dssRef, new ObjectRole(RoleKind.Dss), overrideExisting: true);
        if (Resolve(dssRef) is not PdfDictionary dss) return;
        foreach (var (_, value) in dss.Entries)
        {
            Set(value, new ObjectRole(RoleKind.ValidationData));
            switch (Resolve(value))
            {
                case PdfArray array:
                    foreach (var item in array.Items) Set(item, new ObjectRole(RoleKind.ValidationData));
                    break;
                case PdfDictionary vri:
                    foreach (var (_, entry) in vri.Entries)
                    {
                        Set(entry, new ObjectRole(RoleKind.ValidationData));
                        if (Resolve(entry) is PdfDictionary vriEntry)
                            foreach (var (_, v) in vriEntry.Entries) Set(v, new ObjectRole(RoleKind.ValidationData));
                    }
                    break;
            }
        }
    }

    private void WalkForm(PdfObject? formRef)
    {
        Set(formRef, new ObjectRole(RoleKind.AcroForm), overrideExisting: true);
        if (Resolve(formRef) is not PdfDictionary form) return;
        Set(form["Fields"], new ObjectRole(RoleKind.FieldsArray), overrideExisting: true);
        if (Resolve(form["Fields"]) is not PdfArray fields) return;
        var seen = new HashSet<int>();
        var stack = new Stack<(PdfObject Node, string? Parent, string? Type, int Depth)>();
        foreach (var field in fields.Items) stack.Push((field, null, null, 0));
        while (stack.Count > 0)
        {
            var (node, parent, inheritedType, depth) = stack.Pop();
            if (node is not PdfReference r || !seen.Add(r.ObjectNumber) || depth > _file.Limits.MaxNestingDepth) continue;
            if (Resolve(r) is not PdfDictionary dict) continue;
            var partial = (Resolve(dict["T"]) as PdfString)?.ToText();
            var name = partial is null ? parent : parent is null ? partial : $"{parent}.{partial}";
            var type = dict.GetName("FT") ?? inheritedType;
            var page = _roles.TryGetValue(r.ObjectNumber, out var existing) ? existing.Page : -1;
            if (type == "Sig")
            {
                Set(r, new ObjectRole(RoleKind.SignatureField, page, name ?? ""), overrideExisting: true);
                Set(dict["V"], new ObjectRole(RoleKind.SignatureValue, page, name ?? ""), overrideExisting: true);
            }
            else Set(r, new ObjectRole(RoleKind.FormField, page, name ?? ""), overrideExisting: true);
            WalkAppearances(dict, r.ObjectNumber, page, name ?? "");
            if (Resolve(dict["Kids"]) is PdfArray kids) foreach (var kid in kids.Items) stack.Push((kid, name, type, depth + 1));
        }
    }
}
