using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using System.Security.Cryptography;
using Certification.Api.Features.Health;
using Certification.Api.Options;
using Certification.Signing.Timestamps;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace Certification.Api.Infrastructure;

/// <summary>The trust services signing depends on, as <c>/health</c>, metrics and problem types name them.</summary>
public static class TrustServiceNames
{
    /// <summary>RFC 3161 time-stamping authorities (the primary and its alternates).</summary>
    public const string Timestamp = "timestamp";
    /// <summary>OCSP responders and CRL distribution points (either answers for a certificate).</summary>
    public const string Revocation = "revocation";
    /// <summary>The CSC remote signing provider (its API and OAuth 2.0 server), listed only when an officer or a
    /// seal is bound to one of its credentials.</summary>
    public const string RemoteSigning = "remote-signing";
}

/// <summary>How a dependency is doing. Ordered: a worse state compares greater.</summary>
public enum DependencyState
{
    /// <summary>Every endpoint answered its last call correctly (or has not been needed yet).</summary>
    Ok,
    /// <summary>Some endpoint fails or its circuit is open, but another one answered: signing goes on through it.</summary>
    Degraded,
    /// <summary>No endpoint of the dependency gives a usable answer: certifications needing it are refused
    /// (503 <c>trust-service-unavailable/{service}</c>, or <c>remote-signing-unavailable</c>) until one does.</summary>
    Unhealthy,
}

/// <summary>
/// What this node knows of each trust-service endpoint, from the calls it made (passive: no probes): the
/// last outcome, its error, and the state of the endpoint's circuit breaker. Feeds <c>/health</c>, the
/// <c>certification.trust_service.*</c> metrics and the Retry-After of refused certifications.
/// </summary>
public sealed class TrustServiceHealth
{
    private static readonly Counter<long> Calls = Telemetry.Meter.CreateCounter<long>("certification.trust_service.calls", "{call}",
        "Calls to trust services by service, endpoint and outcome (ok, failed)");
    private static readonly Counter<long> CircuitsOpened = Telemetry.Meter.CreateCounter<long>("certification.trust_service.circuit_opened", "{event}",
        "Circuit breakers opened, by service and endpoint");

    private readonly ConcurrentDictionary<(string Service, string Endpoint), Endpoint> _endpoints = new();
    private readonly TimeProvider _clock;
    // The dependencies /health and the state gauge list, in order, with each one's circuit break duration.
    private readonly List<(string Service, TimeSpan BreakDuration)> _watched = [];

    /// <summary>Watches the timestamp and revocation services, whose circuits break for <paramref name="breakDuration"/>.</summary>
    public TrustServiceHealth(TimeProvider clock, TimeSpan breakDuration)
    {
        _clock = clock;
        Watch(TrustServiceNames.Timestamp, breakDuration);
        Watch(TrustServiceNames.Revocation, breakDuration);
        Telemetry.Meter.CreateObservableGauge("certification.trust_service.state",
            () => Services.Select(s => new Measurement<int>((int)StateOf(s), new KeyValuePair<string, object?>("service", s))),
            "{state}", "Dependency state per trust service: 0 ok, 1 degraded, 2 unhealthy");
    }

    /// <summary>The dependencies reported in <c>/health</c> and the state gauge.</summary>
    public IReadOnlyList<string> Services
    {
        get
        {
            lock (_watched) return _watched.Select(w => w.Service).ToList();
        }
    }

    /// <summary>Lists <paramref name="service"/> in <c>/health</c> and the state gauge from now on.</summary>
    public void Watch(string service, TimeSpan breakDuration)
    {
        lock (_watched)
            if (!_watched.Exists(w => w.Service == service)) _watched.Add((service, breakDuration));
    }

    /// <summary>Makes an endpoint known before its first call, so <c>/health</c> lists it.</summary>
    public void Register(string service, Uri endpoint) => Get(service, endpoint);

    public void Succeeded(string service, Uri endpoint)
    {
        var e = Get(service, endpoint);
        lock (e)
        {
            e.LastOk = true;
            e.LastSuccessAt = _clock.GetUtcNow();
        }
        Calls.Add(1, Tag("service", service), Tag("endpoint", e.Name), Tag("outcome", "ok"));
    }

