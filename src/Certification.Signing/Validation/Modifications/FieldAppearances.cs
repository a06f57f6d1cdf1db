using Certification.Signing.Pdf;

namespace Certification.Signing.Validation.Modifications;

/// <summary>
/// What a form field's widget displays in a revision, and whether a later revision makes it display
/// something that was prepared before signing: the "hide" shadow attacks of the form-over-form kind
/// (Mainka, Mladenov, Rohlmann, Schwenk, NDSS 2021), where content already in the signed file but not
/// shown is revealed through an update of field values and appearances. Legitimate form filling draws a
/// new appearance (a new object, or the field's own appearance redrawn in place) or, for check boxes
/// and radio buttons, switches between the states the signer saw in the field's /AP (ISO 32000-1
/// § 12.7.4.2.3).
/// </summary>
public static class FieldAppearances
{
    // Annotation flags that keep a widget from being shown (ISO 32000-1 § 12.5.3, Table 165).
    private const int InvisibleFlag = 1, HiddenFlag = 2, NoViewFlag = 32;
    private const int Concealing = InvisibleFlag | HiddenFlag | NoViewFlag;

    /// <summary>The appearance stream a widget shows in a revision: /AP /N, or its /AS state (§ 12.5.5).</summary>
    public static PdfReference? Displayed(RevisionDiff diff, PdfDictionary widget, bool after)
    {
        Func<PdfObject?, PdfObject?> resolve = after ? diff.New : diff.Old;
        if (resolve(widget["AP"]) is not PdfDictionary appearances) return null;
        var normal = appearances["N"];
        if (resolve(normal) is PdfDictionary states && widget.GetName("AS") is { } state) normal = states[state];
        return normal as PdfReference;
    }

    /// <summary>Null when every reference the signed revision holds to <paramref name="number"/>, and to the
    /// appearance dictionaries of this widget's /AP, comes from that /AP itself: redrawing the object in
    /// place then changes this field only. Otherwise the object that something else also uses. pyHanko
    /// refuses the same override when it clobbers an object still used elsewhere (its
    /// form-update-override-appearance-stream-sneaky test files).</summary>
    public static int? UsedOutside(RevisionDiff diff, PdfDictionary widget, int number)
    {
        var fromTree = new Dictionary<int, int>();
        Visit(widget["AP"], 0);
        if (!fromTree.ContainsKey(number) || !diff.ReferencesComplete) return number;
        foreach (var (shared, count) in fromTree)
            if (diff.ReferencesBefore(shared) != count) return shared;
        return null;

        void Visit(PdfObject? value, int depth)
        {
            if (value is PdfReference r) fromTree[r.ObjectNumber] = fromTree.GetValueOrDefault(r.ObjectNumber) + 1;
            // /AP → /N, /R, /D → appearance states: two levels of dictionaries (§ 12.5.5).
            if (depth < 2 && diff.Old(value) is PdfDictionary dictionary)
                foreach (var (_, entry) in dictionary.Entries) Visit(entry, depth + 1);
        }
    }

    /// <summary>Object numbers of every normal-appearance state of a widget in the revision before the update.</summary>
    private static HashSet<int> OwnStates(RevisionDiff diff, PdfDictionary widget)
    {
        var numbers = new HashSet<int>();
        if (diff.Old(widget["AP"]) is not PdfDictionary appearances) return numbers;
        if (appearances["N"] is PdfReference single) numbers.Add(single.ObjectNumber);
        if (diff.Old(appearances["N"]) is PdfDictionary states)
            foreach (var (_, value) in states.Entries) if (value is PdfReference r) numbers.Add(r.ObjectNumber);
        return numbers;
    }

    /// <summary>The field a widget belongs to: itself when it has a name or value, else its /Parent.</summary>
    public static PdfDictionary Field(RevisionDiff diff, PdfDictionary widget, bool after) =>
        widget.ContainsKey("T") || widget.ContainsKey("V") || widget["Parent"] is null
            ? widget
            : (after ? diff.New(widget["Parent"]) : diff.Old(widget["Parent"])) as PdfDictionary ?? widget;

    /// <summary>The field type (/FT), inherited from the parent when the widget has none.</summary>
    public static string? FieldType(RevisionDiff diff, PdfDictionary widget) =>
        widget.GetName("FT") ?? (diff.Old(widget["Parent"]) as PdfDictionary)?.GetName("FT");

    /// <summary>True when the widget was concealed by its annotation flags and no longer is.</summary>
    public static bool Unhidden(PdfDictionary old, PdfDictionary @new) =>
        (((old["F"] as PdfInteger)?.Value ?? 0) & Concealing) != 0 && (((@new["F"] as PdfInteger)?.Value ?? 0) & Concealing) == 0;

