using System.Security.Cryptography;
using System.Text;
using Certification.Api.Features.Auth;

namespace Certification.Api.Features.Certifications;

public sealed record CertificationResponse(
    Guid Id,
    long CertificationNumber,
    string Book,
    string AccessCode,
    string AccessUrl,
    string AccessQrSvg,
    int PageCount,
    long Fee,
    string Sha256,
    string Level,
    DateOnly Date,
    string Office,
    Guid RequestId,
    Guid DocumentId);

public sealed record CertificationDetailsResponse(
    Guid Id, long CertificationNumber, string Book, DateOnly Date, DateTimeOffset IssuedAt, string Office, string OfficeCode,
    string Certifier, string DocumentTitle, int PageCount, long Fee, string? Sha256, string Level, string Status, string? RevocationReason);

public sealed record PreparedSigningResponse(
    Guid Handle, Guid CertificationId, long CertificationNumber, string Book, string DataToSign, string HashAlgorithm,
    string SignatureScheme, DateTimeOffset ExpiresAt);

public sealed record CompleteSigningRequest(string SignatureValue, IReadOnlyList<string> CertificateChain);

public sealed record RevocationRequest(string Reason);

public sealed record RevocationResponse(Guid Id, string Status, string Reason, DateTimeOffset RevokedAt);

public sealed record NewRequest(string RequesterName, string RequesterIdNumber);

public sealed record RequestResponse(Guid Id, string RequesterName, DateTimeOffset ReceivedAt, IReadOnlyList<RequestDocumentResponse> Documents);

public sealed record RequestDocumentResponse(Guid Id, string Title, string Status);

/// <summary>Citizens' access codes: 160 random bits in base32 (32 characters). Only their SHA-256 is stored,
/// so the registry cannot hand them out, and lookups compare hashes.</summary>
public static class AccessCodes
{
    public static string New() => Base32.Encode(RandomNumberGenerator.GetBytes(20));

    public static string? Normalise(string? code)
    {
        if (code is null) return null;
        var cleaned = code.Replace("-", "").Replace(" ", "").Trim().ToUpperInvariant();
        return cleaned.Length == 32 && cleaned.All(c => c is >= 'A' and <= 'Z' or >= '2' and <= '7') ? cleaned : null;
    }

    public static string Hash(string normalised) => Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(normalised)));
}
