using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Certification.Api.Domain;
using Certification.Api.Features.Events;
using Certification.Api.Infrastructure;
using Certification.TestSupport;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace Certification.Api.Tests;

/// <summary>
/// Certify once, reuse everywhere (issue 17): who may see and fetch what (citizens signed in through the development OpenID
/// Connect provider, online services with their API key and a share token), and the events for the one-stop systems
/// through the transactional outbox (a crash between commit and call, a rolled-back certification, a flaky subscriber).
/// </summary>
public sealed class ReuseTests
{
    private const string CitizenA = "001199012345";
    private const string CitizenB = "079188000111";

    [Fact]
    public async Task Authorization_matrix_citizens_see_only_their_copies_services_only_their_shares_and_expired_tokens_are_refused()
    {
        using var host = new ServiceHost(realPort: true);
        var officer = await host.SignInAsync("officer.commune");
        var copyOfA = await ServiceHost.CertifyForAsync(officer, CitizenA, "Giấy khai sinh của A");
        var copyOfB = await ServiceHost.CertifyForAsync(officer, CitizenB, "Giấy khai sinh của B");
        var idOfA = copyOfA["id"]!.GetValue<Guid>();
        var idOfB = copyOfB["id"]!.GetValue<Guid>();

        using var a = await CitizenSession.SignInAsync(host, CitizenA);
        using var b = await CitizenSession.SignInAsync(host, CitizenB);
        using var anonymous = new HttpClient { BaseAddress = host.BaseAddress() };

        // Each citizen sees their own copy only; the other's copy is "not found", for the document and for a share.
        Assert.Equal([idOfA], (await a.Client.GetFromJsonAsync<JsonArray>("/api/v1/citizen/copies"))!.Select(c => c!["id"]!.GetValue<Guid>()));
        Assert.Equal([idOfB], (await b.Client.GetFromJsonAsync<JsonArray>("/api/v1/citizen/copies"))!.Select(c => c!["id"]!.GetValue<Guid>()));
        await ServiceHost.ProblemAsync(await a.Client.GetAsync($"/api/v1/citizen/copies/{idOfB}/document"), HttpStatusCode.NotFound, "copy-not-found");
        Assert.Equal(HttpStatusCode.OK, (await a.Client.GetAsync($"/api/v1/citizen/copies/{idOfA}/document")).StatusCode);
        await ServiceHost.ProblemAsync(await a.Client.PostAsJsonAsync($"/api/v1/citizen/copies/{idOfB}/shares", new { serviceId = 1, purpose = "x" }),
            HttpStatusCode.NotFound, "copy-not-found");
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/citizen/copies")).StatusCode);
        // An officer's bearer token is no citizen session.
        Assert.NotEqual(HttpStatusCode.OK, (await officer.GetAsync("/api/v1/citizen/copies")).StatusCode);

        // Two online services; A shares with the demo one.
        var admin = await host.SignInAsync("admin");
        var other = (await (await admin.PostAsJsonAsync("/api/v1/admin/api-clients", new { name = "Dịch vụ khác" })).Content.ReadFromJsonAsync<JsonObject>())!;
        var demoServiceId = (await anonymous.GetFromJsonAsync<JsonArray>("/api/v1/online-services"))!
            .Single(s => s!["name"]!.GetValue<string>().StartsWith("Cổng dịch vụ công Demo", StringComparison.Ordinal))!["id"]!.GetValue<int>();
        var share = await ShareAsync(a.Client, $"/api/v1/citizen/copies/{idOfA}/shares", demoServiceId, DateTimeOffset.UtcNow.AddDays(1));

        using var demoService = Service(host, DemoSeed.ApiKey);
        using var otherService = Service(host, other["apiKey"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await Fetch(demoService, share)).StatusCode);
        // Another service with the right token: refused, and it does not learn more than that.
        await ServiceHost.ProblemAsync(await Fetch(otherService, share), HttpStatusCode.Forbidden, "share-for-another-service");
        Assert.Empty((await otherService.GetFromJsonAsync<JsonArray>("/api/v1/shares"))!);
        Assert.Single((await demoService.GetFromJsonAsync<JsonArray>("/api/v1/shares"))!);
        // The right service with a wrong token, or without its key.
        await ServiceHost.ProblemAsync(await Fetch(demoService, share with { Token = "cst_wrong" }), HttpStatusCode.NotFound, "share-not-found");
        Assert.Equal(HttpStatusCode.Unauthorized, (await Fetch(anonymous, share)).StatusCode);
        // B can neither list nor revoke A's share.
        Assert.Empty((await b.Client.GetFromJsonAsync<JsonArray>("/api/v1/citizen/shares"))!);
        await ServiceHost.ProblemAsync(await b.Client.DeleteAsync($"/api/v1/citizen/shares/{share.Id}"), HttpStatusCode.NotFound, "share-not-found");
        Assert.Equal(HttpStatusCode.OK, (await Fetch(demoService, share)).StatusCode);

        // An expired token: a share for two seconds, fetched after.
        var brief = await ShareAsync(a.Client, $"/api/v1/citizen/copies/{idOfA}/shares", demoServiceId, DateTimeOffset.UtcNow.AddSeconds(2));
        Assert.Equal(HttpStatusCode.OK, (await Fetch(demoService, brief)).StatusCode);
        await Task.Delay(2500);
        await ServiceHost.ProblemAsync(await Fetch(demoService, brief), HttpStatusCode.Gone, "share-expired");

        // Revoked by its citizen: 410 share-revoked. Every fetch, allowed or refused, is visible to the citizen.
        Assert.Equal(HttpStatusCode.NoContent, (await a.Client.DeleteAsync($"/api/v1/citizen/shares/{share.Id}")).StatusCode);
        await ServiceHost.ProblemAsync(await Fetch(demoService, share), HttpStatusCode.Gone, "share-revoked");
        var mine = (await a.Client.GetFromJsonAsync<JsonArray>("/api/v1/citizen/shares"))!;
        var fetches = mine.Single(s => s!["id"]!.GetValue<Guid>() == share.Id)!["fetches"]!.AsArray().Select(f => f!["outcome"]!.GetValue<string>()).ToList();
        Assert.Equal(["fetched", "refused", "refused", "fetched", "refused"], fetches);
        Assert.Equal("expired", mine.Single(s => s!["id"]!.GetValue<Guid>() == brief.Id)!["status"]!.GetValue<string>());

        // By access code (the citizen without an account, or the officer at the counter): the same shares endpoint of the issue.
        var byCode = await ShareAsync(anonymous, $"/api/v1/copies/{copyOfB["accessCode"]!.GetValue<string>()}/shares", demoServiceId, null);
        Assert.Equal(HttpStatusCode.OK, (await Fetch(demoService, byCode)).StatusCode);
        Assert.Single((await b.Client.GetFromJsonAsync<JsonArray>("/api/v1/citizen/shares"))!);
    }