    public void Failed(string service, Uri endpoint, string error)
    {
        var e = Get(service, endpoint);
        lock (e)
        {
            e.LastOk = false;
            e.LastFailureAt = _clock.GetUtcNow();
            e.LastError = error;
        }
        Calls.Add(1, Tag("service", service), Tag("endpoint", e.Name), Tag("outcome", "failed"));
    }

    public void CircuitOpened(string service, Uri endpoint, TimeSpan breakDuration)
    {
        var e = Get(service, endpoint);
        lock (e) e.OpenUntil = _clock.GetUtcNow() + breakDuration;
        CircuitsOpened.Add(1, Tag("service", service), Tag("endpoint", e.Name));
    }

    public void CircuitClosed(string service, Uri endpoint)
    {
        var e = Get(service, endpoint);
        lock (e) e.OpenUntil = null;
    }

    /// <summary>Unhealthy when no endpoint of <paramref name="service"/> works, degraded when some does not.</summary>
    public DependencyState StateOf(string service)
    {
        var failing = Snapshot(service).Select(e => e.Failing).ToList();
        return failing.Count == 0 || failing.All(f => !f) ? DependencyState.Ok
            : failing.All(f => f) ? DependencyState.Unhealthy
            : DependencyState.Degraded;
    }

    /// <summary>When to try again after <paramref name="service"/> failed: when its first open circuit lets a
    /// call through again, else the break duration (a failure that did not open a circuit yet).</summary>
    public TimeSpan RetryAfter(string service)
    {
        var now = _clock.GetUtcNow();
        TimeSpan breakDuration;
        lock (_watched) breakDuration = _watched.Find(w => w.Service == service).BreakDuration;
        var reopening = Snapshot(service).Where(e => e.OpenUntil > now).Select(e => e.OpenUntil!.Value - now).DefaultIfEmpty(breakDuration).Min();
        return reopening < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : reopening;
    }

    /// <summary>The <c>dependencies</c> member of <c>/health</c>.</summary>
    public IReadOnlyDictionary<string, object> Report()
    {
        var now = _clock.GetUtcNow();
        return Services.ToDictionary(s => s, s => (object)new
        {
            status = StateOf(s).ToString().ToLowerInvariant(),
            endpoints = Snapshot(s).Select(e => new
            {
                url = e.Name,
                status = e.Failing ? "failing" : "ok",
                circuit = e.OpenUntil > now ? "open" : "closed",
                lastSuccessAt = e.LastSuccessAt,
                lastFailureAt = e.LastFailureAt,
                lastError = e.LastOk == false ? e.LastError : null,
            }).ToList(),
        });
    }

    private List<EndpointView> Snapshot(string service)
    {
        var now = _clock.GetUtcNow();
        return _endpoints.Where(kv => kv.Key.Service == service).OrderBy(kv => kv.Key.Endpoint, StringComparer.Ordinal).Select(kv =>
        {
            var e = kv.Value;
            lock (e) return new EndpointView(e.Name, e.LastOk == false || e.OpenUntil > now, e.LastOk, e.LastError, e.LastSuccessAt, e.LastFailureAt, e.OpenUntil);
        }).ToList();
    }

    private Endpoint Get(string service, Uri endpoint)
    {
        var name = EndpointName(endpoint);
        return _endpoints.GetOrAdd((service, name), _ => new Endpoint(name));
    }

    /// <summary>Scheme, authority and path: one OCSP responder, one CRL, one TSA, one provider's authority (never a query).</summary>
    public static string EndpointName(Uri endpoint) => endpoint.GetLeftPart(UriPartial.Path);

    private static KeyValuePair<string, object?> Tag(string key, object? value) => new(key, value);

    private sealed class Endpoint(string name)
    {
        public string Name { get; } = name;
        public bool? LastOk { get; set; }
        public string? LastError { get; set; }
        public DateTimeOffset? LastSuccessAt { get; set; }
        public DateTimeOffset? LastFailureAt { get; set; }
        public DateTimeOffset? OpenUntil { get; set; }
    }

    private sealed record EndpointView(string Name, bool Failing, bool? LastOk, string? LastError, DateTimeOffset? LastSuccessAt,
        DateTimeOffset? LastFailureAt, DateTimeOffset? OpenUntil);
}

