using System.Xml;
using Certification.Signing.Trust;
using Certification.TestSupport;
using Certification.TestSupport.ExternalTools;
using Xunit;

namespace Certification.Cli.Tests;

/// <summary><c>trust import</c>, <c>trust list</c>, <c>trust show</c>, and <c>verify --trust-store --etsi-xml</c>
/// with the same exit codes as <c>--json</c>.</summary>
[Collection(InProcessCliCollection.Name)]
public sealed class TrustCommandTests : IDisposable
{
    private static TestPki Pki => TestPki.Shared;
    private readonly TempDirectory _dir = new("cli-trust");

    public void Dispose() => _dir.Dispose();

    private static Task<ToolResult> Run(params string[] args) => CliRunner.RunInProcessAsync(TestPki.Password, args);

    [Fact]
    public async Task Import_list_show_and_a_refused_list_that_changes_nothing()
    {
        var store = _dir.File("store");
        var imported = await Run("trust", "import", Pki.RootsPem, "--store", store, "--name", "dev-root", "--purpose", "public-duty", "--purpose", "timestamps");
        Assert.True(imported.ExitCode == 0, imported.ToString());
        Assert.Contains("trust store version", imported.StdOut);

        var list = await Run("trust", "list", "--store", store);
        Assert.Equal(0, list.ExitCode);
        Assert.Contains("public-duty", list.StdOut);
        Assert.Contains("timestamps", list.StdOut);
        Assert.Contains("DEVELOPMENT Certification Root CA", list.StdOut);
        var version = list.StdOut.Split('\n')[0];

        var show = await Run("trust", "show", "Root CA", "--store", store);
        Assert.Equal(0, show.ExitCode);
        Assert.Contains("sha-256:", show.StdOut);
        Assert.Contains("status:      granted (no dates)", show.StdOut);

        // A tampered trusted list is refused with one error line and leaves the store as it was.
        var now = DateTimeOffset.UtcNow;
        var services = new[] { new TrustedListService("Government CA", TrustedList.ServiceTypeCa, Pki.Pki.GovernmentCa.Certificate,
            [new TrustStatusChange(TrustStatus.Granted, now.AddYears(-1)), new TrustStatusChange(TrustStatus.Withdrawn, now.AddDays(-1))]) };
        var tampered = _dir.File("tampered.xml");
        await File.WriteAllBytesAsync(tampered, TrustedListBuilder.Tamper(TrustedListBuilder.Build(services, now, now.AddDays(30))));
        var op = TestPki.WritePem(_dir.Path, "operator.pem", [TrustedListBuilder.Operator.Certificate]);
        var refused = await Run("trust", "import", tampered, "--store", store, "--name", "vn-list", "--purpose", "public-ca", "--operator", op);
        CliRunner.AssertOneErrorLine(refused, 1);
        Assert.Contains("does not verify", refused.StdErr);
        Assert.Equal(version, (await Run("trust", "list", "--store", store)).StdOut.Split('\n')[0]);
    }

    [Fact]
    public async Task Verify_etsi_xml_prints_the_report_with_the_exit_codes_of_json()
    {
        await Pki.StartServerAsync();
        var store = _dir.File("store");
        Assert.Equal(0, (await Run("trust", "import", Pki.RootsPem, "--store", store, "--name", "dev-root", "--purpose", "public-duty", "--purpose", "timestamps")).ExitCode);
        var input = SamplePdfs.PdfSharpText(_dir.Path);
        var signed = _dir.File("signed.pdf");
        Assert.Equal(0, (await Run("sign", input, signed, "--key", Pki.OfficerP12)).ExitCode);
        var tampered = _dir.File("tampered.pdf");
        var bytes = await File.ReadAllBytesAsync(signed);
        bytes[bytes.AsSpan().IndexOf("stream"u8) + 20] ^= 0x01;
        await File.WriteAllBytesAsync(tampered, bytes);

        foreach (var (file, exit, indication) in new[] { (signed, 0, "total-passed"), (tampered, 1, "total-failed"), (input, 3, "indeterminate") })
        {
            var json = await Run("verify", file, "--trust-store", store, "--json");
            var xml = await Run("verify", file, "--trust-store", store, "--etsi-xml");
            Assert.True(json.ExitCode == exit, json.ToString());
            Assert.Equal(json.ExitCode, xml.ExitCode);
            var document = new XmlDocument();
            document.LoadXml(xml.StdOut);
            var ns = new XmlNamespaceManager(document.NameTable);
            ns.AddNamespace("vr", "http://uri.etsi.org/19102/v1.2.1#");
            Assert.Equal("urn:etsi:019102:mainindication:" + indication, document.SelectSingleNode("//vr:SignatureValidationStatus/vr:MainIndication", ns)!.InnerText);
        }
        CliRunner.AssertOneErrorLine(await Run("verify", signed, "--json", "--etsi-xml"), 4);
    }
}
