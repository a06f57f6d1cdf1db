using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Text;
using Certification.Signing.Pades;
using Certification.Signing.Pki;
using Certification.Signing.Validation;
using Certification.Signing.Validation.Policy;
using Certification.Signing.Validation.Report;
using Certification.TestSupport;
using Certification.TestSupport.ExternalTools;
using PdfSharp.Drawing;
using Xunit;

namespace Certification.Signing.Tests.Validation;

/// <summary>What other Vietnamese products hand in, each shape generated here: an honest verdict and a
/// named finding for each (the compatibility table in docs/trust.md lists the same cases).</summary>
public sealed class OtherSystemsTests
{
    private static TestPki Pki => TestPki.Shared;
    private static readonly Lazy<IssuedCredential> Signer = new(() => Pki.IssueLeaf("Lê Văn Cường (other product)"));

    private static ValidationReport Validate(byte[] pdf) =>
        PdfSignatureValidator.Validate(pdf, new ValidationOptions { TrustAnchors = [Pki.Pki.Root.Certificate] });

    private static Finding Finding(IEnumerable<Finding> findings, string code) =>
        findings.SingleOrDefault(f => f.Code == code) ?? throw new Xunit.Sdk.XunitException($"no finding '{code}' in [{string.Join(", ", findings.Select(f => f.Code))}]");

    [Fact]
    public void Pkcs7_detached_with_signing_time_and_no_signing_certificate_v2_is_valid_CMS_but_not_PAdES()
    {
        var pdf = LegacyPdf.Sign("adbe.pkcs7.detached", "", signed => Cms(signed, HashAlgorithmName.SHA256));
        var report = Validate(pdf);

        var s = Assert.Single(report.Signatures);
        Assert.True(report.Indication == Indication.TotalPassed, ValidatorTests.Problems(report));
        Assert.Equal("NONE", s.Level);
        var finding = Finding(s.Findings, Findings.NotPadesBaselineCode);
        Assert.Contains("no signing-certificate-v2", finding.Message);
        Assert.Contains("signing-time attribute", finding.Message);
        Assert.Contains("không phải chữ ký PAdES", s.Summary.Vi);
        Assert.NotNull(s.ClaimedSigningTime);
        // An independent judge agrees the CMS signature is intact.
        using var dir = new TempDirectory("pkcs7");
        var path = Path.Combine(dir.Path, "pkcs7.pdf");
        File.WriteAllBytes(path, pdf);
        Assert.Contains("Signature is Valid.", Pdfsig.Verify(path, Pki.RootsPem).Raw.StdOut);
    }

    [Fact]
    public void Sha1_digest_is_flagged_weak_per_Circular_15_2025()
    {
        var report = Validate(LegacyPdf.Sign("adbe.pkcs7.detached", "", signed => Cms(signed, HashAlgorithmName.SHA1)));

        var s = Assert.Single(report.Signatures);
        Assert.Equal(Indication.Indeterminate, s.Indication);
        Assert.Equal(SubIndication.CryptoConstraintsFailure, s.SubIndication);
        Assert.Contains("Circular 15/2025", Finding(s.Findings, Findings.WeakAlgorithmCode).Message);
        Assert.Contains("SHA-1", s.Summary.En);
    }

    [Fact]
    public void Adbe_x509_rsa_sha1_is_verified_and_flagged_weak_and_a_changed_byte_is_caught()
    {
        var certificate = Signer.Value.Certificate;
        var pdf = LegacyPdf.Sign("adbe.x509.rsa_sha1", $"/Cert <{Convert.ToHexString(certificate.GetEncoded())}>", signed =>
        {
            var value = ((RSA)Signer.Value.PrivateKey).SignData(signed, HashAlgorithmName.SHA1, RSASignaturePadding.Pkcs1);
            return new Org.BouncyCastle.Asn1.DerOctetString(value).GetEncoded();
        });
        var report = Validate(pdf);

        var s = Assert.Single(report.Signatures);
        Assert.Equal(Indication.Indeterminate, s.Indication);
        Assert.Equal(SubIndication.CryptoConstraintsFailure, s.SubIndication);
        Assert.Equal(CheckResult.Passed, s.Checks.Single(c => c.Name == "signatureValue").Result);
        Assert.Equal(CheckResult.Passed, s.Checks.Single(c => c.Name == "certificateChain").Result);
        Assert.Contains("adbe.x509.rsa_sha1", Finding(s.Findings, Findings.WeakAlgorithmCode).Message);
        Finding(s.Findings, Findings.NotPadesBaselineCode);
        Assert.Contains("Lê Văn Cường", s.Summary.Vi);

        var tampered = (byte[])pdf.Clone();
        tampered[pdf.AsSpan().IndexOf("(Ban sao"u8) + 2] ^= 0x01;
        var broken = Assert.Single(Validate(tampered).Signatures);
        Assert.Equal(Indication.TotalFailed, broken.Indication);
        Assert.Equal(SubIndication.SigCryptoFailure, broken.SubIndication);
    }

    [Fact]
    public void A_visible_stamp_without_a_signature_is_not_signed()
    {
        Appearance.EmbeddedFonts.Install();
        using var document = new PdfSharp.Pdf.PdfDocument();
        var page = document.AddPage();
        using (var gfx = XGraphics.FromPdfPage(page))
        {
            gfx.DrawEllipse(new XPen(XColors.Red, 3), 380, 60, 150, 150);
            gfx.DrawString("ĐÃ KÝ SỐ", new XFont(Appearance.EmbeddedFonts.SerifFamily, 20), XBrushes.Red, 400, 140);
        }
        using var stream = new MemoryStream();
        document.Save(stream);
        var report = Validate(stream.ToArray());

        Assert.Equal(Indication.NoSignatureFound, report.Indication);
        Assert.Contains("not signed", Finding(report.Findings, Findings.NotSignedCode).Message);
        Assert.Contains("không có chữ ký số", report.ToPlainText());
    }

