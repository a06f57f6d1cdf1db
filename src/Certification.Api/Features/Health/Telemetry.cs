using System.Diagnostics;
using System.Diagnostics.Metrics;
using Certification.Api.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Certification.Api.Features.Health;

/// <summary>The service's own instruments: Meter and ActivitySource "Certification". Counters of
/// certifications, verifications (and their result cache's hits and misses), failures and archive extensions (and their failures), and a histogram of
/// compose+sign latency. Readable in-process (dotnet-counters, a MeterListener) and exported over OTLP when an
/// endpoint is configured.</summary>
public static class Telemetry
{
    public const string Name = "Certification";
    public static readonly ActivitySource Activities = new(Name);
    public static readonly Meter Meter = new(Name);
    public static readonly Counter<long> Certifications = Meter.CreateCounter<long>("certification.certifications", "{copy}", "Certified copies issued");
    public static readonly Counter<long> Verifications = Meter.CreateCounter<long>("certification.verifications", "{file}", "PDFs verified");
    public static readonly Counter<long> VerificationCache = Meter.CreateCounter<long>("certification.verification.cache", "{lookup}",
        "Validation result cache lookups of verifications (result: hit, miss, shared)");
    public static readonly Counter<long> Failures = Meter.CreateCounter<long>("certification.failures", "{error}", "Requests answered with an error problem (by type)");
    public static readonly Counter<long> ArchiveExtensions = Meter.CreateCounter<long>("certification.archive.extensions", "{copy}",
        "Stored copies extended with fresh validation data and a new document timestamp");
    public static readonly Counter<long> ArchiveFailures = Meter.CreateCounter<long>("certification.archive.failures", "{copy}",
        "Archive extensions that failed (the stored copy is left as it was)");
    public static readonly Histogram<double> SigningLatency = Meter.CreateHistogram<double>("certification.signing.duration", "ms", "Compose and sign time of one copy");

    /// <summary>OpenTelemetry metrics and traces, exported over OTLP only when configured
    /// (<c>Certification:Operations:OtlpEndpoint</c> or the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>).</summary>
    public static void AddCertificationTelemetry(this IServiceCollection services, IConfiguration configuration, CertificationOptions options)
    {
        if (options.Operations.StageTimings) services.AddHostedService<StageTimings>();
        var endpoint = options.Operations.OtlpEndpoint ?? configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        if (string.IsNullOrWhiteSpace(endpoint)) return;
        var uri = new Uri(endpoint);
        services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("certification-api"))
            .WithMetrics(m => m.AddMeter(Name).AddAspNetCoreInstrumentation().AddOtlpExporter(o => o.Endpoint = uri))
            .WithTracing(t => t.AddSource(Name, Signing.SigningActivities.Name).AddAspNetCoreInstrumentation().AddOtlpExporter(o => o.Endpoint = uri));
    }
}
