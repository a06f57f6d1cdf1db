// TEMPORARY stand-ins for Certification.Signing.Documents (the [documents] branch), same names and shapes
// as its announced contract. When that branch lands: delete this folder, replace
// `using Certification.Api.Documents;` with `using Certification.Signing.Documents;` and register
// `DocumentsCopyIssuer` (a thin ICopyIssuer over CertifiedCopyIssuer) instead of InterimCopyIssuer.
namespace Certification.Api.Documents;

public sealed record ScanFile(string FileName, ReadOnlyMemory<byte> Content);

public sealed record FeeSchedule(long FirstPagesFee = 2000, int FirstPages = 2, long LaterPageFee = 1000, long MaximumFee = 200000)
{
    public static FeeSchedule Free { get; } = new(0, 0, 0, 0);

    /// <summary>Circular 226/2016: per page of the original, capped per copy.</summary>
    public long FeeFor(int pages)
    {
        var first = Math.Min(pages, FirstPages);
        var fee = first * FirstPagesFee + Math.Max(0, pages - FirstPages) * LaterPageFee;
        return Math.Min(fee, MaximumFee);
    }
}

public sealed record CertificationDetails
{
    public required string CertificationNumber { get; init; }
    public required string Book { get; init; }
    public required DateOnly Date { get; init; }
    public required string OfficeName { get; init; }
    public required string OfficeCode { get; init; }
    public required string CertifierName { get; init; }
    public required string CertifierTitle { get; init; }
    public string? Authorisation { get; init; }
    public required string DocumentTitle { get; init; }
    public required string LookupCode { get; init; }
    public required Uri VerificationUrl { get; init; }
    public FeeSchedule Fees { get; init; } = new();
}

public enum ScanRejection
{
    Empty,
    UnsupportedFormat,
    Truncated,
    TrailingData,
    DimensionsTooLarge,
    TooSmall,
    Encrypted,
    ActiveContent,
    NoPages,
    Malformed,
    NotAScan,
    TooLarge,
}

public sealed class ScanRejectedException(ScanRejection reason, string fileName, string message) : Exception(message)
{
    public ScanRejection Reason { get; } = reason;
    public string FileName { get; } = fileName;

    /// <summary>Stable kebab-case id, e.g. <c>dimensions-too-large</c>.</summary>
    public string Code => System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(Reason.ToString());
}

public sealed record IssuedCopy(byte[] Pdf, int PageCount, long Fee, string Sha256Hex);

/// <summary>A copy composed and laid out for an external certifier signature.</summary>
public sealed record PreparedCopy(byte[] Pdf, Signing.Pades.PendingSignature Pending, int PageCount, long Fee)
{
    public byte[] DataToSign => Pending.DataToSign;
}
