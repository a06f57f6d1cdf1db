using System.Security.Cryptography;
using System.Text;
using Certification.Signing.Pades;
using Certification.Signing.Revocation;
using Certification.Signing.Validation;
using Certification.Signing.Validation.Policy;
using Certification.Signing.Validation.Report;
using Certification.TestSupport;
using Certification.TestSupport.ExternalTools;
using Xunit;

namespace Certification.Signing.Tests.Validation;

/// <summary>The PDF validation report an online service files: sealed with the service's own key and
/// timestamped, it renders, its Vietnamese text extracts in NFC, pdfsig and our validator find it valid,
/// and one changed byte is caught. UPDATE_RENDERS=1 rewrites docs/renders/validation-report.png.</summary>
public sealed class ValidationReportPdfTests
{
    private static readonly Lazy<Certification.Signing.Pki.IssuedCredential> ServiceSeal = new(() => TestPki.Shared.IssueLeaf("DEVELOPMENT Certification verification service"));

    [Fact]
    public async Task Sealed_report_renders_extracts_in_Vietnamese_and_is_valid_until_one_byte_changes()
    {
        var pki = TestPki.Shared;
        await pki.StartServerAsync();
        var verified = await ValidationSamples.SignAsync(ValidationSamples.TwoPagePdf, timestamped: true);
        var report = ValidatorTests.Validate(verified);
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(verified));
        var composed = ValidationReportPdf.Compose(report, new ValidatedFile("bản sao chứng thực.pdf", verified.Length, sha256), "Dịch vụ xác thực (DEVELOPMENT)");
        using var key = ServiceSeal.Value.ToSigningKey();
        using var fetcher = new RevocationFetcher();
        var sealedReport = await new PadesSigner(pki.Tsa, fetcher).SignAsync(composed, key,
            new SignatureRequest { Level = PadesLevel.BaselineLT, Reason = "Niêm phong báo cáo xác thực / Validation report seal" });

        using var dir = new TempDirectory("report-pdf");
        var path = dir.File("report.pdf");
        await File.WriteAllBytesAsync(path, sealedReport);

        // Renders.
        ExternalTool.RunChecked("pdftoppm", ["-r", "60", "-png", "-singlefile", "-f", "1", "-l", "1", path, dir.File("validation-report")]);
        var render = dir.File("validation-report.png");
        Assert.True(new FileInfo(render).Length > 5_000, "pdftoppm produced a page image");
        if (Environment.GetEnvironmentVariable("UPDATE_RENDERS") == "1")
            File.Copy(render, Path.Combine(RepositoryRoot.Find()!, "docs", "renders", "validation-report.png"), overwrite: true);

        // Text-extractable Vietnamese (NFC), the file's hash, the trust store version and the signer.
        var text = ExternalTool.RunChecked("pdftotext", ["-enc", "UTF-8", path, "-"]).StdOut;
        Assert.True(text.IsNormalized(NormalizationForm.FormC));
        Assert.Contains("BÁO CÁO KẾT QUẢ XÁC THỰC CHỮ KÝ SỐ", text);
        Assert.Contains("KẾT LUẬN: HỢP LỆ", text);
        Assert.Contains("Signature validation report", text);
        Assert.Contains(sha256, text);
        Assert.Contains(report.TrustStoreVersion!, text);
        Assert.Contains("Nguyễn Văn An", text);

        // Valid for pdfsig and for our validator.
        var judged = Pdfsig.Verify(path, pki.RootsPem);
        // B-LT: the DSS revision follows the seal, so pdfsig reports "not total document signed".
        var seal = Assert.Single(judged.Signatures);
        Assert.True(seal.IsValid && seal.IsTrusted, judged.ToString());
        var own = PdfSignatureValidator.Validate(sealedReport, new ValidationOptions { TrustAnchors = [pki.Pki.Root.Certificate] });
        Assert.True(own.Indication == Indication.TotalPassed, ValidatorTests.Problems(own));
        Assert.Equal("PAdES-BASELINE-LT", own.Signatures.Single().Level);

        // One changed byte inside the signed range is caught by both.
        var tampered = (byte[])sealedReport.Clone();
        tampered[tampered.AsSpan().IndexOf("stream"u8) + 30] ^= 0x01;
        var tamperedPath = dir.File("tampered.pdf");
        await File.WriteAllBytesAsync(tamperedPath, tampered);
        Assert.True(Pdfsig.Verify(tamperedPath, pki.RootsPem).Signatures.Single().IsDigestMismatch);
        Assert.Equal(Indication.TotalFailed, PdfSignatureValidator.Validate(tampered, new ValidationOptions { TrustAnchors = [pki.Pki.Root.Certificate] }).Indication);
    }
}
