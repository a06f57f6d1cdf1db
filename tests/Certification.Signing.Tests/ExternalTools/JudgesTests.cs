using System.Security.Cryptography;
using Certification.Signing.Pki;
using Certification.TestSupport;
using Certification.TestSupport.ExternalTools;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Cms;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Cms;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tsp;
using Org.BouncyCastle.Utilities.Collections;
using Xunit;

namespace Certification.Signing.Tests.ExternalTools;

/// <summary>The judges must tell a good signature from a broken one, or they judge nothing: sign with
/// a third-party producer, check each judge says yes, break it, check each says no.</summary>
public sealed class JudgesTests : IClassFixture<JudgesTests.SignedFile>
{
    public sealed class SignedFile : IDisposable
    {
        public TempDirectory Dir { get; } = new("judges");
        public string Path { get; }

        /// <summary>The signer's anchor: the signer is issued straight by TestPki's root.</summary>
        public string RootPem => TestPki.Shared.RootsPem;

        /// <summary>An anchor the signer does not chain to.</summary>
        public string OtherRootPem => TestPki.Shared.UnrelatedRootPem;

        public SignedFile()
        {
            var input = SamplePdfs.PdfSharpText(Dir.Path);
            using var signer = TestPki.WithPrivateKey(TestPki.Shared.IssueLeaf("Nguyễn Văn A"));
            Path = PdfSharpSignedSample.Sign(input, Dir.File("signed.pdf"), signer);
        }

        public void Dispose() => Dir.Dispose();
    }

    private readonly SignedFile _signed;

    public JudgesTests(SignedFile signed) => _signed = signed;

    private string CopyOfSigned(TempDirectory dir) => File.Exists(_signed.Path)
        ? CopyTo(_signed.Path, dir.File("copy.pdf"))
        : throw new FileNotFoundException(_signed.Path);

    private static string CopyTo(string from, string to)
    {
        File.Copy(from, to);
        return to;
    }

    [Fact]
    public void Pdfsig_says_valid_trusted_and_whole_document_for_an_intact_signature()
    {
        var report = Pdfsig.Verify(_signed.Path, _signed.RootPem);

        var signature = Assert.Single(report.Signatures);
        Assert.True(signature.IsValid, report.ToString());
        Assert.True(signature.IsTrusted, report.ToString());
        Assert.True(signature.TotalDocumentSigned, report.ToString());
        Assert.Equal("Nguyễn Văn A", signature.SignerCommonName);
        Assert.Equal("adbe.pkcs7.detached", signature.SignatureType);
        Assert.True(report.AllValidAndTrusted);
    }

    [Fact]
    public void Pdfsig_does_not_trust_a_chain_to_another_anchor()
    {
        var report = Pdfsig.Verify(_signed.Path, _signed.OtherRootPem);

        var signature = Assert.Single(report.Signatures);
        Assert.True(signature.IsValid, report.ToString());
        Assert.False(signature.IsTrusted, report.ToString());
        Assert.False(report.AllValidAndTrusted);
    }

    [Fact]
    public void Pdfsig_reports_invalid_after_one_signed_byte_flips()
    {
        using var dir = new TempDirectory();
        var path = CopyOfSigned(dir);
        FlipByteInsideFirstRange(path);

        var report = Pdfsig.Verify(path, _signed.RootPem);

        // With NSS, poppler reports a changed signed byte as "Digest Mismatch." or, for CMS whose
        // signed attributes fail to verify, "Signature is Invalid."; either way not valid.
        var signature = Assert.Single(report.Signatures);
        Assert.False(signature.IsValid, report.ToString());
        Assert.Contains(signature.SignatureValidation, new[] { "Digest Mismatch.", "Signature is Invalid." });
        Assert.False(report.AllValidAndTrusted);
    }

