using Certification.Signing.Pades;
using Certification.Signing.Validation;
using Certification.Signing.Validation.Modifications;
using Certification.Signing.Validation.Policy;
using Certification.Signing.Validation.Report;
using Certification.TestSupport;
using Certification.TestSupport.ExternalTools;
using Xunit;

namespace Certification.Signing.Tests.Validation;

/// <summary>
/// Later revisions judged by what they do to objects the signed revision still shows (pyHanko's diff
/// policy, DSS's object-modification checks): a field's own appearance redrawn as it is filled or signed
/// is legitimate, an override of an object something else still uses is not, and an update that makes a
/// field show content prepared before signing (the "hide" shadow attacks of the form-over-form kind,
/// Mainka, Mladenov, Rohlmann, Schwenk, NDSS 2021) gets a finding naming the object, field and page.
/// Every file is generated here from one hand-written form.
/// </summary>
public sealed class LaterRevisionTests
{
    // Object numbers of the hand-written form (see Form).
    private const int Catalog = 1, Page = 3, AcroForm = 5, ApprovalWidget = 6, ApprovalAppearance = 7, AmountWidget = 8,
        ApprovalAppearanceDictionary = 9, AmountAppearance = 11, PreparedAppearance = 12, OverlayWidget = 13, CoverWidget = 14,
        OverlayAppearance = 15, CoverAppearance = 16, LowerWidget = 17, LowerAppearance = 18, Font = 20;

    /// <summary>One page with an empty signature field 'Approval' (its own appearance, /AP direct or
    /// indirect), a text field 'Amount' showing "100", a hidden field 'Overlay' on top of it, a field
    /// 'Lower' showing "1 000 000" under an opaque field 'Cover' showing "100", and an appearance
    /// stream showing "1 000 000" that nothing uses yet. <paramref name="catalogExtra"/> lets a
    /// "sneaky" file make the catalog use an appearance too.</summary>
    private static byte[] Form(bool indirectApprovalAppearance = false, string catalogExtra = "")
    {
        static string Stream(string dictionary, string content) =>
            $"<< {dictionary} /Length {content.Length} >>\nstream\n{content}\nendstream";
        static string Text(string value, bool opaque = false) => Stream(
            $"/Type /XObject /Subtype /Form /BBox [0 0 200 30] /Resources << /Font << /Helv {Font} 0 R >> >>",
            (opaque ? "1 g 0 0 200 30 re f " : "") + $"/Tx BMC BT 0 g /Helv 12 Tf 4 10 Td ({value}) Tj ET EMC");
        const string content = "BT /Helv 14 Tf 60 760 Td (So tien / Amount) Tj ET";
        var approvalAp = indirectApprovalAppearance ? $"{ApprovalAppearanceDictionary} 0 R" : $"<< /N {ApprovalAppearance} 0 R >>";
        var objects = new string?[Font];
        objects[Catalog - 1] = $"<< /Type /Catalog /Pages 2 0 R /AcroForm {AcroForm} 0 R {catalogExtra} >>";
        objects[1] = "<< /Type /Pages /Kids [3 0 R] /Count 1 >>";
        objects[Page - 1] = $"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /Helv {Font} 0 R >> >> " +
                            $"/Annots [{ApprovalWidget} 0 R {AmountWidget} 0 R {OverlayWidget} 0 R {LowerWidget} 0 R {CoverWidget} 0 R] >>";
        objects[3] = Stream("", content);
        objects[AcroForm - 1] = $"<< /Fields [{ApprovalWidget} 0 R {AmountWidget} 0 R {OverlayWidget} 0 R {LowerWidget} 0 R {CoverWidget} 0 R] " +
                                $"/DA (/Helv 0 Tf 0 g) /DR << /Font << /Helv {Font} 0 R >> >> >>";
        objects[ApprovalWidget - 1] = $"<< /Type /Annot /Subtype /Widget /FT /Sig /T (Approval) /F 132 /Rect [300 700 560 760] /P {Page} 0 R /AP {approvalAp} >>";
        objects[ApprovalAppearance - 1] = Stream("/Type /XObject /Subtype /Form /BBox [0 0 260 60] /Resources << >>", "q 0.95 g 0 0 260 60 re f Q 0.5 w 0 0 260 60 re S");
        objects[AmountWidget - 1] = Field("Amount", "100", 600, AmountAppearance);
        objects[ApprovalAppearanceDictionary - 1] = $"<< /N {ApprovalAppearance} 0 R >>";
        objects[9] = "<< /Producer (LaterRevisionTests) >>";
        objects[AmountAppearance - 1] = Text("100");
        objects[PreparedAppearance - 1] = Text("1 000 000");
        objects[OverlayWidget - 1] = Field("Overlay", "1 000 000", 600, OverlayAppearance, flags: 2);
        objects[CoverWidget - 1] = Field("Cover", "100", 500, CoverAppearance);
        objects[OverlayAppearance - 1] = Text("1 000 000", opaque: true);
        objects[CoverAppearance - 1] = Text("100", opaque: true);
        objects[LowerWidget - 1] = Field("Lower", "1 000 000", 500, LowerAppearance);
        objects[LowerAppearance - 1] = Text("1 000 000");
        objects[18] = "<< /Producer (LaterRevisionTests, unused) >>";
        objects[Font - 1] = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>";
        return ValidationSamples.WritePdf(objects.Select(o => o!).ToList());
    }

