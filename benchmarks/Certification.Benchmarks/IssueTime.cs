using System.Diagnostics;
using Certification.Signing;
using Certification.Signing.Documents;
using Certification.Signing.Pades;
using Certification.Signing.Revocation;
using Certification.TestSupport;

namespace Certification.Benchmarks;

/// <summary>
/// The library's in-process issue time for given scans: compose, certifier signature and office seal at B-LT
/// (each with its DSS revision) into a file, as the service does per certification. The yardstick that
/// <c>benchmarks/service-bench.sh</c> prints next to the service's own median.
///   issue-time --scan a.jpg --scan b.jpg [--runs 30]
/// </summary>
public static class IssueTime
{
    public static async Task<int> RunAsync(string[] args)
    {
        var scanPaths = args.Select((a, i) => (a, i)).Where(x => x.a == "--scan").Select(x => args[x.i + 1]).ToList();
        var runs = args.SkipWhile(a => a != "--runs").Skip(1).Select(int.Parse).FirstOrDefault(30);
        if (scanPaths.Count == 0)
        {
            Console.Error.WriteLine("usage: issue-time --scan FILE [--scan FILE]... [--runs N]");
            return 2;
        }
        var scans = scanPaths.Select(p => new ScanFile(Path.GetFileName(p), File.ReadAllBytes(p))).ToList();
        await TestPki.Shared.StartServerAsync();
        var issuer = new CertifiedCopyIssuer(new PadesSigner(TestPki.Shared.Tsa, new RevocationFetcher()));
        using var certifier = TestPki.Shared.Pki.Officer.ToSigningKey();
        using var office = TestPki.Shared.Pki.OfficeSeal.ToSigningKey();
        var directory = Directory.CreateTempSubdirectory("bench-issue").FullName;
        var times = new List<double>();
        long length = 0;
        using var stages = new StageDurations(SigningActivities.Name);
        for (var run = -5; run < runs; run++)
        {
            if (run == 0) stages.Clear();
            var path = Path.Combine(directory, $"copy-{run + 5}.pdf");
            var started = Stopwatch.GetTimestamp();
            await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite))
                length = (await issuer.IssueToFileAsync(scans, Samples.Details, certifier, office, file, PadesLevel.BaselineLT)).Length;
            if (run >= 0) times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            File.Delete(path);
        }
        times.Sort();
        Console.WriteLine($"library issue (compose + 2 signatures, B-LT, {scans.Count} scans, {scans.Sum(s => s.Content.Length) / 1048576.0:F1} MiB -> " +
                          $"{length / 1048576.0:F1} MiB): {runs} runs, median {times[times.Count / 2]:F1} ms, min {times[0]:F1} ms");
        Console.Write(stages.Summary());
        Directory.Delete(directory, recursive: true);
        return 0;
    }
}