    [Fact]
    public void Pdfsig_sees_an_appended_revision_as_not_total_document_signed()
    {
        using var dir = new TempDirectory();
        var path = CopyOfSigned(dir);
        PdfRevisionAppender.AppendInfoRevision(path, "after signing");

        var report = Pdfsig.Verify(path, _signed.RootPem);

        var signature = Assert.Single(report.Signatures);
        Assert.True(signature.IsValid, report.ToString());
        Assert.False(signature.TotalDocumentSigned, report.ToString());
        Assert.False(report.AllValidAndTrusted);
    }

    [Fact]
    public void Pdfsig_on_an_unsigned_file_reports_no_signatures()
    {
        using var dir = new TempDirectory();
        var report = Pdfsig.Verify(SamplePdfs.PdfSharpText(dir.Path));
        Assert.True(report.HasNoSignatures);
    }

    [Fact]
    public void Pdfsig_dump_writes_the_same_cms_the_scanner_finds()
    {
        using var dir = new TempDirectory();
        var dumped = Pdfsig.Dump(_signed.Path, dir.Path);

        var parts = Assert.Single(PdfSignatureScanner.Scan(_signed.Path));
        // pdfsig writes /Contents whole, zero padding included.
        var dump = File.ReadAllBytes(Assert.Single(dumped));
        Assert.Equal(parts.Cms, dump[..PdfSignatureScanner.DerLength(dump)]);
    }

    [Fact]
    public void Scanner_finds_byte_range_covering_the_file_and_a_parsable_cms()
    {
        var parts = Assert.Single(PdfSignatureScanner.Scan(_signed.Path));

        Assert.True(parts.CoversWholeFile);
        Assert.Equal(new FileInfo(_signed.Path).Length, parts.RevisionEnd);
        Assert.Equal("adbe.pkcs7.detached", parts.SubFilter);
        Assert.Equal(parts.ByteRange[1] + parts.ByteRange[3], parts.SignedBytes.Length);
        var cms = new CmsSignedData(parts.Cms);
        Assert.Single(cms.GetSignerInfos().GetSigners());
    }

    [Fact]
    public void OpenSsl_cms_verifies_the_intact_signature_and_rejects_wrong_anchor_and_flipped_byte()
    {
        var good = Assert.Single(OpenSslCms.VerifyPdf(_signed.Path, [_signed.RootPem]));
        Assert.True(good.Succeeded, good.ToString());

        var wrongAnchor = Assert.Single(OpenSslCms.VerifyPdf(_signed.Path, [_signed.OtherRootPem]));
        Assert.False(wrongAnchor.Succeeded, wrongAnchor.ToString());

        using var dir = new TempDirectory();
        var path = CopyOfSigned(dir);
        FlipByteInsideFirstRange(path);
        var flipped = Assert.Single(OpenSslCms.VerifyPdf(path, [_signed.RootPem]));
        Assert.False(flipped.Succeeded, flipped.ToString());
    }

    [Fact]
    public void Mutool_sees_intact_digest_and_breakage()
    {
        var (raw, signatures) = MutoolSign.Verify(_signed.Path);
        Assert.True(Assert.Single(signatures).ValidWithoutLaterEdits, raw.ToString());

        using var dir = new TempDirectory();
        var path = CopyOfSigned(dir);
        FlipByteInsideFirstRange(path);
        var (raw2, broken) = MutoolSign.Verify(path);
        Assert.False(Assert.Single(broken).DigestValid, raw2.ToString());
    }

    [Fact]
    public void Qpdf_check_passes_the_signed_file()
    {
        var check = Qpdf.Check(_signed.Path);
        Assert.True(check.IsSound, check.ToString());
    }

