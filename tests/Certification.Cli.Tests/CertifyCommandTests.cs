using Certification.TestSupport;
using Certification.TestSupport.ExternalTools;
using Xunit;

namespace Certification.Cli.Tests;

/// <summary>The <c>certify</c> verb run as a process: the project's own sample scans in, a signed
/// certified copy out; a refused scan exits 4 with its code and leaves no file.</summary>
public sealed class CertifyCommandTests
{
    private const string Password = "mật-khẩu-DEVELOPMENT";

    private static string Sample(string name) => Path.Combine(RepositoryRoot.Find()!, "samples", name);

    private static (int ExitCode, string StdOut, string StdErr) Cli(params string[] args)
    {
        var result = CliRunner.Run(Password, args);
        return (result.ExitCode, result.StdOut, result.StdErr);
    }

    private static string InitPki(TempDirectory temp)
    {
        var directory = temp.File("pki");
        var (code, _, stderr) = Cli("pki", "init", directory, "--base-url", $"http://127.0.0.1:{TestPki.FreeTcpPort()}");
        Assert.True(code == 0, stderr);
        return directory;
    }

    [Fact]
    public void Certify_composes_and_signs_the_scans_in_order_with_officer_then_office()
    {
        using var temp = new TempDirectory();
        var pki = InitPki(temp);
        var output = temp.File("ban-sao.pdf");
        var (code, stdout, stderr) = Cli("certify", "--scan", Sample("bang-tot-nghiep-mau-1.jpg"), "--scan", Sample("bang-tot-nghiep-mau-2.jpg"),
            "--pki", pki, "--number", "126", "--book", "01/2026-SCTĐT/BS", "--title", "Bằng cử nhân", "--out", output, "--date", "2026-11-28");
        Assert.True(code == 0, stderr);
        Assert.Single(stdout.Trim().Split('\n'));
        Assert.Contains("4.000 đồng", stdout);
        Assert.Contains("PAdES B-B", stdout);
        var verifications = OpenSslCms.VerifyPdf(output, [Path.Combine(pki, "roots.pem")]);
        Assert.Equal(2, verifications.Count);
        Assert.All(verifications, v => Assert.True(v.Succeeded, v.ToString()));
        Assert.True(Qpdf.Check(output).IsClean);
        var text = ExternalTool.RunChecked("pdftotext", ["-layout", "-enc", "UTF-8", output, "-"]).StdOut;
        Assert.Contains("Số chứng thực: 126, Quyển số: 01/2026-SCTĐT/BS", text);
        Assert.Contains("Nguyễn Văn An (DEVELOPMENT)", text);
    }

    [Fact]
    public void A_refused_scan_exits_4_with_its_code_and_writes_nothing()
    {
        using var temp = new TempDirectory();
        var pki = InitPki(temp);
        var scan = temp.File("scan.jpg");
        File.WriteAllText(scan, "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>");
        var output = temp.File("out.pdf");
        var (code, stdout, stderr) = Cli("certify", "--scan", scan, "--pki", pki, "--number", "1", "--book", "01/2026-SCTĐT/BS", "--title", "X", "--out", output);
        Assert.Equal(4, code);
        Assert.Equal("", stdout);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.Contains("[unsupported-type]", stderr);
        Assert.Contains("image/svg+xml", stderr);
        Assert.False(File.Exists(output));
        Assert.Empty(Directory.GetFiles(temp.Path, "*.tmp"));
    }

    [Fact]
    public void Long_term_levels_without_a_timestamp_authority_are_a_usage_error()
    {
        using var temp = new TempDirectory();
        var (code, _, stderr) = Cli("certify", "--scan", Sample("cccd-mau.png"), "--pki", temp.Path, "--number", "1", "--book", "B", "--title", "T",
            "--out", temp.File("o.pdf"), "--level", "B-LT");
        Assert.Equal(4, code);
        Assert.Contains("--tsa", stderr);
    }
}
