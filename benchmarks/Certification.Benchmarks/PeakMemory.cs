using System.Diagnostics;
using Certification.Signing.Pades;
using Certification.TestSupport;

namespace Certification.Benchmarks;

/// <summary>
/// Issue 2 target: signing a 30 MB PDF costs at most 1.5× the file size in peak memory above the
/// process baseline. Linux's VmHWM (peak RSS) is reset through /proc/self/clear_refs after warm-up,
/// so the figure covers exactly one signing run: read the file, sign at B-T, write the output.
/// </summary>
public static class PeakMemory
{
    public static async Task<int> RunAsync(string[] args)
    {
        var directory = Directory.CreateTempSubdirectory("bench-memory").FullName;
        var input = SamplePdfs.ThirtyMegabytes(directory);
        var output = Path.Combine(directory, "signed.pdf");
        using var key = TestPki.Shared.Pki.Officer.ToSigningKey();
        var signer = new PadesSigner(TestPki.Shared.Tsa);
        var request = new SignatureRequest { Level = PadesLevel.BaselineT };

        // Warm up JIT, PKI and TSA on a small file so the measured run only pays for the big one.
        var small = await File.ReadAllBytesAsync(SamplePdfs.PdfSharpText(directory));
        await signer.SignAsync(small, key, request, Stream.Null);
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();

        var baseline = ReadStatus("VmRSS");
        await File.WriteAllTextAsync("/proc/self/clear_refs", "5");
        var stopwatch = Stopwatch.StartNew();
        var pdf = await File.ReadAllBytesAsync(input);
        await using (var stream = File.Create(output)) await signer.SignAsync(pdf, key, request, stream);
        stopwatch.Stop();
        var peak = ReadStatus("VmHWM");

        var size = new FileInfo(input).Length;
        var above = peak - baseline;
        Console.WriteLine($"input {size / 1048576.0:F1} MiB; sign B-T {stopwatch.ElapsedMilliseconds} ms; baseline RSS {baseline / 1048576.0:F1} MiB; " +
                          $"peak RSS {peak / 1048576.0:F1} MiB; peak above baseline {above / 1048576.0:F1} MiB = {(double)above / size:F2}x the file size");
        return 0;
    }

    private static long ReadStatus(string field)
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
    }
}
