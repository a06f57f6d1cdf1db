using Certification.Api.Domain;
using Certification.Api.Features.Audit;
using Certification.Api.Features.Auth;
using Certification.Api.Infrastructure;
using Certification.Api.Problems;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Certification.Api.Features.Events;

public sealed record DeliveryResponse(long Id, Guid EventId, string EventType, DateTimeOffset OccurredAt, string Subscriber, string Status, int Attempts,
    DateTimeOffset NextAttemptAt, string? LastError, DateTimeOffset? DeliveredAt);

/// <summary>The administrator's view of webhook deliveries: dead letters (and any other state), and a retry once the subscriber is fixed.</summary>
public static class EventsApi
{
    public static IEndpointRouteBuilder MapEventsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/admin/webhook-deliveries").WithTags("Administration").RequireAuthorization(Policies.SystemAdmin);
        api.MapGet("/", List).WithSummary("Webhook deliveries by status (Pending, Delivered, DeadLetter; default DeadLetter), newest first");
        api.MapPost("/{id:long}/retry", Retry).WithSummary("Send a dead letter again (attempts start over)");
        return app;
    }

    private static async Task<Results<Ok<List<DeliveryResponse>>, ProblemHttpResult>> List(string? status, CertificationDbContext db, CancellationToken ct)
    {
        var wanted = DeliveryStatus.DeadLetter;
        if (status is not null && !Enum.TryParse(status, ignoreCase: true, out wanted))
            return Problem.Of(ProblemTypes.InvalidRequest, "'status' is Pending, Delivered or DeadLetter.");
        var rows = await db.WebhookDeliveries.AsNoTracking().Include(d => d.Event).Where(d => d.Status == wanted).OrderByDescending(d => d.Id).Take(500).ToListAsync(ct);
        return TypedResults.Ok(rows.Select(d => new DeliveryResponse(d.Id, d.EventId, d.Event!.Type, d.Event.OccurredAt, d.Subscriber, d.Status.ToString(), d.Attempts,
            d.NextAttemptAt, d.LastError, d.DeliveredAt)).ToList());
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Retry(long id, CertificationDbContext db, AuditTrail audit, TimeProvider clock, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var delivery = await db.WebhookDeliveries.SingleOrDefaultAsync(d => d.Id == id, ct);
        if (delivery is null) return Problem.Of(ProblemTypes.NotFound);
        if (delivery.Status != DeliveryStatus.DeadLetter) return Problem.Of(ProblemTypes.InvalidRequest, "Only a dead letter can be retried.");
        delivery.Status = DeliveryStatus.Pending;
        delivery.Attempts = 0;
        delivery.NextAttemptAt = clock.GetUtcNow();
        await audit.AppendAsync("webhook.retried", $"webhook-delivery:{id}", new { delivery.EventId, delivery.Subscriber }, ct: ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return TypedResults.NoContent();
    }
}
