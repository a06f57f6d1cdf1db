using System.Security.Cryptography;
using Certification.Signing.Pki;
using Certification.Signing.Timestamps;
using Certification.TestSupport;
using Certification.TestSupport.ExternalTools;
using Xunit;

namespace Certification.Cli.Tests;

/// <summary>The <c>pki</c> verb, run as a separate process exactly as the command line contract says.</summary>
public sealed class PkiCommandTests
{
    private const string Password = "mật-khẩu-DEVELOPMENT";

    private static ToolResult Cli(string? password, params string[] args) => CliRunner.Run(password, args);

    [Fact]
    public void Init_writes_roots_and_the_three_signers_under_the_base_url()
    {
        using var temp = new TempDirectory();
        var directory = temp.File("pki");
        var (_, code, stdout, stderr) = Cli(Password, "pki", "init", directory, "--base-url", "http://127.0.0.1:18791");
        Assert.True(code == 0, stderr);
        Assert.Single(stdout.Trim().Split('\n'));
        Assert.Contains("DEVELOPMENT", stdout);
        foreach (var file in new[] { "roots.pem", "officer.p12", "office.p12", "notary.p12" })
            Assert.True(File.Exists(Path.Combine(directory, file)), file);

        var pki = DevelopmentPki.Load(directory, Password);
        Assert.Equal(new Uri("http://127.0.0.1:18791/"), pki.BaseUrl);
        Assert.Equal(DevelopmentPki.Pem(pki.Root.Certificate), File.ReadAllText(Path.Combine(directory, "roots.pem")));

        // openssl opens officer.p12 with the (non-ASCII) password and the chain verifies against roots.pem.
        var leaf = temp.File("officer.pem");
        var env = new Dictionary<string, string?> { ["P"] = Password };
        var extract = ExternalTool.Run("openssl", ["pkcs12", "-in", Path.Combine(directory, "officer.p12"), "-passin", "env:P", "-clcerts", "-nokeys", "-out", leaf], environment: env);
        Assert.True(extract.ExitCode == 0, extract.StdErr);
        var verify = ExternalTool.Run("openssl", ["verify", "-CAfile", Path.Combine(directory, "roots.pem"), "-untrusted", Path.Combine(directory, "intermediates.pem"), leaf]);
        Assert.True(verify.ExitCode == 0, verify.StdOut + verify.StdErr);
        var text = ExternalTool.Run("openssl", ["x509", "-in", leaf, "-noout", "-text"]).StdOut;
        Assert.Contains("http://127.0.0.1:18791/ocsp", text);
        Assert.Contains("http://127.0.0.1:18791/crl/government-ca.crl", text);
    }

    [Fact]
    public void Without_the_password_variable_it_exits_4_with_one_line()
    {
        using var temp = new TempDirectory();
        var (_, code, stdout, stderr) = Cli(null, "pki", "init", temp.File("pki"), "--base-url", "http://127.0.0.1:18792");
        Assert.Equal(4, code);
        Assert.Equal("", stdout);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.Contains("CERTIFICATION_P12_PASSWORD", stderr);
        Assert.False(Directory.Exists(temp.File("pki")));

        (_, code, _, stderr) = Cli(null, "pki", "serve", temp.Path);
        Assert.Equal(4, code);
        Assert.Contains("CERTIFICATION_P12_PASSWORD", stderr);
    }

    [Fact]
    public void Errors_are_one_readable_line_and_a_non_zero_exit()
    {
        using var temp = new TempDirectory();
        foreach (var args in new[]
        {
            new[] { "pki" },
            ["pki", "frobnicate"],
            ["pki", "init", temp.File("a")],
            ["pki", "init", temp.File("a"), "--base-url", "ftp://example"],
            ["pki", "serve", temp.File("nothing-here")],
        })
        {
            var (_, code, _, stderr) = Cli(Password, args);
            Assert.NotEqual(0, code);
            var lines = stderr.Trim().Split('\n');
            Assert.Single(lines);
            Assert.StartsWith("error: ", lines[0]);
        }

        var directory = temp.File("twice");
        Assert.Equal(0, Cli(Password, "pki", "init", directory, "--base-url", "http://127.0.0.1:18793").ExitCode);
        var again = Cli(Password, "pki", "init", directory, "--base-url", "http://127.0.0.1:18793");
        Assert.NotEqual(0, again.ExitCode);
        Assert.Contains("already holds", again.StdErr);
        var wrong = Cli("wrong password", "pki", "serve", directory);
        Assert.NotEqual(0, wrong.ExitCode);
        Assert.Single(wrong.StdErr.Trim().Split('\n'));
        Assert.DoesNotContain("wrong password\"", wrong.StdErr);
    }