    [Fact]
    public async Task Every_event_reaches_a_flaky_subscriber_exactly_once_after_deduplication_signed_and_a_dead_subscriber_is_a_visible_dead_letter()
    {
        var flaky = new Subscriber(failFirst: 3);
        var dead = new Subscriber(failFirst: int.MaxValue);
        using var host = new ServiceHost(realPort: true, settings: Webhooks(("one-stop", flaky), ("broken", dead)), services: s => Route(s, flaky, dead));
        var officer = await host.SignInAsync("officer.commune");
        var copy = await ServiceHost.CertifyForAsync(officer, CitizenA);
        var id = copy["id"]!.GetValue<Guid>();
        using var anonymous = new HttpClient { BaseAddress = host.BaseAddress() };
        var share = await ShareAsync(anonymous, $"/api/v1/copies/{copy["accessCode"]!.GetValue<string>()}/shares", 1, null);
        Assert.Equal(HttpStatusCode.OK, (await officer.PostAsJsonAsync($"/api/v1/certifications/{id}/revocation", new { reason = "Cấp nhầm (thử nghiệm)" })).StatusCode);

        string[] expected = [EventTypes.CopyCertified, EventTypes.ShareCreated, EventTypes.CopyRevoked];
        await Eventually(() => flaky.Unique.Count == 3, "the flaky subscriber got every event");
        Assert.True(flaky.Received.Count > 3, "the first deliveries were failed and retried");
        Assert.Equal(expected.Order(), flaky.Unique.Values.Select(e => e.Type).Order());
        Assert.All(flaky.Received, r => Assert.True(r.SignatureValid, "HMAC signature"));
        var certified = flaky.Unique.Values.Single(e => e.Type == EventTypes.CopyCertified).Body;
        Assert.Equal(CitizenA, certified["data"]!["citizenIdNumber"]!.GetValue<string>());
        Assert.Equal(id, certified["data"]!["certificationId"]!.GetValue<Guid>());
        Assert.Equal(share.Id, flaky.Unique.Values.Single(e => e.Type == EventTypes.ShareCreated).Body["data"]!["shareId"]!.GetValue<Guid>());
        Assert.Equal("revoked", flaky.Unique.Values.Single(e => e.Type == EventTypes.CopyRevoked).Body["data"]!["status"]!.GetValue<string>());
        // The idempotency key is the event's id: the same for every attempt of one event.
        Assert.All(flaky.Received, r => Assert.Equal(r.Body["id"]!.GetValue<Guid>().ToString(), r.IdempotencyKey));

        // The subscriber that always fails: after MaxAttempts with growing waits, a dead letter the administrator sees and can retry.
        var admin = await host.SignInAsync("admin");
        await Eventually(async () => (await admin.GetFromJsonAsync<JsonArray>("/api/v1/admin/webhook-deliveries?status=DeadLetter"))!.Count == 3,
            "three dead letters");
        var letters = (await admin.GetFromJsonAsync<JsonArray>("/api/v1/admin/webhook-deliveries"))!;
        Assert.All(letters, l => Assert.Equal("broken", l!["subscriber"]!.GetValue<string>()));
        Assert.All(letters, l => Assert.Equal(4, l!["attempts"]!.GetValue<int>()));
        Assert.Equal(12, dead.Received.Count);
        var gaps = dead.Received.GroupBy(r => r.IdempotencyKey).First().Select(r => r.At).Order().ToList();
        Assert.True(gaps[3] - gaps[2] > gaps[1] - gaps[0], $"exponential back-off: {string.Join(", ", gaps.Select(g => g.ToString("HH:mm:ss.fff")))}");
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsync($"/api/v1/admin/webhook-deliveries/{letters[0]!["id"]}/retry", null)).StatusCode);
        await Eventually(() => dead.Received.Count >= 13, "the retried dead letter is sent again");
        Assert.Equal(3, flaky.Unique.Count);
    }

    [Fact]
    public async Task Killed_between_commit_and_webhook_call_the_event_is_delivered_after_restart_and_a_rolled_back_certification_sends_nothing()
    {
        using var data = new TempDirectory("certification-outbox");
        var lost = new Subscriber(failFirst: 0, hang: true);
        var failCommit = new FailingCommit();
        var settings = Webhooks(("one-stop", lost));
        settings["Certification:Webhooks:Timeout"] = "00:00:01";
        var first = new ServiceHost(settings: settings, data: data, services: s =>
        {
            Route(s, lost);
            s.AddSingleton<IInterceptor>(failCommit);
            // The "killed" process does not wait for its webhook call to end.
            s.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromMilliseconds(500));
        });
        var officer = await first.SignInAsync("officer.commune");

        // A certification whose transaction fails at commit: no copy, no number, no event.
        failCommit.Armed = true;
        var failed = await ServiceHost.PostCertificationAsync(officer, "Bản sẽ bị huỷ", [Scans.Page(1)]);
        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        Assert.False(failCommit.Armed, "the commit was attempted (and failed)");
        using (var scope = first.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CertificationDbContext>();
            Assert.Empty(await db.OutboxEvents.ToListAsync());
            Assert.Empty(await db.WebhookDeliveries.ToListAsync());
            Assert.Empty(await db.CertifiedCopies.ToListAsync());
        }

        // The next one commits; the process dies while its webhook call is on the way (the call never returns).
        var copy = await ServiceHost.CertifyForAsync(officer, CitizenA);
        Assert.Equal(1, copy["certificationNumber"]!.GetValue<long>());
        await Eventually(() => lost.Received.Count == 1, "the first process started the call");
        first.Dispose();
        using (var db = Database(data))
        {
            var delivery = await db.WebhookDeliveries.Include(d => d.Event).SingleAsync();
            Assert.Equal((DeliveryStatus.Pending, 0, EventTypes.CopyCertified), (delivery.Status, delivery.Attempts, delivery.Event!.Type));
        }

        // Restarted on the same database: the event is delivered (after the dead process's lease), once.
        var subscriber = new Subscriber(failFirst: 0);
        using var second = new ServiceHost(settings: Webhooks(("one-stop", subscriber)), data: data, services: s => Route(s, subscriber));
        _ = second.Services; // start it
        await Eventually(() => subscriber.Unique.Count == 1, "delivered after restart", TimeSpan.FromSeconds(30));
        var received = subscriber.Unique.Values.Single();
        Assert.Equal(EventTypes.CopyCertified, received.Type);
        Assert.Equal(copy["id"]!.GetValue<Guid>(), received.Body["data"]!["certificationId"]!.GetValue<Guid>());
        Assert.Equal(lost.Received[0].IdempotencyKey, received.IdempotencyKey);
        await Task.Delay(500);
        Assert.Single(subscriber.Received);
        using (var scope = second.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CertificationDbContext>();
            Assert.Equal(DeliveryStatus.Delivered, (await db.WebhookDeliveries.SingleAsync()).Status);
        }
    }

    private sealed record Share(Guid Id, string Link, string Token);

    private static async Task<Share> ShareAsync(HttpClient client, string url, int serviceId, DateTimeOffset? expiresAt)
    {
        var response = await client.PostAsJsonAsync(url, new { serviceId, purpose = "Hồ sơ đăng ký thường trú", expiresAt });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode}: {body}");
        var json = JsonNode.Parse(body)!;
        return new Share(json["id"]!.GetValue<Guid>(), json["link"]!.GetValue<string>(), json["token"]!.GetValue<string>());
    }

    private static HttpClient Service(ServiceHost host, string apiKey)
    {
        var client = new HttpClient { BaseAddress = host.BaseAddress() };
        client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        return client;
    }

    private static Task<HttpResponseMessage> Fetch(HttpClient service, Share share)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(share.Link).PathAndQuery);
        request.Headers.Add("X-Share-Token", share.Token);
        return service.SendAsync(request);
    }

    private static Dictionary<string, string?> Webhooks(params (string Name, Subscriber Subscriber)[] subscribers)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Certification:Webhooks:PollInterval"] = "00:00:00.100",
            ["Certification:Webhooks:FirstRetryDelay"] = "00:00:00.150",
            ["Certification:Webhooks:MaxRetryDelay"] = "00:00:02",
            ["Certification:Webhooks:MaxAttempts"] = "4",
        };
        for (var i = 0; i < subscribers.Length; i++)
        {
            settings[$"Certification:Webhooks:Subscribers:{i}:Name"] = subscribers[i].Name;
            settings[$"Certification:Webhooks:Subscribers:{i}:Url"] = $"http://{subscribers[i].Name}.subscriber.test/events";
            settings[$"Certification:Webhooks:Subscribers:{i}:Secret"] = subscribers[i].Subscriber.Secret;
        }
        return settings;
    }

    /// <summary>The webhook client's calls go to the test subscribers, by host name.</summary>
    private static void Route(IServiceCollection services, params Subscriber[] subscribers) =>
        services.AddHttpClient(WebhookDispatcher.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => new SubscriberRouter(subscribers));

    private static CertificationDbContext Database(TempDirectory data) =>
        new(new DbContextOptionsBuilder<CertificationDbContext>().UseSqlite($"Data Source={data.File("certification.db")};Pooling=False").Options);

    private static async Task Eventually(Func<Task<bool>> condition, string what, TimeSpan? within = null)
    {
        var until = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(20));
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < until, $"timed out waiting: {what}");
            await Task.Delay(50);
        }
    }

    private static Task Eventually(Func<bool> condition, string what, TimeSpan? within = null) => Eventually(() => Task.FromResult(condition()), what, within);

    public sealed record Delivery(DateTime At, string IdempotencyKey, string Type, JsonObject Body, bool SignatureValid);

    /// <summary>A one-stop system's webhook: fails the first <c>failFirst</c> calls (503), or never answers (<c>hang</c>); checks the
    /// HMAC signature; de-duplicates on the idempotency key as a subscriber must.</summary>
    public sealed class Subscriber(int failFirst, bool hang = false)
    {
        private int _calls;
        public string Secret { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        public List<Delivery> Received { get; } = [];
        public ConcurrentDictionary<string, Delivery> Unique { get; } = new();

        public async Task<HttpResponseMessage> HandleAsync(HttpRequestMessage request)
        {
            var body = await request.Content!.ReadAsByteArrayAsync();
            var signature = request.Headers.GetValues(WebhookDispatcher.SignatureHeader).Single();
            var timestamp = long.Parse(Regex.Match(signature, "^t=(\\d+),").Groups[1].Value);
            var valid = signature == WebhookDispatcher.Signature(Secret, timestamp, body)
                        && Math.Abs(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - timestamp) < 300;
            var delivery = new Delivery(DateTime.UtcNow, request.Headers.GetValues(WebhookDispatcher.IdempotencyHeader).Single(),
                request.Headers.GetValues(WebhookDispatcher.EventHeader).Single(), JsonNode.Parse(Encoding.UTF8.GetString(body))!.AsObject(), valid);
            lock (Received) Received.Add(delivery);
            if (hang) await new TaskCompletionSource().Task; // the process dies before an answer
            if (Interlocked.Increment(ref _calls) <= failFirst) return new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
            Unique.TryAdd(delivery.IdempotencyKey, delivery);
            return new HttpResponseMessage(HttpStatusCode.OK);
        }
    }

    private sealed class SubscriberRouter(Subscriber[] subscribers) : HttpMessageHandler
    {
        private static readonly string[] Names = ["one-stop", "broken"];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            subscribers[Array.IndexOf(Names, request.RequestUri!.Host.Split('.')[0])].HandleAsync(request);
    }

    /// <summary>Fails the commit of the transaction that carries a <c>copy.certified</c> event, once armed: a certification that rolls back.</summary>
    private sealed class FailingCommit : DbTransactionInterceptor
    {
        public volatile bool Armed;

        public override ValueTask<InterceptionResult> TransactionCommittingAsync(System.Data.Common.DbTransaction transaction, TransactionEventData eventData,
            InterceptionResult result, CancellationToken cancellationToken = default)
        {
            if (Armed && eventData.Context!.ChangeTracker.Entries<OutboxEvent>().Any(e => e.Entity.Type == EventTypes.CopyCertified))
            {
                Armed = false;
                throw new InvalidOperationException("Injected failure: the database refused the commit.");
            }
            return base.TransactionCommittingAsync(transaction, eventData, result, cancellationToken);
        }
    }
}

