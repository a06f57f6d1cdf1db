using System.Security;
using System.Text;

namespace Certification.Signing.Documents;

/// <summary>XMP metadata (ISO 16684-1) of the copy, consistent with its Info dictionary as PDF/A-2
/// (ISO 19005-2 § 6.6) requires, with the certification fields in a custom schema that is described by a
/// PDF/A extension schema. The PDF/A identification is written only when <c>claimPdfA</c> is true.</summary>
internal static class CopyMetadata
{
    public const string Namespace = "https://certification.invalid/ns/certified-copy/1.0/";

    public static byte[] Xmp(CertificationDetails details, string title, DateTimeOffset time, string producer, bool claimPdfA)
    {
        static string X(string text) => SecurityElement.Escape(text);
        var date = time.ToString("yyyy-MM-dd'T'HH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture);
        var pdfa = claimPdfA
            ? """
                <rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">
                  <pdfaid:part>2</pdfaid:part>
                  <pdfaid:conformance>B</pdfaid:conformance>
                </rdf:Description>

              """
            : "";
        var xml = $"""
            <?xpacket begin="{'\uFEFF'}" id="W5M0MpCehiHzreSzNTczkc9d"?>
            <x:xmpmeta xmlns:x="adobe:ns:meta/">
              <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
            {pdfa}    <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
                  <dc:format>application/pdf</dc:format>
                  <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{X(title)}</rdf:li></rdf:Alt></dc:title>
                  <dc:creator><rdf:Seq><rdf:li>{X(details.OfficeName)}</rdf:li></rdf:Seq></dc:creator>
                  <dc:description><rdf:Alt><rdf:li xml:lang="x-default">{X(CertificationStatement.FormatDate(details.Date))}</rdf:li></rdf:Alt></dc:description>
                </rdf:Description>
                <rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/">
                  <xmp:CreateDate>{date}</xmp:CreateDate>
                  <xmp:ModifyDate>{date}</xmp:ModifyDate>
                  <xmp:MetadataDate>{date}</xmp:MetadataDate>
                  <xmp:CreatorTool>Certification</xmp:CreatorTool>
                </rdf:Description>
                <rdf:Description rdf:about="" xmlns:pdf="http://ns.adobe.com/pdf/1.3/">
                  <pdf:Producer>{X(producer)}</pdf:Producer>
                </rdf:Description>
                <rdf:Description rdf:about="" xmlns:cert="{Namespace}">
                  <cert:CertificationNumber>{X(details.CertificationNumber)}</cert:CertificationNumber>
                  <cert:CertificationBook>{X(details.Book)}</cert:CertificationBook>
                  <cert:OfficeCode>{X(details.OfficeCode)}</cert:OfficeCode>
                  <cert:LookupCode>{X(details.LookupCode)}</cert:LookupCode>
                </rdf:Description>
                <rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
                  <pdfaExtension:schemas>
                    <rdf:Bag>
                      <rdf:li rdf:parseType="Resource">
                        <pdfaSchema:schema>Certified copy</pdfaSchema:schema>
                        <pdfaSchema:namespaceURI>{Namespace}</pdfaSchema:namespaceURI>
                        <pdfaSchema:prefix>cert</pdfaSchema:prefix>
                        <pdfaSchema:property>
                          <rdf:Seq>
            {Property("CertificationNumber", "Number in the certification book")}
            {Property("CertificationBook", "Certification book, e.g. 01/2026-SCTĐT/BS")}
            {Property("OfficeCode", "Code of the certifying office")}
            {Property("LookupCode", "Code for looking the copy up on the verification page")}
                          </rdf:Seq>
                        </pdfaSchema:property>
                      </rdf:li>
                    </rdf:Bag>
                  </pdfaExtension:schemas>
                </rdf:Description>
              </rdf:RDF>
            </x:xmpmeta>
            <?xpacket end="w"?>
            """;
        return Encoding.UTF8.GetBytes(xml.Normalize(NormalizationForm.FormC));
    }

    private static string Property(string name, string description) => $"""
                                <rdf:li rdf:parseType="Resource">
                                  <pdfaProperty:name>{name}</pdfaProperty:name>
                                  <pdfaProperty:valueType>Text</pdfaProperty:valueType>
                                  <pdfaProperty:category>external</pdfaProperty:category>
                                  <pdfaProperty:description>{SecurityElement.Escape(description)}</pdfaProperty:description>
                                </rdf:li>
        """;

    private static readonly Lazy<byte[]?> Srgb = new(() =>
    {
        // The ICC's sRGB v2 profile that PDFsharp 6.2.4 ships as a resource (it uses it for its own PDF/A output).
        using var stream = typeof(PdfSharp.Pdf.PdfDocument).Assembly.GetManifestResourceStream("PdfSharp.Resources.sRGB2014.icc");
        if (stream is null) return null;
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    });

    /// <summary>The sRGB output profile for the PDF/A output intent, or null when unavailable.</summary>
    public static byte[]? SrgbProfile() => Srgb.Value;
}
