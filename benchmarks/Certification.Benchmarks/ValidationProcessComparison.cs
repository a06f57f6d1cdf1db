using System.Diagnostics;
using Certification.Signing.Pades;
using Certification.TestSupport;
using Certification.TestSupport.ExternalTools;

namespace Certification.Benchmarks;

/// <summary>
/// Issue 3 target: whole-process <c>certification verify FILE --trust roots.pem --offline</c> (the published
/// CLI) against whole-process <c>pdfsig</c> on the same 30 MB signed copy, in the same run, alternating;
/// target ratio of medians at most 1.0.
/// <code>dotnet run -c Release --project benchmarks/Certification.Benchmarks -- verify-vs-pdfsig [--runs 15] [--cli PATH]</code>
/// Without <c>--cli</c> the CLI is published first (<c>dotnet publish src/Certification.Cli -c Release</c>)
/// into a temporary directory. The copy is <see cref="SamplePdfs.ThirtyMegabytes"/> signed like a certified
/// copy: the officer's certification signature (B-T), then the office seal at B-LT, so the file carries the
/// OCSP responses an offline verification needs and <c>verify</c> exits 0 (TOTAL_PASSED). pdfsig is given an
/// NSS database trusting the same root; it asks the OCSP responders named in the certificates (it cannot be
/// stopped: <c>-no-ocsp</c> is broken in 22.12), so the dev PKI server runs on loopback during the runs.
/// </summary>
public static class ValidationProcessComparison
{
    public static async Task<int> RunAsync(string[] args)
    {
        var runs = Option(args, "--runs") is { } r ? int.Parse(r, System.Globalization.CultureInfo.InvariantCulture) : 15;
        var cli = Option(args, "--cli") ?? Publish();
        await TestPki.Shared.StartServerAsync();

        var directory = Directory.CreateTempSubdirectory("bench-verify").FullName;
        var pdf = await File.ReadAllBytesAsync(SamplePdfs.ThirtyMegabytes(directory));
        var signed = await ValidationBenchmarks.CertifiedCopyAsync(pdf, PadesLevel.BaselineLT);
        var path = Path.Combine(directory, "certified-copy-30mb.pdf");
        await File.WriteAllBytesAsync(path, signed);
        using var nss = NssDatabase.Create([TestPki.Shared.RootsPem]);

        string[] verifyArgs = ["verify", path, "--trust", TestPki.Shared.RootsPem, "--offline"];
        string[] pdfsigArgs = ["-nssdir", nss.Argument, path];
        // One untimed run of each: page cache, and a check that both accept the file.
        var (verifyCode, verifyOut, _) = Run(cli, verifyArgs);
        var (_, pdfsigOut, _) = Run("/usr/bin/pdfsig", pdfsigArgs);
        if (verifyCode != 0) throw new InvalidOperationException($"verify exited {verifyCode}:\n{verifyOut}");
        if (CountOf(pdfsigOut, "Signature is Valid.") != 2 || CountOf(pdfsigOut, "Certificate is Trusted.") != 2)
            throw new InvalidOperationException($"pdfsig does not accept the file:\n{pdfsigOut}");

        var verifyTimes = new List<double>();
        var pdfsigTimes = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            verifyTimes.Add(Run(cli, verifyArgs).Elapsed);
            pdfsigTimes.Add(Run("/usr/bin/pdfsig", pdfsigArgs).Elapsed);
        }
        var verifyMedian = Median(verifyTimes);
        var pdfsigMedian = Median(pdfsigTimes);
        Console.WriteLine($"file: {signed.Length / 1048576.0:F1} MiB ({signed.Length} bytes), 2 signatures (B-T certification + B-LT seal), {runs} runs each, alternating");
        Console.WriteLine($"load average before/after: {LoadAverage()}");
        Console.WriteLine($"certification verify --offline: median {verifyMedian:F0} ms (min {verifyTimes.Min():F0}, max {verifyTimes.Max():F0})");
        Console.WriteLine($"pdfsig:                         median {pdfsigMedian:F0} ms (min {pdfsigTimes.Min():F0}, max {pdfsigTimes.Max():F0})");
        Console.WriteLine($"ratio verify/pdfsig (medians): {verifyMedian / pdfsigMedian:F2} (target ≤ 1.0)");
        return 0;
    }

    private static (int Code, string Output, double Elapsed) Run(string program, string[] arguments)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments) psi.ArgumentList.Add(a);
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        var elapsed = watch.Elapsed.TotalMilliseconds;
        return (process.ExitCode, stdout.Result + stderr.Result, elapsed);
    }

    private static string Publish()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "src", "Certification.Cli", "Certification.Cli.csproj")))
            root = Path.GetDirectoryName(root.TrimEnd('/')) ?? throw new InvalidOperationException("repository root not found; pass --cli PATH");
        var output = Directory.CreateTempSubdirectory("bench-cli").FullName;
        var (code, text, elapsed) = Run("dotnet", ["publish", Path.Combine(root, "src", "Certification.Cli"), "-c", "Release", "-o", output, "--nologo"]);
        if (code != 0) throw new InvalidOperationException($"dotnet publish failed:\n{text}");
        Console.WriteLine($"published the CLI to {output} in {elapsed / 1000:F0} s");
        return Path.Combine(output, "certification");
    }

    private static string? Option(string[] args, string name) =>
        Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static int CountOf(string text, string value) => (text.Length - text.Replace(value, "").Length) / value.Length;

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "unknown";
}
