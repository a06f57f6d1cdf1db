namespace Certification.Api.Domain;

/// <summary>A citizen's request: one or more documents, each certified (one number each) or refused.</summary>
public sealed class CertificationRequest
{
    public Guid Id { get; set; }
    public int OfficeId { get; set; }
    public required string RequesterName { get; set; }
    public required string RequesterIdNumber { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
    public int ReceivedById { get; set; }
    public List<RequestDocument> Documents { get; set; } = [];
}

public enum DocumentStatus
{
    Received,
    AwaitingSignature,
    Certified,
    Refused,
}

public sealed class RequestDocument
{
    public Guid Id { get; set; }
    public Guid RequestId { get; set; }
    public CertificationRequest? Request { get; set; }
    public required string Title { get; set; }
    public int PageCount { get; set; }
    public DocumentStatus Status { get; set; }
}

public enum CertificationStatus
{
    /// <summary>Issued and in force.</summary>
    Valid,
    /// <summary>Revoked as issued in error.</summary>
    Revoked,
    /// <summary>Composed with the book's next number and waiting for the external signer. Not a book entry:
    /// the number is taken only when the signature arrives (and only if nobody took it meanwhile), so an
    /// abandoned signature leaves no gap (Circular 01/2020: numbers without gaps or reuse).</summary>
    AwaitingSignature,
}

/// <summary>A certification: one number in one book for one document, with its stored signed copy.</summary>
public sealed class CertifiedCopy
{
    public Guid Id { get; set; }
    public Guid DocumentId { get; set; }
    public RequestDocument? Document { get; set; }
    public int OfficeId { get; set; }
    public Office? Office { get; set; }
    public int BookId { get; set; }
    public CertificationBook? Book { get; set; }
    public long Number { get; set; }
    public int CertifierId { get; set; }
    public Officer? Certifier { get; set; }
    public DateOnly Date { get; set; }
    public DateTimeOffset IssuedAt { get; set; }
    /// <summary>SHA-256 (hex) of the signed PDF: its name in the blob store. Null while awaiting signature.</summary>
    public string? Sha256 { get; set; }
    public long Size { get; set; }
    public int PageCount { get; set; }
    public long Fee { get; set; }
    public required string Level { get; set; }
    /// <summary>SHA-256 (hex) of the citizen's access code; the code itself is shown once.</summary>
    public required string AccessCodeHash { get; set; }
    public CertificationStatus Status { get; set; }
    /// <summary>Until when the stored copy stays verifiable without extension (<c>ArchiveProtection</c>): the
    /// earliest expiry among the certificates no later timestamp covers. Null until computed.</summary>
    public DateTimeOffset? ProtectedUntil { get; set; }
}

/// <summary>One long-term archive extension of a stored copy (fresh validation data and a new document
/// timestamp, PAdES B-LTA, ETSI EN 319 142-1 § 5.5). The previous version stays in the blob store: a citizen
/// who downloaded it still holds the same genuine copy.</summary>
public sealed class ArchiveExtension
{
    public Guid Id { get; set; }
    public Guid CertifiedCopyId { get; set; }
    /// <summary>1 for the first extension of the copy, then 2, 3, …</summary>
    public int Sequence { get; set; }
    public required string PreviousSha256 { get; set; }
    public required string Sha256 { get; set; }
    public long Size { get; set; }
    public DateTimeOffset ExtendedAt { get; set; }
    public DateTimeOffset? ProtectedUntilBefore { get; set; }
    public DateTimeOffset ProtectedUntilAfter { get; set; }
    /// <summary>When the previous version's blob was deleted: it is a byte prefix of this version, so nothing is
    /// lost, and verification still knows its hash. Null while it is kept (<c>Archive:KeepPreviousVersionsFor</c>).</summary>
    public DateTimeOffset? PreviousRemovedAt { get; set; }
}

/// <summary>Decree 23/2015 Art. 22 grounds for refusing an original, plus the two procedural grounds.</summary>
public enum RefusalReason
{
    /// <summary>1. Erased, altered, added to or cut arbitrarily.</summary>
    Altered = 1,
    /// <summary>2. Damaged or worn so that the content cannot be read.</summary>
    Illegible = 2,
    /// <summary>3. Stamped confidential (MẬT) or marked that copying is not permitted.</summary>
    ConfidentialOrCopyProhibited = 3,
    /// <summary>4. Illegal, unethical, anti-state, distorting history, defamatory, violating rights.</summary>
    UnlawfulContent = 4,
    /// <summary>5. Issued, notarised or certified abroad without consular legalisation (unless exempt).</summary>
    ForeignNotLegalised = 5,
    /// <summary>6. Drafted by an individual without confirmation and seal of a competent body.</summary>
    UnconfirmedPrivateDocument = 6,
    /// <summary>Outside the certifier's competence.</summary>
    OutsideCompetence = 7,
    /// <summary>The request itself is invalid.</summary>
    InvalidRequest = 8,
}

public sealed class Refusal
{
    public Guid Id { get; set; }
    public Guid DocumentId { get; set; }
    public RequestDocument? Document { get; set; }
    public int OfficeId { get; set; }
    public RefusalReason Reason { get; set; }
    public required string Text { get; set; }
    public int RefusedById { get; set; }
    public DateTimeOffset RefusedAt { get; set; }
}

/// <summary>A copy withdrawn because it was issued in error; verification reports it as revoked.</summary>
public sealed class Revocation
{
    public Guid Id { get; set; }
    public Guid CertifiedCopyId { get; set; }
    public required string Reason { get; set; }
    public int RevokedById { get; set; }
    public DateTimeOffset RevokedAt { get; set; }
}

/// <summary>A two-step signature waiting for an external signer (token, remote signHash service).</summary>
public sealed class ExternalSigningSession
{
    public Guid Id { get; set; }
    public Guid CertifiedCopyId { get; set; }
    public int OfficerId { get; set; }
    /// <summary><c>PendingSignature.ToJson()</c>.</summary>
    public required byte[] PendingSignature { get; set; }
    /// <summary>Blob name of the prepared (unsigned) PDF.</summary>
    public required string PreparedSha256 { get; set; }
    /// <summary>The access code, encrypted, handed out on completion.</summary>
    public required byte[] ProtectedAccessCode { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
}

/// <summary>One link of the append-only, hash-chained audit log (who, when, what, from where).</summary>
public sealed class AuditEntry
{
    /// <summary>Sequence number, contiguous from 1: a deleted row breaks the chain visibly.</summary>
    public long Id { get; set; }
    public DateTimeOffset At { get; set; }
    public required string Actor { get; set; }
    public string? Address { get; set; }
    public required string Action { get; set; }
    public required string Subject { get; set; }
    public string Details { get; set; } = "{}";
    public required string PreviousHash { get; set; }
    public required string Hash { get; set; }
}

/// <summary>What the service read from a document's scans before it was certified (quality measures, OCR proposals,
/// possible duplicates), kept with the request once the document is certified. Proposals only ever pre-filled the
/// form: the officer confirmed or corrected every value.</summary>
public sealed class ScanInspection
{
    public Guid Id { get; set; }
    public int OfficeId { get; set; }
    public int InspectedById { get; set; }
    public DateTimeOffset InspectedAt { get; set; }
    /// <summary>SHA-256 (hex) over the uploaded files' SHA-256s in order: the same scans uploaded to certify find it.</summary>
    public required string ScansSha256 { get; set; }
    /// <summary>The response as JSON (pages with measures and warnings, proposals with confidence and region, duplicates).</summary>
    public required string Report { get; set; }
    /// <summary>Set when the scans were certified (or prepared for two-step signing).</summary>
    public Guid? RequestId { get; set; }
    public Guid? DocumentId { get; set; }
}

/// <summary>The perceptual hash of one page of a certified copy (<c>PerceptualHash</c>), to find the same original
/// brought again. Office and province are copied here so a search reads one indexed table.</summary>
public sealed class CopyPageFingerprint
{
    public long Id { get; set; }
    public Guid CertifiedCopyId { get; set; }
    public int OfficeId { get; set; }
    public int ProvinceId { get; set; }
    /// <summary>1-based page of the document.</summary>
    public int Page { get; set; }
    /// <summary>64 hex digits (256 bits).</summary>
    public required string Hash { get; set; }
}
