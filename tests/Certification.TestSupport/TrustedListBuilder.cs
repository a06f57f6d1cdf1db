using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.Xml;
using System.Text;
using System.Xml;
using Certification.Signing.Pki;
using Certification.Signing.Trust;
using BcCertificate = Org.BouncyCastle.X509.X509Certificate;

namespace Certification.TestSupport;

/// <summary>One service of a test trusted list: its type, certificate and status history (oldest first).</summary>
public sealed record TrustedListService(string Name, string ServiceType, BcCertificate Certificate, IReadOnlyList<TrustStatusChange> History);

/// <summary>
/// Writes ETSI TS 119 612 trusted lists for tests, signed (enveloped XML-DSig over the whole list, RSA-SHA256,
/// exclusive C14N) with a list operator credential of the development PKI: the current status in
/// ServiceInformation, earlier ones in ServiceHistory, as real lists do.
/// </summary>
public static class TrustedListBuilder
{
    private const string Ns = TrustedList.Namespace;

    /// <summary>A list operator credential issued by the test PKI's root (made once per run).</summary>
    public static IssuedCredential Operator => LazyOperator.Value;

    private static readonly Lazy<IssuedCredential> LazyOperator = new(() => TestPki.Shared.IssueLeaf("DEVELOPMENT Trusted List Operator"));

    public static byte[] Build(IEnumerable<TrustedListService> services, DateTimeOffset issued, DateTimeOffset nextUpdate, int sequence = 1,
        IssuedCredential? signer = null, bool sign = true)
    {
        var document = new XmlDocument { PreserveWhitespace = true };
        var root = document.CreateElement("TrustServiceStatusList", Ns);
        root.SetAttribute("TSLTag", "http://uri.etsi.org/19612/TSLTag");
        root.SetAttribute("Id", "trusted-list");
        document.AppendChild(root);
        var scheme = Append(root, "SchemeInformation");
        Append(scheme, "TSLVersionIdentifier", "5");
        Append(scheme, "TSLSequenceNumber", sequence.ToString(CultureInfo.InvariantCulture));
        Append(scheme, "TSLType", "http://uri.etsi.org/TrstSvc/TrustedList/TSLType/VNgeneric");
        Append(Append(scheme, "SchemeOperatorName"), "Name", "DEVELOPMENT Trusted List Operator");
        Append(scheme, "SchemeTerritory", "VN");
        Append(scheme, "ListIssueDateTime", Time(issued));
        Append(Append(scheme, "NextUpdate"), "dateTime", Time(nextUpdate));
        var providers = Append(root, "TrustServiceProviderList");
        var provider = Append(providers, "TrustServiceProvider");
        Append(Append(Append(provider, "TSPInformation"), "TSPName"), "Name", "DEVELOPMENT trust service provider");
        var list = Append(provider, "TSPServices");
        foreach (var service in services)
        {
            var element = Append(list, "TSPService");
            var current = service.History[^1];
            WriteStatus(Append(element, "ServiceInformation"), service, current);
            if (service.History.Count > 1)
            {
                var history = Append(element, "ServiceHistory");
                foreach (var earlier in service.History.Take(service.History.Count - 1).Reverse()) WriteStatus(Append(history, "ServiceHistoryInstance"), service, earlier);
            }
        }
        if (sign) Sign(document, signer ?? Operator);
        using var buffer = new MemoryStream();
        document.Save(buffer);
        return buffer.ToArray();
    }

    /// <summary>The signed list with one service's status text replaced after signing (a tampered list).</summary>
    public static byte[] Tamper(byte[] signedList) =>
        Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(signedList).Replace(TrustedList.StatusWithdrawn, TrustedList.StatusGranted, StringComparison.Ordinal)
            .Replace("<TSLSequenceNumber>1<", "<TSLSequenceNumber>9<", StringComparison.Ordinal));

    private static void WriteStatus(XmlElement parent, TrustedListService service, TrustStatusChange status)
    {
        Append(parent, "ServiceTypeIdentifier", service.ServiceType);
        Append(Append(parent, "ServiceName"), "Name", service.Name);
        Append(Append(Append(parent, "ServiceDigitalIdentity"), "DigitalId"), "X509Certificate", Convert.ToBase64String(service.Certificate.GetEncoded()));
        Append(parent, "ServiceStatus", status.Status == TrustStatus.Granted ? TrustedList.StatusGranted : TrustedList.StatusWithdrawn);
        Append(parent, "StatusStartingTime", Time(status.From));
    }

    private static void Sign(XmlDocument document, IssuedCredential signer)
    {
        var signed = new SignedXml(document) { SigningKey = (RSA)signer.PrivateKey };
        var reference = new Reference("");
        reference.AddTransform(new XmlDsigEnvelopedSignatureTransform());
        reference.AddTransform(new XmlDsigExcC14NTransform());
        reference.DigestMethod = SignedXml.XmlDsigSHA256Url;
        signed.AddReference(reference);
        signed.SignedInfo!.CanonicalizationMethod = SignedXml.XmlDsigExcC14NTransformUrl;
        signed.SignedInfo.SignatureMethod = SignedXml.XmlDsigRSASHA256Url;
        var keyInfo = new KeyInfo();
        keyInfo.AddClause(new KeyInfoX509Data(TestPki.Certificate(signer)));
        signed.KeyInfo = keyInfo;
        signed.ComputeSignature();
        document.DocumentElement!.AppendChild(document.ImportNode(signed.GetXml(), true));
    }

    private static XmlElement Append(XmlElement parent, string name, string? text = null)
    {
        var element = parent.OwnerDocument.CreateElement(name, Ns);
        if (text is not null) element.InnerText = text;
        parent.AppendChild(element);
        return element;
    }

    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
