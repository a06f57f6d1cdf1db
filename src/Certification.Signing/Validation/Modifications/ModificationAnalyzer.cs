using Certification.Signing.Pdf;

namespace Certification.Signing.Validation.Modifications;

/// <summary>
/// What changed after a signed revision (pyHanko's difference analysis, kept apart from the AdES verdict):
/// every later revision is compared with the one before it. Each revision is compared once and shared by
/// all signatures. It also catches hide-and-reveal: an object referenced when the document was signed
/// but missing then (so nothing showed) that a later revision defines.
/// </summary>
public sealed class ModificationAnalyzer(PdfFile file)
{
    private readonly Dictionary<int, IReadOnlyList<ModificationFinding>> _byRevision = [];

    public IReadOnlyList<ModificationFinding> Changes(int revisionIndex)
    {
        if (!_byRevision.TryGetValue(revisionIndex, out var findings))
        {
            try { findings = RevisionDiff.Compare(file, revisionIndex); }
            catch (Exception e) when (e is PdfFormatException or InvalidOperationException or ArgumentException)
            {
                findings = [new ModificationFinding(ModificationKind.Other, revisionIndex, $"revision {revisionIndex} cannot be compared: {e.Message}")];
            }
            _byRevision[revisionIndex] = findings;
        }
        return findings;
    }

    public List<ModificationFinding> After(PdfRevision signed)
    {
        var result = new List<ModificationFinding>();
        var dangling = DanglingReferences(signed);
        for (var r = signed.Index + 1; r < file.Revisions.Count; r++)
        {
            result.AddRange(Changes(r));
            foreach (var number in file.Revisions[r].DefinedObjects.Order())
            {
                if (!dangling.Contains(number)) continue;
                PdfObject? defined;
                try { defined = file.GetObject(number, file.Revisions[r]); } catch (PdfFormatException) { defined = PdfNull.Instance; }
                if (defined is null) continue;
                result.Add(new ModificationFinding(ModificationKind.Other, r,
                    $"object {number} was referenced but missing when the document was signed, and revision {r} defines it (hidden content revealed)",
                    RevealsPreparedContent: true));
                dangling.Remove(number);
            }
        }
        return result;
    }

    /// <summary>Object numbers reachable from the trailer of a revision that resolve to nothing in it.</summary>
    private HashSet<int> DanglingReferences(PdfRevision revision)
    {
        var missing = new HashSet<int>();
        var seen = new HashSet<int>();
        var queue = new Queue<PdfObject>();
        // Only what the trailer makes part of the document: other trailer keys (/AdditionalStreams,
        // /ID...) are not rendered, and some writers point them at objects of the next revision.
        foreach (var key in new[] { "Root", "Info", "Encrypt" })
            if (revision.Trailer[key] is { } entry) queue.Enqueue(entry);
        while (queue.Count > 0 && seen.Count < file.Limits.MaxObjects)
        {
            var obj = queue.Dequeue();
            switch (obj)
            {
                case PdfReference r:
                    if (!seen.Add(r.ObjectNumber)) break;
                    PdfObject? target;
                    try { target = file.GetObject(r.ObjectNumber, revision); }
                    catch (PdfFormatException) { break; }
                    if (target is null) missing.Add(r.ObjectNumber);
                    else queue.Enqueue(target);
                    break;
                case PdfArray a:
                    foreach (var item in a.Items) if (item is PdfReference or PdfArray or PdfDictionary) queue.Enqueue(item);
                    break;
                case PdfDictionary d:
                    foreach (var (key, value) in d.Entries)
                    {
                        if (key is "Prev" or "XRefStm") continue;
                        if (value is PdfReference or PdfArray or PdfDictionary) queue.Enqueue(value);
                    }
                    break;
                case PdfStream s:
                    queue.Enqueue(s.Dictionary);
                    break;
            }
        }
        return missing;
    }
}