    /// <summary>A fuzzing seed that takes the form paths of the analysis: the form certified with P=2, an
    /// approval that redraws its field's own appearance, then a covering field emptied (form over form).</summary>
    internal static async Task<byte[]> FormWithLaterRevisionsAsync()
    {
        var certified = await ValidationSamples.SignAsync(Form(), new SignatureRequest { CertifyPermissions = 2 });
        var approved = SignApproval(certified, redrawInPlace: true);
        return ValidationSamples.AppendRevision(approved, HideAttack("covering field emptied", ValidationSamples.NextObjectNumber(approved)).Objects);
    }

    private static string Field(string name, string value, int y, int appearance, int flags = 4, string? appearanceEntry = null) =>
        $"<< /Type /Annot /Subtype /Widget /FT /Tx /T ({name}) /V ({value}) /DA (/Helv 12 Tf 0 g) /F {flags} " +
        $"/Rect [60 {y} 260 {y + 30}] /P {Page} 0 R /AP {appearanceEntry ?? $"<< /N {appearance} 0 R >>"} >>";

    private static string NewAppearance(string content, string resources = "") =>
        ValidationSamples.Stream(content).Replace("<< /Length", $"<< /Type /XObject /Subtype /Form /BBox [0 0 260 60] /Resources << {resources} >> /Length");

    /// <summary>The revision another product writes when it signs the empty field 'Approval': the widget
    /// gets its /V, and its appearance is either redrawn in place (pyHanko, form-update-override-appearance-stream)
    /// or a new stream.</summary>
    private static byte[] SignApproval(byte[] pdf, bool redrawInPlace, bool indirectAppearance = false)
    {
        var next = ValidationSamples.NextObjectNumber(pdf);
        var stamp = "q 0 0 0.6 rg BT /Helv 10 Tf 6 30 Td (Phe duyet / Approved) Tj ET Q 1 w 0 0 260 60 re S";
        var objects = new Dictionary<int, string> { [next] = ValidationSamples.SignaturePlaceholder() };
        string ap;
        if (redrawInPlace)
        {
            objects[ApprovalAppearance] = NewAppearance(stamp, $"/Font << /Helv {Font} 0 R >>");
            ap = indirectAppearance ? $"{ApprovalAppearanceDictionary} 0 R" : $"<< /N {ApprovalAppearance} 0 R >>";
        }
        else
        {
            objects[next + 1] = NewAppearance(stamp, $"/Font << /Helv {Font} 0 R >>");
            ap = $"<< /N {next + 1} 0 R >>";
        }
        objects[ApprovalWidget] = $"<< /Type /Annot /Subtype /Widget /FT /Sig /T (Approval) /F 132 /Rect [300 700 560 760] /P {Page} 0 R /AP {ap} /V {next} 0 R >>";
        return ValidationSamples.AppendSignedRevision(pdf, objects);
    }

