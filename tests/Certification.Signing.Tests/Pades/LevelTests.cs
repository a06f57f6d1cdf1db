using System.Security.Cryptography;
using Certification.Signing.Pades;
using Certification.Signing.Pdf;
using Certification.Signing.Pki;
using Certification.Signing.Revocation;
using Certification.TestSupport;
using Certification.TestSupport.ExternalTools;
using Xunit;

namespace Certification.Signing.Tests.Pades;

/// <summary>B-T, B-LT, B-LTA and archive extension, for the certified-copy shape: the certifier's
/// certification signature, then the office seal.</summary>
public sealed class LevelTests
{
    private static async Task<PadesSigner> SignerAsync()
    {
        var pki = TestPki.Shared;
        await pki.StartServerAsync();
        return new PadesSigner(pki.Tsa, new RevocationFetcher());
    }

    private static async Task<byte[]> CertifiedCopyAsync(TempDirectory dir, PadesLevel level)
    {
        var signer = await SignerAsync();
        var input = await File.ReadAllBytesAsync(SamplePdfs.PdfSharpText(dir.Path));
        using var officer = TestPki.Shared.Pki.Officer.ToSigningKey();
        using var office = TestPki.Shared.Pki.OfficeSeal.ToSigningKey();
        var first = await signer.SignAsync(input, officer, new SignatureRequest
        {
            Level = level,
            CertifyPermissions = 2,
            Appearance = new SignatureAppearance { Page = 2, X = 300, Y = 60, Width = 230, Height = 60 },
        });
        return await signer.SignAsync(first, office, new SignatureRequest
        {
            Level = level,
            Appearance = new SignatureAppearance { Page = 2, X = 300, Y = 130, Width = 230, Height = 60 },
        });
    }

    [Fact]
    public async Task B_T_signature_timestamps_verify_with_openssl_ts()
    {
        using var dir = new TempDirectory();
        var output = await CertifiedCopyAsync(dir, PadesLevel.BaselineT);
        var path = dir.File("b-t.pdf");
        await File.WriteAllBytesAsync(path, output);
        SignedFileAssertions.AssertJudgesAccept(path, 2);

        var parts = PdfSignatureScanner.Scan(output);
        Assert.Equal(2, parts.Count);
        foreach (var part in parts)
        {
            var timestamp = Assert.Single(CmsInspection.SignatureTimestamps(part.Cms));
            var result = OpenSslTs.VerifyData(timestamp.TokenDer, timestamp.ImprintedData, [TestPki.Shared.RootsPem], [TestPki.Shared.IntermediatesPem]);
            Assert.True(result.ExitCode == 0, result.ToString());
        }
    }

    [Fact]
    public async Task B_LT_adds_a_DSS_with_VRI_entries_and_keeps_both_signatures_valid()
    {
        using var dir = new TempDirectory();
        var output = await CertifiedCopyAsync(dir, PadesLevel.BaselineLT);
        var path = dir.File("b-lt.pdf");
        await File.WriteAllBytesAsync(path, output);
        SignedFileAssertions.AssertJudgesAccept(path, 2, lastCoversWholeFile: false);

        var file = PdfFile.Open(output);
        var dss = file.Get<PdfDictionary>(file.Catalog, "DSS")!;
        Assert.NotNull(dss);
        var vri = file.Get<PdfDictionary>(dss, "VRI")!;
        var signatures = EmbeddedSignatures.Find(file);
        Assert.Equal(2, signatures.Count);
        foreach (var signature in signatures)
        {
            var entry = file.Get<PdfDictionary>(vri, signature.VriKey);
            Assert.NotNull(entry);
            Assert.NotEmpty(file.Get<PdfArray>(entry!, "Cert")!.Items);
            Assert.NotEmpty(file.Get<PdfArray>(entry!, "OCSP")!.Items);
        }
        // Each OCSP response in the DSS is a real one, accepted by openssl against the roots.
        foreach (var reference in file.Get<PdfArray>(dss, "OCSPs")!.Items)
        {
            var response = file.DecodeStream((PdfStream)file.Resolve(reference)!);
            var printed = ExternalTool.Run("openssl", ["ocsp", "-respin", WriteTemp(dir, response), "-resp_text", "-noverify"]);
            Assert.Contains("Response Status: successful", printed.StdOut);
            Assert.Contains("Cert Status: good", printed.StdOut);
        }
        // Every signature, the DSS and the certification signature's permissions sit in separate revisions.
        Assert.Equal(file.Revisions.Count, PdfFile.Open(await File.ReadAllBytesAsync(SamplePdfs.PdfSharpText(dir.Path))).Revisions.Count + 4);
    }

