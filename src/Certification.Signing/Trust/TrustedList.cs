using System.Globalization;
using X509CertificateLoader = System.Security.Cryptography.X509Certificates.X509CertificateLoader;
using System.Security.Cryptography.Xml;
using System.Xml;
using Org.BouncyCastle.X509;

namespace Certification.Signing.Trust;

/// <summary>
/// A trusted list in the ETSI TS 119 612 (v2.x) XML format, accepted only when its enveloped XML signature
/// (§ 5.7, XAdES over the whole list) verifies with the list operator's certificate configured beside it,
/// and its NextUpdate (§ 5.3.15) has not passed. Anything else is refused with
/// <see cref="TrustSourceRejectedException"/>, so the caller keeps the list it had.
/// </summary>
public sealed class TrustedList
{
    public const string Namespace = "http://uri.etsi.org/02231/v2#";
    public const string StatusGranted = "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/granted";
    public const string StatusWithdrawn = "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/withdrawn";
    public const string ServiceTypeCa = "http://uri.etsi.org/TrstSvc/Svctype/CA/PKC";
    public const string ServiceTypeTsa = "http://uri.etsi.org/TrstSvc/Svctype/TSA";

    /// <summary>Statuses of TS 119 612 before v2 (and national ones) that mean "trusted".</summary>
    private static readonly HashSet<string> GrantedStatuses =
    [
        StatusGranted,
        "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/undersupervision",
        "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/accredited",
        "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/supervisionincessation",
        "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/recognisedatnationallevel",
    ];

    public required string Operator { get; init; }
    public required string Territory { get; init; }
    public required int SequenceNumber { get; init; }
    public required DateTimeOffset IssueDate { get; init; }
    public required DateTimeOffset NextUpdate { get; init; }
    public required IReadOnlyList<TrustedAnchor> Anchors { get; init; }

    /// <summary>Verifies and reads a list. CA services (Svctype/CA/...) get <paramref name="caPurpose"/>; timestamping
    /// services (Svctype/TSA...) are always <see cref="TrustPurpose.Timestamps"/>; other service types are ignored.</summary>
    public static TrustedList Read(byte[] xml, X509Certificate operatorCertificate, TrustPurpose caPurpose, DateTimeOffset now, string source)
    {
        var document = Parse(xml, source);
        VerifySignature(document, operatorCertificate, source);
        var ns = new XmlNamespaceManager(document.NameTable);
        ns.AddNamespace("tsl", Namespace);
        var root = document.DocumentElement!;
        var scheme = root.SelectSingleNode("tsl:SchemeInformation", ns) ?? throw new TrustSourceRejectedException($"'{source}' has no SchemeInformation");
        var nextUpdateText = scheme.SelectSingleNode("tsl:NextUpdate/tsl:dateTime", ns)?.InnerText;
        // A list without NextUpdate is a closed list (§ 5.3.15): its scheme has ceased.
        if (nextUpdateText is null) throw new TrustSourceRejectedException($"'{source}' has no NextUpdate: the scheme operator closed the list");
        var nextUpdate = Time(nextUpdateText, source);
        if (nextUpdate < now) throw new TrustSourceRejectedException($"'{source}' expired: its NextUpdate {nextUpdate:u} has passed");
        var anchors = new List<TrustedAnchor>();
        foreach (XmlNode service in root.SelectNodes("tsl:TrustServiceProviderList/tsl:TrustServiceProvider/tsl:TSPServices/tsl:TSPService", ns)!)
        {
            var information = service.SelectSingleNode("tsl:ServiceInformation", ns);
            if (information is null) continue;
            var type = information.SelectSingleNode("tsl:ServiceTypeIdentifier", ns)?.InnerText.Trim() ?? "";
            TrustPurpose purpose;
            if (type.StartsWith(ServiceTypeTsa, StringComparison.Ordinal)) purpose = TrustPurpose.Timestamps;
            else if (type.StartsWith("http://uri.etsi.org/TrstSvc/Svctype/CA/", StringComparison.Ordinal)) purpose = caPurpose;
            else continue;
            var name = information.SelectSingleNode("tsl:ServiceName/tsl:Name", ns)?.InnerText.Trim() ?? type;
            var history = new List<TrustStatusChange> { Status(information, ns, source) };
            foreach (XmlNode instance in service.SelectNodes("tsl:ServiceHistory/tsl:ServiceHistoryInstance", ns)!) history.Add(Status(instance, ns, source));
            history.Sort((a, b) => a.From.CompareTo(b.From));
            foreach (XmlNode id in information.SelectNodes("tsl:ServiceDigitalIdentity/tsl:DigitalId/tsl:X509Certificate", ns)!)
            {
                X509Certificate certificate;
                try { certificate = new X509CertificateParser().ReadCertificate(Convert.FromBase64String(id.InnerText.Trim())); }
                catch (Exception e) when (e is FormatException or Org.BouncyCastle.Security.Certificates.CertificateException or IOException)
                {
                    throw new TrustSourceRejectedException($"'{source}': service '{name}' has an unreadable certificate", e);
                }
                anchors.Add(new TrustedAnchor(certificate, purpose, history, source, name));
            }
        }
        return new TrustedList
        {
            Operator = scheme.SelectSingleNode("tsl:SchemeOperatorName/tsl:Name", ns)?.InnerText.Trim() ?? "",
            Territory = scheme.SelectSingleNode("tsl:SchemeTerritory", ns)?.InnerText.Trim() ?? "",
            SequenceNumber = int.TryParse(scheme.SelectSingleNode("tsl:TSLSequenceNumber", ns)?.InnerText, CultureInfo.InvariantCulture, out var n) ? n : 0,
            IssueDate = Time(scheme.SelectSingleNode("tsl:ListIssueDateTime", ns)?.InnerText ?? nextUpdateText, source),
            NextUpdate = nextUpdate,
            Anchors = anchors,
        };
    }

