using Certification.TestSupport;
using Certification.TestSupport.ExternalTools;
using Xunit;

namespace Certification.Signing.Tests.Pades;

/// <summary>What every signed output must satisfy, as judged by the independent tools.</summary>
internal static class SignedFileAssertions
{
    /// <summary>pdfsig: every signature valid and trusted; openssl cms: every CMS verifies over its byte range;
    /// qpdf: no structural errors.</summary>
    public static PdfsigReport AssertJudgesAccept(string path, int expectedSignatures, params string[] extraAnchors)
    {
        // pdfsig asks the OCSP responder named in each certificate (NSS does), so the PKI must be serving.
        TestPki.Shared.StartServerAsync().GetAwaiter().GetResult();
        var anchors = new[] { TestPki.Shared.RootsPem }.Concat(extraAnchors).ToArray();
        var pdfsig = Pdfsig.Verify(path, anchors);
        Assert.True(pdfsig.Signatures.Count == expectedSignatures, $"pdfsig saw {pdfsig.Signatures.Count} signatures, expected {expectedSignatures}\n{pdfsig}");
        foreach (var signature in pdfsig.Signatures)
        {
            Assert.True(signature.IsValid, $"pdfsig: signature {signature.Number} not valid\n{pdfsig}");
            Assert.True(signature.IsTrusted, $"pdfsig: signature {signature.Number} not trusted\n{pdfsig}");
        }
        Assert.True(pdfsig.Signatures[^1].TotalDocumentSigned, $"the last signature must cover the whole file\n{pdfsig}");

        foreach (var verification in OpenSslCms.VerifyPdf(path, anchors))
            Assert.True(verification.Succeeded, verification.ToString());

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
