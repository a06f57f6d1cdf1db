using System.Security.Cryptography;
using Certification.Api.Options;
using Microsoft.Extensions.Options;

namespace Certification.Api.Infrastructure;

/// <summary>The layout of <c>Certification:DataDirectory</c>: <c>certification.db</c>, <c>blobs/</c>,
/// <c>keys/</c> (generated secrets, mode 0600), <c>pki/</c> (demo PKI) and <c>scratch/</c> (copies being
/// composed and signed; private to this node, emptied at start).</summary>
public sealed class DataDirectory
{
    public DataDirectory(IOptions<CertificationOptions> options)
    {
        Root = options.Value.FullDataDirectory;
        Directory.CreateDirectory(Root);
        Directory.CreateDirectory(Keys);
    }

    public string Root { get; }
    public string Database => Path.Combine(Root, "certification.db");
    public string Blobs => Path.Combine(Root, "blobs");
    public string Keys => Path.Combine(Root, "keys");
    public string Pki => Path.Combine(Root, "pki");
    public string Scratch => Path.Combine(Root, "scratch");

    /// <summary>A new file in scratch/ for a copy being issued, deleted when closed (a crash's leftovers go at the next start).</summary>
    public FileStream CreateScratchFile()
    {
        Directory.CreateDirectory(Scratch);
        var path = Path.Combine(Scratch, $"{Guid.NewGuid():N}.pdf");
        return new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 81920,
            FileOptions.Asynchronous | FileOptions.DeleteOnClose);
    }

    /// <summary>Deletes what a crash left in scratch/; returns how many files.</summary>
    public int EmptyScratch()
    {
        if (!Directory.Exists(Scratch)) return 0;
        var files = Directory.GetFiles(Scratch);
        foreach (var file in files) File.Delete(file);
        return files.Length;
    }

    /// <summary>Reads a secret from keys/, creating it (random bytes, owner-only) on first use.</summary>
    public byte[] GetOrCreateSecret(string name, int length = 32)
    {
        var path = Path.Combine(Keys, name);
        if (File.Exists(path)) return Convert.FromBase64String(File.ReadAllText(path).Trim());
        var secret = RandomNumberGenerator.GetBytes(length);
        var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        File.WriteAllText(temporary, Convert.ToBase64String(secret));
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        try
        {
            // Never replace an existing secret: a concurrent first start keeps the first one written.
            File.Move(temporary, path, overwrite: false);
        }
        catch (IOException)
        {
            File.Delete(temporary);
        }
        return Convert.FromBase64String(File.ReadAllText(path).Trim());
    }

    public static string ConnectionString(string databasePath) => $"Data Source={databasePath};Pooling=True;Default Timeout=60";
}
