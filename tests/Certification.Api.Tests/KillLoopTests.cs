using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Certification.TestSupport;
using Certification.Api.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Certification.Api.Tests;

/// <summary>
/// [resilience] point 4: a loop of certifications killed with SIGKILL at random moments, restarted on the same
/// data, and checked by the crash-consistency checker (<c>GET /api/v1/admin/consistency</c>) after every restart:
/// every book entry has its stored copy with a matching hash, no stored copy lacks its entry, no book has a gap,
/// the audit chain verifies, and every certification that was answered 201 is still in the book (nothing lost).
/// The suite runs <see cref="DefaultKills"/> kills per database; <c>benchmarks/kill-loop.sh</c> runs 30 or more
/// (CERTIFICATION_KILLS) and records the figures in docs/reliability.md.
/// </summary>
public sealed class KillLoopTests
{
    private const int DefaultKills = 1;

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("PostgresBlobs")]
    public async Task Killed_at_random_points_and_restarted_the_checker_finds_every_entry_with_its_copy_and_nothing_lost(string provider)
    {
        var kills = int.TryParse(Environment.GetEnvironmentVariable("CERTIFICATION_KILLS"), CultureInfo.InvariantCulture, out var k) ? k : DefaultKills;
        var seed = int.TryParse(Environment.GetEnvironmentVariable("CERTIFICATION_KILL_SEED"), CultureInfo.InvariantCulture, out var s) ? s : Environment.TickCount;
        var random = new Random(seed);
        var (database, settings) = Providers.For(provider);
        using var _ = database;
        var environment = settings.ToDictionary(kv => kv.Key.Replace(":", "__"), kv => kv.Value);
        // One node: whatever no row refers to at restart is a leftover of the crash, swept at start.
        environment["Certification__Blobs__OrphanGracePeriod"] = "00:00:00";
        environment["Certification__Signing__Level"] = "B-T";
        using var data = new TempDirectory("certification-kill-loop");
        var url = $"http://127.0.0.1:{ServiceHost.FreePort()}";
        var acknowledged = new Dictionary<long, string>(); // number → SHA-256 of every copy answered 201
        long entriesChecked = 0, killedInFlight = 0;
        var answeredTotal = 0;
        var stopwatch = Stopwatch.StartNew();

        for (var round = 0; round <= kills; round++)
        {
            var process = NumberingTests.StartService(data.Path, url, environment);
            try
            {
                await NumberingTests.WaitHealthyAsync(url);
                using var admin = await MultiNodeTests.SignInAsync(url, "admin");
                var report = await admin.GetFromJsonAsync<JsonObject>("/api/v1/admin/consistency");
                Assert.True(report!["consistent"]!.GetValue<bool>(), $"after {round} kills (seed {seed}): {report.ToJsonString()}");
                entriesChecked += report["entries"]!.GetValue<int>();
                Assert.Equal(report["entries"]!.GetValue<int>(), report["copiesHashed"]!.GetValue<int>());
                using var officer = await MultiNodeTests.SignInAsync(url, "officer.commune");
                await AssertNothingLostAsync(officer, acknowledged, round, seed);
                if (round == kills) break;

                using var stop = new CancellationTokenSource();
                var inFlight = 0;
                var killing = 0;
                var workers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
                {
                    while (!stop.IsCancellationRequested)
                    {
                        try
                        {
                            Interlocked.Increment(ref inFlight);
                            var response = await ServiceHost.PostCertificationAsync(officer, $"Vòng {round} {w}", [Scans.Page(w)]);
                            if (response.StatusCode == HttpStatusCode.Created)
                            {
                                var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
                                lock (acknowledged) acknowledged.Add(body["certificationNumber"]!.GetValue<long>(), body["sha256"]!.GetValue<string>());
                                Interlocked.Increment(ref answeredTotal);
                            }
                            else Assert.Fail($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                        }
                        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
                        {
                            if (Volatile.Read(ref killing) == 1) return; // killed mid-request
                            throw;
                        }
                        finally
                        {
                            Interlocked.Decrement(ref inFlight);
                        }
                    }
                })).ToList();
                // A random moment: after 0 to 3 certifications of this round were answered (0: during the first
                // compositions), then up to 1.5 s more, so kills land in composition, signing, storing and committing.
                var answered = Volatile.Read(ref answeredTotal);
                var wanted = random.Next(kills == 1 ? 1 : 0, 4);
                var deadline = DateTime.UtcNow.AddSeconds(60);
                while (Volatile.Read(ref answeredTotal) - answered < wanted && DateTime.UtcNow < deadline && workers.All(w => !w.IsFaulted)) await Task.Delay(10);
                await Task.Delay(random.Next(0, 1500));
                killedInFlight += Volatile.Read(ref inFlight);
                Volatile.Write(ref killing, 1);
                process.Kill(entireProcessTree: true); // SIGKILL: no shutdown, no flush
                await process.WaitForExitAsync();
                stop.Cancel();
                await Task.WhenAll(workers);
            }
            finally
            {
                if (!process.HasExited) process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }
        Assert.NotEmpty(acknowledged);
        // The same checker as a command against the stopped node's data (what an operator runs after a crash).
        var (code, output) = RunAdminCheck(data.Path, environment);
        Assert.True(code == 0, output);
        var checkedEntries = int.Parse(System.Text.RegularExpressions.Regex.Match(output, @"consistent: 1 books, (\d+) entries").Groups[1].Value, CultureInfo.InvariantCulture);
        // A certification committed just before a kill may never have been answered: never fewer entries than answers.
        Assert.True(checkedEntries >= acknowledged.Count, output);
        var figures = $"kill-loop {provider}: {kills} kills survived, {killedInFlight} requests in flight at the kills, {acknowledged.Count} certifications acknowledged and all found, "
                      + $"{entriesChecked} entries checked over {kills + 1} checks, 0 lost, {stopwatch.Elapsed.TotalSeconds:0} s (seed {seed})";
        Console.WriteLine(figures);
        if (Environment.GetEnvironmentVariable("CERTIFICATION_KILL_REPORT") is { Length: > 0 } file) await File.AppendAllTextAsync(file, figures + Environment.NewLine);
    }

    /// <summary><c>Certification.Api admin check</c> on <paramref name="dataDirectory"/>: exit code, stdout and stderr.</summary>
    internal static (int ExitCode, string Output) RunAdminCheck(string dataDirectory, IDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet", [NumberingTests.ServiceDll(), "admin", "check", $"--Certification:DataDirectory={dataDirectory}"])
            { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>()) start.Environment[key] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(60_000), "admin check did not finish");
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    /// <summary>Every certification answered 201 is in the book with the same hash.</summary>
    private static async Task AssertNothingLostAsync(HttpClient officer, Dictionary<long, string> acknowledged, int round, int seed)
    {
        if (acknowledged.Count == 0) return;
        var books = await officer.GetFromJsonAsync<JsonArray>("/api/v1/books");
        var entries = new Dictionary<long, string>();
        foreach (var book in books!)
        {
            var report = await officer.GetFromJsonAsync<JsonObject>($"/api/v1/books/{book!["id"]}");
            foreach (var entry in report!["entries"]!.AsArray()) entries[entry!["number"]!.GetValue<long>()] = entry["sha256"]!.GetValue<string>();
        }
        foreach (var (number, sha) in acknowledged)
            Assert.True(entries.TryGetValue(number, out var stored) && stored == sha, $"after {round} kills (seed {seed}): acknowledged number {number} is lost or changed");
    }
}

