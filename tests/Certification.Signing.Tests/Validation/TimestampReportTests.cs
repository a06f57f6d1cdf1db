using Certification.Signing.Pades;
using Certification.Signing.Pdf.Writing;
using Certification.Signing.Revocation;
using Certification.Signing.Validation;
using Certification.Signing.Validation.Policy;
using Certification.Signing.Validation.Report;
using Certification.TestSupport;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;
using Xunit;

namespace Certification.Signing.Tests.Validation;

/// <summary>What the report says about timestamps: document timestamps (no level of their own, the
/// signatures they cover) and the revocation status of the TSA behind a signature timestamp.</summary>
public sealed class TimestampReportTests
{
    private static ValidationTestPki Pki => ValidationTestPki.Instance;

    [Fact]
    public async Task Document_timestamp_has_no_level_and_names_the_signatures_it_covers()
    {
        var signed = await ValidationSamples.SignAsync(ValidationSamples.TwoPagePdf,
            new SignatureRequest { Level = PadesLevel.BaselineLTA, CertifyPermissions = 2 }, timestamped: true);
        var report = ValidatorTests.Validate(signed);

        ValidatorTests.AssertPassed(report);
        var signature = report.Signatures.Single(s => s.Type == "signature");
        var timestamp = report.Signatures.Single(s => s.Type == "documentTimestamp");
        Assert.Equal("PAdES-BASELINE-LTA", signature.Level);
        Assert.Equal("NONE", timestamp.Level);
        Assert.Equal([signature.FieldName], timestamp.TimestampedSignatures);
        Assert.Null(signature.TimestampedSignatures);
        using var json = System.Text.Json.JsonDocument.Parse(report.ToJson());
        var entry = json.RootElement.GetProperty("signatures").EnumerateArray().Single(e => e.GetProperty("type").GetString() == "documentTimestamp");
        Assert.Equal(signature.FieldName, entry.GetProperty("timestampedSignatures")[0].GetString());
    }

    [Fact]
    public async Task Revoked_TSA_leaves_the_timestamp_intact_but_not_proof_of_time()
    {
        var signed = await ValidationSamples.SignAsync(ValidationSamples.TwoPagePdf, new SignatureRequest { Level = PadesLevel.BaselineT }, timestamped: true);
        var revoked = WithRootCrl(signed, revokeTsa: true);
        var report = ValidatorTests.Validate(revoked);

        var signature = report.Signatures.Single();
        var check = signature.Checks.Single(c => c.Name == "signatureTimestamp");
        Assert.Equal(CheckResult.Indeterminate, check.Result);
        Assert.Contains("revoked", check.Message);
        Assert.Contains("not used as proof", check.Message);
        Assert.Equal(report.ValidationTime, signature.BestSignatureTime); // no proven time

        // The same file with a CRL that does not list the TSA: the timestamp proves the time.
        var good = ValidatorTests.Validate(WithRootCrl(signed, revokeTsa: false));
        ValidatorTests.AssertPassed(good);
        var goodCheck = good.Signatures.Single().Checks.Single(c => c.Name == "signatureTimestamp");
        Assert.Equal(CheckResult.Passed, goodCheck.Result);
        Assert.Contains("Test TSA: CRL (embedded)", goodCheck.Message);
        Assert.True(good.Signatures.Single().BestSignatureTime < good.ValidationTime);
    }

    [Fact]
    public async Task TSA_revocation_comes_from_the_DSS_offline_and_from_its_OCSP_responder_online()
    {
        var pki = TestPki.Shared;
        await pki.StartServerAsync();
        var signer = new PadesSigner(pki.Tsa, new RevocationFetcher());
        using var dir = new TempDirectory("tsa-revocation");
        var pdf = await File.ReadAllBytesAsync(SamplePdfs.PdfSharpText(dir.Path));
        using var officer = pki.Pki.Officer.ToSigningKey();
        var bt = await signer.SignAsync(pdf, officer, new SignatureRequest { Level = PadesLevel.BaselineT });
        var blt = await signer.SignAsync(pdf, officer, new SignatureRequest { Level = PadesLevel.BaselineLT });
        var anchors = new[] { pki.Pki.Root.Certificate };

        // B-LT offline: the DSS carries the TSA's OCSP responses.
        var offline = PdfSignatureValidator.Validate(blt, new ValidationOptions { TrustAnchors = anchors });
        ValidatorTests.AssertPassed(offline);
        var fromDss = offline.Signatures.Single(s => s.Type == "signature").Checks.Single(c => c.Name == "signatureTimestamp");
        Assert.Equal(CheckResult.Passed, fromDss.Result);
        Assert.Contains("(embedded)", fromDss.Message);

        // B-T offline: nothing to check the TSA with, so its time is not used as proof.
        var unknown = PdfSignatureValidator.Validate(bt, new ValidationOptions { TrustAnchors = anchors });
        var unknownCheck = unknown.Signatures.Single().Checks.Single(c => c.Name == "signatureTimestamp");
        Assert.Equal(CheckResult.Indeterminate, unknownCheck.Result);
        Assert.Contains("revocation status of the TSA certificate", unknownCheck.Message);

        // B-T online: the TSA's OCSP responder answers.
        using var online = new HttpValidationDataSource();
        var fetched = await PdfSignatureValidator.ValidateAsync(bt, new ValidationOptions { TrustAnchors = anchors, Offline = false, OnlineSource = online });
        ValidatorTests.AssertPassed(fetched);
        var fetchedCheck = fetched.Signatures.Single().Checks.Single(c => c.Name == "signatureTimestamp");
        Assert.Equal(CheckResult.Passed, fetchedCheck.Result);
        Assert.Contains("fetched", fetchedCheck.Message);
        Assert.Equal(fetched.Signatures.Single().TimestampTime, fetched.Signatures.Single().BestSignatureTime);
    }

    /// <summary>Appends a DSS holding a CRL of the test root, listing the test TSA as revoked an hour ago or not.</summary>
    private static byte[] WithRootCrl(byte[] pdf, bool revokeTsa)
    {
        var now = DateTime.UtcNow;
        var generator = new X509V2CrlGenerator();
        generator.SetIssuerDN(Pki.Root.SubjectDN);
        generator.SetThisUpdate(now.AddMinutes(-1));
        generator.SetNextUpdate(now.AddDays(1));
        if (revokeTsa) generator.AddCrlEntry(Pki.Tsa.SerialNumber, now.AddHours(-1), CrlReason.KeyCompromise);
        generator.AddExtension(X509Extensions.CrlNumber, false, new CrlNumber(BigInteger.One));
        var key = DotNetUtilities.GetRsaKeyPair(Pki.RootKey).Private;
        var crl = generator.Generate(new Asn1SignatureFactory("SHA256WITHRSA", key));
        var vriKey = EmbeddedSignatures.Find(Certification.Signing.Pdf.PdfFile.Open(pdf)).Single().VriKey;
        using var document = IncrementalPdf.InMemory(pdf);
        DocumentSecurityStore.Append(document,
            [new DocumentSecurityStore.VriEntry(vriKey, new ValidationMaterial([Pki.Tsa.GetEncoded()], [crl.GetEncoded()], []))],
            DateTimeOffset.UtcNow);
        return document.ToArray();
    }
}
