using Certification.TestSupport;
using Certification.TestSupport.ExternalTools;

namespace Certification.Signing.Tests.Pki;

/// <summary>Runs openssl as an independent judge; fails the test when it is missing.</summary>
internal static class OpenSsl
{
    /// <summary>Runs openssl with env P12_PASSWORD = <see cref="TestPki.Password"/> (use -passin env:P12_PASSWORD).</summary>
    public static (int ExitCode, string StdOut, string StdErr) Run(params string[] args) => RunWithPassword(TestPki.Password, args);

    public static (int ExitCode, string StdOut, string StdErr) RunWithPassword(string password, params string[] args)
    {
        var result = ExternalTool.Run("openssl", args, timeout: TimeSpan.FromSeconds(30),
            environment: new Dictionary<string, string?> { ["P12_PASSWORD"] = password, ["LANG"] = "C.UTF-8" });
        return (result.ExitCode, result.StdOut, result.StdErr);
    }

    /// <summary>Runs openssl and asserts exit code 0; returns stdout + stderr.</summary>
    public static string Ok(params string[] args)
    {
        var (code, stdout, stderr) = Run(args);
        Xunit.Assert.True(code == 0, $"openssl {string.Join(' ', args)} exited {code}\n{stdout}\n{stderr}");
        return stdout + stderr;
    }
}
