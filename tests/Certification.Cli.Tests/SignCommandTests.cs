using Certification.Signing.Pdf;
using Certification.TestSupport;
using Certification.TestSupport.ExternalTools;
using Xunit;

namespace Certification.Cli.Tests;

/// <summary>The <c>sign</c> verb, run in this process through <see cref="CommandLine.RunAsync"/> (one spawned
/// process proves the exit code end to end), signing with <see cref="TestPki.Shared"/>'s officer.p12.</summary>
[Collection(InProcessCliCollection.Name)]
public sealed class SignCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new("cli-sign");

    public SignCommandTests()
    {
        Input = SamplePdfs.PdfSharpText(_dir.Path);
        OutputDirectory = Directory.CreateDirectory(_dir.File("out")).FullName;
        Output = Path.Combine(OutputDirectory, "signed.pdf");
    }

    private static TestPki Pki => TestPki.Shared;

    private string Input { get; }

    /// <summary>Holds nothing but what the command writes.</summary>
    private string OutputDirectory { get; }

    private string Output { get; }

    public void Dispose() => _dir.Dispose();

    private static async Task<string> TsaUrlAsync()
    {
        await Pki.StartServerAsync();
        return Pki.Pki.TimestampUrl.ToString();
    }

    private async Task<byte[]> SignAsync(params string[] options)
    {
        // The officer's certificate names the PKI's OCSP responder and CRLs: serve them.
        await Pki.StartServerAsync();
        var result = await CliRunner.RunInProcessAsync(TestPki.Password, ["sign", Input, Output, "--key", Pki.OfficerP12, .. options]);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(result.StdErr.Length == 0, result.ToString());
        Assert.Single(result.StdOut.TrimEnd().Split('\n'));
        Assert.Equal(["signed.pdf"], Directory.GetFiles(OutputDirectory).Select(Path.GetFileName));
        var output = await File.ReadAllBytesAsync(Output);
        SignedFileAssertions.AssertStartsWith(output, await File.ReadAllBytesAsync(Input));
        return output;
    }

    [Fact]
    public async Task Without_tsa_the_default_level_is_B_B()
    {
        var output = await SignAsync();

        var signature = Assert.Single(PdfSignatureScanner.Scan(output));
        Assert.Empty(CmsInspection.SignatureTimestamps(signature.Cms));
        Assert.Equal("ETSI.CAdES.detached", signature.SubFilter);
    }

    [Fact]
    public async Task With_tsa_the_default_level_is_B_T_with_a_signature_timestamp()
    {
        var output = await SignAsync("--tsa", await TsaUrlAsync());

        var signature = Assert.Single(PdfSignatureScanner.Scan(output));
        var timestamp = Assert.Single(CmsInspection.SignatureTimestamps(signature.Cms));
        var verified = OpenSslTs.VerifyData(timestamp.TokenDer, timestamp.ImprintedData, [Pki.RootsPem], [Pki.IntermediatesPem]);
        Assert.True(verified.ExitCode == 0, verified.ToString());
    }

    [Fact]
    public async Task B_LTA_output_is_accepted_by_the_judges()
    {
        await SignAsync("--level", "B-LTA", "--tsa", await TsaUrlAsync());

        // The signature, then the document timestamp that covers it and the DSS.
        var report = SignedFileAssertions.AssertJudgesAccept(Output, 2);
        Assert.Equal("ETSI.RFC3161", PdfSignatureScanner.Scan(Output)[^1].SubFilter);
        Assert.NotNull(report);
    }

    [Fact]
    public async Task Visible_puts_the_stamp_widget_on_the_requested_page_and_box()
    {
        var output = await SignAsync("--visible", "1:300,40,200,70.5", "--reason", "Chứng thực bản sao", "--location", "Hà Nội");

        var file = PdfFile.Open(output);
        var (field, widget) = SignatureField(file);
        Assert.Equal([300, 40, 500, 110.5], Numbers(file, widget["Rect"]));
        Assert.Equal(file.GetPageReferences()[0], widget["P"]);
        Assert.True(file.Get<PdfDictionary>(widget, "AP") is { } appearance && appearance.ContainsKey("N"), "the widget has no normal appearance");
        var value = file.Get<PdfDictionary>(field, "V")!;
        Assert.Equal("Chứng thực bản sao", file.Get<PdfString>(value, "Reason")!.ToText());
        Assert.Equal("Hà Nội", file.Get<PdfString>(value, "Location")!.ToText());
    }

    [Fact]
    public async Task Certify_makes_a_DocMDP_certification_signature_allowing_form_filling_and_signing()
    {
        var output = await SignAsync("--certify");

        var file = PdfFile.Open(output);
        var (field, _) = SignatureField(file);
        var perms = file.Get<PdfDictionary>(file.Catalog, "Perms")!;
        Assert.Equal(Assert.IsType<PdfReference>(field["V"]), Assert.IsType<PdfReference>(perms["DocMDP"]));
        var signature = file.Get<PdfDictionary>(field, "V")!;
        var reference = file.Resolve(file.Get<PdfArray>(signature, "Reference")![0]) as PdfDictionary;
        Assert.Equal("DocMDP", reference!.GetName("TransformMethod"));
        var parameters = file.Get<PdfDictionary>(reference, "TransformParams")!;
        Assert.Equal(2, file.Get<PdfInteger>(parameters, "P")!.Value);
    }

    /// <summary>Each failure, its exit code, and a fragment of its message that shows it failed for that reason.</summary>
    public static TheoryData<string, int, string> Failures => new()
    {
        { "missing input", 4, "no-such.pdf" },
        { "unknown option", 4, "--frobnicate" },
        { "bad --visible", 4, "PAGE:X,Y,W,H" },
        { "B-T without --tsa", 4, "--tsa" },
        { "no password variable", 4, "CERTIFICATION_P12_PASSWORD" },
        { "wrong password", 1, "CERTIFICATION_P12_PASSWORD" },
        { "input not a PDF", 4, "PDF" },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task A_failure_prints_one_error_line_exits_non_zero_and_leaves_no_file(string failure, int exitCode, string says)
    {
        var (password, args) = FailingRun(failure);

        var result = await CliRunner.RunInProcessAsync(password, args);

        CliRunner.AssertOneErrorLine(result, exitCode);
        Assert.Contains(says, result.StdErr);
        Assert.Empty(Directory.GetFileSystemEntries(OutputDirectory));
    }

    [Fact]
    public void As_a_process_an_unreadable_input_exits_4_with_one_line_and_no_file()
    {
        var (password, args) = FailingRun("input not a PDF");
        var failed = CliRunner.Run(password, args);
        CliRunner.AssertOneErrorLine(failed, 4);
        Assert.Contains("PDF", failed.StdErr);
        Assert.Empty(Directory.GetFileSystemEntries(OutputDirectory));
    }

    /// <summary>The password and arguments of a run that must fail as <paramref name="failure"/> says.</summary>
    private (string? Password, string[] Args) FailingRun(string failure)
    {
        string[] Sign(string input, params string[] options) => ["sign", input, Output, "--key", Pki.OfficerP12, .. options];
        return failure switch
        {
            "missing input" => (TestPki.Password, Sign(_dir.File("no-such.pdf"))),
            "unknown option" => (TestPki.Password, Sign(Input, "--frobnicate")),
            "bad --visible" => (TestPki.Password, Sign(Input, "--visible", "1:300,40,200")),
            "B-T without --tsa" => (TestPki.Password, Sign(Input, "--level", "B-T")),
            "no password variable" => (null, Sign(Input)),
            "wrong password" => ("not the password", Sign(Input)),
            "input not a PDF" => (TestPki.Password, Sign(NotAPdf())),
            _ => throw new ArgumentOutOfRangeException(nameof(failure), failure, null),
        };
    }

    private string NotAPdf()
    {
        var path = _dir.File("notes.pdf");
        File.WriteAllText(path, "Đây không phải PDF / this is not a PDF\n");
        return path;
    }

    /// <summary>The one signature field and its widget (the field itself when merged, else its only kid).</summary>
    private static (PdfDictionary Field, PdfDictionary Widget) SignatureField(PdfFile file)
    {
        var form = file.Get<PdfDictionary>(file.Catalog, "AcroForm")!;
        var fields = file.Get<PdfArray>(form, "Fields")!.Items
            .Select(f => (PdfDictionary)file.Resolve(f)!)
            .Where(f => f.GetName("FT") == "Sig")
            .ToList();
        var field = Assert.Single(fields);
        var widget = field.ContainsKey("Rect") ? field : (PdfDictionary)file.Resolve(Assert.Single(file.Get<PdfArray>(field, "Kids")!.Items))!;
        return (field, widget);
    }

    private static double[] Numbers(PdfFile file, PdfObject? array) =>
        ((PdfArray)file.Resolve(array)!).Items.Select(item => file.Resolve(item) switch
        {
            PdfInteger i => i.Value,
            PdfReal r => r.Value,
            var other => throw new InvalidDataException($"not a number: {other}"),
        }).ToArray();
}
