using System.Security.Cryptography.X509Certificates;
using PdfSharp.Pdf.IO;
using PdfSharp.Pdf.Signatures;

namespace Certification.Signing.Tests.ExternalTools;

/// <summary>A signed PDF from a producer other than ours (PDFsharp's own adbe.pkcs7.detached signer),
/// so the judges' self-tests do not depend on the product's signing code.</summary>
internal static class PdfSharpSignedSample
{
    public static string Sign(string inputPath, string outputPath, X509Certificate2 signer)
    {
        using var document = PdfReader.Open(inputPath, PdfDocumentOpenMode.Modify);
        var options = new DigitalSignatureOptions
        {
            Reason = "Judge self-test",
            Location = "Hà Nội",
            AppName = "Certification tests",
            Rectangle = new PdfSharp.Drawing.XRect(36, 36, 200, 50),
        };
        DigitalSignatureHandler.ForDocument(document, new PdfSharpDefaultSigner(signer, PdfMessageDigestType.SHA256, null), options);
        document.Save(outputPath);
        return outputPath;
    }
}
