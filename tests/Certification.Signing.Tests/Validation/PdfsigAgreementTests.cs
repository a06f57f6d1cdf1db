using System.Security.Cryptography;
using Certification.Signing.Appearance;
using Certification.Signing.Cms;
using Certification.Signing.Pades;
using Certification.Signing.Pdf;
using Certification.Signing.Pdf.Writing;
using Certification.Signing.Pki;
using Certification.Signing.Revocation;
using Certification.Signing.Validation;
using Certification.Signing.Validation.Policy;
using Certification.Signing.Validation.Report;
using Certification.TestSupport;
using Certification.TestSupport.ExternalTools;
using Xunit;

namespace Certification.Signing.Tests.Validation;

/// <summary>
/// Issue 3 acceptance, point 1: on files made by our signer at every level and variant, by pdfsig
/// itself (<c>pdfsig -add-signature</c> with an NSS database) and by <c>openssl cms -sign</c>, the
/// validator's verdicts on integrity and trust agree with pdfsig's: "Signature is Valid." ⇔ our integrity
/// checks passed, "Certificate is Trusted." ⇔ our chain check passed. Each file is judged three ways:
/// genuine with the dev root trusted (both accept, ours is TOTAL_PASSED), genuine with nothing trusted
/// (both untrusted), and with one byte flipped inside every signed range (both broken).
/// pdfsig asks the OCSP responders named in the certificates, so the dev PKI server runs and our
/// validator is allowed online too (the same evidence on both sides).
/// </summary>
public sealed class PdfsigAgreementTests
{
    /// <summary>The checks that together mean what pdfsig calls "Signature is Valid.".</summary>
    private static readonly string[] IntegrityChecks = ["byteRange", "containerFormat", "digest", "signatureValue"];

    public static TheoryData<string> Producers => new()
    {
        "ours B-B", "ours B-T", "ours B-LT", "ours B-LTA", "ours two signatures", "ours adbe.pkcs7.detached",
        "ours ECDSA P-256", "ours RSASSA-PSS", "pdfsig -add-signature", "openssl cms (adbe.pkcs7.detached)", "openssl cms -cades (ETSI.CAdES.detached)",
    };

    [Theory]
    [MemberData(nameof(Producers))]
    public async Task Integrity_and_trust_verdicts_agree_with_pdfsig(string producer)
    {
        var pki = TestPki.Shared;
        await pki.StartServerAsync();
        using var dir = new TempDirectory("pdfsig-agreement");
        var basePdf = await File.ReadAllBytesAsync(SamplePdfs.PdfSharpText(dir.Path));
        var signed = await ProduceAsync(producer, basePdf, dir);
        Assert.True(signed.AsSpan(0, basePdf.Length).SequenceEqual(basePdf), "every producer appends to the base file");

        // Genuine, dev root trusted: both accept every signature; ours is TOTAL_PASSED.
        var (genuine, genuineReport) = await CompareAsync(signed, dir, "genuine.pdf", trusted: true);
        Assert.True(genuineReport.Indication == Indication.TotalPassed, $"{producer}: {ValidatorTests.Problems(genuineReport)}\n{genuine}");
        Assert.All(Verified(genuine), s => Assert.True(s.IsValid && s.IsTrusted, $"pdfsig rejects the genuine file:\n{genuine}"));

        // Genuine, nothing trusted: both intact, both untrusted.
        var (untrusted, untrustedReport) = await CompareAsync(signed, dir, "untrusted.pdf", trusted: false);
        Assert.All(Verified(untrusted), s => Assert.True(s.IsValid && !s.IsTrusted, $"pdfsig:\n{untrusted}"));
        Assert.Equal(Indication.Indeterminate, untrustedReport.Indication);

        // One byte flipped inside the first revision (inside every signed range): both broken.
        var tampered = signed.ToArray();
        tampered[FlipOffset(basePdf)] ^= 0x01;
        var (broken, brokenReport) = await CompareAsync(tampered, dir, "flipped.pdf", trusted: true);
        Assert.All(Verified(broken), s => Assert.False(s.IsValid, $"pdfsig accepts a flipped byte:\n{broken}"));
        Assert.Equal(Indication.TotalFailed, brokenReport.Indication);
        Assert.All(brokenReport.Signatures, s => Assert.Equal(SubIndication.HashFailure, s.SubIndication));
    }

