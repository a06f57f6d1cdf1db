using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Certification.Api.Domain;
using Certification.Api.Features.Archive;
using Certification.Api.Infrastructure;
using Certification.Signing.Pki;
using Certification.Signing.Timestamps;
using Certification.Signing.Validation;
using Certification.Signing.Validation.Report;
using Certification.TestSupport;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using Xunit.Abstractions;

namespace Certification.Api.Tests;

/// <summary>
/// The long-term archive job (issue #7, item 4): a stored copy whose timestamp authority's certificate is about
/// to expire is extended (fresh validation data and a new document timestamp from the renewed authority) and
/// still validates after that expiry; the citizen's earlier download stays a known copy. The clock is simulated.
/// </summary>
public sealed class ArchiveTests(ITestOutputHelper output)
{
    private static readonly TimeSpan TsaLifetime = TimeSpan.FromDays(30);

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task A_copy_whose_timestamp_authority_expires_is_extended_once_and_validates_after_the_expiry(string provider)
    {
        var (database, settings) = Providers.For(provider);
        using var _ = database;
        var start = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        var clock = new FixedTimeProvider(start);
        var timestamps = new RenewableTimestampAuthority();
        settings["Certification:Archive:Enabled"] = "false"; // the test runs the passes
        settings["Certification:Archive:RenewBefore"] = "10.00:00:00";
        using var host = new ServiceHost(level: "B-LTA", settings: settings, services: s =>
        {
            s.AddSingleton<TimeProvider>(clock);
            s.AddSingleton<ITimestampAuthority>(timestamps);
        });
        var officer = await host.SignInAsync("officer.commune");
        var anonymous = host.CreateClient();
        var trust = host.Services.GetRequiredService<TrustServices>();
        var shortLived = IssueShortLivedTsa(trust.Pki!, start + TsaLifetime);
        timestamps.Current = new DevelopmentTimestampAuthority(shortLived, clock);

        var issued = await ServiceHost.CertifyAsync(officer);
        var id = Guid.Parse(issued["id"]!.GetValue<string>());
        var accessCode = issued["accessCode"]!.GetValue<string>();
        var original = await anonymous.GetByteArrayAsync($"/api/v1/copies/{accessCode}");
        Assert.Equal(start + TsaLifetime, (await CopyAsync(host, id)).ProtectedUntil);

        var measured = new Dictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) => { if (instrument.Name.StartsWith("certification.archive.", StringComparison.Ordinal)) l.EnableMeasurementEvents(instrument); };
        listener.SetMeasurementEventCallback<long>((i, v, _, _) => { lock (measured) measured[i.Name] = measured.GetValueOrDefault(i.Name) + v; });
        listener.Start();

        // Protected for 30 days, renewed 10 days before: not due yet.
        Assert.Equal(new ArchivePass(0, 0), await PassAsync(host));

        // 25 days on it is due, but the authority still signs with the expiring certificate: an extension would
        // protect the copy no longer, so nothing is stored and the pass reports the failure.
        clock.Advance(TimeSpan.FromDays(25));
        Assert.Equal(new ArchivePass(0, 1), await PassAsync(host));
        Assert.Equal(issued["sha256"]!.GetValue<string>(), (await CopyAsync(host, id)).Sha256);

        // The authority renews its certificate (the demo PKI's ten-year one): the copy is extended, once.
        timestamps.Current = new DevelopmentTimestampAuthority(trust.Pki!.TimestampAuthority, clock);
        var watch = Stopwatch.StartNew();
        Assert.Equal(new ArchivePass(1, 0), await PassAsync(host));
        output.WriteLine($"{provider}: one extension (read, DSS with OCSP, document timestamp, validation, store, commit) took {watch.ElapsedMilliseconds} ms");
        Assert.Equal(new ArchivePass(0, 0), await PassAsync(host));
        listener.Dispose();
        Assert.True(measured.GetValueOrDefault("certification.archive.extensions") >= 1 && measured.GetValueOrDefault("certification.archive.failures") >= 1,
            string.Join(", ", measured.Select(kv => $"{kv.Key}={kv.Value}")));

