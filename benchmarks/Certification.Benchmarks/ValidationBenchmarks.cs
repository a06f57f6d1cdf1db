using BenchmarkDotNet.Attributes;
using Certification.Signing.Pades;
using Certification.Signing.Revocation;
using Certification.Signing.Validation;
using Certification.Signing.Validation.Policy;
using Certification.Signing.Validation.Report;
using Certification.TestSupport;

namespace Certification.Benchmarks;

/// <summary>
/// Issue 3 target: in-process validation of a 2-page certified copy, offline, trust given, median ≤ 10 ms.
/// The copy is <see cref="SamplePdfs.ThreeMegabytes"/> (2 JPEG pages, 3 MB) signed like a certified
/// copy: the officer's certification signature, then the office seal, both B-T with the in-process TSA.
/// At B-T the file carries no revocation data, so offline the verdict is INDETERMINATE (TRY_LATER) after
/// every other check has run; the B-LT variant embeds OCSP responses and is TOTAL_PASSED offline.
/// </summary>
[MemoryDiagnoser]
public class ValidationBenchmarks
{
    private byte[] _bt = [];
    private byte[] _blt = [];
    private ValidationOptions _options = null!;

    [GlobalSetup]
    public void Setup()
    {
        TestPki.Shared.StartServerAsync().GetAwaiter().GetResult(); // B-LT fetches OCSP responses while signing
        var directory = Directory.CreateTempSubdirectory("bench-validate").FullName;
        var pdf = File.ReadAllBytes(SamplePdfs.ThreeMegabytes(directory));
        _bt = CertifiedCopyAsync(pdf, PadesLevel.BaselineT).GetAwaiter().GetResult();
        _blt = CertifiedCopyAsync(pdf, PadesLevel.BaselineLT).GetAwaiter().GetResult();
        _options = new ValidationOptions { TrustAnchors = [TestPki.Shared.Pki.Root.Certificate], Offline = true };
        Expect(_bt, Indication.Indeterminate);
        Expect(_blt, Indication.TotalPassed);
    }

    /// <summary>Officer (certification, P=2) then office seal, as the service produces a certified copy.</summary>
    public static async Task<byte[]> CertifiedCopyAsync(byte[] pdf, PadesLevel level)
    {
        var signer = new PadesSigner(TestPki.Shared.Tsa, new RevocationFetcher());
        using var officer = TestPki.Shared.Pki.Officer.ToSigningKey();
        using var office = TestPki.Shared.Pki.OfficeSeal.ToSigningKey();
        var first = await signer.SignAsync(pdf, officer, new SignatureRequest { Level = PadesLevel.BaselineT, CertifyPermissions = 2 });
        return await signer.SignAsync(first, office, new SignatureRequest { Level = level });
    }

    private void Expect(byte[] pdf, Indication expected)
    {
        var report = PdfSignatureValidator.Validate(pdf, _options);
        if (report.Indication != expected || report.Signatures.Count != 2)
            throw new InvalidOperationException($"unexpected verdict {report.Indication}:\n{report.ToPlainText()}");
    }

    [Benchmark(Baseline = true, Description = "validate certified copy B-T, 2 pages, 3 MB, offline")]
    public ValidationReport ValidateBaselineT() => PdfSignatureValidator.Validate(_bt, _options);

    [Benchmark(Description = "validate certified copy B-LT, 2 pages, 3 MB, offline")]
    public ValidationReport ValidateBaselineLT() => PdfSignatureValidator.Validate(_blt, _options);
}
