using Certification.Signing.Pdf;

namespace Certification.Signing.Validation.Modifications;

/// <summary>
/// The changes one incremental update makes to the revision before it: every object the update defines
/// is compared with what that number resolved to before, and the rule for the object's role decides what
/// kind of change it is. Objects that are new are harmless by themselves: they only matter through a
/// changed existing object that starts using them, and that change is judged here.
/// </summary>
public sealed class RevisionDiff
{
    private static readonly IModificationRule[] Rules =
    [
        new CatalogRule(),
        new PageRule(),
        new FormRule(),
        new SignatureFieldRule(),
        new ValidationDataRule(),
        new AnnotationRule(),
        new FieldAppearanceRule(),
        new MetadataRule(),
    ];

    private readonly List<ModificationFinding> _findings = [];

    private RevisionDiff(PdfFile file, PdfRevision before, PdfRevision after)
    {
        File = file;
        Before = before;
        After = after;
        Roles = ObjectRoles.Of(file, before);
    }

    public PdfFile File { get; }
    public PdfRevision Before { get; }
    public PdfRevision After { get; }
    public ObjectRoles Roles { get; }

    public static IReadOnlyList<ModificationFinding> Compare(PdfFile file, int revisionIndex)
    {
        var diff = new RevisionDiff(file, file.Revisions[revisionIndex - 1], file.Revisions[revisionIndex]);
        diff.Run();
        return diff._findings;
    }

    /// <summary>Records a change once: several rules may see the same change through different objects
    /// (a widget and its appearance dictionary).</summary>
    public void Add(ModificationKind kind, string message, bool addsSignature = false, bool revealsPreparedContent = false)
    {
        var finding = new ModificationFinding(kind, After.Index, message, addsSignature, revealsPreparedContent);
        if (!_findings.Contains(finding)) _findings.Add(finding);
    }

    /// <summary>A change that signing tools make along with a new signature (XMP metadata, form default
    /// resources for the stamp's font): part of the signature when the same revision adds one, otherwise
    /// judged as <paramref name="fallback"/>.</summary>
    public void AddCompanion(ModificationKind fallback, string message) => _companions.Add((fallback, message));

    private readonly List<(ModificationKind Fallback, string Message)> _companions = [];
    private Dictionary<int, int>? _referenceCounts;
    private bool _referenceWalkTruncated;

    /// <summary>True when nothing the trailer of the revision before the update reaches refers to the
    /// object (known only when the whole document could be walked).</summary>
    public bool UnusedBefore(int number) => ReferencesBefore(number) == 0 && ReferencesComplete;

    /// <summary>False when the document was too large to count every reference (<see cref="PdfReadLimits.MaxObjects"/>).</summary>
    public bool ReferencesComplete
    {
        get
        {
            ReferencesBefore(0);
            return !_referenceWalkTruncated;
        }
    }

    /// <summary>How many times an object is referenced from everything reachable from the trailer
    /// (every trailer key) in the revision before the update.</summary>
    public int ReferencesBefore(int number)
    {
        if (_referenceCounts is null)
        {
            _referenceCounts = [];
            var seen = new HashSet<int>();
            var queue = new Queue<PdfObject>();
            foreach (var (key, value) in Before.Trailer.Entries) if (key is not ("Prev" or "XRefStm")) queue.Enqueue(value);
            while (queue.Count > 0)
            {
                if (seen.Count >= File.Limits.MaxObjects) { _referenceWalkTruncated = true; break; }
                switch (queue.Dequeue())
                {
                    case PdfReference r:
                        _referenceCounts[r.ObjectNumber] = _referenceCounts.GetValueOrDefault(r.ObjectNumber) + 1;
                        if (seen.Add(r.ObjectNumber) && Old(r) is { } target) queue.Enqueue(target is PdfStream st ? st.Dictionary : target);
                        break;
                    case PdfArray a:
                        foreach (var item in a.Items) queue.Enqueue(item);
                        break;
                    case PdfDictionary d:
                        foreach (var (_, value) in d.Entries) queue.Enqueue(value);
                        break;
                }
            }
        }
        return _referenceCounts.GetValueOrDefault(number);
    }