/// <summary>How the calls to one dependency are told apart. The defaults fit the trust services: every call safe
/// to repeat, an endpoint per URL path, outcomes judged by the caller (a TSA token or an OCSP response can arrive
/// and still be wrong).</summary>
public sealed record TrustServiceCalls
{
    public static TrustServiceCalls TrustService { get; } = new();

    /// <summary>Whether a failed attempt of this request may be sent again.</summary>
    public Func<HttpRequestMessage, bool> SafeToRepeat { get; init; } = _ => true;

    /// <summary>The endpoint a request goes to: it has one circuit breaker and one line in <c>/health</c>.</summary>
    public Func<Uri, Uri> EndpointOf { get; init; } = uri => uri;

    /// <summary>Records each call's outcome in <see cref="TrustServiceHealth"/> at the transport: failed when no
    /// answer came or it was a 5xx, 408 or 429; ok for any other answer (a refusal is the service working).</summary>
    public bool RecordOutcomes { get; init; }
}

/// <summary>
/// HttpClients for the trust services and the remote signing provider, made resilient with
/// Microsoft.Extensions.Http.Resilience (Polly):
/// <list type="number">
/// <item>a total timeout over all attempts;</item>
/// <item>bounded retries with exponential backoff and jitter, on connection errors, timeouts, 5xx, 408, 429 and
/// bodies cut short, for the requests <see cref="TrustServiceCalls.SafeToRepeat"/> lets through. Every trust
/// service call is safe to repeat: OCSP and CRL fetches are reads, and a time-stamp request only asks the TSA to
/// sign a hash once more (nothing is consumed, each reply is checked against its own request). 4xx answers and
/// answers that arrive but are wrong (bad nonce, stale, expired certificate) are not retried: asking again gets
/// the same;</item>
/// <item>a circuit breaker per endpoint (<see cref="TrustServiceCalls.EndpointOf"/>; scheme, host, port and path
/// for the trust services), so a dead TSA or responder is not waited on by every certification, and its
/// alternates (a second TSA, the CRL after OCSP) are asked at once;</item>
/// <item>a timeout per attempt;</item>
/// <item>the body read inside the attempt with a size limit, so a truncated body is retried like any other
/// failed attempt and a 50 MB CRL is refused without being held.</item>
/// </list>
/// Polly's own exceptions (open circuit, timeout) leave as <see cref="HttpRequestException"/>, the failure the
/// signing library's clients know.
/// </summary>
public static class TrustServiceHttp
{
    public static HttpClient Create(string service, HttpMessageHandler primary, TrustServiceOptions options, TrustServiceHealth health,
        TrustServiceCalls? calls = null)
    {
        calls ??= TrustServiceCalls.TrustService;
        var pipelines = new ConcurrentDictionary<string, ResiliencePipeline<HttpResponseMessage>>(StringComparer.Ordinal);
        var resilience = new ResilienceHandler(request =>
        {
            var endpoint = calls.EndpointOf(request.RequestUri!);
            return pipelines.GetOrAdd(TrustServiceHealth.EndpointName(endpoint), _ => Pipeline(service, endpoint, options, health, calls));
        })
        {
            InnerHandler = new BufferedBodyHandler(options.MaxResponseBytes) { InnerHandler = primary },
        };
        HttpMessageHandler outer = new PollyFailureHandler { InnerHandler = resilience };
        if (calls.RecordOutcomes) outer = new OutcomeHandler(service, calls.EndpointOf, health) { InnerHandler = outer };
        return new HttpClient(outer) { Timeout = Timeout.InfiniteTimeSpan };
    }

    private static bool IsFailure(HttpStatusCode status) =>
        status is >= HttpStatusCode.InternalServerError or HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;

