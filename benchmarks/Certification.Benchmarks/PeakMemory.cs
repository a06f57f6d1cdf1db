using System.Diagnostics;
using System.Runtime;
using Certification.Signing.Documents;
using Certification.Signing.Pades;
using Certification.Signing.Revocation;
using Certification.TestSupport;

namespace Certification.Benchmarks;

/// <summary>
/// Peak resident memory of one large run, above the process baseline. Linux's VmHWM (peak RSS) is reset
/// through /proc/self/clear_refs after warm-up, so the figure covers exactly the measured run, reading
/// its input from disk included.
/// <list type="bullet">
/// <item><c>sign</c> (issue 2 target ≤ 1.5×): sign a 30 MB PDF at B-T and write it out.</item>
/// <item><c>issue</c> (issue 4 target ≤ 2×): read a 20-page, 30 MB scan set, compose the certified copy
/// and sign it twice at B-LT (certifier, then office seal, each with DSS), and write it out.</item>
/// </list>
/// </summary>
public static class PeakMemory
{
    public static async Task<int> RunAsync(string[] args)
    {
        var mode = args.FirstOrDefault() ?? "sign";
        var directory = Directory.CreateTempSubdirectory("bench-memory").FullName;
        return mode switch
        {
            "sign" => await SignAsync(directory),
            "issue" => await IssueAsync(directory),
            _ => Usage(),
        };
    }

    private static int Usage()
    {
        Console.Error.WriteLine("usage: peak-memory [sign|issue]");
        return 2;
    }

    private static async Task<int> SignAsync(string directory)
    {
        var input = SamplePdfs.ThirtyMegabytes(directory);
        var output = Path.Combine(directory, "signed.pdf");
        using var key = TestPki.Shared.Pki.Officer.ToSigningKey();
        var signer = new PadesSigner(TestPki.Shared.Tsa);
        var request = new SignatureRequest { Level = PadesLevel.BaselineT };

        // Warm up JIT, PKI and TSA on a small file so the measured run only pays for the big one.
        var small = await File.ReadAllBytesAsync(SamplePdfs.PdfSharpText(directory));
        await signer.SignAsync(small, key, request, Stream.Null);

        var measure = Measure.Start();
        var pdf = await File.ReadAllBytesAsync(input);
        await using (var stream = File.Create(output)) await signer.SignAsync(pdf, key, request, stream);
        measure.Report("sign B-T", new FileInfo(input).Length);
        return 0;
    }

    private static async Task<int> IssueAsync(string directory)
    {
        // Twenty distinct 300 dpi A4 JPEG pages of about 1.5 MB each (noise makes them compress like real scans).
        var jpeg = await File.ReadAllBytesAsync(SamplePdfs.CachedJpeg(2480, 3508, quality: 87, seed: 3, noisy: true, dpi: 300));
        var paths = new List<string>();
        for (var i = 1; i <= 20; i++)
        {
            var path = Path.Combine(directory, $"page-{i:D2}.jpg");
            await File.WriteAllBytesAsync(path, SamplePdfs.WithJpegComment(jpeg, $"page {i}"));
            paths.Add(path);
        }
        await TestPki.Shared.StartServerAsync();
        var issuer = new CertifiedCopyIssuer(new PadesSigner(TestPki.Shared.Tsa, new RevocationFetcher()));
        using var certifier = TestPki.Shared.Pki.Officer.ToSigningKey();
        using var office = TestPki.Shared.Pki.OfficeSeal.ToSigningKey();
        var details = Samples.Details;
        var output = Path.Combine(directory, "certified.pdf");

        // Warm up on the small 200 dpi sample pages through the same path, so that little freed memory stays
        // resident in the baseline (it would hide part of the measured run's use).
        await using (var warm = new FileStream(Path.Combine(directory, "warm-up.pdf"), FileMode.CreateNew, FileAccess.ReadWrite))
            await issuer.IssueToFileAsync(Samples.Load("scans/sample-page-1.jpg", "scans/sample-page-2.jpg"), details, certifier, office, warm);

        var measure = Measure.Start();
        var scans = new List<ScanFile>();
        foreach (var path in paths) scans.Add(new ScanFile(Path.GetFileName(path), await File.ReadAllBytesAsync(path)));
        IssuedFile issued;
        await using (var file = new FileStream(output, FileMode.CreateNew, FileAccess.ReadWrite))
            issued = await issuer.IssueToFileAsync(scans, details, certifier, office, file);
        measure.Report("compose + sign twice at B-LT into a file", paths.Sum(p => new FileInfo(p).Length));
        Console.WriteLine($"output {issued.Length / 1048576.0:F1} MiB, {issued.PageCount} pages");
        return 0;
    }

    private sealed class Measure
    {
        private readonly long _baseline;
        private readonly Stopwatch _stopwatch;

        private Measure(long baseline)
        {
            _baseline = baseline;
            _stopwatch = Stopwatch.StartNew();
        }

        public static Measure Start()
        {
            GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            var baseline = ReadStatus("VmRSS");
            File.WriteAllText("/proc/self/clear_refs", "5");
            return new Measure(baseline);
        }

        public void Report(string what, long inputSize)
        {
            _stopwatch.Stop();
            var peak = ReadStatus("VmHWM");
            var above = peak - _baseline;
            Console.WriteLine($"input {inputSize / 1048576.0:F1} MiB; {what} {_stopwatch.ElapsedMilliseconds} ms; baseline RSS {_baseline / 1048576.0:F1} MiB; " +
                              $"peak RSS {peak / 1048576.0:F1} MiB; peak above baseline {above / 1048576.0:F1} MiB = {(double)above / inputSize:F2}x the input size");
        }
    }

    private static long ReadStatus(string field)
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
    }
}
