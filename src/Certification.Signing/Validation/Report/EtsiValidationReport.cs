using System.Globalization;
using System.Text;
using System.Xml;

namespace Certification.Signing.Validation.Report;

/// <summary>
/// The report as an ETSI TS 119 102-2 (v1.2.1) XML signature validation report: one
/// SignatureValidationReport per signature or document timestamp, in the schema's element order
/// (SignatureIdentifier, ValidationTimeInfo, SignatureAttributes, SignerInformation,
/// SignatureValidationProcess, SignatureValidationStatus), the signer certificates and the validated
/// file as SignatureValidationObjects. What the schema has no element for (the trust store version, the
/// named findings, the plain-language summary) goes into elements of our own namespace, where the
/// schema's wildcards allow it (§ 4.3.1 "any").
/// </summary>
public static class EtsiValidationReport
{
    public const string Namespace = "http://uri.etsi.org/19102/v1.2.1#";
    public const string ExtensionNamespace = "urn:certification:validation-report:v1";
    private const string DsNamespace = "http://www.w3.org/2000/09/xmldsig#";
    private const string Sha256 = "http://www.w3.org/2001/04/xmlenc#sha256";

    /// <summary>§ 5.1.3 main indications and § 5.1.4 sub-indications as URIs.</summary>
    public static string MainIndicationUri(Indication indication) => indication switch
    {
        Indication.TotalPassed => "urn:etsi:019102:mainindication:total-passed",
        Indication.TotalFailed => "urn:etsi:019102:mainindication:total-failed",
        _ => "urn:etsi:019102:mainindication:indeterminate",
    };

    public static string SubIndicationUri(SubIndication sub) => "urn:etsi:019102:subindication:" + Names.Of(sub);

