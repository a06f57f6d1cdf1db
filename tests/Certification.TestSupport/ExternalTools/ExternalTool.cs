using System.Diagnostics;
using System.Text;

namespace Certification.TestSupport.ExternalTools;

/// <summary>What an external program did: its exit code and everything it printed.</summary>
public sealed record ToolResult(string Command, int ExitCode, string StdOut, string StdErr)
{
    /// <summary>stdout and stderr together, for assertion messages.</summary>
    public string Output => StdErr.Length == 0 ? StdOut : StdOut.Length == 0 ? StdErr : StdOut + "\n" + StdErr;

    public override string ToString() => $"$ {Command}\nexit {ExitCode}\n{Output}";
}

/// <summary>The external tool a test needs is not installed. Tests never skip for that: install it
/// (./test.sh does) or let the test fail with this message.</summary>
public sealed class ExternalToolMissingException(string tool, string package)
    : Exception($"External tool '{tool}' is not on PATH{(Environment.GetEnvironmentVariable("CI") == "true" ? " on CI" : "")}. " +
                $"Install the Debian package '{package}' (./test.sh installs it: apt-get install -y {package}). " +
                "Tests never skip for a missing tool.")
{
    public string Tool { get; } = tool;

    /// <summary>The Debian package that ships <see cref="Tool"/>.</summary>
    public string Package { get; } = package;
}

/// <summary>Runs external programs (the independent judges, the sample producers, the CLI under test)
/// with a timeout, capturing stdout and stderr. Arguments are passed as a list, never through a shell.</summary>
public static class ExternalTool
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(120);

    /// <summary>The Debian package that ships each tool the tests call, for error messages.</summary>
    private static readonly Dictionary<string, string> Packages = new()
    {
        ["pdfsig"] = "poppler-utils", ["pdftoppm"] = "poppler-utils", ["pdfinfo"] = "poppler-utils", ["pdftotext"] = "poppler-utils",
        ["qpdf"] = "qpdf", ["openssl"] = "openssl", ["certutil"] = "libnss3-tools",
        ["softhsm2-util"] = "softhsm2", ["pkcs11-tool"] = "opensc", ["mutool"] = "mupdf-tools",
        ["img2pdf"] = "img2pdf", ["convert"] = "imagemagick", ["tesseract"] = "tesseract-ocr", ["kill"] = "procps",
    };

    /// <summary>Some machines put stand-ins on PATH (e.g. /usr/local/bin/convert that only converts
    /// for a picture viewer); for these the real Debian binary is required.</summary>
    private static readonly Dictionary<string, string> PreferredPaths = new()
    {
        ["convert"] = "/usr/bin/convert",
    };

    private static readonly Dictionary<string, string> Resolved = new();

    /// <summary>Returns the full path of <paramref name="tool"/> (a name looked up on PATH, or a path), or
    /// throws <see cref="ExternalToolMissingException"/> (naming the Debian package) when it is not installed.</summary>
    public static string RequireTool(string tool)
    {
        lock (Resolved)
        {
            if (Resolved.TryGetValue(tool, out var known)) return known;
            var path = Locate(tool) ?? throw new ExternalToolMissingException(tool, Packages.GetValueOrDefault(tool, tool));
            Resolved[tool] = path;
            return path;
        }
    }

    private static string? Locate(string tool)
    {
        if (PreferredPaths.TryGetValue(tool, out var preferred))
            return File.Exists(preferred) ? preferred : null;
        if (tool.Contains('/')) return File.Exists(tool) ? tool : null;
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, tool);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>Runs <paramref name="tool"/> (looked up with <see cref="RequireTool"/>) and waits for it.
    /// Standard input gets <paramref name="stdin"/>, then is closed (at once when null).
    /// <paramref name="environment"/> sets variables; a null value removes one.
    /// Throws <see cref="TimeoutException"/> (after killing the process tree) when it outlives
    /// <paramref name="timeout"/>. A non-zero exit code is returned, not thrown.</summary>
    public static ToolResult Run(string tool, IEnumerable<string> arguments, TimeSpan? timeout = null,
        string? workingDirectory = null, IReadOnlyDictionary<string, string?>? environment = null, byte[]? stdin = null)
    {
        var psi = StartInfo(tool, arguments, environment, workingDirectory);
        var command = tool + " " + string.Join(' ', psi.ArgumentList.Select(Quote));

        using var process = new Process { StartInfo = psi };
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (stdout) stdout.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (stdin is not null)
            process.StandardInput.BaseStream.Write(stdin);
        process.StandardInput.Close();

        var limit = timeout ?? DefaultTimeout;
        if (!process.WaitForExit(limit))
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            process.WaitForExit();
            throw new TimeoutException($"'{command}' did not finish within {limit.TotalSeconds:0.#} s.\nstdout:\n{stdout}\nstderr:\n{stderr}");
        }
        process.WaitForExit(); // flushes the asynchronous readers
        lock (stdout)
        lock (stderr)
            return new ToolResult(command, process.ExitCode, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Like <see cref="Run"/>, but throws when the exit code is not 0.</summary>
    public static ToolResult RunChecked(string tool, IEnumerable<string> arguments, TimeSpan? timeout = null,
        string? workingDirectory = null, IReadOnlyDictionary<string, string?>? environment = null, byte[]? stdin = null)
    {
        var result = Run(tool, arguments, timeout, workingDirectory, environment, stdin);
        if (result.ExitCode != 0) throw new InvalidOperationException($"External tool failed:\n{result}");
        return result;
    }

    /// <summary>Starts a long-running <paramref name="tool"/> (e.g. a server) whose output can be awaited
    /// line by line; disposing the result kills it.</summary>
    public static RunningProcess Start(string tool, IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string?>? environment = null, string? workingDirectory = null) =>
        new(StartInfo(tool, arguments, environment, workingDirectory));

    private static ProcessStartInfo StartInfo(string tool, IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string?>? environment, string? workingDirectory)
    {
        var psi = new ProcessStartInfo(RequireTool(tool))
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var a in arguments) psi.ArgumentList.Add(a);
        if (environment is not null)
        {
            foreach (var (name, value) in environment)
            {
                if (value is null) psi.Environment.Remove(name);
                else psi.Environment[name] = value;
            }
        }
        return psi;
    }

    private static string Quote(string a) =>
        a.Length > 0 && a.All(c => char.IsLetterOrDigit(c) || "-_./:=,+@%".Contains(c)) ? a : "'" + a.Replace("'", "'\\''") + "'";
}
