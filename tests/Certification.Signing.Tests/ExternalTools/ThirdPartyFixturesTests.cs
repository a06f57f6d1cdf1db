using Certification.TestSupport;
using Certification.TestSupport.ExternalTools;
using Org.BouncyCastle.Cms;
using Xunit;

namespace Certification.Signing.Tests.ExternalTools;

/// <summary>The judges and the ByteRange scanner over other projects' signed PDFs (shared/fixtures/third-party):
/// files their authors call intact must come out intact here too.</summary>
[Trait("Category", SharedFixtures.Category)]
public sealed class ThirdPartyFixturesTests
{
    public static TheoryData<string> IntactFiles()
    {
        var data = new TheoryData<string>();
        if (SharedFixtures.Directory is null)
        {
            data.Add("(shared fixtures absent)");
            return data;
        }
        foreach (var line in File.ReadLines(SharedFixtures.File("third-party", "MANIFEST.tsv")).Skip(1))
        {
            var columns = line.Split('\t');
            if (columns.Length > 2 && columns[2] == "INTACT" && columns[0].EndsWith(".pdf", StringComparison.Ordinal)) data.Add(columns[0]);
        }
        return data;
    }

    [SharedFixtureTheory]
    [MemberData(nameof(IntactFiles))]
    public void Intact_file_every_signature_is_valid_for_pdfsig_and_parsed_by_the_scanner(string relativePath)
    {
        var path = SharedFixtures.File("third-party", relativePath);

        var report = Pdfsig.Verify(path);
        var scanned = PdfSignatureScanner.Scan(path);

        Assert.Equal(report.Signatures.Count, scanned.Count);
        // pdfsig 22.12 does not verify document timestamps ("Signature Type: unknown", "not yet been
        // verified"), and NSS cannot find a signer identified by subjectKeyIdentifier without the
        // certificate in its database ("Unknown Validation Failure.", pyHanko's sig-with-ski-sid.pdf).
        var skiSid = relativePath.EndsWith("sig-with-ski-sid.pdf", StringComparison.Ordinal);
        foreach (var signature in report.Signatures.Where(s => s.SignatureType != "unknown"))
            Assert.True(signature.IsValid || (skiSid && signature.SignatureValidation == "Unknown Validation Failure."), report.ToString());
        foreach (var verification in OpenSslCms.VerifyPdfIntegrityOnly(path))
            Assert.True(verification.Succeeded, verification.ToString());
        foreach (var parts in scanned)
        {
            Assert.NotNull(new CmsSignedData(parts.Cms).SignedContentType);
            Assert.Contains(parts.SubFilter, new[] { "ETSI.CAdES.detached", "adbe.pkcs7.detached", "ETSI.RFC3161" });
        }
        Assert.True(scanned[^1].CoversWholeFile || report.Signatures[^1].TotalDocumentSigned == false);
    }

    [SharedFixtureFact]
    public void Shared_fixtures_folder_is_found_beside_the_repository()
    {
        Assert.True(Directory.Exists(SharedFixtures.File("scans")));
        Assert.True(File.Exists(SharedFixtures.File("third-party", "MANIFEST.tsv")));
    }
}