        var copy = await CopyAsync(host, id);
        var extended = await anonymous.GetByteArrayAsync($"/api/v1/copies/{accessCode}");
        Assert.Equal(copy.Sha256, Convert.ToHexStringLower(SHA256.HashData(extended)));
        Assert.True(extended.AsSpan(0, original.Length).SequenceEqual(original), "the extension appends to the issued copy");
        output.WriteLine($"{provider}: the extension appended {extended.Length - original.Length} bytes to {original.Length}");
        Assert.Equal(new DateTimeOffset(trust.Pki.TimestampAuthority.Certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero), copy.ProtectedUntil);
        using (var scope = host.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CertificationDbContext>();
            var extension = await db.ArchiveExtensions.SingleAsync(e => e.CertifiedCopyId == id);
            Assert.Equal((1, issued["sha256"]!.GetValue<string>(), copy.Sha256, (DateTimeOffset?)(start + TsaLifetime), copy.ProtectedUntil),
                (extension.Sequence, extension.PreviousSha256, (string?)extension.Sha256, extension.ProtectedUntilBefore, (DateTimeOffset?)extension.ProtectedUntilAfter));
            var audit = await db.AuditEntries.SingleAsync(e => e.Action == "certification.archive-extended");
            Assert.Equal(($"certification:{id}", "system"), (audit.Subject, audit.Actor));
            Assert.Contains(copy.Sha256!, audit.Details);
        }

        // 40 days after issuance the first authority's certificate has expired.
        clock.Set(start.AddDays(40));
        var options = trust.ValidationOptions(clock.GetUtcNow());
        var report = PdfSignatureValidator.Validate(extended, options);
        Assert.True(report.Indication == Indication.TotalPassed, report.ToPlainText());
        Assert.NotEqual(Indication.TotalPassed, PdfSignatureValidator.Validate(original, options).Indication);
        var verdict = await ServiceHost.VerifyAsync(anonymous, extended);
        Assert.Equal("TOTAL_PASSED", verdict["indication"]!.GetValue<string>());

        // A day after the extension the next pass deletes the previous version: a prefix of the current one.
        var blobs = host.Services.GetRequiredService<IBlobStore>();
        Assert.True(blobs.Exists(issued["sha256"]!.GetValue<string>()));
        Assert.Equal(new ArchivePass(0, 0), await PassAsync(host));
        Assert.False(blobs.Exists(issued["sha256"]!.GetValue<string>()));
        Assert.True(blobs.Exists(copy.Sha256!));
        using (var scope = host.Services.CreateScope())
            Assert.Equal(clock.GetUtcNow(), (await scope.ServiceProvider.GetRequiredService<CertificationDbContext>().ArchiveExtensions.SingleAsync(e => e.CertifiedCopyId == id)).PreviousRemovedAt);

