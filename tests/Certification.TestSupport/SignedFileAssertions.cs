using Certification.TestSupport.ExternalTools;
using Xunit;

namespace Certification.TestSupport;

/// <summary>What every signed output must satisfy, as judged by the independent tools (trusting
/// <see cref="TestPki.Shared"/>'s root and any extra anchors).</summary>
public static class SignedFileAssertions
{
    /// <summary>pdfsig: every signature valid and trusted; openssl cms: every CMS verifies over its byte range;
    /// qpdf: no structural errors.</summary>
    public static PdfsigReport AssertJudgesAccept(string path, int expectedSignatures, params string[] extraAnchors) =>
        AssertJudgesAccept(path, expectedSignatures, lastCoversWholeFile: true, extraAnchors);

    /// <param name="lastCoversWholeFile">False where a DSS revision (B-LT) follows the last signature.</param>
    public static PdfsigReport AssertJudgesAccept(string path, int expectedSignatures, bool lastCoversWholeFile, params string[] extraAnchors)
    {
        // pdfsig asks the OCSP responder named in each certificate (NSS does), so the PKI must be serving.
        TestPki.Shared.StartServerAsync().GetAwaiter().GetResult();
        var anchors = new[] { TestPki.Shared.RootsPem }.Concat(extraAnchors).ToArray();
        var pdfsig = Pdfsig.Verify(path, anchors);
        Assert.True(pdfsig.Signatures.Count == expectedSignatures, $"pdfsig saw {pdfsig.Signatures.Count} signatures, expected {expectedSignatures}\n{pdfsig}");
        // pdfsig 22.12 does not verify document timestamps (it prints "Signature Type: unknown");
        // the tests check those with openssl ts instead.
        foreach (var signature in pdfsig.Signatures.Where(s => s.SignatureType != "unknown"))
        {
            Assert.True(signature.IsValid, $"pdfsig: signature {signature.Number} not valid\n{pdfsig}");
            Assert.True(signature.IsTrusted, $"pdfsig: signature {signature.Number} not trusted\n{pdfsig}");
        }
        if (lastCoversWholeFile)
            Assert.True(pdfsig.Signatures[^1].TotalDocumentSigned, $"the last signature must cover the whole file\n{pdfsig}");

        // Signatures are detached CMS over their byte range; document timestamps (ETSI.RFC3161) carry
        // their TSTInfo inside and are checked with openssl ts by the tests that make them.
        foreach (var part in PdfSignatureScanner.Scan(path).Where(p => p.SubFilter != "ETSI.RFC3161"))
        {
            var verification = OpenSslCms.Verify(part.Cms, part.SignedBytes, anchors);
            Assert.True(verification.ExitCode == 0, $"openssl cms, signature {part.Index}: {verification}");
        }

        var qpdf = Qpdf.Check(path);
        Assert.False(qpdf.HasErrors, qpdf.ToString());
        return pdfsig;
    }

    public static void AssertStartsWith(byte[] output, byte[] input)
    {
        Assert.True(output.Length > input.Length, "the signed file must be longer than its input");
        Assert.True(output.AsSpan(0, input.Length).SequenceEqual(input), "the signed file must start with the exact bytes of its input");
    }
}
