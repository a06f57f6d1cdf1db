using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Certification.Signing.Cms;
using Certification.Signing.Pades;
using Certification.Signing.Pdf;
using Certification.Signing.Timestamps;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tsp;
using Org.BouncyCastle.Utilities.Collections;
using PdfSharp.Drawing;
using BcCertificate = Org.BouncyCastle.X509.X509Certificate;

namespace Certification.Signing.Tests.Validation;

/// <summary>
/// A throwaway PKI for validation tests until the shared dev PKI lands: a root, a signer under it, and
/// an in-process TSA under the same root. Built once per test run (key generation is the slow part).
/// </summary>
public sealed class ValidationTestPki
{
    private static readonly Lazy<ValidationTestPki> Shared = new(() => new ValidationTestPki());
    public static ValidationTestPki Instance => Shared.Value;

    private ValidationTestPki()
    {
        var now = DateTimeOffset.UtcNow;
        RootKey = RSA.Create(2048);
        var rootRequest = new CertificateRequest("CN=Validation Test Root, O=Certification Tests", RootKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        rootRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var root = rootRequest.CreateSelfSigned(now.AddDays(-2), now.AddYears(10));
        Root = DotNetUtilities.FromX509Certificate(root);

        SignerKey = RSA.Create(2048);
        var signerRequest = new CertificateRequest("CN=Nguyễn Văn An, O=UBND phường Demo", SignerKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        signerRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation, true));
        using var signer = signerRequest.Create(root, now.AddDays(-1), now.AddYears(2), [1, 2, 3, 4]);
        Signer = DotNetUtilities.FromX509Certificate(signer);

        TsaKey = RSA.Create(2048);
        var tsaRequest = new CertificateRequest("CN=Test TSA, O=Certification Tests", TsaKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        tsaRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        tsaRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.8")], true));
        using var tsa = tsaRequest.Create(root, now.AddDays(-1), now.AddYears(5), [5, 6, 7, 8]);
        Tsa = DotNetUtilities.FromX509Certificate(tsa);

        OtherRootKey = RSA.Create(2048);
        var otherRequest = new CertificateRequest("CN=Unrelated Root", OtherRootKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        otherRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var other = otherRequest.CreateSelfSigned(now.AddDays(-2), now.AddYears(10));
        OtherRoot = DotNetUtilities.FromX509Certificate(other);
    }

    public RSA RootKey { get; }
    public BcCertificate Root { get; }
    public RSA SignerKey { get; }
    public BcCertificate Signer { get; }
    public RSA TsaKey { get; }
    public BcCertificate Tsa { get; }
    public RSA OtherRootKey { get; }
    public BcCertificate OtherRoot { get; }

    public ISigningKey SigningKey => new RsaSigningKey(SignerKey, [Signer, Root]);

    public ITimestampAuthority TimestampAuthority => new InProcessTsa(this);

    private sealed class RsaSigningKey(RSA rsa, IReadOnlyList<BcCertificate> chain) : ISigningKey
    {
        public IReadOnlyList<BcCertificate> CertificateChain => chain;
        public SignatureAlgorithm Algorithm => SignatureAlgorithm.RsaSha256;
        public Task<byte[]> SignDigestAsync(byte[] digest, CancellationToken ct = default) =>
            Task.FromResult(rsa.SignHash(digest, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }

    /// <summary>RFC 3161 tokens from BouncyCastle's generator, signed by the test TSA.</summary>
    private sealed class InProcessTsa(ValidationTestPki pki) : ITimestampAuthority
    {
        private static long _serial;

        public Task<byte[]> GetTimestampTokenAsync(byte[] digest, HashAlgorithmName hash, CancellationToken ct = default)
        {
            var key = DotNetUtilities.GetRsaKeyPair(pki.TsaKey).Private;
            var generator = new TimeStampTokenGenerator(key, pki.Tsa, CmsOids.DigestOid(HashAlgorithmName.SHA256).Id, "1.2.3.4.1");
            generator.SetCertificates(CollectionUtilities.CreateStore(new[] { pki.Tsa }));
            var requestGenerator = new TimeStampRequestGenerator();
            requestGenerator.SetCertReq(true); // the token then carries the TSA certificate (RFC 3161 § 2.4.1)
            var request = requestGenerator.Generate(CmsOids.DigestOid(hash).Id, digest);
            var token = generator.Generate(request, BigInteger.ValueOf(Interlocked.Increment(ref _serial)), DateTime.UtcNow);
            return Task.FromResult(token.GetEncoded());
        }
    }
}

/// <summary>Unsigned sample documents and raw incremental updates for attack generation.</summary>
public static class ValidationSamples
{
    private static readonly Lazy<byte[]> TwoPages = new(CreateTwoPages);

    public static byte[] TwoPagePdf => TwoPages.Value;

    private static byte[] CreateTwoPages()
    {
        Certification.Signing.Appearance.EmbeddedFonts.Install();
        using var document = new PdfSharp.Pdf.PdfDocument();
        for (var i = 1; i <= 2; i++)
        {
            var page = document.AddPage();
            using var gfx = XGraphics.FromPdfPage(page);
            gfx.DrawString($"Bản sao chứng thực — trang {i}", new XFont(Certification.Signing.Appearance.EmbeddedFonts.SerifFamily, 18), XBrushes.Black, 60, 100);
        }
        using var stream = new MemoryStream();
        document.Save(stream);
        return stream.ToArray();
    }

    public static async Task<byte[]> SignAsync(byte[] pdf, SignatureRequest? request = null, bool timestamped = false)
    {
        var pki = ValidationTestPki.Instance;
        var signer = new PadesSigner(timestamped ? pki.TimestampAuthority : null);
        return await signer.SignAsync(pdf, pki.SigningKey, request ?? new SignatureRequest { CertifyPermissions = 2 });
    }

    /// <summary>Appends a classic incremental update (ISO 32000-1 § 7.5.6) with the given object bodies;
    /// <paramref name="hiddenObjects"/> are written into the body but left out of the xref (shadow preparation);
    /// <paramref name="xrefOverrides"/> map object numbers to arbitrary offsets (xref-only shadow attacks).</summary>
    public static byte[] AppendRevision(byte[] pdf, IReadOnlyDictionary<int, string> objects,
        IReadOnlyDictionary<int, string>? hiddenObjects = null, IReadOnlyDictionary<int, long>? xrefOverrides = null)
    {
        var file = PdfFile.Open(pdf);
        var trailer = file.Trailer;
        var size = (int)((trailer["Size"] as PdfInteger)?.Value ?? 0);
        var body = new StringBuilder("\n");
        var offsets = new SortedDictionary<int, long>();
        foreach (var (number, text) in hiddenObjects ?? new Dictionary<int, string>())
            body.Append(CultureInfo.InvariantCulture, $"{number} 0 obj\n{text}\nendobj\n");
        foreach (var (number, text) in objects)
        {
            offsets[number] = pdf.Length + Encoding.Latin1.GetByteCount(body.ToString());
            body.Append(CultureInfo.InvariantCulture, $"{number} 0 obj\n{text}\nendobj\n");
        }
        foreach (var (number, offset) in xrefOverrides ?? new Dictionary<int, long>()) offsets[number] = offset;
        var xrefOffset = pdf.Length + Encoding.Latin1.GetByteCount(body.ToString());
        body.Append("xref\n");
        foreach (var (number, offset) in offsets)
            body.Append(CultureInfo.InvariantCulture, $"{number} 1\n{offset:D10} 00000 n\r\n");
        size = Math.Max(size, offsets.Count == 0 ? size : offsets.Keys.Max() + 1);
        body.Append(CultureInfo.InvariantCulture, $"trailer\n<< /Size {size} /Root {Ref(trailer["Root"])} /Prev {file.LastStartXref} >>\nstartxref\n{xrefOffset}\n%%EOF\n");
        return [.. pdf, .. Encoding.Latin1.GetBytes(body.ToString())];
    }

    /// <summary>A one-revision PDF written by hand: object i+1 is <paramref name="objects"/>[i], a classic
    /// xref table and a trailer with /Root 1 0 R (ISO 32000-1 § 7.5).</summary>
    public static byte[] WritePdf(IReadOnlyList<string> objects)
    {
        var text = new StringBuilder("%PDF-1.7\n%\u00e2\u00e3\u00cf\u00d3\n");
        var offsets = new List<int>();
        for (var i = 0; i < objects.Count; i++)
        {
            offsets.Add(Encoding.Latin1.GetByteCount(text.ToString()));
            text.Append(CultureInfo.InvariantCulture, $"{i + 1} 0 obj\n{objects[i]}\nendobj\n");
        }
        var xref = Encoding.Latin1.GetByteCount(text.ToString());
        text.Append(CultureInfo.InvariantCulture, $"xref\n0 {objects.Count + 1}\n0000000000 65535 f\r\n");
        foreach (var offset in offsets) text.Append(CultureInfo.InvariantCulture, $"{offset:D10} 00000 n\r\n");
        text.Append(CultureInfo.InvariantCulture, $"trailer\n<< /Size {objects.Count + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n");
        return Encoding.Latin1.GetBytes(text.ToString());
    }

    /// <summary>Room for the CMS in <see cref="SignaturePlaceholder"/>, in bytes.</summary>
    private const int PlaceholderContentsBytes = 8192;

    /// <summary>A signature dictionary whose /ByteRange and /Contents <see cref="FillSignature"/> fills in
    /// (a fixed-width /ByteRange patched after layout, as other products write it).</summary>
    public static string SignaturePlaceholder(string subFilter = "ETSI.CAdES.detached", string extraEntries = "") =>
        $"<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /{subFilter} {extraEntries} /M (D:{DateTime.UtcNow:yyyyMMddHHmmss}Z) " +
        $"/ByteRange [0 {new string(' ', 32)}] /Contents <{new string('0', PlaceholderContentsBytes * 2)}> >>";

    /// <summary>Fills in the last <see cref="SignaturePlaceholder"/> of <paramref name="pdf"/>: the byte range
    /// up to the end of the file, then the container <paramref name="sign"/> returns for the signed bytes.</summary>
    public static byte[] FillSignature(byte[] pdf, Func<byte[], byte[]> sign)
    {
        var start = pdf.AsSpan().LastIndexOf("/Contents <"u8) + "/Contents ".Length;
        var end = start + PlaceholderContentsBytes * 2 + 2;
        var rangeAt = pdf.AsSpan().LastIndexOf("/ByteRange [0 "u8) + "/ByteRange [0 ".Length;
        Encoding.ASCII.GetBytes($"{start} {end} {pdf.Length - end}".PadRight(32)).CopyTo(pdf, rangeAt);
        var hex = Encoding.ASCII.GetBytes(Convert.ToHexString(sign([.. pdf[..start], .. pdf[end..]])));
        hex.CopyTo(pdf, start + 1);
        return pdf;
    }

    /// <summary>A PAdES CMS (ESS signing-certificate-v2, no signing-time) by the test signer over <paramref name="signed"/>.</summary>
    public static byte[] PadesCms(byte[] signed)
    {
        var pki = ValidationTestPki.Instance;
        var attributes = CmsSignatureBuilder.BuildSignedAttributes(SHA256.HashData(signed), pki.Signer, HashAlgorithmName.SHA256);
        var value = pki.SignerKey.SignData(attributes, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return CmsSignatureBuilder.Assemble(attributes, value, SignatureAlgorithm.RsaSha256, [pki.Signer, pki.Root]);
    }

    /// <summary>Appends a revision written by hand that holds a <see cref="SignaturePlaceholder"/>, and signs
    /// it as the test signer: a signature made by another product, laid out exactly as the test needs.</summary>
    public static byte[] AppendSignedRevision(byte[] pdf, IReadOnlyDictionary<int, string> objects) =>
        FillSignature(AppendRevision(pdf, objects), PadesCms);

    public static int NextObjectNumber(byte[] pdf) => (int)((PdfFile.Open(pdf).Trailer["Size"] as PdfInteger)?.Value ?? 1);

    private static string Ref(PdfObject? obj) => obj is PdfReference r ? $"{r.ObjectNumber} {r.Generation} R" : throw new InvalidOperationException("no /Root");

    public static byte[] Flate(string text)
    {
        using var output = new MemoryStream();
        using (var z = new System.IO.Compression.ZLibStream(output, System.IO.Compression.CompressionLevel.Fastest)) z.Write(Encoding.Latin1.GetBytes(text));
        return output.ToArray();
    }

    public static string Stream(string content) => $"<< /Length {Encoding.Latin1.GetByteCount(content)} >>\nstream\n{content}\nendstream";
}