        // The citizen's earlier download is still the same genuine copy.
        var registry = (await ServiceHost.VerifyAsync(anonymous, original))["registry"]!;
        Assert.True(registry["found"]!.GetValue<bool>());
        Assert.Equal(("sha256", true, "valid", issued["certificationNumber"]!.GetValue<long>()),
            (registry["matchedBy"]!.GetValue<string>(), registry["hashMatches"]!.GetValue<bool>(), registry["status"]!.GetValue<string>(),
                registry["certificationNumber"]!.GetValue<long>()));
    }

    [Fact]
    public async Task The_extend_due_command_prints_its_summary_and_exits_by_outcome()
    {
        var (host, id, _) = await HostWithDueCopyAsync(new Dictionary<string, string?>());
        using var _ = host;
        Assert.Equal((2, ""), RunService(host, "archive"));
        // Due within the default year: extended with the demo PKI's ten-year authority.
        Assert.Equal((0, "1 extended, 0 failed"), RunService(host, "archive", "extend-due"));
        var extended = (await CopyAsync(host, id)).Sha256;
        // Due within 20 years, but that same authority cannot protect it longer: exit 1, the copy unchanged.
        Assert.Equal((1, "0 extended, 1 failed"), RunService(host, "archive", "extend-due", "--Certification:Archive:RenewBefore=7300.00:00:00"));
        Assert.Equal(extended, (await CopyAsync(host, id)).Sha256);
    }

    [Fact]
    public async Task Two_nodes_extending_the_same_copy_record_one_extension()
    {
        var (database, settings) = Providers.For("Postgres");
        using var _ = database;
        var (host, id, timestamps) = await HostWithDueCopyAsync(settings);
        using var __ = host;
        timestamps.Current = new DevelopmentTimestampAuthority(host.Services.GetRequiredService<TrustServices>().Pki!.TimestampAuthority);

        // Two passes at once, each with its own connection, as two nodes on one database: one claims the copy,
        // the other skips it (and its compare-and-set on the version would refuse it anyway).
        var passes = await Task.WhenAll(PassAsync(host), PassAsync(host));
        Assert.Equal((1, 0), (passes.Sum(p => p.Extended), passes.Sum(p => p.Failed)));
        using var scope = host.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<CertificationDbContext>();
        var extension = await db.ArchiveExtensions.SingleAsync(e => e.CertifiedCopyId == id);
        Assert.Equal(extension.Sha256, (await CopyAsync(host, id)).Sha256);
        Assert.Equal(1, await db.AuditEntries.CountAsync(e => e.Action == "certification.archive-extended"));
    }

    /// <summary>A service (system clock, job off) holding one copy timestamped by an authority whose certificate
    /// ends in 30 days: due within the default year.</summary>
    private static async Task<(ServiceHost Host, Guid Copy, RenewableTimestampAuthority Timestamps)> HostWithDueCopyAsync(Dictionary<string, string?> settings)
    {
        var timestamps = new RenewableTimestampAuthority();
        settings["Certification:Archive:Enabled"] = "false";
        var host = new ServiceHost(level: "B-LT", settings: settings, services: s => s.AddSingleton<ITimestampAuthority>(timestamps));
        var officer = await host.SignInAsync("officer.commune");
        var pki = host.Services.GetRequiredService<TrustServices>().Pki!;
        timestamps.Current = new DevelopmentTimestampAuthority(IssueShortLivedTsa(pki, DateTimeOffset.UtcNow + TsaLifetime));
        var id = Guid.Parse((await ServiceHost.CertifyAsync(officer))["id"]!.GetValue<string>());
        return (host, id, timestamps);
    }

    private static IssuedCredential IssueShortLivedTsa(DevelopmentPki pki, DateTimeOffset notAfter) =>
        pki.IssueLeaf(pki.GovernmentCa, new LeafRequest("tsa-short", "DEVELOPMENT Short-lived Time-Stamping Authority")
        {
            Organization = "DEVELOPMENT Certification",
            KeyAlgorithm = KeyAlgorithm.EcdsaP256,
            KeyUsage = X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation,
            ExtendedKeyUsages = ["1.3.6.1.5.5.7.3.8"], // id-kp-timeStamping, critical (RFC 3161 § 2.3)
            ExtendedKeyUsageCritical = true,
            NotAfter = notAfter,
        });

    private static async Task<ArchivePass> PassAsync(ServiceHost host)
    {
        using var scope = host.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<ArchiveExtender>().ExtendDueAsync(CancellationToken.None);
    }

    private static async Task<CertifiedCopy> CopyAsync(ServiceHost host, Guid id)
    {
        using var scope = host.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<CertificationDbContext>().CertifiedCopies.AsNoTracking().SingleAsync(c => c.Id == id);
    }

    /// <summary>The service binary as an operator runs it; returns the exit code and the last line of stdout.</summary>
    private (int ExitCode, string Output) RunService(ServiceHost host, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet", [NumberingTests.ServiceDll(), .. args, $"--Certification:DataDirectory={host.Data.Path}",
            "--Certification:DemoSetup:PrintBanner=false"])
        { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(120_000), "the command did not finish");
        output.WriteLine($"$ {string.Join(' ', args)} -> {process.ExitCode}\n{stdout.Result}{stderr.Result}");
        var last = stdout.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "";
        return (process.ExitCode, last);
    }

    /// <summary>The service's timestamp authority, whose certificate the test renews (as a TSA operator does).</summary>
    private sealed class RenewableTimestampAuthority : ITimestampAuthority
    {
        public ITimestampAuthority? Current { get; set; }

        public Task<byte[]> GetTimestampTokenAsync(byte[] digest, HashAlgorithmName hash, CancellationToken ct = default) =>
            (Current ?? throw new TimestampException("no timestamp authority yet")).GetTimestampTokenAsync(digest, hash, ct);
    }
}
