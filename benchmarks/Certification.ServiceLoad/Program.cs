// HTTP load generator for the service (loopback): certifications or verifications with a fixed number of
// concurrent clients, after a warm-up; prints throughput and latency median / p90 / p99.
//   dotnet run -c Release --project benchmarks/Certification.ServiceLoad -- certify --url http://127.0.0.1:5080 \
//       --scan a.jpg --scan b.jpg --concurrency 4 --requests 200
//   dotnet run -c Release --project benchmarks/Certification.ServiceLoad -- verify --url ... --pdf copy.pdf --concurrency 8 --requests 2000
// Several --user options spread the clients over several officers (one book each), client i certifying as user i mod n.
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

var mode = args.FirstOrDefault() ?? "";
string Option(string name, string fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback;
var url = Option("--url", "http://127.0.0.1:5080");
var concurrency = int.Parse(Option("--concurrency", "4"));
var requests = int.Parse(Option("--requests", "200"));
var warmup = int.Parse(Option("--warmup", "10"));
var scans = args.Select((a, i) => (a, i)).Where(x => x.a == "--scan").Select(x => File.ReadAllBytes(args[x.i + 1])).ToList();
if (mode is not ("certify" or "verify")) { Console.Error.WriteLine("usage: certify|verify --url URL [--scan FILE]... [--pdf FILE] [--concurrency N] [--requests N]"); return 2; }

using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency * 2 }) { BaseAddress = new Uri(url), Timeout = TimeSpan.FromMinutes(2) };
Func<int, Task<HttpResponseMessage>> send;
if (mode == "certify")
{
    var users = args.Select((a, i) => (a, i)).Where(x => x.a == "--user").Select(x => args[x.i + 1]).DefaultIfEmpty("officer.commune").ToList();
    var tokens = new List<AuthenticationHeaderValue>();
    foreach (var user in users)
    {
        var login = await http.PostAsJsonAsync("/api/v1/auth/token", new { username = user, password = Option("--password", "Demo@12345") });
        tokens.Add(new AuthenticationHeaderValue("Bearer", (await login.Content.ReadFromJsonAsync<JsonObject>())!["accessToken"]!.GetValue<string>()));
    }
    var counter = 0;
    send = client =>
    {
        var form = new MultipartFormDataContent();
        var n = Interlocked.Increment(ref counter);
        foreach (var (scan, i) in scans.Select((s, i) => (s, i)))
        {
            var part = new ByteArrayContent(scan);
            part.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
            form.Add(part, "files", $"page-{i + 1}.jpg");
        }
        form.Add(new StringContent($"Benchmark document {n}"), "documentTitle");
        form.Add(new StringContent("Nguyễn Văn Mẫu"), "requesterName");
        form.Add(new StringContent("001099000000"), "requesterIdNumber");
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/certifications") { Content = form };
        request.Headers.Authorization = tokens[client % tokens.Count];
        return http.SendAsync(request);
    };
}
else
{
    var pdf = File.ReadAllBytes(Option("--pdf", "copy.pdf"));
    if (Option("--api-key", "") is { Length: > 0 } key) http.DefaultRequestHeaders.Add("X-Api-Key", key);
    send = _ =>
    {
        var part = new ByteArrayContent(pdf);
        part.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
        return http.PostAsync("/api/v1/verifications", new MultipartFormDataContent { { part, "file", "copy.pdf" } });
    };
}

async Task<List<double>> RunAsync(int total)
{
    var latencies = new List<double>(total);
    var next = 0;
    var failures = 0;
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async client =>
    {
        while (Interlocked.Increment(ref next) <= total)
        {
            var start = Stopwatch.GetTimestamp();
            using var response = await send(client);
            await response.Content.ReadAsByteArrayAsync();
            var ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (!response.IsSuccessStatusCode) { Interlocked.Increment(ref failures); Console.Error.WriteLine($"{(int)response.StatusCode}"); }
            lock (latencies) latencies.Add(ms);
        }
    }));
    if (failures > 0) Console.Error.WriteLine($"{failures} failed requests");
    return latencies;
}

await RunAsync(warmup);
var clock = Stopwatch.StartNew();
var measured = await RunAsync(requests);
clock.Stop();
measured.Sort();
double Percentile(double p) => measured[Math.Min(measured.Count - 1, (int)Math.Ceiling(p * measured.Count) - 1)];
Console.WriteLine($"{mode}: {measured.Count} requests, concurrency {concurrency}, {measured.Count / clock.Elapsed.TotalSeconds:0.0} req/s, " +
                  $"median {Percentile(0.5):0.0} ms, p90 {Percentile(0.9):0.0} ms, p99 {Percentile(0.99):0.0} ms");
return 0;
