using System.Text.Json;
using Certification.Api.Domain;
using Certification.Api.Infrastructure;
using Certification.Api.Options;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Certification.Api.Features.Events;

/// <summary>The events the one-stop and provincial systems receive (docs/service.md § Events).</summary>
public static class EventTypes
{
    public const string CopyCertified = "copy.certified";
    public const string CopyRevoked = "copy.revoked";
    public const string CopyExtended = "copy.extended";
    public const string ShareCreated = "share.created";

    public static IReadOnlyList<string> All => [CopyCertified, CopyRevoked, CopyExtended, ShareCreated];
}

/// <summary>What a copy event says about the copy: enough for a one-stop system to attach it to the citizen's
/// dossier (their ID number) and to verify it later (its hash), never the access code.</summary>
public sealed record CopyEventData(Guid CertificationId, string OfficeCode, string Office, string Book, long Number, DateOnly Date,
    string DocumentTitle, string CitizenIdNumber, string Status, string? Sha256);

/// <summary>
/// Transactional outbox: an event and its deliveries are added to the unit of work of the change they report, inside
/// its transaction, so they commit together or not at all. <see cref="WebhookDispatcher"/> delivers them afterwards.
/// </summary>
public sealed class Outbox(CertificationDbContext db, IOptions<WebhookOptions> options, TimeProvider clock)
{
    internal static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Adds the event (saved by the caller's next SaveChanges, in its transaction).</summary>
    public OutboxEvent Add(string type, object data)
    {
        if (db.Database.CurrentTransaction is null)
            throw new InvalidOperationException("Events are written inside the transaction of the change they report.");
        var now = clock.GetUtcNow();
        var id = Guid.NewGuid();
        var e = new OutboxEvent
        {
            Id = id, Type = type, OccurredAt = now,
            Payload = JsonSerializer.Serialize(new { id, type, occurredAt = now, data }, JsonOptions),
        };
        db.OutboxEvents.Add(e);
        foreach (var subscriber in options.Value.Subscribers.Where(s => s.Events.Count == 0 || s.Events.Contains(type)))
            db.WebhookDeliveries.Add(new WebhookDelivery { EventId = id, Subscriber = subscriber.Name, Status = DeliveryStatus.Pending, NextAttemptAt = now });
        return e;
    }

    /// <summary>Saves the caller's pending changes, then adds the event about the copy as it now stands in the database and
    /// saves it too, both inside the caller's transaction (which commits them together, or neither).</summary>
    public async Task SaveWithCopyEventAsync(string type, Guid copyId, CancellationToken ct)
    {
        await db.SaveChangesAsync(ct);
        var data = await db.CertifiedCopies.AsNoTracking().Where(c => c.Id == copyId)
            .Select(c => new CopyEventData(c.Id, c.Office!.Code, c.Office.Name, c.Book!.Label, c.Number, c.Date, c.Document!.Title,
                c.Document.Request!.RequesterIdNumber, Certifications.CertificationsApi.StatusName(c.Status), c.Sha256))
            .SingleAsync(ct);
        Add(type, data);
        await db.SaveChangesAsync(ct);
    }
}
