using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Xunit;

namespace Certification.Api.Tests;

/// <summary>Liveness, readiness (database, blob store, office seal keys) per provider, and the "Certification" meter.</summary>
public sealed class OperationsTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Live_and_ready_report_database_blobs_and_keys_and_the_meter_counts(string provider)
    {
        var (database, settings) = Providers.For(provider);
        using var _ = database;
        using var host = new ServiceHost(level: "B-B", settings: settings);
        var anonymous = host.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health/live")).StatusCode);
        var ready = await anonymous.GetAsync("/health/ready");
        var body = await ready.Content.ReadFromJsonAsync<JsonObject>();
        Assert.True(ready.StatusCode == HttpStatusCode.OK, body?.ToJsonString());
        foreach (var check in new[] { "database", "blobs", "signingKeys" })
            Assert.Equal("ok", body!["checks"]![check]!["status"]!.GetValue<string>());

        var measured = new Dictionary<string, double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) => { if (instrument.Meter.Name == "Certification") l.EnableMeasurementEvents(instrument); };
        listener.SetMeasurementEventCallback<long>((i, v, _, _) => { lock (measured) measured[i.Name] = measured.GetValueOrDefault(i.Name) + v; });
        listener.SetMeasurementEventCallback<double>((i, v, _, _) => { lock (measured) measured[i.Name] = measured.GetValueOrDefault(i.Name) + 1; });
        listener.Start();
        var officer = await host.SignInAsync("officer.commune");
        var copy = await ServiceHost.CertifyAsync(officer);
        var pdf = await officer.GetByteArrayAsync($"/api/v1/certifications/{copy["id"]}/document");
        await ServiceHost.VerifyAsync(anonymous, pdf);
        await ServiceHost.PostCertificationAsync(officer, "", [Scans.Page(1)]); // 400 invalid-request: a failure
        listener.Dispose();
        var seen = string.Join(", ", measured.Select(kv => $"{kv.Key}={kv.Value}"));
        Assert.True(measured.GetValueOrDefault("certification.certifications") >= 1, seen);
        Assert.True(measured.GetValueOrDefault("certification.signing.duration") >= 1, seen);
        Assert.True(measured.GetValueOrDefault("certification.verifications") >= 1, seen);
        Assert.True(measured.GetValueOrDefault("certification.failures") >= 1, seen);
    }

    [Fact]
    public async Task Ready_is_503_and_names_the_database_when_PostgreSQL_is_unreachable_after_start()
    {
        var database = TestPostgres.CreateDatabase();
        using var host = new ServiceHost(level: "B-B", settings: database.Settings());
        var client = host.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
        database.Dispose(); // drops the database under the running service
        var ready = await client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        var body = await ready.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal("failed", body!["checks"]!["database"]!["status"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
    }
}