    /// <summary>Reports a widget (or merged field and widget) that a later revision makes show prepared
    /// content: a concealed widget made visible, an appearance that existed when the document was signed
    /// (unused, or drawn elsewhere) but that this widget did not show, or a new or redrawn appearance that
    /// draws such an object. Returns true when it reported something.</summary>
    public static bool CheckRevealed(RevisionDiff diff, int number, ObjectRole role, PdfDictionary old, PdfDictionary @new)
    {
        var where = role.Kind is RoleKind.FormField or RoleKind.SignatureField ? role.Describe(number) : $"form field '{role.Name}'{role.OnPage} (object {number})";
        var found = false;
        if (Unhidden(old, @new))
        {
            diff.Add(ModificationKind.Other, $"{where} was hidden when the document was signed and a later update made it visible " +
                                             "(shadow attack: prepared content revealed)", revealsPreparedContent: true);
            found = true;
        }
        var before = Displayed(diff, old, after: false);
        var after = Displayed(diff, @new, after: true);
        if (after is null) return found;
        if (after.ObjectNumber != before?.ObjectNumber && ExistedBefore(diff, after.ObjectNumber)
            && !(FieldType(diff, old) == "Btn" && OwnStates(diff, old).Contains(after.ObjectNumber)))
        {
            diff.Add(ModificationKind.Other, $"{where} now shows object {after.ObjectNumber}, an appearance that was already in the document " +
                                             "when it was signed but not shown by this field (form-over-form shadow attack: prepared content revealed)",
                revealsPreparedContent: true);
            return true;
        }
        // A new or redrawn appearance that draws a form or image prepared before signing reveals it just the same.
        var redrawn = !ExistedBefore(diff, after.ObjectNumber) || diff.DefinedInUpdate(after.ObjectNumber);
        if (!redrawn || diff.New(after) is not PdfStream drawn) return found;
        var drawnBefore = before is not null && diff.Old(before) is PdfStream previous ? DrawnObjects(diff.Old, previous) : [];
        foreach (var (name, prepared) in DrawnObjects(diff.New, drawn))
        {
            if (!ExistedBefore(diff, prepared) || drawnBefore.Any(d => d.Number == prepared) || diff.DefinedInUpdate(prepared)) continue;
            diff.Add(ModificationKind.Other, $"{where} now shows an appearance (object {after.ObjectNumber}) that draws /{name}, object " +
                                             $"{prepared}, which was already in the document when it was signed " +
                                             "(form-over-form shadow attack: prepared content revealed)", revealsPreparedContent: true);
            found = true;
        }
        return found;
    }

    /// <summary>The XObjects (forms, images) an appearance stream's resources name.</summary>
    private static List<(string Name, int Number)> DrawnObjects(Func<PdfObject?, PdfObject?> resolve, PdfStream stream)
    {
        var drawn = new List<(string, int)>();
        if (resolve(stream.Dictionary["Resources"]) is PdfDictionary resources && resolve(resources["XObject"]) is PdfDictionary xobjects)
            foreach (var (name, value) in xobjects.Entries) if (value is PdfReference r) drawn.Add((name, r.ObjectNumber));
        return drawn;
    }

    /// <summary>Reports a widget whose display a later revision changes while it overlaps another widget of
    /// the signed revision on the same page: one can then uncover or cover the other (form over form).</summary>
    public static bool CheckOverlaps(RevisionDiff diff, int number, ObjectRole role, PdfDictionary old, PdfDictionary @new)
    {
        if (role.Page < 0 || role.Page >= diff.Roles.Pages.Count || Area(Rect(diff, old)) is not { } rect) return false;
        var displayChanged = Displayed(diff, old, after: false)?.ObjectNumber != Displayed(diff, @new, after: true)?.ObjectNumber
                             || diff.DefinedInUpdate(Displayed(diff, @new, after: true)?.ObjectNumber ?? -1)
                             || !PdfObjectEquality.Equal(old["F"], @new["F"]) || !PdfObjectEquality.Equal(old["AS"], @new["AS"]);
        if (!displayChanged) return false;
        if (diff.Old(diff.Roles.Pages[role.Page]) is not PdfDictionary page || diff.Old(page["Annots"]) is not PdfArray annots) return false;
        var found = false;
        foreach (var item in annots.Items)
        {
            if (item is not PdfReference other || other.ObjectNumber == number) continue;
            // A widget hidden when signed showed nothing to cover or uncover; revealing it is reported on its own.
            if (diff.Old(other) is not PdfDictionary widget || widget.GetName("Subtype") != "Widget" || ((widget["F"] as PdfInteger)?.Value & Concealing) > 0) continue;
            if (Area(Rect(diff, widget)) is not { } otherRect || !Intersect(rect, otherRect)) continue;
            var otherName = diff.Roles[other.ObjectNumber]?.Name ?? "?";
            diff.Add(ModificationKind.Other, $"form field '{role.Name}'{role.OnPage} (object {number}) changed what it shows after signing " +
                                             $"and overlaps form field '{otherName}' (object {other.ObjectNumber}) there: one can uncover or cover " +
                                             "the other (form-over-form shadow attack)", revealsPreparedContent: true);
            found = true;
        }
        return found;
    }

    private static double[]? Rect(RevisionDiff diff, PdfDictionary widget) =>
        diff.Old(widget["Rect"]) is PdfArray { Count: 4 } a && a.Items.Select(i => i.AsNumber()).ToList() is var n && n.All(v => v is not null)
            ? [Math.Min(n[0]!.Value, n[2]!.Value), Math.Min(n[1]!.Value, n[3]!.Value), Math.Max(n[0]!.Value, n[2]!.Value), Math.Max(n[1]!.Value, n[3]!.Value)]
            : null;

    /// <summary>The rectangle when it has an area (invisible signature fields use [0 0 0 0]).</summary>
    private static double[]? Area(double[]? rect) => rect is not null && rect[2] > rect[0] && rect[3] > rect[1] ? rect : null;

    private static bool Intersect(double[] a, double[] b) => a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];

    /// <summary>True when the object number resolved to an object in the revision before the update.</summary>
    public static bool ExistedBefore(RevisionDiff diff, int number)
    {
        try { return diff.File.GetObject(number, diff.Before) is not null; }
        catch (PdfFormatException) { return true; }
    }
}