    private static ValidationReport Validate(byte[] pdf, ValidationPolicy? policy = null) =>
        PdfSignatureValidator.Validate(pdf, new ValidationOptions { TrustAnchors = [ValidationTestPki.Instance.Root], Policy = policy ?? ValidationPolicy.Default });

    /// <summary>pdfsig's view: every signature intact ("Signature is Valid.").</summary>
    private static void AssertPdfsigValid(byte[] pdf, int signatures)
    {
        using var dir = new TempDirectory("later-revisions");
        var path = dir.File("signed.pdf");
        File.WriteAllBytes(path, pdf);
        var report = Pdfsig.Verify(path);
        Assert.Equal(signatures, report.Signatures.Count);
        Assert.All(report.Signatures, s => Assert.True(s.IsValid, report.ToString()));
    }

    public static TheoryData<bool, bool> ApprovalShapes => new() { { true, false }, { true, true }, { false, false } };

    /// <summary>pyHanko's form-update-override-appearance-stream(-ap-indirect).pdf, generated: the field's
    /// own appearance object is reused for the signature's appearance. Nothing else used it, so it is part
    /// of signing that field (pyHanko: FORM_FILLING, permitted), not a change to signed content.</summary>
    [Theory]
    [MemberData(nameof(ApprovalShapes))]
    public async Task Signing_a_prepared_field_that_redraws_its_own_appearance_is_not_flagged(bool redrawInPlace, bool indirectAppearance)
    {
        var first = await ValidationSamples.SignAsync(Form(indirectAppearance), new SignatureRequest());
        var pdf = SignApproval(first, redrawInPlace, indirectAppearance);

        var report = Validate(pdf);

        ValidatorTests.AssertPassed(report);
        var approvalFirst = report.Signatures.Single(s => s.FieldName == "Signature1");
        Assert.Equal(ModificationKind.SignaturesAndTimestamps, approvalFirst.ModificationsAfterSigning);
        Assert.Contains(approvalFirst.Modifications, m => m.Message == "empty signature field 'Approval' on page 1 (object 6) was signed");
        if (redrawInPlace)
            Assert.Contains(approvalFirst.Modifications, m => m.Message == $"the appearance of field 'Approval' on page 1 (object {ApprovalAppearance}) was redrawn as the field was signed");
        AssertPdfsigValid(pdf, 2);
    }

    /// <summary>pyHanko's -sneaky variants, generated: the catalog also uses the field's appearance (or its
    /// appearance dictionary), so redrawing it in place changes what the signed revision shows elsewhere.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Redrawing_an_appearance_that_the_signed_revision_also_uses_elsewhere_is_total_failed(bool indirectAppearance)
    {
        var sneaky = Form(indirectAppearance, $"/FooBar {(indirectAppearance ? ApprovalAppearanceDictionary : ApprovalAppearance)} 0 R");
        var first = await ValidationSamples.SignAsync(sneaky, new SignatureRequest());
        var pdf = SignApproval(first, redrawInPlace: true, indirectAppearance);

        var signature = Validate(pdf).Signatures.Single(s => s.FieldName == "Signature1");

        Assert.Equal(Indication.TotalFailed, signature.Indication);
        var shared = indirectAppearance ? $"its appearance dictionary (object {ApprovalAppearanceDictionary})" : "it";
        Assert.Contains(signature.Modifications, m => m.Kind == ModificationKind.Other &&
            m.Message == $"the appearance of field 'Approval' on page 1 (object {ApprovalAppearance}) was redefined, but the signed revision also uses {shared} outside that field: what those uses show changed too");
    }

