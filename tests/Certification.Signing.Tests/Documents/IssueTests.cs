using Certification.Signing.Documents;
using Certification.Signing.Pades;
using Certification.Signing.Pdf;
using Certification.Signing.Revocation;
using Certification.Signing.Tests.Pades;
using Certification.TestSupport;
using Certification.TestSupport.ExternalTools;
using Xunit;

namespace Certification.Signing.Tests.Documents;

/// <summary>Composed and signed: the certifier's certification signature, then the office seal, judged by
/// pdfsig (valid and trusted), openssl cms and qpdf.</summary>
public sealed class IssueTests
{
    private static async Task<CertifiedCopyIssuer> IssuerAsync(string document, TimeProvider? clock = null, bool tsa = true)
    {
        await TestPki.Shared.StartServerAsync();
        var signer = new PadesSigner(tsa ? TestPki.Shared.Tsa : null, new RevocationFetcher(), clock);
        return new CertifiedCopyIssuer(signer, CopyFixtures.LimitsFor(document), clock);
    }

    [SharedFixtureTheory]
    [Trait("Category", SharedFixtures.Category)]
    [MemberData(nameof(CopyFixtures.GoodDocuments), MemberType = typeof(CopyFixtures))]
    public async Task Every_good_scan_becomes_a_B_LT_copy_the_judges_accept(string document)
    {
        var issuer = await IssuerAsync(document);
        using var certifier = TestPki.Shared.Pki.Officer.ToSigningKey();
        using var office = TestPki.Shared.Pki.OfficeSeal.ToSigningKey();
        var issued = await issuer.IssueAsync(CopyFixtures.Load(document), CopyFixtures.Details(), certifier, office);
        using var dir = new TempDirectory("issued");
        var path = dir.File("copy.pdf");
        await File.WriteAllBytesAsync(path, issued.Pdf);
        AssertIssued(path, issued);
    }

    internal static void AssertIssued(string path, IssuedCopy issued)
    {
        var report = SignedFileAssertions.AssertJudgesAccept(path, 2, lastCoversWholeFile: false);
        Assert.Equal("Certifier", report.Signatures[0].FieldName);
        Assert.Equal("OfficeSeal", report.Signatures[1].FieldName);
        var qpdf = Qpdf.Check(path);
        Assert.True(qpdf.IsClean, qpdf.ToString());
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path))), issued.Sha256Hex);
        var file = PdfFile.Open(issued.Pdf);
        Assert.NotNull(file.Get<PdfDictionary>(file.Catalog, "DSS"));
        Assert.Equal(2, SignatureFields.CertificationPermissions(file));
    }

    [SharedFixtureFact]
    [Trait("Category", SharedFixtures.Category)]
    public async Task Two_step_flow_survives_JSON_and_ends_like_the_one_step_flow()
    {
        const string document = "bang-tot-nghiep-p1.jpg+bang-tot-nghiep-p2.jpg";
        var issuer = await IssuerAsync(document);
        using var certifier = TestPki.Shared.Pki.Officer.ToSigningKey();
        using var office = TestPki.Shared.Pki.OfficeSeal.ToSigningKey();
        var prepared = await issuer.PrepareAsync(CopyFixtures.Load(document), CopyFixtures.Details("Bằng cử nhân"), certifier.CertificateChain, certifier.Algorithm);
        var restored = PreparedCopy.FromJson(prepared.ToJson());
        Assert.Equal(prepared.DataToSign, restored.DataToSign);
        var signature = await certifier.SignDigestAsync(restored.DataToSign);
        var issued = await issuer.CompleteAsync(restored, signature, certifier.CertificateChain, office);
        Assert.Equal(2, issued.PageCount);
        Assert.Equal(4000, issued.Fee);
        using var dir = new TempDirectory("issued");
        var path = dir.File("copy.pdf");
        await File.WriteAllBytesAsync(path, issued.Pdf);
        AssertIssued(path, issued);
    }

    [SharedFixtureFact]
    [Trait("Category", SharedFixtures.Category)]
    public async Task Same_scans_time_and_keys_give_the_same_signed_copy()
    {
        // B-B: no timestamp or revocation responses, whose bytes come from servers; RSA PKCS#1 v1.5 is deterministic.
        // A fixed instant inside the test PKI's validity.
        var clock = new FixedTimeProvider(TestPki.Shared.Pki.CreatedAt.AddHours(1));
        var issuer = await IssuerAsync("giay-khai-sinh.jpg", clock, tsa: false);
        using var certifier = TestPki.Shared.Pki.Officer.ToSigningKey();
        using var office = TestPki.Shared.Pki.OfficeSeal.ToSigningKey();
        var first = await issuer.IssueAsync(CopyFixtures.Load("giay-khai-sinh.jpg"), CopyFixtures.Details(), certifier, office, PadesLevel.BaselineB);
        var second = await issuer.IssueAsync(CopyFixtures.Load("giay-khai-sinh.jpg"), CopyFixtures.Details(), certifier, office, PadesLevel.BaselineB);
        Assert.Equal(first.Sha256Hex, second.Sha256Hex);
    }
}
