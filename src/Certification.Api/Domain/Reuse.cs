namespace Certification.Api.Domain;

/// <summary>A citizen's permission for one online service to fetch one certified copy, for a purpose, until a time
/// (Decree 45/2020 Art. 10(3): a copy certified once is reused in later online dossiers instead of being asked for again).
/// The service proves it holds the permission with the share token (stored as its SHA-256) and its own API key.</summary>
public sealed class CopyShare
{
    public Guid Id { get; set; }
    public Guid CertifiedCopyId { get; set; }
    public CertifiedCopy? Copy { get; set; }
    /// <summary>The online service that may fetch the copy.</summary>
    public int ApiClientId { get; set; }
    public ApiClient? ApiClient { get; set; }
    /// <summary>Why the copy is given (the procedure or dossier), as the citizen wrote it.</summary>
    public required string Purpose { get; set; }
    public required string TokenHash { get; set; }
    /// <summary>Who created the share: <c>citizen:{ID number}</c>, <c>access-code</c> or <c>officer:{name}</c>.</summary>
    public required string CreatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
}

/// <summary>An event for the one-stop and provincial systems, written in the same transaction as the change it
/// reports (transactional outbox), so it is sent exactly when the change committed.</summary>
public sealed class OutboxEvent
{
    /// <summary>The idempotency key subscribers de-duplicate on.</summary>
    public Guid Id { get; set; }
    /// <summary><c>copy.certified</c>, <c>copy.revoked</c>, <c>copy.extended</c>, <c>share.created</c>.</summary>
    public required string Type { get; set; }
    public DateTimeOffset OccurredAt { get; set; }
    /// <summary>The JSON body delivered, exactly as signed.</summary>
    public required string Payload { get; set; }
}

public enum DeliveryStatus
{
    /// <summary>Not yet accepted by the subscriber; retried with exponential back-off.</summary>
    Pending,
    /// <summary>The subscriber answered 2xx.</summary>
    Delivered,
    /// <summary>Every attempt failed; waits for an administrator (who may retry it).</summary>
    DeadLetter,
}

/// <summary>One event for one configured webhook subscriber.</summary>
public sealed class WebhookDelivery
{
    public long Id { get; set; }
    public Guid EventId { get; set; }
    public OutboxEvent? Event { get; set; }
    public required string Subscriber { get; set; }
    public DeliveryStatus Status { get; set; }
    public int Attempts { get; set; }
    /// <summary>When the next attempt is due; also the lease a dispatcher takes before calling, so two nodes do not call at once.</summary>
    public DateTimeOffset NextAttemptAt { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset? DeliveredAt { get; set; }
}