    /// <summary>A certification signature with DocMDP P=2, then an approval signature in the empty field that
    /// was already in the certified revision: signing is what P=2 permits (ISO 32000-1 § 12.8.2.2), so both
    /// signatures are valid, whether the approval draws a new appearance or redraws the field's own.</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Approval_in_a_field_of_a_p2_certified_revision_leaves_both_signatures_valid(bool redrawInPlace)
    {
        var certified = await ValidationSamples.SignAsync(Form(), new SignatureRequest { CertifyPermissions = 2 });
        var pdf = SignApproval(certified, redrawInPlace);

        var report = Validate(pdf);

        ValidatorTests.AssertPassed(report);
        var certification = report.Signatures.Single(s => s.FieldName == "Signature1");
        Assert.Equal(2, certification.DocMdpPermissions);
        Assert.Contains(certification.Checks, c => c.Name == "docMdp" && c.Result == CheckResult.Passed);
        Assert.Equal(CheckResult.Passed, report.Signatures.Single(s => s.FieldName == "Approval").Checks.Single(c => c.Name == "signatureValue").Result);
        AssertPdfsigValid(pdf, 2);
    }

    /// <summary>Post-signing updates of field values and appearances after a P=2 certification (which
    /// permits form filling) that make the page show content prepared before signing.</summary>
    public static TheoryData<string> HideAttacks => new()
    {
        "prepared appearance switched in", "hidden field revealed", "covering field emptied",
        "new appearance draws a prepared form", "own appearance redrawn to draw a prepared form",
    };

    private static (Dictionary<int, string> Objects, string Expected) HideAttack(string attack, int next) => attack switch
    {
        "prepared appearance switched in" => (new() { [AmountWidget] = Field("Amount", "1 000 000", 600, PreparedAppearance) },
            $"form field 'Amount' on page 1 (object {AmountWidget}) now shows object {PreparedAppearance}, an appearance that was already in the document when it was signed"),
        "hidden field revealed" => (new() { [OverlayWidget] = Field("Overlay", "1 000 000", 600, OverlayAppearance) },
            $"form field 'Overlay' on page 1 (object {OverlayWidget}) was hidden when the document was signed and a later update made it visible"),
        "covering field emptied" => (new()
            {
                [CoverWidget] = Field("Cover", "", 500, next),
                [next] = NewAppearance("/Tx BMC EMC"),
            },
            $"form field 'Cover' on page 1 (object {CoverWidget}) changed what it shows after signing and overlaps form field 'Lower' (object {LowerWidget}) there"),
        "new appearance draws a prepared form" => (new()
            {
                [AmountWidget] = Field("Amount", "1 000 000", 600, next),
                [next] = NewAppearance("/Tx BMC /P Do EMC", $"/XObject << /P {PreparedAppearance} 0 R >>"),
            },
            $"form field 'Amount' on page 1 (object {AmountWidget}) now shows an appearance (object {next}) that draws /P, object {PreparedAppearance}, which was already in the document when it was signed"),
        "own appearance redrawn to draw a prepared form" => (new()
            {
                [AmountAppearance] = NewAppearance("/Tx BMC /P Do EMC", $"/XObject << /P {PreparedAppearance} 0 R >>"),
            },
            $"form field 'Amount' on page 1 (object {AmountWidget}) now shows an appearance (object {AmountAppearance}) that draws /P, object {PreparedAppearance}, which was already in the document when it was signed"),
        _ => throw new ArgumentException(attack),
    };