    private static ResiliencePipeline<HttpResponseMessage> Pipeline(string service, Uri endpoint, TrustServiceOptions options, TrustServiceHealth health,
        TrustServiceCalls calls)
    {
        var transient = new PredicateBuilder<HttpResponseMessage>()
            .HandleResult(r => IsFailure(r.StatusCode))
            .Handle<HttpRequestException>()
            .Handle<TimeoutRejectedException>()
            // A body cut short (HttpIOException) while BufferedBodyHandler reads it; not our size refusal.
            .Handle<IOException>(e => e is not ResponseTooLargeException);
        Func<RetryPredicateArguments<HttpResponseMessage>, ValueTask<bool>> retryable = transient;
        return new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddTimeout(options.TotalTimeout)
            .AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = Math.Max(options.MaxRetries, 1),
                ShouldHandle = args => options.MaxRetries > 0 && args.Context.GetRequestMessage() is { } request && calls.SafeToRepeat(request)
                    ? retryable(args)
                    : PredicateResult.False(),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryDelay,
            })
            .AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
            {
                ShouldHandle = transient,
                FailureRatio = options.FailureRatio,
                MinimumThroughput = options.MinimumThroughput,
                SamplingDuration = options.SamplingDuration,
                BreakDuration = options.BreakDuration,
                OnOpened = args =>
                {
                    health.CircuitOpened(service, endpoint, args.BreakDuration);
                    return default;
                },
                OnClosed = _ =>
                {
                    health.CircuitClosed(service, endpoint);
                    return default;
                },
            })
            .AddTimeout(options.AttemptTimeout)
            .Build();
    }

    /// <summary>Reads the body within the attempt (so the retry sees a cut body) and refuses oversized ones.</summary>
    private sealed class BufferedBodyHandler(long maxBytes) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            var response = await base.SendAsync(request, ct);
            try
            {
                if (response.Content.Headers.ContentLength > maxBytes)
                    throw new ResponseTooLargeException($"{request.RequestUri} announces {response.Content.Headers.ContentLength} bytes, over the limit of {maxBytes}.");
                await using var body = await response.Content.ReadAsStreamAsync(ct);
                var buffer = new MemoryStream();
                var chunk = new byte[81920];
                int read;
                while ((read = await body.ReadAsync(chunk, ct)) > 0)
                {
                    if (buffer.Length + read > maxBytes) throw new ResponseTooLargeException($"{request.RequestUri} sent more than {maxBytes} bytes.");
                    buffer.Write(chunk, 0, read);
                }
                var buffered = new ByteArrayContent(buffer.ToArray());
                foreach (var header in response.Content.Headers) buffered.Headers.TryAddWithoutValidation(header.Key, header.Value);
                response.Content = buffered;
                return response;
            }
            catch
            {
                response.Dispose();
                throw;
            }
        }
    }

    private sealed class ResponseTooLargeException(string message) : IOException(message);

    /// <summary>Outermost, so it sees each call's final outcome (after retries, an open circuit included).
    /// A call the caller cancelled says nothing about the service.</summary>
    private sealed class OutcomeHandler(string service, Func<Uri, Uri> endpointOf, TrustServiceHealth health) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            var endpoint = endpointOf(request.RequestUri!);
            try
            {
                var response = await base.SendAsync(request, ct);
                if (IsFailure(response.StatusCode)) health.Failed(service, endpoint, $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}".TrimEnd());
                else health.Succeeded(service, endpoint);
                return response;
            }
            catch (HttpRequestException e)
            {
                health.Failed(service, endpoint, e.Message);
                throw;
            }
        }
    }

    private sealed class PollyFailureHandler : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            try
            {
                return await base.SendAsync(request, ct);
            }
            catch (BrokenCircuitException e)
            {
                throw new HttpRequestException($"{TrustServiceHealth.EndpointName(request.RequestUri!)} is failing; its circuit is open (not called).", e);
            }
            catch (TimeoutRejectedException e)
            {
                throw new HttpRequestException($"{TrustServiceHealth.EndpointName(request.RequestUri!)} did not answer in time.", e);
            }
            catch (IOException e)
            {
                throw new HttpRequestException(e.Message, e);
            }
        }
    }
}

/// <summary>A TSA whose outcomes (a valid token, or why not) are recorded in <see cref="TrustServiceHealth"/>.</summary>
public sealed class MonitoredTimestampAuthority(HttpTimestampClient client, TrustServiceHealth health) : ITimestampAuthority
{
    public Uri Url => client.Url;

    public async Task<byte[]> GetTimestampTokenAsync(byte[] digest, HashAlgorithmName hash, CancellationToken ct = default)
    {
        try
        {
            var token = await client.GetTimestampTokenAsync(digest, hash, ct);
            health.Succeeded(TrustServiceNames.Timestamp, client.Url);
            return token;
        }
        catch (TimestampException e)
        {
            health.Failed(TrustServiceNames.Timestamp, client.Url, e.Message);
            throw;
        }
    }
}
