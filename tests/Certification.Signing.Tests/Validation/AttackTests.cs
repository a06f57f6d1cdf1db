using Xunit;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Certification.Signing.Pades;
using Certification.Signing.Pdf;
using Certification.Signing.Validation.Report;

namespace Certification.Signing.Tests.Validation;

/// <summary>
/// The attack generator: takes a freshly signed certified copy and applies the known attacks on PDF
/// signatures (Mladenov et al. 2019 "1 Trillion Dollar Refund"; Mainka et al. 2021 shadow attacks).
/// Every attack must be flagged with a message naming it; legitimate updates must not be.
/// </summary>
public sealed class AttackTests
{
    private static readonly Lazy<Task<byte[]>> Certified = new(() => ValidationSamples.SignAsync(ValidationSamples.TwoPagePdf));

    public static TheoryData<string> Attacks => new(AttackNames);

    private static readonly string[] AttackNames =
    [
        "page content changed in an appended revision",
        "signed page object redefined",
        "page content stream redefined",
        "appended page",
        "ByteRange moved",
        "ByteRange overlapping",
        "ByteRange not starting at 0",
        "signature dictionary wrapped in a later revision",
        "zeroed Contents",
        "empty Contents",
        "truncated Contents",
        "bytes appended after the last %%EOF",
        "shadow hide: prepared content referenced after signing",
        "shadow replace: xref-only revision points at a prepared object",
        "hidden object revealed after signing",
        "object stream redefined after signing",
    ];