    [Theory]
    [MemberData(nameof(HideAttacks))]
    public async Task Hide_shadow_attack_is_named_and_judged_as_the_policy_says(string attack)
    {
        var certified = await ValidationSamples.SignAsync(Form(), new SignatureRequest { CertifyPermissions = 2 });
        var (objects, expected) = HideAttack(attack, ValidationSamples.NextObjectNumber(certified));
        var pdf = ValidationSamples.AppendRevision(certified, objects);

        // Default policy: a reveal of prepared content is TOTAL_FAILED, with the finding first in the message.
        var strict = Validate(pdf).Signatures.Single();
        Assert.Equal(Indication.TotalFailed, strict.Indication);
        var finding = Assert.Single(strict.Modifications, m => m.Message.StartsWith(expected, StringComparison.Ordinal));
        Assert.Contains("shadow attack", finding.Message);
        Assert.Equal(ModificationKind.Other, finding.Kind);
        var check = strict.Checks.Single(c => c.Name == "modificationsAfterSigning");
        Assert.Equal(CheckResult.Failed, check.Result);
        Assert.StartsWith("changed after signing: " + expected, check.Message);
        Assert.Contains(strict.Findings, f => f.Code == Findings.ChangedAfterSigningCode && f.Message.Contains(expected));

        // A lenient policy leaves the decision to a person: INDETERMINATE, with the same named finding,
        // also from the DocMDP check that P=2 form filling would otherwise pass.
        var lenient = Validate(pdf, ValidationPolicy.Default with { PreparedContentRevealed = CheckResult.Indeterminate }).Signatures.Single();
        Assert.Equal(Indication.Indeterminate, lenient.Indication);
        Assert.All(lenient.Checks.Where(c => c.Name is "modificationsAfterSigning" or "docMdp"), c =>
        {
            Assert.Equal(CheckResult.Indeterminate, c.Result);
            Assert.Contains(expected, c.Message);
        });
    }

    /// <summary>Reusing object numbers whose old objects nothing in the signed revision uses any more (an
    /// unused dictionary, the prepared appearance nobody shows yet) changes nothing that is displayed.</summary>
    [Fact]
    public async Task Redefining_objects_the_signed_revision_no_longer_uses_is_not_a_change()
    {
        var signed = await ValidationSamples.SignAsync(Form(), new SignatureRequest());
        var pdf = ValidationSamples.AppendRevision(signed, new Dictionary<int, string>
        {
            [19] = "<< /Producer (reused number) >>",
            [PreparedAppearance] = NewAppearance("BT /Helv 12 Tf (still unused) Tj ET"),
        });

        var report = Validate(pdf);

        ValidatorTests.AssertPassed(report);
        Assert.Equal(ModificationKind.None, report.Signatures.Single().ModificationsAfterSigning);
    }

    /// <summary>The control for the attacks: filling 'Amount' with a new appearance of its own is form filling,
    /// which P=2 permits; nothing prepared is revealed and nothing else is touched.</summary>
    [Fact]
    public async Task Filling_a_field_with_a_new_appearance_after_p2_certification_is_form_filling_only()
    {
        var certified = await ValidationSamples.SignAsync(Form(), new SignatureRequest { CertifyPermissions = 2 });
        var next = ValidationSamples.NextObjectNumber(certified);
        var pdf = ValidationSamples.AppendRevision(certified, new Dictionary<int, string>
        {
            [AmountWidget] = Field("Amount", "250", 600, next),
            [next] = NewAppearance("/Tx BMC BT 0 g /Helv 12 Tf 4 10 Td (250) Tj ET EMC", $"/Font << /Helv {Font} 0 R >>"),
        });

        var signature = Validate(pdf).Signatures.Single();

        var change = Assert.Single(signature.Modifications);
        Assert.Equal(ModificationKind.FormFilling, change.Kind);
        Assert.Equal($"form field 'Amount' on page 1 (object {AmountWidget}) was filled in", change.Message);
        Assert.Contains(signature.Checks, c => c.Name == "docMdp" && c.Result == CheckResult.Passed);
        // Form filling is not in the default policy's allowed changes: named, and INDETERMINATE rather than failed.
        Assert.Equal(Indication.Indeterminate, signature.Indication);
    }
}