/// <summary>The checker is no formality: it reports each kind of inconsistency it exists to find.</summary>
public sealed class ConsistencyCheckTests
{
    [Fact]
    public async Task The_checker_reports_a_changed_copy_a_missing_copy_a_stored_copy_without_entry_a_gap_and_a_broken_audit_chain()
    {
        using var host = new ServiceHost(settings: new Dictionary<string, string?> { ["Certification:Blobs:OrphanGracePeriod"] = "00:00:00" });
        var officer = await host.SignInAsync("officer.commune");
        var admin = await host.SignInAsync("admin");
        var first = await ServiceHost.CertifyAsync(officer, "Một");
        var second = await ServiceHost.CertifyAsync(officer, "Hai");
        var clean = await TrustServiceFaultTests.AssertConsistentAsync(admin);
        Assert.Equal(2, clean["entries"]!.GetValue<int>());

        string BlobPath(string sha) => Directory.EnumerateFiles(host.Data.File("blobs"), sha, SearchOption.AllDirectories).Single();
        var changed = BlobPath(first["sha256"]!.GetValue<string>());
        File.SetAttributes(changed, FileAttributes.Normal);
        var bytes = await File.ReadAllBytesAsync(changed);
        bytes[^10] ^= 0xFF;
        await File.WriteAllBytesAsync(changed, bytes);
        File.Delete(BlobPath(second["sha256"]!.GetValue<string>()));
        await host.Services.GetRequiredService<IBlobStore>().PutAsync("không thuộc sổ nào"u8.ToArray());
        using (var scope = host.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CertificationDbContext>();
            var book = await db.Books.SingleAsync();
            book.LastNumber += 1; // number 3 without an entry: a gap
            await db.SaveChangesAsync();
            // Someone with direct access to the database file drops the append-only trigger and edits history.
            await db.Database.ExecuteSqlRawAsync("DROP TRIGGER AuditEntries_NoUpdate");
            await db.Database.ExecuteSqlRawAsync("UPDATE AuditEntries SET Details = {0} WHERE Id = 1", "{\"altered\":true}");
        }

        var report = await admin.GetFromJsonAsync<JsonObject>("/api/v1/admin/consistency");
        Assert.False(report!["consistent"]!.GetValue<bool>());
        var problems = report["problems"]!.AsArray().Select(p => p!.GetValue<string>()).ToList();
        Assert.Contains(problems, p => p.Contains("numbers missing [3]", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("Entry 1 ", StringComparison.Ordinal) && p.Contains("hashes to", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("Entry 2 ", StringComparison.Ordinal) && p.Contains("is missing", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("belongs to no book entry", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Audit chain: entry 1 was altered", StringComparison.Ordinal));
        Assert.Equal(5, problems.Count);
        var (code, output) = KillLoopTests.RunAdminCheck(host.Data.Path);
        Assert.Equal(1, code);
        Assert.Contains("INCONSISTENT (5 problems)", output);
    }
}