    [Theory]
    [MemberData(nameof(Attacks))]
    public async Task Attack_is_flagged_with_a_naming_message(string attack)
    {
        var (pdf, expected) = await Generate(attack);
        var report = ValidatorTests.Validate(pdf);

        Assert.NotEqual(Indication.TotalPassed, report.Indication);
        var signature = report.Signatures.First(s => s.FieldName == "Signature1");
        Assert.NotEqual(Indication.TotalPassed, signature.Indication);
        var findings = signature.Checks.Where(c => c.Result != CheckResult.Passed).Select(c => c.Message)
            .Concat(signature.Modifications.Select(m => m.Message)).ToList();
        Assert.Contains(findings, f => f.Contains(expected, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Legitimate_second_signature_dss_update_and_document_timestamp_are_not_flagged()
    {
        var pki = ValidationTestPki.Instance;
        var signer = new PadesSigner(pki.TimestampAuthority);
        var once = await Certified.Value;
        var twice = await signer.SignAsync(once, pki.SigningKey, new SignatureRequest { Reason = "Đồng ký" });
        var withDss = await signer.AddValidationDataAsync(twice);
        var withTimestamp = await signer.AddDocumentTimestampAsync(withDss, HashAlgorithmName.SHA256);

        foreach (var pdf in new[] { twice, withDss, withTimestamp })
        {
            var report = ValidatorTests.Validate(pdf);
            Assert.True(report.Indication == Indication.TotalPassed, string.Join("\n", report.Signatures.SelectMany(s => s.Checks.Where(c => c.Result != CheckResult.Passed).Select(c => $"{s.FieldName}: {c.Name}: {c.Message}"))));
            Assert.All(report.Signatures, s => Assert.DoesNotContain(s.Modifications, m => m.Kind > Certification.Signing.Validation.Modifications.ModificationKind.SignaturesAndTimestamps));
        }
    }

    [Fact]
    public async Task DocMdp_p1_forbids_a_second_signature()
    {
        var pki = ValidationTestPki.Instance;
        var p1 = await ValidationSamples.SignAsync(ValidationSamples.TwoPagePdf, new SignatureRequest { CertifyPermissions = 1 });
        // PadesSigner refuses to sign a P=1 document, so add an unsigned signature field by hand: a new
        // empty signature widget is still a signature addition that P=1 forbids.
        var file = PdfFile.Open(p1);
        var pageRef = file.GetPageReferences()[0];
        var page = new PdfDictionary((PdfDictionary)file.GetObject(pageRef.ObjectNumber)!);
        var next = ValidationSamples.NextObjectNumber(p1);
        var annots = new PdfArray((file.Resolve(page["Annots"]) as PdfArray)?.Items ?? []);
        annots.Add(new PdfReference(next, 0));
        page["Annots"] = annots;
        var pdf = ValidationSamples.AppendRevision(p1, new Dictionary<int, string>
        {
            [next] = $"<< /Type /Annot /Subtype /Widget /FT /Sig /T (Extra) /Rect [0 0 0 0] /P {pageRef.ObjectNumber} 0 R >>",
            [pageRef.ObjectNumber] = page.ToString(),
        });
        var report = ValidatorTests.Validate(pdf);
        var signature = report.Signatures.Single(s => s.FieldName == "Signature1");
        Assert.Equal(Indication.TotalFailed, signature.Indication);
        Assert.Contains(signature.Checks, c => c.Name == "docMdp" && c.Result == CheckResult.Failed && c.Message.Contains("P=1"));
        _ = pki;
    }

    private static async Task<(byte[] Pdf, string Expected)> Generate(string attack)
    {
        var signed = (await Certified.Value).ToArray();
        var file = PdfFile.Open(signed);
        var pageRef = file.GetPageReferences()[0];
        var page = (PdfDictionary)file.GetObject(pageRef.ObjectNumber)!;
        var contentRef = page["Contents"] as PdfReference ?? (PdfReference)((PdfArray)file.Resolve(page["Contents"])!)[0];
        var next = ValidationSamples.NextObjectNumber(signed);
        var signature = EmbeddedSignatures.Find(file)[0];
        var range = signature.ByteRange!;
        switch (attack)
        {
            case "page content changed in an appended revision":
            {
                var changed = new PdfDictionary(page).Set("Contents", new PdfReference(next, 0));
                return (ValidationSamples.AppendRevision(signed, new Dictionary<int, string>
                {
                    [next] = ValidationSamples.Stream("BT /F1 24 Tf 60 100 Td (FORGED) Tj ET"),
                    [pageRef.ObjectNumber] = changed.ToString(),
                }), $"page 1 content replaced by object {next}");
            }
            case "signed page object redefined":
            {
                var changed = new PdfDictionary(page).Set("MediaBox", new PdfArray([new PdfInteger(0), new PdfInteger(0), new PdfInteger(300), new PdfInteger(300)]));
                return (ValidationSamples.AppendRevision(signed, new Dictionary<int, string> { [pageRef.ObjectNumber] = changed.ToString() }), "page 1 entry /MediaBox changed");
            }
            case "page content stream redefined":
                return (ValidationSamples.AppendRevision(signed, new Dictionary<int, string>
                {
                    [contentRef.ObjectNumber] = ValidationSamples.Stream("BT /F1 24 Tf 60 100 Td (FORGED) Tj ET"),
                }), $"content of page 1 (object {contentRef.ObjectNumber})");
            case "appended page":
            {
                var pagesRef = (PdfReference)file.Catalog["Pages"]!;
                var pages = new PdfDictionary((PdfDictionary)file.GetObject(pagesRef.ObjectNumber)!);
                var kids = new PdfArray(((PdfArray)file.Resolve(pages["Kids"])!).Items);
                kids.Add(new PdfReference(next, 0));
                pages["Kids"] = kids;
                pages["Count"] = new PdfInteger(kids.Count);
                var newPage = new PdfDictionary(page).Set("Parent", pagesRef);
                newPage["Annots"] = null;
                return (ValidationSamples.AppendRevision(signed, new Dictionary<int, string>
                {
                    [next] = newPage.ToString(),
                    [pagesRef.ObjectNumber] = pages.ToString(),
                }), "2 page(s) before, 3 page(s) after");
            }
            case "ByteRange moved":
                return (RewriteByteRange(signed, range, [0, range[1] - 100, range[2] - 100, range[3] + 100]), "is not this signature's /Contents");
            case "ByteRange overlapping":
                return (RewriteByteRange(signed, range, [0, range[1] + 200, range[1], range[3] + range[2] - range[1]]), "overlap");
            case "ByteRange not starting at 0":
                return (RewriteByteRange(signed, range, [10, range[1] - 10, range[2], range[3]]), "not at the beginning");
            case "signature dictionary wrapped in a later revision":
            {
                // The signature dictionary is redefined after signing (e.g. a forged /Reason), keeping the
                // original /ByteRange that still hashes correctly: the gap no longer is its /Contents.
                var dict = new PdfDictionary(signature.Dictionary).Set("Reason", new PdfString(Encoding.ASCII.GetBytes("Forged")));
                return (ValidationSamples.AppendRevision(signed, new Dictionary<int, string> { [signature.ValueReference!.ObjectNumber] = dict.ToString() }),
                    "is not this signature's /Contents");
            }
            case "zeroed Contents":
                for (var i = range[1] + 1; i < range[2] - 1; i++) signed[i] = (byte)'0';
                return (signed, "all zeros");
            case "empty Contents":
                signed[range[1] + 1] = (byte)'>';
                for (var i = range[1] + 2; i < range[2]; i++) signed[i] = (byte)' ';
                return (signed, "/Contents is empty");
            case "truncated Contents":
            {
                var hexLength = range[2] - range[1] - 2;
                var container = signature.ContainerBytes.Length * 2;
                for (var i = range[1] + 1 + container / 2; i < range[1] + 1 + hexLength; i++) signed[i] = (byte)'0';
                return (signed, "signature could not be read");
            }
            case "bytes appended after the last %%EOF":
                return ([.. signed, .. Encoding.ASCII.GetBytes("\n1 0 obj << /Evil true >> endobj\n")], "after the last %%EOF");
            case "shadow hide: prepared content referenced after signing":
            {
                var unsigned = ValidationSamples.TwoPagePdf;
                var prepared = ValidationSamples.NextObjectNumber(unsigned);
                unsigned = ValidationSamples.AppendRevision(unsigned, new Dictionary<int, string>
                {
                    [prepared] = ValidationSamples.Stream("BT /F1 24 Tf 60 300 Td (Prepared before signing) Tj ET"),
                });
                var shadowSigned = await ValidationSamples.SignAsync(unsigned);
                var f = PdfFile.Open(shadowSigned);
                var p = f.GetPageReferences()[0];
                var dict = new PdfDictionary((PdfDictionary)f.GetObject(p.ObjectNumber)!).Set("Contents", new PdfReference(prepared, 0));
                return (ValidationSamples.AppendRevision(shadowSigned, new Dictionary<int, string> { [p.ObjectNumber] = dict.ToString() }),
                    $"page 1 content replaced by object {prepared}");
            }
            case "shadow replace: xref-only revision points at a prepared object":
            {
                // Before signing, a second definition of the page's content stream is written into the
                // body but left out of the xref; after signing, a revision with only an xref entry reveals it.
                var unsigned = ValidationSamples.TwoPagePdf;
                var u = PdfFile.Open(unsigned);
                var up = (PdfDictionary)u.GetObject(u.GetPageReferences()[0].ObjectNumber)!;
                var content = up["Contents"] as PdfReference ?? (PdfReference)((PdfArray)u.Resolve(up["Contents"])!)[0];
                unsigned = ValidationSamples.AppendRevision(unsigned, new Dictionary<int, string>(),
                    hiddenObjects: new Dictionary<int, string> { [content.ObjectNumber] = ValidationSamples.Stream("BT /F1 24 Tf 60 100 Td (REPLACED) Tj ET") });
                var hiddenAt = unsigned.AsSpan().LastIndexOf(Encoding.ASCII.GetBytes($"\n{content.ObjectNumber} 0 obj\n")) + 1;
                var shadowSigned = await ValidationSamples.SignAsync(unsigned);
                return (ValidationSamples.AppendRevision(shadowSigned, new Dictionary<int, string>(), xrefOverrides: new Dictionary<int, long> { [content.ObjectNumber] = hiddenAt }),
                    $"content of page 1 (object {content.ObjectNumber}) was rewritten");
            }
            case "hidden object revealed after signing":
            {
                // The page refers to a content stream that does not exist when signed (so nothing shows);
                // a later revision defines it.
                var unsigned = ValidationSamples.TwoPagePdf;
                var u = PdfFile.Open(unsigned);
                var upRef = u.GetPageReferences()[0];
                var up = new PdfDictionary((PdfDictionary)u.GetObject(upRef.ObjectNumber)!);
                var missing = ValidationSamples.NextObjectNumber(unsigned) + 50;
                var contents = new PdfArray(up["Contents"] is PdfArray a ? a.Items : [up["Contents"]!]);
                contents.Add(new PdfReference(missing, 0));
                up["Contents"] = contents;
                unsigned = ValidationSamples.AppendRevision(unsigned, new Dictionary<int, string> { [upRef.ObjectNumber] = up.ToString() });
                var shadowSigned = await ValidationSamples.SignAsync(unsigned);
                return (ValidationSamples.AppendRevision(shadowSigned, new Dictionary<int, string>
                {
                    [missing] = ValidationSamples.Stream("BT /F1 24 Tf 60 200 Td (REVEALED) Tj ET"),
                }), $"object {missing} was referenced but missing");
            }
            case "object stream redefined after signing":
            {
                // The page's font lives in object stream 6 of the hybrid file; redefining the stream changes
                // the font the signed page uses without redefining the font object itself.
                var hybridSigned = await ValidationSamples.SignAsync(Certification.TestSupport.HybridReferencePdf.Build());
                const string font = "<< /Type /Font /Subtype /Type1 /BaseFont /Courier >>";
                const string header = "5 0 ";
                return (ValidationSamples.AppendRevision(hybridSigned, new Dictionary<int, string>
                {
                    [6] = $"<< /Type /ObjStm /N 1 /First {header.Length} /Length {header.Length + font.Length} >>\nstream\n{header}{font}\nendstream",
                }), "object stream 6, which holds objects of the signed revision, was redefined");
            }
            default:
                throw new ArgumentException(attack);
        }
    }

    /// <summary>Rewrites the /ByteRange text in place, keeping its length (so nothing else moves).</summary>
    private static byte[] RewriteByteRange(byte[] pdf, long[] original, long[] replacement)
    {
        var text = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"[{original[0]} {original[1]} {original[2]} {original[3]}]"));
        var at = pdf.AsSpan().LastIndexOf(text);
        Assert.True(at > 0, "ByteRange text not found");
        var width = text.Length;
        while (pdf[at + width] == ' ') width++;
        var updated = string.Create(CultureInfo.InvariantCulture, $"[{replacement[0]} {replacement[1]} {replacement[2]} {replacement[3]}]");
        Assert.True(updated.Length <= width, "replacement ByteRange does not fit");
        Encoding.ASCII.GetBytes(updated.PadRight(width)).CopyTo(pdf, at);
        return pdf;
    }
}
