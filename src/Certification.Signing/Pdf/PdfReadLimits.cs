namespace Certification.Signing.Pdf;

/// <summary>Bounds on what a reader accepts, so hostile input is cut off with an error rather than a hang
/// or unbounded memory. Defaults are far above what real scans and certified copies need.</summary>
public sealed record PdfReadLimits
{
    public static readonly PdfReadLimits Default = new();

    /// <summary>Nesting of arrays and dictionaries (ISO 32000-1 Annex C suggests implementations handle 28).</summary>
    public int MaxNestingDepth { get; init; } = 64;

    /// <summary>Objects a cross-reference section may declare.</summary>
    public int MaxObjects { get; init; } = 2_000_000;

    /// <summary>Revisions (incremental updates) followed through /Prev.</summary>
    public int MaxRevisions { get; init; } = 1_000;

    /// <summary>Decoded size of any one stream.</summary>
    public long MaxDecodedStreamLength { get; init; } = 256L * 1024 * 1024;

    /// <summary>Elements in one array or dictionary.</summary>
    public int MaxCollectionItems { get; init; } = 1_000_000;

    /// <summary>Indirect references followed when resolving one chain (catches reference cycles).</summary>
    public int MaxReferenceChain { get; init; } = 32;
}
