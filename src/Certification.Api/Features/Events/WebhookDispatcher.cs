using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Certification.Api.Domain;
using Certification.Api.Infrastructure;
using Certification.Api.Options;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Certification.Api.Features.Events;

/// <summary>
/// Delivers outbox events to the configured webhooks, at least once: a delivery is leased (its next-attempt time moved past
/// the call's timeout) before the call and marked delivered only after a 2xx answer, so a crash at any point leaves it
/// pending and it is sent again after a restart (subscribers de-duplicate on <c>Idempotency-Key</c>). Failures are retried
/// after <c>FirstRetryDelay</c>, doubled each time up to <c>MaxRetryDelay</c>; after <c>MaxAttempts</c> the delivery is a dead letter.
/// </summary>
public sealed class WebhookDispatcher(IServiceProvider services, IHttpClientFactory http, IOptionsMonitor<WebhookOptions> options, TimeProvider clock,
    ILogger<WebhookDispatcher> log) : BackgroundService
{
    public const string HttpClientName = "webhooks";
    public const string SignatureHeader = "X-Certification-Signature";
    public const string EventHeader = "X-Certification-Event";
    public const string IdempotencyHeader = "Idempotency-Key";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await DeliverDueAsync(stoppingToken) > 0) { }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogError(e, "Delivering webhook events failed");
            }
            await Task.Delay(options.CurrentValue.PollInterval, clock, stoppingToken);
        }
    }

    /// <summary>One batch of due deliveries; returns how many were attempted.</summary>
    public async Task<int> DeliverDueAsync(CancellationToken ct)
    {
        var o = options.CurrentValue;
        using var scope = services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<CertificationDbContext>();
        var now = clock.GetUtcNow();
        var due = await db.WebhookDeliveries.AsNoTracking().Include(d => d.Event)
            .Where(d => d.Status == DeliveryStatus.Pending && d.NextAttemptAt <= now).OrderBy(d => d.NextAttemptAt).Take(20).ToListAsync(ct);
        var attempted = 0;
        foreach (var delivery in due)
        {
            var leaseUntil = now + o.Timeout + TimeSpan.FromSeconds(5);
            var leased = await db.WebhookDeliveries
                .Where(d => d.Id == delivery.Id && d.Status == DeliveryStatus.Pending && d.NextAttemptAt == delivery.NextAttemptAt)
                .ExecuteUpdateAsync(s => s.SetProperty(d => d.NextAttemptAt, leaseUntil), ct);
            if (leased == 0) continue; // another node took it
            attempted++;
            var subscriber = o.Subscribers.FirstOrDefault(s => s.Name == delivery.Subscriber);
            var error = subscriber is null ? "The subscriber is no longer configured." : await SendAsync(subscriber, delivery.Event!, o.Timeout, ct);
            var attempts = delivery.Attempts + 1;
            var finishedAt = clock.GetUtcNow();
            if (error is null)
            {
                await db.WebhookDeliveries.Where(d => d.Id == delivery.Id).ExecuteUpdateAsync(s => s
                    .SetProperty(d => d.Status, DeliveryStatus.Delivered).SetProperty(d => d.Attempts, attempts)
                    .SetProperty(d => d.DeliveredAt, finishedAt).SetProperty(d => d.LastError, (string?)null), ct);
                continue;
            }
            var dead = attempts >= o.MaxAttempts;
            var next = finishedAt + RetryDelay(o, attempts);
            await db.WebhookDeliveries.Where(d => d.Id == delivery.Id).ExecuteUpdateAsync(s => s
                .SetProperty(d => d.Status, dead ? DeliveryStatus.DeadLetter : DeliveryStatus.Pending).SetProperty(d => d.Attempts, attempts)
                .SetProperty(d => d.NextAttemptAt, next).SetProperty(d => d.LastError, error), ct);
            if (dead) log.LogWarning("Webhook delivery {Id} of event {Event} to {Subscriber} is a dead letter after {Attempts} attempts: {Error}",
                delivery.Id, delivery.EventId, delivery.Subscriber, attempts, error);
        }
        return attempted;
    }

    /// <summary>Exponential back-off: the first retry after <c>FirstRetryDelay</c>, each later one twice as long, at most <c>MaxRetryDelay</c>.</summary>
    public static TimeSpan RetryDelay(WebhookOptions o, int failedAttempts)
    {
        var factor = Math.Pow(2, Math.Min(failedAttempts - 1, 30));
        var delay = TimeSpan.FromTicks((long)Math.Min(o.FirstRetryDelay.Ticks * factor, o.MaxRetryDelay.Ticks));
        return delay;
    }

    private async Task<string?> SendAsync(WebhookSubscriber subscriber, OutboxEvent e, TimeSpan timeout, CancellationToken ct)
    {
        var body = Encoding.UTF8.GetBytes(e.Payload);
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, subscriber.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add(IdempotencyHeader, e.Id.ToString());
        request.Headers.Add(EventHeader, e.Type);
        request.Headers.Add(SignatureHeader, Signature(subscriber.Secret, timestamp, body));
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            using var response = await http.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
            return response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode}";
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return ex is TaskCanceledException ? "Timed out" : ex.Message.Length > 400 ? ex.Message[..400] : ex.Message;
        }
    }

    /// <summary><c>t={unix seconds},v1={hex HMAC-SHA256 over "{t}." + body}</c>: the subscriber recomputes it with the shared
    /// secret and rejects old timestamps, so a captured call cannot be replayed later or altered.</summary>
    public static string Signature(string secret, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.ASCII.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + ".");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed);
        return $"t={timestamp.ToString(CultureInfo.InvariantCulture)},v1={Convert.ToHexStringLower(mac)}";
    }
}
