using Certification.Signing.Pdf;

namespace Certification.Signing.Validation.Modifications;

/// <summary>The catalog may gain a /DSS (validation data), an /AcroForm or field additions for new
/// signatures, and /Perms from a certification signature; any other entry changing is OTHER.</summary>
public sealed class CatalogRule : IModificationRule
{
    public bool AppliesTo(RoleKind kind) => kind == RoleKind.Catalog;

    public void Compare(RevisionDiff diff, int number, ObjectRole role, PdfObject old, PdfObject @new)
    {
        if (old is not PdfDictionary o || @new is not PdfDictionary n)
        {
            diff.Add(ModificationKind.Other, $"the document catalog (object {number}) was replaced by a non-dictionary");
            return;
        }
        foreach (var key in PdfObjectEquality.ChangedKeys(o, n))
        {
            switch (key)
            {
                case "DSS":
                    diff.Add(ModificationKind.ValidationData, o.ContainsKey("DSS") ? "the document security store was replaced" : "a document security store (/DSS) was added");
                    break;
                case "Extensions":
                    diff.Add(ModificationKind.ValidationData, "the catalog's /Extensions (ESIC) were updated");
                    break;
                case "AcroForm":
                    FormRule.CompareForms(diff, diff.Old(o["AcroForm"]) as PdfDictionary, diff.New(n["AcroForm"]) as PdfDictionary);
                    break;
                case "Perms" when !o.ContainsKey("Perms") && diff.New(n["Perms"]) is PdfDictionary perms && perms.Keys.All(k => k == "DocMDP"):
                    diff.Add(ModificationKind.SignaturesAndTimestamps, "certification permissions (/Perms /DocMDP) were added", addsSignature: true);
                    break;
                case "Metadata":
                    diff.AddCompanion(ModificationKind.Other, "the catalog's XMP metadata was replaced");
                    break;
                case "Pages":
                    diff.Add(ModificationKind.Other, $"the page tree was replaced (catalog /Pages now {Describe(n["Pages"])})");
                    break;
                default:
                    diff.Add(ModificationKind.Other, $"the catalog entry /{key} was {(o.ContainsKey(key) ? n.ContainsKey(key) ? "changed" : "removed" : "added")}");
                    break;
            }
        }
    }

    internal static string Describe(PdfObject? obj) => obj is PdfReference r ? $"object {r.ObjectNumber}" : "a direct object";
}

/// <summary>A page may only gain annotations (signature widgets, or annotations under DocMDP P=3);
/// changes to its content, resources or anything else are OTHER. Also covers a page's /Annots array and
/// the page tree nodes.</summary>
public sealed class PageRule : IModificationRule
{
    public bool AppliesTo(RoleKind kind) => kind is RoleKind.Page or RoleKind.AnnotsArray or RoleKind.PageTreeNode or RoleKind.PageContent or RoleKind.PageResources or RoleKind.PageXObject;

    public void Compare(RevisionDiff diff, int number, ObjectRole role, PdfObject old, PdfObject @new)
    {
        var page = role.Page + 1;
        switch (role.Kind)
        {
            case RoleKind.AnnotsArray:
                CompareAnnots(diff, role.Page, old as PdfArray, @new as PdfArray);
                return;
            case RoleKind.PageTreeNode:
            {
                int after;
                try { after = diff.File.GetPageReferences(diff.After).Count; } catch (PdfFormatException) { after = -1; }
                var before = diff.Roles.Pages.Count;
                diff.Add(ModificationKind.Other, after != before
                    ? $"the page tree (object {number}) changed: {before} page(s) before, {(after < 0 ? "an unreadable tree" : $"{after} page(s)")} after"
                    : $"the page tree (object {number}) changed");
                return;
            }
            case RoleKind.PageContent:
                diff.Add(ModificationKind.Other, $"the content of page {page} (object {number}) was rewritten");
                return;
            case RoleKind.PageResources:
                diff.Add(ModificationKind.Other, $"the resources of page {page} (object {number}) changed");
                return;
            case RoleKind.PageXObject:
                diff.Add(ModificationKind.Other, $"a resource drawn on page {page} (object {number}) was redefined");
                return;
        }
        if (old is not PdfDictionary o || @new is not PdfDictionary n)
        {
            diff.Add(ModificationKind.Other, $"page {page} (object {number}) was replaced by a non-dictionary");
            return;
        }
        foreach (var key in PdfObjectEquality.ChangedKeys(o, n))
        {
            switch (key)
            {
                case "Annots":
                    CompareAnnots(diff, role.Page, diff.Old(o["Annots"]) as PdfArray, diff.New(n["Annots"]) as PdfArray);
                    break;
                case "Contents":
                    diff.Add(ModificationKind.Other, n["Contents"] is PdfReference r
                        ? $"page {page} content replaced by object {r.ObjectNumber}"
                        : $"page {page} content changed");
                    break;
                case "Resources":
                    diff.Add(ModificationKind.Other, n["Resources"] is PdfReference rr
                        ? $"page {page} resources replaced by object {rr.ObjectNumber}"
                        : $"page {page} resources changed");
                    break;
                default:
                    diff.Add(ModificationKind.Other, $"page {page} entry /{key} changed");
                    break;
            }
        }
    }