    private HashSet<int>? _defined;

    /// <summary>True when the update (re)defines the object.</summary>
    public bool DefinedInUpdate(int number) => (_defined ??= [.. After.DefinedObjects]).Contains(number);

    public PdfObject? Old(PdfObject? obj) => SafeResolve(obj, Before);
    public PdfObject? New(PdfObject? obj) => SafeResolve(obj, After);

    private PdfObject? SafeResolve(PdfObject? obj, PdfRevision revision)
    {
        try { return File.Resolve(obj, revision); }
        catch (PdfFormatException) { return null; }
    }

    private void Run()
    {
        var oldRoot = Before.Trailer["Root"] as PdfReference;
        var newRoot = After.Trailer["Root"] as PdfReference;
        if (!PdfObjectEquality.Equal(oldRoot, newRoot))
            Add(ModificationKind.Other, $"the document catalog was replaced by {(newRoot is null ? "a missing object" : $"object {newRoot.ObjectNumber}")}");
        if (!PdfObjectEquality.Equal(Before.Trailer["Encrypt"], After.Trailer["Encrypt"]))
            Add(ModificationKind.Other, "the encryption dictionary changed");

        foreach (var number in After.DefinedObjects.Order())
        {
            PdfObject? oldObj, newObj;
            bool oldBroken = false, newBroken = false;
            try { oldObj = File.GetObject(number, Before); } catch (PdfFormatException) { oldObj = null; oldBroken = File.LookupEntry(number, Before.Index) is not null; }
            try { newObj = File.GetObject(number, After); } catch (PdfFormatException) { newObj = null; newBroken = true; }
            var role = Roles[number];
            var description = role?.Describe(number) ?? $"object {number}";
            if (oldObj is null && !oldBroken) continue; // a new object: judged through whatever starts using it
            // An object number reused for something new while its old object is no longer referenced from
            // anything the trailer reaches: nothing displayed changes (pyHanko judges only what is still
            // used). Whatever starts using the new object is judged where it changes.
            // An object stream is used through the xref, not through references: redefining it changes
            // every object the signed revision reads from it (ISO 32000-1 § 7.5.7).
            if (oldObj is PdfStream { Dictionary: var header } && header.GetName("Type") == "ObjStm")
            {
                Add(ModificationKind.Other, $"object stream {number}, which holds objects of the signed revision, was redefined");
                continue;
            }
            if (!oldBroken && UnusedBefore(number)) continue;
            if (newBroken || oldBroken)
            {
                Add(ModificationKind.Other, $"{description} was redefined and cannot be read");
                continue;
            }
            if (newObj is null)
            {
                if (role?.Kind == RoleKind.Info) continue;
                Add(ModificationKind.Other, $"{description} was deleted");
                continue;
            }
            if (PdfObjectEquality.Equal(oldObj, newObj)) continue;
            var rule = role is null ? null : Rules.FirstOrDefault(r => r.AppliesTo(role.Kind));
            if (rule is null)
            {
                if (role?.Kind == RoleKind.Info) continue; // document information: not part of what is displayed
                Add(ModificationKind.Other, $"{description} redefined");
                continue;
            }
            rule.Compare(this, number, role!, oldObj!, newObj);
        }
        var withSignature = _findings.Any(f => f.Kind == ModificationKind.SignaturesAndTimestamps);
        foreach (var (fallback, message) in _companions)
        {
            if (withSignature) Add(ModificationKind.SignaturesAndTimestamps, $"{message}, along with a new signature");
            else Add(fallback, message);
        }
    }
}

/// <summary>Judges changes to objects of some roles. One class per kind of object.</summary>
public interface IModificationRule
{
    bool AppliesTo(RoleKind kind);
    void Compare(RevisionDiff diff, int number, ObjectRole role, PdfObject old, PdfObject @new);
}