    [Fact]
    public async Task Serve_answers_tsa_ocsp_and_crl_until_sigterm()
    {
        using var temp = new TempDirectory();
        var directory = temp.File("pki");
        var port = TestPki.FreeTcpPort();
        Assert.Equal(0, Cli(Password, "pki", "init", directory, "--base-url", $"http://127.0.0.1:{port}").ExitCode);

        using var server = CliRunner.Start(Password, new Dictionary<string, string?>
        {
            [SignCommand.ClientIdVariable] = "serve-test", [SignCommand.ClientSecretVariable] = "serve-test-secret",
        }, "pki", "serve", directory, "--approval-delay", "0.5");
        var line = await server.WaitForLineAsync(l => l.Contains("serving at"), TimeSpan.FromSeconds(60));
        Assert.Contains($"http://127.0.0.1:{port}/", line);

        var pki = DevelopmentPki.Load(directory, Password);
        using var http = new HttpClient();
        var crl = new Org.BouncyCastle.X509.X509Crl(await http.GetByteArrayAsync(pki.GovernmentCa.CrlUrl));
        crl.Verify(pki.GovernmentCa.Certificate.GetPublicKey());

        using var tsa = new HttpTimestampClient(pki.TimestampUrl);
        var token = await tsa.GetTimestampTokenAsync(SHA256.HashData("x"u8), HashAlgorithmName.SHA256);
        Assert.NotEmpty(token);

        using var fetcher = new Certification.Signing.Revocation.RevocationFetcher();
        var status = await fetcher.CheckAsync(pki.Officer.Certificate, pki.GovernmentCa.Certificate);
        Assert.Equal(Certification.Signing.Revocation.RevocationState.Good, status.State);

        // The development remote signing provider: its info, the demo credentials, and a signature approved by itself.
        Assert.Contains("remote signing", line);
        var csc = new Certification.Signing.Remote.CscClient(http, new Certification.Signing.Remote.CscClientOptions
            { BaseUrl = new Uri($"http://127.0.0.1:{port}/csc/v2/"), ClientId = "serve-test", ClientSecret = "serve-test-secret" });
        Assert.Equal(Certification.Signing.Remote.DevelopmentCscProvider.Methods, (await csc.InfoAsync()).Methods);
        var tokens = new Certification.Signing.Remote.ClientCredentialsTokenSource(csc);
        Assert.Equal(["officer", "notary", "office"], await csc.ListCredentialsAsync(await tokens.GetAsync(default)));
        var remote = await Certification.Signing.Remote.CscSigningKey.OpenAsync(csc, tokens, "officer",
            new Certification.Signing.Remote.CscApprovalOptions { PollInterval = TimeSpan.FromMilliseconds(200) });
        var digest = SHA256.HashData("remote"u8);
        Assert.True(Certification.Signing.Cms.SignatureValues.Verify(pki.Officer.Certificate, remote.Algorithm, digest, await remote.SignDigestAsync(digest)));

        var kill = ExternalTool.Run("kill", ["-TERM", server.Id.ToString()]);
        Assert.Equal(0, kill.ExitCode);
        Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(20)));
    }

    /// <summary><c>pki serve --faults</c> breaks the services over real HTTP as production ones break: a reset
    /// connection, a stale OCSP response, a CRL cut halfway; a fault a service cannot have is a usage error.</summary>
    [Fact]
    public async Task Serve_with_faults_resets_the_tsa_serves_stale_ocsp_and_cuts_the_crl()
    {
        using var temp = new TempDirectory();
        var directory = temp.File("pki");
        var port = TestPki.FreeTcpPort();
        Assert.Equal(0, Cli(Password, "pki", "init", directory, "--base-url", $"http://127.0.0.1:{port}").ExitCode);
        var wrong = Cli(Password, "pki", "serve", directory, "--faults", "tsa:stale");
        Assert.Equal(4, wrong.ExitCode);
        Assert.StartsWith("error: --faults: The fault 'stale' does not apply to tsa", Assert.Single(wrong.StdErr.Trim().Split('\n')));

        using var server = CliRunner.Start(Password, "pki", "serve", directory, "--faults", "tsa:reset,ocsp:stale,crl:truncated");
        await server.WaitForLineAsync(l => l.Contains("serving at"), TimeSpan.FromSeconds(60));
        var pki = DevelopmentPki.Load(directory, Password);

        using var tsa = new HttpTimestampClient(pki.TimestampUrl);
        var refused = await Assert.ThrowsAsync<TimestampException>(() => tsa.GetTimestampTokenAsync(SHA256.HashData("x"u8), HashAlgorithmName.SHA256));
        Assert.Contains(pki.TimestampUrl.ToString(), refused.Message); // reset: "cannot be reached" or an empty, unreadable reply

        using var fetcher = new Certification.Signing.Revocation.RevocationFetcher();
        var none = await Assert.ThrowsAsync<Certification.Signing.Revocation.RevocationFetchException>(
            () => fetcher.CheckAsync(pki.Officer.Certificate, pki.GovernmentCa.Certificate));
        Assert.Contains("stale response", none.Message);
        Assert.Contains("crl", none.Message, StringComparison.OrdinalIgnoreCase);

        Assert.Equal(0, ExternalTool.Run("kill", ["-TERM", server.Id.ToString()]).ExitCode);
        Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(20)));
    }
}