    /// <summary>Runs both judges and asserts they agree on each signature pdfsig verifies.</summary>
    private static async Task<(PdfsigReport Pdfsig, ValidationReport Ours)> CompareAsync(byte[] pdf, TempDirectory dir, string name, bool trusted)
    {
        var path = dir.File(name);
        await File.WriteAllBytesAsync(path, pdf);
        var pdfsig = trusted ? Pdfsig.Verify(path, TestPki.Shared.RootsPem) : Pdfsig.Verify(path);
        using var online = new HttpValidationDataSource();
        var ours = await PdfSignatureValidator.ValidateAsync(pdf, new ValidationOptions
        {
            TrustAnchors = trusted ? [TestPki.Shared.Pki.Root.Certificate] : [],
            Offline = false,
            OnlineSource = online,
        });

        Assert.Equal(pdfsig.Signatures.Count, ours.Signatures.Count); // pdfsig lists document timestamps too
        foreach (var theirs in pdfsig.Signatures)
        {
            var mine = ours.Signatures.SingleOrDefault(s => s.FieldName == theirs.FieldName);
            Assert.True(mine is not null, $"pdfsig's field '{theirs.FieldName}' is missing from our report");
            if (theirs.IsUnverifiedDocumentTimestamp)
            {
                Assert.Equal("documentTimestamp", mine!.Type);
                continue; // pdfsig 22.12 does not verify document timestamps
            }
            var context = $"{name}, field {theirs.FieldName}\npdfsig: {theirs.SignatureValidation} / {theirs.CertificateValidation}\nours: {Describe(mine!)}";
            Assert.True(theirs.IsValid == IntegrityPassed(mine!), $"integrity verdicts differ: {context}");
            // pdfsig prints no certificate verdict after a digest mismatch.
            if (theirs.CertificateValidation is not null)
                Assert.True(theirs.IsTrusted == Check(mine!, "certificateChain")?.Result is CheckResult.Passed, $"trust verdicts differ: {context}");
        }
        return (pdfsig, ours);
    }

    private static IEnumerable<PdfsigSignature> Verified(PdfsigReport report) => report.Signatures.Where(s => !s.IsUnverifiedDocumentTimestamp);

    private static bool IntegrityPassed(SignatureReport report) =>
        IntegrityChecks.All(name => Check(report, name) is { Result: CheckResult.Passed });

    private static CheckReport? Check(SignatureReport report, string name) => report.Checks.FirstOrDefault(c => c.Name == name);

    private static string Describe(SignatureReport report) =>
        $"{report.Indication}/{report.SubIndication}: " + string.Join("; ", report.Checks.Select(c => $"{c.Name}={c.Result} ({c.Message})"));

    /// <summary>A byte inside the first content stream's data of the base file: signed by everything
    /// appended later, and harmless to the file structure.</summary>
    private static int FlipOffset(byte[] basePdf)
    {
        var at = basePdf.AsSpan().IndexOf("stream"u8) + 20;
        Assert.InRange(at, 100, basePdf.Length - 100);
        return at;
    }

    private static async Task<byte[]> ProduceAsync(string producer, byte[] pdf, TempDirectory dir)
    {
        var dev = TestPki.Shared.Pki;
        var signer = new PadesSigner(TestPki.Shared.Tsa, new RevocationFetcher());
        var certify = new SignatureRequest { CertifyPermissions = 2, Reason = "Chứng thực bản sao đúng với bản chính" };
        switch (producer)
        {
            case "ours B-B":
                return await SignAsync(signer, pdf, dev.Officer, certify);
            case "ours B-T":
                return await SignAsync(signer, pdf, dev.Officer, certify with { Level = PadesLevel.BaselineT });
            case "ours B-LT":
                return await SignAsync(signer, pdf, dev.Officer, certify with { Level = PadesLevel.BaselineLT });
            case "ours B-LTA":
                return await SignAsync(signer, pdf, dev.Officer, certify with { Level = PadesLevel.BaselineLTA });
            case "ours two signatures":
            {
                var first = await SignAsync(signer, pdf, dev.Officer, certify with
                {
                    Level = PadesLevel.BaselineT,
                    Appearance = new SignatureAppearance { Page = 2, X = 300, Y = 60, Width = 230, Height = 60 },
                });
                return await SignAsync(signer, first, dev.OfficeSeal, new SignatureRequest
                {
                    Level = PadesLevel.BaselineT,
                    Appearance = new SignatureAppearance { Page = 2, X = 300, Y = 130, Width = 230, Height = 60 },
                });
            }
            case "ours adbe.pkcs7.detached":
                return await SignAsync(signer, pdf, dev.Officer, certify with { SubFilter = SignatureSubFilter.Pkcs7Detached, Level = PadesLevel.BaselineT });
            case "ours ECDSA P-256":
                return await SignAsync(signer, pdf, TestPki.Shared.EcdsaP256, certify with { Level = PadesLevel.BaselineT });
            case "ours RSASSA-PSS":
                return await SignAsync(signer, pdf, dev.Officer, certify with { Level = PadesLevel.BaselineT },
                    new SignatureAlgorithm(SignatureScheme.RsaPss, HashAlgorithmName.SHA256));
            case "pdfsig -add-signature":
                return SignWithPdfsig(pdf, dir);
            case "openssl cms (adbe.pkcs7.detached)":
                return SignWithOpenSsl(pdf, dir, cades: false);
            case "openssl cms -cades (ETSI.CAdES.detached)":
                return SignWithOpenSsl(pdf, dir, cades: true);
            default:
                throw new ArgumentException(producer);
        }
    }

