namespace Certification.Api.Domain;

/// <summary>
/// The certification book (sổ chứng thực): per office, book type and year, numbered from 1 and continuing
/// across volumes (Circular 01/2020 Art. 4 as summarised in docs/domain.md). Books are kept permanently.
/// <see cref="LastNumber"/> is the last number committed together with its stored copy.
/// </summary>
public sealed class CertificationBook
{
    /// <summary>The electronic book of certified copies from originals.</summary>
    public const string ElectronicCopies = "SCTĐT/BS";

    public int Id { get; set; }
    public int OfficeId { get; set; }
    public Office? Office { get; set; }
    public required string BookType { get; set; }
    public int Year { get; set; }
    public int Volume { get; set; } = 1;
    public long FirstNumber { get; set; } = 1;
    public long LastNumber { get; set; }
    public DateOnly OpenedOn { get; set; }
    public DateOnly? ClosedOn { get; set; }

    /// <summary>"Quyển số" as printed: <c>01/2026-SCTĐT/BS</c>.</summary>
    public string Label => FormatLabel(Volume, Year, BookType);

    public static string FormatLabel(int volume, int year, string type) => $"{volume:00}/{year}-{type}";
}

public static class BookEntries
{
    /// <summary>The entries of a book in number order: every copy that took its number, valid or revoked. A copy
    /// awaiting its external signature holds only a tentative number and is not an entry.</summary>
    public static IQueryable<CertifiedCopy> EntriesOf(this IQueryable<CertifiedCopy> copies, int bookId) =>
        copies.Where(c => c.BookId == bookId && c.Status != CertificationStatus.AwaitingSignature).OrderBy(c => c.Number);
}
