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
using Polly.Timeout;

namespace Certification.Api.Infrastructure;

/// <summary>The trust services signing depends on, as <c>/health</c>, metrics and problem types name them.</summary>
public static class TrustServiceNames
{
    /// <summary>RFC 3161 time-stamping authorities (the primary and its alternates).</summary>
    public const string Timestamp = "timestamp";
    /// <summary>OCSP responders and CRL distribution points (either answers for a certificate).</summary>
    public const string Revocation = "revocation";
}

/// <summary>How a dependency is doing. Ordered: a worse state compares greater.</summary>
public enum DependencyState
{
    /// <summary>Every endpoint answered its last call correctly (or has not been needed yet).</summary>
    Ok,
    /// <summary>Some endpoint fails or its circuit is open, but another one answered: signing goes on through it.</summary>
    Degraded,
    /// <summary>No endpoint of the dependency gives a usable answer: certifications needing it are refused
    /// (503 <c>trust-service-unavailable/{service}</c>) until one does.</summary>
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
    private readonly TimeSpan _breakDuration;

    public TrustServiceHealth(TimeProvider clock, TimeSpan breakDuration)
    {
        _clock = clock;
        _breakDuration = breakDuration;
        Telemetry.Meter.CreateObservableGauge("certification.trust_service.state",
            () => new[] { TrustServiceNames.Timestamp, TrustServiceNames.Revocation }.Select(s =>
                new Measurement<int>((int)StateOf(s), new KeyValuePair<string, object?>("service", s))),
            "{state}", "Dependency state per trust service: 0 ok, 1 degraded, 2 unhealthy");
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
        var reopening = Snapshot(service).Where(e => e.OpenUntil > now).Select(e => e.OpenUntil!.Value - now).DefaultIfEmpty(_breakDuration).Min();
        return reopening < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : reopening;
    }

    /// <summary>The <c>dependencies</c> member of <c>/health</c>.</summary>
    public IReadOnlyDictionary<string, object> Report()
    {
        var now = _clock.GetUtcNow();
        return new[] { TrustServiceNames.Timestamp, TrustServiceNames.Revocation }.ToDictionary(s => s, s => (object)new
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

    /// <summary>Scheme, authority and path: one OCSP responder, one CRL, one TSA (never a query).</summary>
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

/// <summary>
/// HttpClients for the trust services, made resilient with Microsoft.Extensions.Http.Resilience (Polly):
/// <list type="number">
/// <item>a total timeout over all attempts;</item>
/// <item>bounded retries with exponential backoff and jitter, on connection errors, timeouts, 5xx, 408, 429 and
/// bodies cut short. Every call here is safe to repeat: OCSP and CRL fetches are reads, and a time-stamp
/// request only asks the TSA to sign a hash once more (nothing is consumed, each reply is checked against
/// its own request). 4xx answers and answers that arrive but are wrong (bad nonce, stale, expired
/// certificate) are not retried: asking again gets the same;</item>
/// <item>a circuit breaker per endpoint (scheme, host, port and path), so a dead TSA or responder is not
/// waited on by every certification, and its alternates (a second TSA, the CRL after OCSP) are asked at once;</item>
/// <item>a timeout per attempt;</item>
/// <item>the body read inside the attempt with a size limit, so a truncated body is retried like any other
/// failed attempt and a 50 MB CRL is refused without being held.</item>
/// </list>
/// Polly's own exceptions (open circuit, timeout) leave as <see cref="HttpRequestException"/>, the failure the
/// signing library's clients know.
/// </summary>
public static class TrustServiceHttp
{
    public static HttpClient Create(string service, HttpMessageHandler primary, TrustServiceOptions options, TrustServiceHealth health)
    {
        var pipelines = new ConcurrentDictionary<string, ResiliencePipeline<HttpResponseMessage>>(StringComparer.Ordinal);
        var resilience = new ResilienceHandler(request =>
        {
            var uri = request.RequestUri!;
            return pipelines.GetOrAdd(TrustServiceHealth.EndpointName(uri), _ => Pipeline(service, uri, options, health));
        })
        {
            InnerHandler = new BufferedBodyHandler(options.MaxResponseBytes) { InnerHandler = primary },
        };
        return new HttpClient(new PollyFailureHandler { InnerHandler = resilience }) { Timeout = Timeout.InfiniteTimeSpan };
    }

    private static ResiliencePipeline<HttpResponseMessage> Pipeline(string service, Uri endpoint, TrustServiceOptions options, TrustServiceHealth health)
    {
        var transient = new PredicateBuilder<HttpResponseMessage>()
            .HandleResult(r => r.StatusCode is >= HttpStatusCode.InternalServerError or HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests)
            .Handle<HttpRequestException>()
            .Handle<TimeoutRejectedException>()
            // A body cut short (HttpIOException) while BufferedBodyHandler reads it; not our size refusal.
            .Handle<IOException>(e => e is not ResponseTooLargeException);
        return new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddTimeout(options.TotalTimeout)
            .AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = Math.Max(options.MaxRetries, 1),
                ShouldHandle = options.MaxRetries == 0 ? _ => PredicateResult.False() : transient,
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
