using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Cms;

namespace Certification.TestSupport.ExternalTools;

/// <summary>openssl's verdict on one CMS signature: exit code 0 means "Verification successful"
/// (content digest, signature value and chain to the given CA file).</summary>
public sealed record OpenSslVerification(int Index, ToolResult Raw)
{
    public bool Succeeded => Raw.ExitCode == 0;

    public override string ToString() => $"signature {Index}: {Raw}";
}

/// <summary><c>openssl cms -verify</c> as an independent judge of the CMS inside each PDF signature,
/// over exactly the bytes its /ByteRange names.</summary>
public static class OpenSslCms
{
    /// <summary>Verifies every signature of <paramref name="pdfPath"/> (document timestamps included:
    /// their CMS is an RFC 3161 token, itself SignedData) against the CA certificates in
    /// <paramref name="caPemPaths"/>. <paramref name="atTime"/> checks the chain at that time
    /// (<c>-attime</c>) instead of now.</summary>
    public static IReadOnlyList<OpenSslVerification> VerifyPdf(string pdfPath, IEnumerable<string> caPemPaths,
        DateTimeOffset? atTime = null, IEnumerable<string>? untrustedPemPaths = null)
    {
        var caPaths = caPemPaths.ToList();
        var untrusted = untrustedPemPaths?.ToList() ?? [];
        return PdfSignatureScanner.Scan(pdfPath)
            .Select(p => new OpenSslVerification(p.Index, Verify(p.Cms, p.SignedBytes, caPaths, atTime, untrusted)))
            .ToList();
    }

    /// <summary>Integrity only: <c>openssl cms -verify -noverify</c> (content digest and signature value,
    /// no chain) for every signature of <paramref name="pdfPath"/> that is not a document timestamp.</summary>
    public static IReadOnlyList<OpenSslVerification> VerifyPdfIntegrityOnly(string pdfPath) =>
        PdfSignatureScanner.Scan(pdfPath)
            .Where(p => p.SubFilter != "ETSI.RFC3161")
            .Select(p => new OpenSslVerification(p.Index, VerifyIntegrityOnly(p.Cms, p.SignedBytes)))
            .ToList();

    /// <summary><c>openssl cms -verify -noverify</c>: the signature over <paramref name="signedContent"/>
    /// without any chain or trust check.</summary>
    public static ToolResult VerifyIntegrityOnly(byte[] cmsDer, byte[] signedContent)
    {
        using var dir = new TempDirectory("openssl-cms");
        File.WriteAllBytes(dir.File("sig.der"), cmsDer);
        File.WriteAllBytes(dir.File("signed.bin"), signedContent);
        return ExternalTool.Run("openssl", ["cms", "-verify", "-noverify", "-binary", "-inform", "DER", "-in", dir.File("sig.der"),
            "-content", dir.File("signed.bin"), "-out", "/dev/null"]);
    }

    /// <summary><c>openssl cms -verify -binary -inform DER -in sig.der -content signed-bytes -CAfile ca.pem
    /// -purpose any -out /dev/null</c>.</summary>
    public static ToolResult Verify(byte[] cmsDer, byte[] signedContent, IEnumerable<string> caPemPaths,
        DateTimeOffset? atTime = null, IEnumerable<string>? untrustedPemPaths = null)
    {
        using var dir = new TempDirectory("openssl-cms");
        File.WriteAllBytes(dir.File("sig.der"), cmsDer);
        File.WriteAllBytes(dir.File("signed.bin"), signedContent);
        var ca = TrustAnchors.WriteBundle(caPemPaths, dir.File("ca.pem"));
        List<string> args = ["cms", "-verify", "-binary", "-inform", "DER", "-in", dir.File("sig.der"),
            "-content", dir.File("signed.bin"), "-CAfile", ca, "-purpose", "any", "-out", "/dev/null"];
        AddCommon(args, dir, atTime, untrustedPemPaths);
        return ExternalTool.Run("openssl", args);
    }

    internal static void AddCommon(List<string> args, TempDirectory dir, DateTimeOffset? atTime, IEnumerable<string>? untrustedPemPaths)
    {
        if (atTime is { } t) args.AddRange(["-attime", t.ToUnixTimeSeconds().ToString()]);
        var untrusted = untrustedPemPaths?.ToList() ?? [];
        if (untrusted.Count > 0) args.AddRange(["-untrusted", TrustAnchors.WriteBundle(untrusted, dir.File("untrusted.pem"))]);
    }
}