    private static XmlDocument Parse(byte[] xml, string source)
    {
        // No DTDs and no external resolution: a trusted list is hostile input until its signature verifies.
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, MaxCharactersInDocument = 64L * 1024 * 1024 };
        var document = new XmlDocument { PreserveWhitespace = true, XmlResolver = null };
        try
        {
            using var reader = XmlReader.Create(new MemoryStream(xml), settings);
            document.Load(reader);
        }
        catch (XmlException e)
        {
            throw new TrustSourceRejectedException($"'{source}' is not well-formed XML: {e.Message}", e);
        }
        if (document.DocumentElement is not { LocalName: "TrustServiceStatusList", NamespaceURI: Namespace })
            throw new TrustSourceRejectedException($"'{source}' is not an ETSI TS 119 612 TrustServiceStatusList");
        return document;
    }

    /// <summary>Exactly one enveloped signature, a child of the root, whose single reference is the whole list
    /// (URI "" or the root's Id): anything else could sign a part and leave the rest unprotected (wrapping).</summary>
    private static void VerifySignature(XmlDocument document, X509Certificate operatorCertificate, string source)
    {
        var root = document.DocumentElement!;
        var signatures = document.GetElementsByTagName("Signature", SignedXml.XmlDsigNamespaceUrl);
        if (signatures.Count == 0) throw new TrustSourceRejectedException($"'{source}' is not signed");
        if (signatures.Count > 1 || signatures[0]!.ParentNode != root)
            throw new TrustSourceRejectedException($"'{source}' must carry exactly one signature, enveloped in the list");
        var signed = new SignedXml(document);
        signed.LoadXml((XmlElement)signatures[0]!);
        if (signed.SignedInfo?.References is not { Count: 1 } references || references[0] is not Reference reference)
            throw new TrustSourceRejectedException($"'{source}': the signature must have exactly one reference, to the whole list");
        var rootId = root.GetAttribute("Id");
        if (reference.Uri != "" && !(rootId.Length > 0 && reference.Uri == "#" + rootId))
            throw new TrustSourceRejectedException($"'{source}': the signature does not cover the whole list (reference '{reference.Uri}')");
        using var certificate = X509CertificateLoader.LoadCertificate(operatorCertificate.GetEncoded());
        bool valid;
        try { valid = signed.CheckSignature(certificate, verifySignatureOnly: true); }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            throw new TrustSourceRejectedException($"'{source}': the signature cannot be checked: {e.Message}", e);
        }
        if (!valid) throw new TrustSourceRejectedException($"'{source}': the signature does not verify with the list operator's certificate (tampered, or signed by someone else)");
    }

    private static TrustStatusChange Status(XmlNode node, XmlNamespaceManager ns, string source)
    {
        var status = node.SelectSingleNode("tsl:ServiceStatus", ns)?.InnerText.Trim() ?? "";
        var from = Time(node.SelectSingleNode("tsl:StatusStartingTime", ns)?.InnerText ?? throw new TrustSourceRejectedException($"'{source}': a service status has no StatusStartingTime"), source);
        return new TrustStatusChange(GrantedStatuses.Contains(status) ? TrustStatus.Granted : TrustStatus.Withdrawn, from);
    }

    private static DateTimeOffset Time(string text, string source) =>
        DateTimeOffset.TryParse(text.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t)
            ? t
            : throw new TrustSourceRejectedException($"'{source}': '{text}' is not an xsd:dateTime");
}