/// <summary>A citizen signed in through the development OpenID Connect provider, as a browser would: the service's sign-in
/// redirects to the provider's page, whose form (an ID number) is posted back; the code comes back to the service, which
/// exchanges it and sets the citizen's session cookie.</summary>
public sealed class CitizenSession : IDisposable
{
    private CitizenSession(HttpClient client) => Client = client;

    public HttpClient Client { get; }

    public static async Task<CitizenSession> SignInAsync(ServiceHost host, string idNumber)
    {
        var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = true }) { BaseAddress = host.BaseAddress() };
        var page = await client.GetAsync("/citizen/signin?returnUrl=/api/v1/citizen/copies");
        var html = await page.Content.ReadAsStringAsync();
        Assert.True(page.StatusCode == HttpStatusCode.OK && page.RequestMessage!.RequestUri!.AbsolutePath == "/dev-idp/authorize", $"{(int)page.StatusCode} {page.RequestMessage?.RequestUri}: {html}");
        var fields = Regex.Matches(html, "<input[^>]*>").Select(m => m.Value).Where(i => i.Contains("type=\"hidden\""))
            .Select(i => KeyValuePair.Create(WebUtility.HtmlDecode(Regex.Match(i, "name=\"([^\"]*)\"").Groups[1].Value), WebUtility.HtmlDecode(Regex.Match(i, "value=\"([^\"]*)\"").Groups[1].Value)))
            .Append(KeyValuePair.Create("citizen_id", idNumber)).Append(KeyValuePair.Create("citizen_name", "Công dân " + idNumber[^4..]));
        var signedIn = await client.PostAsync(page.RequestMessage!.RequestUri, new FormUrlEncodedContent(fields));
        var body = await signedIn.Content.ReadAsStringAsync();
        Assert.True(signedIn.StatusCode == HttpStatusCode.OK && signedIn.RequestMessage!.RequestUri!.AbsolutePath == "/api/v1/citizen/copies",
            $"{(int)signedIn.StatusCode} {signedIn.RequestMessage?.RequestUri}: {body}");
        return new CitizenSession(client);
    }

    public void Dispose() => Client.Dispose();
}

internal static class ServiceHostAddresses
{
    public static Uri BaseAddress(this ServiceHost host) => new($"http://127.0.0.1:{host.Port}/");
}
