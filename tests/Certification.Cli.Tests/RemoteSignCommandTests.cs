using Certification.Signing.Remote;
using Certification.TestSupport;
using Certification.TestSupport.ExternalTools;
using Xunit;

namespace Certification.Cli.Tests;

/// <summary><c>sign --csc</c> against the development provider <see cref="TestPki.Shared"/> serves, and
/// <c>pki approve|deny</c>. These tests change the shared provider's options, so they live in one class (run in turn).</summary>
public sealed class RemoteSignCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new("certification-cli-csc");
    private static TestPki Pki => TestPki.Shared;

    public RemoteSignCommandTests()
    {
        Environment.SetEnvironmentVariable(SignCommand.ClientIdVariable, TestPki.CscClientId);
        Environment.SetEnvironmentVariable(SignCommand.ClientSecretVariable, TestPki.CscClientSecret);
    }

    public void Dispose()
    {
        Pki.Csc.Options = new DevelopmentCscOptions();
        Environment.SetEnvironmentVariable(SignCommand.ClientSecretVariable, null);
        _dir.Dispose();
    }

    private async Task<Task<ToolResult>> SignAsync(string output, params string[] extra)
    {
        await Pki.StartServerAsync();
        var input = SamplePdfs.PdfSharpText(_dir.Path);
        return CliRunner.RunInProcessAsync(null, ["sign", input, output, "--csc", Pki.CscUrl.AbsoluteUri, "--credential", "officer", .. extra]);
    }

    /// <summary>The request that appears at the provider (requests other tests left pending do not count).</summary>
    private static async Task<string> NewPendingAsync(IReadOnlyList<string> before)
    {
        var until = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < until)
        {
            if (Pki.Csc.PendingRequestIds.Except(before).ToList() is [var created]) return created;
            await Task.Delay(50);
        }
        throw new TimeoutException("No signature request reached the provider.");
    }

    /// <summary>The failure contract with a progress line before it: the exit code, nothing on stdout, and the last
    /// stderr line the one error line.</summary>
    private static void AssertFailed(ToolResult result, int exitCode)
    {
        Assert.True(result.ExitCode == exitCode, $"expected exit {exitCode}\n{result}");
        Assert.Equal("", result.StdOut);
        var lines = result.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("error: ", lines[^1]);
        Assert.All(lines[..^1], l => Assert.StartsWith("Chờ phê duyệt trên điện thoại", l));
    }

    [Fact]
    public async Task Sign_waits_for_the_approval_with_a_progress_line_and_pdfsig_accepts_the_signature()
    {
        Pki.Csc.Options = new DevelopmentCscOptions { ApprovalDelay = TimeSpan.FromSeconds(1.5) };
        var output = _dir.File("signed.pdf");
        var result = await await SignAsync(output);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Chờ phê duyệt trên điện thoại / Waiting for approval on the phone: request", result.StdErr);
        var judged = Pdfsig.Verify(output, Pki.RootsPem);
        Assert.True(judged.Signatures.Count == 1 && judged.Signatures[0].IsValid && judged.Signatures[0].IsTrusted, judged.ToString());
    }

    [Fact]
    public async Task Denied_with_pki_deny_exits_10_and_writes_nothing()
    {
        var output = _dir.File("denied.pdf");
        var before = Pki.Csc.PendingRequestIds;
        var signing = await SignAsync(output);
        var request = await NewPendingAsync(before);
        // `pki deny` is what the approval page's button sends; run as a child process, the in-process runner is busy.
        var deny = CliRunner.Run(null, "pki", "deny", request, "--url", Pki.BaseUrl.AbsoluteUri);
        Assert.True(deny.ExitCode == 0, deny.ToString());
        AssertFailed(await signing, 10);
        Assert.False(File.Exists(output));
        // Nothing pending any more: a second decision finds no such request.
        var again = CliRunner.Run(null, "pki", "approve", request, "--url", Pki.BaseUrl.AbsoluteUri);
        CliRunner.AssertOneErrorLine(again, 1);
    }

    [Fact]
    public async Task Not_approved_in_time_exits_11_and_writes_nothing()
    {
        var output = _dir.File("late.pdf");
        var result = await await SignAsync(output, "--approval-timeout", "1");
        AssertFailed(result, 11);
        Assert.Contains("Hết thời gian chờ phê duyệt", result.StdErr);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public async Task A_wrong_secret_or_credential_exits_with_its_own_code()
    {
        var output = _dir.File("wrong.pdf");
        await Pki.StartServerAsync();
        var input = SamplePdfs.PdfSharpText(_dir.Path);
        CliRunner.AssertOneErrorLine(await CliRunner.RunInProcessAsync(null, "sign", input, output, "--csc", Pki.CscUrl.AbsoluteUri, "--credential", "nobody"), 15);
        Environment.SetEnvironmentVariable(SignCommand.ClientSecretVariable, "not-the-secret");
        CliRunner.AssertOneErrorLine(await CliRunner.RunInProcessAsync(null, "sign", input, output, "--csc", Pki.CscUrl.AbsoluteUri, "--credential", "officer"), 16);
        Assert.False(File.Exists(output));
    }
}
