namespace Certification.TestSupport;

/// <summary>A fresh directory under the system temp folder, deleted on dispose. Parallel tests each
/// get their own, so they never share files.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory(string prefix = "cert-test")
    {
        Path = Directory.CreateTempSubdirectory(prefix + "-").FullName;
    }

    public string Path { get; }

    /// <summary>A path inside this directory (the file is not created).</summary>
    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    public override string ToString() => Path;
}
