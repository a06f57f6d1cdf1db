using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Certification.TestSupport;
using Npgsql;
using Xunit;

namespace Certification.Api.Tests;

/// <summary>[scale] acceptance: two service processes share one PostgreSQL (registry and blobs) and certify 200
/// documents in parallel into the same book; one is killed with SIGKILL mid-way. Afterwards the book is gapless
/// and unique, every number has exactly one stored copy whose hash matches, and copies validate.</summary>
public sealed class MultiNodeTests
{
    private const int Documents = 200;

    [Fact]
    public async Task Two_nodes_on_one_PostgreSQL_certify_200_documents_into_one_book_and_survive_a_kill_9()
    {
        using var database = TestPostgres.CreateDatabase();
        using var data = new TempDirectory("certification-nodes");
        var environment = database.Settings(blobs: true).ToDictionary(kv => kv.Key.Replace(":", "__"), kv => kv.Value);
        environment["Certification__Signing__Level"] = "B-B"; // small and fast: the book, not the signature, is under test
        environment["Logging__LogLevel__Certification.Api.Features.Certifications"] = "Information";
        var urlA = $"http://127.0.0.1:{ServiceHost.FreePort()}";
        var urlB = $"http://127.0.0.1:{ServiceHost.FreePort()}";
        // Both nodes share the data directory for the demo PKI and the generated keys only; the book and the
        // copies live in PostgreSQL. Node A migrates and seeds first; B starts against the ready database.
        var nodeA = NumberingTests.StartService(data.Path, urlA, environment);
        Process? nodeB = null;
        try
        {
            await NumberingTests.WaitHealthyAsync(urlA);
            nodeB = NumberingTests.StartService(data.Path, urlB, environment);
            await NumberingTests.WaitHealthyAsync(urlB);
            using var httpA = await SignInAsync(urlA);
            using var httpB = await SignInAsync(urlB);

            var stopwatch = Stopwatch.StartNew();
            var started = 0;
            var created = new System.Collections.Concurrent.ConcurrentBag<JsonObject>();
            var killed = 0;
            var killAfter = Documents / 3;
            var bFailures = 0;
            async Task Worker(HttpClient http, bool onB, int w)
            {
                while (Interlocked.Increment(ref started) <= Documents * 2 && created.Count < Documents)
                {
                    if (onB && Volatile.Read(ref killed) == 1) return;
                    try
                    {
                        var response = await ServiceHost.PostCertificationAsync(http, $"Nút {(onB ? "B" : "A")} {w}", [Scans.Page(w)]);
                        if (response.StatusCode == HttpStatusCode.Created)
                        {
                            created.Add((await response.Content.ReadFromJsonAsync<JsonObject>())!);
                            if (created.Count >= killAfter && Interlocked.Exchange(ref killed, 1) == 0)
                            {
                                nodeB!.Kill(entireProcessTree: true); // SIGKILL, mid-certification on B's other workers
                            }
                        }
                        else Assert.True(onB && Volatile.Read(ref killed) == 1, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
                    {
                        Interlocked.Increment(ref bFailures);
                        Assert.True(onB, $"node A failed: {e}");
                        return;
                    }
                }
            }
            await Task.WhenAll(Enumerable.Range(0, 6).Select(w => Task.Run(() => Worker(httpA, false, w)))
                .Concat(Enumerable.Range(0, 6).Select(w => Task.Run(() => Worker(httpB, true, 100 + w)))));
            // Top up on A if B's killed requests left us short of the target.
            while (created.Count < Documents) created.Add(await ServiceHost.CertifyAsync(httpA, "Nút A bù", Scans.Page(created.Count)));
            stopwatch.Stop();
            Assert.Equal(1, killed);
            nodeB!.WaitForExit();

            // Restart B (a crashed node comes back); with no certification in flight, its start sweeps the
            // blob the killed node stored for an uncommitted number.
            environment["Certification__Blobs__OrphanGracePeriod"] = "00:00:00";
            nodeB = NumberingTests.StartService(data.Path, urlB, environment);
            await NumberingTests.WaitHealthyAsync(urlB);
            using var httpB2 = await SignInAsync(urlB);

            var books = await httpB2.GetFromJsonAsync<JsonArray>("/api/v1/books");
            Assert.Single(books!);
            var report = await httpB2.GetFromJsonAsync<JsonObject>($"/api/v1/books/{books![0]!["id"]}");
            var last = report!["book"]!["lastNumber"]!.GetValue<long>();
            var entries = report["entries"]!.AsArray();
            Assert.True(last >= Documents, $"last number {last}");
            Assert.Equal(Enumerable.Range(1, (int)last).Select(n => (long)n), entries.Select(e => e!["number"]!.GetValue<long>()));
            Assert.Equal(created.Count, created.Select(c => c["certificationNumber"]!.GetValue<long>()).Distinct().Count());
            Assert.All(created, c => Assert.Contains(entries, e => e!["number"]!.GetValue<long>() == c["certificationNumber"]!.GetValue<long>()));

            // Every copy stored once: one blob row per book entry, named by its content, nothing else.
            var hashes = entries.Select(e => e!["sha256"]!.GetValue<string>()).ToList();
            Assert.Equal(hashes.Count, hashes.Distinct().Count());
            await using (var connection = new NpgsqlConnection(database.ConnectionString))
            {
                await connection.OpenAsync();
                await using var command = new NpgsqlCommand("SELECT sha256, content FROM certification_blobs", connection);
                await using var reader = await command.ExecuteReaderAsync();
                var stored = new List<string>();
                while (await reader.ReadAsync())
                {
                    var sha = reader.GetString(0).Trim();
                    Assert.Equal(sha, Convert.ToHexStringLower(SHA256.HashData((byte[])reader[1])));
                    stored.Add(sha);
                }
                Assert.Equal(hashes.Order(), stored.Order());
            }

            // Downloads from either node match the registry's hash; a sample validates (our validator + registry match).
            for (var i = 0; i < entries.Count; i++)
            {
                var entry = entries[i]!;
                var http = i % 2 == 0 ? httpA : httpB2;
                var pdf = await http.GetByteArrayAsync($"/api/v1/certifications/{entry["certificationId"]}/document");
                Assert.Equal(entry["sha256"]!.GetValue<string>(), Convert.ToHexStringLower(SHA256.HashData(pdf)));
                if (i % 40 == 0 || i == entries.Count - 1)
                {
                    var verdict = await ServiceHost.VerifyAsync(http, pdf);
                    Assert.Equal("TOTAL_PASSED", verdict["indication"]!.GetValue<string>());
                    Assert.Equal(entry["number"]!.GetValue<long>(), verdict["registry"]!["certificationNumber"]!.GetValue<long>());
                }
            }
            // The audit chain, appended by both nodes, is intact.
            var admin = await SignInAsync(urlB, "admin");
            var audit = await admin.GetFromJsonAsync<JsonObject>("/api/v1/audit/verification");
            Assert.True(audit!["valid"]!.GetValue<bool>(), audit.ToJsonString());
            Console.WriteLine($"multi-node: {created.Count} certified in {stopwatch.Elapsed.TotalSeconds:0.0} s; last number {last}; node B killed after {killAfter}");
        }
        finally
        {
            foreach (var node in new[] { nodeA, nodeB })
            {
                if (node is null) continue;
                if (!node.HasExited) node.Kill(entireProcessTree: true);
                node.WaitForExit();
            }
        }
    }

    internal static async Task<HttpClient> SignInAsync(string url, string user = "officer.commune")
    {
        var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(60) };
        var response = await http.PostAsJsonAsync("/api/v1/auth/token", new { username = user, password = "Demo@12345" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var token = (await response.Content.ReadFromJsonAsync<JsonObject>())!["accessToken"]!.GetValue<string>();
        http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return http;
    }
}