    public static string Write(ValidationReport report, string fileSha256)
    {
        var settings = new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false) };
        using var buffer = new MemoryStream();
        using (var xml = XmlWriter.Create(buffer, settings))
        {
            xml.WriteStartDocument();
            xml.WriteStartElement("vr", "ValidationReport", Namespace);
            xml.WriteAttributeString("xmlns", "ds", null, DsNamespace);
            xml.WriteAttributeString("xmlns", "cv", null, ExtensionNamespace);
            var objects = new List<(string Id, string Type, string Sha256Hex, DateTimeOffset? Poe)>
            {
                ("document", "urn:etsi:019102:validationObject:signedData", fileSha256, null),
            };
            if (report.Signatures.Count == 0) WriteNoSignature(xml, report);
            for (var i = 0; i < report.Signatures.Count; i++)
            {
                var s = report.Signatures[i];
                string? certificateId = null;
                if (s.Signer?.CertificateSha256 is { } fingerprint)
                {
                    certificateId = "cert-" + fingerprint[..16];
                    if (objects.All(o => o.Id != certificateId)) objects.Add((certificateId, "urn:etsi:019102:validationObject:certificate", fingerprint, null));
                }
                WriteSignature(xml, report, s, i, certificateId);
            }
            xml.WriteStartElement("vr", "SignatureValidationObjects", Namespace);
            foreach (var o in objects)
            {
                xml.WriteStartElement("vr", "ValidationObject", Namespace);
                xml.WriteAttributeString("id", o.Id);
                xml.WriteElementString("vr", "ObjectType", Namespace, o.Type);
                xml.WriteStartElement("vr", "ValidationObjectRepresentation", Namespace);
                WriteDigest(xml, o.Sha256Hex);
                xml.WriteEndElement();
                xml.WriteEndElement();
            }
            xml.WriteEndElement();
            xml.WriteEndElement();
            xml.WriteEndDocument();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteNoSignature(XmlWriter xml, ValidationReport report)
    {
        xml.WriteStartElement("vr", "SignatureValidationReport", Namespace);
        WriteTimeInfo(xml, report.ValidationTime, report.ValidationTime, "validation");
        xml.WriteStartElement("vr", "SignatureValidationStatus", Namespace);
        // TS 119 102-1 has no "no signature" indication: nothing can be accepted, so INDETERMINATE / FORMAT_FAILURE.
        xml.WriteElementString("vr", "MainIndication", Namespace, MainIndicationUri(Indication.Indeterminate));
        xml.WriteElementString("vr", "SubIndication", Namespace, SubIndicationUri(SubIndication.FormatFailure));
        xml.WriteEndElement();
        WriteExtensions(xml, report, report.Readable ? report.Findings : [new Finding("unreadable", report.Error ?? "unreadable")], null, Names.Of(report.Indication));
        xml.WriteEndElement();
    }

    private static void WriteSignature(XmlWriter xml, ValidationReport report, SignatureReport s, int index, string? certificateId)
    {
        xml.WriteStartElement("vr", "SignatureValidationReport", Namespace);

        xml.WriteStartElement("vr", "SignatureIdentifier", Namespace);
        xml.WriteAttributeString("id", $"sig-{index + 1}");
        xml.WriteElementString("vr", "DocHashOnly", Namespace, "false");
        xml.WriteElementString("vr", "HashOnly", Namespace, "false");
        xml.WriteEndElement();

        var proof = s.TimestampTime is not null && s.BestSignatureTime < report.ValidationTime ? "validation" : "provided";
        WriteTimeInfo(xml, report.ValidationTime, s.BestSignatureTime ?? report.ValidationTime, proof);

        xml.WriteStartElement("vr", "SignatureAttributes", Namespace);
        if (s.ClaimedSigningTime is { } claimed)
        {
            xml.WriteStartElement("vr", "SigningTime", Namespace);
            xml.WriteAttributeString("Signed", "true");
            xml.WriteElementString("vr", "Time", Namespace, Time(claimed));
            xml.WriteEndElement();
        }
        if (s.Type == "signature" && s.TimestampTime is { } ts)
        {
            xml.WriteStartElement("vr", "SignatureTimeStamp", Namespace);
            xml.WriteAttributeString("Signed", "false");
            xml.WriteElementString("vr", "TimeStampValue", Namespace, Time(ts));
            xml.WriteEndElement();
        }
        if (s.ByteRange is { Count: > 0 } range)
        {
            xml.WriteStartElement("vr", "ByteRange", Namespace);
            xml.WriteAttributeString("Signed", "true");
            xml.WriteString(string.Join(' ', range.Select(v => v.ToString(CultureInfo.InvariantCulture))));
            xml.WriteEndElement();
        }
        if (s.SubFilter is { } subFilter)
        {
            xml.WriteStartElement("vr", "SubFilter", Namespace);
            xml.WriteAttributeString("Signed", "true");
            xml.WriteElementString("vr", "SubFilterElement", Namespace, subFilter);
            xml.WriteEndElement();
        }
        xml.WriteEndElement();

        if (s.Signer is { } signer && certificateId is not null)
        {
            xml.WriteStartElement("vr", "SignerInformation", Namespace);
            xml.WriteStartElement("vr", "SignerCertificate", Namespace);
            xml.WriteAttributeString("VOReference", certificateId);
            xml.WriteEndElement();
            xml.WriteElementString("vr", "Signer", Namespace, signer.Subject);
            xml.WriteEndElement();
        }

        xml.WriteStartElement("vr", "SignatureValidationProcess", Namespace);
        // § 5.2.6: Basic, LTVM (with time-stamps) or LTA (long-term availability); ours is EN 319 102-1 with
        // past-POE use of time-stamps, i.e. the validation process for signatures with time.
        xml.WriteElementString("vr", "SignatureValidationProcessID", Namespace, "urn:etsi:019102:validationprocess:LTVM");
        xml.WriteEndElement();

        xml.WriteStartElement("vr", "SignatureValidationStatus", Namespace);
        xml.WriteElementString("vr", "MainIndication", Namespace, MainIndicationUri(s.Indication));
        if (s.SubIndication is { } sub) xml.WriteElementString("vr", "SubIndication", Namespace, SubIndicationUri(sub));
        xml.WriteEndElement();

        WriteExtensions(xml, report, s.Findings, s, Names.Of(s.Indication));
        xml.WriteEndElement();
    }

    private static void WriteTimeInfo(XmlWriter xml, DateTimeOffset validationTime, DateTimeOffset best, string typeOfProof)
    {
        xml.WriteStartElement("vr", "ValidationTimeInfo", Namespace);
        xml.WriteElementString("vr", "ValidationTime", Namespace, Time(validationTime));
        xml.WriteStartElement("vr", "BestSignatureTime", Namespace);
        xml.WriteElementString("vr", "POETime", Namespace, Time(best));
        xml.WriteElementString("vr", "TypeOfProof", Namespace, "urn:etsi:019102:poetype:" + typeOfProof);
        xml.WriteEndElement();
        xml.WriteEndElement();
    }

    private static void WriteExtensions(XmlWriter xml, ValidationReport report, IReadOnlyList<Finding> findings, SignatureReport? s, string indication)
    {
        xml.WriteStartElement("cv", "Details", ExtensionNamespace);
        xml.WriteElementString("cv", "Indication", ExtensionNamespace, indication);
        if (report.TrustStoreVersion is { } version) xml.WriteElementString("cv", "TrustStoreVersion", ExtensionNamespace, version);
        if (s is not null)
        {
            xml.WriteElementString("cv", "FieldName", ExtensionNamespace, s.FieldName);
            xml.WriteElementString("cv", "Level", ExtensionNamespace, s.Level);
            if (s.TrustAnchor is { } anchor)
            {
                xml.WriteStartElement("cv", "TrustAnchor", ExtensionNamespace);
                xml.WriteAttributeString("purpose", anchor.Purpose.ToString());
                xml.WriteAttributeString("source", anchor.Source);
                xml.WriteString(anchor.Subject);
                xml.WriteEndElement();
            }
            foreach (var check in s.Checks)
            {
                xml.WriteStartElement("cv", "Check", ExtensionNamespace);
                xml.WriteAttributeString("name", check.Name);
                xml.WriteAttributeString("result", Names.Of(check.Result));
                xml.WriteString(check.Message);
                xml.WriteEndElement();
            }
        }
        foreach (var finding in findings)
        {
            xml.WriteStartElement("cv", "Finding", ExtensionNamespace);
            xml.WriteAttributeString("code", finding.Code);
            xml.WriteString(finding.Message);
            xml.WriteEndElement();
        }
        if (s is not null)
        {
            xml.WriteStartElement("cv", "Summary", ExtensionNamespace);
            xml.WriteAttributeString("xml", "lang", null, "vi");
            xml.WriteString(s.Summary.Vi);
            xml.WriteEndElement();
            xml.WriteStartElement("cv", "Summary", ExtensionNamespace);
            xml.WriteAttributeString("xml", "lang", null, "en");
            xml.WriteString(s.Summary.En);
            xml.WriteEndElement();
        }
        xml.WriteEndElement();
    }

    private static void WriteDigest(XmlWriter xml, string sha256Hex)
    {
        xml.WriteStartElement("vr", "DigestAlgAndValue", Namespace);
        xml.WriteStartElement("ds", "DigestMethod", DsNamespace);
        xml.WriteAttributeString("Algorithm", Sha256);
        xml.WriteEndElement();
        xml.WriteElementString("ds", "DigestValue", DsNamespace, Convert.ToBase64String(Convert.FromHexString(sha256Hex)));
        xml.WriteEndElement();
    }

    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