    private static async Task<byte[]> SignAsync(PadesSigner signer, byte[] pdf, IssuedCredential credential, SignatureRequest request, SignatureAlgorithm? algorithm = null)
    {
        using var key = credential.ToSigningKey(algorithm);
        return await signer.SignAsync(pdf, key, request);
    }

    /// <summary>poppler signs: the officer's PKCS#12 imported into a fresh NSS database with pk12util,
    /// then <c>pdfsig -add-signature</c> (adbe.pkcs7.detached; pdfsig 22.12 refuses -etsi with -add-signature).
    /// Its CMS carries a signing-time attribute, which the validator must accept.</summary>
    internal static byte[] SignWithPdfsig(byte[] pdf, TempDirectory dir)
    {
        using var nss = new TempDirectory("nss-signer");
        var db = "sql:" + nss.Path;
        ExternalTool.RunChecked("certutil", ["-N", "-d", db, "--empty-password"]);
        ExternalTool.RunChecked("pk12util", ["-i", TestPki.Shared.OfficerP12, "-d", db, "-W", TestPki.Password]);
        var input = dir.File("pdfsig-input.pdf");
        var output = dir.File("pdfsig-signed.pdf");
        File.WriteAllBytes(input, pdf);
        var result = ExternalTool.Run("pdfsig", ["-add-signature", "-nssdir", db, "-nick", "officer", "-digest", "SHA256",
            "-reason", "Signed by poppler", "-new-signature-field-name", "PdfsigSignature", input, output]);
        Assert.True(File.Exists(output), $"pdfsig did not sign:\n{result}");
        return File.ReadAllBytes(output);
    }

    /// <summary>OpenSSL signs: a placeholder revision laid out by the library (IncrementalUpdate,
    /// SignatureFields, SignaturePlaceholders), its signed bytes given to <c>openssl cms -sign -binary
    /// -outform DER -md sha256</c> (detached; signingTime and SMIMECapabilities attributes; with
    /// <c>-cades</c> also ESS signing-certificate-v2), the DER embedded in /Contents.</summary>
    internal static byte[] SignWithOpenSsl(byte[] pdf, TempDirectory dir, bool cades)
    {
        var officer = TestPki.Shared.Pki.Officer;
        var file = PdfFile.Open(pdf);
        var update = new IncrementalUpdate(file);
        var catalog = new CatalogChanges(file);
        var placeholders = new SignaturePlaceholders(8192);
        var dictionary = new PdfDictionary()
            .Set("Type", new PdfName("Sig"))
            .Set("Filter", new PdfName("Adobe.PPKLite"))
            .Set("SubFilter", new PdfName(cades ? "ETSI.CAdES.detached" : "adbe.pkcs7.detached"))
            .Set("M", PdfDate.ToPdfString(DateTimeOffset.UtcNow))
            .Set("ByteRange", placeholders.ByteRange)
            .Set("Contents", placeholders.Contents);
        var valueRef = update.Add(dictionary);
        SignatureFields.Add(update, file, SignatureFields.ChooseFieldName(file, "OpenSslSignature"), valueRef,
            SignatureAppearanceRenderer.AddEmpty(update), 1, [0, 0, 0, 0], catalog);
        catalog.WriteTo(update);
        var prepared = placeholders.Layout(IncrementalPdf.InMemory(pdf), update.Write(), HashAlgorithmName.SHA256);

        byte[] whole = [.. pdf, .. prepared.UpdateBytes];
        var range = prepared.ByteRange;
        byte[] signedBytes = [.. whole.AsSpan(0, (int)range[1]), .. whole.AsSpan((int)range[2], (int)range[3])];
        File.WriteAllBytes(dir.File("openssl-signed-bytes.bin"), signedBytes);
        File.WriteAllText(dir.File("officer-cert.pem"), DevelopmentPki.Pem(officer.Certificate));
        File.WriteAllText(dir.File("officer-key.pem"), ((RSA)officer.PrivateKey).ExportPkcs8PrivateKeyPem());
        List<string> args = ["cms", "-sign", "-binary", "-outform", "DER", "-md", "sha256",
            "-signer", dir.File("officer-cert.pem"), "-inkey", dir.File("officer-key.pem"), "-certfile", TestPki.Shared.IntermediatesPem,
            "-in", dir.File("openssl-signed-bytes.bin"), "-out", dir.File("openssl.der")];
        if (cades) args.Add("-cades");
        ExternalTool.RunChecked("openssl", args);
        prepared.Embed(File.ReadAllBytes(dir.File("openssl.der")));
        return [.. pdf, .. prepared.UpdateBytes];
    }
}