    public static void CompareAnnots(RevisionDiff diff, int pageIndex, PdfArray? old, PdfArray? @new)
    {
        var page = pageIndex + 1;
        var before = (old?.Items ?? []).ToList();
        var after = (@new?.Items ?? []).ToList();
        foreach (var item in before)
        {
            if (after.Any(a => PdfObjectEquality.Equal(a, item))) continue;
            var dict = diff.Old(item) as PdfDictionary;
            if (dict?.GetName("Subtype") == "Widget")
                diff.Add(ModificationKind.Other, $"a form widget was removed from page {page}");
            else
                diff.Add(ModificationKind.Annotations, $"a /{dict?.GetName("Subtype") ?? "unknown"} annotation was removed from page {page}");
        }
        foreach (var item in after)
        {
            if (before.Any(b => PdfObjectEquality.Equal(b, item))) continue;
            if (item is not PdfReference)
            {
                diff.Add(ModificationKind.Annotations, $"a direct annotation was added on page {page}");
                continue;
            }
            var dict = diff.New(item) as PdfDictionary;
            var subtype = dict?.GetName("Subtype");
            if (subtype == "Widget")
            {
                var type = dict!.GetName("FT") ?? (diff.New(dict["Parent"]) as PdfDictionary)?.GetName("FT");
                if (type == "Sig")
                {
                    var isTimestamp = FormRule.IsDocumentTimestamp(diff.New(dict["V"]) ?? diff.New((diff.New(dict["Parent"]) as PdfDictionary)?["V"]));
                    diff.Add(ModificationKind.SignaturesAndTimestamps,
                        $"a {(isTimestamp ? "document timestamp" : "signature")} widget was added on page {page}", addsSignature: !isTimestamp);
                }
                else diff.Add(ModificationKind.FormFilling, $"a form widget was added on page {page}");
            }
            else diff.Add(ModificationKind.Annotations, $"a /{subtype ?? "unknown"} annotation was added on page {page}");
        }
    }
}

/// <summary>The form may gain signature fields (SIGNATURES_AND_TIMESTAMPS) and its fields may be filled
/// in (FORM_FILLING); adding other fields or changing anything else is OTHER.</summary>
public sealed class FormRule : IModificationRule
{
    public bool AppliesTo(RoleKind kind) => kind is RoleKind.AcroForm or RoleKind.FieldsArray or RoleKind.FormField;

    public void Compare(RevisionDiff diff, int number, ObjectRole role, PdfObject old, PdfObject @new)
    {
        switch (role.Kind)
        {
            case RoleKind.AcroForm:
                CompareForms(diff, old as PdfDictionary, @new as PdfDictionary);
                return;
            case RoleKind.FieldsArray:
                CompareFields(diff, old as PdfArray, @new as PdfArray);
                return;
        }
        if (old is not PdfDictionary o || @new is not PdfDictionary n)
        {
            diff.Add(ModificationKind.Other, $"form field '{role.Name}' (object {number}) was replaced by a non-dictionary");
            return;
        }
        var changed = PdfObjectEquality.ChangedKeys(o, n).ToList();
        // Unhiding is reported as a reveal of prepared content, not as a second, plain change of /F.
        var unhidden = FieldAppearances.Unhidden(o, n);
        var other = changed.Where(k => k is not ("V" or "AS" or "AP") && !(k == "F" && unhidden)).ToList();
        var revealed = FieldAppearances.CheckRevealed(diff, number, role, o, n);
        revealed |= FieldAppearances.CheckOverlaps(diff, number, role, o, n);
        if (other.Count > 0) diff.Add(ModificationKind.Other, $"{role.Describe(number)} changed: /{string.Join(", /", other)}");
        else if (!revealed) diff.Add(ModificationKind.FormFilling, $"{role.Describe(number)} was filled in");
    }