    [Fact]
    public async Task Several_signed_copies_merged_into_one_file_are_named_as_signatures_of_other_files()
    {
        using var dir = new TempDirectory("merged");
        var first = Path.Combine(dir.Path, "a.pdf");
        var second = Path.Combine(dir.Path, "b.pdf");
        File.WriteAllBytes(first, await ValidationSamples.SignAsync(ValidationSamples.TwoPagePdf));
        File.WriteAllBytes(second, LegacyPdf.Sign("adbe.pkcs7.detached", "", signed => Cms(signed, HashAlgorithmName.SHA256)));
        var merged = Path.Combine(dir.Path, "merged.pdf");
        Qpdf.Run(["--empty", "--pages", first, second, "--", merged], allowWarnings: true);
        var report = Validate(File.ReadAllBytes(merged));

        // qpdf keeps both signature fields, but their byte ranges describe the files they came from.
        Assert.Equal(Indication.TotalFailed, report.Indication);
        Assert.Equal(2, report.Signatures.Count);
        Assert.All(report.Signatures, s => Assert.Equal(SubIndication.FormatFailure, s.SubIndication));
        Assert.Contains("2 of 2 signatures", Finding(report.Findings, Findings.SignatureNotOfThisFileCode).Message);
    }

    [Fact]
    public async Task A_signed_scan_re_saved_by_a_viewer_names_what_the_new_revision_changed()
    {
        var signed = await ValidationSamples.SignAsync(ValidationSamples.TwoPagePdf, new SignatureRequest());
        var file = Signing.Pdf.PdfFile.Open(signed);
        var page = (Signing.Pdf.PdfReference)((Signing.Pdf.PdfArray)((Signing.Pdf.PdfDictionary)file.Resolve(((Signing.Pdf.PdfDictionary)file.Resolve(file.Trailer["Root"])!)["Pages"])!)["Kids"]!).Items[0];
        var pageDict = (Signing.Pdf.PdfDictionary)file.Resolve(page)!;
        var next = ValidationSamples.NextObjectNumber(signed);
        // A viewer's "save": a highlight note on page 1 and its own producer in a new /Info.
        var pageText = Encoding.Latin1.GetString(Signing.Pdf.PdfSerializer.ToBytes(pageDict));
        var annots = pageText.IndexOf("/Annots [", StringComparison.Ordinal);
        Assert.True(annots > 0, "the signature widget is in the page's /Annots");
        var withAnnots = pageText.Insert(annots + "/Annots [".Length, $"{next} 0 R ");
        var resaved = ValidationSamples.AppendRevision(signed, new Dictionary<int, string>
        {
            [page.ObjectNumber] = withAnnots,
            [next] = "<< /Type /Annot /Subtype /Text /Rect [100 100 120 120] /Contents (Da xem) >>",
        });
        var report = Validate(resaved);

        var s = Assert.Single(report.Signatures);
        Assert.NotEqual(Indication.TotalPassed, s.Indication);
        var finding = Finding(s.Findings, Findings.ChangedAfterSigningCode);
        Assert.Contains($"revision {report.Revisions}:", finding.Message); // the viewer's revision, 1-based
        Assert.Contains("annotation was added on page 1", finding.Message);
        Assert.DoesNotContain("removed", finding.Message);
        Assert.Contains(s.Modifications, m => finding.Message.Contains(m.Message, StringComparison.Ordinal));
    }

    /// <summary>A detached CMS over <paramref name="signed"/> as older products make it: a signing-time signed
    /// attribute and no ESS signing-certificate(-v2) (.NET's SignedCms adds neither by itself).</summary>
    private static byte[] Cms(byte[] signed, HashAlgorithmName hash)
    {
        using var certificate = TestPki.WithPrivateKey(Signer.Value);
        var cms = new SignedCms(new ContentInfo(signed), detached: true);
        var signer = new CmsSigner(SubjectIdentifierType.IssuerAndSerialNumber, certificate)
        {
            DigestAlgorithm = new Oid(hash == HashAlgorithmName.SHA1 ? "1.3.14.3.2.26" : "2.16.840.1.101.3.4.2.1"),
            IncludeOption = System.Security.Cryptography.X509Certificates.X509IncludeOption.EndCertOnly,
        };
        signer.SignedAttributes.Add(new Pkcs9SigningTime(DateTime.UtcNow));
        cms.ComputeSignature(signer);
        return cms.Encode();
    }
}

/// <summary>A one-revision PDF with one signature of any /SubFilter, written by hand as older products do
/// (classic xref table, signature dictionary with a fixed-width /ByteRange patched after layout).</summary>
internal static class LegacyPdf
{
    public static byte[] Sign(string subFilter, string extraEntries, Func<byte[], byte[]> sign)
    {
        const string content = "BT /F1 18 Tf 60 700 Td (Ban sao - other product) Tj ET";
        var pdf = ValidationSamples.WritePdf(
        [
            "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [5 0 R] /SigFlags 3 >> >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 7 0 R >> >> /Annots [5 0 R] >>",
            $"<< /Length {content.Length} >>\nstream\n{content}\nendstream",
            "<< /Type /Annot /Subtype /Widget /FT /Sig /T (Signature1) /Rect [0 0 0 0] /F 132 /P 3 0 R /V 6 0 R >>",
            ValidationSamples.SignaturePlaceholder(subFilter, extraEntries),
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]);
        return ValidationSamples.FillSignature(pdf, sign);
    }
}
