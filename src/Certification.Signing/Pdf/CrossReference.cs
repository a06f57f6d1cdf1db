namespace Certification.Signing.Pdf;

/// <summary>How a cross-reference section is stored (ISO 32000-1 § 7.5.4, § 7.5.8, hybrid § 7.5.8.4).</summary>
public enum XrefSectionKind
{
    Table,
    Stream,
    /// <summary>A classic table whose trailer also points at a cross-reference stream (/XRefStm).</summary>
    Hybrid,
}

public enum XrefEntryKind
{
    Free,
    /// <summary>An uncompressed object at a byte offset.</summary>
    InFile,
    /// <summary>An object stored in an object stream (§ 7.5.7).</summary>
    InObjectStream,
}

/// <summary>One cross-reference entry. For <see cref="XrefEntryKind.InObjectStream"/> entries,
/// <see cref="Offset"/> is the object stream's number and <see cref="Generation"/> the index in it.</summary>
public readonly record struct XrefEntry(XrefEntryKind Kind, long Offset, int Generation);

/// <summary>One cross-reference section with its trailer, as found at one startxref or /Prev offset.</summary>
public sealed class XrefSection
{
    public required long Offset { get; init; }
    public required XrefSectionKind Kind { get; init; }
    public required PdfDictionary Trailer { get; init; }
    public required IReadOnlyDictionary<int, XrefEntry> Entries { get; init; }

    /// <summary>Where the section's own bytes end (after the trailer dictionary or the xref stream's endobj).</summary>
    public required long End { get; init; }

    public long? PreviousOffset => (Trailer["Prev"] as PdfInteger)?.Value;
}

/// <summary>One revision of a file: the original, or one incremental update (§ 7.5.6).</summary>
public sealed class PdfRevision
{
    public required int Index { get; init; }

    /// <summary>Usually one; two for a linearized original (first-page and main sections, Annex F).</summary>
    public required IReadOnlyList<XrefSection> Sections { get; init; }

    /// <summary>Offset just past this revision's %%EOF marker and its end-of-line, i.e. the length of
    /// the file as it was when this revision was the last one.</summary>
    public required long EndOffset { get; init; }

    public PdfDictionary Trailer => Sections[^1].Trailer;

    public XrefSectionKind Kind => Sections[^1].Kind;

    /// <summary>Object numbers that this revision defines or frees.</summary>
    public IEnumerable<int> DefinedObjects => Sections.SelectMany(s => s.Entries.Keys).Distinct();
}
