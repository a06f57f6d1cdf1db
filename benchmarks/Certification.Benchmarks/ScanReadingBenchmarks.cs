using BenchmarkDotNet.Attributes;
using Certification.Signing.Documents;
using Certification.Signing.Documents.Reading;

namespace Certification.Benchmarks;

/// <summary>
/// Issue 15 targets, per A4 page: the quality gate (decode at its working resolution, sharpness, skew, edges,
/// brightness, contrast, perceptual hash) at most 50 ms; OCR (decode at up to 300 dpi, Tesseract with the
/// Vietnamese model out of process on one thread) at most 2 s. Inputs are the project's samples: the 200 dpi gray
/// application form and the 300 dpi colour birth certificate.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 10)]
public class ScanReadingBenchmarks
{
    private readonly ScanQualityGate _gate = new();
    private readonly TesseractOcr _ocr = new();
    private ScanPage _page = null!;

    [Params(200, 300)]
    public int Dpi { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var sample = Dpi == 200 ? "scans/sample-page-1.jpg" : "giay-khai-sinh-mau.jpg";
        _page = new ScanIntake().Inspect(Samples.Load(sample))[0];
        if (!_ocr.Available) throw new InvalidOperationException("Install tesseract-ocr and tesseract-ocr-vie");
    }

    [Benchmark(Description = "quality gate, one A4 page")]
    public PageQuality? Gate() => _gate.Examine(_page, 1);

    [Benchmark(Description = "OCR, one A4 page")]
    public OcrPage Ocr() => _ocr.ReadAsync(PageRaster.Decode(_page, _ocr.Options.Dpi), 1, CancellationToken.None).GetAwaiter().GetResult();
}
