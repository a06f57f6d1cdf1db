using Certification.TestSupport.ExternalTools;
using Xunit;

namespace Certification.Cli.Tests;

/// <summary>Runs the <c>certification</c> command line: as a child process (the real exit code and
/// environment, about a second of start-up each) or in this process through
/// <see cref="CommandLine.RunAsync"/> (fast; Console and the password variable are swapped for the run).</summary>
internal static class CliRunner
{
    public const string PasswordVariable = "CERTIFICATION_P12_PASSWORD";

    /// <summary>In-process runs swap process-wide state (Console.Out/Error, the environment), so they take turns.</summary>
    private static readonly SemaphoreSlim InProcessGate = new(1, 1);

    public static string Dotnet => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)
        ? host
        : ExternalTool.RequireTool("dotnet");

    public static string Dll => Path.Combine(AppContext.BaseDirectory, "certification.dll");

    /// <summary>Runs <c>dotnet certification.dll ARGS</c> with the password variable set to
    /// <paramref name="password"/> (removed when null).</summary>
    public static ToolResult Run(string? password, params string[] args) =>
        ExternalTool.Run(Dotnet, [Dll, .. args], timeout: TimeSpan.FromSeconds(60), environment: PasswordEnvironment(password));

    /// <summary>Starts a long-running command (e.g. <c>pki serve</c>).</summary>
    public static RunningProcess Start(string? password, params string[] args) => Start(password, new Dictionary<string, string?>(), args);

    /// <summary>Starts a long-running command with more environment variables than the password.</summary>
    public static RunningProcess Start(string? password, IReadOnlyDictionary<string, string?> environment, params string[] args) =>
        ExternalTool.Start(Dotnet, [Dll, .. args], environment: new Dictionary<string, string?>(environment.Concat(PasswordEnvironment(password))));

    /// <summary>Runs <see cref="CommandLine.RunAsync"/> in this process with the password variable set to
    /// <paramref name="password"/> (removed when null), capturing what it prints.</summary>
    public static async Task<ToolResult> RunInProcessAsync(string? password, params string[] args)
    {
        await InProcessGate.WaitAsync();
        var (savedOut, savedError) = (Console.Out, Console.Error);
        var savedPassword = Environment.GetEnvironmentVariable(PasswordVariable);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        try
        {
            Environment.SetEnvironmentVariable(PasswordVariable, password);
            Console.SetOut(stdout);
            Console.SetError(stderr);
            var exitCode = await CommandLine.RunAsync(args);
            return new ToolResult("certification " + string.Join(' ', args), exitCode, stdout.ToString(), stderr.ToString());
        }
        finally
        {
            Console.SetOut(savedOut);
            Console.SetError(savedError);
            Environment.SetEnvironmentVariable(PasswordVariable, savedPassword);
            InProcessGate.Release();
        }
    }

    /// <summary>The failure contract: the exit code, nothing on stdout, exactly one line on stderr starting "error:".</summary>
    public static void AssertOneErrorLine(ToolResult result, int exitCode)
    {
        Assert.True(result.ExitCode == exitCode, $"expected exit {exitCode}\n{result}");
        Assert.True(result.StdOut.Length == 0, $"expected nothing on stdout\n{result}");
        var lines = result.StdErr.TrimEnd('\n', '\r').Split('\n');
        Assert.True(lines.Length == 1 && lines[0].StartsWith("error:", StringComparison.Ordinal), $"expected one line 'error: ...' on stderr\n{result}");
    }

    private static Dictionary<string, string?> PasswordEnvironment(string? password) => new() { [PasswordVariable] = password };
}

/// <summary>Tests that run the command line in this process share Console; they run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class InProcessCliCollection
{
    public const string Name = "In-process CLI (Console is process-wide)";
}
