using Xunit;
using System.Security.Cryptography;
using Certification.Signing.Pades;
using Certification.Signing.Validation;
using Certification.Signing.Validation.Modifications;
using Certification.Signing.Validation.Policy;
using Certification.Signing.Validation.Report;

namespace Certification.Signing.Tests.Validation;

/// <summary>The user's story: sign, validate, tamper, validate again.</summary>
public sealed class ValidatorTests
{
    private static ValidationTestPki Pki => ValidationTestPki.Instance;

    internal static ValidationReport Validate(byte[] pdf, bool trusted = true) =>
        PdfSignatureValidator.Validate(pdf, new ValidationOptions { TrustAnchors = trusted ? [Pki.Root] : [Pki.OtherRoot] });

    /// <summary>Every check that did not pass, for assertion messages.</summary>
    internal static string Problems(ValidationReport report) =>
        string.Join("\n", report.Signatures.SelectMany(s => s.Checks.Where(c => c.Result != CheckResult.Passed).Select(c => $"{s.FieldName}: {c.Name}: {c.Message}")));

    internal static void AssertPassed(ValidationReport report) =>
        Assert.True(report.Indication == Indication.TotalPassed, Problems(report));

    [Fact]
    public async Task Signed_copy_with_trusted_root_is_total_passed()
    {
        var signed = await ValidationSamples.SignAsync(ValidationSamples.TwoPagePdf);
        var report = Validate(signed);

        AssertPassed(report);
        var signature = Assert.Single(report.Signatures);
        Assert.Equal(Coverage.EntireFile, signature.Coverage);
        Assert.Equal(ModificationKind.None, signature.ModificationsAfterSigning);
        Assert.Equal("PAdES-BASELINE-B", signature.Level);
        Assert.Equal(2, signature.DocMdpPermissions);
        Assert.All(signature.Checks, c => Assert.Equal(CheckResult.Passed, c.Result));
        Assert.Contains("Nguyễn Văn An", signature.Summary.Vi);
        Assert.Contains("HỢP LỆ", signature.Summary.Vi);
        Assert.Contains("VALID", signature.Summary.En);
        Assert.True(signature.Summary.Vi.IsNormalized(System.Text.NormalizationForm.FormC));
    }

    [Fact]
    public async Task Untrusted_root_is_indeterminate_no_chain()
    {
        var signed = await ValidationSamples.SignAsync(ValidationSamples.TwoPagePdf);
        var report = Validate(signed, trusted: false);

        Assert.Equal(Indication.Indeterminate, report.Indication);
        Assert.Equal(SubIndication.NoCertificateChainFound, report.Signatures[0].SubIndication);
    }

    [Fact]
    public async Task One_flipped_byte_in_the_signed_range_is_hash_failure()
    {
        var signed = await ValidationSamples.SignAsync(ValidationSamples.TwoPagePdf);
        var at = signed.AsSpan().IndexOf("stream"u8) + 20; // inside the first content stream's data
        signed[at] ^= 0x01;
        var report = Validate(signed);

        Assert.Equal(Indication.TotalFailed, report.Indication);
        Assert.Equal(SubIndication.HashFailure, report.Signatures[0].SubIndication);
        Assert.Contains("KHÔNG HỢP LỆ", report.Signatures[0].Summary.Vi);
    }

    [Fact]
    public async Task Lta_signature_has_levels_and_proven_time()
    {
        var signed = await ValidationSamples.SignAsync(ValidationSamples.TwoPagePdf,
            new SignatureRequest { Level = PadesLevel.BaselineLTA, CertifyPermissions = 2 }, timestamped: true);
        var report = Validate(signed);

        AssertPassed(report);
        var signature = report.Signatures.Single(s => s.Type == "signature");
        var timestamp = report.Signatures.Single(s => s.Type == "documentTimestamp");
        Assert.Equal("PAdES-BASELINE-LTA", signature.Level);
        Assert.NotNull(signature.TimestampTime);
        Assert.Equal(ModificationKind.SignaturesAndTimestamps, signature.ModificationsAfterSigning);
        Assert.Equal(Indication.TotalPassed, timestamp.Indication);
        Assert.Equal(Coverage.EntireFile, timestamp.Coverage);
        Assert.Contains("dấu thời gian", signature.Summary.Vi);
    }

    [Fact]
    public async Task B_t_signature_detects_level_and_rejects_bad_timestamp_imprint()
    {
        var signed = await ValidationSamples.SignAsync(ValidationSamples.TwoPagePdf, new SignatureRequest { Level = PadesLevel.BaselineT }, timestamped: true);
        var report = Validate(signed);
        AssertPassed(report);
        Assert.Equal("PAdES-BASELINE-T", report.Signatures[0].Level);
        Assert.Equal(report.Signatures[0].TimestampTime, report.Signatures[0].BestSignatureTime);
    }

    [Fact]
    public async Task Validation_before_the_certificate_was_issued_is_not_passed()
    {
        var signed = await ValidationSamples.SignAsync(ValidationSamples.TwoPagePdf);
        var report = PdfSignatureValidator.Validate(signed, new ValidationOptions { TrustAnchors = [Pki.Root], ValidationTime = DateTimeOffset.UtcNow.AddDays(-30) });
        Assert.Equal(Indication.Indeterminate, report.Indication);
        Assert.Equal(SubIndication.NotYetValid, report.Signatures[0].SubIndication);
    }

    [Fact]
    public void Unsigned_document_is_no_signature_found()
    {
        var report = Validate(ValidationSamples.TwoPagePdf);
        Assert.Equal(Indication.NoSignatureFound, report.Indication);
        Assert.Empty(report.Signatures);
    }

    [Fact]
    public void Garbage_is_unreadable_not_an_exception()
    {
        var report = Validate(RandomNumberGenerator.GetBytes(1000));
        Assert.False(report.Readable);
        Assert.NotNull(report.Error);
    }

    [Fact]
    public async Task Report_json_follows_the_contract()
    {
        var signed = await ValidationSamples.SignAsync(ValidationSamples.TwoPagePdf);
        var json = Validate(signed).ToJson();
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        var root = doc.RootElement;
        Assert.Equal("TOTAL_PASSED", root.GetProperty("indication").GetString());
        var signature = root.GetProperty("signatures")[0];
        foreach (var name in new[] { "fieldName", "type", "subFilter", "level", "signer", "indication", "subIndication", "coverage", "modificationsAfterSigning", "claimedSigningTime", "timestampTime", "checks", "summary" })
            Assert.True(signature.TryGetProperty(name, out _), name);
        Assert.Equal("signature", signature.GetProperty("type").GetString());
        Assert.Equal("ENTIRE_FILE", signature.GetProperty("coverage").GetString());
        Assert.Equal("NONE", signature.GetProperty("modificationsAfterSigning").GetString());
        Assert.Equal("PASSED", signature.GetProperty("checks")[0].GetProperty("result").GetString());
        Assert.True(signature.GetProperty("summary").TryGetProperty("vi", out _));
        Assert.True(signature.GetProperty("summary").TryGetProperty("en", out _));
    }
}