    [Fact]
    public async Task B_LTA_adds_a_document_timestamp_that_verifies_and_extension_adds_another()
    {
        using var dir = new TempDirectory();
        var output = await CertifiedCopyAsync(dir, PadesLevel.BaselineLTA);
        var path = dir.File("b-lta.pdf");
        await File.WriteAllBytesAsync(path, output);
        // pdfsig counts document timestamps as signatures too.
        var report = SignedFileAssertions.AssertJudgesAccept(path, 4);
        Assert.Equal(["ETSI.CAdES.detached", "unknown", "ETSI.CAdES.detached", "unknown"], report.Signatures.Select(s => s.SignatureType));
        AssertDocumentTimestampsVerify(output, 2);

        var extended = await (await SignerAsync()).ExtendAsync(output);
        SignedFileAssertions.AssertStartsWith(extended, output);
        var extendedPath = dir.File("b-lta-extended.pdf");
        await File.WriteAllBytesAsync(extendedPath, extended);
        SignedFileAssertions.AssertJudgesAccept(extendedPath, 5);
        AssertDocumentTimestampsVerify(extended, 3);
        // The previous document timestamp now has validation data of its own.
        var file = PdfFile.Open(extended);
        var vri = file.Get<PdfDictionary>(file.Get<PdfDictionary>(file.Catalog, "DSS")!, "VRI")!;
        var timestamps = EmbeddedSignatures.Find(file).Where(s => s.IsDocumentTimestamp).ToList();
        Assert.NotNull(file.Get<PdfDictionary>(vri, timestamps[^2].VriKey));
    }

    private static void AssertDocumentTimestampsVerify(byte[] pdf, int expected)
    {
        var parts = PdfSignatureScanner.Scan(pdf).Where(p => p.SubFilter == "ETSI.RFC3161").ToList();
        Assert.Equal(expected, parts.Count);
        foreach (var part in parts)
        {
            var result = OpenSslTs.VerifyData(part.Cms, part.SignedBytes, [TestPki.Shared.RootsPem], [TestPki.Shared.IntermediatesPem]);
            Assert.True(result.ExitCode == 0, result.ToString());
        }
    }

    [Fact]
    public async Task Higher_levels_need_a_timestamp_authority()
    {
        using var dir = new TempDirectory();
        var input = await File.ReadAllBytesAsync(SamplePdfs.PdfSharpText(dir.Path));
        using var key = TestPki.Shared.Pki.Officer.ToSigningKey();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            new PadesSigner().SignAsync(input, key, new SignatureRequest { Level = PadesLevel.BaselineT }));
        Assert.Contains("timestamp authority", error.Message);
    }

    public static TheoryData<string, SigningCertificateRejection> RefusedCertificates => new()
    {
        { "expired", SigningCertificateRejection.Expired },
        { "not-yet-valid", SigningCertificateRejection.NotYetValid },
        { "no-signing-usage", SigningCertificateRejection.KeyUsage },
        { "revoked", SigningCertificateRejection.Revoked },
    };

    [Theory]
    [MemberData(nameof(RefusedCertificates))]
    public async Task Unfit_signer_certificates_are_refused_before_signing_with_the_reason(string name, SigningCertificateRejection reason)
    {
        var pki = TestPki.Shared;
        var credential = name switch
        {
            "expired" => pki.Expired,
            "not-yet-valid" => pki.NotYetValid,
            "no-signing-usage" => pki.NoSigningKeyUsage,
            _ => pki.Revoked,
        };
        using var dir = new TempDirectory();
        var input = await File.ReadAllBytesAsync(SamplePdfs.PdfSharpText(dir.Path));
        using var key = credential.ToSigningKey();
        var signer = await SignerAsync();
        var error = await Assert.ThrowsAsync<SigningCertificateRejectedException>(() => signer.SignAsync(input, key, new SignatureRequest()));
        Assert.Equal(reason, error.Reason);
    }

    private static string WriteTemp(TempDirectory dir, byte[] bytes)
    {
        var path = dir.File($"{Convert.ToHexString(SHA256.HashData(bytes))[..12]}.der");
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