/// <summary><c>openssl ts -verify</c> as an independent judge of RFC 3161 timestamp tokens.</summary>
public static class OpenSslTs
{
    /// <summary>Verifies a timestamp token (DER ContentInfo) over <paramref name="data"/>
    /// (<c>-data</c>: openssl hashes it with the token's imprint algorithm).</summary>
    public static ToolResult VerifyData(byte[] tokenDer, byte[] data, IEnumerable<string> caPemPaths,
        IEnumerable<string>? untrustedPemPaths = null, DateTimeOffset? atTime = null)
    {
        using var dir = new TempDirectory("openssl-ts");
        File.WriteAllBytes(dir.File("data.bin"), data);
        return Run(tokenDer, ["-data", dir.File("data.bin")], dir, caPemPaths, untrustedPemPaths, atTime);
    }

    /// <summary>Verifies a timestamp token against an already computed message imprint
    /// (<c>-digest HEX</c>).</summary>
    public static ToolResult VerifyDigest(byte[] tokenDer, byte[] digest, IEnumerable<string> caPemPaths,
        IEnumerable<string>? untrustedPemPaths = null, DateTimeOffset? atTime = null)
    {
        using var dir = new TempDirectory("openssl-ts");
        return Run(tokenDer, ["-digest", Convert.ToHexString(digest)], dir, caPemPaths, untrustedPemPaths, atTime);
    }

    private static ToolResult Run(byte[] tokenDer, string[] imprintArgs, TempDirectory dir, IEnumerable<string> caPemPaths,
        IEnumerable<string>? untrustedPemPaths, DateTimeOffset? atTime)
    {
        File.WriteAllBytes(dir.File("token.der"), tokenDer);
        var ca = TrustAnchors.WriteBundle(caPemPaths, dir.File("ca.pem"));
        List<string> args = ["ts", "-verify", "-in", dir.File("token.der"), "-token_in", .. imprintArgs, "-CAfile", ca];
        OpenSslCms.AddCommon(args, dir, atTime, untrustedPemPaths);
        return ExternalTool.Run("openssl", args);
    }

    /// <summary>Reads a timestamp token as text (<c>openssl ts -reply -token_in -text</c>) for assertions
    /// on its fields (policy, gen time, TSA name).</summary>
    public static ToolResult Print(byte[] tokenDer)
    {
        using var dir = new TempDirectory("openssl-ts");
        File.WriteAllBytes(dir.File("token.der"), tokenDer);
        return ExternalTool.Run("openssl", ["ts", "-reply", "-in", dir.File("token.der"), "-token_in", "-text"]);
    }
}

/// <summary>A signature timestamp (ETSI EN 319 122-1 § 5.3) found in a signer's unsigned attributes,
/// with the bytes it must imprint: the SignerInfo's signature value (RFC 3161 Appendix A).</summary>
public sealed record SignatureTimestamp(int SignerIndex, byte[] TokenDer, byte[] ImprintedData);

/// <summary>Extracts what openssl cannot conveniently print, with BouncyCastle only parsing (never judging).</summary>
public static class CmsInspection
{
    /// <summary>id-aa-signatureTimeStampToken tokens of every signer in <paramref name="cmsDer"/>.</summary>
    public static IReadOnlyList<SignatureTimestamp> SignatureTimestamps(byte[] cmsDer)
    {
        var signed = new CmsSignedData(cmsDer);
        var result = new List<SignatureTimestamp>();
        var i = 0;
        foreach (var signer in signed.GetSignerInfos().GetSigners())
        {
            var attributes = signer.UnsignedAttributes;
            if (attributes is not null)
                foreach (Org.BouncyCastle.Asn1.Cms.Attribute attribute in attributes.GetAll(PkcsObjectIdentifiers.IdAASignatureTimeStampToken))
                    foreach (Asn1Encodable value in attribute.AttrValues)
                        result.Add(new SignatureTimestamp(i, value.ToAsn1Object().GetEncoded(Asn1Encodable.Der), signer.GetSignature()));
            i++;
        }
        return result;
    }

    /// <summary>The certificates embedded in the CMS, DER, in the order they appear.</summary>
    public static IReadOnlyList<byte[]> Certificates(byte[] cmsDer) =>
        new CmsSignedData(cmsDer).GetCertificates().EnumerateMatches(null).Select(c => c.GetEncoded()).ToList();
}
