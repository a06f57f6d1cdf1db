using System.Xml;
using Certification.Signing.Pades;
using Certification.Signing.Revocation;
using Certification.Signing.Validation;
using Certification.Signing.Validation.Policy;
using Certification.Signing.Validation.Report;
using Certification.TestSupport;
using Xunit;

namespace Certification.Signing.Tests.Validation;

/// <summary>The ETSI TS 119 102-2 XML report: well-formed, in the standard's namespace and element names, and
/// carrying the indication, sub-indication and signer identity for a valid, a tampered and a revoked copy.</summary>
public sealed class EtsiReportTests
{
    private const string Vr = EtsiValidationReport.Namespace;

    private static (XmlDocument Xml, XmlNamespaceManager Ns) Parse(ValidationReport report)
    {
        var document = new XmlDocument();
        document.LoadXml(EtsiValidationReport.Write(report, new string('a', 64))); // throws unless well-formed
        var ns = new XmlNamespaceManager(document.NameTable);
        ns.AddNamespace("vr", Vr);
        ns.AddNamespace("cv", EtsiValidationReport.ExtensionNamespace);
        Assert.Equal("ValidationReport", document.DocumentElement!.LocalName);
        Assert.Equal(Vr, document.DocumentElement.NamespaceURI);
        return (document, ns);
    }

    private static string Text(XmlDocument xml, XmlNamespaceManager ns, string path) =>
        xml.SelectSingleNode(path, ns)?.InnerText ?? throw new Xunit.Sdk.XunitException($"no {path} in\n{xml.OuterXml}");

    [Fact]
    public async Task Valid_copy_is_total_passed_with_the_signer_named()
    {
        var report = ValidatorTests.Validate(await ValidationSamples.SignAsync(ValidationSamples.TwoPagePdf));
        var (xml, ns) = Parse(report);

        const string status = "/vr:ValidationReport/vr:SignatureValidationReport/vr:SignatureValidationStatus";
        Assert.Equal("urn:etsi:019102:mainindication:total-passed", Text(xml, ns, status + "/vr:MainIndication"));
        Assert.Null(xml.SelectSingleNode(status + "/vr:SubIndication", ns));
        Assert.Contains("Nguyễn Văn An", Text(xml, ns, "//vr:SignatureValidationReport/vr:SignerInformation/vr:Signer"));
        var certificateRef = xml.SelectSingleNode("//vr:SignerInformation/vr:SignerCertificate/@VOReference", ns)!.Value;
        Assert.Equal("urn:etsi:019102:validationObject:certificate",
            Text(xml, ns, $"//vr:SignatureValidationObjects/vr:ValidationObject[@id='{certificateRef}']/vr:ObjectType"));
        Assert.NotNull(xml.SelectSingleNode("//vr:ValidationTimeInfo/vr:BestSignatureTime/vr:POETime", ns));
        Assert.Equal(report.TrustStoreVersion, Text(xml, ns, "//cv:Details/cv:TrustStoreVersion"));
    }

    [Fact]
    public async Task Tampered_copy_is_total_failed_hash_failure()
    {
        var signed = await ValidationSamples.SignAsync(ValidationSamples.TwoPagePdf);
        signed[signed.AsSpan().IndexOf("stream"u8) + 20] ^= 0x01;
        var (xml, ns) = Parse(ValidatorTests.Validate(signed));

        Assert.Equal("urn:etsi:019102:mainindication:total-failed", Text(xml, ns, "//vr:SignatureValidationStatus/vr:MainIndication"));
        Assert.Equal("urn:etsi:019102:subindication:HASH_FAILURE", Text(xml, ns, "//vr:SignatureValidationStatus/vr:SubIndication"));
        Assert.Contains("Nguyễn Văn An", Text(xml, ns, "//vr:SignerInformation/vr:Signer"));
    }

    [Fact]
    public async Task Revoked_signer_is_total_failed_revoked()
    {
        var pki = TestPki.Shared;
        await pki.StartServerAsync();
        using var dir = new TempDirectory("etsi-revoked");
        var pdf = await File.ReadAllBytesAsync(SamplePdfs.PdfSharpText(dir.Path));
        using var key = pki.Revoked.ToSigningKey();
        var signed = await new PadesSigner().SignAsync(pdf, key, new SignatureRequest());
        using var online = new HttpValidationDataSource();
        var report = await PdfSignatureValidator.ValidateAsync(signed,
            new ValidationOptions { TrustAnchors = [pki.Pki.Root.Certificate], Offline = false, OnlineSource = online });
        var (xml, ns) = Parse(report);

        Assert.Equal("urn:etsi:019102:mainindication:total-failed", Text(xml, ns, "//vr:SignatureValidationStatus/vr:MainIndication"));
        Assert.Equal("urn:etsi:019102:subindication:REVOKED", Text(xml, ns, "//vr:SignatureValidationStatus/vr:SubIndication"));
        Assert.Equal(pki.Revoked.Certificate.SubjectDN.ToString(), Text(xml, ns, "//vr:SignerInformation/vr:Signer"));
    }

    [Fact]
    public void Unsigned_file_still_gives_a_schema_shaped_report()
    {
        var (xml, ns) = Parse(ValidatorTests.Validate(ValidationSamples.TwoPagePdf));
        Assert.Equal("urn:etsi:019102:mainindication:indeterminate", Text(xml, ns, "//vr:SignatureValidationStatus/vr:MainIndication"));
        Assert.Equal("notSigned", xml.SelectSingleNode("//cv:Finding/@code", ns)!.Value);
    }
}
