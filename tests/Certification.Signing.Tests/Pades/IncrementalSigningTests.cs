using Certification.Signing.Pades;
using Certification.Signing.Pdf;
using Certification.TestSupport;
using Certification.TestSupport.ExternalTools;
using Xunit;

namespace Certification.Signing.Tests.Pades;

/// <summary>Any PDF in, the same PDF out with a signature appended: across producers and xref kinds.</summary>
public sealed class IncrementalSigningTests
{
    [Theory]
    [MemberData(nameof(SamplePdfs.AllKinds), MemberType = typeof(SamplePdfs))]
    public async Task Signing_appends_a_revision_that_every_judge_accepts(SamplePdfKind kind)
    {
        using var dir = new TempDirectory();
        var inputPath = SamplePdfs.Create(kind, dir.Path);
        var input = await File.ReadAllBytesAsync(inputPath);
        var before = PdfFile.Open(input);

        using var key = TestPki.Shared.Pki.Officer.ToSigningKey();
        var output = await new PadesSigner().SignAsync(input, key, new SignatureRequest());
        var outputPath = dir.File("signed.pdf");
        await File.WriteAllBytesAsync(outputPath, output);

        SignedFileAssertions.AssertStartsWith(output, input);
        SignedFileAssertions.AssertJudgesAccept(outputPath, 1);

        var after = PdfFile.Open(output);
        Assert.Equal(before.Revisions.Count + 1, after.Revisions.Count);
        // The new cross-reference section is of the same kind as the file's last one (table or stream).
        var expectedKind = before.LastRevision.Kind == XrefSectionKind.Stream ? XrefSectionKind.Stream : XrefSectionKind.Table;
        Assert.Equal(expectedKind, after.LastRevision.Kind);
        Assert.Equal(before.LastStartXref, (after.Trailer["Prev"] as PdfInteger)?.Value);
        Assert.Equal(before.GetPageReferences().Count, after.GetPageReferences().Count);
    }

    [Fact]
    public async Task Signing_twice_keeps_the_first_signature_valid_and_names_fields_uniquely()
    {
        using var dir = new TempDirectory();
        var input = await File.ReadAllBytesAsync(SamplePdfs.PdfSharpText(dir.Path));
        using var officer = TestPki.Shared.Pki.Officer.ToSigningKey();
        using var office = TestPki.Shared.Pki.OfficeSeal.ToSigningKey();
        var signer = new PadesSigner();

        var once = await signer.SignAsync(input, officer, new SignatureRequest { CertifyPermissions = 2, Reason = "Chứng thực bản sao đúng với bản chính" });
        var twice = await signer.SignAsync(once, office, new SignatureRequest { FieldName = "DongDau", Reason = "Đóng dấu cơ quan" });
        var path = dir.File("twice.pdf");
        await File.WriteAllBytesAsync(path, twice);

        SignedFileAssertions.AssertStartsWith(twice, once);
        var report = SignedFileAssertions.AssertJudgesAccept(path, 2);
        Assert.Equal(["Signature1", "DongDau"], report.Signatures.Select(s => s.FieldName));
        Assert.False(report.Signatures[0].TotalDocumentSigned);

        var file = PdfFile.Open(twice);
        Assert.Equal(2, SignatureFields.CertificationPermissions(file));
        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            signer.SignAsync(twice, office, new SignatureRequest { FieldName = "DongDau" }));
    }

    [Fact]
    public async Task A_certification_signature_with_no_changes_allowed_refuses_later_signatures()
    {
        using var dir = new TempDirectory();
        var input = await File.ReadAllBytesAsync(SamplePdfs.PdfSharpText(dir.Path));
        using var officer = TestPki.Shared.Pki.Officer.ToSigningKey();
        var locked = await new PadesSigner().SignAsync(input, officer, new SignatureRequest { CertifyPermissions = 1 });
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => new PadesSigner().SignAsync(locked, officer, new SignatureRequest()));
        Assert.Contains("permission 1", error.Message);
    }

    [Fact]
    public async Task The_legacy_adbe_pkcs7_detached_subfilter_is_accepted_by_pdfsig()
    {
        using var dir = new TempDirectory();
        var input = await File.ReadAllBytesAsync(SamplePdfs.PdfSharpText(dir.Path));
        using var key = TestPki.Shared.Pki.Notary.ToSigningKey();
        var output = await new PadesSigner().SignAsync(input, key, new SignatureRequest { SubFilter = SignatureSubFilter.Pkcs7Detached });
        var path = dir.File("pkcs7.pdf");
        await File.WriteAllBytesAsync(path, output);
        var report = SignedFileAssertions.AssertJudgesAccept(path, 1);
        Assert.Equal("adbe.pkcs7.detached", report.Signatures[0].SignatureType);
    }
}
