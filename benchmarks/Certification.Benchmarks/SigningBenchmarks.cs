using BenchmarkDotNet.Attributes;
using Certification.Signing.Cms;
using Certification.Signing.Pades;
using Certification.TestSupport;

namespace Certification.Benchmarks;

/// <summary>Issue 2 target: sign a 2-page, 3 MB PDF at B-T with the in-process TSA, median ≤ 15 ms.</summary>
[MemoryDiagnoser]
public class SigningBenchmarks
{
    private byte[] _pdf = [];
    private Pkcs12SigningKey _key = null!;
    private PadesSigner _signer = null!;
    private readonly SignatureRequest _bt = new() { Level = PadesLevel.BaselineT };
    private readonly SignatureRequest _bb = new() { Level = PadesLevel.BaselineB };
    private readonly SignatureRequest _visible = new()
    {
        Level = PadesLevel.BaselineT,
        Appearance = new SignatureAppearance { Page = 2, X = 300, Y = 60, Width = 230, Height = 60 },
    };

    [GlobalSetup]
    public void Setup()
    {
        var directory = Directory.CreateTempSubdirectory("bench-sign").FullName;
        _pdf = File.ReadAllBytes(SamplePdfs.ThreeMegabytes(directory));
        _key = TestPki.Shared.Pki.Officer.ToSigningKey();
        _signer = new PadesSigner(TestPki.Shared.Tsa);
    }

    [Benchmark(Description = "B-B, 2 pages, 3 MB")]
    public Task SignBaselineB() => _signer.SignAsync(_pdf, _key, _bb, Stream.Null);

    [Benchmark(Baseline = true, Description = "B-T, 2 pages, 3 MB, in-process TSA")]
    public Task SignBaselineT() => _signer.SignAsync(_pdf, _key, _bt, Stream.Null);

    [Benchmark(Description = "B-T + visible stamp, 2 pages, 3 MB")]
    public Task SignBaselineTVisible() => _signer.SignAsync(_pdf, _key, _visible, Stream.Null);
}