    [Fact]
    public void OpenSsl_ts_verifies_a_signature_timestamp_extracted_from_the_cms()
    {
        using var dir = new TempDirectory();
        var tsa = TestPki.Shared.IssueLeaf("Judge TSA (DEVELOPMENT)", timeStamping: true);
        var tsaRoot = TestPki.Shared.RootsPem;
        var tsaCert = TestPki.WritePem(dir.Path, "tsa.pem", [tsa.Certificate]);

        var cms = Assert.Single(PdfSignatureScanner.Scan(_signed.Path)).Cms;
        var stamped = AddSignatureTimestamp(cms, tsa);

        var timestamp = Assert.Single(CmsInspection.SignatureTimestamps(stamped));
        var signatureValue = new CmsSignedData(cms).GetSignerInfos().GetSigners().Single().GetSignature();
        Assert.Equal(signatureValue, timestamp.ImprintedData);

        var byData = OpenSslTs.VerifyData(timestamp.TokenDer, timestamp.ImprintedData, [tsaRoot], [tsaCert]);
        Assert.True(byData.ExitCode == 0, byData.ToString());
        var byDigest = OpenSslTs.VerifyDigest(timestamp.TokenDer, SHA256.HashData(timestamp.ImprintedData), [tsaRoot], [tsaCert]);
        Assert.True(byDigest.ExitCode == 0, byDigest.ToString());

        var wrongData = OpenSslTs.VerifyData(timestamp.TokenDer, [1, 2, 3], [tsaRoot], [tsaCert]);
        Assert.NotEqual(0, wrongData.ExitCode);
        var wrongAnchor = OpenSslTs.VerifyData(timestamp.TokenDer, timestamp.ImprintedData, [_signed.OtherRootPem], [tsaCert]);
        Assert.NotEqual(0, wrongAnchor.ExitCode);

        Assert.Contains("TSA:", OpenSslTs.Print(timestamp.TokenDer).StdOut);
    }

    /// <summary>Adds an id-aa-signatureTimeStampToken over the signer's signature value, made by a
    /// BouncyCastle TSA: stands in for the product's timestamping in this self-test.</summary>
    private static byte[] AddSignatureTimestamp(byte[] cmsDer, IssuedCredential tsa)
    {
        var signed = new CmsSignedData(cmsDer);
        var signer = signed.GetSignerInfos().GetSigners().Single();
        var request = NewRequestGenerator().Generate(TspAlgorithms.Sha256, SHA256.HashData(signer.GetSignature()));

        var tsaCert = tsa.Certificate;
        var key = DotNetUtilities.GetRsaKeyPair((RSA)tsa.PrivateKey).Private;
        var generator = new TimeStampTokenGenerator(key, tsaCert, TspAlgorithms.Sha256, "1.2.3.4.1");
        generator.SetCertificates(CollectionUtilities.CreateStore(new[] { tsaCert }));
        var token = generator.Generate(request, BigInteger.One, DateTime.UtcNow);

        var attribute = new Org.BouncyCastle.Asn1.Cms.Attribute(PkcsObjectIdentifiers.IdAASignatureTimeStampToken,
            new DerSet(Asn1Object.FromByteArray(token.GetEncoded())));
        var stampedSigner = SignerInformation.ReplaceUnsignedAttributes(signer, new AttributeTable(new Asn1EncodableVector(attribute)));
        return CmsSignedData.ReplaceSigners(signed, new SignerInformationStore(stampedSigner)).GetEncoded(Asn1Encodable.Der);
    }

    private static TimeStampRequestGenerator NewRequestGenerator()
    {
        var generator = new TimeStampRequestGenerator();
        generator.SetCertReq(true);
        return generator;
    }

    private static void FlipByteInsideFirstRange(string path)
    {
        var bytes = File.ReadAllBytes(path);
        // A byte of the binary comment on the header's second line (ISO 32000-1 § 7.5.2): signed, but
        // meaningless to a parser, so the judges see a digest mismatch rather than a broken file.
        var at = Array.IndexOf(bytes, (byte)'%', 1) + 1;
        Assert.True(at > 1 && bytes[at] >= 128, "no binary comment after the header");
        bytes[at] ^= 0x01;
        File.WriteAllBytes(path, bytes);
    }
}