    public static void CompareForms(RevisionDiff diff, PdfDictionary? old, PdfDictionary? @new)
    {
        if (@new is null)
        {
            if (old is not null) diff.Add(ModificationKind.Other, "the interactive form (/AcroForm) was removed");
            return;
        }
        old ??= new PdfDictionary();
        foreach (var key in PdfObjectEquality.ChangedKeys(old, @new))
        {
            switch (key)
            {
                case "Fields":
                    CompareFields(diff, diff.Old(old["Fields"]) as PdfArray, diff.New(@new["Fields"]) as PdfArray);
                    break;
                case "SigFlags":
                    diff.Add(ModificationKind.SignaturesAndTimestamps, "the form's /SigFlags were set");
                    break;
                case "DR" or "DA":
                    diff.AddCompanion(ModificationKind.FormFilling, $"the form's default /{key} changed");
                    break;
                case "NeedAppearances":
                    diff.Add(ModificationKind.FormFilling, $"the form's /{key} changed");
                    break;
                default:
                    diff.Add(ModificationKind.Other, $"the form entry /{key} changed");
                    break;
            }
        }
    }

    public static void CompareFields(RevisionDiff diff, PdfArray? old, PdfArray? @new)
    {
        var before = (old?.Items ?? []).ToList();
        var after = (@new?.Items ?? []).ToList();
        foreach (var item in before)
        {
            if (!after.Any(a => PdfObjectEquality.Equal(a, item)))
                diff.Add(ModificationKind.Other, $"form field {CatalogRule.Describe(item)} was removed from the form");
        }
        foreach (var item in after)
        {
            if (before.Any(b => PdfObjectEquality.Equal(b, item))) continue;
            var field = diff.New(item) as PdfDictionary;
            var name = (diff.New(field?["T"]) as PdfString)?.ToText() ?? "?";
            if (field?.GetName("FT") == "Sig")
            {
                var isTimestamp = IsDocumentTimestamp(diff.New(field["V"]));
                diff.Add(ModificationKind.SignaturesAndTimestamps,
                    $"{(isTimestamp ? "document timestamp" : "signature")} field '{name}' was added", addsSignature: !isTimestamp);
            }
            else diff.Add(ModificationKind.Other, $"form field '{name}' ({CatalogRule.Describe(item)}) was added");
        }
    }

    public static bool IsDocumentTimestamp(PdfObject? value) =>
        value is PdfDictionary v && (v.GetName("Type") == "DocTimeStamp" || v.GetName("SubFilter") == "ETSI.RFC3161");
}

/// <summary>An empty signature field may receive its value and appearance; a signed field and a
/// signature dictionary must never change (that is how /Reason or /M spoofing is done).</summary>
public sealed class SignatureFieldRule : IModificationRule
{
    public bool AppliesTo(RoleKind kind) => kind is RoleKind.SignatureField or RoleKind.SignatureValue;

    public void Compare(RevisionDiff diff, int number, ObjectRole role, PdfObject old, PdfObject @new)
    {
        if (old is not PdfDictionary o || @new is not PdfDictionary n)
        {
            diff.Add(ModificationKind.Other, $"{role.Describe(number)} was replaced by a non-dictionary");
            return;
        }
        var changed = PdfObjectEquality.ChangedKeys(o, n).ToList();
        if (role.Kind == RoleKind.SignatureValue)
        {
            diff.Add(ModificationKind.Other, $"{role.Describe(number)} was redefined after signing: /{string.Join(", /", changed)} changed");
            return;
        }
        if (o["V"] is not null)
        {
            diff.Add(ModificationKind.Other, $"signature field '{role.Name}' (object {number}) was changed after it was signed: /{string.Join(", /", changed)}");
            return;
        }
        if (changed.Contains("V"))
        {
            // An appearance dictionary that other parts of the document also use cannot be swapped out
            // silently with the signature (pyHanko's "sneaky" appearance updates).
            if (changed.Contains("AP") && o["AP"] is PdfReference shared && diff.ReferencesBefore(shared.ObjectNumber) > 1)
            {
                diff.Add(ModificationKind.Other, $"signing field '{role.Name}' replaced its appearance dictionary (object {shared.ObjectNumber}), which other parts of the document also use");
                return;
            }
            var isTimestamp = FormRule.IsDocumentTimestamp(diff.New(n["V"]));
            if (FieldAppearances.CheckRevealed(diff, number, role, o, n)) return;
            diff.Add(ModificationKind.SignaturesAndTimestamps,
                $"empty {role.Describe(number)} was {(isTimestamp ? "timestamped" : "signed")}", addsSignature: !isTimestamp);
            return;
        }
        diff.Add(ModificationKind.FormFilling, $"empty signature field '{role.Name}' changed: /{string.Join(", /", changed)}");
    }
}

