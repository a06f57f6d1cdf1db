using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Certification.TestSupport;
using Xunit;

namespace Certification.Api.Tests;

/// <summary>The book stays exact: gapless, unique numbers under concurrency, and after a crash every number
/// has its stored, valid copy and no partial file exists.</summary>
public sealed class NumberingTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Hundred_parallel_certifications_across_two_offices_give_gapless_unique_numbers_per_book(string provider)
    {
        var (database, settings) = Providers.For(provider);
        using var _ = database;
        using var host = new ServiceHost(level: "B-B", settings: settings);
        var commune = await host.SignInAsync("officer.commune");
        var notary = await host.SignInAsync("officer.notary");
        var page = Scans.Page(1);
        var results = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => ServiceHost.CertifyAsync(i % 2 == 0 ? commune : notary, $"Tài liệu {i}", page)));

        foreach (var group in results.GroupBy(r => r["book"]!.GetValue<string>() + "|" + r["office"]!.GetValue<string>()))
        {
            var numbers = group.Select(r => r["certificationNumber"]!.GetValue<long>()).Order().ToList();
            Assert.Equal(Enumerable.Range(1, 50).Select(n => (long)n), numbers);
        }
        Assert.Equal(100, results.Select(r => r["sha256"]!.GetValue<string>()).Distinct().Count());
        foreach (var client in new[] { commune, notary })
        {
            var books = await client.GetFromJsonAsync<JsonArray>("/api/v1/books");
            var report = await client.GetFromJsonAsync<JsonObject>($"/api/v1/books/{books![0]!["id"]}");
            Assert.Equal(50, report!["book"]!["lastNumber"]!.GetValue<long>());
            Assert.Equal(Enumerable.Range(1, 50).Select(n => (long)n), report["entries"]!.AsArray().Select(e => e!["number"]!.GetValue<long>()));
        }
    }

    /// <remarks>On SQLite; the PostgreSQL crash case is MultiNodeTests (two nodes, one killed with SIGKILL).</remarks>
    [Theory]
    [InlineData("Sqlite")]
    public async Task After_a_kill_9_every_number_has_its_stored_valid_copy_and_no_partial_file_exists(string provider)
    {
        var (database, settings) = Providers.For(provider);
        using var _ = database;
        var environment = settings.ToDictionary(kv => kv.Key.Replace(":", "__"), kv => kv.Value);
        // One node: whatever no row refers to at restart is a leftover of the crash.
        environment["Certification__Blobs__OrphanGracePeriod"] = "00:00:00";
        using var data = new TempDirectory("certification-crash");
        var port = ServiceHost.FreePort();
        var url = $"http://127.0.0.1:{port}";
        var process = StartService(data.Path, url, environment);
        try
        {
            await WaitHealthyAsync(url);
            using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(60) };
            var token = (await (await http.PostAsJsonAsync("/api/v1/auth/token", new { username = "officer.commune", password = "Demo@12345" }))
                .Content.ReadFromJsonAsync<JsonObject>())!["accessToken"]!.GetValue<string>();
            http.DefaultRequestHeaders.Authorization = new("Bearer", token);

            var completed = 0;
            using var stop = new CancellationTokenSource();
            var workers = Enumerable.Range(0, 6).Select(w => Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    try
                    {
                        var response = await ServiceHost.PostCertificationAsync(http, $"Crash {w}", [Scans.Page(w)]);
                        if (response.StatusCode == HttpStatusCode.Created) Interlocked.Increment(ref completed);
                    }
                    catch (Exception)
                    {
                        // The service was killed mid-request.
                        if (process.HasExited) return;
                    }
                }
            })).ToList();
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (Volatile.Read(ref completed) < 12 && DateTime.UtcNow < deadline) await Task.Delay(20);
            process.Kill(entireProcessTree: true); // SIGKILL: no shutdown, no flush, mid-certification
            process.WaitForExit();
            stop.Cancel();
            await Task.WhenAll(workers);
            Assert.True(completed >= 12, $"only {completed} certifications before the kill");
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }

        process = StartService(data.Path, url, environment);
        try
        {
            await WaitHealthyAsync(url);
            using var http = new HttpClient { BaseAddress = new Uri(url) };
            var token = (await (await http.PostAsJsonAsync("/api/v1/auth/token", new { username = "officer.commune", password = "Demo@12345" }))
                .Content.ReadFromJsonAsync<JsonObject>())!["accessToken"]!.GetValue<string>();
            http.DefaultRequestHeaders.Authorization = new("Bearer", token);
            var books = await http.GetFromJsonAsync<JsonArray>("/api/v1/books");
            var report = await http.GetFromJsonAsync<JsonObject>($"/api/v1/books/{books![0]!["id"]}");
            var last = report!["book"]!["lastNumber"]!.GetValue<long>();
            var entries = report["entries"]!.AsArray();
            Assert.Equal(Enumerable.Range(1, (int)last).Select(n => (long)n), entries.Select(e => e!["number"]!.GetValue<long>()));
            foreach (var entry in entries)
            {
                var pdf = await http.GetByteArrayAsync($"/api/v1/certifications/{entry!["certificationId"]}/document");
                Assert.Equal(entry["sha256"]!.GetValue<string>(), Convert.ToHexStringLower(SHA256.HashData(pdf)));
                var verdict = await ServiceHost.VerifyAsync(http, pdf);
                Assert.Equal("TOTAL_PASSED", verdict["indication"]!.GetValue<string>());
                Assert.Equal(entry["number"]!.GetValue<long>(), verdict["registry"]!["certificationNumber"]!.GetValue<long>());
            }
            // No partial or orphaned file: every blob is named by its content and belongs to a book entry.
            var blobs = Directory.EnumerateFiles(Path.Combine(data.Path, "blobs"), "*", SearchOption.AllDirectories).ToList();
            Assert.Empty(Directory.EnumerateFiles(Path.Combine(data.Path, "blobs", "tmp")));
            var names = entries.Select(e => e!["sha256"]!.GetValue<string>()).ToHashSet();
            Assert.All(blobs, b => Assert.Equal(Path.GetFileName(b), Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(b)))));
            Assert.Equal(names.Count, blobs.Count);
            Assert.All(blobs, b => Assert.Contains(Path.GetFileName(b), names));
            // The book continues after the crash with the next number.
            var next = await ServiceHost.CertifyAsync(http, "after restart");
            Assert.Equal(last + 1, next["certificationNumber"]!.GetValue<long>());
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
    }

    /// <summary>The service binary as built next to the tests' configuration (Debug or Release).</summary>
    internal static string ServiceDll()
    {
        var configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        var path = Path.Combine(RepositoryRoot.Find()!, "src", "Certification.Api", "bin", configuration, "net10.0", "Certification.Api.dll");
        Assert.True(File.Exists(path), $"{path} is missing: build the solution first");
        return path;
    }

    internal static Process StartService(string dataDirectory, string url, IDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet", [ServiceDll()])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = dataDirectory,
        };
        start.Environment["ASPNETCORE_URLS"] = url;
        start.Environment["Certification__DataDirectory"] = dataDirectory;
        start.Environment["Certification__Signing__Level"] = "B-T";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["Certification__DemoSetup__KeyAlgorithm"] = "EcdsaP256";
        start.Environment["Certification__DemoSetup__RootKeyAlgorithm"] = "EcdsaP256";
        start.Environment["Certification__Limits__SignInsPerMinute"] = "10000";
        start.Environment["Certification__Limits__VerificationsPerMinute"] = "10000";
        foreach (var (k, v) in environment ?? new Dictionary<string, string?>()) start.Environment[k] = v;
        var process = Process.Start(start)!;
        // The node's output goes to a log next to the test's temporary files (named in failure messages).
        var log = TextWriter.Synchronized(new StreamWriter(NodeLog(url), append: true) { AutoFlush = true });
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) log.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    internal static string NodeLog(string url) => Path.Combine(Path.GetTempPath(), $"certification-node-{new Uri(url).Port}.log");

    internal static async Task WaitHealthyAsync(string url)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if ((await http.GetAsync(url + "/health")).StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(100);
        }
        throw new TimeoutException($"{url}/health never answered 200");
    }
}
