namespace Certification.TestSupport;

/// <summary>External tools the tests use as independent judges. A missing tool fails the test: we never
/// skip silently, on CI (CI=true) or anywhere else.</summary>
public static class Tool
{
    private static readonly Dictionary<string, string> Packages = new(StringComparer.Ordinal)
    {
        ["openssl"] = "openssl",
        ["pdfsig"] = "poppler-utils",
        ["pdftoppm"] = "poppler-utils",
        ["certutil"] = "libnss3-tools",
        ["qpdf"] = "qpdf",
        ["mutool"] = "mupdf-tools",
        ["softhsm2-util"] = "softhsm2",
        ["pkcs11-tool"] = "opensc",
    };

    /// <summary>Returns the full path of <paramref name="name"/> on PATH.</summary>
    /// <exception cref="InvalidOperationException">The tool is not installed (the message names the Debian package).</exception>
    public static string Require(string name)
    {
        var found = Find(name);
        if (found is not null)
            return found;
        var package = Packages.GetValueOrDefault(name, name);
        var where = Environment.GetEnvironmentVariable("CI") == "true" ? " on CI" : "";
        throw new InvalidOperationException(
            $"The test needs '{name}', which is not on PATH{where}. Install it: apt-get install -y {package}");
    }

    /// <summary>Full path of <paramref name="name"/> on PATH, or null.</summary>
    public static string? Find(string name)
    {
        if (name.Contains('/'))
            return File.Exists(name) ? name : null;
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
                return candidate;
        }
        return null;
    }
}
