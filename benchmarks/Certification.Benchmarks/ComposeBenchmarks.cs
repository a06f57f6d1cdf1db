using BenchmarkDotNet.Attributes;
using Certification.Signing.Documents;

namespace Certification.Benchmarks;

/// <summary>
/// Issue 4 target: compose a 2-page certified copy, before signing, in a median of at most 10 ms. Inputs are
/// the project's own sample scans (samples/, made by make-samples.sh): two A4 pages at 200 dpi in
/// grayscale, the intake's minimum resolution and a document scanner's usual setting, and the two-page
/// diploma at 300 dpi in colour (its statement does not fit on the last page, so a page is appended).
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class ComposeBenchmarks
{
    private readonly CertifiedCopyComposer _composer = new();
    private IReadOnlyList<ScanFile> _gray200 = [];
    private IReadOnlyList<ScanFile> _colour300 = [];

    [GlobalSetup]
    public void Setup()
    {
        _gray200 = Samples.Load("scans/sample-page-1.jpg", "scans/sample-page-2.jpg");
        _colour300 = Samples.Load("bang-tot-nghiep-mau-1.jpg", "bang-tot-nghiep-mau-2.jpg");
    }

    [Benchmark(Baseline = true, Description = "2 pages A4, 200 dpi gray JPEG")]
    public ComposedCopy Gray200Dpi() => _composer.Compose(_gray200, Samples.Details);

    [Benchmark(Description = "2 pages A4 landscape, 300 dpi colour JPEG (+ statement page)")]
    public ComposedCopy Colour300Dpi() => _composer.Compose(_colour300, Samples.Details);
}

/// <summary>The repository's samples/ folder, found from the working directory upwards, and the details the
/// benchmarks certify them with.</summary>
public static class Samples
{
    public static readonly CertificationDetails Details = new()
    {
        CertificationNumber = "125",
        Book = "01/2026-SCTĐT/BS",
        Date = new DateOnly(2026, 11, 28),
        OfficeName = "UBND phường Demo (DEVELOPMENT)",
        OfficeCode = "DEMO-001",
        CertifierName = "Nguyễn Văn An",
        CertifierTitle = "Phó Chủ tịch UBND phường",
        Authorisation = "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH",
        DocumentTitle = "Đơn đề nghị",
        LookupCode = "K7Q2-9XPM",
        VerificationUrl = new Uri("https://chungthuc.example.invalid/tra-cuu/K7Q2-9XPM"),
    };

    public static string Directory
    {
        get
        {
            for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Certification.sln"))) return Path.Combine(dir.FullName, "samples");
            }
            throw new InvalidOperationException("Run the benchmarks from inside the repository (samples/ not found)");
        }
    }

    public static IReadOnlyList<ScanFile> Load(params string[] names) =>
        [.. names.Select(n => new ScanFile(Path.GetFileName(n), File.ReadAllBytes(Path.Combine(Directory, n))))];
}