/// <summary>DSS dictionaries and arrays may grow (ETSI EN 319 142-1 § 5.4); replacing stored
/// certificates or revocation data is OTHER.</summary>
public sealed class ValidationDataRule : IModificationRule
{
    public bool AppliesTo(RoleKind kind) => kind is RoleKind.Dss or RoleKind.ValidationData;

    public void Compare(RevisionDiff diff, int number, ObjectRole role, PdfObject old, PdfObject @new)
    {
        if (old is PdfStream || @new is PdfStream)
            diff.Add(ModificationKind.Other, $"validation data stored in object {number} was replaced");
        else
            diff.Add(ModificationKind.ValidationData, role.Kind == RoleKind.Dss ? "the document security store was updated" : $"validation data (object {number}) was updated");
    }
}

/// <summary>Changing an existing annotation is an annotation change (DocMDP P=3).</summary>
public sealed class AnnotationRule : IModificationRule
{
    public bool AppliesTo(RoleKind kind) => kind == RoleKind.Annotation;

    public void Compare(RevisionDiff diff, int number, ObjectRole role, PdfObject old, PdfObject @new)
    {
        var subtype = (old as PdfDictionary)?.GetName("Subtype");
        if (subtype == "Widget") diff.Add(ModificationKind.Other, $"a form widget on page {role.Page + 1} (object {number}) was changed");
        else diff.Add(ModificationKind.Annotations, $"a /{subtype ?? "unknown"} annotation on page {role.Page + 1} (object {number}) was changed");
    }
}

/// <summary>A field's appearance (its /AP dictionary or an appearance stream) redefined in place. Fine
/// when only that field uses it, as pyHanko allows: part of the signature when the field is signed in
/// the same revision, form filling otherwise. OTHER when the signed revision also uses the object
/// elsewhere (the redefinition changes what that shows too), or when the field was already signed.</summary>
public sealed class FieldAppearanceRule : IModificationRule
{
    public bool AppliesTo(RoleKind kind) => kind == RoleKind.FieldAppearance;

    public void Compare(RevisionDiff diff, int number, ObjectRole role, PdfObject old, PdfObject @new)
    {
        var description = role.Describe(number);
        if (SafeGet(diff, role.Owner, diff.Before) is not PdfDictionary ownerBefore || SafeGet(diff, role.Owner, diff.After) is not PdfDictionary ownerAfter)
        {
            diff.Add(ModificationKind.Other, $"{description} was redefined and its field cannot be read");
            return;
        }
        if (FieldAppearances.UsedOutside(diff, ownerBefore, number) is { } shared)
        {
            diff.Add(ModificationKind.Other, $"{description} was redefined, but the signed revision also uses " +
                                             $"{(shared == number ? "it" : $"its appearance dictionary (object {shared})")} outside that field: " +
                                             "what those uses show changed too");
            return;
        }
        var ownerRole = diff.Roles[role.Owner] ?? new ObjectRole(RoleKind.FormField, role.Page, role.Name);
        if (FieldAppearances.CheckRevealed(diff, role.Owner, ownerRole, ownerBefore, ownerAfter)) return;
        if (FieldAppearances.FieldType(diff, ownerBefore) != "Sig")
        {
            diff.Add(ModificationKind.FormFilling, $"{description} was redrawn");
            return;
        }
        var valueBefore = FieldAppearances.Field(diff, ownerBefore, after: false)["V"];
        var valueAfter = FieldAppearances.Field(diff, ownerAfter, after: true)["V"];
        if (valueBefore is not null)
            diff.Add(ModificationKind.Other, $"{description} was redrawn after the field was signed");
        else if (valueAfter is not null)
            diff.Add(ModificationKind.SignaturesAndTimestamps, $"{description} was redrawn as the field was signed");
        else
            diff.Add(ModificationKind.FormFilling, $"{description} was redrawn although the field was not signed");
    }

    private static PdfObject? SafeGet(RevisionDiff diff, int number, PdfRevision revision)
    {
        try { return diff.File.GetObject(number, revision); }
        catch (PdfFormatException) { return null; }
    }
}

/// <summary>XMP metadata is not displayed, but it is what the document says about itself: OTHER.</summary>
public sealed class MetadataRule : IModificationRule
{
    public bool AppliesTo(RoleKind kind) => kind == RoleKind.Metadata;

    public void Compare(RevisionDiff diff, int number, ObjectRole role, PdfObject old, PdfObject @new) =>
        diff.AddCompanion(ModificationKind.Other, $"the XMP metadata (object {number}) was rewritten");
}
